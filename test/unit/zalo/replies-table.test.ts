import { describe, expect, it } from 'vitest';
import {
  NUMBER_TTL_MS,
  type NumberedOption,
  type OpenQuestion,
  type ReplyReading,
  readReply,
} from '../../../src/channels/zalo/replies.js';
import { type Intent, messagesOthers } from '../../../src/domain/intents.js';

/**
 * Real-looking replies to an invitation, as members type them on Zalo (with and without diacritics), each with
 * the answer it records or the question it is asked back. The reading rule is documented at PRESENT in
 * src/channels/zalo/replies.ts; the notes here say why the doubtful ones read as they do.
 */
const M = 'mtg01';
const present: Intent = { type: 'answer', meetingId: M, choice: 'present' };
const askReason: Intent = { type: 'ask_reason', meetingId: M };
const invitation: OpenQuestion = {
  text: 'Giấy mời họp chi bộ…\n\nTrả lời 1 = Có mặt, 2 = Vắng (kèm lý do, ví dụ: 2 ốm)',
  options: [
    { label: '✅ Có mặt', intent: present },
    { label: '❌ Vắng', intent: askReason },
  ],
  askedAt: 1_000_000,
};
const NOW = invitation.askedAt + 60_000;

/** What a reading is, in a word: "present", "ask" (absent, reason asked), "sick", "other: …", "unsure: vang"… */
function summary(reading: ReplyReading): string {
  switch (reading.kind) {
    case 'intent': {
      const intent = reading.intent;
      if (intent.type === 'ask_reason') return 'ask';
      if (intent.type !== 'answer') return `intent ${intent.type}`;
      if (intent.choice === 'present') return 'present';
      return intent.note ? `${intent.reason}: ${intent.note}` : (intent.reason ?? 'ask');
    }
    case 'unsure':
      return `unsure: ${reading.why}`;
    default:
      return reading.kind;
  }
}

const TABLE: [string, string][] = [
  // Yes, in the ways people say it.
  ['1', 'present'],
  [' 1 ', 'present'],
  ['1 nhé', 'present'],
  ['có', 'present'],
  ['Có', 'present'],
  ['co', 'present'],
  ['CÓ', 'present'],
  ['có ạ', 'present'],
  ['co a', 'present'],
  ['Có mặt', 'present'],
  ['co mat', 'present'],
  ['có mặt ạ', 'present'],
  ['Có mặt!', 'present'],
  ['vâng', 'present'],
  ['Vâng ạ', 'present'],
  ['Vâng, có mặt', 'present'],
  ['vang, co mat', 'present'],
  ['vang co mat a', 'present'],
  ['dạ có', 'present'],
  ['da co', 'present'],
  ['Dạ có ạ', 'present'],
  ['dạ vâng', 'present'],
  ['Dạ vâng ạ', 'present'],
  ['dạ, có mặt', 'present'],
  ['tôi đi', 'present'],
  ['toi di', 'present'],
  ['em đi', 'present'],
  ['em di a', 'present'],
  ['Em sẽ đến ạ', 'present'],
  ['mình dự', 'present'],
  ['tôi sẽ tham dự', 'present'],
  ['có đi', 'present'],
  ['cháu đi được ạ', 'present'],
  ['1 = Có mặt', 'present'],
  ['1 = Co mat', 'present'],
  ['1. Có mặt', 'present'],
  ['1 có mặt', 'present'],
  // No, without a reason yet: the reason is asked.
  ['2', 'ask'],
  ['2 ạ', 'ask'],
  ['vắng', 'ask'],
  ['Vắng ạ', 'ask'],
  ['Vắng mặt', 'ask'],
  ['vang mat', 'ask'],
  ['xin vắng', 'ask'],
  ['xin phep vang', 'ask'],
  ['không', 'ask'],
  ['khong a', 'ask'],
  ['không có mặt', 'ask'],
  ['ko co mat', 'ask'],
  // Negated attending is a clear absence: "cannot go".
  ['không đi được', 'ask'],
  ['khong di duoc', 'ask'],
  ['ko đi được ạ', 'ask'],
  ['không dự được', 'ask'],
  ['không đến được', 'ask'],
  ['em không đi được', 'ask'],
  ['không thể đến', 'ask'],
  ['2 = Vắng', 'ask'],
  // No, with a reason.
  ['2 ốm', 'sick'],
  ['2 om', 'sick'],
  ['2ốm', 'sick'],
  ['vắng ốm', 'sick'],
  ['vang om', 'sick'],
  ['vắng vì bị ốm', 'sick'],
  ['Vang vi om', 'sick'],
  ['em vắng, em bị sốt', 'sick'],
  ['không đi được vì ốm', 'sick'],
  ['2 nằm viện', 'sick'],
  ['2 di cong tac', 'work'],
  ['vang cong tac', 'work'],
  ['Vắng, lý do: đi công tác', 'work'],
  ['xin vắng do công tác', 'work'],
  ['ko di duoc, di cong tac', 'work'],
  ['2 việc gia đình', 'family'],
  ['vang gia dinh', 'family'],
  ['vắng vì việc nhà', 'family'],
  ['2 khác', 'other'],
  ['2 đi khám mắt ở huyện', 'other: đi khám mắt ở huyện'],
  ['vắng vì con cưới', 'other: con cưới'],
  ['không đi được, về quê', 'other: về quê'],
  ['vang do ve que', 'other: ve que'],
  // "vang" without its marks: "vâng" (yes) or "vắng" (absent)? Never guessed.
  ['vang', 'unsure: vang'],
  ['Vang', 'unsure: vang'],
  ['vang a', 'unsure: vang'],
  ['VANG', 'unsure: vang'],
  ['vang, em ban', 'unsure: vang'],
  ['dạ vang', 'unsure: vang'],
  // A negated absence: "not absent" or "no — absent"? Never guessed.
  ['không vắng', 'unsure: negation'],
  ['khong vang', 'unsure: negation'],
  ['ko vang', 'unsure: negation'],
  ['Không vắng ạ', 'unsure: negation'],
  ['k vang', 'unsure: negation'],
  // Neither: the question again.
  ['ok', 'unclear'],
  ['3', 'unclear'],
  ['0', 'unclear'],
  ['12', 'unclear'],
  ['2 3', 'unclear'],
  ['1 2', 'unclear'],
  ['có việc bận', 'unclear'],
  ['co le', 'unclear'],
  ['chưa biết', 'unclear'],
  ['dạ', 'unclear'],
  ['👍', 'unclear'],
  ['để em xem', 'unclear'],
];

const read = (text: string, at: Partial<Parameters<typeof readReply>[1]> = {}) =>
  readReply(text, { question: invitation, invitation, now: NOW, messagesOthers, ...at });

describe('replies to an invitation: the table', () => {
  it('has at least eighty replies, each once', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(80);
    expect(new Set(TABLE.map(([text]) => text)).size).toBe(TABLE.length);
  });

  it.each(TABLE)('%j → %s', (text, expected) => expect(summary(read(text))).toBe(expected));

  it('asks back with the invitation it would answer, so "1" or "2" then answers it', () => {
    expect(read('vang')).toEqual({ kind: 'unsure', why: 'vang', question: invitation });
  });
});

describe('words go to the latest invitation, numbers to the question that asked them', () => {
  const roster: OpenQuestion = {
    text: 'Chọn kênh',
    options: [
      { label: 'Telegram', intent: { type: 'command', name: 'kenh', args: 'telegram' } },
      { label: 'Zalo', intent: { type: 'command', name: 'kenh', args: 'zalo' } },
    ],
    askedAt: NOW - 60_000,
  };

  it.each(TABLE.filter(([text, expected]) => !/^\s*\d/.test(text) && expected !== 'unclear'))(
    '%j, asked something else since, still answers the invitation (%s)',
    (text, expected) => {
      expect(summary(read(text, { question: roster }))).toBe(expected);
    },
  );

  it('a number answers the open question, not the invitation', () => {
    expect(read('1', { question: roster })).toEqual({ kind: 'intent', intent: roster.options[0]?.intent });
  });

  it('a number is asked back once another question is older than its few minutes; words are not', () => {
    const stale = { question: roster, now: roster.askedAt + NUMBER_TTL_MS + 1 };
    expect(read('1', stale)).toEqual({ kind: 'expired' });
    expect(read('2', stale)).toEqual({ kind: 'expired' });
    expect(read('có mặt', stale)).toEqual({ kind: 'intent', intent: present });
    expect(read('1', { question: roster, now: roster.askedAt + NUMBER_TTL_MS })).toEqual({
      kind: 'intent',
      intent: roster.options[0]?.intent,
    });
  });

  it("an invitation's numbers hold while it is the open question: its own text carries them", () => {
    const hoursLater = invitation.askedAt + 6 * 3_600_000;
    expect(read('1', { now: hoursLater })).toEqual({ kind: 'intent', intent: present });
    expect(summary(read('2 ốm', { now: hoursLater }))).toBe('sick');
  });

  it('with no question open, a number answers nothing', () => {
    expect(read('1', { question: undefined })).toEqual({ kind: 'none' });
    expect(read('có', { question: undefined, invitation: undefined })).toEqual({ kind: 'none' });
  });
});

describe('an action that messages other people needs a confirmation', () => {
  const remind: NumberedOption = {
    label: 'Nhắc người chưa trả lời',
    intent: { type: 'meeting', action: 'remind', meetingId: M },
  };
  const tally: OpenQuestion = { text: 'Tổng hợp…', options: [remind], askedAt: NOW - 1_000 };

  it('a bare "1" after the tally asks first, and never sends', () => {
    expect(read('1', { question: tally })).toEqual({ kind: 'confirm', option: remind });
    expect(read('Nhắc người chưa trả lời', { question: tally }).kind).not.toBe('intent');
  });

  it('the confirmation takes "1" or "xác nhận" within its minutes; "2" or "thôi" cancels', () => {
    const confirm: OpenQuestion = { text: 'Gửi?', options: [remind], askedAt: NOW - 1_000, confirm: true };
    for (const yes of ['1', 'xác nhận', 'xac nhan', 'Đồng ý'])
      expect(read(yes, { question: confirm })).toEqual({ kind: 'intent', intent: remind.intent });
    for (const no of ['2', 'thôi', 'thoi', 'không'])
      expect(read(no, { question: confirm })).toEqual({ kind: 'cancelled' });
    expect(read('1', { question: confirm, now: confirm.askedAt + NUMBER_TTL_MS + 1 })).toEqual({
      kind: 'expired',
    });
  });

  it('the member’s own answer in words still goes to their invitation', () => {
    expect(read('có mặt', { question: tally })).toEqual({ kind: 'intent', intent: present });
  });
});
