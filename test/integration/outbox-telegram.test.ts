import { Api } from 'grammy';
import { afterAll, describe, expect, it } from 'vitest';
import { TelegramSender } from '../../src/channels/telegram/sender.js';
import { Outbox, type OutboxMessage } from '../../src/delivery/outbox.js';
import { SendError } from '../../src/delivery/sender.js';
import { createMetrics } from '../../src/metrics.js';
import { keys } from '../../src/store/keys.js';
import type { Store } from '../../src/store/port.js';
import { CellsRepo } from '../../src/store/repositories/cells.js';
import { PeopleRepo } from '../../src/store/repositories/people.js';
import { FakeTelegram, type FakeTelegramOptions } from '../support/fake-telegram.js';
import { quietLog, seedCell, storeTargets } from '../support/scheduler-fixtures.js';
import { TestClock } from '../support/world.js';

const targets = await storeTargets(import.meta.filename);
afterAll(() => Promise.all(targets.map((t) => t.cleanup())));

/**
 * An outbox and the fake on one simulated clock: retry_after, backoff and the chat interval pass by moving it,
 * not by waiting (the fake checks retry_after on the same clock). Only the send rate paces real time.
 */
async function outboxAgainst(store: Store, fakeOptions: FakeTelegramOptions) {
  const clock = new TestClock(Date.parse('2026-11-26T03:00:00Z'));
  const fake = await FakeTelegram.start({ ...fakeOptions, now: clock.now });
  const outbox = new Outbox(
    {
      store,
      people: new PeopleRepo(store),
      cells: new CellsRepo(store),
      senders: [new TelegramSender(fake.token, { apiRoot: fake.apiRoot })],
      now: clock.now,
      sleep: clock.sleep,
      log: quietLog,
      metrics: createMetrics(),
    },
    { rates: { telegram: 300 }, backoffMs: 200 },
  );
  return { fake, outbox, runUntil: (done: () => boolean) => runUntil(store, outbox, clock, done) };
}

/** Runs the outbox's sender until `done`, moving the clock to each next due message whenever it has settled. */
async function runUntil(store: Store, outbox: Outbox, clock: TestClock, done: () => boolean) {
  const stop = new AbortController();
  const running = outbox.run('telegram', stop.signal);
  for (let rounds = 0; rounds < 1_000; rounds++) {
    await outbox.settled('telegram');
    if (done()) break;
    const [next] = await store.zrangeByScore(
      keys.outboxDue('telegram'),
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      { limit: 1 },
    );
    if (!next) break;
    clock.set(Math.max(clock.now(), next.score));
  }
  stop.abort();
  await running;
}

describe('the fake Bot API', () => {
  it('answers grammY like Telegram: getMe, long-polled updates with offsets, webhook conflict, edits, taps', async () => {
    const fake = await FakeTelegram.start();
    const api = new Api(fake.token, { apiRoot: fake.apiRoot });
    expect((await api.getMe()).username).toBe('chibo_test_bot');

    setTimeout(() => fake.pushUpdate({ message: { text: 'một' } }), 100);
    const [first] = await api.getUpdates({ timeout: 5 });
    expect(first).toMatchObject({ update_id: 1, message: { text: 'một' } });
    fake.pushUpdate({ message: { text: 'hai' } });
    expect((await api.getUpdates({ offset: 2, timeout: 0 })).map((u) => u.update_id)).toEqual([2]);

    await api.setWebhook('https://example.org/hook', { secret_token: 'bí-mật' });
    await expect(api.getUpdates({ timeout: 0 })).rejects.toMatchObject({ error_code: 409 });
    await api.deleteWebhook();

    const sent = await api.sendMessage(7, 'Xin chào');
    await api.editMessageText(7, sent.message_id, 'Xin chào lần nữa');
    await api.answerCallbackQuery('cb1', { text: 'Đã ghi' });
    expect(fake.sent).toMatchObject([{ chat_id: '7', text: 'Xin chào', message_id: 1 }]);
    expect(fake.edits).toEqual([{ chat_id: '7', message_id: 1, text: 'Xin chào lần nữa' }]);
    expect(fake.callbackAnswers).toEqual([{ callback_query_id: 'cb1', text: 'Đã ghi' }]);
    await fake.close();
  });
});

describe('TelegramSender', () => {
  it('reports a refused connection as transient', async () => {
    const sender = new TelegramSender('1:unreachable-token-abcdefghijklmnop', {
      apiRoot: 'http://127.0.0.1:1',
    });
    const error = await sender.send('1', { text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendError);
    expect(error).toMatchObject({ kind: 'transient' });
  });
});

for (const target of targets) {
  describe(`outbox through a fake Bot API on ${target.name}`, () => {
    it('delivers everything once despite 10% 429 and 5% 500, never before a chat’s retry_after', async () => {
      const store = await target.open();
      const { fake, outbox, runUntil } = await outboxAgainst(store, {
        failures: { tooManyRequests: 0.1, serverError: 0.05 },
        seed: 7,
      });
      const messages: OutboxMessage[] = [];
      for (let round = 0; round < 2; round++)
        for (let chat = 0; chat < 100; chat++)
          messages.push({
            key: `m:${chat}:${round}`,
            channel: 'telegram',
            chatId: String(5000 + chat),
            view: { text: `tin ${round} cho ${chat}` },
          });
      await outbox.enqueue(messages);
      await runUntil(() => fake.sent.length >= messages.length);

      expect(fake.sent).toHaveLength(messages.length);
      expect(fake.duplicates()).toBe(0);
      expect(fake.got429).toBeGreaterThan(5);
      expect(fake.got500).toBeGreaterThan(3);
      expect(fake.earlySends).toEqual([]);
      expect(await outbox.depth()).toBe(0);
      await fake.close();
      await store.close();
    });

    it('turns "blocked" and "chat not found" into dead letters, unreachable people and a word to the secretaries', async () => {
      const store = await target.open();
      const { cell, secretaries, members } = await seedCell(store, { secretaries: 1, members: 3 });
      const [blocked, missing, fine] = members as [
        (typeof members)[0],
        (typeof members)[0],
        (typeof members)[0],
      ];
      const { fake, outbox, runUntil } = await outboxAgainst(store, {
        blocked: [String(blocked.telegramId)],
        missing: [String(missing.telegramId)],
      });
      await outbox.enqueue(
        members.map((m) => ({
          key: `notice:${m.id}`,
          channel: 'telegram' as const,
          chatId: String(m.telegramId),
          personId: m.id,
          cellId: cell.id,
          view: { text: `Thông báo cho ${m.name}` },
        })),
      );
      const secretaryChat = String(secretaries[0]?.telegramId);
      await runUntil(() => fake.sent.filter((m) => m.chat_id === secretaryChat).length === 2);

      expect((await outbox.listDeadLetters()).map((d) => d.personId).sort()).toEqual(
        [blocked.id, missing.id].sort(),
      );
      const people = new PeopleRepo(store);
      expect((await people.get(blocked.id))?.unreachable).toEqual(['telegram']);
      expect((await people.get(missing.id))?.unreachable).toEqual(['telegram']);
      expect((await people.get(fine.id))?.unreachable).toEqual([]);
      const told = fake.sent.filter((m) => m.chat_id === secretaryChat).map((m) => m.text);
      expect(told.sort()).toEqual([
        `Không gửi được tin cho ${blocked.name} qua Telegram (đã chặn bot). Vui lòng báo trực tiếp.`,
        `Không gửi được tin cho ${missing.name} qua Telegram (không còn tìm thấy cuộc trò chuyện). Vui lòng báo trực tiếp.`,
      ]);
      await fake.close();
      await store.close();
    });
  });
}
