import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTelegramBot } from '../../src/channels/telegram/bot.js';
import { createHttpApp, listen } from '../../src/http/server.js';
import { t } from '../../src/i18n.js';
import { createLogger } from '../../src/logger.js';
import { FAKE_TOKEN, FakeTelegram, type FakeTelegramOptions } from '../support/fake-telegram.js';
import { LogLines } from '../support/log-lines.js';
import { rawRequest } from '../support/raw-http.js';
import { BOT_INFO } from '../support/telegram.js';
import {
  aCellWithAMeeting,
  startWebhookApp,
  TELEGRAM_HOOK,
  TELEGRAM_SECRET,
  type WebhookApp,
} from '../support/webhook-app.js';
import { world } from '../support/world.js';

/** The Telegram webhook of the running service, as Telegram (and anyone holding the secret) calls it. */
const running: WebhookApp[] = [];
afterEach(async () => {
  for (const w of running.splice(0)) await w.stop();
});

async function boot(telegram: FakeTelegramOptions = {}, level = 'warn') {
  const w = await startWebhookApp({ telegram, level });
  running.push(w);
  const { code, meeting } = await aCellWithAMeeting(w.app);
  return { ...w, code, meeting };
}

let updateId = 1000;
const from = (id: number, first_name: string, last_name?: string) => ({
  id,
  is_bot: false,
  first_name,
  ...(last_name ? { last_name } : {}),
});
type User = ReturnType<typeof from>;
const message = (user: User, text: string) => ({
  update_id: ++updateId,
  message: {
    message_id: updateId,
    date: 1_700_000_000,
    chat: { id: user.id, type: 'private', first_name: user.first_name },
    from: user,
    text,
  },
});
const tap = (user: User, data: string) => ({
  update_id: ++updateId,
  callback_query: {
    id: `cb-${updateId}`,
    from: user,
    chat_instance: 'x',
    data,
    message: { message_id: 7, date: 1_700_000_000, chat: { id: user.id, type: 'private' }, text: 'old' },
  },
});

describe('the Telegram webhook', () => {
  it('refuses a body that is not JSON with 400, and one with a wrong secret with 401', async () => {
    const w = await boot();
    expect((await w.postTelegram('{"update_id": 1, "message": ')).status).toBe(400);
    expect((await w.postTelegram('')).status).toBe(400);
    const update = JSON.stringify(message(from(43, 'Sinh'), '/trogiup'));
    expect((await w.postTelegram(update, 'wrong-secret')).status).toBe(401);
    expect((await w.postTelegram('not json either', 'wrong-secret')).status).toBe(401);
    expect(w.telegram.sent).toEqual([]);
    expect(w.logs.at(50)).toEqual([]);
  });

  it('answers 200 with one warning to JSON it cannot use, so Telegram stops redelivering it', async () => {
    const w = await boot();
    const sinh = from(43, 'Sinh');
    const unusable: unknown[] = [
      null,
      42,
      'update',
      [],
      {},
      { update_id: 'one' },
      { update_id: 1, message: 'hello' },
      {
        update_id: 2,
        message: { ...message(sinh, 'x').message, chat: { id: 'forty-three', type: 'private' } },
      },
      { update_id: 3, message: { ...message(sinh, 'x').message, text: 5 } },
      { update_id: 4, message: { ...message(sinh, '/start x').message, entities: 'bot_command' } },
      { update_id: 5, callback_query: { ...tap(sinh, 'a').callback_query, from: null } },
      { update_id: 6, callback_query: { ...tap(sinh, 'a').callback_query, data: { a: 1 } } },
      { update_id: 7, my_chat_member: { chat: { id: -5, type: 'group' } } },
    ];
    for (const body of unusable) {
      const before = w.logs.at(40).length;
      const res = await w.postTelegram(JSON.stringify(body));
      expect(res.status, JSON.stringify(body)).toBe(200);
      const warnings = w.logs.at(40).slice(before);
      expect(warnings, JSON.stringify(body)).toHaveLength(1);
      expect(warnings[0]?.msg).toBe('Ignored a Telegram update the bot cannot use');
    }
    expect(w.logs.at(40).find((l) => l.update_id === 6)).toMatchObject({
      issues: ['callback_query.data: invalid_type (expected string)'],
    });
    // Nothing was acted on, and nothing failed.
    expect(w.telegram.sent).toEqual([]);
    expect(w.telegram.callbackAnswers).toEqual([]);
    expect(w.logs.at(50)).toEqual([]);
    // A kind the bot does not handle is a valid update: taken quietly.
    const before = w.logs.lines.length;
    expect((await w.postTelegram(JSON.stringify({ update_id: 8, poll: { id: 'p' } }))).status).toBe(200);
    expect(w.logs.lines.slice(before)).toEqual([]);
  });

  it('refuses a 2 MB body with 413 before reading it', async () => {
    const w = await boot();
    const huge = JSON.stringify({ ...message(from(43, 'Sinh'), 'x'.repeat(2_000_000)) });
    const res = await rawRequest(
      w.app.port,
      Buffer.concat([
        Buffer.from(
          `POST ${TELEGRAM_HOOK} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
            `X-Telegram-Bot-Api-Secret-Token: ${TELEGRAM_SECRET}\r\nContent-Length: ${huge.length}\r\n\r\n`,
        ),
        Buffer.from(huge),
      ]),
    );
    expect(res.status).toBe(413);
    expect(w.telegram.sent).toEqual([]);
  });

  it('processes a good update as before: a member links with their code', async () => {
    const w = await boot();
    const res = await w.postTelegram(
      JSON.stringify(message(from(43, 'Sinh'), `/start ${w.code('Lò Văn Sinh')}`)),
    );
    expect(res.status).toBe(200);
    expect((await w.app.services.repos.people.byChannel('telegram', 43))?.name).toBe('Lò Văn Sinh');
    expect(w.telegram.sent.map((m) => m.text).join('\n')).toContain('Chào đồng chí');
  });

  it('still answers a tap whose handling fails, with a short Vietnamese toast, and answers 200', async () => {
    const w = await boot();
    const sinh = from(43, 'Sinh');
    await w.postTelegram(JSON.stringify(message(sinh, `/start ${w.code('Lò Văn Sinh')}`)));
    // The store goes away under the handler.
    await w.app.store.close();
    const update = tap(sinh, `a|${w.meeting.id}|p|`);
    const res = await w.postTelegram(JSON.stringify(update));
    expect(res.status).toBe(200);
    expect(w.telegram.callbackAnswers).toEqual([
      { callback_query_id: update.callback_query.id, text: 'Có lỗi, đồng chí vui lòng thử lại sau.' },
    ]);
    expect(t('error.tapFailed')).toBe('Có lỗi, đồng chí vui lòng thử lại sau.');
    // (The outbox, which shares the store, complains too.)
    expect(w.logs.at(50).filter((l) => l.msg === 'Telegram update failed')).toMatchObject([
      { update_id: update.update_id, type: 'callback_query' },
    ]);
  });

  it('answers a failed tap once: not again when its toast was given before the failure', async () => {
    // The member blocked the bot (403): the tap is recorded and answered, then its follow-up message fails.
    const w = await boot({ blocked: ['43'] });
    const sinh = from(43, 'Sinh');
    await w.postTelegram(JSON.stringify(message(sinh, `/start ${w.code('Lò Văn Sinh')}`)));
    const update = tap(sinh, `a|${w.meeting.id}|a|`);
    expect((await w.postTelegram(JSON.stringify(update))).status).toBe(200);
    const answers = w.telegram.callbackAnswers.filter(
      (a) => a.callback_query_id === update.callback_query.id,
    );
    expect(answers).toHaveLength(1);
    expect(answers[0]?.text).not.toBe(t('error.tapFailed'));
  });

  it('logs a failing update by id, kind and error, never the names or words in it', async () => {
    // The member blocked the bot (403): every reply fails, and goes to the outbox; at debug level.
    const w = await boot({ blocked: ['44'] }, 'debug');
    const planted = from(44, 'Phượng-Planted', 'Trần-Secret');
    const words = 'Tôi ốm nặng, bệnh viện Bạch Mai phòng 12';
    const updates = [
      message(planted, `/start ${w.code('Lò Văn Sinh')}`),
      message(planted, words),
      tap(planted, `zz|${words}`),
    ];
    for (const update of updates) expect((await w.postTelegram(JSON.stringify(update))).status).toBe(200);
    // Then the store goes away under the next one.
    await w.app.store.close();
    const failing = message(planted, `${words}, lần hai`);
    expect((await w.postTelegram(JSON.stringify(failing))).status).toBe(200);

    const failures = w.logs.lines.filter((l) => l.msg === 'Telegram update failed');
    expect(failures).toMatchObject([
      { update_id: failing.update_id, type: 'message', err: { type: 'TypeError' } },
    ]);
    const everything = w.logs.raw.join('');
    for (const secret of ['Phượng-Planted', 'Trần-Secret', 'Bạch Mai', words, 'Lò Văn Sinh'])
      expect(everything).not.toContain(secret);
  });

  it('answers 200 to an update still being handled at its timeout, which then carries on', async () => {
    // Every send takes 600 ms; the webhook answers after 100 ms.
    const fake = await FakeTelegram.start({ latencyMs: 600 });
    const { services, store } = world();
    const logs = new LogLines();
    const tg = createTelegramBot({
      token: FAKE_TOKEN,
      apiRoot: fake.apiRoot,
      services,
      store,
      log: createLogger({ level: 'warn', destination: logs }),
      now: () => Date.now(),
      botInfo: BOT_INFO,
    });
    const server = await listen(
      createHttpApp(createLogger({ level: 'silent' })).post(
        '/hook',
        tg.webhook('hook-secret', { timeoutMs: 100 }),
      ),
      { port: 0, host: '127.0.0.1' },
    );
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/hook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'hook-secret' },
        body: JSON.stringify(message(from(45, 'Hoa'), '/trogiup')),
      });
      expect(res.status).toBe(200);
      expect(logs.at(40)).toMatchObject([
        { msg: 'A Telegram update is taking long; answered its webhook call' },
      ]);
      // The update was not dropped: its answer arrives once the send returns.
      await vi.waitFor(() => expect(fake.sent.map((m) => m.chat_id)).toEqual(['45']), { timeout: 3_000 });
    } finally {
      await server.close();
      await fake.close();
    }
  });
});
