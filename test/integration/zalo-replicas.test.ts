import { describe, expect, it, vi } from 'vitest';
import { createZaloChannel } from '../../src/channels/zalo/adapter.js';
import { ZaloBot } from '../../src/channels/zalo/client.js';
import { createZaloInbox } from '../../src/channels/zalo/inbox.js';
import { pollOnOneReplica, ZALO_POLL_LEASE_MS } from '../../src/channels/zalo/poller.js';
import type { ZaloMessage } from '../../src/channels/zalo/types.js';
import { ZALO_SECRET_HEADER, zaloWebhook } from '../../src/channels/zalo/webhook.js';
import { loadPolicy } from '../../src/content/policy.js';
import { createHttpApp, listen } from '../../src/http/server.js';
import { t } from '../../src/i18n.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services/index.js';
import { FakeZalo, zaloUpdate } from '../support/fake-zalo.js';
import { redisAvailable } from '../support/redis.js';
import { replicaTestbed } from '../support/replicas.js';
import { TestClock } from '../support/world.js';

/** Two replicas of the Zalo side of the service on one Redis, as two processes would run it. */
const log = createLogger({ level: process.env.TEST_LOG ?? 'silent' });
const SECRET = 'zalo-webhook-secret-for-replicas';
const LEASE_MS = 600;
const hasRedis = await redisAvailable();
const { keySpace, later } = replicaTestbed(import.meta.filename);

async function cluster() {
  const openStore = keySpace();
  const zalo = await FakeZalo.start();
  later(() => zalo.close());
  const clock = new TestClock(Date.parse('2026-11-26T03:00:00Z'));

  async function replica(name: string) {
    const store = openStore();
    const services = createServices(store, clock, loadPolicy());
    const bot = new ZaloBot(zalo.token, {
      baseApiUrl: zalo.baseApiUrl,
      polling: { autoStart: false, params: { timeout: 1 } },
    });
    later(() => bot.stopPolling());
    // What reached this replica: polled updates (without an inbox), or messages its inbox handed on.
    const received: ZaloMessage[] = [];
    bot.on('message', (msg) => received.push(msg));
    const channel = createZaloChannel({ bot, services, store, log, now: clock.now });
    const receive = (msg: ZaloMessage) => {
      received.push(msg);
      return channel.receive(msg);
    };
    const inbox = createZaloInbox({ store, bot, channel: { ...channel, receive }, log, now: clock.now });
    inbox.start();
    later(() => inbox.stop());
    const app = createHttpApp(log).post('/zalo', zaloWebhook({ bot, secret: SECRET, log, inbox }));
    const http = await listen(app, { port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${http.port}/zalo`;
    later(() => http.close());
    const post = (body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [ZALO_SECRET_HEADER]: SECRET },
        body: JSON.stringify(body),
      });
    const poll = () => {
      const poller = pollOnOneReplica(bot, store, { log, leaseMs: LEASE_MS, replicaId: name });
      later(() => poller.stop());
      return poller;
    };
    return { name, store, services, bot, received, post, poll };
  }
  return { zalo, replica };
}

describe.runIf(hasRedis)('Zalo on two replicas over one Redis', () => {
  it('long-polls on exactly one replica; when it dies another takes over', async () => {
    const { zalo, replica } = await cluster();
    const a = await replica('a');
    const b = await replica('b');
    a.poll();
    await vi.waitFor(() => expect(a.bot.isPolling()).toBe(true));
    b.poll();

    // Across several lease renewals, only A polls and every update reaches A.
    let bPolled = false;
    const watch = setInterval(() => {
      bPolled ||= b.bot.isPolling();
    }, 10);
    for (const text of ['một', 'hai', 'ba']) {
      zalo.queueUpdate(zaloUpdate({ text }));
      await vi.waitFor(() => expect(a.received.at(-1)?.text).toBe(text));
      await new Promise((r) => setTimeout(r, LEASE_MS / 2));
    }
    clearInterval(watch);
    expect(bPolled).toBe(false);
    expect(b.received).toEqual([]);

    // A loses its store (as a dead replica does, without releasing the lease): it stops polling, B takes over.
    await a.store.close();
    await vi.waitFor(() => expect(a.bot.isPolling()).toBe(false), { timeout: 5_000 });
    await vi.waitFor(() => expect(b.bot.isPolling()).toBe(true), { timeout: 5_000 });
    zalo.queueUpdate(zaloUpdate({ text: 'bốn' }));
    await vi.waitFor(() => expect(b.received.map((m) => m.text)).toEqual(['bốn']));
    expect(a.received.map((m) => m.text)).toEqual(['một', 'hai', 'ba']);
  });

  it('in production a replica takes over well within a minute: the lease plus a third of it', () => {
    expect(ZALO_POLL_LEASE_MS + ZALO_POLL_LEASE_MS / 3).toBeLessThan(60_000);
  });

  it('handles a message once when its webhook call reaches both replicas, bare or wrapped', async () => {
    const { zalo, replica } = await cluster();
    const a = await replica('a');
    const b = await replica('b');
    const khe = await a.services.repos.cells.createOrg('Đảng bộ xã Tân An', Date.now());
    const created = await a.services.roster.createCell(
      { orgId: khe.id, name: 'Chi bộ thôn Khe Lếch', kind: 'residential', timeZone: 'Asia/Ho_Chi_Minh' },
      'admin',
    );
    if (!created.ok) throw new Error('cell');
    await a.services.roster.importRoster(created.cell, 'ho_ten\nHà Thị Mai\n', 'admin');
    const [mai] = await a.services.roster.invites(created.cell.id);

    // Zalo retries the call; the retry lands on the other replica, wrapped this time.
    const code = zaloUpdate({ text: mai?.code ?? '' }, { chatId: 'zalo-mai' });
    expect((await a.post(code)).status).toBe(200);
    expect((await b.post({ ok: true, result: code })).status).toBe(200);
    // A later message to each replica: once both are answered, each has handled what came before it.
    await a.post(zaloUpdate({ text: 'trogiup' }, { chatId: 'zalo-mai' }));
    await b.post(zaloUpdate({ text: 'kênh' }, { chatId: 'zalo-mai' }));
    await zalo.waitForSent(3);
    // Three messages, each handled once: the retried call was stored once.
    await vi.waitFor(() => expect(a.received.length + b.received.length).toBe(3));

    const welcome = t('start.welcome', { name: 'Hà Thị Mai' });
    expect(zalo.sent.filter((m) => m.text === welcome)).toHaveLength(1);
    expect(zalo.sent.filter((m) => m.text === t('start.usedCode'))).toEqual([]);
    expect(zalo.sent).toHaveLength(3);
  });
});
