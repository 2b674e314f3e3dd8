import { afterAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/store/keys.js';
import type { Meeting } from '../../../src/store/records.js';
import { schedulerWorld, seedCell, storeTargets } from '../../support/scheduler-fixtures.js';

const targets = await storeTargets(import.meta.filename);
afterAll(() => Promise.all(targets.map((t) => t.cleanup())));

const START = Date.parse('2026-11-27T12:00:00+07:00');
const DEC_5 = Date.parse('2026-12-05T19:30:00+07:00');
const DAY = 86_400_000;

for (const target of targets) {
  describe(`dispatcher on ${target.name}`, () => {
    it('sends each step to its audience once, and remembers who was notified', async () => {
      const store = await target.open();
      const world = schedulerWorld(store, START);
      const { cell, secretaries, members, committee, everyone } = await seedCell(store, {
        secretaries: 1,
        members: 3,
        committee: 1,
      });
      await world.planner.planAll();
      const [meeting] = (await world.repos.meetings.ofCell(cell.id, DEC_5, DEC_5)) as [Meeting];

      const at = (time: number) => world.clock.advance(time - world.clock.now());
      // T−7 and T−5: the secretary's preparation steps.
      at(DEC_5 - 7 * DAY);
      expect(await world.dispatcher.tick()).toMatchObject({ sent: 1, messages: 1, missed: 0 });
      at(DEC_5 - 5 * DAY);
      expect(await world.dispatcher.tick()).toMatchObject({ sent: 1, messages: 1, missed: 0 });
      // T−3: the notice to every member and to the committee member, with the quarter's thematic check (due
      // since 01/12: no thematic meeting is planned).
      at(DEC_5 - 3 * DAY);
      expect(await world.dispatcher.tick()).toMatchObject({ sent: 3, messages: 6, missed: 0 });
      expect(await world.dispatcher.tick()).toMatchObject({ sent: 0, messages: 0 });
      await world.outbox.drain('telegram');
      const chats = (people: { telegramId?: number }[]) => people.map((p) => String(p.telegramId)).sort();
      expect(world.sender.sent.map((s) => s.chatId).sort()).toEqual(
        [...chats(everyone), ...chats(committee), ...[1, 2, 3].flatMap(() => chats(secretaries))].sort(),
      );
      expect((await store.smembers(keys.meetingNotified(meeting.id))).sort()).toEqual(
        [...everyone, ...committee].map((p) => p.id).sort(),
      );

      // T−1: the follow-up reaches only members who have not answered.
      const answered = members[0]?.id as string;
      await store.hset(keys.meetingAnswers(meeting.id), {
        [answered]: JSON.stringify({ choice: 'present', at: START }),
      });
      world.sender.sent.length = 0;
      world.clock.advance(2 * DAY);
      await world.dispatcher.tick();
      await world.outbox.drain('telegram');
      const followUps = world.sender.sent.filter((s) => s.text.startsWith('⏰'));
      expect(followUps.map((s) => s.chatId).sort()).toEqual(chats(everyone.filter((p) => p.id !== answered)));
      await store.close();
    });

    it('dispatches the rest of a batch when one occurrence cannot be read', async () => {
      const store = await target.open();
      const world = schedulerWorld(store, START);
      const { cell } = await seedCell(store);
      await world.planner.planAll();
      const [meeting] = (await world.repos.meetings.ofCell(cell.id, DEC_5, DEC_5)) as [Meeting];
      await store.set(keys.reminder(`${meeting.id}.committee_preparation.v1`), '{"id":');
      world.clock.advance(DEC_5 - 5 * DAY + 60_000 - START);
      // A minute after T−5: the T−7 step's grace ended a minute ago; the T−5 one is unreadable, so it stays
      // claimed (due again after its lease) while the rest of the batch goes on.
      expect(await world.dispatcher.tick()).toMatchObject({ sent: 0, missed: 1 });
      expect(
        await store.zscore(keys.remindersDue(), `${meeting.id}.committee_preparation.v1`),
      ).toBeGreaterThan(world.clock.now());
      await store.close();
    });

    it('drops reminders of a meeting cancelled behind the planner’s back, sending nothing', async () => {
      const store = await target.open();
      const world = schedulerWorld(store, START);
      const { cell } = await seedCell(store);
      await world.planner.planAll();
      const [meeting] = (await world.repos.meetings.ofCell(cell.id, DEC_5, DEC_5)) as [Meeting];
      await world.repos.meetings.save({ ...meeting, state: 'cancelled', version: 2 });
      world.clock.advance(DEC_5 - 3 * DAY - START);
      const result = await world.dispatcher.tick();
      expect(result).toMatchObject({ dropped: 4, missed: 0, sent: 1 });
      await world.outbox.drain('telegram');
      // Only the cell's thematic check is still worth sending.
      expect(world.sender.sent.map((s) => s.text)).toEqual([expect.stringMatching(/^💡/)]);
      await store.close();
    });
  });
}
