import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AppHarness,
  buttonsOf,
  type ShownMessage,
  type TelegramUser,
  telegramUser,
} from '../support/app-harness.js';
import { KHE_LECH_MEMBERS, registerCommittee, setUpCommune } from '../support/commune.js';

// A journey lives through weeks of simulated time and dozens of chat turns.
vi.setConfig({ testTimeout: 120_000 });

/** Journey 2 of ../shared/journeys.md: a secretary's month, end to end on Telegram, on a simulated clock. */
const harnesses: AppHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
});

/** Taps a roll-call row until it shows `state`; returns the sheet as last shown. */
async function markRollCall(
  h: AppHarness,
  secretary: TelegramUser,
  sheet: ShownMessage,
  name: string,
  state: string,
): Promise<ShownMessage> {
  let shown = sheet;
  for (let i = 0; i < 8; i++) {
    const row = buttonsOf(shown).find((b) => b.text.startsWith(`${name}:`) || b.text.includes(` ${name}:`));
    if (!row) throw new Error(`no roll-call row for ${name}`);
    if (row.text.endsWith(`: ${state}`)) return shown;
    shown = (await h.tap(secretary, shown, row.text)).edits.at(-1) ?? shown;
  }
  throw new Error(`${name} never showed "${state}"`);
}

describe('journey 2: a secretary’s month on Telegram', () => {
  it('prepares, tallies, takes the roll call and is warned privately about repeated absences', async () => {
    const h = await AppHarness.start({ start: '2026-10-28T03:00:00Z' });
    harnesses.push(h);
    const commune = await setUpCommune(h);
    const tuan = telegramUser(2001, 'Tuấn');
    await commune.join('Nguyễn Văn Tuấn', tuan);
    const members = new Map<string, TelegramUser>();
    for (const [i, name] of KHE_LECH_MEMBERS.entries()) {
      const user = telegramUser(3000 + i, name.split(' ').at(-1) as string);
      members.set(name, user);
      await commune.join(name, user);
    }
    // Ông Lâm and bà Thu follow the cell from above; they link their accounts like anyone.
    const committeeCodes = await registerCommittee(h, commune);
    const lam = telegramUser(2101, 'Lâm');
    const thu = telegramUser(2102, 'Thu');
    await h.say(lam, `/start ${committeeCodes.get('Hoàng Văn Lâm')}`);
    await h.say(thu, `/start ${committeeCodes.get('Lê Thị Thu')}`);

    // November: Đinh Văn Quý misses the meeting of Thursday 05/11 without a reason (the first month).
    await h.advanceTo('2026-11-06T02:00:00Z');
    const [november] = (await h.say(tuan, '/diemdanh')).messages;
    expect(november?.text).toContain('Điểm danh — Sinh hoạt chi bộ thường kỳ, Thứ Năm, 05/11/2026, 19:30');
    let sheet: ShownMessage = november as ShownMessage;
    sheet = await markRollCall(h, tuan, sheet, 'Đinh Văn Quý', 'Vắng không lý do');
    await h.tap(tuan, sheet, '✔ Chốt điểm danh');

    // Seven days before Saturday 05/12/2026 19:30: the preparation step; two days later, the committee's.
    await h.advanceTo('2026-11-28T13:00:00Z');
    const forDecember = (text: string) =>
      h.inbox(tuan, text).filter((m) => m.text.includes('Thứ Bảy, 05/12/2026, 19:30'));
    const [preparation] = forDecember('phân công người chuẩn bị nội dung');
    // It comes with the checklist: the HD 42 steps and the agenda, filled with this meeting's facts.
    expect(preparation?.text).toContain(
      '📋 Danh sách chuẩn bị — Sinh hoạt chi bộ thường kỳ, Chi bộ thôn Khe Lếch',
    );
    expect(preparation?.text).toContain(
      'Đăng tài liệu lên Sổ tay đảng viên điện tử trước ngày họp ít nhất 1 ngày',
    );
    expect(preparation?.text).toContain('Địa điểm: Nhà văn hóa thôn Khe Lếch');
    expect(forDecember('phân công người chuẩn bị nội dung')).toHaveLength(1);
    await h.advanceTo('2026-11-30T13:00:00Z');
    expect(forDecember('chi ủy (hoặc bí thư, phó bí thư) họp thống nhất nội dung')).toHaveLength(1);

    // Three days before: the notice reaches every member (the exempt elder is not linked, nor counted).
    await h.advanceTo('2026-12-02T13:00:00Z');
    const noticeOf = (user: TelegramUser) =>
      h.inbox(user, 'Thứ Bảy, 05/12/2026, 19:30').at(-1) as ShownMessage;
    for (const user of [tuan, ...members.values()]) expect(buttonsOf(noticeOf(user))).toHaveLength(2);
    // And to the two committee members who follow the cell, as HD 42 asks.
    for (const user of [lam, thu])
      expect(
        h.inbox(user, 'Kính mời đồng chí đến dự').some((m) => m.text.includes('05/12/2026, 19:30')),
      ).toBe(true);

    // Answers: Sinh is ill, Mai away for work, Út and Long never answer, everyone else is coming.
    const quiet = new Set(['Tạ Văn Út', 'Hồ Văn Long']);
    for (const [name, user] of members) {
      if (quiet.has(name)) continue;
      if (name === 'Lò Văn Sinh' || name === 'Hà Thị Mai') {
        const asked = (await h.tap(user, noticeOf(user), '❌ Vắng')).edits.at(-1) as ShownMessage;
        await h.tap(user, asked, name === 'Lò Văn Sinh' ? 'Ốm' : 'Công tác');
      } else await h.tap(user, noticeOf(user), '✅ Có mặt');
    }
    await h.tap(tuan, noticeOf(tuan), '✅ Có mặt');

    // The eve: the live tally, private to him, names only of the absent, by reason.
    await h.advanceTo('2026-12-04T13:00:00Z');
    const [tally] = (await h.say(tuan, '/diemdanh')).messages;
    expect(tally?.text.split('\n')[1]).toBe(
      'Có mặt 17/21 · Vắng 2 (Ốm: Lò Văn Sinh; Công tác: Hà Thị Mai) · Chưa trả lời 2',
    );
    expect(buttonsOf(tally as ShownMessage).map((b) => b.text)).toContain(
      '🔔 Kính nhắc các đồng chí chưa trả lời',
    );
    // He taps [Kính nhắc các đồng chí chưa trả lời]: the two who have not answered get the invitation again, nobody else.
    const before = new Map([...members].map(([name, user]) => [name, h.inbox(user).length]));
    const reminded = await h.tap(tuan, tally as ShownMessage, '🔔 Kính nhắc các đồng chí chưa trả lời');
    expect([...reminded.messages, ...reminded.edits].map((m) => m.text).join('\n')).toContain(
      'Đã gửi lời nhắc đến 2 đồng chí chưa trả lời.',
    );
    await h.deliver();
    for (const [name, user] of members) {
      const fresh = h.inbox(user).slice(before.get(name));
      if (quiet.has(name)) {
        expect(fresh).toHaveLength(1);
        expect(fresh[0]?.text).toMatch(/^⏰ Kính nhắc đồng chí/);
        expect(buttonsOf(fresh[0] as ShownMessage)).toHaveLength(2);
      } else expect(fresh).toEqual([]);
    }
    // No other member ever received the name of someone absent.
    for (const [name, user] of members)
      if (name !== 'Lò Văn Sinh')
        expect(h.inbox(user).some((m) => m.text.includes('Lò Văn Sinh'))).toBe(false);

    // The day after: the roll call, pre-filled from the answers.
    await h.advanceTo('2026-12-06T02:00:00Z');
    const [rollCall] = (await h.say(tuan, '/diemdanh')).messages;
    const rows = buttonsOf(rollCall as ShownMessage).map((b) => b.text);
    expect(rows).toContain('Lò Văn Sinh: Vắng có lý do (Ốm)');
    expect(rows).toContain('Đinh Văn Quý: Có mặt');
    sheet = rollCall as ShownMessage;
    // The two who never answered came; Quý answered "Có mặt" but did not come.
    sheet = await markRollCall(h, tuan, sheet, 'Tạ Văn Út', 'Có mặt');
    sheet = await markRollCall(h, tuan, sheet, 'Hồ Văn Long', 'Có mặt');
    sheet = await markRollCall(h, tuan, sheet, 'Đinh Văn Quý', 'Vắng không lý do');
    // Bà Thu came as the committee member following the cell: marked present as a guest.
    sheet = await markRollCall(h, tuan, sheet, 'Lê Thị Thu', 'Có mặt');
    const closed = (await h.tap(tuan, sheet, '✔ Chốt điểm danh')).edits.at(-1)?.text ?? '';
    expect(closed).toContain('Đã chốt điểm danh: có mặt 18/21 (85,7%).');
    expect(closed).toContain('Vắng không lý do: Đinh Văn Quý.');
    expect(closed).toContain(
      'Lưu ý riêng: đồng chí Đinh Văn Quý đã có 2 tháng vắng không lý do trong năm 2026.',
    );
    // Guests are not members: the rate stays 18/21, and bà Thu's visit is counted for her.
    const thuDuty = (await h.say(thu, '/nhiemvu')).messages[0]?.text ?? '';
    expect(thuDuty).toContain('Kỳ 01/12/2026 – 31/12/2026: ✅ đã đạt (1/1)');
    expect(thuDuty).toContain('• Thứ Bảy, 05/12/2026, 19:30 — Chi bộ thôn Khe Lếch');
    // Quý himself, and every other member, heard nothing of it.
    for (const user of members.values())
      expect(h.inbox(user).some((m) => m.text.includes('Lưu ý riêng'))).toBe(false);
  });
});
