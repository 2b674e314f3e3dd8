import { afterAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/store/keys.js';
import type { Meeting } from '../../../src/store/records.js';
import { schedulerWorld, seedCell, storeTargets } from '../../support/scheduler-fixtures.js';

const targets = await storeTargets(import.meta.filename);
afterAll(() => Promise.all(targets.map((t) => t.cleanup())));

/** Friday 27/11/2026 12:00; the seeded cell meets on Saturday 05/12/2026, 19:30. */
const START = Date.parse('2026-11-27T12:00:00+07:00');
const DEC_5 = Date.parse('2026-12-05T19:30:00+07:00');
const DAY = 86_400_000;

for (const target of targets) {
  describe(`sending a step now on ${target.name}`, () => {
    async function setUp() {
      const store = await target.open();
      const world = schedulerWorld(store, START);
      const seeded = await seedCell(store, { secretaries: 1, members: 3 });
      await world.planner.planAll();
      const [meeting] = (await world.repos.meetings.ofCell(seeded.cell.id, DEC_5, DEC_5)) as [Meeting];
      const sendNow = async (...args: Parameters<typeof world.planner.sendNow>) => {
        const result = await world.planner.sendNow(...args);
        await world.dispatcher.tick();
        await world.outbox.drain('telegram');
        return result;
      };
      return { store, world, meeting, sendNow, ...seeded };
    }

    it('brings the planned notice forward once: an invitation with answer buttons, not repeated at T−3', async () => {
      const { store, world, meeting, sendNow, everyone } = await setUp();
      expect(await sendNow(meeting.id, 'notice')).toMatchObject({ ok: true });
      expect(world.sender.sent.map((s) => s.chatId).sort()).toEqual(
        everyone.map((p) => String(p.telegramId)).sort(),
      );
      const invitation = world.sender.sent[0]?.view;
      expect(invitation?.text).toContain('Thứ Bảy, 05/12/2026, 19:30');
      expect(invitation?.choices?.flat().map((c) => c.intent)).toEqual([
        { type: 'answer', meetingId: meeting.id, choice: 'present' },
        { type: 'ask_reason', meetingId: meeting.id },
      ]);

      expect(await sendNow(meeting.id, 'notice')).toEqual({ ok: false, reason: 'already_sent' });
      world.sender.sent.length = 0;
      world.clock.advance(DEC_5 - 3 * DAY - world.clock.now());
      await world.dispatcher.tick();
      await world.outbox.drain('telegram');
      expect(world.sender.sent.filter((s) => s.view.choices)).toEqual([]);
      expect((await store.smembers(keys.meetingNotified(meeting.id))).sort()).toEqual(
        everyone.map((p) => p.id).sort(),
      );
      await store.close();
    });

    it('reminds only those who have not answered, once per tag, with a line that says it is a reminder', async () => {
      const { store, world, meeting, sendNow, members, everyone } = await setUp();
      const answered = members[0]?.id as string;
      await store.hset(keys.meetingAnswers(meeting.id), {
        [answered]: JSON.stringify({ choice: 'present', at: START }),
      });
      // An exempt member (miễn sinh hoạt) owes no answer and is not reminded.
      const exempt = members[2]?.id as string;
      await world.repos.cells.setMembership(meeting.cellId, exempt, { role: 'member', status: 'exempt' });
      expect(await sendNow(meeting.id, 'follow_up', { tag: '1' })).toMatchObject({ ok: true });
      expect(await sendNow(meeting.id, 'follow_up', { tag: '1' })).toEqual({
        ok: false,
        reason: 'already_sent',
      });
      const unanswered = everyone
        .filter((p) => p.id !== answered && p.id !== exempt)
        .map((p) => String(p.telegramId));
      expect(world.sender.sent.map((s) => s.chatId).sort()).toEqual(unanswered.sort());
      expect(world.sender.sent[0]?.text.split('\n')[0]).toMatch(/^⏰ Kính nhắc đồng chí/);
      expect(await sendNow(meeting.id, 'follow_up', { tag: '2' })).toMatchObject({ ok: true });
      expect(world.sender.sent).toHaveLength(unanswered.length * 2);
      await store.close();
    });

    it('sends to named recipients only, and refuses a started, cancelled or unknown meeting', async () => {
      const { store, world, meeting, sendNow, members } = await setUp();
      const guest = members[1];
      expect(
        await sendNow(meeting.id, 'committee_notice', { recipients: [guest?.id as string] }),
      ).toMatchObject({
        ok: true,
      });
      expect(world.sender.sent.map((s) => s.chatId)).toEqual([String(guest?.telegramId)]);

      expect(await sendNow('nosuchmeeting', 'notice')).toEqual({ ok: false, reason: 'not_found' });
      expect(await sendNow(meeting.id, 'no_such_step')).toEqual({ ok: false, reason: 'not_found' });
      await world.repos.meetings.save({ ...meeting, state: 'cancelled', version: meeting.version + 1 });
      expect(await sendNow(meeting.id, 'notice')).toEqual({ ok: false, reason: 'not_open' });
      await world.repos.meetings.save({ ...meeting, version: meeting.version + 2 });
      world.clock.advance(DEC_5 + 60_000 - world.clock.now());
      expect(await sendNow(meeting.id, 'notice')).toEqual({ ok: false, reason: 'not_open' });
      await store.close();
    });
  });
}
