import { afterAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/store/keys.js';
import type { Person } from '../../../src/store/records.js';
import { auditOf } from '../../support/audit.js';
import { storeTargets } from '../../support/scheduler-fixtures.js';
import { world } from '../../support/world.js';

const targets = await storeTargets(import.meta.filename);
afterAll(() => Promise.all(targets.map((t) => t.cleanup())));

const ROSTER =
  'ho_ten,vai_tro,trang_thai\nNguyễn Văn Tuấn,Bí thư,\nLò Văn Sinh,,\nHà Thị Mai,,\nLò Thị Cụ,,Miễn sinh hoạt\n';
const DEC_5 = Date.parse('2026-12-05T12:30:00Z');

for (const target of targets) {
  describe(`secretaries' meeting changes on ${target.name}`, () => {
    async function setup(scheduler = false) {
      const w = world(await target.open(), '2026-11-26T03:00:00Z', { scheduler });
      const khe = await w.cell('Chi bộ thôn Khe Lếch', ROSTER);
      const meeting = await w.meeting(khe.cell, '2026-12-05T12:30:00Z', { place: 'Nhà văn hóa thôn' });
      const members = await w.services.repos.cells.members(khe.cell.id);
      const people = await w.services.repos.people.getMany([...members.keys()]);
      const named = (name: string) => people.find((p) => p.name === name) as Person;
      return { ...w, addMeeting: w.meeting, khe, meeting, named };
    }

    it('a change writes the meeting, its next version and its audit entry together', async () => {
      const s = await setup();
      const tuan = s.named('Nguyễn Văn Tuấn');
      const result = await s.services.meetings.change(tuan.id, s.meeting.id, 1, {
        kind: 'time',
        startsAt: DEC_5 + 30 * 60_000,
      });
      expect(result.ok).toBe(true);
      const stored = await s.services.repos.meetings.get(s.meeting.id);
      expect([stored?.startsAt, stored?.version, stored?.updatedAt]).toEqual([
        DEC_5 + 1_800_000,
        2,
        s.clock.now(),
      ]);
      // Indexed by the new start, so the cell's calendar finds it there.
      expect(
        (await s.services.repos.meetings.ofCell(s.khe.cell.id, DEC_5 + 1_800_000, DEC_5 + 1_800_000)).map(
          (m) => m.id,
        ),
      ).toEqual([s.meeting.id]);
      expect(await auditOf(s.store, s.khe.cell.id)).toContainEqual({
        at: s.clock.now(),
        actorId: tuan.id,
        action: 'meeting.move',
        subject: s.meeting.id,
        detail: { from: DEC_5, to: DEC_5 + 1_800_000 },
      });
    });

    it('refuses what must not change, leaving the meeting as it was', async () => {
      const s = await setup();
      const tuan = s.named('Nguyễn Văn Tuấn');
      const sinh = s.named('Lò Văn Sinh');
      const change = s.services.meetings.change.bind(s.services.meetings);
      const refused = async (p: ReturnType<typeof change>) => {
        const r = await p;
        return r.ok ? 'ok' : r.reason;
      };
      expect(await refused(change(sinh.id, s.meeting.id, 1, { kind: 'cancel' }))).toBe('not_secretary');
      expect(await refused(change(tuan.id, 'nosuchmeeting', 1, { kind: 'cancel' }))).toBe('not_found');
      expect(await refused(change(tuan.id, s.meeting.id, 2, { kind: 'cancel' }))).toBe('stale');
      expect(
        await refused(change(tuan.id, s.meeting.id, 1, { kind: 'time', startsAt: s.clock.now() - 1 })),
      ).toBe('past');
      expect(await refused(change(tuan.id, s.meeting.id, 1, { kind: 'time', startsAt: DEC_5 }))).toBe(
        'unchanged',
      );
      expect(await refused(change(tuan.id, s.meeting.id, 1, { kind: 'place', place: ' \n ' }))).toBe('empty');
      expect(await refused(change(tuan.id, s.meeting.id, 1, { kind: 'place', place: 'x'.repeat(121) }))).toBe(
        'too_long',
      );
      expect(
        await refused(change(tuan.id, s.meeting.id, 1, { kind: 'place', place: 'Nhà  văn hóa thôn' })),
      ).toBe('unchanged');
      expect(await refused(change(tuan.id, s.meeting.id, 1, { kind: 'kind', meetingKind: 'regular' }))).toBe(
        'unchanged',
      );
      expect(await s.services.repos.meetings.get(s.meeting.id)).toEqual(s.meeting);
      expect(await auditOf(s.store, s.khe.cell.id)).not.toContainEqual(
        expect.objectContaining({ subject: s.meeting.id }),
      );

      // Cancelled, then nothing more changes.
      expect(await refused(change(tuan.id, s.meeting.id, 1, { kind: 'cancel' }))).toBe('ok');
      expect(await refused(change(tuan.id, s.meeting.id, 2, { kind: 'kind', meetingKind: 'thematic' }))).toBe(
        'not_open',
      );
      // Started: nothing changes either.
      const later = await s.addMeeting(s.khe.cell, '2026-12-20T12:30:00Z');
      s.clock.set('2026-12-20T12:31:00Z');
      expect(await refused(change(tuan.id, later.id, 1, { kind: 'cancel' }))).toBe('not_open');
    });

    it('without a scheduler, sending answers so and records nothing', async () => {
      const s = await setup();
      const tuan = s.named('Nguyễn Văn Tuấn');
      expect(await s.services.meetings.sendNotice(tuan.id, s.meeting.id)).toEqual({
        ok: false,
        reason: 'no_scheduler',
      });
      expect(await auditOf(s.store, s.khe.cell.id)).not.toContainEqual(
        expect.objectContaining({ action: 'meeting.notice_now' }),
      );
    });

    it('reminds only convened members without an answer whom a channel reaches', async () => {
      const s = await setup(true);
      const tuan = s.named('Nguyễn Văn Tuấn');
      // Sinh and Cụ (exempt) are on Telegram; Mai is not linked anywhere; Tuấn answered.
      await s.services.repos.people.link(s.named('Lò Văn Sinh'), 'telegram', 501);
      await s.services.repos.people.link(s.named('Lò Thị Cụ'), 'telegram', 502);
      await s.services.repos.people.link(tuan, 'telegram', 500);
      await s.services.attendance.recordAnswer(tuan.id, s.meeting.id, 'present');
      // No reminder before the notice it reminds of.
      expect(await s.services.meetings.remindUnanswered(tuan.id, s.meeting.id)).toEqual({
        ok: false,
        reason: 'not_noticed',
      });
      expect(await s.services.meetings.sendNotice(tuan.id, s.meeting.id)).toMatchObject({ ok: true });
      await s.scheduler?.deliver();
      expect(await s.services.meetings.remindUnanswered(tuan.id, s.meeting.id)).toEqual({
        ok: true,
        recipients: 1,
      });
      expect((await s.scheduler?.deliver())?.map((m) => m.chatId)).toEqual(['501']);
      expect(await auditOf(s.store, s.khe.cell.id)).toContainEqual(
        expect.objectContaining({ action: 'meeting.remind', detail: { recipients: 1 } }),
      );
    });

    it('knows a notice moved earlier by a holiday has gone out: one who missed it gets the notice itself', async () => {
      const w = world(await target.open(), '2026-08-28T03:00:00Z', { scheduler: true });
      const khe = await w.cell('Chi bộ thôn Khe Lếch', ROSTER);
      const people = await w.services.repos.people.getMany([
        ...(await w.services.repos.cells.members(khe.cell.id)).keys(),
      ]);
      const named = (name: string) => people.find((p) => p.name === name) as Person;
      // Saturday 05/09, 19:30: its notice's day, 02/09, is Quốc khánh (01–02/09), so it goes on Monday 31/08, 08:00.
      const meeting = await w.meeting(khe.cell, '2026-09-05T12:30:00Z');
      await w.scheduler?.planner.replanMeeting(meeting.id);
      w.clock.set('2026-08-31T01:30:00Z');
      await w.scheduler?.dispatcher.tick();
      // Nobody was linked then. Sinh links on the holiday, before the notice's nominal time; anh Tuấn reminds.
      await w.services.repos.people.link(named('Lò Văn Sinh'), 'telegram', 501);
      w.clock.set('2026-09-01T03:00:00Z');
      expect(await w.services.meetings.remindUnanswered(named('Nguyễn Văn Tuấn').id, meeting.id)).toEqual({
        ok: true,
        recipients: 1,
      });
      const sent = (await w.scheduler?.deliver()) ?? [];
      expect(sent.map((m) => m.chatId)).toEqual(['501']);
      expect(sent[0]?.text.split('\n')[0]).toBe(
        '📅 Kính mời đồng chí dự buổi sinh hoạt chi bộ thường kỳ — Chi bộ thôn Khe Lếch',
      );
    });
  });

  describe(`join requests on ${target.name}`, () => {
    const compose = {
      askSecretary: () => ({ text: 'ask' }),
      answerRequester: () => ({ text: 'answer' }),
    };

    it('two quick requests from one account make one; nobody to tell makes none', async () => {
      const w = world(await target.open(), '2026-11-26T03:00:00Z', { scheduler: true });
      const khe = await w.cell('Chi bộ thôn Khe Lếch', 'ho_ten,vai_tro\nNguyễn Văn Tuấn,Bí thư\n');
      const [tuanId] = await w.services.repos.cells.secretaries(khe.cell.id);
      const account = { channel: 'telegram' as const, userId: '8001' };
      // Tuấn has no channel yet: nobody would hear of it.
      expect(await w.services.joins.ask(account, khe.cell.id, 'Vũ Thị Hằng', compose)).toEqual({
        ok: false,
        reason: 'no_secretary',
      });
      expect(await w.store.get(keys.joinOpen('telegram', '8001'))).toBeUndefined();

      const tuan = await w.services.repos.people.get(tuanId ?? '');
      await w.services.repos.people.link(tuan as Person, 'telegram', 500);
      const results = await Promise.all([
        w.services.joins.ask(account, khe.cell.id, 'Vũ Thị Hằng', compose),
        w.services.joins.ask(account, khe.cell.id, 'Vũ Thị Hằng', compose),
      ]);
      expect(results.map((r) => (r.ok ? 'ok' : r.reason)).sort()).toEqual(['ok', 'pending']);
      expect(await w.scheduler?.deliver()).toEqual([expect.objectContaining({ chatId: '500', text: 'ask' })]);
    });
  });
}
