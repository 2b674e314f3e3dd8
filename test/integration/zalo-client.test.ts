import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ZaloBot, type ZaloBotOptions } from '../../src/channels/zalo/client.js';
import { ZaloError } from '../../src/channels/zalo/errors.js';
import type { ZaloMessage } from '../../src/channels/zalo/types.js';
import { createLogger } from '../../src/logger.js';
import { FakeZalo, zaloUpdate } from '../support/fake-zalo.js';

function memoryLog() {
  const lines: string[] = [];
  const log = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { log, lines, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

let zalo: FakeZalo;
const bots: ZaloBot[] = [];

/** A bot on the fake, stopped after the test. */
function connect(options: ZaloBotOptions = {}, token = zalo.token): ZaloBot {
  const bot = new ZaloBot(token, { baseApiUrl: zalo.baseApiUrl, ...options });
  bots.push(bot);
  return bot;
}

const getUpdatesCalls = () => zalo.calls.filter((c) => c.method === 'getUpdates');

beforeEach(async () => {
  zalo = await FakeZalo.start();
});

afterEach(async () => {
  await Promise.all(bots.splice(0).map((bot) => bot.stopPolling()));
  await zalo.close();
});

describe('ZaloBot against the fake Zalo Bot API', () => {
  it('gets the bot’s own account with getMe', async () => {
    await expect(connect().getMe()).resolves.toEqual(zalo.me);
  });

  it('polls one update per getUpdates call, and an idle 408 is neither an error nor a warning', async () => {
    const { log, entries } = memoryLog();
    zalo.queueUpdate(zaloUpdate({ text: 'một' }));
    zalo.queueUpdate(zaloUpdate({ text: 'hai' }));
    const texts: string[] = [];
    const pollingErrors: Error[] = [];
    const bot = connect({ polling: { params: { timeout: 1 } }, logger: log });
    bot.on('text', (msg) => texts.push(msg.text ?? ''));
    bot.on('polling_error', (err) => pollingErrors.push(err));

    await vi.waitFor(() => expect(texts).toEqual(['một', 'hai']));
    // Two updates, then the one now waiting (its request may reach the fake just after the second text event).
    await vi.waitFor(() => expect(getUpdatesCalls()).toHaveLength(3));
    // The third call idles for its 1 s and answers 408; a fourth follows at once.
    await vi.waitFor(() => expect(getUpdatesCalls().length).toBeGreaterThanOrEqual(4), { timeout: 3_000 });
    zalo.queueUpdate(zaloUpdate({ text: 'ba' }));
    await vi.waitFor(() => expect(texts).toEqual(['một', 'hai', 'ba']));

    expect(getUpdatesCalls().every((c) => c.params.timeout === '1')).toBe(true);
    expect(pollingErrors).toEqual([]);
    expect(entries().filter((e) => (e.level as number) >= 40)).toEqual([]);
  });

  it('backs off on failed polls, doubling up to the cap, emitting polling_error, and resets after a success', async () => {
    const { log, entries } = memoryLog();
    zalo.failNext(3, 500, undefined, 'getUpdates');
    zalo.queueUpdate(zaloUpdate({ text: 'sau sự cố' }));
    const pollingErrors: ZaloError[] = [];
    const bot = connect({
      polling: { params: { timeout: 1 }, backoff: { minMs: 50, maxMs: 150 } },
      logger: log,
    });
    bot.on('polling_error', (err) => pollingErrors.push(err));
    const texts: string[] = [];
    bot.on('text', (msg) => {
      texts.push(msg.text ?? '');
      zalo.failNext(1, 500, undefined, 'getUpdates');
    });

    await vi.waitFor(() => expect(pollingErrors).toHaveLength(4), { timeout: 4_000 });

    expect(texts).toEqual(['sau sự cố']);
    expect(pollingErrors[0]).toBeInstanceOf(ZaloError);
    expect(pollingErrors[0]).toMatchObject({ code: 'EZALO', errorCode: 500, response: { status: 500 } });
    const delays = entries()
      .filter((e) => e.level === 40)
      .map((e) => e.retryInMs);
    expect(delays).toEqual([50, 100, 150, 50]);
    // The calls themselves were spaced at least that much.
    const at = getUpdatesCalls().map((c) => c.at);
    const [first, second, third] = at.slice(1, 4).map((t, i) => t - (at[i] ?? t));
    expect(first).toBeGreaterThanOrEqual(50);
    expect(second).toBeGreaterThanOrEqual(100);
    expect(third).toBeGreaterThanOrEqual(150);
  });

  it('stops polling at once, even mid long poll, and leaves the next update to the next poller', async () => {
    const bot = connect({ polling: true });
    await vi.waitFor(() => expect(getUpdatesCalls()).toHaveLength(1));
    expect(bot.isPolling()).toBe(true);

    const started = Date.now();
    await bot.stopPolling();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(bot.isPolling()).toBe(false);
    // The aborted request closed its connection: the fake no longer counts it as waiting.
    await vi.waitFor(() => expect(zalo.waitingPolls).toBe(0));

    zalo.queueUpdate(zaloUpdate({ text: 'vẫn còn đây' }));
    const next = connect({ polling: true });
    const received = new Promise<ZaloMessage>((resolve) => next.on('text', resolve));
    await expect(received).resolves.toMatchObject({ text: 'vẫn còn đây' });
  });

  it('sends a message of 2000 characters, and surfaces the refusal of a longer one as an EZALO error', async () => {
    const bot = connect();
    await expect(bot.sendMessage('user-an', 'a'.repeat(2000))).resolves.toMatchObject({
      message_id: expect.any(String),
      date: expect.any(Number),
    });

    const err = await bot.sendMessage('user-an', 'a'.repeat(2001)).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ZaloError);
    expect(err).toMatchObject({
      code: 'EZALO',
      method: 'sendMessage',
      errorCode: 400,
      response: { status: 400, body: { ok: false, error_code: 400 } },
    });
    expect(zalo.sent).toHaveLength(1);
  });

  it('sends photos, stickers and chat actions', async () => {
    const bot = connect();
    await bot.sendPhoto('user-an', 'https://example.test/lich.png', { caption: 'Lịch họp' });
    await bot.sendSticker('user-an', 'st-1');
    await bot.sendChatAction('user-an', 'typing');

    expect(zalo.sent).toMatchObject([
      {
        method: 'sendPhoto',
        chat_id: 'user-an',
        photo: 'https://example.test/lich.png',
        caption: 'Lịch họp',
      },
      { method: 'sendSticker', chat_id: 'user-an', sticker: 'st-1' },
    ]);
    expect(zalo.calls.at(-1)).toMatchObject({ method: 'sendChatAction', params: { action: 'typing' } });
  });

  it('sets a webhook only with an https URL and an 8–256 character secret; polling fails while it is set', async () => {
    const bot = connect();
    await expect(
      bot.setWebHook('https://chibo.example/zalo', { secret_token: 'short' }),
    ).rejects.toMatchObject({
      code: 'EZALO',
      errorCode: 400,
    });
    await expect(
      bot.setWebHook('http://chibo.example/zalo', { secret_token: 's'.repeat(8) }),
    ).rejects.toMatchObject({ errorCode: 400 });
    expect(zalo.webhook).toBeUndefined();

    for (const length of [7, 257])
      await expect(
        bot.setWebHook('https://chibo.example/zalo', { secret_token: 's'.repeat(length) }),
      ).rejects.toMatchObject({ code: 'EZALO', errorCode: 400 });
    expect(zalo.webhook).toBeUndefined();

    await bot.setWebHook('https://chibo.example/zalo', { secret_token: 's'.repeat(256) });
    expect(zalo.webhook?.secret_token).toHaveLength(256);
    await bot.setWebHook('https://chibo.example/zalo', { secret_token: 's'.repeat(8) });
    await expect(bot.getWebHookInfo()).resolves.toMatchObject({ url: 'https://chibo.example/zalo' });
    await expect(bot.getUpdates({ timeout: 1 })).rejects.toMatchObject({ code: 'EZALO', errorCode: 409 });

    await bot.deleteWebHook();
    await expect(bot.getWebHookInfo()).resolves.toMatchObject({ url: '' });
  });
});

describe('ZaloBot driven as the SDK’s documented examples do', () => {
  it('answers /start through polling: true, on("text") and onText', async () => {
    const bot = new ZaloBot(zalo.token, { polling: true, baseApiUrl: zalo.baseApiUrl });
    bots.push(bot);
    const texts: string[] = [];
    bot.on('text', (msg) => texts.push(msg.text ?? ''));
    bot.onText(/\/start (.+)/, (msg, match) => {
      bot.sendMessage(msg.chat.id, `Chào mừng, mã mời ${match[1]}`);
    });

    zalo.queueUpdate(zaloUpdate({ text: '/start MOI-2025' }, { chatId: 'user-binh' }));

    const [reply] = await zalo.waitForSent(1);
    expect(reply).toMatchObject({ chat_id: 'user-binh', text: 'Chào mừng, mã mời MOI-2025' });
    expect(texts).toEqual(['/start MOI-2025']);
  });

  it('runs the README’s echo bot without answering its own echoes', async () => {
    await zalo.close();
    zalo = await FakeZalo.start({ echoSentMessages: true });
    const bot = new ZaloBot(zalo.token, { polling: true, baseApiUrl: zalo.baseApiUrl });
    bots.push(bot);
    bot.on('message', (msg, metadata) => {
      if (metadata.type === 'text') bot.sendMessage(msg.chat.id, `Bạn vừa gửi: ${msg.text}`);
    });

    zalo.queueUpdate(zaloUpdate({ text: 'một' }));
    await zalo.waitForSent(1);
    // Queued behind the echo of the first reply, so the echo has been through the bot once this is answered.
    zalo.queueUpdate(zaloUpdate({ text: 'hai' }));
    await zalo.waitForSent((m) => m.text === 'Bạn vừa gửi: hai');

    expect(zalo.sent.map((m) => m.text)).toEqual(['Bạn vừa gửi: một', 'Bạn vừa gửi: hai']);
  });
});

describe('the token', () => {
  const mentionsToken = (text: string) => text.includes(zalo.token);

  it('appears in no log line and no error of any kind of failing call', async () => {
    const { log, lines } = memoryLog();
    const token = zalo.token;
    const failures: unknown[] = [];
    const capture = (call: Promise<unknown>) =>
      call.then(
        () => expect.fail('the call should fail'),
        (e) => e,
      );

    // An API refusal whose description echoes the request path.
    zalo.failNext(1, 403, { ok: false, error_code: 403, description: `Forbidden: /bot${token}/sendMessage` });
    failures.push(await capture(connect({ logger: log }).sendMessage('user-an', 'x')));
    // A proxy's error page that is not JSON and quotes the URL.
    zalo.failNext(1, 502, `<html><body>502 Bad Gateway for /bot${token}/getMe</body></html>`);
    failures.push(await capture(connect({ logger: log }).getMe()));
    // Nothing listening at all.
    const unreachable = new ZaloBot(token, { baseApiUrl: 'http://127.0.0.1:1', logger: log });
    failures.push(await capture(unreachable.getMe()));
    // A token the server does not know (the fake's is another).
    failures.push(await capture(connect({ logger: log }, `${token}-revoked`).getMe()));
    // The polling loop's own warnings.
    const poller = new ZaloBot(token, {
      baseApiUrl: 'http://127.0.0.1:1',
      logger: log,
      polling: { backoff: { minMs: 10, maxMs: 10 } },
    });
    bots.push(poller);
    const pollingErrors: ZaloError[] = [];
    poller.on('polling_error', (err) => pollingErrors.push(err));
    await vi.waitFor(() => expect(pollingErrors.length).toBeGreaterThanOrEqual(2));
    await poller.stopPolling();
    failures.push(...pollingErrors);
    for (const err of failures) log.error({ err }, 'Zalo call failed');

    expect(failures.map((e) => (e as ZaloError).code)).toEqual([
      'EZALO',
      'EPARSE',
      'EFATAL',
      'EZALO',
      ...pollingErrors.map(() => 'EFATAL'),
    ]);
    expect((failures[1] as ZaloError).response?.body).toContain('/bot[token]/getMe');
    for (const err of failures) {
      const e = err as ZaloError;
      expect(mentionsToken(e.message)).toBe(false);
      expect(mentionsToken(e.stack ?? '')).toBe(false);
      expect(mentionsToken(JSON.stringify(e))).toBe(false);
      expect(mentionsToken(inspect(e, { depth: null, showHidden: true }))).toBe(false);
    }
    expect(lines.length).toBeGreaterThan(failures.length);
    expect(lines.filter(mentionsToken)).toEqual([]);
    expect(mentionsToken(inspect(poller, { depth: 3 }))).toBe(false);
  });
});
