import { afterAll, describe, expect, it, vi } from 'vitest';
import { ZaloBot } from '../../../src/channels/zalo/client.js';
import { createZaloInbox, type ZaloInboxDeps } from '../../../src/channels/zalo/inbox.js';
import type { ZaloMessage } from '../../../src/channels/zalo/types.js';
import type { View } from '../../../src/domain/view.js';
import { t } from '../../../src/i18n.js';
import { keys } from '../../../src/store/keys.js';
import type { Store } from '../../../src/store/port.js';
import { zaloUpdate } from '../../support/fake-zalo.js';
import { quietLog, storeTargets } from '../../support/scheduler-fixtures.js';
import { TestClock } from '../../support/world.js';

/**
 * The inbox over each store adapter (SQLite and Redis): what it stores, in what order it hands messages on, how
 * it retries and when it gives up. What it hands messages to is a recorder standing in for the Zalo channel.
 */
const targets = await storeTargets(import.meta.filename);
afterAll(() => Promise.all(targets.map((t) => t.cleanup())));

/** No network: the bot only reads updates here. */
const bot = new ZaloBot('3201372705688922504:InboxTestToken-xYz', { baseApiUrl: 'http://127.0.0.1:9' });

function inboxOver(store: Store, options: Partial<ZaloInboxDeps> & { failFirst?: number } = {}) {
  const clock = new TestClock(Date.parse('2026-11-26T03:00:00Z'));
  const handled: ZaloMessage[] = [];
  const replies: { chatId: string; views: View[]; key: string }[] = [];
  let failures = options.failFirst ?? 0;
  const inbox = createZaloInbox({
    store,
    bot,
    channel: {
      async receive(msg) {
        if (failures > 0) {
          failures -= 1;
          throw new Error('the store went away mid-handling');
        }
        handled.push(msg);
      },
      async reply(chatId, views, key) {
        replies.push({ chatId, views, key });
      },
    },
    log: quietLog,
    now: clock.now,
    sweepMs: 10,
    ...options,
  });
  return { inbox, clock, handled, replies };
}

describe.each(targets)('the Zalo inbox on $name', (target) => {
  const withStore = (fn: (store: Store) => Promise<void>) => async () => {
    const store = await target.open();
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  };

  it(
    'stores each message once by message_id, ignores what is not a member’s private message, handles nothing before start',
    withStore(async (store) => {
      const { inbox, handled } = inboxOver(store);
      const update = zaloUpdate({ text: '1' }, { chatId: 'mai', messageId: 'm-1' });

      expect(await inbox.accept(update)).toBe('stored');
      expect(await inbox.accept(update)).toBe('duplicate');
      expect(await inbox.accept({ event_name: 'message.text.received' })).toBe('ignored');
      expect(await inbox.accept(zaloUpdate({ text: 'x' }, { isBot: true }))).toBe('ignored');
      const inGroup = zaloUpdate({ text: '@bot' }, { chatId: 'group-1' });
      expect(
        await inbox.accept({
          ...inGroup,
          message: { ...inGroup.message, chat: { id: 'g', chat_type: 'GROUP' } },
        }),
      ).toBe('ignored');

      expect(Object.keys(await store.hgetall(keys.zaloInbox()))).toEqual(['mai:m-1']);
      expect(handled).toEqual([]);
      await inbox.stop();
    }),
  );

  it(
    'on start hands on what is stored, in order, then forgets it; a redelivery after that is dropped',
    withStore(async (store) => {
      const { inbox, clock, handled } = inboxOver(store);
      for (const [i, text] of ['2', 'ốm', 'lịch'].entries()) {
        await inbox.accept(zaloUpdate({ text }, { chatId: 'mai', messageId: `m-${i}` }));
        clock.advance(1_000);
      }
      await inbox.drain();
      expect(handled.map((m) => m.text)).toEqual(['2', 'ốm', 'lịch']);
      expect(await store.hgetall(keys.zaloInbox())).toEqual({});

      expect(await inbox.accept(zaloUpdate({ text: '2' }, { chatId: 'mai', messageId: 'm-0' }))).toBe(
        'stored',
      );
      await inbox.accept(zaloUpdate({ text: 'kênh' }, { chatId: 'mai', messageId: 'm-3' }));
      await inbox.drain();
      expect(handled.map((m) => m.text)).toEqual(['2', 'ốm', 'lịch', 'kênh']);
      expect(await store.hgetall(keys.zaloInbox())).toEqual({});
      await inbox.stop();
    }),
  );

  it(
    'keeps a message whose handling failed and handles it again after a backoff',
    withStore(async (store) => {
      const { inbox, clock, handled } = inboxOver(store, { failFirst: 1, retryMs: 5_000 });
      await inbox.accept(zaloUpdate({ text: '1' }, { chatId: 'mai', messageId: 'm-1' }));
      await inbox.drain();
      expect(JSON.parse((await store.hget(keys.zaloInbox(), 'mai:m-1')) ?? '{}')).toMatchObject({
        attempts: 1,
      });
      // Not before its backoff has passed.
      clock.advance(4_999);
      await inbox.drain();
      expect(handled).toEqual([]);
      clock.advance(1);
      await inbox.drain();
      expect(handled.map((m) => m.message_id)).toEqual(['m-1']);
      expect(await store.hgetall(keys.zaloInbox())).toEqual({});
      await inbox.stop();
    }),
  );

  it(
    'gives a message up after its attempts, telling the member something went wrong',
    withStore(async (store) => {
      const { inbox, clock, handled, replies } = inboxOver(store, {
        failFirst: 99,
        maxAttempts: 3,
        retryMs: 1_000,
      });
      await inbox.accept(zaloUpdate({ text: '1' }, { chatId: 'mai', messageId: 'm-1' }));
      // Attempts after 0, 1 and 1 + 2 seconds: the third is the last.
      for (const pause of [0, 1_000, 2_000]) {
        expect(replies).toEqual([]);
        clock.advance(pause);
        await inbox.drain();
      }
      expect(replies[0]).toEqual({
        chatId: 'mai',
        views: [{ text: t('error.generic') }],
        key: 'reply:zalo:mai:m-1:error',
      });
      expect(handled).toEqual([]);
      expect(await store.hgetall(keys.zaloInbox())).toEqual({});
      await inbox.stop();
    }),
  );

  it(
    'holds a chat’s later messages back while an earlier one waits for its retry',
    withStore(async (store) => {
      const { inbox, clock, handled } = inboxOver(store, { failFirst: 1, retryMs: 5_000 });
      await inbox.accept(zaloUpdate({ text: '2' }, { chatId: 'mai', messageId: 'm-0' }));
      clock.advance(1_000);
      await inbox.accept(zaloUpdate({ text: 'ốm' }, { chatId: 'mai', messageId: 'm-1' }));
      await inbox.accept(zaloUpdate({ text: '1' }, { chatId: 'lan', messageId: 'l-0' }));
      await inbox.drain();
      // "ốm" alone would be read as an answer of its own; another chat is not held back.
      expect(handled.map((m) => m.text)).toEqual(['1']);
      clock.advance(5_000);
      await inbox.drain();
      expect(handled.map((m) => m.text)).toEqual(['1', '2', 'ốm']);
      await inbox.stop();
    }),
  );

  it(
    'on two replicas, hands one chat’s messages on in the order they came, one at a time',
    withStore(async (store) => {
      const clock = new TestClock(Date.parse('2026-11-26T03:00:00Z'));
      const order: string[] = [];
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const replica = (replicaId: string) =>
        createZaloInbox({
          store,
          bot,
          channel: {
            async receive(msg) {
              if (msg.text === '2') await held;
              order.push(`${replicaId}:${msg.text}`);
            },
            async reply() {},
          },
          log: quietLog,
          now: clock.now,
          replicaId,
        });
      const [a, b] = [replica('a'), replica('b')];
      a.start();
      b.start();
      await a.accept(zaloUpdate({ text: '2' }, { chatId: 'mai', messageId: 'm-0' }));
      await vi.waitFor(async () => expect(await store.get(keys.lease('zalo-inbox:mai'))).toBe('a'));
      clock.advance(1_000);
      // The webhook's next call lands on the other replica while the first message is being handled.
      await b.accept(zaloUpdate({ text: 'ốm' }, { chatId: 'mai', messageId: 'm-1' }));
      await b.drain();
      expect(order).toEqual([]);
      release();
      await vi.waitFor(() => expect(order).toHaveLength(2));
      expect(order.map((o) => o.split(':')[1])).toEqual(['2', 'ốm']);
      expect(await store.hgetall(keys.zaloInbox())).toEqual({});
      await Promise.all([a.stop(), b.stop()]);
    }),
  );

  it(
    'on two replicas over one store, hands each message on once',
    withStore(async (store) => {
      const a = inboxOver(store, { replicaId: 'a' });
      const b = inboxOver(store, { replicaId: 'b' });
      a.inbox.start();
      b.inbox.start();
      for (let i = 0; i < 20; i++) {
        const update = zaloUpdate({ text: String(i) }, { chatId: `chat-${i % 4}`, messageId: `m-${i}` });
        // Zalo retries the call on the other replica.
        await Promise.all([a.inbox.accept(update), b.inbox.accept(update)]);
      }
      await vi.waitFor(() => expect(a.handled.length + b.handled.length).toBe(20));
      await Promise.all([a.inbox.drain(), b.inbox.drain()]);
      const ids = [...a.handled, ...b.handled].map((m) => m.message_id).sort();
      expect(new Set(ids).size).toBe(20);
      expect(ids).toHaveLength(20);
      await Promise.all([a.inbox.stop(), b.inbox.stop()]);
    }),
  );
});
