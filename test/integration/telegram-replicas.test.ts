import { describe, expect, it, vi } from 'vitest';
import { createTelegramBot, TELEGRAM_POLL_LEASE_MS } from '../../src/channels/telegram/bot.js';
import { loadPolicy } from '../../src/content/policy.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services/index.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { redisAvailable } from '../support/redis.js';
import { replicaTestbed } from '../support/replicas.js';
import { BOT_INFO, textUpdate, user } from '../support/telegram.js';
import { TestClock } from '../support/world.js';

/** Two replicas of the Telegram side of the service on one Redis, as two processes would run it. */
const log = createLogger({ level: process.env.TEST_LOG ?? 'silent' });
const LEASE_MS = 600;
const hasRedis = await redisAvailable();
const { keySpace, later } = replicaTestbed(import.meta.filename);

async function cluster() {
  const openStore = keySpace();
  const telegram = await FakeTelegram.start();
  later(() => telegram.close());
  const clock = new TestClock(Date.parse('2026-11-26T03:00:00Z'));

  function replica() {
    const store = openStore();
    const tg = createTelegramBot({
      token: telegram.token,
      apiRoot: telegram.apiRoot,
      botInfo: BOT_INFO,
      services: createServices(store, clock, loadPolicy()),
      store,
      log,
      now: clock.now,
      pollLeaseMs: LEASE_MS,
    });
    later(() => tg.stop());
    // Which replica answered: each records the chats it sent to.
    const answered: string[] = [];
    tg.bot.api.config.use((prev, method, payload, signal) => {
      if (method === 'sendMessage') answered.push(String((payload as { chat_id: unknown }).chat_id));
      return prev(method, payload, signal);
    });
    return { store, tg, answered };
  }
  return { telegram, replica };
}

describe.runIf(hasRedis)('Telegram on two replicas over one Redis', () => {
  it('long-polls on exactly one replica; when it dies another takes over', async () => {
    const { telegram, replica } = await cluster();
    const a = replica();
    const b = replica();
    await a.tg.startPolling();
    await vi.waitFor(() => expect(a.tg.isPolling()).toBe(true));
    await b.tg.startPolling();

    // Across several lease renewals, only A polls and answers.
    let bPolled = false;
    const watch = setInterval(() => {
      bPolled ||= b.tg.isPolling();
    }, 10);
    for (const id of [701, 702, 703]) {
      telegram.pushUpdate({ ...textUpdate(user(id), '/trogiup') });
      await vi.waitFor(() => expect(a.answered.at(-1)).toBe(String(id)));
      await new Promise((r) => setTimeout(r, LEASE_MS / 2));
    }
    clearInterval(watch);
    expect(bPolled).toBe(false);
    expect(b.answered).toEqual([]);

    // A loses its store (as a dead replica does, without releasing the lease): it stops polling, B takes over.
    await a.store.close();
    await vi.waitFor(() => expect(a.tg.isPolling()).toBe(false), { timeout: 5_000 });
    await vi.waitFor(() => expect(b.tg.isPolling()).toBe(true), { timeout: 5_000 });
    telegram.pushUpdate({ ...textUpdate(user(704), '/trogiup') });
    await vi.waitFor(() => expect(b.answered).toEqual(['704']));
    expect(a.answered).toEqual(['701', '702', '703']);
  });

  it('a replica that stops gives the lease up at once: the other polls within a third of a lease', async () => {
    const { replica } = await cluster();
    const a = replica();
    const b = replica();
    await a.tg.startPolling();
    await vi.waitFor(() => expect(a.tg.isPolling()).toBe(true));
    await b.tg.startPolling();
    await a.tg.stop();
    expect(a.tg.isPolling()).toBe(false);
    await vi.waitFor(() => expect(b.tg.isPolling()).toBe(true), { timeout: LEASE_MS });
  });

  it('in production a replica takes over within a minute: the lease plus a third of it', () => {
    expect(TELEGRAM_POLL_LEASE_MS + TELEGRAM_POLL_LEASE_MS / 3).toBeLessThanOrEqual(60_000);
  });
});
