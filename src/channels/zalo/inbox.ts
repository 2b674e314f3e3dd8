import { z } from 'zod';
import type { View } from '../../../handlers/views.js';
import { type Clock, realClock } from '../../clock.js';
import { DAY_MS } from '../../domain/time.js';
import { t } from '../../i18n.js';
import type { Logger } from '../../logger.js';
import { within } from '../../readiness.js';
import { aborted, newReplicaId } from '../../scheduler/coordination.js';
import { keys } from '../../store/keys.js';
import type { Store } from '../../store/port.js';
import type { ZaloBot } from './client.js';
import type { ZaloMessage } from './types.js';
import { zaloUpdateSchema } from './types.js';

/** What became of an update handed to the inbox; all three are acknowledged. */
export type Intake = 'stored' | 'duplicate' | 'ignored';

/** The store did not take the update in time: the webhook answers 503 (Zalo delivers it again), polling waits. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/** What handles the stored messages: the Zalo channel (src/channels/zalo/adapter.ts). */
export interface ZaloReceiver {
  /** Handles one member's message, replies included; rejects when it could not (it is tried again). */
  receive(msg: ZaloMessage): Promise<void>;
  /** Sends views to a chat, keyed for idempotency (the notice that handling a message was given up). */
  reply(chatId: string, views: View[], key: string): Promise<void>;
}

export interface ZaloInboxDeps {
  store: Store;
  bot: Pick<ZaloBot, 'readUpdate' | 'isEcho'>;
  channel: ZaloReceiver;
  log: Logger;
  now: () => number;
  /** How long storing an update may take before it counts as failed (the webhook then answers 503). */
  storeTimeoutMs?: number;
  /** Handling attempts before an update is given up, and its sender told that something went wrong. */
  maxAttempts?: number;
  /** The wait before handling a failed update again, doubled after each further failure. */
  retryMs?: number;
  /** How often every replica looks for updates left over: a crashed replica's, or ones due for a retry. */
  sweepMs?: number;
  replicaId?: string;
  /** Waits between sweeps and while the store is down (the injected clock's; real by default). */
  sleep?: Clock['sleep'];
  /** Told when this replica has finished with a message (handled with its replies, dropped, or failed). */
  onHandled?: (handled: { messageId: string; ms: number }) => void;
}

export interface ZaloInbox {
  /**
   * Stores an update before it is acknowledged: resolves once it is in the store (or known already, or not one
   * to keep), and rejects with StoreUnavailableError when the store does not take it in time. Once the inbox
   * has started, a stored update is handled right away.
   */
  accept(update: unknown): Promise<Intake>;
  /** Polling's intake: holds a polled update until the store has taken it; polling waits meanwhile. */
  take(update: unknown, signal: AbortSignal): Promise<void>;
  /** Polling's wait before each poll: none while the store answers, else until it answers again. */
  waitForStore(signal: AbortSignal): Promise<void>;
  /** Starts handling: what is left in the store now, then new updates, and leftovers every `sweepMs`. */
  start(): void;
  /** Handles everything stored and due now, then resolves (what a sweep does, awaited). */
  drain(): Promise<void>;
  /** Stops sweeping and waits for the updates being handled. */
  stop(): Promise<void>;
}

const entrySchema = z.object({
  message: zaloUpdateSchema.shape.message,
  /** When it was stored (the injected clock): the order it is handled in. */
  at: z.number(),
  attempts: z.number().int().default(0),
  /** Not handled again before this time, after a failure. */
  retryAt: z.number().optional(),
});
type Entry = z.infer<typeof entrySchema>;

/**
 * How long a handled message ID is remembered: far beyond Zalo's redelivery of a webhook call, so a message that
 * reaches two replicas (or one twice, or one after a restart) is handled once.
 */
const SEEN_TTL_MS = DAY_MS;
/** How long one replica may hold an update it is handling; a crashed replica's updates come back after it. */
const CLAIM_MS = 2 * 60_000;
const STORE_TIMEOUT_MS = 3_000;
const MAX_ATTEMPTS = 5;
const RETRY_MS = 5_000;
const SWEEP_MS = 30_000;
/** While the store is down, polling looks again after 1 s, doubling up to this. */
const MAX_PAUSE_MS = 30_000;

const fieldOf = (msg: ZaloMessage) => `${msg.chat.id}:${msg.message_id}`;

/**
 * The Zalo inbox: an update is acknowledged only once it is stored (a hash in the store, one field per
 * `<chat>:<message_id>`, so a redelivery is stored once), then handled, then removed with its message ID
 * remembered as handled. An update whose handling fails stays and is tried again with backoff, a bounded number
 * of times; one left by a crash is handled by the next sweep (on start, then every half minute) once its claim
 * has lapsed. Updates of one chat are handled in the order they came, one at a time. The store keeps a member's
 * message only until it is handled.
 */
export function createZaloInbox(deps: ZaloInboxDeps): ZaloInbox {
  const { store, bot, channel, log, now } = deps;
  const storeTimeoutMs = deps.storeTimeoutMs ?? STORE_TIMEOUT_MS;
  const maxAttempts = deps.maxAttempts ?? MAX_ATTEMPTS;
  const retryMs = deps.retryMs ?? RETRY_MS;
  const sweepMs = deps.sweepMs ?? SWEEP_MS;
  const replicaId = deps.replicaId ?? newReplicaId();
  const wait = deps.sleep ?? realClock.sleep;
  const inbox = keys.zaloInbox();
  const stopped = new AbortController();
  /** Updates queued or being handled here, so a sweep does not queue them again. */
  const queued = new Set<string>();
  /** One chain per chat: "2" then "1" must not race each other. */
  const chains = new Map<string, Promise<void>>();
  let started = false;
  let paused = false;

  async function accept(update: unknown): Promise<Intake> {
    const msg = bot.readUpdate(update);
    // Only mentions reach a bot in a group, and absentee names never go to one.
    if (msg?.chat.chat_type !== 'PRIVATE') return 'ignored';
    const field = fieldOf(msg);
    const entry: Entry = { message: msg, at: now(), attempts: 0 };
    let fresh: boolean;
    try {
      fresh = await within(
        store.hsetIfAbsent(inbox, field, JSON.stringify(entry)),
        storeTimeoutMs,
        'the store',
      );
    } catch (err) {
      throw new StoreUnavailableError('the store did not take a Zalo update', { cause: err });
    }
    if (!fresh) {
      log.debug({ messageId: msg.message_id }, 'A Zalo message already in the inbox: acknowledged again');
      return 'duplicate';
    }
    if (started) enqueue(field, msg.chat.id);
    return 'stored';
  }

  function enqueue(field: string, chatId: string) {
    if (queued.has(field) || stopped.signal.aborted) return;
    queued.add(field);
    const next = (chains.get(chatId) ?? Promise.resolve())
      .then(() => handle(field))
      .catch((err: unknown) => log.error({ err, chatId }, 'Handling a Zalo update failed unexpectedly'))
      .finally(() => queued.delete(field));
    chains.set(chatId, next);
    void next.finally(() => {
      if (chains.get(chatId) === next) chains.delete(chatId);
    });
  }

  /** Handles one stored update on this replica alone (a claim in the store), unless handled already. */
  async function handle(field: string): Promise<void> {
    const claim = keys.lease(`zalo-inbox:${field}`);
    if (!(await store.setIfAbsent(claim, replicaId, CLAIM_MS))) return;
    const started = performance.now();
    let messageId: string | undefined;
    try {
      const raw = await store.hget(inbox, field);
      if (raw === undefined) return;
      const entry = entrySchema.parse(JSON.parse(raw));
      const msg = entry.message;
      messageId = msg.message_id;
      const seen = keys.zaloSeen(msg.chat.id, msg.message_id);
      // Handled already (a redelivery stored again after its first was done), or the bot's own echo.
      if ((await store.get(seen)) !== undefined || bot.isEcho(msg)) {
        await store.hdel(inbox, field);
        log.debug({ messageId: msg.message_id }, 'Dropped a Zalo message handled before');
        return;
      }
      try {
        await channel.receive(msg);
      } catch (err) {
        await failed(field, entry, err);
        return;
      }
      await done(field, msg);
    } finally {
      await store.deleteIfEquals(claim, replicaId).catch(() => undefined);
      if (messageId !== undefined) deps.onHandled?.({ messageId, ms: performance.now() - started });
    }
  }

  const done = (field: string, msg: ZaloMessage) =>
    store.write([
      { op: 'hdel', key: inbox, fields: [field] },
      { op: 'set', key: keys.zaloSeen(msg.chat.id, msg.message_id), value: '1', ttlMs: SEEN_TTL_MS },
    ]);

  /** Tries again later, or gives up past the bound: then the member hears that something went wrong. */
  async function failed(field: string, entry: Entry, err: unknown): Promise<void> {
    const { chat, message_id: messageId } = entry.message;
    const attempts = entry.attempts + 1;
    if (attempts < maxAttempts) {
      const retryInMs = retryMs * 2 ** (attempts - 1);
      log.warn(
        { err, chatId: chat.id, messageId, attempts, retryInMs },
        'Handling a Zalo message failed; retrying',
      );
      const retry: Entry = { ...entry, attempts, retryAt: now() + retryInMs };
      // If the store is down this fails too: the update stays as it was, and comes back once the claim lapses.
      await store.hset(inbox, { [field]: JSON.stringify(retry) }).catch(() => undefined);
      return;
    }
    log.error({ err, chatId: chat.id, messageId, attempts }, 'Handling a Zalo message failed; given up');
    await done(field, entry.message);
    await channel.reply(chat.id, [{ text: t('error.generic') }], `reply:zalo:${chat.id}:${messageId}:error`);
  }

  /** Queues every stored update that is due, oldest first. */
  async function sweep(): Promise<void> {
    const all = await store.hgetall(inbox);
    const at = now();
    const due = Object.entries(all).flatMap(([field, raw]) => {
      try {
        const entry = entrySchema.parse(JSON.parse(raw));
        return (entry.retryAt ?? 0) <= at ? [{ field, entry }] : [];
      } catch (err) {
        log.error({ err, field }, 'Dropped an unreadable Zalo inbox entry');
        void store.hdel(inbox, field).catch(() => undefined);
        return [];
      }
    });
    due.sort((a, b) => a.entry.at - b.entry.at || a.entry.message.date - b.entry.message.date);
    const left = due.filter(({ field }) => !queued.has(field));
    if (left.length) log.debug({ updates: left.length }, 'Handling Zalo updates left in the inbox');
    for (const { field, entry } of left) enqueue(field, entry.message.chat.id);
  }

  async function sweepForever(): Promise<void> {
    while (!stopped.signal.aborted) {
      await sweep().catch((err) => log.warn({ err }, 'Could not read the Zalo inbox; looking again shortly'));
      await wait(sweepMs, stopped.signal).catch(() => undefined);
    }
  }

  /** Logs the pause and the resumption once each. */
  function pause() {
    if (!paused) log.warn('The store is unreachable: Zalo polling paused');
    paused = true;
  }
  function resume() {
    if (paused) log.info('The store answers again: Zalo polling resumed');
    paused = false;
  }

  /** Polled updates the store could not take yet, oldest first: kept here, tried again until it does. */
  const held: unknown[] = [];
  let holding: Promise<void> | undefined;

  async function storeHeld(): Promise<void> {
    for (let delay = 1_000; held.length > 0; ) {
      try {
        await accept(held[0]);
        held.shift();
        resume();
        delay = 1_000;
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) throw err;
        pause();
        await wait(delay, stopped.signal).catch(() => undefined);
        delay = Math.min(MAX_PAUSE_MS, delay * 2);
        if (stopped.signal.aborted) {
          log.error(
            { updates: held.splice(0).length },
            'Stopped while the store could not take Zalo updates: lost',
          );
        }
      }
    }
  }

  /**
   * Zalo hands a polled update out once: one the store cannot take is held here and tried again until it is
   * stored, and polling waits for it (unless polling stops meanwhile, e.g. its lease is lost: it stays held).
   */
  async function take(update: unknown, signal: AbortSignal): Promise<void> {
    try {
      await accept(update);
      resume();
      return;
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
    }
    pause();
    held.push(update);
    holding ??= storeHeld().finally(() => {
      holding = undefined;
    });
    await Promise.race([holding, aborted(signal)]);
  }

  async function waitForStore(signal: AbortSignal): Promise<void> {
    for (let delay = 1_000; ; delay = Math.min(MAX_PAUSE_MS, delay * 2)) {
      try {
        await within(store.ping(), storeTimeoutMs, 'the store');
        resume();
        return;
      } catch {
        pause();
        await wait(delay, signal);
      }
    }
  }

  return {
    accept,
    take,
    waitForStore,
    start() {
      if (started) return;
      started = true;
      void sweepForever();
    },
    async drain() {
      await sweep();
      await Promise.allSettled([...chains.values()]);
    },
    /** A sweep still waiting on a store that is down is left to fail: it queues nothing once stopped. */
    async stop() {
      stopped.abort();
      await holding;
      await Promise.allSettled([...chains.values()]);
    },
  };
}
