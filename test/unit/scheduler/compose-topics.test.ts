import { afterAll, describe, expect, it } from 'vitest';
import type { Intent } from '../../../src/domain/intents.js';
import type { Meeting } from '../../../src/store/records.js';
import { schedulerWorld, seedCell, storeTargets } from '../../support/scheduler-fixtures.js';

const targets = await storeTargets(import.meta.filename);
afterAll(() => Promise.all(targets.map((t) => t.cleanup())));

/** The seeded cell (residential) meets on the first Saturday at 19:30: Thứ Bảy 06/03/2027. */
const FEB_25 = Date.parse('2027-02-25T08:00:00+07:00');
const MARCH_1 = Date.parse('2027-03-01T08:00:00+07:00');
const MARCH_6 = Date.parse('2027-03-06T19:30:00+07:00');

for (const target of targets) {
  describe(`reminders that carry topics and the checklist, on ${target.name}`, () => {
    async function setUp() {
      const store = await target.open();
      const world = schedulerWorld(store, FEB_25, {}, { topicSteps: true });
      const seeded = await seedCell(store, { secretaries: 1, members: 3 });
      await world.planner.planAll();
      const [meeting] = (await world.repos.meetings.ofCell(seeded.cell.id, MARCH_6, MARCH_6)) as [Meeting];
      const runTo = async (at: number) => {
        world.clock.advance(at - world.clock.now());
        await world.planner.planAll();
        await world.dispatcher.tick();
        await world.outbox.drain('telegram');
      };
      const secretaryChat = String(seeded.secretaries[0]?.telegramId);
      return { store, world, meeting, runTo, secretaryChat, ...seeded };
    }

    it('sends the quarterly check with the top three suggestions, each opening its page, to secretaries only', async () => {
      const { store, world, runTo, secretaryChat, cell } = await setUp();
      await runTo(MARCH_1 + 60_000);
      const checks = world.sender.sent.filter((s) => s.text.includes('chưa có buổi sinh hoạt chuyên đề'));
      expect(checks.map((s) => s.chatId)).toEqual([secretaryChat]);
      const view = checks[0]?.view;
      expect(view?.text.split('\n')[0]).toBe(
        '💡 Kỳ này Chi bộ Khe Lếch chưa có buổi sinh hoạt chuyên đề nào. Đồng chí lên kế hoạch một buổi (có thể kết hợp với buổi thường kỳ).',
      );
      const expected = (await world.services.topics.suggest(cell)).suggestions.map((s) => s.topic.id);
      const intents = (view?.choices ?? []).flat().map((c) => c.intent) as Intent[];
      expect(intents).toEqual([
        ...expected.map((arg) => ({ type: 'topic', action: 'show', cellId: cell.id, arg })),
        { type: 'topic', action: 'more', cellId: cell.id, arg: '3' },
        { type: 'topic', action: 'own', cellId: cell.id },
      ]);
      expect(view?.text.match(/Vì sao: /g)).toHaveLength(3);
      await store.close();
    });

    it('sends no check once the secretary has chosen a topic for the quarter', async () => {
      const { store, world, runTo, meeting, cell, secretaries } = await setUp();
      const [first] = (await world.services.topics.suggest(cell)).suggestions;
      const chosen = await world.services.topics.choose(secretaries[0]?.id ?? '', cell, {
        topicId: first?.topic.id ?? '',
      });
      expect(chosen).toMatchObject({ ok: true, change: 'combined' });
      expect((await world.repos.meetings.get(meeting.id))?.version).toBe(meeting.version + 1);
      await runTo(MARCH_1 + 60_000);
      expect(world.sender.sent.filter((s) => s.text.includes('chuyên đề nào'))).toEqual([]);
      await store.close();
    });

    it('sends the checklist with the first preparation step, and a plain sentence with the others', async () => {
      const { store, world, runTo, meeting, secretaryChat } = await setUp();
      await runTo(MARCH_6 - 7 * 86_400_000 + 60_000);
      const [first] = world.sender.sent.filter((s) => s.chatId === secretaryChat);
      expect(first?.text).toContain('📋 Danh sách chuẩn bị — Sinh hoạt chi bộ thường kỳ, Chi bộ Khe Lếch');
      expect(first?.text).toContain('Dự kiến dự họp: có mặt 0/4 · vắng 0 · chưa trả lời 4');
      expect((first?.view.choices ?? []).flat().map((c) => c.intent)).toContainEqual({
        type: 'checklist',
        meetingId: meeting.id,
        step: 'assign_drafting',
        done: true,
      });
      world.sender.sent.length = 0;
      await runTo(MARCH_6 - 5 * 86_400_000 + 60_000);
      // (The quarter's check also went out that morning.)
      const second = world.sender.sent.find((s) => s.chatId === secretaryChat && s.text.includes('chi ủy'));
      expect(second?.text).toMatch(/^🗂 /);
      expect(second?.view.choices).toBeUndefined();
      await store.close();
    });
  });
}
