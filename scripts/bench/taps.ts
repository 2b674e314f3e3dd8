/**
 * `npm run bench:taps [-- --taps 20000] [--cells 400] [--members 50] [--in-flight 64] [--paced-rate 1000]
 * [--paced-taps 10000]`: synthetic callback-query taps — members answering "Có mặt" or "Vắng — reason" to their
 * cell's meeting — through the whole pipeline on Redis: grammY `bot.handleUpdate` → our middleware and handler →
 * the attendance service → Redis → the Bot API call, recorded by an API transformer that answers OK with no
 * network. Measured one at a time and with 64 in flight (taps/s, server-side p50/p99), next to the floor: a bare
 * grammY bot whose handler does one Redis HSET and answers the tap; with 64 in flight, in five rounds of ours then
 * the floor on the same taps, the ratio being the median round's. Then p99 under a paced 1,000 taps/s.
 * All of it twice: with the Redis batching on, then off (REDIS_BATCHING). Goals, with it on: ours ÷ floor ≥ 0.3
 * with 64 in flight; paced p99 ≤ 5 ms. The last line is the same figures as JSON, `on` and `off`.
 *
 * The floor has its own Redis client, set as suits it best: ioredis's auto-pipelining on, with which it does
 * 1.3× the taps per second it does without. Ours is the store as the service opens it. Every tap must be
 * answered, or the run fails: a dropped tap (the flood guard) would flatter the figures. It runs with the
 * service's own Node flags (package.json: the young generation's size, as `npm start` and the Dockerfile).
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Bot, type Context } from 'grammy';
import type { Update } from 'grammy/types';
import { Redis } from 'ioredis';
import { createTelegramBot } from '../../src/channels/telegram/bot.js';
import { loadPolicy } from '../../src/content/policy.js';
import { DAY_MS } from '../../src/domain/time.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services/index.js';
import { keys } from '../../src/store/keys.js';
import type { Store, WriteOp } from '../../src/store/port.js';
import { deletePrefixed, REDIS_URL, redisAvailable, redisStore } from '../../test/support/redis.js';
import { BOT_INFO } from '../../test/support/telegram.js';
import { cellWithMeetingOps, counting, median, round } from './common.js';

const { values } = parseArgs({
  options: {
    taps: { type: 'string', default: '20000' },
    cells: { type: 'string', default: '400' },
    members: { type: 'string', default: '50' },
    'in-flight': { type: 'string', default: '64' },
    'paced-rate': { type: 'string', default: '1000' },
    'paced-taps': { type: 'string', default: '10000' },
  },
});
const TAPS = Number(values.taps);
const CELLS = Number(values.cells);
const MEMBERS = Number(values.members);
const IN_FLIGHT = Number(values['in-flight']);
const PACED_RATE = Number(values['paced-rate']);
const PACED_TAPS = Number(values['paced-taps']);
const TOKEN = '123456:BENCH-token-recorded-never-sent';
const NOW = Date.now();
/** One cell in two has a bound group, so half the taps also refresh a group's tally. */
const GROUP_EVERY = 2;

/** Every API call is recorded and answered OK at once: the network is not what is measured. */
function recordCalls(bot: Bot<Context>, calls: Map<string, number>) {
  bot.api.config.use(async (_prev, method, payload) => {
    calls.set(method, (calls.get(method) ?? 0) + 1);
    const p = payload as { chat_id?: number; text?: string };
    const result =
      method === 'sendMessage'
        ? { message_id: 1, date: 0, chat: { id: p.chat_id, type: 'private' }, text: p.text }
        : true;
    return { ok: true, result } as never;
  });
}

interface Member {
  telegramId: number;
  meetingId: string;
}

/** CELLS cells of MEMBERS linked members (the first a secretary), each cell with a meeting in three days. */
async function seed(store: Store): Promise<Member[]> {
  const members: Member[] = [];
  let ops: WriteOp[] = [];
  for (let c = 0; c < CELLS; c++) {
    const cellId = `c${c}`;
    const meetingId = `m${c}`;
    const startsAt = NOW + 3 * DAY_MS;
    const cellMembers = Array.from({ length: MEMBERS }, (_, m) => ({
      id: `p${c}x${m}`,
      name: `Đảng viên ${c}-${m}`,
      telegramId: 10_000_000 + c * MEMBERS + m,
      inviteCode: `B${c}X${m}`,
    }));
    for (const { telegramId } of cellMembers) members.push({ telegramId, meetingId });
    const grouped = c % GROUP_EVERY === 0;
    const groupId = -1_000_000_000_000 - c;
    ops.push(
      ...cellWithMeetingOps({
        cellId,
        meetingId,
        startsAt,
        now: NOW,
        members: cellMembers,
        cell: {
          name: `Chi bộ thôn ${c}`,
          place: 'Nhà văn hóa thôn',
          ...(grouped ? { telegramGroupId: groupId } : {}),
        },
        indexed: true,
      }),
    );
    if (grouped) {
      const post = { cellId, chatId: String(groupId), postKey: `group:${meetingId}:post:${groupId}` };
      ops.push({ op: 'set', key: keys.meetingGroupPost(meetingId), value: JSON.stringify(post) });
    }
    if (ops.length >= 5_000) {
      await store.write(ops);
      ops = [];
    }
  }
  await store.write(ops);
  return members;
}

const CHOICES = ['p|', 'x|sick', 'p|', 'x|work', 'p|', 'x|family'];

/** Tap i: the members in turn (each taps once per 20,000 with the defaults), answering their own meeting. */
function taps(members: Member[], count: number, offset = 0): Update[] {
  return Array.from({ length: count }, (_, k) => {
    const i = k + offset;
    const member = members[i % members.length] as Member;
    const from = { id: member.telegramId, is_bot: false, first_name: 'Đảng viên' };
    return {
      update_id: i + 1,
      callback_query: {
        id: String(i + 1),
        from,
        chat_instance: 'bench',
        data: `a|${member.meetingId}|${CHOICES[i % CHOICES.length]}`,
        message: {
          message_id: 100,
          date: 0,
          chat: { id: member.telegramId, type: 'private', first_name: 'Đảng viên' },
          text: 'Giấy mời',
        },
      },
    } as Update;
  });
}

interface Figures {
  tapsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function figures(latencies: Float64Array, seconds: number): Figures {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    tapsPerSecond: round(latencies.length / seconds, 0),
    p50Ms: round(at(0.5), 2),
    p99Ms: round(at(0.99), 2),
  };
}

type Handle = (update: Update) => Promise<void>;

/** Rounds of the many-in-flight measure (see measureOver). */
const ROUNDS = 5;

/** The rounds as one: taps over their summed time; the median round's p50 and p99. */
function overall(rounds: { figures: Figures; taps: number }[]): Figures {
  const taps = rounds.reduce((n, r) => n + r.taps, 0);
  const seconds = rounds.reduce((t, r) => t + r.taps / r.figures.tapsPerSecond, 0);
  return {
    tapsPerSecond: round(taps / seconds, 0),
    p50Ms: median(rounds.map((r) => r.figures.p50Ms)),
    p99Ms: median(rounds.map((r) => r.figures.p99Ms)),
  };
}

/** `inFlight` workers, each handling its next tap as soon as its last one is done. */
async function closedLoop(handle: Handle, updates: Update[], inFlight: number): Promise<Figures> {
  const latencies = new Float64Array(updates.length);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < updates.length; i = next++) {
        const t0 = performance.now();
        await handle(updates[i] as Update);
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  return figures(latencies, (performance.now() - started) / 1000);
}

/** The collector's pauses while `run` runs: how many, the longest and their sum (ms). What sets a paced p99. */
async function withGcPauses<T>(
  run: () => Promise<T>,
): Promise<
  T & { gc: { pauses: number; maxMs: number; totalMs: number; major: number; majorMaxMs: number } }
> {
  const gc = { pauses: 0, maxMs: 0, totalMs: 0, major: 0, majorMaxMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.pauses++;
      gc.maxMs = Math.max(gc.maxMs, round(entry.duration, 2));
      gc.totalMs = round(gc.totalMs + entry.duration, 1);
      // Full collections (mark-sweep-compact) apart from the young generation's scavenges.
      if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        gc.major++;
        gc.majorMaxMs = Math.max(gc.majorMaxMs, round(entry.duration, 2));
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    return { ...(await run()), gc };
  } finally {
    observer.disconnect();
  }
}

/** Taps arriving at `perSecond` whatever the service does (an open loop), each timed from its own arrival. */
async function openLoop(handle: Handle, updates: Update[], perSecond: number): Promise<Figures> {
  const latencies = new Float64Array(updates.length);
  // Counted, not kept: holding every tap's promise would fill the old space and time the collector, not us.
  let open = 0;
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const started = performance.now();
  let i = 0;
  while (i < updates.length) {
    const due = Math.min(updates.length, Math.floor(((performance.now() - started) * perSecond) / 1000) + 1);
    for (; i < due; i++) {
      const k = i;
      const t0 = performance.now();
      open++;
      void handle(updates[k] as Update).finally(() => {
        latencies[k] = performance.now() - t0;
        if (--open === 0 && i >= updates.length) allDone();
      });
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  if (open > 0) await done;
  return figures(latencies, (performance.now() - started) / 1000);
}

function expectAnswered(calls: Map<string, number>, before: number, count: number, what: string) {
  const answered = (calls.get('answerCallbackQuery') ?? 0) - before;
  if (answered !== count)
    throw new Error(`${what}: ${answered} of ${count} taps answered — the figures would not be honest`);
}

const line = (name: string, f: Figures) =>
  `  ${name.padEnd(34)} ${String(f.tapsPerSecond).padStart(7)} taps/s   p50 ${f.p50Ms.toFixed(2)} ms   p99 ${f.p99Ms.toFixed(2)} ms`;

interface ModeFigures {
  tapsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  floorTapsPerSecond: number;
  ratio: number;
  roundRatios: number[];
  pacedP99Ms: number;
  inFlight: number;
  oneAtATime: { ours: Figures; floor: Figures };
  floorP50Ms: number;
  floorP99Ms: number;
  pacedP50Ms: number;
  pacedGc: { pauses: number; maxMs: number; totalMs: number };
  storeCallsPerTap: number;
  goalsMet: boolean;
}

/** The whole measure over `store`, with its batching as it was opened; prints its figures. */
async function measureOver(
  store: Store,
  floorRedis: Redis,
  members: Member[],
  batching: 'on' | 'off',
): Promise<ModeFigures> {
  const log = createLogger({ level: 'error', format: 'pretty' });
  // Ours: the production bot (flood guard and per-chat ordering on), real services, recorded API.
  const services = createServices(store, { now: Date.now }, loadPolicy());
  const ours = createTelegramBot({
    token: TOKEN,
    apiRoot: 'http://127.0.0.1:9',
    services,
    store,
    log,
    now: Date.now,
    botInfo: BOT_INFO,
  });
  const oursCalls = new Map<string, number>();
  recordCalls(ours.bot, oursCalls);
  const handleOurs: Handle = (u) => ours.bot.handleUpdate(u);

  // The floor: a bare grammY bot that records the tap with one HSET (on its own client) and answers it.
  const floor = new Bot(TOKEN, { botInfo: BOT_INFO, client: { apiRoot: 'http://127.0.0.1:9' } });
  const floorCalls = new Map<string, number>();
  recordCalls(floor, floorCalls);
  floor.on('callback_query:data', async (ctx) => {
    await floorRedis.hset('floor:answers', { [String(ctx.from.id)]: ctx.callbackQuery.data });
    await ctx.answerCallbackQuery();
  });
  const handleFloor: Handle = (u) => floor.handleUpdate(u);

  // Store calls per tap, counted on a copy of the pipeline over a counting store.
  const counted = counting(store);
  const countedBot = createTelegramBot({
    token: TOKEN,
    apiRoot: 'http://127.0.0.1:9',
    services: createServices(counted.store, { now: Date.now }, loadPolicy()),
    store: counted.store,
    log,
    now: Date.now,
    botInfo: BOT_INFO,
  });
  recordCalls(countedBot.bot, new Map());
  const sample = taps(members, 1_000, 7);
  for (const u of sample) await countedBot.bot.handleUpdate(u);
  const storeCallsPerTap = round(counted.calls() / sample.length, 2);

  // Warm-up: the same work, unmeasured, so the JIT and the connection are ready for both.
  const warm = taps(members, 4_000, 13);
  await closedLoop(handleOurs, warm, IN_FLIGHT);
  await closedLoop(handleFloor, warm, IN_FLIGHT);

  const updates = taps(members, TAPS);
  const measure = async (
    handle: Handle,
    calls: Map<string, number>,
    inFlight: number,
    what: string,
    some = updates,
  ) => {
    const before = calls.get('answerCallbackQuery') ?? 0;
    const result = await closedLoop(handle, some, inFlight);
    expectAnswered(calls, before, some.length, what);
    return result;
  };
  const oursOne = await measure(handleOurs, oursCalls, 1, 'ours, one at a time');
  const floorOne = await measure(handleFloor, floorCalls, 1, 'floor, one at a time');
  // With many in flight, in rounds: ours then the floor on the same taps, each round, so that both see the
  // machine as it is then (a shared VM's speed drifts by a third within minutes). The ratio is the median round's.
  const size = Math.ceil(updates.length / ROUNDS);
  const rounds: { ours: Figures; floor: Figures; taps: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const some = updates.slice(r * size, (r + 1) * size);
    const ours = await measure(handleOurs, oursCalls, IN_FLIGHT, `ours, ${IN_FLIGHT} in flight`, some);
    const floor = await measure(handleFloor, floorCalls, IN_FLIGHT, `floor, ${IN_FLIGHT} in flight`, some);
    rounds.push({ ours, floor, taps: some.length });
  }
  const roundRatios = rounds.map((r) => round(r.ours.tapsPerSecond / r.floor.tapsPerSecond, 2));
  const oursMany = overall(rounds.map((r) => ({ figures: r.ours, taps: r.taps })));
  const floorMany = overall(rounds.map((r) => ({ figures: r.floor, taps: r.taps })));
  const before = oursCalls.get('answerCallbackQuery') ?? 0;
  const paced = await withGcPauses(() => openLoop(handleOurs, taps(members, PACED_TAPS, 3), PACED_RATE));
  expectAnswered(oursCalls, before, PACED_TAPS, 'ours, paced');

  const ratio = median(roundRatios);
  const goals = { ratio: ratio >= 0.3, pacedP99: paced.p99Ms <= 5 };
  const mark = (met: boolean) => (batching === 'off' ? '(goal applies with batching on)' : met ? '✓' : '✗');
  console.log(
    [
      `Batching ${batching} (REDIS_BATCHING=${batching}):`,
      line('ours, one at a time', oursOne),
      line('floor (grammY + 1 HSET), one at a time', floorOne),
      line(`ours, ${IN_FLIGHT} in flight`, oursMany),
      line(`floor, ${IN_FLIGHT} in flight`, floorMany),
      line(`ours, paced at ${PACED_RATE}/s`, paced),
      '',
      `  ours ÷ floor with ${IN_FLIGHT} in flight: ${ratio}, the median of ${ROUNDS} rounds (${roundRatios.join(', ')}) (goal ≥ 0.3) ${mark(goals.ratio)}`,
      `  p99 at ${PACED_RATE} taps/s: ${paced.p99Ms} ms (goal ≤ 5 ms) ${mark(goals.pacedP99)}`,
      `  collector pauses while paced: ${paced.gc.pauses}, longest ${paced.gc.maxMs} ms, ${paced.gc.totalMs} ms in all; ${paced.gc.major} full, longest ${paced.gc.majorMaxMs} ms`,
      `  store calls per tap, one tap alone: ${storeCallsPerTap} (floor: 1); concurrent taps share reads`,
      '',
    ].join('\n'),
  );
  return {
    tapsPerSecond: oursMany.tapsPerSecond,
    p50Ms: oursMany.p50Ms,
    p99Ms: oursMany.p99Ms,
    floorTapsPerSecond: floorMany.tapsPerSecond,
    ratio,
    roundRatios,
    pacedP99Ms: paced.p99Ms,
    inFlight: IN_FLIGHT,
    oneAtATime: { ours: oursOne, floor: floorOne },
    floorP50Ms: floorMany.p50Ms,
    floorP99Ms: floorMany.p99Ms,
    pacedP50Ms: paced.p50Ms,
    pacedGc: paced.gc,
    storeCallsPerTap,
    goalsMet: goals.ratio && goals.pacedP99,
  };
}

async function main() {
  if (!(await redisAvailable()))
    throw new Error('bench:taps runs on Redis: start one (REDIS_URL) and run again');
  const prefix = `chibo-bench:taps:${process.pid}:`;
  // The same data, through a store with the batching on and one with it off (REDIS_BATCHING).
  const batched = redisStore(prefix);
  const unbatched = redisStore(prefix, { batching: false });
  const floorRedis = new Redis(REDIS_URL, { keyPrefix: prefix, enableAutoPipelining: true });
  // Interrupted, it still removes its 40,000-odd keys.
  process.once('SIGINT', () => {
    void deletePrefixed(prefix).finally(() => process.exit(130));
  });
  try {
    const members = await seed(batched);
    console.log(
      `Taps: ${TAPS} callback queries from ${members.length} members of ${CELLS} cells (one in ${GROUP_EVERY} with a group tally), on Redis\n`,
    );
    const on = await measureOver(batched, floorRedis, members, 'on');
    const off = await measureOver(unbatched, floorRedis, members, 'off');
    console.log(
      `  with batching off: ${off.tapsPerSecond} taps/s in flight (${round(off.tapsPerSecond / on.tapsPerSecond, 2)}× on), paced p99 ${off.pacedP99Ms} ms (on: ${on.pacedP99Ms} ms)\n`,
    );
    // The goals are the batching's: met with it on.
    console.log(JSON.stringify({ bench: 'taps', on, off, goalsMet: on.goalsMet }));
  } finally {
    floorRedis.disconnect();
    await Promise.all([batched.close(), unbatched.close()]);
    await deletePrefixed(prefix);
  }
}

await main();
