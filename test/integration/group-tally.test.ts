import { afterAll, describe, expect, it } from 'vitest';
import { TelegramSender } from '../../src/channels/telegram/sender.js';
import { loadHolidays } from '../../src/content/holidays.js';
import { Outbox } from '../../src/delivery/outbox.js';
import { t } from '../../src/i18n.js';
import { createMetrics } from '../../src/metrics.js';
import { TextComposer } from '../../src/scheduler/composer.js';
import { Dispatcher } from '../../src/scheduler/dispatcher.js';
import { Planner } from '../../src/scheduler/planner.js';
import { GROUP_TALLY_RENDERER } from '../../src/services/groups.js';
import type { Meeting } from '../../src/store/records.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { quietLog, storeTargets } from '../support/scheduler-fixtures.js';
import { world } from '../support/world.js';

const targets = await storeTargets(import.meta.filename);
afterAll(() => Promise.all(targets.map((t) => t.cleanup())));

const GROUP = -100777;
const MEMBERS = 30;
const NAMES = Array.from({ length: MEMBERS }, (_, i) => `Lò Văn Thành ${String.fromCharCode(65 + i)}`);
const ROSTER = ['ho_ten,vai_tro', 'Nguyễn Văn Tuấn,Bí thư', ...NAMES.map((n) => `${n},`)].join('\n');
const FREE_REASON = 'Đi khám bệnh ở huyện';

/**
 * The group's real-time send pace (3 s per group, a TTL in the store) is the outbox's own, tested in the outbox
 * tests; here time is simulated, so the sender leaves pacing to the tally's own limits, which are measured.
 */
class UnpacedTelegramSender extends TelegramSender {
  override chatIntervalMs(): number | undefined {
    return undefined;
  }
}

for (const target of targets) {
  describe(`a cell group’s live tally against the fake Bot API on ${target.name}`, () => {
    async function setUp() {
      const store = await target.open();
      const w = world(store);
      const fake = await FakeTelegram.start({ strictEdits: true });
      const { cell } = await w.cell('Chi bộ thôn Khe Lếch', ROSTER);
      const people = await w.services.repos.people.getMany([
        ...(await w.services.repos.cells.members(cell.id)).keys(),
      ]);
      const idOf = (name: string) => people.find((p) => p.name === name)?.id ?? '';
      await w.services.groups.bind(cell, { id: GROUP, title: 'Chi bộ Khe Lếch' }, idOf('Nguyễn Văn Tuấn'));
      const bound = (await w.services.repos.cells.get(cell.id)) ?? cell;

      const metrics = createMetrics();
      // Two outboxes over one store: two replicas taking turns, so the limits must hold in the store.
      const replicas = [0, 1].map(
        () =>
          new Outbox(
            {
              store,
              people: w.services.repos.people,
              cells: w.services.repos.cells,
              senders: [new UnpacedTelegramSender(fake.token, { apiRoot: fake.apiRoot })],
              now: w.clock.now,
              log: quietLog,
              metrics,
              renderers: { [GROUP_TALLY_RENDERER]: (id) => w.services.groups.renderTally(id) },
              onChatMoved: async (_channel, from, to) => {
                await w.services.groups.migrate(from, to);
              },
            },
            { rates: { telegram: 1000 }, chatIntervalMs: 0, pollMs: 5 },
          ),
      ) as [Outbox, Outbox];
      const schedulerDeps = {
        store,
        repos: w.services.repos,
        outbox: replicas[0],
        composer: new TextComposer(),
        now: w.clock.now,
        log: quietLog,
        groups: w.services.groups,
      };
      const planner = new Planner({ ...schedulerDeps, policy: w.services.policy, holidays: loadHolidays() });
      const dispatcher = new Dispatcher({ ...schedulerDeps, metrics });

      /** Edits of the group, each with the simulated time of the drain that sent it. */
      const edits: { at: number; chat: string; messageId: number; text: string }[] = [];
      let turn = 0;
      const drain = async () => {
        const seen = fake.edits.length;
        await replicas[turn++ % 2]?.drain('telegram');
        for (const e of fake.edits.slice(seen))
          edits.push({ at: w.clock.now(), chat: e.chat_id, messageId: e.message_id, text: e.text });
      };
      const notice = async (meeting: Meeting) => {
        expect(await planner.sendNow(meeting.id, 'notice')).toMatchObject({ ok: true });
        await dispatcher.tick();
        await drain();
      };
      const answer = (name: string, meetingId: string, i: number) =>
        i % 3 === 2
          ? w.services.attendance.recordAnswer(idOf(name), meetingId, 'absent', undefined, FREE_REASON)
          : i % 3 === 1
            ? w.services.attendance.recordAnswer(idOf(name), meetingId, 'absent', 'sick')
            : w.services.attendance.recordAnswer(idOf(name), meetingId, 'present');
      /** Moves simulated time on, draining each second, until nothing is left to send. */
      const settle = async () => {
        for (let i = 0; i < 30; i++) {
          w.clock.advance(1000);
          await drain();
        }
      };
      const groupTexts = () => [
        ...fake.sent.filter((m) => m.chat_id.startsWith('-')).map((m) => m.text),
        ...fake.edits.filter((e) => e.chat_id.startsWith('-')).map((e) => e.text),
      ];
      const close = async () => {
        await fake.close();
        await store.close();
      };
      return { w, fake, planner, cell: bound, idOf, notice, answer, drain, settle, edits, groupTexts, close };
    }

    const counts = (present: number, absent: number, unanswered: number) =>
      t('group.tally.counts', { present, base: MEMBERS + 1, absent, unanswered });

    it('posts the notice with counts, edits it at most once per 5 s through a burst, and ends on the last state', async () => {
      const s = await setUp();
      const meeting = await s.w.meeting(s.cell, '2026-12-05T12:30:00Z');
      await s.notice(meeting);
      const posts = s.fake.sent.filter((m) => m.chat_id === String(GROUP));
      expect(posts).toHaveLength(1);
      expect(posts[0]?.text).toContain(counts(0, 0, MEMBERS + 1));
      expect(posts[0]?.text).toContain('Thứ Bảy, 05/12/2026, 19:30');
      const buttons =
        (posts[0]?.reply_markup as { inline_keyboard: { text: string }[][] } | undefined)?.inline_keyboard ??
        [];
      expect(buttons.flat().map((b) => b.text)).toEqual(['✅ Có mặt', '❌ Vắng']);

      // 60 answers over 60 simulated seconds, each member changing their mind once; two replicas alternate.
      for (let second = 0; second < 60; second++) {
        await s.answer(NAMES[second % MEMBERS] as string, meeting.id, second + Math.floor(second / MEMBERS));
        s.w.clock.advance(1000);
        await s.drain();
      }
      await s.settle();

      expect(s.edits.every((e) => e.chat === String(GROUP) && e.messageId === posts[0]?.message_id)).toBe(
        true,
      );
      const gaps = s.edits.slice(1).map((e, i) => e.at - (s.edits[i]?.at ?? 0));
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(5_000);
      // Coalesced, not starved: about one edit per 5 s while answers keep coming.
      expect(s.edits.length).toBeGreaterThanOrEqual(11);
      expect(s.edits.length).toBeLessThanOrEqual(14);
      // The last answers (seconds 30–59 decide each member's answer) are what the group ends on.
      expect(s.edits.at(-1)?.text).toContain(counts(10, 20, 1));
      await s.close();
    });

    it('never shows a name or a reason in the group', async () => {
      const s = await setUp();
      const meeting = await s.w.meeting(s.cell, '2026-12-05T12:30:00Z');
      await s.notice(meeting);
      for (let i = 0; i < MEMBERS; i++) await s.answer(NAMES[i] as string, meeting.id, i);
      await s.settle();
      const texts = s.groupTexts();
      expect(texts.length).toBeGreaterThanOrEqual(2);
      expect(texts.at(-1)).toContain(counts(10, 20, 1));
      const secrets = [
        ...NAMES,
        'Nguyễn Văn Tuấn',
        FREE_REASON,
        'khám',
        'Ốm',
        t('reason.sick'),
        t('tally.noReason'),
      ];
      for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
      await s.close();
    });

    it('keeps a group to 20 edits a minute when two meetings’ tallies share it', async () => {
      const s = await setUp();
      const regular = await s.w.meeting(s.cell, '2026-12-05T12:30:00Z');
      const thematic = await s.w.meeting(s.cell, '2026-12-12T12:30:00Z', { kind: 'thematic' });
      await s.notice(regular);
      await s.notice(thematic);
      for (let second = 0; second < 120; second++) {
        const mind = second + Math.floor(second / MEMBERS);
        await s.answer(NAMES[second % MEMBERS] as string, regular.id, mind);
        await s.answer(NAMES[(second + 7) % MEMBERS] as string, thematic.id, mind + 1);
        s.w.clock.advance(1000);
        await s.drain();
      }
      await s.settle();
      const times = s.edits.map((e) => e.at);
      for (const start of times) {
        const inMinute = times.filter((at) => at >= start && at < start + 60_000).length;
        expect(inMinute).toBeLessThanOrEqual(20);
      }
      // Busy, both tallies get turns: more than one message's 12 a minute, within the group's 20.
      expect(s.edits.length).toBeGreaterThan(30);
      for (const messageId of new Set(s.edits.map((e) => e.messageId))) {
        const own = s.edits.filter((e) => e.messageId === messageId).map((e) => e.at);
        for (let i = 1; i < own.length; i++)
          expect((own[i] ?? 0) - (own[i - 1] ?? 0)).toBeGreaterThanOrEqual(5_000);
      }
      const posts = s.fake.sent.filter((m) => m.chat_id === String(GROUP));
      const last = (message: number) => s.edits.filter((e) => e.messageId === message).at(-1)?.text;
      expect(last(posts[0]?.message_id ?? 0)).toContain(counts(10, 20, 1));
      expect(last(posts[1]?.message_id ?? 0)).toContain(counts(10, 20, 1));
      await s.close();
    });

    it('shows a cancelled meeting as cancelled, without answer buttons', async () => {
      const s = await setUp();
      const meeting = await s.w.meeting(s.cell, '2026-12-05T12:30:00Z');
      await s.notice(meeting);
      await s.w.services.repos.meetings.save({
        ...meeting,
        state: 'cancelled',
        version: meeting.version + 1,
      });
      await s.planner.replanMeeting(meeting.id);
      await s.settle();
      const last = s.fake.edits.at(-1);
      expect(last?.text).toContain(t('group.tally.cancelled'));
      expect(last?.reply_markup).toBeUndefined();
      await s.close();
    });

    it('follows a group upgraded to a supergroup: the binding moves and the tally is posted there', async () => {
      const s = await setUp();
      const meeting = await s.w.meeting(s.cell, '2026-12-05T12:30:00Z');
      await s.notice(meeting);
      s.fake.migrations.set(String(GROUP), -100888);
      await s.answer(NAMES[0] as string, meeting.id, 0);
      await s.settle();
      expect((await s.w.services.repos.cells.get(s.cell.id))?.telegramGroupId).toBe(-100888);
      const moved = s.fake.sent.filter((m) => m.chat_id === '-100888');
      expect(moved).toHaveLength(1);
      expect(moved[0]?.text).toContain(counts(1, 0, MEMBERS));

      await s.answer(NAMES[1] as string, meeting.id, 1);
      await s.settle();
      expect(s.edits.at(-1)).toMatchObject({ chat: '-100888', messageId: moved[0]?.message_id });
      expect(s.edits.at(-1)?.text).toContain(counts(1, 1, MEMBERS - 1));
      await s.close();
    });
  });
}
