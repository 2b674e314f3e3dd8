/**
 * `npm run bench:fanout [-- --store redis|sqlite] [--messages N] [--chats N] [--rate N]`: pushes N messages
 * through the outbox to a local fake Bot API that accepts `rate` sends per second and answers 429 with
 * retry_after beyond it. Reports the achieved rate against the configured one (goal ≥ 0.95), duplicates and
 * losses (goal 0) and the 429s received, on each store; the last line is the same figures as JSON.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TelegramSender } from '../../src/channels/telegram/sender.js';
import { Outbox, type OutboxMessage } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import type { Store } from '../../src/store/port.js';
import { CellsRepo } from '../../src/store/repositories/cells.js';
import { PeopleRepo } from '../../src/store/repositories/people.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FakeTelegram } from '../../test/support/fake-telegram.js';
import { deletePrefixed, redisStore } from '../../test/support/redis.js';
import { round, storesToBench } from './common.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string' },
    messages: { type: 'string', default: '20000' },
    chats: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '500' },
    'serve-fake': { type: 'boolean', default: false },
  },
});
const MESSAGES = Number(values.messages);
const CHATS = Number(values.chats);
const RATE = Number(values.rate);
const GIVE_UP_MS = 4 * Math.ceil((MESSAGES / RATE) * 1000) + 10_000;

interface Result {
  store: 'redis' | 'sqlite';
  messages: number;
  seconds: number;
  rate: number;
  rateRatio: number;
  duplicates: number;
  losses: number;
  got429: number;
  deadLetters: number;
  /** CPU time of this process (outbox and store client) per message. */
  cpuMsPerMessage: number;
}

/** A store over key space of its own, and how to remove it afterwards. */
async function openStore(kind: 'redis' | 'sqlite'): Promise<{ store: Store; dispose(): Promise<void> }> {
  if (kind === 'redis') {
    const prefix = `chibo-bench:fanout:${process.pid}:`;
    return { store: redisStore(prefix), dispose: () => deletePrefixed(prefix) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'chibo-bench-'));
  const store = new SqliteStore(join(dir, 'bench.sqlite'));
  return { store, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The fake Bot API in a child process (this script with --serve-fake), so its work does not share an event
 * loop with the outbox it measures, as a real Bot API would not.
 */
async function startFake(): Promise<{
  apiRoot: string;
  token: string;
  stats(): Promise<FakeStats>;
  stop(): void;
}> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve-fake', '--rate', String(RATE)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(createInterface({ input: child.stdout as Readable }), 'line')) as [string];
  const { apiRoot, token } = JSON.parse(line) as { apiRoot: string; token: string };
  return {
    apiRoot,
    token,
    stats: async () => (await (await fetch(`${apiRoot}/__fake/stats`)).json()) as FakeStats,
    stop: () => child.kill(),
  };
}

type FakeStats = ReturnType<FakeTelegram['stats']>;

async function fanout(kind: 'redis' | 'sqlite'): Promise<Result> {
  const { store, dispose } = await openStore(kind);
  const fake = await startFake();
  const outbox = new Outbox(
    {
      store,
      people: new PeopleRepo(store),
      cells: new CellsRepo(store),
      senders: [new TelegramSender(fake.token, { apiRoot: fake.apiRoot })],
      now: Date.now,
      log: createLogger({ level: 'warn', format: 'pretty' }),
      metrics: createMetrics(),
    },
    { rates: { telegram: RATE }, concurrency: 64 },
  );

  // Keys sort in message order, so consecutive sends go to different chats, as a real fan-out does.
  const width = String(MESSAGES).length;
  const messages: OutboxMessage[] = Array.from({ length: MESSAGES }, (_, i) => ({
    key: `bench:${String(i).padStart(width, '0')}`,
    channel: 'telegram',
    chatId: String(100_000 + (i % CHATS)),
    view: { text: `Tin nhắn ${i}` },
  }));
  for (let i = 0; i < messages.length; i += 1000) await outbox.enqueue(messages.slice(i, i + 1000));

  const stop = new AbortController();
  const startedAt = Date.now();
  const cpuBefore = process.cpuUsage();
  const running = outbox.run('telegram', stop.signal);
  let stats = await fake.stats();
  while (stats.distinctTexts < MESSAGES && Date.now() - startedAt < GIVE_UP_MS) {
    await new Promise((r) => setTimeout(r, 100));
    stats = await fake.stats();
  }
  stop.abort();
  await running;
  const cpu = process.cpuUsage(cpuBefore);
  const deadLetters = (await outbox.listDeadLetters({ limit: MESSAGES })).length;
  fake.stop();
  await store.close();
  await dispose();

  const seconds = ((stats.lastSentAt ?? Date.now()) - startedAt) / 1000;
  const rate = stats.distinctTexts / seconds;
  return {
    store: kind,
    messages: MESSAGES,
    seconds: round(seconds),
    rate: round(rate),
    rateRatio: round(rate / RATE, 3),
    duplicates: stats.duplicates,
    losses: MESSAGES - stats.distinctTexts,
    got429: stats.got429,
    deadLetters,
    cpuMsPerMessage: round((cpu.user + cpu.system) / 1000 / MESSAGES, 3),
  };
}

async function main() {
  const kinds = await storesToBench(values.store);
  console.log(
    `Fan-out: ${MESSAGES} messages to ${CHATS} chats, fake Bot API and outbox both at ${RATE} msg/s, 1 msg/s per chat\n`,
  );
  const results: Result[] = [];
  for (const kind of kinds) {
    const r = await fanout(kind);
    results.push(r);
    console.log(
      [
        `${kind}:`,
        `  delivered in ${r.seconds} s → ${r.rate} msg/s = ${r.rateRatio} × configured (goal ≥ 0.95)`,
        `  duplicates ${r.duplicates}, losses ${r.losses} (goal 0 and 0), 429s received ${r.got429}, dead letters ${r.deadLetters}`,
        `  CPU ${r.cpuMsPerMessage} ms per message in the sending process`,
        '',
      ].join('\n'),
    );
  }
  console.log(JSON.stringify({ bench: 'fanout', configuredRate: RATE, chats: CHATS, results }));
}

if (values['serve-fake']) {
  const fake = await FakeTelegram.start({ rate: RATE, retryAfter: 1 });
  console.log(JSON.stringify({ apiRoot: fake.apiRoot, token: fake.token }));
} else await main();
