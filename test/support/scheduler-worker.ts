/**
 * One scheduler process for the multi-process tests: a dispatcher ticking every 50 ms and an outbox sender,
 * both un-elected so that several processes race over the same Redis, sending to a fake Bot API. Prints
 * "ready" once connected; on SIGTERM finishes what it has in flight and prints its totals as JSON.
 *
 * Environment: REDIS_URL, KEY_PREFIX, API_ROOT, TOKEN, and optionally RATE, CONCURRENCY, LEASE_MS.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TelegramSender } from '../../src/channels/telegram/sender.js';
import { Outbox } from '../../src/delivery/outbox.js';
import { createMetrics } from '../../src/metrics.js';
import { TextComposer } from '../../src/scheduler/composer.js';
import { Dispatcher, type TickResult } from '../../src/scheduler/dispatcher.js';
import { RedisStore } from '../../src/store/redis.js';
import { createRepos } from '../../src/store/repositories/index.js';
import { quietLog } from './scheduler-fixtures.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const store = new RedisStore({ url: env('REDIS_URL'), keyPrefix: env('KEY_PREFIX') });
await store.ping();
const repos = createRepos(store);
const metrics = createMetrics();
const composer = new TextComposer();
const outbox = new Outbox(
  {
    store,
    people: repos.people,
    cells: repos.cells,
    senders: [new TelegramSender(env('TOKEN'), { apiRoot: env('API_ROOT') })],
    now: Date.now,
    log: quietLog,
    metrics,
  },
  {
    rates: { telegram: Number(process.env.RATE ?? 1000) },
    concurrency: Number(process.env.CONCURRENCY ?? 32),
    leaseMs: Number(process.env.LEASE_MS ?? 60_000),
    backoffMs: 100,
    pollMs: 20,
  },
);
const dispatcher = new Dispatcher({ store, repos, outbox, composer, now: Date.now, log: quietLog, metrics });

const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
const sending = outbox.run('telegram', stop.signal);
const totals: TickResult = { sent: 0, messages: 0, missed: 0, dropped: 0 };
console.log('ready');
while (!stop.signal.aborted) {
  const result = await dispatcher.tick();
  for (const k of Object.keys(totals) as (keyof TickResult)[]) totals[k] += result[k];
  await sleep(50);
}
await sending;
const sent = (await metrics.sent.get()).values[0]?.value ?? 0;
console.log(JSON.stringify({ ...totals, delivered: sent }));
await store.close();
