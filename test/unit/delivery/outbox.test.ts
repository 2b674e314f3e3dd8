import { afterAll, describe, expect, it, vi } from 'vitest';
import { Outbox, type OutboxMessage, type OutboxOptions } from '../../../src/delivery/outbox.js';
import { SendError, type SendReceipt } from '../../../src/delivery/sender.js';
import type { View } from '../../../src/domain/view.js';
import { createMetrics } from '../../../src/metrics.js';
import { keys } from '../../../src/store/keys.js';
import type { Store } from '../../../src/store/port.js';
import type { Person } from '../../../src/store/records.js';
import { CellsRepo } from '../../../src/store/repositories/cells.js';
import { PeopleRepo } from '../../../src/store/repositories/people.js';
import {
  offsetClock,
  quietLog,
  RecordingSender,
  seedCell,
  storeTargets,
} from '../../support/scheduler-fixtures.js';
import { TestClock } from '../../support/world.js';

const targets = await storeTargets(import.meta.filename);
afterAll(() => Promise.all(targets.map((t) => t.cleanup())));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function outboxOver(store: Store, options: Partial<OutboxOptions> = {}) {
  const sender = new RecordingSender();
  const metrics = createMetrics();
  const clock = offsetClock();
  const outbox = new Outbox(
    {
      store,
      people: new PeopleRepo(store),
      cells: new CellsRepo(store),
      senders: [sender],
      now: clock.now,
      log: quietLog,
      metrics,
    },
    { rates: { telegram: 1000 }, chatIntervalMs: 100, backoffMs: 20, pollMs: 10, ...options },
  );
  return { outbox, sender, metrics, clock };
}

const message = (key: string, chatId: string, extra: Partial<OutboxMessage> = {}): OutboxMessage => ({
  key,
  channel: 'telegram',
  chatId,
  view: { text: `text of ${key}` },
  ...extra,
});

/** Runs the outbox until `done` holds (or fails after a while). */
async function runUntil(outbox: Outbox, done: () => boolean, timeoutMs = 8000) {
  const stop = new AbortController();
  const running = outbox.run('telegram', stop.signal);
  const started = Date.now();
  while (!done() && Date.now() - started < timeoutMs) await sleep(10);
  stop.abort();
  await running;
}

// Each test has a store, an outbox and a sender of its own; the retries wait real milliseconds (backoff,
// retry_after): the tests run side by side.
for (const target of targets) {
  describe.concurrent(`outbox on ${target.name}`, () => {
    it('sends each key once however often it is enqueued, before or after sending', async () => {
      const store = await target.open();
      const { outbox, sender, metrics } = outboxOver(store);
      await outbox.enqueue([message('a', '1'), message('b', '2')]);
      await outbox.enqueue([message('a', '1')]);
      expect(await outbox.depth()).toBe(2);
      await outbox.drain('telegram');
      await outbox.enqueue([message('a', '1'), message('b', '2')]);
      await outbox.drain('telegram');
      expect(sender.sent.map((s) => s.text).sort()).toEqual(['text of a', 'text of b']);
      expect(await outbox.depth()).toBe(0);
      expect((await metrics.sent.get()).values[0]?.value).toBe(2);
      await store.close();
    });

    it('drops an unreadable message without holding back the others', async () => {
      const store = await target.open();
      const { outbox, sender, clock } = outboxOver(store);
      await outbox.enqueue([message('good', '1'), message('bad', '2')]);
      await store.set(keys.outboxMessage('bad'), '{"key":');
      await outbox.drain('telegram');
      expect(sender.sent.map((s) => s.text)).toEqual(['text of good']);
      expect(await store.zrangeByScore(keys.outboxDue('telegram'), 0, clock.now() + 3_600_000)).toEqual([]);
      await store.close();
    });

    it('keeps a message back until its notBefore', async () => {
      const store = await target.open();
      const { outbox, sender, clock } = outboxOver(store);
      await outbox.enqueue([message('later', '1', { notBefore: clock.now() + 60_000 })]);
      await outbox.drain('telegram');
      expect(sender.sent).toHaveLength(0);
      clock.advance(60_000);
      await outbox.drain('telegram');
      expect(sender.sent).toHaveLength(1);
      await store.close();
    });

    // Alone: it measures gaps between sends as they arrive, which the other tests' work would stretch unevenly.
    it.sequential('spaces sends to one chat by the chat interval, or the longer one its sender asks for', async () => {
      const store = await target.open();
      const { outbox, sender } = outboxOver(store);
      sender.chatIntervalMs = (chatId) => (chatId.startsWith('-') ? 250 : undefined);
      await outbox.enqueue([1, 2, 3].map((i) => message(`m${i}`, 'same')));
      await outbox.enqueue([1, 2].map((i) => message(`g${i}`, '-100')));
      await outbox.enqueue([message('other', 'other')]);
      await runUntil(outbox, () => sender.sent.length === 6);
      const gaps = (chatId: string) => {
        const times = sender.sent.filter((s) => s.chatId === chatId).map((s) => s.at);
        return times.slice(1).map((t, i) => t - (times[i] as number));
      };
      expect(gaps('same')).toHaveLength(2);
      for (const gap of gaps('same')) expect(gap).toBeGreaterThanOrEqual(90);
      expect(gaps('-100')).toEqual([expect.any(Number)]);
      expect(gaps('-100')[0]).toBeGreaterThanOrEqual(240);
      await store.close();
    });

    it('retries transient failures with backoff, obeying retry_after for the whole chat', async () => {
      const store = await target.open();
      const { outbox, sender, metrics } = outboxOver(store);
      sender.fail = (chatId, attempt) => {
        if (chatId === 'flaky' && attempt <= 2) return new SendError('500', { kind: 'transient' });
        if (chatId === 'limited' && attempt === 1)
          return new SendError('429', { kind: 'transient', retryAfterMs: 400 });
        return undefined;
      };
      await outbox.enqueue([message('f', 'flaky'), message('l1', 'limited'), message('l2', 'limited')]);
      await runUntil(outbox, () => sender.sent.length === 3);
      expect(sender.sent.map((s) => s.text).sort()).toEqual(['text of f', 'text of l1', 'text of l2']);
      const limited = sender.attempts.filter((a) => a.chatId === 'limited').map((a) => a.at);
      expect((limited[1] as number) - (limited[0] as number)).toBeGreaterThanOrEqual(395);
      expect((await metrics.retried.get()).values[0]?.value).toBe(3);
      await store.close();
    });

    it('gives up after the attempt bound, keeping a dead letter', async () => {
      const store = await target.open();
      const { outbox, sender, metrics } = outboxOver(store, { maxAttempts: 3 });
      sender.fail = () => new SendError('still down', { kind: 'transient' });
      await outbox.enqueue([message('doomed', '9')]);
      await runUntil(outbox, () => sender.attempts.length === 3);
      await sleep(50);
      expect(sender.attempts).toHaveLength(3);
      const [dead] = await outbox.listDeadLetters();
      expect(dead).toMatchObject({ key: 'doomed', chatId: '9', attempts: 3, error: 'still down' });
      expect((await metrics.failed.get()).values[0]?.value).toBe(1);
      expect(await outbox.depth()).toBe(0);
      await store.close();
    });

    it('on a permanent refusal marks the person unreachable and tells the secretaries once', async () => {
      const store = await target.open();
      const { outbox, sender } = outboxOver(store);
      const { cell, secretaries, members } = await seedCell(store, { secretaries: 2, members: 1 });
      const [gone] = members as [Person];
      sender.fail = (chatId) =>
        chatId === String(gone.telegramId)
          ? new SendError('403 blocked', { kind: 'permanent', unreachable: 'blocked' })
          : undefined;
      const forGone = (key: string) =>
        message(key, String(gone.telegramId), { personId: gone.id, cellId: cell.id });
      await outbox.enqueue([forGone('notice'), forGone('follow-up')]);
      await runUntil(outbox, () => sender.attempts.length === 4);
      await sleep(50);
      expect(sender.attempts).toHaveLength(4);
      expect((await outbox.listDeadLetters()).map((d) => d.key).sort()).toEqual(['follow-up', 'notice']);
      expect((await new PeopleRepo(store).get(gone.id))?.unreachable).toEqual(['telegram']);
      expect(sender.sent.map((s) => s.chatId).sort()).toEqual(
        secretaries.map((s) => String(s.telegramId)).sort(),
      );
      expect(sender.sent[0]?.text).toBe(
        `Không gửi được tin cho ${gone.name} qua Telegram (đã chặn bot). Vui lòng báo trực tiếp.`,
      );
      await store.close();
    });

    it('takes over replies whose direct send failed: not before retry_after, in order, a retry never overtaken', async () => {
      const store = await target.open();
      const { outbox, sender } = outboxOver(store);
      const replies = ['reply:7:00', 'reply:7:01', 'reply:7:02'].map((key) => message(key, 'chat'));
      await outbox.handOver(replies, new SendError('429', { kind: 'transient', retryAfterMs: 60_000 }));
      await outbox.drain('telegram');
      expect(sender.attempts).toEqual([]);
      expect(await outbox.depth()).toBe(1);

      await outbox.handOver(replies, new SendError('429', { kind: 'transient', retryAfterMs: 200 }));
      await store.del(keys.chatNotBefore('telegram', 'chat'));
      // The second fails once more on its way: the third still waits for it.
      sender.fail = (_chatId, attempt) =>
        attempt === 2 ? new SendError('502', { kind: 'transient' }) : undefined;
      await runUntil(outbox, () => sender.sent.length === 3);
      expect(sender.sent.map((s) => s.text)).toEqual([
        'text of reply:7:00',
        'text of reply:7:01',
        'text of reply:7:02',
      ]);
      expect(sender.attempts).toHaveLength(4);
      await store.close();
    });

    it('sends what follows a reply refused for good, and never a reply key sent already', async () => {
      const store = await target.open();
      const { outbox, sender, metrics } = outboxOver(store);
      const replies = ['reply:8:00', 'reply:8:01'].map((key) => message(key, 'chat'));
      await outbox.handOver(replies, new SendError('400 message is too long', { kind: 'permanent' }));
      await runUntil(outbox, () => sender.sent.length === 1);
      expect(sender.sent.map((s) => s.text)).toEqual(['text of reply:8:01']);
      expect((await outbox.listDeadLetters()).map((d) => d.key)).toEqual(['reply:8:00']);
      expect((await metrics.failed.get()).values[0]?.value).toBe(1);

      // The same update handled again after a crash: its second reply was sent, so it is not sent again.
      await outbox.handOver([replies[1] as OutboxMessage], new SendError('502', { kind: 'transient' }));
      await store.del(keys.chatNotBefore('telegram', 'chat'));
      await runUntil(outbox, () => false, 300);
      expect(sender.sent).toHaveLength(1);
      expect(await outbox.depth()).toBe(0);
      await store.close();
    });

    it('leaves a dead worker’s claim alone until its lease ends, then sends it', async () => {
      const store = await target.open();
      const { outbox, sender, clock } = outboxOver(store, { leaseMs: 5_000 });
      await outbox.enqueue([message('claimed', '1')]);
      // A worker claims the message and dies before sending it.
      expect(await store.claimDue(keys.outboxDue('telegram'), clock.now(), 10, 5_000)).toHaveLength(1);
      await outbox.drain('telegram');
      clock.advance(4_000);
      await outbox.drain('telegram');
      expect(sender.sent).toHaveLength(0);
      clock.advance(1_100);
      await outbox.drain('telegram');
      expect(sender.sent).toHaveLength(1);
      await store.close();
    });
  });
}

/** A sender that can edit: `post` says a message ID, `edit` records, and `during` runs inside each call. */
class EditingSender extends RecordingSender {
  readonly edited: { chatId: string; messageId: string; text: string }[] = [];
  during: () => Promise<void> = async () => {};
  private next = 0;

  async post(chatId: string, view: View): Promise<SendReceipt> {
    await this.during();
    await this.send(chatId, view);
    return { messageId: String(++this.next) };
  }

  async edit(chatId: string, messageId: string, view: View): Promise<void> {
    await this.during();
    const error = this.fail(chatId, 0);
    if (error) throw error;
    this.edited.push({ chatId, messageId, text: view.text });
  }
}

for (const target of targets) {
  describe(`outbox edits and live refreshes on ${target.name}`, () => {
    function editingOutbox(store: Store, state: { n: number }) {
      const sender = new EditingSender();
      const moved: [string, string][] = [];
      // A clock that moves only when told: intervals here are counted to the millisecond.
      const clock = new TestClock(Date.now());
      const outbox = new Outbox(
        {
          store,
          people: new PeopleRepo(store),
          cells: new CellsRepo(store),
          senders: [sender],
          now: clock.now,
          log: quietLog,
          metrics: createMetrics(),
          renderers: { count: async (ref) => (ref === 'gone' ? undefined : { text: `${ref} = ${state.n}` }) },
          onChatMoved: async (_channel, from, to) => {
            moved.push([from, to]);
          },
        },
        { rates: { telegram: 1000 }, chatIntervalMs: 0, backoffMs: 20, pollMs: 10 },
      );
      return { outbox, sender, moved, clock };
    }
    const refresh = (ref = 'x'): OutboxMessage => ({
      key: `refresh:${ref}`,
      channel: 'telegram',
      chatId: '-1',
      live: { renderer: 'count', ref },
      editOf: `post:${ref}`,
      refresh: { minIntervalMs: 5_000, perChat: { limit: 3, windowMs: 60_000 } },
    });
    const post = (ref = 'x'): OutboxMessage => ({
      key: `post:${ref}`,
      channel: 'telegram',
      chatId: '-1',
      live: { renderer: 'count', ref },
    });

    it('renders a live message when it goes, and edits it once it went; an edit of nothing waits, then is dropped', async () => {
      const store = await target.open();
      const state = { n: 1 };
      const { outbox, sender, clock } = editingOutbox(store, state);
      // The edit comes before its post has gone: it waits for it.
      await outbox.enqueue([{ ...post(), notBefore: clock.now() + 1_000 }, refresh()]);
      await outbox.drain('telegram');
      expect(sender.sent).toEqual([]);
      expect(sender.edited).toEqual([]);
      state.n = 2;
      clock.advance(5_000);
      await outbox.drain('telegram');
      expect(sender.sent.map((s) => s.text)).toEqual(['x = 2']);
      expect(sender.edited).toEqual([{ chatId: '-1', messageId: '1', text: 'x = 2' }]);
      // Its post never to be sent: the edit has nothing to edit and goes away.
      await outbox.enqueue([refresh('never')]);
      await outbox.drain('telegram');
      expect(await outbox.depth()).toBe(0);
      await store.close();
    });

    it('sends a refresh enqueued during its own send once more after its interval, and a burst as one', async () => {
      const store = await target.open();
      const state = { n: 0 };
      const { outbox, sender, clock } = editingOutbox(store, state);
      await outbox.enqueue([post()]);
      await outbox.drain('telegram');
      // Answers arriving while the edit is on its way: the edit rendered before them.
      sender.during = async () => {
        if (sender.edited.length > 0) return;
        state.n = 7;
        await outbox.enqueue([refresh(), refresh(), refresh()]);
      };
      await outbox.enqueue([refresh()]);
      await outbox.drain('telegram');
      expect(sender.edited.map((e) => e.text)).toEqual(['x = 0']);
      clock.advance(4_999);
      await outbox.drain('telegram');
      expect(sender.edited).toHaveLength(1);
      clock.advance(1);
      await outbox.drain('telegram');
      expect(sender.edited.map((e) => e.text)).toEqual(['x = 0', 'x = 7']);
      clock.advance(60_000);
      await outbox.drain('telegram');
      expect(sender.edited).toHaveLength(2);
      await store.close();
    });

    it('caps refreshes per chat and window with tokens in the store', async () => {
      const store = await target.open();
      const state = { n: 0 };
      const { outbox, sender, clock } = editingOutbox(store, state);
      const refs = ['a', 'b', 'c', 'd'];
      await outbox.enqueue(refs.map((r) => post(r)));
      for (let i = 0; i < 4; i++) await outbox.drain('telegram');
      await outbox.enqueue(refs.map((r) => refresh(r)));
      for (let i = 0; i < 4; i++) await outbox.drain('telegram');
      expect(sender.edited).toHaveLength(3);
      clock.advance(59_000);
      await outbox.drain('telegram');
      expect(sender.edited).toHaveLength(3);
      clock.advance(1_000);
      await outbox.drain('telegram');
      expect(sender.edited).toHaveLength(4);
      await store.close();
    });

    it('hands a message to a moved chat’s owner instead of keeping a dead letter', async () => {
      const store = await target.open();
      const { outbox, sender, moved } = editingOutbox(store, { n: 0 });
      sender.fail = () => new SendError('upgraded', { kind: 'permanent', movedTo: '-2' });
      await outbox.enqueue([post()]);
      await outbox.drain('telegram');
      expect(moved).toEqual([['-1', '-2']]);
      expect(await outbox.listDeadLetters()).toEqual([]);
      expect(await outbox.depth()).toBe(0);
      await store.close();
    });

    it('sends what was queued behind a message to the moved chat, in order', async () => {
      const store = await target.open();
      const { outbox, sender, moved } = editingOutbox(store, { n: 0 });
      sender.fail = (chatId) =>
        chatId === '-1' ? new SendError('upgraded', { kind: 'permanent', movedTo: '-2' }) : undefined;
      const rest = (key: string): OutboxMessage => ({
        key,
        channel: 'telegram',
        chatId: '-1',
        view: { text: key },
      });
      await outbox.enqueue([{ ...post(), followedBy: [rest('rest:1'), rest('rest:2')] }]);
      for (let i = 0; i < 4; i++) await outbox.drain('telegram');
      expect(moved).toEqual([['-1', '-2']]);
      expect(sender.sent.map((s) => [s.chatId, s.text])).toEqual([
        ['-2', 'rest:1'],
        ['-2', 'rest:2'],
      ]);
      expect(await outbox.listDeadLetters()).toEqual([]);
      expect(await outbox.depth()).toBe(0);
      await store.close();
    });
  });
}

for (const target of targets) {
  describe(`the outbox's sender on a simulated clock, on ${target.name}`, () => {
    function pacedOutbox(store: Store, sender: RecordingSender, clock: TestClock) {
      return new Outbox(
        {
          store,
          people: new PeopleRepo(store),
          cells: new CellsRepo(store),
          senders: [sender],
          now: clock.now,
          sleep: clock.sleep,
          log: quietLog,
          metrics: createMetrics(),
        },
        { rates: { telegram: 1000 }, leaseMs: 1_000 },
      );
    }

    it('settles once what is due is sent, sleeps on the clock otherwise, and wakes when it moves', async () => {
      const store = await target.open();
      const clock = new TestClock(Date.parse('2026-11-26T03:00:00Z'));
      const sender = new RecordingSender();
      const outbox = pacedOutbox(store, sender, clock);
      const stop = new AbortController();
      const running = outbox.run('telegram', stop.signal);
      await outbox.enqueue([message('now', '1'), message('later', '2', { notBefore: clock.now() + 60_000 })]);
      await outbox.settled('telegram');
      expect(sender.sent.map((s) => s.text)).toEqual(['text of now']);
      // Due in a minute of the clock: not sent however long it waits in real time, sent once the clock gets there.
      clock.advance(59_000);
      await outbox.settled('telegram');
      expect(sender.sent).toHaveLength(1);
      clock.advance(1_000);
      await outbox.settled('telegram');
      expect(sender.sent.map((s) => s.text)).toEqual(['text of now', 'text of later']);
      stop.abort();
      await running;
      await store.close();
    });

    it('never sends twice a message it is still sending when its claim runs out (the clock jumped)', async () => {
      const store = await target.open();
      const clock = new TestClock(Date.parse('2026-11-26T03:00:00Z'));
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let started = 0;
      const sender = new (class extends RecordingSender {
        override async send(chatId: string, view: View) {
          started++;
          await held;
          return super.send(chatId, view);
        }
      })();
      const outbox = pacedOutbox(store, sender, clock);
      await outbox.enqueue([message('slow', '1')]);
      const stop = new AbortController();
      const running = outbox.run('telegram', stop.signal);
      await vi.waitFor(() => expect(started).toBe(1));
      // Past the claim's lease while the send hangs: the sender looks again and finds it due once more.
      clock.advance(5 * 60_000);
      const looked = outbox.settled('telegram');
      release();
      await looked;
      await outbox.settled('telegram');
      expect(started).toBe(1);
      expect(sender.sent.map((s) => s.text)).toEqual(['text of slow']);
      stop.abort();
      await running;
      await store.close();
    });
  });
}
