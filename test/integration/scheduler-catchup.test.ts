import { afterAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { occurrenceSchema } from '../../src/store/occurrences.js';
import type { Meeting } from '../../src/store/records.js';
import { schedulerWorld, seedCell, storeTargets } from '../support/scheduler-fixtures.js';

const targets = await storeTargets(import.meta.filename);
afterAll(() => Promise.all(targets.map((t) => t.cleanup())));

const DEC_5 = Date.parse('2026-12-05T19:30:00+07:00');
const at = (iso: string) => Date.parse(`${iso}+07:00`);

for (const target of targets) {
  describe(`catching up after downtime on ${target.name}`, () => {
    it('sends the steps still useful once, records the stale ones as missed, sends nothing twice', async () => {
      const store = await target.open();
      const world = schedulerWorld(store, at('2026-11-27T12:00:00'));
      const { cell, secretaries, everyone, committee } = await seedCell(store, { members: 4, committee: 1 });
      const moveTo = (time: number) => world.clock.advance(time - world.clock.now());
      await world.planner.planAll();
      const [meeting] = (await world.repos.meetings.ofCell(cell.id, DEC_5, DEC_5)) as [Meeting];

      moveTo(at('2026-11-28T20:00:00'));
      expect(await world.dispatcher.tick()).toMatchObject({ sent: 1, missed: 0 });
      moveTo(at('2026-11-30T07:00:00'));
      expect(await world.dispatcher.tick()).toMatchObject({ sent: 0, missed: 0 });

      // Down for two days and fourteen hours. On the way: the committee-preparation step (30/11 08:00, useful for
      // a day: stale now), the thematic check (01/12 08:00, useful for three days) and the notices (02/12 08:00,
      // useful for two days).
      moveTo(at('2026-12-02T21:00:00'));
      const [first, second] = await Promise.all([world.dispatcher.tick(), world.dispatcher.tick()]);
      expect(first.sent + second.sent).toBe(3);
      expect(first.missed + second.missed).toBe(1);
      expect(await world.dispatcher.tick()).toMatchObject({ sent: 0, missed: 0 });
      await world.outbox.drain('telegram');

      const texts = world.sender.sent.map((s) => `${s.chatId} ${s.text.slice(0, 2)}`);
      expect(new Set(texts).size).toBe(texts.length);
      const received = (person: { telegramId?: number }) =>
        world.sender.sent
          .filter((s) => s.chatId === String(person.telegramId))
          .map((s) => s.text.slice(0, 2));
      expect(received(secretaries[0] as { telegramId?: number }).sort()).toEqual(['📅', '📋', '💡'].sort());
      for (const person of [...everyone.slice(1), ...committee]) expect(received(person)).toEqual(['📅']);
      expect(world.sender.sent.some((s) => s.text.startsWith('🗂'))).toBe(false);

      expect((await world.metrics.missed.get()).values[0]?.value).toBe(1);
      expect(await store.get(keys.remindersMissed())).toBe('1');
      const missed = await store.get(keys.reminder(`${meeting.id}.committee_preparation.v1`));
      expect(occurrenceSchema.parse(JSON.parse(missed as string)).state).toBe('missed');

      // Planning again after the catch-up plans none of the fired steps again.
      await world.planner.planAll();
      expect(await world.dispatcher.tick()).toMatchObject({ sent: 0, missed: 0 });
      await store.close();
    });
  });
}
