import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/content/policy.js';
import { createServices } from '../../src/services/index.js';
import { keys } from '../../src/store/keys.js';
import type { Meeting } from '../../src/store/records.js';
import { deletePrefixed, redisAvailable, redisStore, uniquePrefix } from '../support/redis.js';

/*
 * Stored documents are parsed once and shared while their stored text is unchanged, behind the repositories
 * (src/store/doc-cache.ts); the records they return are typed Readonly, and frozen.
 * Replicas share one Redis: what one changes, the others must see at their next read, never an older copy.
 */
const available = await redisAvailable();
const prefix = uniquePrefix(import.meta.filename);
afterAll(() => (available ? deletePrefixed(prefix) : undefined));

const NOW = Date.parse('2026-12-01T03:00:00Z');
const clock = { now: () => NOW };

describe.runIf(available)('parsed documents across replicas', () => {
  async function replicas() {
    const stores = [redisStore(prefix), redisStore(prefix)] as const;
    const [a, b] = stores.map((store) => createServices(store, clock, loadPolicy()));
    if (!a || !b) throw new Error('two replicas');
    const cellId = `c${Math.random().toString(36).slice(2, 8)}`;
    const cell = {
      id: cellId,
      orgId: 'org',
      name: 'Chi bộ thôn Đông',
      kind: 'residential' as const,
      shift: 'next_working_day' as const,
      meetsOnWeekends: false,
      place: 'Nhà văn hóa',
      timeZone: 'Asia/Ho_Chi_Minh',
      createdAt: NOW,
    };
    const meeting: Meeting = {
      id: `m${cellId}`,
      cellId,
      kind: 'regular',
      startsAt: NOW + 3 * 86_400_000,
      place: 'Hội trường',
      state: 'planned',
      origin: 'manual',
      version: 1,
      updatedAt: NOW,
    };
    await a.repos.cells.save(cell);
    await a.repos.meetings.save(meeting);
    await a.repos.cells.setMembership(cellId, 'p1', { role: 'member', status: 'official' });
    return {
      a,
      b: { ...b, store: stores[1] },
      meeting,
      close: () => Promise.all(stores.map((s) => s.close())),
    };
  }

  it("a member's answer on one replica follows a cancellation made on another at once", async () => {
    const { a, b, meeting, close } = await replicas();
    try {
      const first = await a.attendance.recordAnswer('p1', meeting.id, 'present');
      expect(first.ok).toBe(true);
      await b.repos.meetings.save({ ...meeting, state: 'cancelled', version: 2, updatedAt: NOW + 1 });
      const second = await a.attendance.recordAnswer('p1', meeting.id, 'absent', 'sick');
      expect(second).toEqual({ ok: false, reason: 'cancelled' });
      expect((await a.repos.meetings.get(meeting.id))?.state).toBe('cancelled');
      // The answer given before the cancellation stands; the refused one changed nothing.
      expect((await a.repos.meetings.answer(meeting.id, 'p1'))?.choice).toBe('present');
    } finally {
      await close();
    }
  });

  it('a membership changed on another replica is what the next tap is judged by', async () => {
    const { a, b, meeting, close } = await replicas();
    try {
      expect((await a.attendance.canAnswer('p1', meeting.id)).ok).toBe(true);
      await b.repos.cells.setMembership(meeting.cellId, 'p1', { role: 'secretary', status: 'official' });
      expect((await a.repos.cells.membership(meeting.cellId, 'p1'))?.role).toBe('secretary');
    } finally {
      await close();
    }
  });

  it('a meeting removed on another replica is not found by the next tap, which changes nothing', async () => {
    const { a, b, meeting, close } = await replicas();
    try {
      expect((await a.attendance.recordAnswer('p1', meeting.id, 'present')).ok).toBe(true);
      await b.repos.cells.setMembership(meeting.cellId, 'p2', { role: 'member', status: 'official' });
      await b.repos.meetings.save({ ...meeting, state: 'held', rollCallClosedAt: NOW, updatedAt: NOW + 1 });
      expect(await a.attendance.recordAnswer('p2', meeting.id, 'present')).toEqual({
        ok: false,
        reason: 'expired',
      });
      await b.store.del(keys.meeting(meeting.id));
      expect(await a.attendance.recordAnswer('p1', meeting.id, 'absent', 'work')).toEqual({
        ok: false,
        reason: 'not_found',
      });
      expect((await a.repos.meetings.answers(meeting.id)).size).toBe(1);
    } finally {
      await close();
    }
  });

  it('a shared document cannot be changed in place by one of its readers', async () => {
    const { a, meeting, close } = await replicas();
    try {
      const read = await a.repos.meetings.get(meeting.id);
      expect(() => {
        // @ts-expect-error: the repository's records are Readonly, as they are frozen.
        (read as NonNullable<typeof read>).state = 'cancelled';
      }).toThrow(TypeError);
      expect((await a.repos.meetings.get(meeting.id))?.state).toBe('planned');
    } finally {
      await close();
    }
  });
});
