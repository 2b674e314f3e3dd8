import { describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n.js';
import { createLogger } from '../../../src/logger.js';
import { recordingBot, tapUpdate, textUpdate, user } from '../../support/telegram.js';
import { world } from '../../support/world.js';

const log = createLogger({ level: process.env.TEST_LOG ?? 'silent' });

/** Journey 2's cell, smaller: a secretary, six members, one exempt elder. */
const ROSTER = [
  'ho_ten;vai_tro;trang_thai',
  'Nguyễn Văn Tuấn;Bí thư;Chính thức',
  'Lò Văn Sinh;;',
  'Hà Thị Mai;;',
  'Đinh Văn Quý;;',
  'Vàng A Páo;;',
  'Lù Thị Hoa;;Dự bị',
  'Lò Thị Cụ;;Miễn sinh hoạt',
].join('\n');

type Keyboard = { inline_keyboard: { text: string; callback_data?: string }[][] };

async function setup() {
  const w = world();
  const khe = await w.cell('Chi bộ thôn Khe Lếch', ROSTER);
  const meeting = await w.meeting(khe.cell, '2026-12-05T12:30:00Z');
  const tg = recordingBot({ services: w.services, store: w.store, log, now: w.clock.now });
  const send = (u: Parameters<typeof tg.bot.handleUpdate>[0]) => tg.bot.handleUpdate(u);
  const last = (method: string) => tg.calls.filter((c) => c.method === method).at(-1)?.payload;
  const people: Record<string, ReturnType<typeof user>> = {};
  let id = 5000;
  for (const name of [
    'Nguyễn Văn Tuấn',
    'Lò Văn Sinh',
    'Hà Thị Mai',
    'Đinh Văn Quý',
    'Vàng A Páo',
    'Lù Thị Hoa',
  ]) {
    people[name] = user(++id, name);
    await send(textUpdate(people[name], `/start ${khe.code(name)}`));
  }
  const who = (name: string) => people[name] ?? user(0);
  return { ...w, addMeeting: w.meeting, khe, meeting, tg, send, last, who };
}

const button = (markup: unknown, startsWith: string) =>
  (markup as Keyboard).inline_keyboard.flat().find((b) => b.text.startsWith(startsWith));

describe('a secretary on Telegram (journey 2)', () => {
  it('sees the live tally privately, with absentees by reason and the exempt member left out', async () => {
    const s = await setup();
    await s.send(tapUpdate(s.who('Lò Văn Sinh'), `a|${s.meeting.id}|x|sick`));
    await s.send(tapUpdate(s.who('Hà Thị Mai'), `a|${s.meeting.id}|x|work`));
    await s.send(tapUpdate(s.who('Đinh Văn Quý'), `a|${s.meeting.id}|p|`));
    await s.send(tapUpdate(s.who('Nguyễn Văn Tuấn'), `a|${s.meeting.id}|p|`));

    await s.send(textUpdate(s.who('Nguyễn Văn Tuấn'), '/diemdanh'));
    const tally = s.last('sendMessage');
    expect(String(tally?.text).split('\n')[1]).toBe(
      'Có mặt 2/6 · Vắng 2 (Ốm: Lò Văn Sinh; Công tác: Hà Thị Mai) · Chưa trả lời 2',
    );
    expect(button(tally?.reply_markup, t('tally.remind'))).toBeDefined();
  });

  it('refuses /diemdanh to a member, and a forged roll-call tap from a member', async () => {
    const s = await setup();
    await s.send(textUpdate(s.who('Lò Văn Sinh'), '/diemdanh'));
    expect(s.last('sendMessage')?.text).toBe(t('refuse.notSecretary'));
    s.clock.set('2026-12-06T02:00:00Z');
    const sinhId = (await s.services.repos.people.byChannel('telegram', s.who('Lò Văn Sinh').id))?.id;
    await s.send(tapUpdate(s.who('Lò Văn Sinh'), `m|rc|${s.meeting.id}|${sinhId}`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.notSecretary'));
    await s.send(tapUpdate(s.who('Lò Văn Sinh'), `m|rcclose|${s.meeting.id}|`));
    expect((await s.services.repos.meetings.get(s.meeting.id))?.state).toBe('planned');
    expect((await s.services.repos.meetings.rollCall(s.meeting.id)).size).toBe(0);
  });

  it('takes the roll call pre-filled from the answers, closes it with the rate, the flags and a private removal warning', async () => {
    const s = await setup();
    const tuan = s.who('Nguyễn Văn Tuấn');
    // A November meeting already held, where Đinh Văn Quý was absent without reason.
    const november = await s.addMeeting(s.khe.cell, '2026-11-05T12:30:00Z');
    const quyId = (await s.services.repos.people.byChannel('telegram', s.who('Đinh Văn Quý').id))?.id ?? '';
    await s.services.attendance.closeRollCall(november, 'test', 'Asia/Ho_Chi_Minh');
    expect((await s.services.repos.meetings.rollCall(november.id)).get(quyId)?.state).toBe(
      'absent_without_reason',
    );

    for (const name of ['Nguyễn Văn Tuấn', 'Đinh Văn Quý', 'Hà Thị Mai'])
      await s.send(tapUpdate(s.who(name), `a|${s.meeting.id}|p|`));
    await s.send(tapUpdate(s.who('Lò Văn Sinh'), `a|${s.meeting.id}|x|sick`));

    s.clock.set('2026-12-06T02:00:00Z'); // the day after
    await s.send(textUpdate(tuan, '/diemdanh'));
    let sheet = s.last('sendMessage');
    expect(button(sheet?.reply_markup, 'Lò Văn Sinh')?.text).toBe('Lò Văn Sinh: Vắng có lý do (Ốm)');
    expect(button(sheet?.reply_markup, 'Vàng A Páo')?.text).toBe('Vàng A Páo: Vắng không lý do');
    expect(button(sheet?.reply_markup, 'Lò Thị Cụ')?.text).toBe('Lò Thị Cụ: Miễn sinh hoạt');

    // The two who never answered came: one tap each cycles "vắng không lý do" → … back round to "có mặt".
    for (const name of ['Vàng A Páo', 'Lù Thị Hoa']) {
      for (let i = 0; i < 4; i++) {
        const b = button(sheet?.reply_markup, name);
        await s.send(tapUpdate(tuan, b?.callback_data ?? ''));
        sheet = s.last('editMessageText');
      }
      expect(button(sheet?.reply_markup, name)?.text).toBe(`${name}: Có mặt`);
    }
    // Đinh Văn Quý answered "Có mặt" but did not come: present → with reason → without reason.
    for (let i = 0; i < 2; i++) {
      await s.send(tapUpdate(tuan, button(sheet?.reply_markup, 'Đinh Văn Quý')?.callback_data ?? ''));
      sheet = s.last('editMessageText');
    }
    expect(button(sheet?.reply_markup, 'Đinh Văn Quý')?.text).toBe('Đinh Văn Quý: Vắng không lý do');

    await s.send(tapUpdate(tuan, button(sheet?.reply_markup, t('rollcall.close'))?.callback_data ?? ''));
    const closed = String(s.last('editMessageText')?.text);
    expect(closed).toContain('Đã chốt điểm danh: có mặt 4/6 (66,7%).');
    expect(closed).toContain('Vắng không lý do: Đinh Văn Quý.');
    expect(closed).toContain(
      'Lưu ý riêng: đồng chí Đinh Văn Quý đã có 2 tháng vắng không lý do trong năm 2026.',
    );
    const stored = await s.services.repos.meetings.get(s.meeting.id);
    expect(stored?.state).toBe('held');
    expect(stored?.rollCallClosedAt).toBeDefined();

    // Closed is closed: a stale tap changes nothing.
    await s.send(tapUpdate(tuan, button(sheet?.reply_markup, 'Vàng A Páo')?.callback_data ?? ''));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('rollcall.alreadyClosed'));
  });
});
