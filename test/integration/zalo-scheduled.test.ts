import { afterEach, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n.js';
import type { Meeting } from '../../src/store/records.js';
import { buttonsOf, type ChannelsWorld, channelsWorld } from '../support/channels-world.js';

/**
 * Journeys 4 and 3 of shared/journeys.md on Zalo, with the notice sent the way the service sends it: the cell's
 * schedule planned into a meeting, the planned notice brought forward (planning.sendNow), dispatched, queued in
 * the outbox and delivered through the Zalo adapter to the fake Zalo Bot API.
 */
const ROSTER = [
  'ho_ten,vai_tro,trang_thai',
  'Nguyễn Văn Tuấn,Bí thư,Chính thức',
  'Lò Văn Sinh,Đảng viên,Chính thức',
  'Hà Thị Mai,Đảng viên,Chính thức',
  'Lò Thị Hoa,Đảng viên,Chính thức',
  'Đinh Văn Quý,Đảng viên,Chính thức',
].join('\n');
const ANSWER_LINE = 'Trả lời 1 = Có mặt, 2 = Vắng (kèm lý do, ví dụ: 2 ốm)';
const LINK = /Hoặc trả lời trên trang web: (http:\/\/\S+\/r\/\S+)/;

let s: ChannelsWorld;
afterEach(() => s?.close());

async function setup(options: Parameters<typeof channelsWorld>[0] = {}) {
  s = await channelsWorld(options);
  // Khe Lếch meets on the 5th at 19:30, weekends included: Saturday 05/12/2026.
  const khe = await s.cell('Chi bộ thôn Khe Lếch', ROSTER, {
    schedulePhrase: 'ngày 5 hằng tháng 19:30',
    shift: 'none',
  });
  const [meeting] = await s.repos.meetings.ofCell(
    khe.cell.id,
    s.clock.now(),
    s.clock.now() + 30 * 86_400_000,
  );
  if (!meeting) throw new Error('the schedule planned no meeting');
  expect(new Date(meeting.startsAt).toISOString()).toBe('2026-12-05T12:30:00.000Z');
  const answerOf = (personId: string, m: Meeting = meeting) => s.repos.meetings.answer(m.id, personId);
  /** The notice, sent now by the scheduler; resolves with what reached each of `chats` on Zalo. */
  async function sendNotice(chats: string[], tag?: string) {
    const before = s.zaloFake.sent.length;
    const result = await s.services.planning.sendNow(meeting.id, 'notice', tag ? { tag } : {});
    expect(result.ok).toBe(true);
    await s.zaloFake.waitForSent(before + chats.length);
    const sent = s.zaloFake.sent.slice(before);
    return chats.map((chat) =>
      sent
        .filter((m) => m.chat_id === chat)
        .map((m) => m.text)
        .join('\n'),
    );
  }
  return { khe, meeting, answerOf, sendNotice };
}

describe('journey 4 on Zalo, the notice sent by the scheduler', () => {
  it('Bà Mai links with her code, answers the notice "2 di cong tac"; her neighbour answers on the link page; "ok" is asked again', async () => {
    const { khe, meeting, answerOf, sendNotice } = await setup();
    const code = khe.code('Hà Thị Mai');
    expect(code).toMatch(/^[A-Z2-9]{6}$/);

    expect(await s.sayZalo('zalo-mai', code)).toBe(t('start.welcome', { name: 'Hà Thị Mai' }));
    const mai = await s.repos.people.byChannel('zalo', 'zalo-mai');
    expect(mai).toMatchObject({ name: 'Hà Thị Mai', preferredChannel: 'zalo' });
    await s.sayZalo('zalo-hoa', khe.code('Lò Thị Hoa'));
    const hoa = await s.repos.people.byChannel('zalo', 'zalo-hoa');

    const [notice = '', hoaNotice = ''] = await sendNotice(['zalo-mai', 'zalo-hoa']);
    expect(notice.split('\n').slice(0, 2)).toEqual([
      '📅 Sinh hoạt chi bộ thường kỳ — Chi bộ thôn Khe Lếch',
      'Thời gian: Thứ Bảy, 05/12/2026, 19:30',
    ]);
    expect(notice).toContain(ANSWER_LINE);
    expect(notice).toMatch(LINK);
    // Nobody unlinked or on another channel was sent anything; Zalo got text only, within its limit.
    expect(new Set(s.zaloFake.sent.map((m) => m.chat_id))).toEqual(new Set(['zalo-mai', 'zalo-hoa']));
    expect(s.telegramFake.sent).toEqual([]);
    for (const m of s.zaloFake.sent) expect(m.text?.length).toBeLessThanOrEqual(2000);

    const confirmation = await s.sayZalo('zalo-mai', '2 di cong tac');
    expect(confirmation.split('\n')[0]).toBe('Đã ghi: Vắng — Công tác');
    expect(await answerOf(mai?.id ?? '')).toMatchObject({ choice: 'absent', reason: 'work' });

    // Her neighbour taps the link in his own notice and answers on the page.
    const link = LINK.exec(hoaNotice)?.[1] ?? '';
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Kính gửi đồng chí Lò Thị Hoa');
    const posted = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'answer=present',
    });
    expect(await posted.text()).toContain('Đã ghi: Có mặt');
    expect(await answerOf(hoa?.id ?? '')).toMatchObject({ choice: 'present' });

    // "ok" is no answer: the question again, nothing changed.
    const again = await s.sayZalo('zalo-mai', 'ok');
    expect(again.split('\n')[0]).toBe(t('zalo.unclear', { reply: 'ok' }));
    expect(again).toContain(ANSWER_LINE);
    expect(await answerOf(mai?.id ?? '')).toMatchObject({ choice: 'absent', reason: 'work' });

    // The secretary's tally counts both answers.
    expect((await s.repos.meetings.answers(meeting.id)).size).toBe(2);
  });
});

describe('journey 3 on Zalo, the notice sent by the scheduler', () => {
  it('answers Vắng — Ốm, changes it to Có mặt the next day, is refused after the start, and reads /lich', async () => {
    const { khe, answerOf, sendNotice } = await setup();
    await s.sayZalo('zalo-sinh', `/start ${khe.code('Lò Văn Sinh')}`);
    const sinh = await s.repos.people.byChannel('zalo', 'zalo-sinh');
    await sendNotice(['zalo-sinh']);

    expect(await s.sayZalo('zalo-sinh', 'vắng')).toBe(
      [
        t('reason.ask'),
        '',
        'Trả lời bằng số:',
        '1 = Ốm',
        '2 = Công tác',
        '3 = Việc gia đình',
        '4 = Khác',
      ].join('\n'),
    );
    const sick = await s.sayZalo('zalo-sinh', '1');
    expect(sick.split('\n')[0]).toBe('Đã ghi: Vắng — Ốm');
    expect(sick).toContain('Trả lời của đồng chí: Vắng — Ốm. Có thể đổi đến khi bắt đầu họp.');
    expect(await answerOf(sinh?.id ?? '')).toMatchObject({ choice: 'absent', reason: 'sick' });

    // The next day he changes his mind: the confirmation is the open question, "có mặt" answers it.
    s.clock.set('2026-11-27T03:00:00Z');
    expect((await s.sayZalo('zalo-sinh', 'có mặt')).split('\n')[0]).toBe('Đã ghi: Có mặt');
    expect(await answerOf(sinh?.id ?? '')).toMatchObject({ choice: 'present' });

    // After the meeting starts, a reply to the old notice is refused and changes nothing.
    s.clock.set('2026-12-05T12:31:00Z');
    expect(await s.sayZalo('zalo-sinh', 'vang om')).toBe(t('refuse.expired'));
    expect(await answerOf(sinh?.id ?? '')).toMatchObject({ choice: 'present' });

    s.clock.set('2026-11-28T03:00:00Z');
    const schedule = await s.sayZalo('zalo-sinh', 'lịch');
    expect(schedule.split('\n').slice(0, 2)).toEqual([
      t('lich.title'),
      '• Thứ Bảy, 05/12/2026, 19:30 — Chi bộ thôn Khe Lếch: Có mặt',
    ]);
  });
});

describe('reminders for a member on both channels', () => {
  it('go to the preferred channel, to the other when it refuses the member, and back once they write again', async () => {
    const { khe, sendNotice, meeting } = await setup();
    await s.sayTelegram(7001, `/start ${khe.code('Lò Văn Sinh')}`);
    const [, code] = await s.sayTelegram(7001, '/kenh mã');
    await s.sayZalo('zalo-sinh', code?.text ?? '');
    await s.sayZalo('zalo-sinh', '2'); // Zalo preferred
    const sinh = await s.repos.people.byChannel('zalo', 'zalo-sinh');

    // The notice goes to Zalo only.
    const telegramBefore = s.telegramFake.sent.length;
    const [onZalo = ''] = await sendNotice(['zalo-sinh']);
    expect(onZalo).toContain(ANSWER_LINE);
    expect(s.telegramFake.sent.length).toBe(telegramBefore);

    // He blocks the bot on Zalo (403): the reminder comes on Telegram instead, with its buttons.
    s.zaloFake.failNext(1, 403, undefined, 'sendMessage');
    const reminded = await s.services.planning.sendNow(meeting.id, 'notice', { tag: 'again-1' });
    expect(reminded.ok).toBe(true);
    const fallback = await waitFor(() =>
      s.telegramFake.sent.find((m) => m.chat_id === '7001' && m.text.includes('Khe Lếch')),
    );
    expect(
      buttonsOf(fallback)
        .flat()
        .map((b) => b.text),
    ).toEqual(['✅ Có mặt', '❌ Vắng']);
    expect((await s.repos.people.get(sinh?.id ?? ''))?.unreachable).toEqual(['zalo']);
    // Nobody was asked to tell him in person: he was reached.
    expect(s.telegramFake.sent.filter((m) => m.text.includes(t('delivery.reason.blocked')))).toEqual([]);

    // He writes on Zalo again: Zalo is his channel once more.
    await s.sayZalo('zalo-sinh', 'lịch');
    expect((await s.repos.people.get(sinh?.id ?? ''))?.unreachable).toEqual([]);
    const telegramNow = s.telegramFake.sent.length;
    s.clock.advance(60_000);
    const [backOnZalo = ''] = await sendNotice(['zalo-sinh'], 'again-2');
    expect(backOnZalo).toContain(ANSWER_LINE);
    expect(s.telegramFake.sent.length).toBe(telegramNow);
  });
});

async function waitFor<T>(find: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() - started > timeoutMs) throw new Error('waited in vain');
    await new Promise((r) => setTimeout(r, 10));
  }
}
