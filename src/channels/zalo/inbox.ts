import { z } from 'zod';
import { type Clock, realClock } from '../../clock.js';
import { DAY_MS } from '../../domain/time.js';
import type { View } from '../../domain/view.js';
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

/** A stored update's field: its chat's prefix, then its message ID (a chat's updates are read by the prefix). */
const chatPrefix = (chatId: string) => `${chatId}:`;
const fieldOf = (msg: ZaloMessage) => `${chatPrefix(msg.chat.id)}${msg.message_id}`;
/** What became of a chat's oldest update: handled (or given up), left for its retry, or there was none due. */
type Handled = 'handled' | 'retry' | 'none';
/** The order updates came in: when stored, then Zalo's own time. */
const byArrival = (a: { entry: Entry }, b: { entry: Entry }) =>
  a.entry.at - b.entry.at || a.entry.message.date - b.entry.message.date;

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
  /** Chats with a look queued here and not yet begun, so a sweep does not queue another. */
  const waiting = new Set<string>();
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
    if (started) enqueue(msg.chat.id);
    return 'stored';
  }

  /** Queues a look at a chat's stored updates here; one queued look per chat is enough. */
  function enqueue(chatId: string) {
    if (waiting.has(chatId) || stopped.signal.aborted) return;
    waiting.add(chatId);
    const next = (chains.get(chatId) ?? Promise.resolve())
      .then(() => {
        waiting.delete(chatId);
        return handleChat(chatId);
      })
      .catch((err: unknown) => log.error({ err, chatId }, 'Handling a Zalo update failed unexpectedly'));
    chains.set(chatId, next);
    void next.finally(() => {
      if (chains.get(chatId) === next) chains.delete(chatId);
    });
  }

  /**
   * Handles a chat's stored updates oldest first, on one replica at a time (a claim on the chat, not on each
   * update: "2" stored on one replica and "ốm" on another must still be read in that order). A replica that
   * finds the chat claimed leaves it: the claimant looks again once it lets go, so nothing stored meanwhile waits
   * for a sweep.
   */
  async function handleChat(chatId: string): Promise<void> {
    const claim = keys.lease(`zalo-inbox:${chatId}`);
    for (;;) {
      if (!(await store.setIfAbsent(claim, replicaId, CLAIM_MS))) return;
      let last: Handled;
      try {
        do last = await handleOldest(chatId);
        while (last === 'handled');
      } finally {
        await store.deleteIfEquals(claim, replicaId).catch(() => undefined);
      }
      // One that failed waits for its retry (a sweep); else anything stored while this replica held the chat.
      if (last === 'retry' || (await oldestDue(chatId)) === undefined) return;
    }
  }

  /**
   * The chat's oldest stored update, if it is due: one waiting for its retry holds back those behind it. Only
   * this chat's entries are read: during a burst the inbox holds every chat's, and reading them all for each
   * message would cost the burst's size squared.
   */
  async function oldestDue(chatId: string): Promise<{ field: string; entry: Entry } | undefined> {
    const mine = await store.hgetPrefixed(inbox, chatPrefix(chatId));
    // The chat's own, should another chat's ID start with this one and a colon.
    const stored = Object.entries(mine)
      .flatMap(([field, raw]) => parsed(field, raw))
      .filter(({ entry }) => entry.message.chat.id === chatId);
    const [oldest] = stored.sort(byArrival);
    return oldest && (oldest.entry.retryAt ?? 0) <= now() ? oldest : undefined;
  }

  /** Handles the chat's oldest update, if one is due; says so when done with it (whatever became of it). */
  async function handleOldest(chatId: string): Promise<Handled> {
    const oldest = await oldestDue(chatId);
    if (!oldest) return 'none';
    const started = performance.now();
    try {
      return await handleEntry(oldest.field, oldest.entry);
    } finally {
      deps.onHandled?.({ messageId: oldest.entry.message.message_id, ms: performance.now() - started });
    }
  }

  async function handleEntry(field: string, entry: Entry): Promise<Handled> {
    const msg = entry.message;
    // Handled already (a redelivery stored again after its first was done), or the bot's own echo.
    if ((await store.get(keys.zaloSeen(msg.chat.id, msg.message_id))) !== undefined || bot.isEcho(msg)) {
      await store.hdel(inbox, field);
      log.debug({ messageId: msg.message_id }, 'Dropped a Zalo message handled before');
      return 'handled';
    }
    try {
      await channel.receive(msg);
    } catch (err) {
      return failed(field, entry, err);
    }
    await done(field, msg);
    return 'handled';
  }

  function parsed(field: string, raw: string): { field: string; entry: Entry }[] {
    try {
      return [{ field, entry: entrySchema.parse(JSON.parse(raw)) }];
    } catch (err) {
      log.error({ err, field }, 'Dropped an unreadable Zalo inbox entry');
      void store.hdel(inbox, field).catch(() => undefined);
      return [];
    }
  }

  const done = (field: string, msg: ZaloMessage) =>
    store.write([
      { op: 'hdel', key: inbox, fields: [field] },
      { op: 'set', key: keys.zaloSeen(msg.chat.id, msg.message_id), value: '1', ttlMs: SEEN_TTL_MS },
    ]);

  /**
   * Tries again later (the chat's later updates wait for it), or gives up past the bound (they go on): the
   * member then hears that something went wrong.
   */
  async function failed(field: string, entry: Entry, err: unknown): Promise<Handled> {
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
      return 'retry';
    }
    log.error({ err, chatId: chat.id, messageId, attempts }, 'Handling a Zalo message failed; given up');
    await done(field, entry.message);
    await channel.reply(chat.id, [{ text: t('error.generic') }], `reply:zalo:${chat.id}:${messageId}:error`);
    return 'handled';
  }

  /** Queues every chat with a stored update due, the chat with the oldest first. */
  async function sweep(): Promise<void> {
    const all = Object.entries(await store.hgetall(inbox)).flatMap(([field, raw]) => parsed(field, raw));
    const at = now();
    const chats = new Set(
      all
        .filter(({ entry }) => (entry.retryAt ?? 0) <= at)
        .sort(byArrival)
        .map(({ entry }) => entry.message.chat.id),
    );
    if (chats.size) log.debug({ chats: chats.size }, 'Handling Zalo updates left in the inbox');
    for (const chatId of chats) enqueue(chatId);
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
