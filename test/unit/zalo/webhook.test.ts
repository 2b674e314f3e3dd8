import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ZaloBot } from '../../../src/channels/zalo/client.js';
import type { ZaloError } from '../../../src/channels/zalo/errors.js';
import type { ZaloMessage } from '../../../src/channels/zalo/types.js';
import { zaloWebhook } from '../../../src/channels/zalo/webhook.js';
import { createHttpApp, type HttpServer, listen } from '../../../src/http/server.js';
import { createLogger } from '../../../src/logger.js';
import { FakeZalo, zaloUpdate } from '../../support/fake-zalo.js';

const SECRET = 'webhook-secret-of-the-cell';
const log = createLogger({ level: 'silent' });

let zalo: FakeZalo;
let http: HttpServer;
let url: string;
let bot: ZaloBot;
let received: ZaloMessage[];
/** The response of the request being handled, to see whether it was finished before the update was processed. */
let response: ServerResponse | undefined;

beforeEach(async () => {
  zalo = await FakeZalo.start();
  bot = new ZaloBot(zalo.token, { baseApiUrl: zalo.baseApiUrl, logger: log });
  received = [];
  bot.on('message', (msg) => received.push(msg));
  const handler = zaloWebhook({ bot, secret: SECRET, log });
  const app = createHttpApp(log).post('/zalo/webhook', (c, next) => {
    response = c.env.outgoing;
    return handler(c, next);
  });
  http = await listen(app, 0, '127.0.0.1');
  url = `http://127.0.0.1:${http.port}/zalo/webhook`;
});

afterEach(async () => {
  await http.close();
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
  it('refuses a wrong or missing secret with 401 and processes nothing', async () => {
    const update = zaloUpdate({ text: 'co' });

    expect((await post(update, 'webhook-secret-of-the-cel')).status).toBe(401);
    expect((await post(update, `${SECRET}x`)).status).toBe(401);
    expect((await post(update, null)).status).toBe(401);

    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual([]);
  });

  it('answers 200 before processing, for a bare update and for one wrapped as { ok, result }', async () => {
    let answeredFirst: boolean[] = [];
    bot.on('text', () => {
      answeredFirst = [...answeredFirst, response?.writableEnded === true];
    });

    const bare = await post(zaloUpdate({ text: 'có mặt' }));
    const wrapped = await post({ ok: true, result: zaloUpdate({ text: 'vắng' }) });

    expect([bare.status, wrapped.status]).toEqual([200, 200]);
    await vi.waitFor(() => expect(received.map((m) => m.text)).toEqual(['có mặt', 'vắng']));
    expect(answeredFirst).toEqual([true, true]);
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
