import { keys } from '../../src/store/keys.js';
import type { Store, WriteOp } from '../../src/store/port.js';
import { redisAvailable } from '../../test/support/redis.js';

export type StoreKind = 'redis' | 'sqlite';

/** Figures for people and the closing JSON line: rounded, not falsely precise. */
export const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** The middle value (the upper one of an even count): what a run of repeated measures reports. */
export const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** The stores a benchmark runs on: the one `--store` names, else Redis (when it answers) and SQLite. */
export async function storesToBench(requested: string | undefined): Promise<StoreKind[]> {
  if (requested === 'redis' || requested === 'sqlite') return [requested];
  return (await redisAvailable()) ? ['redis', 'sqlite'] : ['sqlite'];
}

/** Counts calls to the store: each one is one round trip (a batch `write` is one MULTI/EXEC or transaction). */
export function counting(store: Store): { store: Store; calls(): number } {
  let calls = 0;
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return value.apply(target, args);
      };
    },
  });
  return { store: proxy, calls: () => calls };
}

export interface BenchMember {
  id: string;
  name: string;
  telegramId: number;
  inviteCode: string;
}

/**
 * The store writes for one cell with its members (the first a secretary), all reachable on Telegram, and one
 * planned regular meeting: raw records, so that 100,000 cells seed in seconds. `cell` adds to or overrides the
 * cell's record; `indexed` also writes each person's cell set and the Telegram index, which a tap needs to find
 * its member and meeting.
 */
export function cellWithMeetingOps(spec: {
  cellId: string;
  meetingId: string;
  startsAt: number;
  now: number;
  members: BenchMember[];
  cell?: Record<string, unknown>;
  indexed?: boolean;
}): WriteOp[] {
  const { cellId, meetingId, startsAt, now, members, indexed = false } = spec;
  const ops: WriteOp[] = [];
  const memberships: Record<string, string> = {};
  const index: Record<string, string> = {};
  for (const [i, member] of members.entries()) {
    memberships[member.id] = JSON.stringify({ role: i === 0 ? 'secretary' : 'member', status: 'official' });
    index[String(member.telegramId)] = member.id;
    const person = {
      ...member,
      preferredChannel: 'telegram',
      unreachable: [],
      locale: 'vi',
      createdAt: now,
    };
    ops.push({ op: 'set', key: keys.person(member.id), value: JSON.stringify(person) });
    if (indexed) ops.push({ op: 'sadd', key: keys.personCells(member.id), members: [cellId] });
  }
  const cell = {
    id: cellId,
    orgId: 'org',
    name: `Chi bộ ${cellId}`,
    kind: 'residential',
    timeZone: 'Asia/Ho_Chi_Minh',
    createdAt: now,
    ...spec.cell,
  };
  const meeting = {
    id: meetingId,
    cellId,
    kind: 'regular',
    startsAt,
    place: 'Hội trường',
    state: 'planned',
    origin: 'manual',
    version: 1,
    updatedAt: now,
  };
  ops.push(
    { op: 'set', key: keys.cell(cellId), value: JSON.stringify(cell) },
    { op: 'sadd', key: keys.cells(), members: [cellId] },
    { op: 'hset', key: keys.cellMembers(cellId), fields: memberships },
    ...(indexed ? [{ op: 'hset' as const, key: keys.telegramIndex(), fields: index }] : []),
    { op: 'set', key: keys.meeting(meetingId), value: JSON.stringify(meeting) },
    { op: 'zadd', key: keys.cellMeetings(cellId), entries: [{ member: meetingId, score: startsAt }] },
  );
  return ops;
}
