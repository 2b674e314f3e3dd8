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
      // The notice went out first: a follow-up only follows a notice received.
      await sendNow(meeting.id, 'notice');
      world.sender.sent.length = 0;
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

    it('sends a follow-up only to those whose notice was delivered; one who missed it gets the notice itself', async () => {
      const { store, world, meeting, cell, everyone } = await setUp();
      const follow = async (tag: string) => {
        const before = world.sender.sent.length;
        expect(await world.planner.sendNow(meeting.id, 'follow_up', { tag })).toMatchObject({ ok: true });
        await world.dispatcher.tick();
        await world.outbox.drain('telegram');
        return world.sender.sent.slice(before);
      };
      // Before the notice has gone out, a follow-up sends nothing: the notice will come.
      expect(await follow('early')).toEqual([]);
      // The notice is queued but not yet delivered: the follow-up adds nothing for anyone.
      await world.planner.sendNow(meeting.id, 'notice');
      await world.dispatcher.tick();
      await world.planner.sendNow(meeting.id, 'follow_up', { tag: 'pending' });
      await world.dispatcher.tick();
      await world.outbox.drain('telegram');
      expect(world.sender.sent.map((s) => s.text.slice(0, 2))).toEqual(everyone.map(() => '📅'));

      // Someone links after the notice went out: the follow-up brings them the notice, not "Kính nhắc".
      const { person, ops } = world.repos.people.createOps('Đảng viên mới', world.clock.now());
      const late = { ...person, telegramId: 9999, preferredChannel: 'telegram' as const };
      await store.write([
        ...ops,
        world.repos.people.saveOp(late),
        ...world.repos.cells.membershipOps(cell.id, late.id, { role: 'member', status: 'official' }),
      ]);
      const sent = await follow('late');
      const toLate = sent.filter((s) => s.chatId === '9999');
      expect(toLate).toHaveLength(1);
      expect(toLate[0]?.text.split('\n')[0]).toBe(
        '📅 Kính mời đồng chí dự buổi sinh hoạt chi bộ thường kỳ — Chi bộ Khe Lếch',
      );
      expect(toLate[0]?.view.choices?.flat()).toHaveLength(2);
      const others = sent.filter((s) => s.chatId !== '9999');
      expect(others.map((s) => s.chatId).sort()).toEqual(everyone.map((p) => String(p.telegramId)).sort());
      expect(others.every((s) => s.text.startsWith('⏰ Kính nhắc đồng chí:'))).toBe(true);
      // Now that their notice was delivered, the next follow-up is a follow-up for them too.
      const next = await follow('again');
      expect(next.find((s) => s.chatId === '9999')?.text).toMatch(/^⏰ Kính nhắc đồng chí:/);
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
