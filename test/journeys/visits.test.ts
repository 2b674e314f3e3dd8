import { afterEach, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import type { Cell, Meeting } from '../../src/store/records.js';
import { AppHarness, buttonsOf, type ShownMessage, telegramUser } from '../support/app-harness.js';
import { type Commune, setUpCommune } from '../support/commune.js';

/** Journey 5 of ../shared/journeys.md and the visits' refusals (journey 8), end to end on both channels. */
const harnesses: AppHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
});
async function harness(start: string, zalo = false) {
  const h = await AppHarness.start({ start, zalo });
  harnesses.push(h);
  return h;
}

const COMMITTEE_CSV = ['ho_ten,cap,chi_bo', 'Hoàng Văn Lâm,tỉnh,1|2', 'Lê Thị Thu,xã,tất cả'].join('\n');

/** Journey 1's end: the admin registers ông Lâm (provincial, Khe Lếch and the school) and bà Thu (all three). */
async function withCommittee(h: AppHarness) {
  const commune = await setUpCommune(h);
  const reply = await h.say(commune.hoa, `/nhapcapuy\n${COMMITTEE_CSV}`);
  expect(reply.messages[0]?.text).toBe(
    'Đã nhập danh sách cấp ủy viên: thêm 2, cập nhật 0, giữ nguyên 0. Xem mã mời bằng /capuy.',
  );
  const list = (await h.say(commune.hoa, '/capuy')).messages[0]?.text ?? '';
  const code = (name: string) => new RegExp(`${name} — .* — mã mời ([A-Z0-9]{6})`).exec(list)?.[1] ?? '';
  return { ...commune, committeeList: list, committeeCode: code };
}

const meetingOn = async (h: AppHarness, cell: Cell, localDay: string): Promise<Meeting> => {
  const from = Date.parse(`${localDay}T00:00:00+07:00`);
  const [meeting] = await h.services.repos.meetings.ofCell(cell.id, from, from + 86_400_000 - 1);
  if (!meeting) throw new Error(`no meeting of ${cell.name} on ${localDay}`);
  return meeting;
};

const last = (reply: { messages: ShownMessage[]; edits: ShownMessage[] }) =>
  reply.edits.at(-1) ?? reply.messages.at(-1);

describe('journey 5: a provincial committee member’s half-year', () => {
  it('is alerted on 1 October, registers for Khe Lếch, gets its notice, is counted at the roll call, and no later alert comes', async () => {
    const h = await harness('2026-09-25T02:00:00Z');
    const c = await withCommittee(h);
    expect(c.committeeList.split('\n')[0]).toBe('Cấp ủy viên cấp trên theo dõi chi bộ:');
    expect(c.committeeList).toContain(
      '1. Hoàng Văn Lâm — cấp ủy viên cấp tỉnh — theo dõi: Chi bộ thôn Khe Lếch, Chi bộ Trường THCS Tân An — mã mời',
    );
    // The cells' committee sets follow the assignments: the notice to the committee reads them.
    const lamId = (await h.services.visits.members(c.khelech.orgId)).find(
      (m) => m.person.name === 'Hoàng Văn Lâm',
    )?.person.id as string;
    expect(await h.app.store.sismember(keys.cellCommittee(c.khelech.id), lamId)).toBe(true);
    expect(await h.app.store.sismember(keys.cellCommittee(c.company.id), lamId)).toBe(false);

    // He onboards like any member, with his invite code; so do the two secretaries.
    const lam = telegramUser(5001, 'Lâm');
    const [welcome] = (await h.say(lam, `/start ${c.committeeCode('Hoàng Văn Lâm')}`)).messages;
    expect(welcome?.text).toContain('Chào đồng chí Hoàng Văn Lâm');
    const tuan = telegramUser(5002, 'Tuấn');
    await c.join('Nguyễn Văn Tuấn', tuan);
    const nga = telegramUser(5003, 'Nga');
    await c.join('Trần Thị Nga', nga);

    // 1 October, 08:00: half the window has passed with no visit counted.
    await h.advanceTo('2026-10-01T01:00:00Z');
    const alerts = h.inbox(lam, 'việc dự sinh hoạt chi bộ kỳ');
    expect(alerts).toHaveLength(1);
    const alert = alerts[0] as ShownMessage;
    expect(alert.text.split('\n')).toEqual([
      '📋 Kính gửi đồng chí — việc dự sinh hoạt chi bộ kỳ 01/07/2026 – 31/12/2026',
      'Theo quy định đang áp dụng, cấp ủy viên cấp tỉnh dự ít nhất 1 buổi sinh hoạt chi bộ (thường kỳ hoặc chuyên đề) ở chi bộ được phân công theo dõi, mỗi 6 tháng.',
      'Trong kỳ, đồng chí đã dự 0/1 buổi; kỳ còn 91 ngày.',
      '',
      'Các buổi sinh hoạt sắp tới của chi bộ được phân công, trong kỳ:',
      '• Thứ Sáu, 02/10/2026, 16:30 — Chi bộ Trường THCS Tân An — Phòng họp nhà trường',
      '• Thứ Hai, 05/10/2026, 19:30 — Chi bộ thôn Khe Lếch — Nhà văn hóa thôn Khe Lếch',
      '• Thứ Năm, 05/11/2026, 19:30 — Chi bộ thôn Khe Lếch — Nhà văn hóa thôn Khe Lếch',
      '• Thứ Sáu, 06/11/2026, 16:30 — Chi bộ Trường THCS Tân An — Phòng họp nhà trường',
      '',
      'Đồng chí chọn một buổi để đăng ký dự; bí thư chi bộ sẽ được báo ngay và đồng chí sẽ nhận thông báo họp.',
    ]);
    expect(buttonsOf(alert).map((b) => b.text)).toEqual([
      '📝 Đăng ký dự 02/10 — Chi bộ Trường THCS Tân An',
      '📝 Đăng ký dự 05/10 — Chi bộ thôn Khe Lếch',
      '📝 Đăng ký dự 05/11 — Chi bộ thôn Khe Lếch',
      '📝 Đăng ký dự 06/11 — Chi bộ Trường THCS Tân An',
    ]);

    // He registers for Khe Lếch on 05/11/2026; anh Tuấn is told at once.
    const registered = await h.tap(lam, alert, '📝 Đăng ký dự 05/11');
    expect(registered.messages[0]?.text).toBe(
      '✅ Đã đăng ký dự buổi sinh hoạt chi bộ thường kỳ của Chi bộ thôn Khe Lếch, Thứ Năm, 05/11/2026, 19:30. Bí thư chi bộ đã được báo; đồng chí sẽ nhận thông báo họp.',
    );
    await h.deliver();
    expect(h.inbox(tuan, 'mục đại biểu').map((m) => m.text)).toEqual([
      '📝 Đồng chí Hoàng Văn Lâm (cấp ủy viên cấp tỉnh) đăng ký dự buổi sinh hoạt chi bộ thường kỳ của Chi bộ thôn Khe Lếch (Thứ Năm, 05/11/2026, 19:30). Khi điểm danh, tên đồng chí có trong mục đại biểu.',
    ]);
    const november = await meetingOn(h, c.khelech, '2026-11-05');
    expect([...(await h.services.repos.meetings.guests(november.id)).keys()]).toEqual([lamId]);
    const audit = await h.app.store.zrangeByScore(keys.cellAudit(c.khelech.id), 0, Number.POSITIVE_INFINITY);
    expect(audit.map((e) => JSON.parse(e.member).action)).toContain('visit.register');

    // He receives that meeting's notice, three days before.
    await h.advanceTo('2026-11-02T13:00:00Z');
    expect(h.inbox(lam, 'Kính mời đồng chí đến dự').map((m) => m.text.split('\n')[1])).toContain(
      'Thời gian: Thứ Năm, 05/11/2026, 19:30',
    );

    // The day after, anh Tuấn's roll call lists him as a guest; nothing counts before it closes.
    await h.advanceTo('2026-11-06T02:00:00Z');
    const duty = async () => (await h.say(lam, '/nhiemvu')).messages[0]?.text ?? '';
    expect(await duty()).toContain(
      'Kỳ 01/07/2026 – 31/12/2026: ⏳ đang thực hiện — đã dự 0/1 buổi, kỳ còn 55 ngày',
    );
    const sheet = (await h.say(tuan, '/diemdanh')).messages[0] as ShownMessage;
    expect(sheet.text.split('\n')[0]).toBe(
      'Điểm danh — Sinh hoạt chi bộ thường kỳ, Thứ Năm, 05/11/2026, 19:30',
    );
    const marked = last(await h.tap(tuan, sheet, 'Đại biểu Hoàng Văn Lâm')) as ShownMessage;
    expect(buttonsOf(marked).map((b) => b.text)).toContain('Đại biểu Hoàng Văn Lâm: Có mặt');
    expect(await duty()).toContain('đã dự 0/1');
    const closed = last(await h.tap(tuan, marked, '✔ Chốt điểm danh'));
    expect(closed?.text).toMatch(/^Đã chốt điểm danh/);

    // /nhiemvu shows the rule met and the visit counted.
    const met = await duty();
    expect(met).toContain('Kỳ 01/07/2026 – 31/12/2026: ✅ đã đạt (1/1)');
    expect(met).toContain('Đã được tính trong kỳ:\n• Thứ Năm, 05/11/2026, 19:30 — Chi bộ thôn Khe Lếch');

    // Bà Thu, assigned to the school, came to its meeting unannounced: its secretary marks her present.
    await h.advanceTo('2026-11-07T02:00:00Z');
    const schoolSheet = (await h.say(nga, '/diemdanh')).messages[0] as ShownMessage;
    const thu = last(await h.tap(nga, schoolSheet, 'Đại biểu Lê Thị Thu')) as ShownMessage;
    await h.tap(nga, thu, '✔ Chốt điểm danh');

    // The 21-day (10/12) and 7-day (24/12) alerts do not come.
    await h.advanceTo('2026-12-25T02:00:00Z');
    expect(h.inbox(lam, 'việc dự sinh hoạt chi bộ kỳ')).toHaveLength(1);

    // The admin's compliance view: ông Lâm met, the company's cell unvisited this window.
    const report = await h.say(c.hoa, '/baocao');
    const [summary, byMember, byCell] = report.messages;
    expect(summary?.text).toContain(
      '• Hoàng Văn Lâm (tỉnh, kỳ 01/07/2026 – 31/12/2026): yêu cầu 1, đã dự 1, còn thiếu 0 — đạt',
    );
    expect(summary?.text).toContain(
      '• cấp ủy viên cấp tỉnh (ít nhất 1 buổi mỗi 6 tháng): 1 đồng chí — đạt 1',
    );
    expect(summary?.text).toContain(
      'Theo chi bộ, kỳ 01/07/2026 – 31/12/2026:\n• Chi bộ thôn Khe Lếch: 1 lượt dự',
    );
    expect(summary?.text).toContain('Chưa có cấp ủy viên nào đến dự: Chi bộ Công ty chè Tân An.');
    expect(byMember?.document?.filename).toBe('baocao-capuy-2026-12-25.csv');
    expect(byMember?.document?.content).toContain(
      'Hoàng Văn Lâm,provincial,01/07/2026,31/12/2026,1,1,0,,met,',
    );
    expect(byCell?.document?.content.split('\r\n')).toContain(
      'Chi bộ Công ty chè Tân An,01/07/2026,31/12/2026,0,',
    );
  }, 240_000);
});

describe('what the visits refuse (journey 8)', () => {
  it('refuses a cell not assigned, a meeting already held, a non-committee member, and the report to a non-admin; nothing changes', async () => {
    const h = await harness('2026-09-30T02:00:00Z');
    const c = await withCommittee(h);
    const lam = telegramUser(5001, 'Lâm');
    await h.say(lam, `/start ${c.committeeCode('Hoàng Văn Lâm')}`);
    const sinh = telegramUser(5004, 'Sinh');
    await c.join('Lò Văn Sinh', sinh);
    // The company meets on the 10th; Saturday 10/10 moves to Monday 12/10.
    const company = await meetingOn(h, c.company, '2026-10-12');
    const unchanged = async () => {
      expect((await h.services.repos.meetings.guests(company.id)).size).toBe(0);
      const audit = await h.app.store.zrangeByScore(
        keys.cellAudit(c.company.id),
        0,
        Number.POSITIVE_INFINITY,
      );
      expect(audit.map((e) => JSON.parse(e.member).action)).not.toContain('visit.register');
    };

    // A committee member taps [Đăng ký dự] forged for the company's cell, which is not assigned to him.
    const forged = await h.tapData(lam, `c|dangky|${company.id}`);
    expect(forged.toast).toBe('Đồng chí không được phân công theo dõi chi bộ này nên chưa đăng ký dự được.');
    expect(forged.messages).toEqual([]);
    // Typed as a command, the same.
    expect((await h.say(lam, `/dangky ${company.id}`)).messages[0]?.text).toContain('không được phân công');
    await unchanged();

    // A plain member cannot register, and cannot see the compliance report or change assignments.
    expect((await h.tapData(sinh, `c|dangky|${company.id}`)).toast).toBe(
      'Lệnh này dành cho cấp ủy viên cấp trên được phân công theo dõi chi bộ.',
    );
    await unchanged();
    for (const command of [
      '/baocao',
      '/kehoach',
      '/capuy',
      '/capuy Lò Văn Sinh | tỉnh | 1',
      `/nhapcapuy\n${COMMITTEE_CSV}`,
    ])
      expect((await h.say(sinh, command)).messages[0]?.text).toBe(
        'Lệnh này chỉ dành cho quản trị viên của đảng bộ.',
      );
    expect(h.inbox(sinh).some((m) => m.document)).toBe(false);
    expect(await h.services.visits.members(c.khelech.orgId)).toHaveLength(2);
    // Neither can a committee member.
    expect((await h.say(lam, '/baocao')).messages[0]?.text).toBe(
      'Lệnh này chỉ dành cho quản trị viên của đảng bộ.',
    );

    // A button for a meeting already held is stale: refused, nothing recorded.
    const school = await meetingOn(h, c.school, '2026-10-02');
    await h.advanceTo('2026-10-03T02:00:00Z');
    expect((await h.tapData(lam, `c|dangky|${school.id}`)).toast).toBe(
      'Buổi sinh hoạt này đã diễn ra hoặc đã hủy nên không đăng ký được nữa.',
    );
    expect((await h.services.repos.meetings.guests(school.id)).size).toBe(0);
    // Withdrawing a registration he never made: refused.
    const khelech = await meetingOn(h, c.khelech, '2026-11-05');
    expect((await h.tapData(lam, `c|huydangky|${khelech.id}`)).toast).toBe(
      'Đồng chí chưa đăng ký dự buổi này nên không có đăng ký nào để rút.',
    );
  }, 120_000);
});

describe('alerts and registration on Zalo', () => {
  it('a committee member on Zalo gets the alert with numbered choices, registers with "3", withdraws with "1"; the secretary on Telegram hears both', async () => {
    const h = await harness('2026-09-25T02:00:00Z', true);
    const c: Commune & { committeeCode: (n: string) => string } = await withCommittee(h);
    const welcome = await h.zaloSay('zalo-lam', c.committeeCode('Hoàng Văn Lâm'), 'Lâm');
    expect(welcome[0]).toContain('Chào đồng chí Hoàng Văn Lâm');
    const tuan = telegramUser(5002, 'Tuấn');
    await c.join('Nguyễn Văn Tuấn', tuan);

    await h.advanceTo('2026-10-01T01:00:00Z');
    const [alert] = h.zaloInbox('zalo-lam', 'việc dự sinh hoạt chi bộ kỳ');
    const text = alert?.text ?? '';
    expect(text).toContain('Trong kỳ, đồng chí đã dự 0/1 buổi; kỳ còn 91 ngày.');
    expect(text).toContain('• Thứ Năm, 05/11/2026, 19:30 — Chi bộ thôn Khe Lếch — Nhà văn hóa thôn Khe Lếch');
    expect(text.split('\n').slice(-5)).toEqual([
      'Trả lời bằng số:',
      '1 = 📝 Đăng ký dự 02/10 — Chi bộ Trường THCS Tân An',
      '2 = 📝 Đăng ký dự 05/10 — Chi bộ thôn Khe Lếch',
      '3 = 📝 Đăng ký dự 05/11 — Chi bộ thôn Khe Lếch',
      '4 = 📝 Đăng ký dự 06/11 — Chi bộ Trường THCS Tân An',
    ]);

    const [confirmation] = await h.zaloSay('zalo-lam', '3', 'Lâm');
    expect(confirmation?.split('\n')).toEqual([
      '✅ Đã đăng ký dự buổi sinh hoạt chi bộ thường kỳ của Chi bộ thôn Khe Lếch, Thứ Năm, 05/11/2026, 19:30. Bí thư chi bộ đã được báo; đồng chí sẽ nhận thông báo họp.',
      '',
      'Trả lời bằng số:',
      '1 = ↩️ Rút đăng ký 05/11 — Chi bộ thôn Khe Lếch',
    ]);
    await h.deliver();
    expect(h.inbox(tuan, 'Hoàng Văn Lâm (cấp ủy viên cấp tỉnh) đăng ký dự')).toHaveLength(1);
    const november = await meetingOn(h, c.khelech, '2026-11-05');
    expect((await h.services.repos.meetings.guests(november.id)).size).toBe(1);

    const [withdrawn] = await h.zaloSay('zalo-lam', '1', 'Lâm');
    expect(withdrawn).toBe(
      'Đã rút đăng ký dự buổi sinh hoạt chi bộ thường kỳ của Chi bộ thôn Khe Lếch, Thứ Năm, 05/11/2026, 19:30. Bí thư chi bộ đã được báo.',
    );
    await h.deliver();
    const told = h.inbox(tuan, 'Hoàng Văn Lâm (cấp ủy viên cấp tỉnh)').map((m) => m.text);
    expect(told).toHaveLength(2);
    expect(told[1]).toBe(
      '↩️ Đồng chí Hoàng Văn Lâm (cấp ủy viên cấp tỉnh) rút đăng ký dự buổi sinh hoạt chi bộ thường kỳ của Chi bộ thôn Khe Lếch (Thứ Năm, 05/11/2026, 19:30).',
    );
    expect((await h.services.repos.meetings.guests(november.id)).size).toBe(0);
  }, 120_000);
});
