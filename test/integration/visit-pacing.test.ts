import { afterAll, describe, expect, it } from 'vitest';
import type { Meeting, Person } from '../../src/store/records.js';
import { storeTargets } from '../support/scheduler-fixtures.js';
import { visitsWorld } from '../support/visits-world.js';

const targets = await storeTargets(import.meta.filename);
afterAll(() => Promise.all(targets.map((t) => t.cleanup())));

const at = (date: string, time: string) => Date.parse(`${date}T${time}:00+07:00`);

/**
 * Kon Tum's per-year rules, checked each quarter (issue 15, point 11): at the end of the first quarter the pace asks
 * for ceil(minimum × 1/4) visits — 2 of a district member's 6, 1 of a provincial member's 2. Only those behind
 * are alerted, once.
 */
for (const target of targets) {
  describe(`pace checks on ${target.name}`, () => {
    it('alerts on 1 April only the members behind pace, once', async () => {
      const store = await target.open();
      const w = await visitsWorld(store, at('2027-01-02', '09:00'), 'kontum-2023');
      const org = await w.repos.cells.createOrg('Đảng ủy xã Tân An', w.clock.now());
      const a = await w.cell(org.id, 'Chi bộ A', 'ngày 3 hằng tháng 19:30', 'Bí thư,bi_thu\n');
      const b = await w.cell(org.id, 'Chi bộ B', 'ngày 20 hằng tháng 19:30', 'Bí thư B,bi_thu\n');
      const member = (name: string, level: 'provincial' | 'district', chat: number) =>
        w.committeeMember(org.id, name, level, [a.id, b.id], chat);
      const onPace = await member('Đúng tiến độ', 'district', 81);
      const behind = await member('Chậm tiến độ', 'district', 82);
      const provincial = await member('Cấp tỉnh', 'provincial', 83);
      const moveTo = (instant: number) => w.clock.advance(instant - w.clock.now());
      const meetingOn = async (cellId: string, day: string): Promise<Meeting> => {
        const [m] = await w.repos.meetings.ofCell(cellId, at(day, '00:00'), at(day, '23:59'));
        if (!m) throw new Error(`no meeting on ${day}`);
        return m;
      };
      /** The member attends the meeting; the roll call closes the next morning with them present. */
      const attend = async (who: Person[], cellId: string, day: string) => {
        moveTo(at(day, '09:00'));
        await w.planner.planAll();
        const meeting = await meetingOn(cellId, day);
        for (const p of who)
          expect(await w.services.visits.register(p.id, meeting.id)).toMatchObject({ ok: true });
        moveTo(at(day, '23:00'));
        const [secretary = ''] = await w.repos.cells.secretaries(cellId);
        for (const p of who) await w.services.attendance.toggleRollCall(meeting, p.id, secretary);
        const closed = await w.services.attendance.closeRollCall(meeting, secretary, 'Asia/Ho_Chi_Minh', {
          settleUnmarked: 1,
        });
        expect(closed.closed).toBe(true);
      };
      await attend([onPace, behind], a.id, '2027-01-03');
      await attend([onPace], b.id, '2027-02-20');

      const alerted: string[] = [];
      const names = new Map([onPace, behind, provincial].map((p) => [String(p.telegramId), p.name]));
      for (const day of ['2027-03-31', '2027-04-01', '2027-04-02', '2027-04-03']) {
        moveTo(at(day, '02:30'));
        await w.planner.planAll();
        for (const time of ['08:00', '20:00']) {
          moveTo(at(day, time));
          const before = w.sender.sent.length;
          await w.flush();
          alerted.push(
            ...w.sender.sent
              .slice(before)
              .filter((s) => s.text.includes('kỳ 01/01/2027 – 31/12/2027'))
              .map((s) => `${day} ${time} ${names.get(s.chatId)}`),
          );
        }
      }
      // The district member with one visit is behind (2 asked); the provincial member with none too (1 asked).
      expect(alerted.sort()).toEqual(['2027-04-01 08:00 Chậm tiến độ', '2027-04-01 08:00 Cấp tỉnh']);
      const text =
        w.sender.sent.find((s) => s.chatId === '82' && s.text.includes('kỳ 01/01/2027'))?.text ?? '';
      expect(text).toContain(
        'Theo tiến độ chia đều trong kỳ, đến hết ngày 31/03/2027 cần dự 2/6 buổi; đồng chí đã dự 1 buổi.',
      );
      await store.close();
    });
  });
}
