import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type App, startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { FAKE_TOKEN, FakeTelegram } from '../support/fake-telegram.js';
import { aCellWithAMeeting } from '../support/webhook-app.js';

const quiet = createLogger({ level: 'silent' });
const running: { app?: App; fake?: FakeTelegram }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.app?.stop();
    await r.fake?.close();
  }
});

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function boot(env: Record<string, string>, fakeOptions: Parameters<typeof FakeTelegram.start>[0] = {}) {
  const fake = await FakeTelegram.start(fakeOptions);
  const app = await startApp(
    loadConfig({
      PORT: '0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'chibo-tg-')),
      TELEGRAM_BOT_TOKEN: FAKE_TOKEN,
      TELEGRAM_API_ROOT: fake.apiRoot,
      ...env,
    }),
    { log: quiet },
  );
  running.push({ app, fake });
  // Start-up does not wait for the Bot API: the channel connects in the background.
  await app.channelsConnected;
  const { code, meeting } = await aCellWithAMeeting(app);
  return { app, fake, code, meeting };
}

const from = (id: number, first_name: string) => ({ id, is_bot: false, first_name });
const message = (user: ReturnType<typeof from>, text: string) => ({
  message: {
    message_id: 1,
    date: 0,
    chat: { id: user.id, type: 'private', first_name: user.first_name },
    from: user,
    text,
  },
});
const tap = (user: ReturnType<typeof from>, data: string) => ({
  callback_query: {
    id: `cb-${Math.random()}`,
    from: user,
    chat_instance: 'x',
    data,
    message: { message_id: 7, date: 0, chat: { id: user.id, type: 'private' }, text: 'old' },
  },
});

describe('Telegram through a fake Bot API (TELEGRAM_API_ROOT)', () => {
  it('polls: a member taps, and the secretary’s tally shows it', async () => {
    const { fake, code, meeting } = await boot({});
    const tuan = from(41, 'Tuấn');
    const sinh = from(42, 'Sinh');
    fake.pushUpdate(message(tuan, `/start ${code('Nguyễn Văn Tuấn')}`));
    fake.pushUpdate(message(sinh, `/start ${code('Lò Văn Sinh')}`));
    await until(
      () => fake.sent.filter((m) => m.text.startsWith('Chào đồng chí')).length === 2 || undefined,
      'both linked',
    );

    fake.pushUpdate(tap(sinh, `a|${meeting.id}|p|`));
    await until(() => fake.callbackAnswers.find((a) => a.text === 'Đã ghi: Có mặt'), 'the tap answered');
    fake.pushUpdate(message(tuan, '/diemdanh'));
    const tally = await until(
      () => fake.sent.find((m) => m.text.startsWith('Tình hình xác nhận dự họp')),
      'the tally',
    );
    expect(tally.text).toContain('Có mặt 1/2 · Vắng 0 · Chưa trả lời 1');
    expect(String(tally.chat_id)).toBe('41');
    expect(fake.commands.length).toBeGreaterThan(0);
  });

  it('serves a webhook that refuses a wrong secret with 401 and processes a right one', async () => {
    const { app, fake, code } = await boot({
      TELEGRAM_WEBHOOK_URL: 'https://chibo.example.vn/telegram/hook',
      TELEGRAM_WEBHOOK_SECRET: 'right-secret_123',
    });
    // Only the updates the bot handles, as polling asks for them.
    expect(fake.webhook).toEqual({
      url: 'https://chibo.example.vn/telegram/hook',
      secret_token: 'right-secret_123',
      allowed_updates: ['message', 'callback_query', 'my_chat_member'],
    });
    const post = (secret: string, body: unknown) =>
      fetch(`http://127.0.0.1:${app.port}/telegram/hook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body: JSON.stringify(body),
      });
    const update = { update_id: 9001, ...message(from(43, 'Sinh'), `/start ${code('Lò Văn Sinh')}`) };
    expect((await post('wrong-secret', update)).status).toBe(401);
    expect(await app.services.repos.people.byChannel('telegram', 43)).toBeUndefined();
    expect((await post('right-secret_123', update)).status).toBe(200);
    expect((await app.services.repos.people.byChannel('telegram', 43))?.name).toBe('Lò Văn Sinh');
  });

  it('says in /readyz when polling cannot reach Telegram, and when it receives again; prints nothing itself', async () => {
    const printed = vi.spyOn(console, 'error');
    const { app, fake } = await boot({});
    const telegram = async () => {
      const res = await fetch(`http://127.0.0.1:${app.port}/readyz`);
      return ((await res.json()) as { channels: Record<string, Record<string, unknown>> }).channels.telegram;
    };
    const answered = (chatId: number) => () => fake.sent.find((m) => String(m.chat_id) === String(chatId));
    fake.pushUpdate(message(from(60, 'Hà'), '/trogiup'));
    await until(answered(60), 'a reply: polling runs');
    // Unreachable from now on: the long poll under way ends with this update (if it had begun), the next fail.
    fake.pollingUnreachable = true;
    fake.pushUpdate(message(from(61, 'Hùng'), '/trogiup'));
    await vi.waitFor(
      async () =>
        expect(await telegram()).toMatchObject({
          ok: false,
          state: 'receiving_failed',
          lastError: expect.stringContaining('getUpdates'),
        }),
      { timeout: 8000, interval: 25 },
    );
    expect((await fetch(`http://127.0.0.1:${app.port}/readyz`)).status).toBe(503);
    // Reachable again: the runner's next retry receives, and what was sent meanwhile is handled.
    fake.pushUpdate(message(from(62, 'Lan'), '/trogiup'));
    fake.pollingUnreachable = false;
    await until(answered(61), 'the reply to the update sent as polling failed');
    await until(answered(62), 'the reply to the update sent while polling failed');
    await vi.waitFor(async () => expect(await telegram()).toMatchObject({ ok: true, state: 'connected' }), {
      timeout: 8000,
      interval: 25,
    });
    // The runner's own failure lines are off: the failure went to the log, as a warning, once.
    expect(printed).not.toHaveBeenCalled();
    printed.mockRestore();
  });

  it('obeys retry_after when the API answers 429', async () => {
    const { fake } = await boot({}, { failures: { tooManyRequests: 0.3 }, retryAfter: 1, seed: 7 });
    for (let i = 0; i < 4; i++) fake.pushUpdate(message(from(50 + i, `U${i}`), '/trogiup'));
    await until(
      () => new Set(fake.sent.map((m) => m.chat_id)).size === 4 || undefined,
      'every reply',
      15_000,
    );
    expect(fake.got429).toBeGreaterThan(0);
    expect(fake.earlySends).toEqual([]);
  });
});
