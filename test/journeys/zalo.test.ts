import { afterEach, describe, expect, it, vi } from 'vitest';
import { t } from '../../src/i18n.js';
import { AppHarness, buttonsOf, telegramUser } from '../support/app-harness.js';
import { setUpCommune } from '../support/commune.js';

// Whole-app turns on a simulated clock: dozens of chat turns, each waiting for the bot to finish.
vi.setConfig({ testTimeout: 120_000 });

/**
 * Journeys of ../shared/journeys.md on Zalo, end to end: the whole app with the fake Zalo (and Telegram) Bot
 * API on a simulated clock; the commune set up through the chat, the notice sent by the scheduler when due.
 */
const ANSWER_LINE = 'Trả lời 1 = Có mặt, 2 = Vắng (kèm lý do, ví dụ: 2 ốm)';
const LINK = /Hoặc trả lời trên trang web: https:\/\/chibo\.example\.vn(\/r\/\S+)/;

const harnesses: AppHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
});
async function harness() {
  const h = await AppHarness.start({ start: '2026-11-26T03:00:00Z', zalo: true });
  harnesses.push(h);
  return h;
}

const personOn = (h: AppHarness, chatId: string) => h.services.repos.people.byChannel('zalo', chatId);
async function answerOf(h: AppHarness, personId: string) {
  const [next] = await h.services.meetings.upcomingFor(personId);
  return next && (await h.services.repos.meetings.answers(next.meeting.id)).get(personId);
}

describe('journey 4: a member on Zalo', () => {
  it('bà Mai links with her code, answers the notice "2 di cong tac"; her neighbour answers on the page; "ok" is asked again', async () => {
    const h = await harness();
    const commune = await setUpCommune(h);
    const code = commune.codes.get('Hà Thị Mai') ?? '';
    expect(code).toMatch(/^[A-Z2-9]{6}$/);

    expect(await h.zaloSay('zalo-mai', code)).toEqual([t('start.welcome', { name: 'Hà Thị Mai' })]);
    const mai = await personOn(h, 'zalo-mai');
    expect(mai).toMatchObject({ name: 'Hà Thị Mai', preferredChannel: 'zalo' });
    await h.zaloSay('zalo-xuan', commune.codes.get('Lò Thị Xuân') ?? '');
    const xuan = await personOn(h, 'zalo-xuan');

    // Three days before Saturday 05/12/2026 19:30 the notice arrives as text, with the numbered answers and a link.
    await h.advanceTo('2026-12-02T13:00:00Z');
    const [notice] = h.zaloInbox('zalo-mai', 'Thứ Bảy, 05/12/2026, 19:30');
    const lines = notice?.text?.split('\n') ?? [];
    expect(lines.slice(0, 3)).toEqual([
      '📅 Kính mời đồng chí dự buổi sinh hoạt chi bộ thường kỳ — Chi bộ thôn Khe Lếch',
      'Thời gian: Thứ Bảy, 05/12/2026, 19:30',
      'Địa điểm: Nhà văn hóa thôn Khe Lếch',
    ]);
    expect(lines).toContain(ANSWER_LINE);
    expect(notice?.text).toMatch(LINK);
    expect(h.zaloInbox('zalo-mai')).toHaveLength(2); // the welcome, the notice

    // Hours after the notice, a number still answers it: the invitation is her open question and carries them.
    const confirmation = await h.zaloSay('zalo-mai', '2 di cong tac');
    expect(confirmation[0]?.split('\n')[0]).toBe('Đã ghi: Vắng — Công tác');
    expect(await answerOf(h, mai?.id ?? '')).toMatchObject({ choice: 'absent', reason: 'work' });

    // Her neighbour taps the link in her own notice instead, and answers on the page.
    const path = LINK.exec(h.zaloInbox('zalo-xuan', 'Khe Lếch')[0]?.text ?? '')?.[1] ?? '';
    const page = await fetch(`http://127.0.0.1:${h.app.port}${path}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Kính gửi đồng chí Lò Thị Xuân');
    const posted = await fetch(`http://127.0.0.1:${h.app.port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'answer=present',
    });
    expect(await posted.text()).toContain('Đã ghi: Có mặt');
    expect(await answerOf(h, xuan?.id ?? '')).toMatchObject({ choice: 'present' });

    // "ok" is no answer: the question comes again, and nothing changes.
    const again = await h.zaloSay('zalo-mai', 'ok');
    expect(again[0]?.split('\n')[0]).toBe(t('zalo.unclear', { reply: 'ok' }));
    expect(again[0]).toContain(ANSWER_LINE);
    expect(await answerOf(h, mai?.id ?? '')).toMatchObject({ choice: 'absent', reason: 'work' });
  });
});

describe('journey 3 on Zalo', () => {
  it('answers Vắng — Ốm, changes it to Có mặt the next day, sees /lich, and is refused after the start', async () => {
    const h = await harness();
    const commune = await setUpCommune(h);
    await h.zaloSay('zalo-sinh', `/start ${commune.codes.get('Lò Văn Sinh')}`);
    const sinh = await personOn(h, 'zalo-sinh');
    await h.advanceTo('2026-12-02T13:00:00Z');
    expect(h.zaloInbox('zalo-sinh', ANSWER_LINE)).toHaveLength(1);

    // "Vắng" alone asks why, as a numbered list; "1" is Ốm.
    expect(await h.zaloSay('zalo-sinh', 'vắng')).toEqual([
      [
        t('reason.ask'),
        '',
        'Trả lời bằng số:',
        '1 = Ốm',
        '2 = Công tác',
        '3 = Việc gia đình',
        '4 = Khác',
      ].join('\n'),
    ]);
    const [sick] = await h.zaloSay('zalo-sinh', '1');
    expect(sick?.split('\n')[0]).toBe('Đã ghi: Vắng — Ốm');
    expect(sick).toContain('Trả lời của đồng chí: Vắng — Ốm. Có thể đổi đến khi bắt đầu họp.');

    // The next day he changes it: the confirmation is the open question, "có mặt" answers it.
    await h.advanceTo('2026-12-03T02:00:00Z');
    expect((await h.zaloSay('zalo-sinh', 'có mặt'))[0]?.split('\n')[0]).toBe('Đã ghi: Có mặt');
    expect(await answerOf(h, sinh?.id ?? '')).toMatchObject({ choice: 'present' });
    expect((await h.zaloSay('zalo-sinh', 'lịch'))[0]).toContain(
      '• Thứ Bảy, 05/12/2026, 19:30 — Chi bộ thôn Khe Lếch: Có mặt',
    );

    // Once the meeting has started, a reply to the old notice is refused and changes nothing.
    await h.advanceTo('2026-12-05T12:31:00Z');
    const late = await h.zaloSay('zalo-sinh', 'vang om');
    expect(late).toEqual([t('refuse.expired')]);
    const answers = await h.services.repos.meetings.answers(
      (
        await h.services.repos.meetings.ofCell(
          commune.khelech.id,
          Date.parse('2026-12-05T00:00:00Z'),
          Date.parse('2026-12-06T00:00:00Z'),
        )
      )[0]?.id ?? '',
    );
    expect(answers.get(sinh?.id ?? '')).toMatchObject({ choice: 'present' });
  });
});

describe('a member on both channels', () => {
  it('links Zalo with a code from /kenh on Telegram, prefers Zalo, is reached on Telegram while Zalo refuses, and on Zalo again once back', async () => {
    const h = await harness();
    const commune = await setUpCommune(h);
    const sinhTg = telegramUser(3001, 'Sinh');
    const tuan = telegramUser(3002, 'Tuấn');
    await commune.join('Lò Văn Sinh', sinhTg);
    await commune.join('Nguyễn Văn Tuấn', tuan);

    // /kenh on Telegram: one channel, and a button for a Zalo code; the code comes alone in its own message.
    const [menu] = (await h.say(sinhTg, '/kenh')).messages;
    expect(menu?.text).toContain(t('kenh.code.hint', { channel: 'Zalo' }));
    const asked = await h.tap(
      sinhTg,
      menu as NonNullable<typeof menu>,
      t('kenh.code.offer', { channel: 'Zalo' }),
    );
    const [instructions, codeMessage] = asked.messages;
    expect(instructions?.text).toBe(t('kenh.code.issued', { channel: 'Zalo', minutes: 10 }));
    const code = codeMessage?.text ?? '';
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    expect(code).not.toBe(commune.codes.get('Lò Văn Sinh'));

    // Sent on Zalo it links his Zalo chat to him; "2" then makes Zalo his channel.
    const [linked] = await h.zaloSay('zalo-sinh', code);
    expect(linked?.split('\n')[0]).toBe(t('kenh.linked', { channel: 'Zalo', name: 'Lò Văn Sinh' }));
    expect(await h.zaloSay('zalo-sinh', '2')).toEqual([t('kenh.saved', { channel: 'Zalo' })]);
    const sinh = await personOn(h, 'zalo-sinh');
    expect(sinh).toMatchObject({ telegramId: 3001, zaloId: 'zalo-sinh', preferredChannel: 'zalo' });
    // The code worked once.
    expect(await h.zaloSay('zalo-someone', code)).toEqual([t('kenh.code.used')]);

    // Zalo refuses him when the notice is due (403): it reaches him on Telegram instead, with its buttons.
    h.zalo?.failNext(1, 403, undefined, 'sendMessage');
    await h.advanceTo('2026-12-02T13:00:00Z');
    await vi.waitFor(() => expect(h.inbox(sinhTg, 'Thứ Bảy, 05/12/2026, 19:30')).toHaveLength(1));
    const [onTelegram] = h.inbox(sinhTg, 'Thứ Bảy, 05/12/2026, 19:30');
    expect(buttonsOf(onTelegram as NonNullable<typeof onTelegram>).map((b) => b.text)).toEqual([
      '✅ Có mặt',
      '❌ Vắng',
    ]);
    expect(h.zaloInbox('zalo-sinh', '05/12/2026')).toEqual([]);
    expect((await h.services.repos.people.get(sinh?.id ?? ''))?.unreachable).toEqual(['zalo']);
    // He was reached, so his secretary is not asked to tell him in person.
    expect(h.inbox(tuan, 'Lò Văn Sinh')).toEqual([]);

    // He writes on Zalo again: Zalo reaches him once more, so the day-before reminder comes there.
    await h.zaloSay('zalo-sinh', 'lịch');
    expect((await h.services.repos.people.get(sinh?.id ?? ''))?.unreachable).toEqual([]);
    await h.advanceTo('2026-12-04T13:00:00Z');
    const [followUp] = h.zaloInbox('zalo-sinh', t('reminders.lead.follow_up'));
    expect(followUp?.text).toContain(ANSWER_LINE);
    expect(h.inbox(sinhTg, t('reminders.lead.follow_up'))).toEqual([]);
    // Words name the answer, however long ago the reminder came.
    expect((await h.zaloSay('zalo-sinh', 'có mặt'))[0]?.split('\n')[0]).toBe('Đã ghi: Có mặt');
  });
});
