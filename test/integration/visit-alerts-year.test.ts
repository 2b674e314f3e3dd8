import { afterAll, describe, expect, it } from 'vitest';
import { isoDate, localDateOf } from '../../src/domain/time.js';
import { keys } from '../../src/store/keys.js';
import { occurrenceSchema } from '../../src/store/occurrences.js';
import { type Cell, type Meeting, type Person, parseDoc } from '../../src/store/records.js';
import { storeTargets } from '../support/scheduler-fixtures.js';
import { visitsWorld } from '../support/visits-world.js';

const targets = await storeTargets(import.meta.filename);
afterAll(() => Promise.all(targets.map((t) => t.cleanup())));

const VN = 'Asia/Ho_Chi_Minh';
const at = (date: string, time: string) => Date.parse(`${date}T${time}:00+07:00`);
const DAY = 86_400_000;

for (const target of targets) {
  describe(`visit alerts over a year on ${target.name}`, () => {
    it('alerts a 6-month, a 3-month and a monthly member on the right days, once each, stopping when met, counting only closed roll calls', async () => {
      const store = await target.open();
      const w = await visitsWorld(store, at('2025-12-31', '12:00'));
      const org = await w.repos.cells.createOrg('Đảng bộ xã Tân An', w.clock.now());
      const cell = (name: string, phrase: string) =>
        w.cell(org.id, name, phrase, 'Bí thư,bi_thu\nĐảng viên,\n');
      // A meets on the 3rd, B on the 20th, every month, whatever the weekday.
      const a = await cell('Chi bộ A', 'ngày 3 hằng tháng 19:30');
      const b = await cell('Chi bộ B', 'ngày 20 hằng tháng 19:30');
      const member = (name: string, level: 'provincial' | 'district' | 'grassroots', chat: number) =>
        w.committeeMember(org.id, name, level, [a.id, b.id], chat);
      const province = await member('Cấp tỉnh', 'provincial', 71);
      const district = await member('Cấp huyện', 'district', 72);
      const commune = await member('Cấp cơ sở', 'grassroots', 73);
      const secretaryOf = async (c: Cell) => (await w.repos.cells.secretaries(c.id))[0] ?? '';

      /** Who attends which meeting (cell, local date); the roll call closes the next morning unless said. */
      const attends: { who: Person; cell: Cell; day: string; closeOn?: string }[] = [
        { who: province, cell: a, day: '2026-03-03' },
        { who: province, cell: b, day: '2026-11-20', closeOn: '2026-12-11' },
        { who: district, cell: b, day: '2026-01-20' },
        { who: district, cell: b, day: '2026-08-20' },
        { who: district, cell: a, day: '2026-10-03' },
        ...['01', '03', '04', '06', '08', '10', '11', '12'].map((m) => ({
          who: commune,
          cell: a,
          day: `2026-${m}-03`,
        })),
        { who: commune, cell: b, day: '2026-07-20' },
      ];
      const meetingOn = async (c: Cell, day: string): Promise<Meeting> => {
        const [m] = await w.repos.meetings.ofCell(c.id, at(day, '00:00'), at(day, '23:59'));
        if (!m) throw new Error(`no meeting of ${c.name} on ${day}`);
        return m;
      };
      const nextDay = (day: string) => isoDate(localDateOf(new Date(at(day, '12:00') + DAY), VN));

      const alerts: string[] = [];
      const names = new Map([province, district, commune].map((p) => [String(p.telegramId), p.name]));
      const run = async () => {
        const before = w.sender.sent.length;
        await w.dispatcher.tick();
        await w.outbox.drain('telegram');
        // Sends of one drain run concurrently: the day's alerts are compared in name order.
        const today = w.sender.sent
          .slice(before)
          .filter((s) => s.text.startsWith('📋 Kính gửi đồng chí — việc dự sinh hoạt'))
          .map((s) => `${isoDate(localDateOf(new Date(w.clock.now()), VN))} ${names.get(s.chatId)}`);
        alerts.push(...today.sort());
      };
      const moveTo = (instant: number) => w.clock.advance(instant - w.clock.now());

      let day = '2026-01-01';
      while (day <= '2026-12-31') {
        moveTo(at(day, '02:30'));
        await w.planner.planAll();
        moveTo(at(day, '08:00'));
        await run();
        // A week ahead, each attendance is registered; it counts only once the roll call closes.
        for (const visit of attends) {
          const meetingDay = visit.day;
          if (isoDate(localDateOf(new Date(at(meetingDay, '12:00') - 7 * DAY), VN)) === day) {
            const registered = await w.services.visits.register(
              visit.who.id,
              (await meetingOn(visit.cell, meetingDay)).id,
            );
            expect(registered).toMatchObject({ ok: true });
          }
          if ((visit.closeOn ?? nextDay(meetingDay)) === day) {
            const meeting = await meetingOn(visit.cell, meetingDay);
            moveTo(at(day, '09:00'));
            const secretary = await secretaryOf(visit.cell);
            const fresh = (await w.repos.meetings.get(meeting.id)) as Meeting;
            if (fresh.rollCallClosedAt === undefined) {
              for (const other of attends.filter((o) => o.cell.id === visit.cell.id && o.day === meetingDay))
                await w.services.attendance.toggleRollCall(fresh, other.who.id, secretary);
              // The cell's members never answered: the secretary marks them absent, confirmed once.
              const unmarked = (await w.services.attendance.rollCallSheet(fresh)).entries.filter(
                (e) => e.entry.state === 'unmarked',
              ).length;
              await w.services.attendance.closeRollCall(fresh, secretary, VN, { settleUnmarked: unmarked });
            }
          }
        }
        moveTo(at(day, '20:00'));
        await run();
        day = nextDay(day);
      }

      expect(alerts).toEqual([
        '2026-02-15 Cấp cơ sở',
        '2026-02-21 Cấp cơ sở',
        '2026-05-16 Cấp cơ sở',
        '2026-05-16 Cấp huyện',
        '2026-05-24 Cấp cơ sở',
        '2026-06-09 Cấp huyện',
        '2026-06-23 Cấp huyện',
        '2026-07-16 Cấp cơ sở',
        '2026-08-16 Cấp huyện',
        '2026-09-16 Cấp cơ sở',
        '2026-09-23 Cấp cơ sở',
        '2026-10-01 Cấp tỉnh',
        // Registered for 20/11 and marked present, but the roll call closed only on 11/12: not counted yet.
        '2026-12-10 Cấp tỉnh',
      ]);

      // Alerts that were due once the rule was met were dropped, not sent; each alert is one occurrence.
      const state = async (person: Person, windowStart: string, step: string) => {
        const key = keys.reminder(`visit.${person.id}.${at(windowStart, '00:00')}.${step}`);
        return parseDoc(occurrenceSchema, key, await store.get(key))?.state;
      };
      expect(await state(province, '2026-07-01', 'half_window')).toBe('sent');
      expect(await state(province, '2026-07-01', 'days_21')).toBe('sent');
      expect(await state(province, '2026-07-01', 'days_7')).toBe('dropped');
      expect(await state(province, '2026-01-01', 'half_window')).toBe('dropped');
      expect(await state(commune, '2026-07-01', 'days_7')).toBe('dropped');
      expect(await state(district, '2026-07-01', 'days_21')).toBe('dropped');

      // The alert says what the rule asks, what is done and how long is left, with the meetings to register for.
      const december = w.sender.sent.find((s) => s.chatId === '71' && s.text.includes('kỳ còn 21 ngày'));
      expect(december?.text.split('\n').slice(0, 3)).toEqual([
        '📋 Kính gửi đồng chí — việc dự sinh hoạt chi bộ kỳ 01/07/2026 – 31/12/2026',
        'Theo quy định đang áp dụng, cấp ủy viên cấp tỉnh dự ít nhất 1 buổi sinh hoạt chi bộ (thường kỳ hoặc chuyên đề) ở chi bộ được phân công theo dõi, mỗi 6 tháng.',
        'Trong kỳ, đồng chí đã dự 0/1 buổi; kỳ còn 21 ngày.',
      ]);
      expect(december?.text).toContain('• Chủ nhật, 20/12/2026, 19:30 — Chi bộ B — Nhà văn hóa');
      expect(december?.view.choices?.flat().map((c) => c.label)).toEqual(['📝 Đăng ký dự 20/12 — Chi bộ B']);
      const standing = await w.services.visits.standing(province.id);
      expect(standing?.current.status).toEqual({ state: 'met', done: 1, required: 1 });
      await store.close();
    }, 240_000);
  });
}
