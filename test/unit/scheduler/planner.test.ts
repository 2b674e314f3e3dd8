import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../src/content/policy.js';
import type { Holiday } from '../../../src/domain/types.js';
import { createLogger } from '../../../src/logger.js';
import { TextComposer } from '../../../src/scheduler/composer.js';
import { Planner } from '../../../src/scheduler/planner.js';
import { keys } from '../../../src/store/keys.js';
import { occurrenceSchema } from '../../../src/store/occurrences.js';
import type { Store } from '../../../src/store/port.js';
import type { Meeting } from '../../../src/store/records.js';
import { schedulerWorld, seedCell, storeTargets } from '../../support/scheduler-fixtures.js';

const targets = await storeTargets(import.meta.filename);
afterAll(() => Promise.all(targets.map((t) => t.cleanup())));

/** Friday 27/11/2026 12:00 in Hà Nội; the cell meets on the first Saturday, 19:30: next on 05/12. */
const START = Date.parse('2026-11-27T12:00:00+07:00');
const DEC_5 = Date.parse('2026-12-05T19:30:00+07:00');
const HOUR = 3_600_000;

/** Everything the planner wrote that re-planning must leave as it was. */
async function snapshot(store: Store, cellId: string) {
  const due = await store.zrangeByScore(keys.remindersDue(), 0, Number.POSITIVE_INFINITY);
  const meetings = await store.zrangeByScore(keys.cellMeetings(cellId), 0, Number.POSITIVE_INFINITY);
  return { due, meetings, slots: await store.hgetall(keys.cellSlots(cellId)) };
}

async function pendingOf(store: Store, meetingId: string) {
  const due = await store.zrangeByScore(keys.remindersDue(), 0, Number.POSITIVE_INFINITY);
  const docs = await store.getMany(due.map((d) => keys.reminder(d.member)));
  return docs
    .map((raw) => occurrenceSchema.parse(JSON.parse(raw as string)))
    .filter((o) => o.meetingId === meetingId);
}

for (const target of targets) {
  describe(`planner on ${target.name}`, () => {
    it('materialises meetings and their reminders once, however often and however concurrently it runs', async () => {
      const store = await target.open();
      const world = schedulerWorld(store, START);
      const { cell } = await seedCell(store);

      await world.planner.planAll();
      const first = await snapshot(store, cell.id);
      // 05/12/2026 and 02/01/2027 fall in the 45 days; the first has the 9 steps of the default timeline, the
      // second too, and the quarter's thematic check (01/12) is planned.
      expect(first.meetings.map((m) => m.score)).toEqual([DEC_5, Date.parse('2027-01-02T19:30:00+07:00')]);
      expect(first.due).toHaveLength(19);
      // Each step at the policy's hour: the drafting reminder at 08:00 a week before.
      expect(first.due[0]).toEqual({
        member: expect.stringMatching(/assign_drafting/),
        score: Date.parse('2026-11-28T08:00:00+07:00'),
      });

      await Promise.all([
        world.planner.planAll(),
        world.planner.replanCell(cell.id),
        world.planner.planAll(),
      ]);
      expect(await snapshot(store, cell.id)).toEqual(first);
      await store.close();
    });

    it('moves the pending reminders of a moved meeting and tells those already notified', async () => {
      const store = await target.open();
      const world = schedulerWorld(store, START);
      const { cell, members } = await seedCell(store, { members: 3 });
      await world.planner.planAll();
      const [meeting] = (await world.repos.meetings.ofCell(cell.id, DEC_5, DEC_5)) as [Meeting];
      await store.sadd(keys.meetingNotified(meeting.id), members[0]?.id as string);

      const moved: Meeting = { ...meeting, startsAt: DEC_5 + HOUR / 2, version: 2, updatedAt: START };
      await world.repos.meetings.save(moved);
      await world.planner.replanMeeting(meeting.id);
      await world.planner.replanMeeting(meeting.id);

      const pending = await pendingOf(store, meeting.id);
      expect(pending.every((o) => o.meetingVersion === 2)).toBe(true);
      expect(pending).toHaveLength(9);
      // The notice keeps its 08:00 three days before, the morning tally its 07:00: hours are the policy's.
      const notice = pending.find((o) => o.stepId === 'notice');
      expect(notice?.dueAt).toBe(Date.parse('2026-12-02T08:00:00+07:00'));
      expect(pending.find((o) => o.stepId === 'tally')?.dueAt).toBe(Date.parse('2026-12-05T07:00:00+07:00'));

      await world.outbox.drain('telegram');
      expect(world.sender.sent.map((s) => s.chatId)).toEqual([String(members[0]?.telegramId)]);
      expect(world.sender.sent[0]?.text).toContain('Thứ Bảy, 05/12/2026, 20:00');
      await store.close();
    });

    it('drops the reminders of a cancelled meeting and tells only those notified', async () => {
      const store = await target.open();
      const world = schedulerWorld(store, START);
      const { cell, members } = await seedCell(store, { members: 4 });
      await world.planner.planAll();
      const [meeting] = (await world.repos.meetings.ofCell(cell.id, DEC_5, DEC_5)) as [Meeting];
      const notified = members.slice(0, 2);
      await store.sadd(keys.meetingNotified(meeting.id), ...notified.map((m) => m.id));

      await world.repos.meetings.save({ ...meeting, state: 'cancelled', version: 2, updatedAt: START });
      await world.planner.replanMeeting(meeting.id);
      await world.planner.planAll();

      expect(await pendingOf(store, meeting.id)).toEqual([]);
      await world.outbox.drain('telegram');
      expect(world.sender.sent.map((s) => s.chatId).sort()).toEqual(
        notified.map((m) => String(m.telegramId)).sort(),
      );
      expect(world.sender.sent[0]?.text).toBe(
        '❌ Buổi sinh hoạt chi bộ thường kỳ của Chi bộ Khe Lếch (Thứ Bảy, 05/12/2026, 19:30) đã bị hủy.',
      );
      await store.close();
    });

    it('follows a schedule change: meetings of the old rule are cancelled, the new rule’s planned', async () => {
      const store = await target.open();
      const world = schedulerWorld(store, START);
      const { cell } = await seedCell(store);
      await world.planner.planAll();
      await world.repos.cells.save({
        ...cell,
        scheduleRule: { kind: 'monthday', day: 10, time: { hour: 14, minute: 0 } },
      });
      await world.planner.replanCell(cell.id);

      const meetings = await world.repos.meetings.ofCell(cell.id, 0, Number.POSITIVE_INFINITY);
      const planned = meetings.filter((m) => m.state === 'planned').map((m) => m.startsAt);
      // Sunday 10/01/2027 moves to Monday 11/01 14:00, past the 45 days.
      expect(planned).toEqual([Date.parse('2026-12-10T14:00:00+07:00')]);
      expect(meetings.filter((m) => m.state === 'cancelled')).toHaveLength(2);
      const due = await store.zrangeByScore(keys.remindersDue(), 0, Number.POSITIVE_INFINITY);
      const cancelledIds = meetings.filter((m) => m.state === 'cancelled').map((m) => m.id);
      expect(due.filter((d) => cancelledIds.some((id) => d.member.startsWith(id)))).toEqual([]);
      await store.close();
    });
  });
}

describe('past the holiday file', () => {
  it('steps around the computed Tết of a year the file does not list, and keeps the reason with the meeting', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', destination: { write: (line: string) => lines.push(line) } });
    const store = await targets[0]?.open();
    if (!store) throw new Error('no store');
    const now = Date.parse('2028-01-02T12:00:00+07:00');
    const { outbox, repos } = schedulerWorld(store, now);
    const { cell } = await seedCell(store, { now });
    await repos.cells.save({
      ...cell,
      scheduleRule: { kind: 'monthday', day: 26, time: { hour: 19, minute: 30 } },
    });
    await new Planner({
      store,
      repos,
      policy: loadPolicy('hai-cap-2025'),
      // The file as if it ended in 2027: 2028 is computed, Tết Mậu Thân off from 24/01 to 28/01.
      holidays: [{ name: 'Tết Dương lịch', from: '2027-01-01', to: '2027-01-01' }],
      outbox,
      composer: new TextComposer(),
      now: () => now,
      log,
    }).planAll();
    const [january] = await repos.meetings.ofCell(cell.id, now, Date.parse('2028-02-01T00:00:00+07:00'));
    expect(january?.startsAt).toBe(Date.parse('2028-01-31T19:30:00+07:00'));
    expect(january?.shift).toEqual({
      from: '2028-01-26',
      holiday: 'Tết Nguyên đán Mậu Thân',
      provisional: true,
    });
    expect(lines).toEqual([]);
    await store.close();
  });

  it('renames the reason when the year is announced, without a new version or a change notice', async () => {
    const store = await targets[0]?.open();
    if (!store) throw new Error('no store');
    const now = Date.parse('2028-01-02T12:00:00+07:00');
    const world = schedulerWorld(store, now);
    const { cell, members } = await seedCell(store, { now });
    await world.repos.cells.save({
      ...cell,
      scheduleRule: { kind: 'monthday', day: 26, time: { hour: 19, minute: 30 } },
    });
    const planner = (holidays: Holiday[]) =>
      new Planner({
        store,
        repos: world.repos,
        policy: loadPolicy('hai-cap-2025'),
        holidays,
        outbox: world.outbox,
        composer: new TextComposer(),
        now: () => now,
        log: createLogger({ level: 'silent' }),
      });
    await planner([{ name: 'Tết Dương lịch', from: '2027-01-01', to: '2027-01-01' }]).planAll();
    const [computed] = await world.repos.meetings.ofCell(
      cell.id,
      now,
      Date.parse('2028-02-01T00:00:00+07:00'),
    );
    await store.sadd(keys.meetingNotified(computed?.id ?? ''), members[0]?.id as string);

    await planner([{ name: 'Tết Nguyên đán Mậu Thân', from: '2028-01-24', to: '2028-01-28' }]).planAll();
    const [announced] = await world.repos.meetings.ofCell(
      cell.id,
      now,
      Date.parse('2028-02-01T00:00:00+07:00'),
    );
    expect(announced?.id).toBe(computed?.id);
    expect(announced?.version).toBe(computed?.version);
    expect(announced?.shift).toEqual({ from: '2028-01-26', holiday: 'Tết Nguyên đán Mậu Thân' });
    await world.outbox.drain('telegram');
    expect(world.sender.sent).toEqual([]);
    await store.close();
  });
});
