/**
 * `npm run bench:tick [-- --store redis|sqlite] [--sizes 1000,10000,100000] [--due 500]`: the cost of one
 * dispatcher tick with 1,000, 10,000 and 100,000 cells (each with members, a meeting and its timeline of
 * pending reminders) and the same 500 occurrences due. Reports milliseconds and store round trips per tick
 * and the ratio 100k ÷ 1k (goal ≤ 1.5: a tick costs O(due), not O(cells)); the last line is the same as JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Outbox } from '../../src/delivery/outbox.js';
import type { Sender } from '../../src/delivery/sender.js';
import { DAY_MS } from '../../src/domain/time.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { TextComposer } from '../../src/scheduler/composer.js';
import { Dispatcher } from '../../src/scheduler/dispatcher.js';
import { keys } from '../../src/store/keys.js';
import { type Occurrence, pendingOps } from '../../src/store/occurrences.js';
import type { ScoredMember, Store, WriteOp } from '../../src/store/port.js';
import { createRepos } from '../../src/store/repositories/index.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { deletePrefixed, redisStore } from '../../test/support/redis.js';
import { cellWithMeetingOps, counting, median, round, storesToBench } from './common.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string' },
    sizes: { type: 'string', default: '1000,10000,100000' },
    due: { type: 'string', default: '500' },
    runs: { type: 'string', default: '9' },
  },
});
const SIZES = values.sizes.split(',').map(Number);
const DUE = Number(values.due);
const RUNS = Number(values.runs);
const STEPS = [
  'assign_drafting',
  'committee_preparation',
  'notice',
  'documents_on_stdvdt',
  'follow_up',
  'tally',
];
const AUDIENCES = ['secretaries', 'members', 'members_unanswered'] as const;
const MEMBERS_PER_CELL = 3;
const NOW = Date.parse('2026-12-02T19:30:00+07:00');

async function openStore(
  kind: 'redis' | 'sqlite',
  cells: number,
): Promise<{ store: Store; dispose(): Promise<void> }> {
  if (kind === 'redis') {
    const prefix = `chibo-bench:tick:${process.pid}:${cells}:`;
    return { store: redisStore(prefix), dispose: () => deletePrefixed(prefix) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'chibo-bench-'));
  const store = new SqliteStore(join(dir, 'bench.sqlite'));
  return { store, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `cells` cells, each with a secretary and two members reachable on Telegram, a meeting in a week and that
 * meeting's timeline pending in the due index, written in batches. Returns the occurrences made due now.
 */
async function seed(store: Store, cells: number): Promise<Occurrence[]> {
  const spacing = Math.floor(cells / DUE);
  const due: Occurrence[] = [];
  let ops: WriteOp[] = [];
  let pending: ScoredMember[] = [];
  const flush = async () => {
    ops.push({ op: 'zadd', key: keys.remindersDue(), entries: pending });
    await store.write(ops);
    ops = [];
    pending = [];
  };
  for (let c = 0; c < cells; c++) {
    const cellId = `cell${c}`;
    const meetingId = `meet${c}`;
    const startsAt = NOW + 7 * DAY_MS;
    const members = Array.from({ length: MEMBERS_PER_CELL }, (_, m) => ({
      id: `p${c}x${m}`,
      name: `Đảng viên ${m}`,
      telegramId: c * 10 + m,
      inviteCode: `I${c}x${m}`,
    }));
    ops.push(
      ...cellWithMeetingOps({
        cellId,
        meetingId,
        startsAt,
        now: NOW,
        members,
        cell: { name: `Chi bộ ${c}`, shift: 'next_working_day', meetsOnWeekends: false, place: '' },
      }),
    );
    // The meeting's whole timeline waits in the due index, far from due: what grows with the cells.
    for (const [s, step] of STEPS.entries())
      pending.push({ member: `${meetingId}.${step}.v1`, score: startsAt - ((s + 1) * DAY_MS) / 2 });
    if (c % spacing === 0 && due.length < DUE) {
      const i = due.length;
      due.push({
        id: `${meetingId}.now${i}.v1`,
        kind: 'meeting',
        cellId,
        meetingId,
        meetingVersion: 1,
        stepId: STEPS[i % STEPS.length] as string,
        audience: AUDIENCES[i % AUDIENCES.length] as (typeof AUDIENCES)[number],
        dueAt: NOW - 60_000,
        graceEndsAt: NOW + DAY_MS,
        state: 'pending',
      });
    }
    if (ops.length >= 5_000) await flush();
  }
  await flush();
  return due;
}

const noSender: Sender = { channel: 'telegram', send: async () => {} };

interface Result {
  store: 'redis' | 'sqlite';
  cells: number;
  seedSeconds: number;
  /** Median of the timed ticks. */
  ms: number;
  roundTrips: number;
  messages: number;
}

/** One seeded data set and a dispatcher over it, its store wrapped to count round trips. */
async function prepare(kind: 'redis' | 'sqlite', cells: number) {
  const { store, dispose } = await openStore(kind, cells);
  const seedStart = performance.now();
  const due = await seed(store, cells);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const counted = counting(store);
  const repos = createRepos(counted.store);
  const metrics = createMetrics();
  const log = createLogger({ level: 'warn', format: 'pretty' });
  const now = () => NOW;
  const outbox = new Outbox(
    {
      store: counted.store,
      people: repos.people,
      cells: repos.cells,
      senders: [noSender],
      now,
      log,
      metrics,
    },
    { rates: {} },
  );
  const dispatcher = new Dispatcher({
    store: counted.store,
    repos,
    outbox,
    composer: new TextComposer(),
    now,
    log,
    metrics,
  });
  const times: number[] = [];
  let roundTrips = 0;
  let messages = 0;
  return {
    /** Makes the same occurrences due again, then times one tick. */
    async tick(record: boolean) {
      await store.write(due.flatMap(pendingOps));
      const callsBefore = counted.calls();
      const started = performance.now();
      const result = await dispatcher.tick();
      const ms = performance.now() - started;
      if (result.sent !== DUE) throw new Error(`tick sent ${result.sent} of ${DUE}`);
      if (!record) return;
      times.push(ms);
      roundTrips = counted.calls() - callsBefore;
      messages = result.messages;
    },
    async finish(): Promise<Result> {
      await store.close();
      await dispose();
      const ms = round(median(times));
      return { store: kind, cells, seedSeconds: round(seedSeconds), ms, roundTrips, messages };
    },
  };
}

/**
 * All sizes are seeded first, then their ticks interleaved run by run, so a change in the machine's load
 * (it is shared) weighs on every size alike; the first round warms up (JIT, connections).
 */
async function measure(kind: 'redis' | 'sqlite'): Promise<Result[]> {
  const sets = [];
  for (const cells of SIZES) sets.push(await prepare(kind, cells));
  for (let run = 0; run <= RUNS; run++) for (const set of sets) await set.tick(run > 0);
  const results: Result[] = [];
  for (const set of sets) results.push(await set.finish());
  return results;
}

async function main() {
  const kinds = await storesToBench(values.store);
  console.log(`Dispatcher tick with ${DUE} occurrences due; median of ${RUNS} ticks per size, interleaved\n`);
  const results: Result[] = [];
  const ratios: Record<string, number> = {};
  for (const kind of kinds) {
    console.log(`${kind}:`);
    const mine = await measure(kind);
    results.push(...mine);
    for (const r of mine)
      console.log(
        `  ${String(r.cells).padStart(7)} cells: ${String(r.ms).padStart(6)} ms, ${r.roundTrips} round trips, ${r.messages} messages queued (seeded in ${r.seedSeconds} s)`,
      );
    const smallest = mine[0] as Result;
    const largest = mine.at(-1) as Result;
    ratios[kind] = round(largest.ms / smallest.ms, 2);
    console.log(`  ratio ${largest.cells} ÷ ${smallest.cells} cells: ${ratios[kind]} (goal ≤ 1.5)\n`);
  }
  console.log(JSON.stringify({ bench: 'tick', due: DUE, results, ratio: ratios }));
}

await main();
