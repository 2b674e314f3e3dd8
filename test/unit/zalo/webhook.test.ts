import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ZaloBot } from '../../../src/channels/zalo/client.js';
import type { ZaloError } from '../../../src/channels/zalo/errors.js';
import { createZaloInbox, type ZaloInbox } from '../../../src/channels/zalo/inbox.js';
import type { ZaloMessage } from '../../../src/channels/zalo/types.js';
import { zaloWebhook } from '../../../src/channels/zalo/webhook.js';
import { createHttpApp, type HttpServer, listen } from '../../../src/http/server.js';
import { createLogger } from '../../../src/logger.js';
import { keys } from '../../../src/store/keys.js';
import type { Store } from '../../../src/store/port.js';
import { RedisStore } from '../../../src/store/redis.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { FakeZalo, zaloUpdate } from '../../support/fake-zalo.js';
import { sqliteFile } from '../../support/world.js';

const SECRET = 'webhook-secret-of-the-cell';
const log = createLogger({ level: 'silent' });

let zalo: FakeZalo;
let http: HttpServer;
let url: string;
let bot: ZaloBot;
let store: Store;
let inbox: ZaloInbox;
/** What the inbox handed on to be handled, in order. */
let received: ZaloMessage[];

/** The webhook over an inbox in `over` (a real store), handing updates to a recorder once started. */
async function serve(over: Store) {
  store = over;
  inbox = createZaloInbox({
    store,
    bot,
    channel: { receive: async (msg) => void received.push(msg), reply: async () => undefined },
    log,
    now: Date.now,
    storeTimeoutMs: 300,
  });
  const handler = zaloWebhook({ bot, secret: SECRET, log, inbox });
  http = await listen(createHttpApp(log).post('/zalo/webhook', handler), { port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${http.port}/zalo/webhook`;
}

beforeEach(async () => {
  zalo = await FakeZalo.start();
  bot = new ZaloBot(zalo.token, { baseApiUrl: zalo.baseApiUrl, logger: log });
  received = [];
});

afterEach(async () => {
  await inbox.stop();
  await http.close();
  await store.close();
  await zalo.close();
});

/** `secret: null` sends no secret header. */
function post(body: unknown, secret: string | null = SECRET) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(secret === null ? {} : { 'x-bot-api-secret-token': secret }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('the Zalo webhook', () => {
  beforeEach(async () => {
    await serve(new SqliteStore(sqliteFile()));
    inbox.start();
  });

  it('refuses a wrong or missing secret with 401 and processes nothing', async () => {
    const update = zaloUpdate({ text: 'co' });

    expect((await post(update, 'webhook-secret-of-the-cel')).status).toBe(401);
    expect((await post(update, `${SECRET}x`)).status).toBe(401);
    expect((await post(update, null)).status).toBe(401);

    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual([]);
  });

  it('handles a bare update and one wrapped as { ok, result }, and forgets them once handled', async () => {
    const bare = await post(zaloUpdate({ text: 'có mặt' }));
    const wrapped = await post({ ok: true, result: zaloUpdate({ text: 'vắng' }) });

    expect([bare.status, wrapped.status]).toEqual([200, 200]);
    await vi.waitFor(() => expect(received.map((m) => m.text)).toEqual(['có mặt', 'vắng']));
    await vi.waitFor(async () => expect(await store.hgetall(keys.zaloInbox())).toEqual({}));
  });

  it('processes a redelivered message_id once', async () => {
    const update = zaloUpdate({ text: '1' });

    expect((await post(update)).status).toBe(200);
    expect((await post({ ok: true, result: update })).status).toBe(200);
    await post(zaloUpdate({ text: 'sau' }));

    await vi.waitFor(() => expect(received.map((m) => m.text)).toEqual(['1', 'sau']));
  });

  it('drops the bot’s own echoes, marked is_bot or sent from the id getMe gave', async () => {
    const me = await bot.getMe();

    await post(zaloUpdate({ text: 'Lời mời họp' }, { fromId: 'another-bot', isBot: true }));
    await post(zaloUpdate({ text: 'Nhắc lịch họp' }, { fromId: me.id }));
    await post(zaloUpdate({ text: 'co' }));

    await vi.waitFor(() => expect(received.map((m) => m.text)).toEqual(['co']));
  });

  it('answers 400 to a body that is not JSON, and reports it as a webhook_error', async () => {
    const errors: ZaloError[] = [];
    bot.on('webhook_error', (err) => errors.push(err));

    const res = await post('{"event_name": "message.text.received", ');

    expect(res.status).toBe(400);
    expect(errors).toMatchObject([{ code: 'EPARSE' }]);
  });

  it('accepts JSON that is not an update, then drops it without failing', async () => {
    const res = await post({ event_name: 'message.text.received' });

    expect(res.status).toBe(200);
    await post(zaloUpdate({ text: 'vẫn chạy' }));
    await vi.waitFor(() => expect(received.map((m) => m.text)).toEqual(['vẫn chạy']));
  });
});

describe('the Zalo webhook over its inbox', () => {
  it('answers 200 only once the update is stored: it is in the store before anything handles it', async () => {
    await serve(new SqliteStore(sqliteFile()));
    const update = zaloUpdate({ text: '1' }, { chatId: 'zalo-mai', messageId: 'm-1' });

    expect((await post(update)).status).toBe(200);

    const stored = await store.hgetall(keys.zaloInbox());
    expect(Object.keys(stored)).toEqual(['zalo-mai:m-1']);
    expect(JSON.parse(stored['zalo-mai:m-1'] ?? '{}').message.text).toBe('1');
    expect(received).toEqual([]);
    inbox.start();
    await vi.waitFor(() => expect(received.map((m) => m.message_id)).toEqual(['m-1']));
  });

  it('answers 503 while the store cannot take the update, so Zalo delivers it again', async () => {
    // A real Redis adapter pointed at a port nobody listens on: the store is down.
    await serve(new RedisStore({ url: 'redis://127.0.0.1:1', keyPrefix: 'down:' }));
    inbox.start();

    const res = await post(zaloUpdate({ text: 'có mặt' }));

    expect(res.status).toBe(503);
    expect(received).toEqual([]);
  });
});
