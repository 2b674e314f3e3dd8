import { afterAll, describe, expect, it } from 'vitest';
import { handle } from '../../handlers/index.js';
import { t } from '../../src/i18n.js';
import { VisitsService } from '../../src/services/visits.js';
import { keys } from '../../src/store/keys.js';
import type { Cell, Meeting, Person } from '../../src/store/records.js';
import { storeTargets } from '../support/scheduler-fixtures.js';
import { visitsWorld } from '../support/visits-world.js';
import { handlerContext } from '../support/world.js';

const targets = await storeTargets(import.meta.filename);
afterAll(() => Promise.all(targets.map((t) => t.cleanup())));

const VN = 'Asia/Ho_Chi_Minh';
const at = (date: string, time = '00:00') => Date.parse(`${date}T${time}:00+07:00`);

for (const target of targets) {
  describe(`committee members' visits on ${target.name}`, () => {
    /** Three cells of one đảng bộ; Khe Lếch and the school both meet on the 5th at 19:30, the company on the 10th. */
    async function setUp(start = at('2026-10-01', '09:00'), policy = 'laocai-2020') {
      const store = await target.open();
      const w = await visitsWorld(store, start, policy);
      const org = await w.repos.cells.createOrg('Đảng bộ xã Tân An', w.clock.now());
      let chat = 100;
      const link = async (person: Person | undefined) => {
        if (!person) throw new Error('no such person');
        return w.repos.people.link(person, 'telegram', ++chat);
      };
      const cell = async (name: string, phrase: string, roster: string) => {
        const created = await w.cell(org.id, name, phrase, roster);
        const [secretaryId] = await w.repos.cells.secretaries(created.id);
        // Cells are numbered by creation time (/chibo): one second apart, they keep their order.
        w.clock.advance(1_000);
        return { cell: created, secretary: await link(await w.repos.people.get(secretaryId ?? '')) };
      };
      const khe = await cell(
        'Chi bộ thôn Khe Lếch',
        'ngày 5 hằng tháng 19:30',
        'Nguyễn Văn Tuấn,bi_thu\nLê Thị Thu,\n',
      );
      const school = await cell(
        'Chi bộ Trường THCS Tân An',
        'ngày 5 hằng tháng 19:30',
        'Trần Thị Nga,bi_thu\n',
      );
      const company = await cell(
        'Chi bộ Công ty chè Tân An',
        'ngày 10 hằng tháng 17:00',
        'Hà Văn Thắng,bi_thu\nLê Thị Thu,\n',
      );
      const cells = [khe.cell, school.cell, company.cell];
      const { person: adminPerson, ops } = w.repos.people.createOps('Chị Hoa', w.clock.now());
      await store.write(ops);
      await w.repos.people.addAdmin(adminPerson.id);
      const admin = await link(adminPerson);
      const ctxFor = (actor: Person) => handlerContext(w.services, w.clock.now(), actor);
      const say = async (actor: Person, name: string, args = '') =>
        (await handle(ctxFor(actor), { type: 'command', name, args })).map((v) => v.text).join('\n');
      const assign = async (
        name: string,
        level: 'provincial' | 'district' | 'grassroots',
        cellIds: string[],
      ) => {
        const result = await w.services.visits.assign(org.id, { name, level, cellIds }, admin.id);
        if (!result.ok) throw new Error(result.problem);
        return link(result.person);
      };
      const meetingOn = async (c: Cell, day: string): Promise<Meeting> => {
        const [m] = await w.repos.meetings.ofCell(c.id, at(day), at(day, '23:59'));
        if (!m) throw new Error(`no meeting of ${c.name} on ${day}`);
        return m;
      };
      const sentTo = (person: Person) => w.sender.sent.filter((s) => s.chatId === String(person.telegramId));
      const committeeOf = (c: Cell) => store.smembers(keys.cellCommittee(c.id));
      return {
        store,
        w,
        org,
        khe,
        school,
        company,
        cells,
        admin,
        say,
        assign,
        meetingOn,
        sentTo,
        committeeOf,
        ctxFor,
      };
    }

    it('imports assignments from CSV all or nothing, naming each bad row and column, and re-imports as updates', async () => {
      const s = await setUp();
      const people = async () => (await s.w.services.visits.members(s.org.id)).map((m) => m.person.name);
      const bad = [
        'ho_ten,cap,chi_bo',
        'Hoàng Văn Lâm,tỉnh,1|2',
        'Lê Văn Bình,trung ương,1',
        'Đỗ Thị Hà,huyện,9',
        ',cơ sở,1',
        'Hoàng Văn Lâm,huyện,2',
      ].join('\n');
      expect((await s.say(s.admin, 'nhapcapuy', bad)).split('\n')).toEqual([
        t('admin.import.failed'),
        'Dòng 3, cột cap: giá trị không hợp lệ',
        'Dòng 4, cột chi_bo: giá trị không hợp lệ',
        'Dòng 5, cột ho_ten: không được để trống',
        'Dòng 6, cột ho_ten: trùng với một dòng trước',
      ]);
      expect(await people()).toEqual([]);
      expect(await s.committeeOf(s.khe.cell)).toEqual([]);
      expect(await s.say(s.admin, 'nhapcapuy', 'ho_ten,chi_bo\nHoàng Văn Lâm,1')).toBe(
        `${t('admin.import.failed')}\nDòng 1: thiếu cột cap`,
      );

      const good = [
        'ho_ten;cap;chi_bo',
        'Hoàng Văn Lâm;Tỉnh;1|2',
        'Đỗ Thị Hà;cap huyen;"Chi bộ Công ty chè Tân An, 2"',
      ];
      expect(await s.say(s.admin, 'nhapcapuy', good.join('\n'))).toBe(
        'Đã nhập danh sách cấp ủy viên: thêm 2, cập nhật 0, giữ nguyên 0. Xem mã mời bằng /capuy.',
      );
      const members = await s.w.services.visits.members(s.org.id);
      expect(members.map((m) => [m.person.name, m.assignment.level])).toEqual([
        ['Hoàng Văn Lâm', 'provincial'],
        ['Đỗ Thị Hà', 'district'],
      ]);
      const [lam, ha] = members.map((m) => m.person.id) as [string, string];
      expect((await s.committeeOf(s.khe.cell)).sort()).toEqual([lam]);
      expect((await s.committeeOf(s.school.cell)).sort()).toEqual([lam, ha].sort());
      expect(await s.committeeOf(s.company.cell)).toEqual([ha]);

      // Importing again updates in place: Lâm now follows only Khe Lếch; nobody is duplicated.
      good[1] = 'Hoàng Văn Lâm;tỉnh;1';
      expect(await s.say(s.admin, 'nhapcapuy', good.join('\n'))).toContain(
        'thêm 0, cập nhật 1, giữ nguyên 1',
      );
      expect(await people()).toEqual(['Hoàng Văn Lâm', 'Đỗ Thị Hà']);
      expect(await s.committeeOf(s.school.cell)).toEqual([ha]);
      const audit = await s.store.zrangeByScore(
        keys.cellAudit(s.school.cell.id),
        0,
        Number.POSITIVE_INFINITY,
      );
      expect(audit.map((e) => JSON.parse(e.member))).toContainEqual(
        expect.objectContaining({ action: 'committee.unassign', subject: lam, actorId: s.admin.id }),
      );
      await s.store.close();
    });

    it('registers one member at a time in the chat; a cell member keeps one account; the same name twice is refused', async () => {
      const s = await setUp();
      const thuMember = [...(await s.w.repos.cells.members(s.khe.cell.id)).keys()];
      const thu = (await s.w.repos.people.getMany(thuMember)).find((p) => p.name === 'Lê Thị Thu');
      // Khe Lếch and the company each have a member called Lê Thị Thu: two people, one name.
      expect(await s.say(s.admin, 'capuy', 'Lê Thị Thu | xã | 1')).toBe(
        'Trong đảng bộ có nhiều người tên «Lê Thị Thu»: đồng chí ghi họ tên khác đi để phân biệt. Chưa thêm hay sửa cấp ủy viên nào.',
      );
      expect(await s.w.services.visits.members(s.org.id)).toEqual([]);
      expect(thu).toBeDefined();

      // Nguyễn Văn Tuấn, Khe Lếch's secretary, also sits on the commune committee: the same person, same code.
      const tuan = s.khe.secretary;
      expect(await s.say(s.admin, 'capuy', 'Nguyễn Văn Tuấn | cơ sở | 2, 3')).toBe(
        'Đã thêm đồng chí Nguyễn Văn Tuấn (cấp ủy viên cơ sở), theo dõi: Chi bộ Trường THCS Tân An, Chi bộ Công ty chè Tân An.',
      );
      expect((await s.w.services.visits.assignment(tuan.id))?.cellIds).toEqual([
        s.school.cell.id,
        s.company.cell.id,
      ]);
      expect(await s.say(s.admin, 'capuy', 'Nguyễn Văn Tuấn | cơ sở | 2, 3')).toContain(
        'Thông tin không đổi',
      );
      expect(await s.say(s.admin, 'capuy', 'Hoàng Văn Lâm | tỉnh | 1, tất cả')).toContain(
        'Không tìm thấy chi bộ',
      );
      expect(await s.say(s.admin, 'capuy', 'Hoàng Văn Lâm | trung ương | 1')).toBe(
        'Không hiểu cấp «trung ương». Theo quy định đang dùng, các cấp là: tỉnh, huyện, cơ sở (xã, phường, thị trấn). Chưa thêm hay sửa cấp ủy viên nào.',
      );
      expect((await s.w.services.visits.members(s.org.id)).map((m) => m.person.name)).toEqual([
        'Nguyễn Văn Tuấn',
      ]);
      const added = await s.say(s.admin, 'capuy', 'Hoàng Văn Lâm | tỉnh | tất cả');
      expect(added).toMatch(
        /^Đã thêm đồng chí Hoàng Văn Lâm \(cấp ủy viên cấp tỉnh\), theo dõi: Chi bộ thôn Khe Lếch, Chi bộ Trường THCS Tân An, Chi bộ Công ty chè Tân An\.\nMã mời cá nhân: [A-Z0-9]{6}$/,
      );
      const list = await s.say(s.admin, 'capuy');
      expect(list).toMatch(/1\. Hoàng Văn Lâm — cấp ủy viên cấp tỉnh — theo dõi: .* — mã mời [A-Z0-9]{6}/);
      expect(list).toContain('2. Nguyễn Văn Tuấn — cấp ủy viên cơ sở — theo dõi: Chi bộ Trường THCS Tân An');
      expect(list).toContain('— đã liên kết');
      await s.store.close();
    });

    it('under the two-tier preset names the commune level as the 2025 texts do, and takes «đặc khu» for it', async () => {
      const s = await setUp(at('2026-10-01', '09:00'), 'hai-cap-2025');
      expect(await s.say(s.admin, 'capuy', 'Hoàng Văn Lâm | trung ương | 1')).toBe(
        'Không hiểu cấp «trung ương». Theo quy định đang dùng, các cấp là: tỉnh, cấp xã (xã, phường, đặc khu). Chưa thêm hay sửa cấp ủy viên nào.',
      );
      expect(await s.say(s.admin, 'capuy', 'Hoàng Văn Lâm | đặc khu | 1')).toMatch(
        /^Đã thêm đồng chí Hoàng Văn Lâm \(cấp ủy viên cấp xã\), theo dõi: Chi bộ thôn Khe Lếch\./,
      );
      expect(await s.say(s.admin, 'baocao')).toContain('• Hoàng Văn Lâm (cấp xã (xã, phường, đặc khu), kỳ ');
      await s.store.close();
    });

    it('a registration tells the secretaries once, refuses a clash, and a withdrawal tells them again', async () => {
      const s = await setUp();
      const lam = await s.assign('Hoàng Văn Lâm', 'provincial', [s.khe.cell.id, s.school.cell.id]);
      const khe = await s.meetingOn(s.khe.cell, '2026-11-05');
      const school = await s.meetingOn(s.school.cell, '2026-11-05');
      const visits = s.w.services.visits;

      expect(await visits.register(lam.id, khe.id)).toMatchObject({ ok: true, changed: true });
      expect(await visits.register(lam.id, khe.id)).toMatchObject({ ok: true, changed: false });
      await s.w.flush();
      const aboutLam = (p: Person) => s.sentTo(p).filter((m) => m.text.includes('Hoàng Văn Lâm'));
      expect(aboutLam(s.khe.secretary).map((m) => m.text)).toEqual([
        '📝 Đồng chí Hoàng Văn Lâm (cấp ủy viên cấp tỉnh) đăng ký dự buổi sinh hoạt chi bộ thường kỳ của Chi bộ thôn Khe Lếch (Thứ Năm, 05/11/2026, 19:30). Khi điểm danh, tên đồng chí có trong mục đại biểu.',
      ]);
      // The school meets at the same hour: refused, nothing written, nobody told.
      expect(await visits.register(lam.id, school.id)).toMatchObject({ ok: false, reason: 'clash' });
      expect((await s.w.repos.meetings.guests(school.id)).size).toBe(0);
      await s.w.flush();
      expect(aboutLam(s.school.secretary)).toEqual([]);

      expect(await visits.withdraw(lam.id, khe.id)).toMatchObject({ ok: true });
      expect(await visits.withdraw(lam.id, khe.id)).toMatchObject({ ok: false, reason: 'not_registered' });
      await s.w.flush();
      expect(aboutLam(s.khe.secretary).map((m) => m.text.split(' ')[0])).toEqual(['📝', '↩️']);
      expect(await s.store.zcard(keys.committeeRegistrations(lam.id))).toBe(0);
      // Free again at that hour, he may go to the school instead.
      expect(await visits.register(lam.id, school.id)).toMatchObject({ ok: true, changed: true });
      await s.store.close();
    });

    it('the notice reaches a registered guest: with the committee at T−3, or at once when that has passed', async () => {
      const s = await setUp(at('2026-10-26', '09:00'));
      // An "area" rule lets a member register for any cell of the đảng bộ, not only those assigned.
      const policy = {
        ...s.w.policy,
        visits: s.w.policy.visits.map((r) => ({ ...r, scope: 'area' as const })),
      };
      const area = new VisitsService(
        s.store,
        s.w.repos,
        s.w.clock,
        policy,
        s.w.services.planning,
        s.w.services.notifier,
      );
      const ha = await s.assign('Đỗ Thị Hà', 'district', [s.school.cell.id]);
      const lam = await s.assign('Hoàng Văn Lâm', 'provincial', [s.school.cell.id]);
      const khe = await s.meetingOn(s.khe.cell, '2026-11-05');
      // Under the shipped rule Khe Lếch is not his: refused.
      expect(await s.w.services.visits.register(ha.id, khe.id)).toMatchObject({
        ok: false,
        reason: 'not_allowed',
      });
      expect(await area.register(ha.id, khe.id)).toMatchObject({ ok: true, changed: true });
      await s.w.planner.planAll();

      // T−3: the committee notice goes to the cell's assigned members and its registered guests: Hà.
      s.w.clock.advance(at('2026-11-02', '19:30') - s.w.clock.now());
      await s.w.flush();
      const notice = (p: Person) =>
        s.sentTo(p).filter((m) => m.text.includes('Kính mời đồng chí đến dự') && m.text.includes('Khe Lếch'));
      expect(notice(ha).map((m) => m.text.split('\n')[1])).toEqual(['Thời gian: Thứ Năm, 05/11/2026, 19:30']);
      expect(notice(lam)).toEqual([]);

      // Lâm registers after it went out: it is sent to him alone, now, and once.
      s.w.clock.advance(at('2026-11-04', '10:00') - s.w.clock.now());
      expect(await area.register(lam.id, khe.id)).toMatchObject({ ok: true, changed: true });
      await s.w.flush();
      expect(notice(lam)).toHaveLength(1);
      expect(notice(ha)).toHaveLength(1);
      expect(await s.store.smembers(keys.meetingNotified(khe.id))).toEqual(
        expect.arrayContaining([ha.id, lam.id]),
      );
      await s.store.close();
    });

    it('counts a visit only once the roll call closes with the guest present, and only of the kinds the rule counts', async () => {
      const s = await setUp(at('2026-10-26', '09:00'));
      const lam = await s.assign('Hoàng Văn Lâm', 'provincial', [s.khe.cell.id, s.school.cell.id]);
      const thu = await s.assign('Đỗ Thị Thu', 'grassroots', [s.khe.cell.id]);
      const khe = await s.meetingOn(s.khe.cell, '2026-11-05');
      await s.w.services.visits.register(lam.id, khe.id);
      s.w.clock.advance(at('2026-11-06', '09:00') - s.w.clock.now());
      const { attendance } = s.w.services;
      const sheet = await attendance.rollCallSheet(khe);
      // Only the registered guest is listed; the cell's other assigned member may come unannounced.
      expect(sheet.guests.map((g) => [g.name, g.registered, g.present])).toEqual([
        ['Hoàng Văn Lâm', true, false],
      ]);
      expect(sheet.others.map((o) => o.name)).toEqual(['Đỗ Thị Thu']);
      await attendance.toggleRollCall(khe, lam.id, s.khe.secretary.id);
      // Marked present, she is listed; marked again, she is off the list and counts nothing.
      await attendance.toggleRollCall(khe, thu.id, s.khe.secretary.id);
      expect(
        (await attendance.rollCallSheet(khe)).guests.map((g) => [g.name, g.registered, g.present]),
      ).toEqual([
        ['Đỗ Thị Thu', false, true],
        ['Hoàng Văn Lâm', true, true],
      ]);
      await attendance.toggleRollCall(khe, thu.id, s.khe.secretary.id);
      expect((await attendance.rollCallSheet(khe)).others.map((o) => o.name)).toEqual(['Đỗ Thị Thu']);
      const done = async (p: Person) => (await s.w.services.visits.standing(p.id))?.current.status;
      expect(await done(lam)).toMatchObject({ state: 'due', done: 0 });
      const fresh = (await s.w.repos.meetings.get(khe.id)) as Meeting;
      // Nobody in the cell answered: the secretary closes marking them absent, confirmed once.
      expect(await attendance.closeRollCall(fresh, s.khe.secretary.id, VN)).toMatchObject({ closed: false });
      expect(await done(lam)).toMatchObject({ state: 'due', done: 0 });
      const unmarked = (await attendance.rollCallSheet(fresh)).entries.length;
      await attendance.closeRollCall(fresh, s.khe.secretary.id, VN, { settleUnmarked: unmarked });
      expect(await done(lam)).toEqual({ state: 'met', done: 1, required: 1 });
      expect(await done(thu)).toMatchObject({ state: 'due', done: 0 });

      // A rule that counts only thematic meetings does not count this regular one.
      const thematic = {
        ...s.w.policy,
        visits: s.w.policy.visits.map((r) => ({ ...r, counts: 'thematic' as const })),
      };
      const strict = new VisitsService(
        s.store,
        s.w.repos,
        s.w.clock,
        thematic,
        s.w.services.planning,
        s.w.services.notifier,
      );
      expect((await strict.standing(lam.id))?.current.status).toMatchObject({ state: 'due', done: 0 });

      // The admin's report: met, and the cells nobody visited.
      const report = await s.say(s.admin, 'baocao');
      expect(report).toContain(
        '• Hoàng Văn Lâm (tỉnh, kỳ 01/07/2026 – 31/12/2026): yêu cầu 1, đã dự 1, còn thiếu 0 — đạt',
      );
      expect(report).toContain(
        '• Đỗ Thị Thu (cơ sở (xã, phường, thị trấn), kỳ 01/11/2026 – 30/11/2026): yêu cầu 1, đã dự 0, còn thiếu 1 — còn 24 ngày',
      );
      const unvisited = report.split('\n').find((l) => l.startsWith('Chưa có cấp ủy viên nào đến dự:')) ?? '';
      expect(unvisited).toContain('Chi bộ Trường THCS Tân An');
      expect(unvisited).toContain('Chi bộ Công ty chè Tân An');
      expect(unvisited).not.toContain('Khe Lếch');
      await s.store.close();
    });

    it('a visit alert found past its grace after downtime is recorded as missed, not sent; one still in grace goes out', async () => {
      const s = await setUp(at('2026-09-30', '02:30'));
      const lam = await s.assign('Hoàng Văn Lâm', 'provincial', [s.khe.cell.id]);
      const ha = await s.assign('Đỗ Thị Hà', 'district', [s.khe.cell.id]);
      await s.w.planner.planAll();
      const alerts = (p: Person) =>
        s.sentTo(p).filter((m) => m.text.startsWith('📋 Kính gửi đồng chí — việc dự sinh hoạt'));
      const state = async (p: Person, windowStart: string, step: string) => {
        const raw = await s.store.get(keys.reminder(`visit.${p.id}.${at(windowStart)}.${step}`));
        return raw && JSON.parse(raw).state;
      };

      // Down from 1 to 5 October: the alert of 1 October is three days stale by then.
      s.w.clock.advance(at('2026-10-05', '09:00') - s.w.clock.now());
      await s.w.flush();
      expect(alerts(lam)).toEqual([]);
      expect(await state(lam, '2026-07-01', 'half_window')).toBe('missed');
      expect(await s.store.get(keys.remindersMissed())).not.toBeUndefined();
      // Planning again does not bring it back.
      await s.w.planner.planAll();
      await s.w.flush();
      expect(alerts(lam)).toEqual([]);

      // Hà's alert of 16 November, found on the 18th, is still worth sending: once.
      s.w.clock.advance(at('2026-11-18', '09:00') - s.w.clock.now());
      await s.w.planner.planAll();
      await s.w.flush();
      await s.w.flush();
      expect(alerts(ha).map((m) => m.text.split('\n')[2])).toEqual([
        'Trong kỳ, đồng chí đã dự 0/1 buổi; kỳ còn 43 ngày.',
      ]);
      expect(await state(ha, '2026-10-01', 'half_window')).toBe('sent');
      await s.store.close();
    });

    it('/nhiemvu ranks the options and /kehoach gives every due member a meeting, preferring cells nobody visits', async () => {
      const s = await setUp(at('2026-10-20', '09:00'));
      const lam = await s.assign('Hoàng Văn Lâm', 'provincial', [s.khe.cell.id, s.company.cell.id]);
      await s.assign('Đỗ Thị Hà', 'district', [s.khe.cell.id]);
      const binh = await s.assign('Lê Văn Bình', 'district', [s.khe.cell.id, s.school.cell.id]);
      // Bình already goes to Khe Lếch on 05/11: that cell is visited, and that hour is his.
      await s.w.services.visits.register(binh.id, (await s.meetingOn(s.khe.cell, '2026-11-05')).id);

      const duty = await handle(s.ctxFor(lam), { type: 'command', name: 'nhiemvu', args: '' });
      const lines = duty[0]?.text.split('\n') ?? [];
      expect(lines[0]).toBe(
        '📋 Nhiệm vụ dự sinh hoạt chi bộ — đồng chí Hoàng Văn Lâm (cấp ủy viên cấp tỉnh)',
      );
      expect(lines).toContain(
        'Kỳ 01/07/2026 – 31/12/2026: ⏳ đang thực hiện — đã dự 0/1 buổi, kỳ còn 72 ngày',
      );
      const options = lines.slice(lines.indexOf(t('visits.status.options')) + 1);
      // The company (nobody goes) before Khe Lếch (Bình goes), though Khe Lếch's meeting is earlier.
      expect(options).toEqual([
        '• Thứ Ba, 10/11/2026, 17:00 — Chi bộ Công ty chè Tân An — Nhà văn hóa',
        '• Thứ Năm, 05/11/2026, 19:30 — Chi bộ thôn Khe Lếch — Nhà văn hóa',
      ]);
      expect(duty[0]?.choices?.[0]?.[0]?.intent).toMatchObject({ type: 'command', name: 'dangky' });

      const plan = (await s.say(s.admin, 'kehoach')).split('\n');
      expect(plan[0]).toBe('🗓 Đề xuất lịch dự sinh hoạt — đến hết kỳ 01/07/2026 – 31/12/2026');
      const entry = (name: string) => plan.find((l) => l.startsWith(`• ${name}`)) ?? '';
      expect(entry('Hoàng Văn Lâm')).toBe(
        '• Hoàng Văn Lâm (tỉnh): Thứ Ba, 10/11/2026, 17:00 — Chi bộ Công ty chè Tân An',
      );
      expect(entry('Đỗ Thị Hà')).toBe(
        '• Đỗ Thị Hà (huyện): Thứ Năm, 05/11/2026, 19:30 — Chi bộ thôn Khe Lếch',
      );
      // Bình keeps his registration; the plan never gives him the school at the same hour.
      expect(entry('Lê Văn Bình')).toBe(
        '• Lê Văn Bình (huyện): Thứ Năm, 05/11/2026, 19:30 — Chi bộ thôn Khe Lếch (đã đăng ký)',
      );
      expect(plan.at(-1)).toBe(t('visits.plan.summary', { count: 1 }));
      await s.store.close();
    });
  });
}
