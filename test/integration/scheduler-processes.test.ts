import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/delivery/outbox.js';
import { createMetrics } from '../../src/metrics.js';
import { keys } from '../../src/store/keys.js';
import { type Occurrence, pendingOps } from '../../src/store/occurrences.js';
import type { Store, WriteOp } from '../../src/store/port.js';
import { cellSchema, meetingSchema, personSchema } from '../../src/store/records.js';
import { createRepos } from '../../src/store/repositories/index.js';
import { bundled } from '../support/bundle.js';
import { killedAtEnd } from '../support/children.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { deletePrefixed, REDIS_URL, redisAvailable, redisStore, uniquePrefix } from '../support/redis.js';
import { quietLog, RecordingSender } from '../support/scheduler-fixtures.js';

const available = await redisAvailable();
const base = uniquePrefix(import.meta.filename);
afterAll(() => (available ? deletePrefixed(base) : undefined));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Worker {
  child: ChildProcess;
  /** The worker's last line: its totals after SIGTERM. */
  totals: Promise<Record<string, number>>;
}

/** Starts test/support/scheduler-worker.ts and resolves once it is connected and racing. */
async function startWorker(env: Record<string, string>): Promise<Worker> {
  const child = killedAtEnd(
    spawn(...bundled('scheduler-worker'), {
      env: { PATH: process.env.PATH ?? '', REDIS_URL, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const lines = createInterface({ input: child.stdout as Readable });
  const [first] = (await once(lines, 'line')) as [string];
  if (first !== 'ready') throw new Error(`worker said ${first}`);
  const totals = once(lines, 'line').then(([line]) => JSON.parse(line as string));
  return { child, totals };
}

async function until(done: () => boolean, timeoutMs: number) {
  const started = Date.now();
  while (!done() && Date.now() - started < timeoutMs) await sleep(25);
}

/**
 * `n` cells, each with one secretary (a chat of its own) and one meeting whose "tally" step is due now: the
 * cells and people are written at once, the occurrences returned to be made due when the racers are ready.
 */
async function seedOneStepCells(store: Store, n: number, now: number): Promise<Occurrence[]> {
  const ops: WriteOp[] = [];
  const occurrences: Occurrence[] = [];
  for (let i = 0; i < n; i++) {
    const id = `c${i}`;
    const cell = cellSchema.parse({
      id,
      orgId: 'o',
      name: `Chi bộ ${i}`,
      kind: 'agency',
      timeZone: 'Asia/Ho_Chi_Minh',
      createdAt: now,
    });
    const person = personSchema.parse({
      id: `p${i}`,
      name: `Bí thư ${i}`,
      telegramId: 10_000 + i,
      inviteCode: `X${i}`,
      createdAt: now,
    });
    const meeting = meetingSchema.parse({
      id: `m${i}`,
      cellId: id,
      kind: 'regular',
      startsAt: now + 3_600_000,
      state: 'planned',
      origin: 'manual',
      updatedAt: now,
    });
    ops.push(
      { op: 'set', key: keys.cell(id), value: JSON.stringify(cell) },
      { op: 'set', key: keys.person(person.id), value: JSON.stringify(person) },
      { op: 'set', key: keys.meeting(meeting.id), value: JSON.stringify(meeting) },
      {
        op: 'hset',
        key: keys.cellMembers(id),
        fields: { [person.id]: JSON.stringify({ role: 'secretary', status: 'official' }) },
      },
    );
    occurrences.push({
      id: `m${i}.tally.v1`,
      kind: 'meeting',
      cellId: id,
      meetingId: meeting.id,
      meetingVersion: 1,
      stepId: 'tally',
      audience: 'secretaries',
      dueAt: now - 60_000,
      graceEndsAt: now + 3_600_000,
      state: 'pending',
    });
  }
  await store.write(ops);
  return occurrences;
}

describe.runIf(available)('scheduler processes on one Redis', () => {
  // Three racers, not two then three: every pair races within the three, and each process costs a second of CPU.
  it('3 dispatcher processes racing over 1,000 due occurrences deliver each exactly once', {
    timeout: 60_000,
  }, async () => {
    const racers = 3;
    const prefix = `${base}race:`;
    const store = redisStore(prefix);
    const fake = await FakeTelegram.start();
    const occurrences = await seedOneStepCells(store, 1000, Date.now());
    const env = { KEY_PREFIX: prefix, API_ROOT: fake.apiRoot, TOKEN: fake.token };
    const workers = await Promise.all(Array.from({ length: racers }, () => startWorker(env)));

    await store.write(occurrences.flatMap(pendingOps));
    await until(() => fake.sent.length >= 1000, 40_000);
    await sleep(500); // room for a late duplicate to show
    for (const w of workers) w.child.kill('SIGTERM');
    const totals = await Promise.all(workers.map((w) => w.totals));

    expect(fake.sent).toHaveLength(1000);
    expect(new Set(fake.sent.map((m) => m.chat_id)).size).toBe(1000);
    expect(totals.reduce((n, t) => n + (t.sent ?? 0), 0)).toBe(1000);
    expect(await store.zcard(keys.remindersDue())).toBe(0);
    await fake.close();
    await store.close();
  });

  it('a process killed mid fan-out repeats at most the sends it had in flight', {
    timeout: 60_000,
  }, async () => {
    const prefix = `${base}kill:`;
    const store = redisStore(prefix);
    const fake = await FakeTelegram.start({ latencyMs: 30 });
    const repos = createRepos(store);
    const enqueuer = new Outbox(
      {
        store,
        people: repos.people,
        cells: repos.cells,
        senders: [new RecordingSender()],
        now: Date.now,
        log: quietLog,
        metrics: createMetrics(),
      },
      { rates: {} },
    );
    // Enough that the kill lands mid fan-out with a full window of sends in flight (32), and leaves most to go.
    const total = 1000;
    const messageKeys = Array.from({ length: total }, (_, i) => `fan:${i}`);
    await enqueuer.enqueue(
      messageKeys.map((key, i) => ({
        key,
        channel: 'telegram',
        chatId: String(20_000 + i),
        view: { text: key },
      })),
    );
    const env = {
      KEY_PREFIX: prefix,
      API_ROOT: fake.apiRoot,
      TOKEN: fake.token,
      RATE: '800',
      CONCURRENCY: '32',
      // A claim is sent within its 32-wide window's 40 ms at this rate; the killed process's come back after 1 s.
      LEASE_MS: '1000',
    };

    const first = await startWorker(env);
    await until(() => fake.sent.length >= 350, 30_000);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    // In flight at the kill: delivered to the API but not yet marked sent in the store.
    const deliveredAtKill = new Set(fake.sent.map((m) => m.text));
    const marked = await store.getMany(messageKeys.map(keys.outboxSent));
    const inFlight = messageKeys.filter((key, i) => deliveredAtKill.has(key) && marked[i] === undefined);
    expect(deliveredAtKill.size).toBeLessThan(total);
    expect(inFlight.length).toBeLessThanOrEqual(32);

    const second = await startWorker(env);
    await until(() => new Set(fake.sent.map((m) => m.text)).size >= total, 30_000);
    await sleep(500);
    second.child.kill('SIGTERM');
    await second.totals;

    const counts = new Map<string, number>();
    for (const m of fake.sent) counts.set(m.text, (counts.get(m.text) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n > 1).map(([key]) => key);
    expect(counts.size).toBe(total);
    expect(fake.sent.length - counts.size).toBeLessThanOrEqual(inFlight.length);
    expect(repeated.every((key) => inFlight.includes(key))).toBe(true);
    console.log(
      `killed at ${deliveredAtKill.size} delivered, ${inFlight.length} in flight; ${repeated.length} repeated`,
    );
    await fake.close();
    await store.close();
  });
});
