import { describe, expect, it } from 'vitest';
import type { HandlerContext } from '../../../handlers/context.js';
import { renderTelegram } from '../../../src/channels/telegram/render.js';
import { encodeIntent } from '../../../src/domain/intents.js';
import { t } from '../../../src/i18n.js';
import { createLogger } from '../../../src/logger.js';
import { invitationView } from '../../../src/views/attendance.js';
import { recordingBot, tapUpdate, textUpdate, user } from '../../support/telegram.js';
import { world } from '../../support/world.js';

const log = createLogger({ level: process.env.TEST_LOG ?? 'silent' });
const ROSTER =
  'ho_ten,vai_tro,trang_thai\nNguyễn Văn Tuấn,Bí thư,Chính thức\nLò Văn Sinh,Đảng viên,Chính thức\nHà Thị Mai,,\nLò Thị Cụ,,Miễn sinh hoạt\n';

async function setup() {
  const w = world();
  const khe = await w.cell('Chi bộ thôn Khe Lếch', ROSTER);
  const school = await w.cell('Chi bộ Trường THCS Tân An', 'ho_ten\nPhạm Văn Giáo\n', {
    kind: 'public_service',
  });
  const meeting = await w.meeting(khe.cell, '2026-12-05T12:30:00Z'); // Thứ Bảy 05/12/2026 19:30 in Hà Nội
  const tg = recordingBot({ services: w.services, store: w.store, log, now: w.clock.now });
  const send = (u: Parameters<typeof tg.bot.handleUpdate>[0]) => tg.bot.handleUpdate(u);
  const last = (method: string) => tg.calls.filter((c) => c.method === method).at(-1)?.payload;
  return { ...w, khe, school, meeting, tg, send, last };
}

describe('a member on Telegram (journey 3)', () => {
  it('links with the invite code once; a used or unknown code is refused', async () => {
    const s = await setup();
    const sinh = user(1001, 'Sinh');
    await s.send(textUpdate(sinh, `/start ${s.khe.code('Lò Văn Sinh')}`));
    expect(s.last('sendMessage')?.text).toBe(t('start.welcome', { name: 'Lò Văn Sinh' }));
    expect((await s.services.repos.people.byChannel('telegram', 1001))?.name).toBe('Lò Văn Sinh');

    const stranger = user(1002);
    await s.send(textUpdate(stranger, `/start ${s.khe.code('Lò Văn Sinh')}`));
    expect(s.last('sendMessage')?.text).toBe(t('start.usedCode'));
    expect(await s.services.repos.people.byChannel('telegram', 1002)).toBeUndefined();

    await s.send(textUpdate(stranger, '/start ZZZZZZ'));
    expect(s.last('sendMessage')?.text).toBe(t('start.unknownCode', { code: 'ZZZZZZ' }));
    await s.send(textUpdate(stranger, '/start'));
    expect(s.last('sendMessage')?.text).toBe(t('start.noCode'));
  });

  it('answers Vắng with a reason, changes to Có mặt, and is refused after the meeting starts', async () => {
    const s = await setup();
    const sinh = user(1001, 'Sinh');
    await s.send(textUpdate(sinh, `/start ${s.khe.code('Lò Văn Sinh')}`));
    const personId = (await s.services.repos.people.byChannel('telegram', 1001))?.id ?? '';

    await s.send(tapUpdate(sinh, `r|${s.meeting.id}`));
    const reasons = s.last('editMessageText');
    expect(reasons?.text).toBe(t('reason.ask'));
    const keyboard = reasons?.reply_markup as {
      inline_keyboard: { text: string; callback_data: string }[][];
    };
    const sick = keyboard.inline_keyboard.flat().find((b) => b.text === 'Ốm');
    expect(sick).toBeDefined();

    await s.send(tapUpdate(sinh, sick?.callback_data ?? ''));
    expect(s.last('answerCallbackQuery')?.text).toBe('Đã ghi: Vắng — Ốm');
    expect(String(s.last('editMessageText')?.text)).toContain(
      'Trả lời của đồng chí: Vắng — Ốm. Có thể đổi đến khi bắt đầu họp.',
    );
    expect((await s.services.repos.meetings.answer(s.meeting.id, personId))?.reason).toBe('sick');

    s.clock.set('2026-11-27T03:00:00Z');
    await s.send(tapUpdate(sinh, `a|${s.meeting.id}|p|`));
    expect((await s.services.repos.meetings.answer(s.meeting.id, personId))?.choice).toBe('present');
    expect(String(s.last('editMessageText')?.text)).toContain('Trả lời của đồng chí: Có mặt.');

    s.clock.set('2026-12-05T12:31:00Z');
    const edits = s.tg.calls.filter((c) => c.method === 'editMessageText').length;
    await s.send(tapUpdate(sinh, `a|${s.meeting.id}|x|work`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.expired'));
    expect(s.tg.calls.filter((c) => c.method === 'editMessageText')).toHaveLength(edits);
    expect((await s.services.repos.meetings.answer(s.meeting.id, personId))?.choice).toBe('present');
  });

  it('sees the invitation as the meeting stands after it moved, when answering again', async () => {
    const s = await setup();
    const sinh = user(1001, 'Sinh');
    const mai = user(1003, 'Mai');
    await s.send(textUpdate(sinh, `/start ${s.khe.code('Lò Văn Sinh')}`));
    await s.send(textUpdate(mai, `/start ${s.khe.code('Hà Thị Mai')}`));
    await s.send(tapUpdate(sinh, `a|${s.meeting.id}|p|`));
    expect(String(s.last('editMessageText')?.text)).toContain('Nhà văn hóa thôn');

    await s.services.repos.meetings.save({ ...s.meeting, place: 'Hội trường xã Tân An', version: 2 });
    await s.send(tapUpdate(mai, `a|${s.meeting.id}|p|`));
    expect(String(s.last('editMessageText')?.text)).toContain('Hội trường xã Tân An');
    await s.send(tapUpdate(sinh, `a|${s.meeting.id}|p|`));
    expect(String(s.last('editMessageText')?.text)).toContain('Hội trường xã Tân An');
    expect(String(s.last('editMessageText')?.text)).not.toContain('Nhà văn hóa thôn');
  });

  it('takes a free-text reason after "Khác"', async () => {
    const s = await setup();
    const mai = user(1003, 'Mai');
    await s.send(textUpdate(mai, `/start ${s.khe.code('Hà Thị Mai')}`));
    await s.send(tapUpdate(mai, `a|${s.meeting.id}|x|other`));
    expect(s.last('editMessageText')?.text).toBe(t('reason.askText', { max: 200 }));
    await s.send(textUpdate(mai, 'Đi khám bệnh ở huyện'));
    expect(String(s.last('sendMessage')?.text)).toContain('Vắng — Đi khám bệnh ở huyện');
  });

  it('/lich shows upcoming meetings with the answer', async () => {
    const s = await setup();
    const sinh = user(1001);
    await s.send(textUpdate(sinh, `/start ${s.khe.code('Lò Văn Sinh')}`));
    await s.send(tapUpdate(sinh, `a|${s.meeting.id}|p|`));
    await s.send(textUpdate(sinh, '/lich'));
    expect(s.last('sendMessage')?.text).toBe(
      `${t('lich.title')}\n• Thứ Bảy, 05/12/2026, 19:30 — Chi bộ thôn Khe Lếch: Có mặt`,
    );
  });

  it('refuses a tap from a member of another cell, forged data and an unlinked account, changing nothing', async () => {
    const s = await setup();
    const teacher = user(2001);
    await s.send(textUpdate(teacher, `/start ${s.school.code('Phạm Văn Giáo')}`));
    await s.send(tapUpdate(teacher, `a|${s.meeting.id}|p|`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.notMember'));
    await s.send(tapUpdate(teacher, 'a|../../etc|p|'));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.invalid'));
    await s.send(tapUpdate(teacher, 'a|nosuchmeeting|p|'));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.notFound'));
    await s.send(tapUpdate(user(3003), `a|${s.meeting.id}|p|`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.notLinked'));
    expect((await s.services.repos.meetings.answers(s.meeting.id)).size).toBe(0);
    expect(s.tg.calls.filter((c) => c.method === 'editMessageText')).toHaveLength(0);
  });

  it('renders the invitation with the date as users read it, and callback data within 64 bytes', async () => {
    const s = await setup();
    const ctx = {
      locale: 'vi',
      t: (k: string, p?: Record<string, string | number>) => t(k, p, 'vi'),
    } as HandlerContext;
    const view = renderTelegram(invitationView(ctx, s.meeting, s.khe.cell));
    expect(view.text).toContain('Thời gian: Thứ Bảy, 05/12/2026, 19:30');
    const buttons = view.reply_markup?.inline_keyboard.flat() ?? [];
    expect(buttons.map((b) => b.text)).toEqual(['✅ Có mặt', '❌ Vắng']);
    for (const b of buttons)
      expect(Buffer.byteLength('callback_data' in b ? String(b.callback_data) : '')).toBeLessThanOrEqual(64);
    expect(
      Buffer.byteLength(
        encodeIntent({ type: 'answer', meetingId: s.meeting.id, choice: 'absent', reason: 'family' }),
      ),
    ).toBeLessThanOrEqual(64);
  });
});

describe('the flood guard', () => {
  /** A bot whose flood guard lets `limit` updates a person through per window, on the world's clock. */
  const guarded = (w: ReturnType<typeof world>, limit: number, timeFrameMs: number) =>
    recordingBot({
      services: w.services,
      store: w.store,
      log,
      now: w.clock.now,
      floodGuard: { limit, timeFrameMs },
    });

  it('drops a person’s updates past the limit, and not another person’s', async () => {
    const w = world();
    const tg = guarded(w, 3, 60_000);
    for (let i = 0; i < 5; i++) await tg.bot.handleUpdate(textUpdate(user(7001), '/trogiup'));
    await tg.bot.handleUpdate(textUpdate(user(7002), '/trogiup'));
    const sent = tg.calls.filter((c) => c.method === 'sendMessage').map((c) => c.payload.chat_id);
    expect(sent).toEqual([7001, 7001, 7001, 7002]);
  });

  it('lets a person through again once the window has passed, on the injected clock', async () => {
    const w = world();
    const tg = guarded(w, 2, 400);
    const sent = () => tg.calls.filter((c) => c.method === 'sendMessage').length;
    for (let i = 0; i < 4; i++) await tg.bot.handleUpdate(textUpdate(user(7001), '/trogiup'));
    expect(sent()).toBe(2);
    w.clock.advance(399);
    await tg.bot.handleUpdate(textUpdate(user(7001), '/trogiup'));
    expect(sent()).toBe(2);
    w.clock.advance(1);
    await tg.bot.handleUpdate(textUpdate(user(7001), '/trogiup'));
    expect(sent()).toBe(3);
  });

  it('answers a dropped tap (the spinner stops) in the tapper’s language; a dropped message gets nothing', async () => {
    const w = world();
    const khe = await w.cell('Chi bộ thôn Khe Lếch', 'ho_ten\nLò Văn Sinh\nHà Thị Mai\n');
    const tg = guarded(w, 2, 60_000);
    const answers = () => tg.calls.filter((c) => c.method === 'answerCallbackQuery').map((c) => c.payload);
    const sinh = user(7101, 'Sinh');
    const mai = user(7102, 'Mai');
    await tg.bot.handleUpdate(textUpdate(sinh, `/start ${khe.code('Lò Văn Sinh')}`));
    await tg.bot.handleUpdate(textUpdate(mai, `/start ${khe.code('Hà Thị Mai')}`));
    const maiPerson = await w.services.repos.people.byChannel('telegram', mai.id);
    if (!maiPerson) throw new Error('Mai is not linked');
    await w.services.repos.people.save({ ...maiPerson, locale: 'en' });
    const before = tg.calls.length;

    // Each has used one update of two; the third tap is dropped and answered, a third message dropped unanswered.
    await tg.bot.handleUpdate(tapUpdate(sinh, 'x'));
    const tap = tapUpdate(sinh, 'x');
    await tg.bot.handleUpdate(tap);
    await tg.bot.handleUpdate(textUpdate(sinh, '/trogiup'));
    await tg.bot.handleUpdate(tapUpdate(mai, 'x'));
    await tg.bot.handleUpdate(tapUpdate(mai, 'x'));

    expect(answers().map((a) => a.text)).toEqual([
      t('refuse.invalid'),
      'Đồng chí bấm nhanh quá, xin chờ giây lát.',
      t('refuse.invalid'),
      t('flood.tooFast', {}, 'en'),
    ]);
    expect(answers()[1]?.callback_query_id).toBe(tap.callback_query?.id);
    expect(tg.calls.slice(before).filter((c) => c.method === 'sendMessage')).toEqual([]);
  });
});
