import { describe, expect, it, vi } from 'vitest';
import { buttonsOf, harnessPerTest, type ShownMessage, telegramUser } from '../support/app-harness.js';
import { registerCommittee, setUpCommune } from '../support/commune.js';

// Whole-app turns over weeks of simulated time.
vi.setConfig({ testTimeout: 240_000 });

/**
 * Issue 15, point 9: at a window's edge, when no meeting of a committee member's cells is left in it, /nhiemvu and
 * the alerts say so, say what the member can still do, and offer the next window's meetings, which count there.
 * Point 11: a rule counted per year (Kon Tum's "≥ 6 per year") is checked each quarter, and a member behind pace
 * is alerted once.
 */
const harness = harnessPerTest();

const last = (reply: { messages: ShownMessage[]; edits: ShownMessage[] }) =>
  (reply.edits.at(-1) ?? reply.messages.at(-1)) as ShownMessage;

describe('a provincial member in the last weeks of the half-year', () => {
  it('on 6 December sees that no meeting is left, registers for January, and the visit counts in the new half-year', async () => {
    const h = await harness({ start: '2026-12-06T02:00:00Z' });
    const c = await setUpCommune(h);
    const codes = await registerCommittee(h, c);
    const lam = telegramUser(9001, 'Lâm');
    await h.say(lam, `/start ${codes.get('Hoàng Văn Lâm')}`);
    const tuan = telegramUser(9002, 'Tuấn');
    await c.join('Nguyễn Văn Tuấn', tuan);

    // Khe Lếch met on 05/12 and the school on 04/12: nothing is left before 31/12 in his cells. In January the
    // school's first Friday is New Year's Day, so its meeting is the Friday a week later, 08/01.
    const duty = async () => (await h.say(lam, '/nhiemvu')).messages[0] as ShownMessage;
    const first = await duty();
    const lines = first.text.split('\n');
    expect(lines).toContain('Kỳ 01/07/2026 – 31/12/2026: ⏳ đang thực hiện — đã dự 0/1 buổi, kỳ còn 25 ngày');
    expect(lines.slice(-6)).toEqual([
      'Trong kỳ 01/07/2026 – 31/12/2026 không còn buổi sinh hoạt nào của các chi bộ đồng chí được phân công theo dõi.',
      'Nếu đồng chí có điều kiện đến dự trong kỳ này, bí thư chi bộ có thể bố trí một buổi sinh hoạt chuyên đề hoặc sinh hoạt bất thường; khi có lịch, đồng chí sẽ nhận thông báo họp kèm nút «Đăng ký dự».',
      '',
      'Lịch sinh hoạt kỳ sau (01/01/2027 – 30/06/2027) đồng chí có thể đăng ký dự ngay; buổi dự được tính vào kỳ sau:',
      '• Thứ Ba, 05/01/2027, 19:30 — Chi bộ thôn Khe Lếch — Nhà văn hóa thôn Khe Lếch',
      '• Thứ Sáu, 08/01/2027, 16:30 — Chi bộ Trường THCS Tân An — Phòng họp nhà trường',
    ]);
    expect(buttonsOf(first).map((b) => b.text)).toEqual([
      '📝 Đăng ký dự 05/01 — Chi bộ thôn Khe Lếch',
      '📝 Đăng ký dự 08/01 — Chi bộ Trường THCS Tân An',
    ]);

    // He registers for Khe Lếch's January meeting; it is shown as counting in the new half-year, not this one.
    const registered = await h.tap(lam, first, '📝 Đăng ký dự 05/01');
    expect(registered.messages[0]?.text).toMatch(/^✅ Đã đăng ký dự .* Thứ Ba, 05\/01\/2027, 19:30/);
    const after = await duty();
    expect(after.text).toContain(
      'Kỳ 01/07/2026 – 31/12/2026: ⏳ đang thực hiện — đã dự 0/1 buổi, kỳ còn 25 ngày',
    );
    expect(after.text).toContain(
      'Đã đăng ký dự:\n• Thứ Ba, 05/01/2027, 19:30 — Chi bộ thôn Khe Lếch — Nhà văn hóa thôn Khe Lếch — tính vào kỳ 01/01/2027 – 30/06/2027',
    );
    expect(buttonsOf(after).map((b) => b.text)).toEqual([
      '📝 Đăng ký dự 08/01 — Chi bộ Trường THCS Tân An',
      '↩️ Rút đăng ký 05/01 — Chi bộ thôn Khe Lếch',
    ]);

    // The 21-day alert (10/12) says the same plainly, with the next half-year's meetings to register for.
    await h.advanceTo('2026-12-10T02:00:00Z');
    const [alert] = h
      .inbox(lam, 'kỳ 01/07/2026 – 31/12/2026')
      .filter((m) => m.text.includes('Trong kỳ, đồng chí đã dự 0/1 buổi'));
    expect(alert?.text).toContain(
      'Trong kỳ 01/07/2026 – 31/12/2026 không còn buổi sinh hoạt nào của các chi bộ đồng chí được phân công theo dõi.',
    );
    expect(alert?.text).toContain(
      '• Thứ Ba, 05/01/2027, 19:30 — Chi bộ thôn Khe Lếch — Nhà văn hóa thôn Khe Lếch (đã đăng ký)',
    );
    expect(buttonsOf(alert as ShownMessage).map((b) => b.text)).toEqual([
      '📝 Đăng ký dự 08/01 — Chi bộ Trường THCS Tân An',
    ]);

    // January: he attends; anh Tuấn's roll call counts the visit in the new half-year, where the rule is met.
    await h.advanceTo('2027-01-06T02:00:00Z');
    const sheet = (await h.say(tuan, '/diemdanh')).messages[0] as ShownMessage;
    const guest = buttonsOf(sheet).find((b) => b.text.includes('Hoàng Văn Lâm'))?.text ?? '';
    const marked = last(await h.tap(tuan, sheet, guest));
    const settle = last(await h.tap(tuan, marked, '✔ Chốt điểm danh'));
    const confirm = last(await h.tap(tuan, settle, 'Ghi '));
    expect(last(await h.tap(tuan, confirm, '✔ Xác nhận')).text).toMatch(/^Đã chốt điểm danh/);
    const met = (await duty()).text;
    expect(met).toContain('Kỳ 01/01/2027 – 30/06/2027: ✅ đã đạt (1/1)');
    // Assigned on 6 December, he is not held to the half-year he had three weeks of.
    expect(met).not.toContain('kỳ đã kết thúc, chưa đạt');
  });
});

describe('a Kon Tum district member behind pace at the end of a quarter', () => {
  it('with one visit by 31 March where the pace asks for two of six, gets the pacing alert once, on 1 April', async () => {
    const h = await harness({ start: '2027-03-01T02:00:00Z', env: { POLICY: 'kontum-2023' } });
    const c = await setUpCommune(h);
    const added = await h.say(c.hoa, '/capuy Phạm Văn Đức | huyện | 1, 2');
    const code = /Mã mời cá nhân: ([A-Z0-9]{6})/.exec(added.messages[0]?.text ?? '')?.[1] ?? '';
    const duc = telegramUser(9101, 'Đức');
    await h.say(duc, `/start ${code}`);
    const tuan = telegramUser(9102, 'Tuấn');
    await c.join('Nguyễn Văn Tuấn', tuan);

    // He attends Khe Lếch on Friday 05/03; the roll call counts it.
    const duty = async () => (await h.say(duc, '/nhiemvu')).messages[0] as ShownMessage;
    await h.tap(duc, await duty(), '📝 Đăng ký dự 05/03 — Chi bộ thôn Khe Lếch');
    await h.advanceTo('2027-03-06T02:00:00Z');
    const sheet = (await h.say(tuan, '/diemdanh')).messages[0] as ShownMessage;
    const guest = buttonsOf(sheet).find((b) => b.text.includes('Phạm Văn Đức'))?.text ?? '';
    const settle = last(await h.tap(tuan, last(await h.tap(tuan, sheet, guest)), '✔ Chốt điểm danh'));
    await h.tap(tuan, last(await h.tap(tuan, settle, 'Ghi ')), '✔ Xác nhận');
    expect((await duty()).text).toContain('Kỳ 01/01/2027 – 31/12/2027: ⏳ đang thực hiện — đã dự 1/6 buổi');

    // The first quarter ends with one visit where an even pace asks for ceil(6 × 1/4) = 2: on 1 April at 08:00
    // he is alerted, and once only.
    const alertsSoFar = () => h.inbox(duc, 'kỳ 01/01/2027 – 31/12/2027');
    await h.advanceTo('2027-04-01T00:59:00Z');
    expect(alertsSoFar()).toEqual([]);
    await h.advanceTo('2027-04-01T01:01:00Z');
    expect(alertsSoFar()).toHaveLength(1);
    await h.advanceTo('2027-04-08T02:00:00Z');
    const alerts = alertsSoFar();
    expect(alerts).toHaveLength(1);
    const lines = alerts[0]?.text.split('\n') ?? [];
    expect(lines.slice(1, 4)).toEqual([
      'Theo quy định đang áp dụng, cấp ủy viên cấp huyện dự ít nhất 6 buổi sinh hoạt chi bộ (thường kỳ hoặc chuyên đề) ở chi bộ được phân công theo dõi, mỗi năm.',
      'Theo tiến độ chia đều trong kỳ, đến hết ngày 31/03/2027 cần dự 2/6 buổi; đồng chí đã dự 1 buổi.',
      'Trong kỳ, đồng chí đã dự 1/6 buổi; kỳ còn 274 ngày.',
    ]);
    expect(buttonsOf(alerts[0] as ShownMessage).length).toBeGreaterThan(0);
  });
});
