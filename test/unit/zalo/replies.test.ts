import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type NumberedOption,
  normalize,
  parseAttendance,
  parseCommand,
  parseQuestion,
  parseReply,
  reasonIn,
  renderZalo,
  serializeQuestion,
  splitForZalo,
  ZALO_TEXT_LIMIT,
} from '../../../src/channels/zalo/replies.js';
import type { Intent } from '../../../src/domain/intents.js';
import type { View } from '../../../src/domain/view.js';
import { t } from '../../../src/i18n.js';

const M = 'mtg01';
const present: Intent = { type: 'answer', meetingId: M, choice: 'present' };
const askReason: Intent = { type: 'ask_reason', meetingId: M };
const invitation: NumberedOption[] = [
  { label: '✅ Có mặt', intent: present },
  { label: '❌ Vắng', intent: askReason },
];
const absent = (reason: string, note?: string): Intent =>
  ({ type: 'answer', meetingId: M, choice: 'absent', reason, ...(note ? { note } : {}) }) as Intent;
const reasons: NumberedOption[] = (
  [
    ['Ốm', 'sick'],
    ['Công tác', 'work'],
    ['Việc gia đình', 'family'],
    ['Khác', 'other'],
  ] as const
).map(([label, reason]) => ({ label, intent: absent(reason) }));

describe('normalize', () => {
  it.each([
    ['Có mặt!', 'co mat'],
    ['  VẮNG  ', 'vang'],
    ['Đi công tác', 'di cong tac'],
    ['2ốm', '2 om'],
    ['2, ốm.', '2 om'],
    // Decomposed input (some keyboards) folds the same as precomposed.
    ['co\u0301 ma\u0323\u0306t', 'co mat'],
  ])('%j → %j', (text, folded) => expect(normalize(text)).toBe(folded));
});

describe('replies to an invitation, with or without diacritics', () => {
  it.each<[string, Intent | undefined]>([
    ['1', present],
    [' 1 ', present],
    ['co', present],
    ['có', present],
    ['Có mặt', present],
    ['co mat', present],
    ['có ạ', present],
    ['1 nhé', present],
    ['2', askReason],
    // "vang" alone: vâng or vắng? Asked back (the table test, replies-table.test.ts, has the rest).
    ['vang', undefined],
    ['vắng', askReason],
    ['Vắng mặt', askReason],
    ['khong', askReason],
    ['không', askReason],
    ['không có mặt', askReason],
    ['ko di duoc', askReason],
    ['2 ạ', askReason],
    ['2 ốm', absent('sick')],
    ['2 om', absent('sick')],
    ['2ốm', absent('sick')],
    ['vắng vì bị ốm', absent('sick')],
    ['2 bệnh', absent('sick')],
    ['2 di cong tac', absent('work')],
    ['vang cong tac', absent('work')],
    ['Vắng, lý do: đi công tác', absent('work')],
    ['xin vắng do công tác', absent('work')],
    ['2 việc gia đình', absent('family')],
    ['vang gia dinh', absent('family')],
    ['2 khác', absent('other')],
    ['2 đi khám mắt ở huyện', absent('other', 'đi khám mắt ở huyện')],
    ['vắng vì con cưới', absent('other', 'con cưới')],
    ['không đi được, về quê', absent('other', 'về quê')],
    // Not clearly either: asked again, never guessed.
    ['ok', undefined],
    ['3', undefined],
    ['0', undefined],
    ['12', undefined],
    ['2 3', undefined],
    ['có việc bận', undefined],
    ['co le', undefined],
    ['', undefined],
    ['👍', undefined],
  ])('%j', (text, expected) => expect(parseReply(text, invitation)).toEqual(expected));
});

describe('replies to a numbered list', () => {
  it.each<[string, Intent | undefined]>([
    ['1', absent('sick')],
    ['4', absent('other')],
    ['ốm', absent('sick')],
    ['om', absent('sick')],
    ['bị ốm', absent('sick')],
    ['cong tac', absent('work')],
    ['Việc gia đình', absent('family')],
    ['gia dinh', absent('family')],
    ['khac', absent('other')],
    ['5', undefined],
    ['ok', undefined],
    // "2" is Công tác here; "2 ốm" says two things.
    ['2 ốm', undefined],
    ['đi khám mắt', undefined],
  ])('%j', (text, expected) => expect(parseReply(text, reasons)).toEqual(expected));

  it('takes a label as written, emoji and diacritics aside', () => {
    const channels: NumberedOption[] = [
      { label: 'Telegram', intent: { type: 'command', name: 'kenh', args: 'telegram' } },
      { label: 'Zalo', intent: { type: 'command', name: 'kenh', args: 'zalo' } },
    ];
    expect(parseReply('zalo', channels)).toEqual(channels[1]?.intent);
    expect(parseReply('2', channels)).toEqual(channels[1]?.intent);
    expect(parseReply('viber', channels)).toBeUndefined();
  });
});

describe('reasons and answers on their own', () => {
  it('maps reason words to codes', () => {
    expect(reasonIn('nằm viện')).toBe('sick');
    expect(reasonIn('đi công tác Hà Nội')).toBe('work');
    expect(reasonIn('việc nhà')).toBe('family');
    expect(reasonIn('khác')).toBe('other');
    expect(reasonIn('đi họp lớp')).toBeUndefined();
  });

  it('keeps the member’s own spelling of a free reason', () => {
    expect(parseAttendance('Vắng vì Đám cưới em gái!')).toEqual({
      choice: 'absent',
      reason: 'other',
      note: 'Đám cưới em gái!',
    });
  });
});

describe('commands typed as text', () => {
  it.each([
    ['/lich', 'lich', ''],
    ['lich', 'lich', ''],
    ['lịch', 'lich', ''],
    ['Lịch họp', 'lich', ''],
    ['/lịch', 'lich', ''],
    ['trogiup', 'trogiup', ''],
    ['trợ giúp', 'trogiup', ''],
    ['Trợ giúp', 'trogiup', ''],
    ['help', 'trogiup', ''],
    ['/start KL7Q2M', 'start', 'KL7Q2M'],
    ['/kenh zalo', 'kenh', 'zalo'],
    ['kênh', 'kenh', ''],
    ['điểm danh', 'diemdanh', ''],
    ['diem danh', 'diemdanh', ''],
    ['Kênh!', 'kenh', ''],
    ['giúp', 'trogiup', ''],
    ['hướng dẫn', 'trogiup', ''],
    ['bắt đầu', 'start', ''],
    ['họp', 'hop', ''],
    ['hop', 'hop', ''],
    ['/họp', 'hop', ''],
    ['/kenh mã', 'kenh', 'mã'],
    ['/abc', 'abc', ''],
  ])('%j → /%s %s', (text, name, args) =>
    expect(parseCommand(text)).toEqual({ type: 'command', name, args }),
  );

  it.each(['1', 'có', '2 ốm', 'KL7Q2M', 'lịch họp tháng này thế nào', 'ok'])('%j is not a command', (text) =>
    expect(parseCommand(text)).toBeUndefined(),
  );
});

describe('rendering views as Zalo text', () => {
  const vi = (key: string, params?: Record<string, string | number>) => t(key, params, 'vi');

  it('writes an invitation’s choices as the numbered answer line, then the link', () => {
    const view: View = {
      text: 'Giấy mời',
      choices: [invitation],
      link: { label: 'Hoặc trả lời trên trang web', url: 'https://chibo.example/r/abc' },
    };
    const rendered = renderZalo(view, vi);
    expect(rendered.text).toBe(
      [
        'Giấy mời',
        '',
        'Trả lời 1 = Có mặt, 2 = Vắng (kèm lý do, ví dụ: 2 ốm)',
        'Hoặc trả lời trên trang web: https://chibo.example/r/abc',
      ].join('\n'),
    );
    expect(rendered.options).toEqual(invitation);
  });

  it('numbers any other choices one per line, puts a confirmation toast first, and keeps the question alone', () => {
    const rendered = renderZalo(
      { text: 'Vì sao?', choices: [reasons.slice(0, 2), reasons.slice(2)], toast: 'Đã ghi' },
      vi,
    );
    expect(rendered.text).toBe(
      [
        'Đã ghi',
        '',
        'Vì sao?',
        '',
        'Trả lời bằng số:',
        '1 = Ốm',
        '2 = Công tác',
        '3 = Việc gia đình',
        '4 = Khác',
      ].join('\n'),
    );
    // The question kept to ask again is the question alone: no old "Đã ghi" line.
    expect(rendered.question).toBe(rendered.text.replace('Đã ghi\n\n', ''));
  });

  it('sends a refusal as its text, once', () => {
    const rendered = renderZalo({ text: 'Đã hết hạn', toast: 'Đã hết hạn', toastOnly: true }, vi);
    expect(rendered).toEqual({ text: 'Đã hết hạn', question: 'Đã hết hạn', options: [] });
  });

  it('keeps a question through the store as validated intents', () => {
    const question = { text: 'Vì sao?', options: reasons, askedAt: 5 };
    expect(parseQuestion(serializeQuestion(question))).toEqual(question);
    expect(parseQuestion('{"text":"x","options":[{"label":"a","intent":"a|../x|p|"}]}')).toBeUndefined();
    expect(parseQuestion('not json')).toBeUndefined();
    expect(parseQuestion(undefined)).toBeUndefined();
  });
});

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('splitForZalo', () => {
  it('keeps a short text whole', () => {
    expect(splitForZalo('một\nhai')).toEqual(['một\nhai']);
    expect(splitForZalo('')).toEqual([]);
  });

  it('splits on line boundaries at the limit', () => {
    const line = 'x'.repeat(999);
    expect(splitForZalo([line, line, line].join('\n'))).toEqual([`${line}\n${line}`, line]);
    expect(splitForZalo([line, line, 'y'].join('\n'), 1998)).toEqual([line, `${line}\ny`]);
  });

  it('cuts a line longer than a message at a space, or else between characters', () => {
    const words = `${'a'.repeat(1500)} ${'b'.repeat(1000)}`;
    expect(splitForZalo(words)).toEqual(['a'.repeat(1500), 'b'.repeat(1000)]);
    const emoji = '😀'.repeat(1500); // 3000 UTF-16 units, no space
    const pieces = splitForZalo(emoji);
    expect(pieces.join('')).toBe(emoji);
    for (const p of pieces) expect(LONE_SURROGATE.test(p)).toBe(false);
  });

  it('never exceeds the limit nor breaks a character, whatever the lines', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'ố', ' ', '😀'), maxLength: 400 });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.integer({ min: 40, max: 300 }), (lines, limit) => {
        for (const chunk of splitForZalo(lines.join('\n'), limit)) {
          expect(chunk.trim()).not.toBe('');
          expect(chunk.length).toBeLessThanOrEqual(limit);
          expect(LONE_SURROGATE.test(chunk)).toBe(false);
        }
      }),
    );
  });

  it('splits only between lines when every line fits: the messages joined are the text', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'ố', ' ', '😀'), maxLength: 39 }).map((l) => `a${l}`);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), fc.integer({ min: 40, max: 300 }), (lines, limit) => {
        const text = lines.join('\n');
        expect(splitForZalo(text, limit).join('\n')).toBe(text);
      }),
    );
  });

  it('holds to Zalo’s 2000 by default', () => {
    const text = Array.from({ length: 300 }, (_, i) => `Dòng ${i}: ${'ư'.repeat(i % 50)}`).join('\n');
    const chunks = splitForZalo(text);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(ZALO_TEXT_LIMIT);
    expect(chunks.join('\n')).toBe(text);
  });
});
