import { z } from 'zod';
import { type Clock, realClock } from '../clock.js';
import { DAY_MS } from '../domain/time.js';
import type { View } from '../domain/view.js';
import { t } from '../i18n.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { keys } from '../store/keys.js';
import type { Store, WriteOp } from '../store/port.js';
import { type ChannelName, channelNameSchema, parseDoc } from '../store/records.js';
import type { CellsRepo } from '../store/repositories/cells.js';
import type { PeopleRepo } from '../store/repositories/people.js';
import { addressOf } from './address.js';
import { RateLimiter } from './rate.js';
import { SendError, type Sender, type SendReceipt, type Unreachable } from './sender.js';

/** Names what renders a live message when it goes, e.g. a group's tally for one meeting. */
export interface LiveView {
  renderer: string;
  ref: string;
}

/** Paces a refresh message: its own least interval, and a cap on refreshes per window in its chat. */
export interface RefreshPolicy {
  minIntervalMs: number;
  perChat?: { limit: number; windowMs: number };
}

/** One message to one chat. `key` is its idempotency key: (occurrence × recipient), or the like. */
export interface OutboxMessage {
  key: string;
  channel: ChannelName;
  chatId: string;
  /** Who it is for, so a permanent failure marks them unreachable and tells their cell's secretaries. */
  personId?: string;
  cellId?: string;
  /** What to send; a live message may leave it out, since it is rendered when it goes. */
  view?: View;
  /** Not sent before this time (ms); now when absent. */
  notBefore?: number;
  /** Rendered when it goes, by the outbox's renderer of that name: a message that waited shows that moment. */
  live?: LiveView;
  /** Edits the message this outbox sent under that key (in this chat) instead of sending a new one. */
  editOf?: string;
  /** Edits this message of the chat, by the channel's own ID for it (a reply replacing the tapped message). */
  editMessageId?: string;
  /**
   * Messages that go after this one, in this order, each once the one before it has gone or been given up: the
   * rest of a reply handed over (`handOver`), so a retry never lets a later message overtake an earlier one.
   */
  followedBy?: OutboxMessage[];
  /**
   * A refresh rather than a one-off, for a live message kept up to date: once stored, it is asked for again with
   * `outboxRefreshOps` (however many times meanwhile, it goes once), never sooner than `minIntervalMs` after its
   * last send, nor beyond `perChat.limit` refreshes in any `perChat.windowMs` in its chat; and if what it shows
   * changed while it was on its way, it goes once more.
   */
  refresh?: RefreshPolicy;
}

/** Renders a live message from its reference; undefined when there is nothing to show any more. */
export type Renderer = (ref: string) => Promise<View | undefined>;

const viewSchema = z.custom<View>((v) => typeof (v as View | undefined)?.text === 'string');

const messageFields = {
  key: z.string(),
  channel: channelNameSchema,
  chatId: z.string(),
  personId: z.string().optional(),
  cellId: z.string().optional(),
  view: viewSchema.optional(),
  live: z.object({ renderer: z.string(), ref: z.string() }).optional(),
  editOf: z.string().optional(),
  editMessageId: z.string().optional(),
  refresh: z
    .object({
      minIntervalMs: z.number(),
      perChat: z.object({ limit: z.number().int().positive(), windowMs: z.number() }).optional(),
    })
    .optional(),
};

const storedSchema = z.object({
  ...messageFields,
  followedBy: z.array(z.object(messageFields)).optional(),
  attempts: z.number().int().default(0),
  lastError: z.string().optional(),
});
type Stored = z.infer<typeof storedSchema>;

/** The sent marker: when a key was (last) sent and the channel's ID for the message, if it gave one. */
const receiptSchema = z.object({ at: z.number(), messageId: z.string().optional() });
type Receipt = z.infer<typeof receiptSchema>;

/** Markers written before receipts carried message IDs hold only the time. */
function parseReceipt(raw: string | undefined): Receipt | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed = receiptSchema.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
  } catch {}
  return { at: Number(raw) || 0 };
}

/** How long a refresh message stays stored for its next refresh (its owner stores it again when it posts anew). */
const REFRESH_TTL_MS = 30 * DAY_MS;

/**
 * The writes that enqueue messages, for callers without an outbox at hand (the writes are the same on every
 * replica). A one-off is stored once per key, so enqueuing it again changes nothing. A refresh is stored anew
 * (so a moved chat takes effect), keeping an earlier due time.
 */
export function outboxEnqueueOps(messages: readonly OutboxMessage[], now: number): WriteOp[] {
  return messages.flatMap(({ notBefore, ...message }): WriteOp[] => {
    const stored: Stored = { ...message, attempts: 0 };
    return [
      {
        op: 'set',
        key: keys.outboxMessage(message.key),
        value: JSON.stringify(stored),
        ...(message.refresh ? { ttlMs: REFRESH_TTL_MS } : { ifAbsent: true }),
      },
      {
        op: 'zadd',
        key: keys.outboxDue(message.channel),
        entries: [{ member: message.key, score: notBefore ?? now }],
        ifAbsent: true,
      },
    ];
  });
}

/** Stores a refresh message without asking for it yet: `outboxRefreshOps` asks for it. */
export function outboxStoreRefreshOps(message: OutboxMessage & { refresh: RefreshPolicy }): WriteOp[] {
  const { notBefore: _notBefore, ...rest } = message;
  const stored: Stored = { ...rest, attempts: 0 };
  return [
    { op: 'set', key: keys.outboxMessage(message.key), value: JSON.stringify(stored), ttlMs: REFRESH_TTL_MS },
  ];
}

/**
 * The write that asks for a stored refresh message to go again: one sorted-set add, cheap enough for every
 * member's answer. A burst makes one send; one asked for while on its way is caught by comparing what it showed.
 */
export function outboxRefreshOps(channel: ChannelName, key: string, now: number): WriteOp[] {
  return [
    { op: 'zadd', key: keys.outboxDue(channel), entries: [{ member: key, score: now }], ifAbsent: true },
  ];
}

/** The writes that enqueue what follows a message, once it has gone or been given up (the next one leads). */
function followUpOps(message: Stored, now: number): WriteOp[] {
  const [next, ...rest] = message.followedBy ?? [];
  if (!next) return [];
  return outboxEnqueueOps([{ ...next, ...(rest.length ? { followedBy: rest } : {}) }], now);
}

/** The key a message goes on under when its channel refused the person for good and another reaches them. */
export const fallbackKey = (key: string, channel: ChannelName) => `${key}:via:${channel}`;

/** Where a message queued under a key stands: delivered, still on its way (or retrying), or given up. */
export type DeliveryState = 'sent' | 'pending' | 'failed';

/**
 * The delivery state of each key, in one read: sent when it (or its fallback on the other channel) has a sent
 * marker; pending while it (or its fallback) is stored; failed when it became a dead letter with no fallback on its
 * way. A key with none of these was sent longer ago than sent markers are kept, so it counts as sent.
 */
export async function deliveryStates(store: Store, messageKeys: readonly string[]): Promise<DeliveryState[]> {
  const variants = (key: string) => [key, ...channelNameSchema.options.map((c) => fallbackKey(key, c))];
  const per = variants('').length;
  const raws = await store.getMany(
    messageKeys.flatMap((key) => [
      ...variants(key).map(keys.outboxSent),
      ...variants(key).map(keys.outboxMessage),
      keys.outboxDeadLetter(key),
    ]),
  );
  return messageKeys.map((_, i) => {
    const at = i * (2 * per + 1);
    const present = (from: number, count: number) =>
      raws.slice(at + from, at + from + count).some((raw) => raw !== undefined);
    if (present(0, per)) return 'sent';
    if (present(per, per)) return 'pending';
    return present(2 * per, 1) ? 'failed' : 'sent';
  });
}

const deadLetterSchema = storedSchema.extend({ error: z.string(), at: z.number() });
export type DeadLetter = z.infer<typeof deadLetterSchema>;

export interface OutboxOptions {
  /** Global send rate per channel, messages per second (TELEGRAM_SEND_RATE, ZALO_SEND_RATE). */
  rates: Partial<Record<ChannelName, number>>;
  /** Least time between two sends to one chat (Telegram: about 1 s), unless the sender asks for more. */
  chatIntervalMs?: number;
  /** How long a claimed message stays invisible to other workers; a dead worker's claims return after it. */
  leaseMs?: number;
  /** Attempts before a transiently failing message becomes a dead letter. */
  maxAttempts?: number;
  /** First retry delay, doubled on each further attempt up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Sends in flight at once per channel. */
  concurrency?: number;
  /** How often an idle worker looks for due messages. */
  pollMs?: number;
  /** How long a sent key is remembered, so enqueuing it again sends nothing. */
  sentTtlMs?: number;
}

export interface OutboxDeps {
  store: Store;
  people: PeopleRepo;
  cells: CellsRepo;
  senders: readonly Sender[];
  now: () => number;
  /** What an idle sender waits on between looks (the injected clock's; real by default). */
  sleep?: Clock['sleep'];
  log: Logger;
  metrics: Metrics;
  /** Renderers of live messages, by name. */
  renderers?: Readonly<Record<string, Renderer>>;
  /**
   * Told when a chat turns out to live on under another ID (a group upgraded to a supergroup); the message that
   * found out is dropped, since whoever addresses that chat knows what is still worth sending to its new ID.
   */
  onChatMoved?: (channel: ChannelName, from: string, to: string) => Promise<void>;
}

/**
 * Idempotent, paced delivery. A message is stored once per key (enqueuing it again changes nothing) and
 * indexed by the time it may be sent; workers claim due messages with a lease, send, and mark them sent in one
 * atomic write. A worker that dies mid-send leaves its claims to come back after the lease: at worst the sends
 * it had in flight are repeated, never the rest.
 */
export class Outbox {
  private readonly options: Required<Omit<OutboxOptions, 'rates'>>;
  private readonly senders: Map<ChannelName, Sender>;
  private readonly limiters: Map<ChannelName, RateLimiter>;
  /** Per running sender: its passes so far, and what wakes it from its wait between looks. */
  private readonly pumps = new Map<ChannelName, { passes: number; wake: () => void }>();
  /** Callers of `settled`, each with the pass that must have begun after it asked. */
  private readonly settling: { channel: ChannelName; after: number; resolve: () => void }[] = [];

  constructor(
    private readonly deps: OutboxDeps,
    options: OutboxOptions,
  ) {
    this.options = {
      chatIntervalMs: 1000,
      leaseMs: 60_000,
      maxAttempts: 8,
      backoffMs: 2_000,
      maxBackoffMs: 10 * 60_000,
      concurrency: 32,
      pollMs: 250,
      sentTtlMs: 30 * DAY_MS,
      ...options,
    };
    this.senders = new Map(deps.senders.map((s) => [s.channel, s]));
    this.limiters = new Map(
      deps.senders.map((s) => [s.channel, new RateLimiter(options.rates[s.channel] ?? 25)]),
    );
  }

  /** The channels this outbox can send on. */
  get channels(): ChannelName[] {
    return [...this.senders.keys()];
  }

  /** The writes that enqueue messages; part of a caller's atomic batch (e.g. with the occurrence they serve). */
  enqueueOps(messages: readonly OutboxMessage[]): WriteOp[] {
    return outboxEnqueueOps(messages, this.deps.now());
  }

  async enqueue(messages: readonly OutboxMessage[]): Promise<void> {
    if (messages.length) await this.deps.store.write(this.enqueueOps(messages));
  }

  /**
   * Takes over messages whose direct send failed with `err` (a reply sent at once, src/delivery/replies.ts): the
   * first counts as one attempt, so it is retried after retry_after or a backoff, within the attempt bound, or
   * kept as a dead letter and counted as failed; the others follow it in order. Keys make it idempotent: a key
   * already sent is not sent again.
   */
  async handOver(messages: readonly OutboxMessage[], err: SendError): Promise<void> {
    const [first, ...rest] = messages.map(({ notBefore: _notBefore, ...message }) => message);
    if (!first) return;
    await this.failed({ ...first, ...(rest.length ? { followedBy: rest } : {}), attempts: 0 }, err);
  }

  /** Messages waiting, due or not, on every channel. */
  async depth(): Promise<number> {
    const counts = await Promise.all(this.channels.map((c) => this.deps.store.zcard(keys.outboxDue(c))));
    return counts.reduce((a, b) => a + b, 0);
  }

  async listDeadLetters(options: { offset?: number; limit?: number } = {}): Promise<DeadLetter[]> {
    const entries = await this.deps.store.zrangeByScore(
      keys.outboxDead(),
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      { offset: options.offset ?? 0, limit: options.limit ?? 100 },
    );
    const docKeys = entries.map((e) => keys.outboxDeadLetter(e.member));
    const raws = await this.deps.store.getMany(docKeys);
    return raws.flatMap((raw, i) => parseDoc(deadLetterSchema, docKeys[i] as string, raw) ?? []);
  }

  /** Sends until `signal` aborts, then lets the sends in flight finish. */
  async run(channel: ChannelName, signal: AbortSignal): Promise<void> {
    // Passes count on from an earlier sender's, so a `settled` caller's mark stays meaningful.
    const pump = { passes: this.pumps.get(channel)?.passes ?? 0, wake: () => {} };
    this.pumps.set(channel, pump);
    try {
      await this.pump(channel, signal, false, pump);
    } finally {
      // Kept (asleep) for its pass count; `settled` then waits for the next sender on this channel.
      pump.wake = () => {};
    }
  }

  /**
   * Resolves once this process's sender for `channel` (`run`) has looked again and found nothing due and nothing
   * in flight: everything due when it was called has been sent, retried later or given up. It looks at once
   * rather than after its poll interval. On a replica not running that sender, it waits until it does.
   */
  settled(channel: ChannelName): Promise<void> {
    return new Promise((resolve) => {
      const pump = this.pumps.get(channel);
      this.settling.push({ channel, after: pump?.passes ?? 0, resolve });
      pump?.wake();
    });
  }

  /** Told by a sender's pass that found nothing to do: resolves the `settled` callers that asked before it began. */
  private idle(channel: ChannelName, pass: number): void {
    for (let i = this.settling.length - 1; i >= 0; i--) {
      const waiter = this.settling[i];
      if (waiter?.channel !== channel || waiter.after >= pass) continue;
      this.settling.splice(i, 1);
      waiter.resolve();
    }
  }

  /** Sends everything due now (retries scheduled for later stay queued), then returns. */
  drain(channel: ChannelName): Promise<void> {
    return this.pump(channel, new AbortController().signal, true);
  }

  private async pump(
    channel: ChannelName,
    signal: AbortSignal,
    untilIdle: boolean,
    running?: { passes: number; wake: () => void },
  ): Promise<void> {
    const { concurrency, pollMs } = this.options;
    const sleep = this.deps.sleep ?? realClock.sleep;
    const half = Math.ceil(concurrency / 2);
    const inFlight = new Set<Promise<void>>();
    const sendingKeys = new Set<string>();
    /** Set by a wake that came while this pass was under way: the next pass starts without waiting. */
    let woken = false;
    let waiting: AbortController | undefined;
    if (running)
      running.wake = () => {
        woken = true;
        waiting?.abort();
      };
    while (!signal.aborted) {
      woken = false;
      const pass = running ? ++running.passes : 0;
      // Claim in batches, once half the slots are free: fewer round trips per message.
      const room = concurrency - inFlight.size;
      const jobs = room >= half ? await this.claim(channel, room) : [];
      for (const job of jobs) {
        // Claimed again while still being sent here (its claim ran out, e.g. the clock jumped): sent once.
        if (sendingKeys.has(job.key)) continue;
        sendingKeys.add(job.key);
        const sending: Promise<void> = this.deliver(job)
          .catch((err) => this.deps.log.error({ err, key: job.key }, 'Outbox delivery failed unexpectedly'))
          .finally(() => {
            inFlight.delete(sending);
            sendingKeys.delete(job.key);
          });
        inFlight.add(sending);
      }
      if (inFlight.size === 0 && running) this.idle(channel, pass);
      if (untilIdle && inFlight.size === 0) break;
      // With more due than room, wait for slots; otherwise for a slot, the next look or a wake, whichever
      // comes first.
      const busy = room < half || jobs.length === room;
      if (busy || woken) {
        if (!woken) await Promise.race(inFlight);
        continue;
      }
      waiting = new AbortController();
      const look = sleep(pollMs, AbortSignal.any([signal, waiting.signal])).catch(() => undefined);
      try {
        await Promise.race([...inFlight, look]);
      } finally {
        // Whichever came first, the other timer is not left behind.
        waiting.abort();
        waiting = undefined;
      }
    }
    await Promise.all(inFlight);
  }

  /** A store outage is logged, not fatal: the pump looks again after its poll interval. */
  private async claim(channel: ChannelName, limit: number): Promise<Stored[]> {
    try {
      return await this.claimDue(channel, limit);
    } catch (err) {
      this.deps.log.error({ err, channel }, 'Outbox claim failed; trying again shortly');
      return [];
    }
  }

  /**
   * Claims up to `limit` due messages. Already-sent or vanished ones are cleaned up; a refresh sent too
   * recently waits for its interval; of several for one chat only the first goes now, the others are spaced
   * out by the chat interval.
   */
  private async claimDue(channel: ChannelName, limit: number): Promise<Stored[]> {
    const { store } = this.deps;
    const now = this.deps.now();
    const claimed = await store.claimDue(keys.outboxDue(channel), now, limit, this.options.leaseMs);
    if (claimed.length === 0) return [];
    const n = claimed.length;
    const raws = await store.getMany([
      ...claimed.map((c) => keys.outboxMessage(c.member)),
      ...claimed.map((c) => keys.outboxSent(c.member)),
    ]);
    const jobs: Stored[] = [];
    const ops: WriteOp[] = [];
    const perChat = new Map<string, number>();
    claimed.forEach(({ member }, i) => {
      const raw = raws[i];
      const sent = parseReceipt(raws[i + n]);
      if (raw === undefined) {
        ops.push(...this.doneOps(channel, member));
        return;
      }
      let message: Stored;
      try {
        message = parseDoc(storedSchema, keys.outboxMessage(member), raw) as Stored;
      } catch (err) {
        this.deps.log.error({ err, key: member }, 'Unreadable outbox message dropped');
        ops.push(...this.doneOps(channel, member));
        return;
      }
      // A one-off already sent is done (what follows it goes); a refresh sent is only spaced from its last send.
      if (sent && !message.refresh) {
        ops.push(...this.doneOps(channel, member), ...followUpOps(message, now));
        return;
      }
      if (sent && message.refresh && now < sent.at + message.refresh.minIntervalMs) {
        ops.push(this.deferOp(message, sent.at + message.refresh.minIntervalMs));
        return;
      }
      const earlier = perChat.get(message.chatId) ?? 0;
      perChat.set(message.chatId, earlier + 1);
      if (earlier === 0) jobs.push(message);
      else ops.push(this.deferOp(message, now + earlier * this.intervalFor(message)));
    });
    if (ops.length) await store.write(ops);
    return jobs;
  }

  private async deliver(message: Stored): Promise<void> {
    const { store, now, metrics } = this.deps;
    const sender = this.senders.get(message.channel);
    if (!sender) throw new Error(`no sender for channel ${message.channel}`);
    await this.limiters.get(message.channel)?.take();

    // The chat's slot, store-backed so replicas agree: whoever sets it first may send to the chat now.
    const interval = this.intervalFor(message);
    const pace = keys.chatNotBefore(message.channel, message.chatId);
    const at = now();
    const slot = await this.takeChatSlot(pace, at, interval);
    if (slot !== true) {
      await store.write([this.deferOp(message, slot)]);
      return;
    }

    // An edit needs the message it edits to have gone; one whose message never will has nothing to edit.
    let editing = message.editMessageId;
    if (message.editOf && editing === undefined) {
      const [original, waiting] = await store.getMany([
        keys.outboxSent(message.editOf),
        keys.outboxMessage(message.editOf),
      ]);
      editing = parseReceipt(original)?.messageId;
      if (editing === undefined) {
        if (waiting !== undefined)
          await store.write([this.deferOp(message, at + (message.refresh?.minIntervalMs ?? interval))]);
        else await this.finish(message);
        return;
      }
    }

    const perChat = message.refresh?.perChat;
    if (perChat) {
      const free = await this.takeChatToken(message, perChat, at);
      if (free !== true) {
        await store.write([this.deferOp(message, free)]);
        return;
      }
    }

    let view = message.view;
    let receipt: SendReceipt | undefined;
    try {
      if (message.live) {
        view = await this.render(message.live);
        // Nothing left to show (the meeting is gone): nothing to send.
        if (!view) return await this.finish(message);
      }
      if (!view) throw new SendError('a message without a view', { kind: 'permanent' });
      if (editing === undefined && sender.post) receipt = await sender.post(message.chatId, view);
      else if (editing === undefined) await sender.send(message.chatId, view);
      else if (sender.edit) await sender.edit(message.chatId, editing, view);
      else throw new SendError(`channel ${message.channel} cannot edit messages`, { kind: 'permanent' });
    } catch (err) {
      await this.failed(
        message,
        err instanceof SendError ? err : new SendError(String(err), { kind: 'transient' }),
      );
      return;
    }
    const sent: Receipt = { at: now(), ...(receipt ? { messageId: receipt.messageId } : {}) };
    await this.finish(message, sent, view);
    metrics.sent.inc({ channel: message.channel });
  }

  /**
   * Marks a message done (and sent, with its receipt, when it went). A refresh stays stored for the next time;
   * if what it shows changed while it was on its way, it is due again after its interval.
   */
  private async finish(message: Stored, sent?: Receipt, shown?: View): Promise<void> {
    const { store, now } = this.deps;
    const { key, channel, refresh, live } = message;
    await store.write([
      ...(sent
        ? [
            {
              op: 'set' as const,
              key: keys.outboxSent(key),
              value: JSON.stringify(sent),
              ttlMs: this.options.sentTtlMs,
            },
          ]
        : []),
      ...(refresh
        ? [{ op: 'zrem' as const, key: keys.outboxDue(channel), members: [key] }]
        : this.doneOps(channel, key)),
      ...followUpOps(message, now()),
    ]);
    if (!refresh || !live || !shown) return;
    // Its due entry is gone first: a refresh asked for from now on adds it back itself, and one asked for
    // earlier had its change written first, so rendering again now shows it.
    const again = await this.render(live).catch((err) => {
      this.deps.log.warn({ err, key }, 'Rendering a refresh again failed; sending it once more');
      return { text: '' } as View;
    });
    if (again && JSON.stringify(again) !== JSON.stringify(shown))
      await store.write([this.deferOp(message, now() + refresh.minIntervalMs)]);
  }

  /**
   * Takes the chat's next send slot, once across replicas: true when taken, else when it frees up. The slot's key
   * lives `interval` of real time (the store's TTL) but holds its end on the injected clock: when that clock has
   * passed it (a test's clock, or the system clock stepped), the slot is free and taken over, by one replica only.
   */
  private async takeChatSlot(pace: string, at: number, interval: number): Promise<true | number> {
    const { store } = this.deps;
    const value = String(at + interval);
    if (await store.setIfAbsent(pace, value, interval)) return true;
    const held = await store.get(pace);
    const until = Number(held);
    if (held === undefined || (Number.isFinite(until) && until <= at)) {
      const freed = held === undefined || (await store.deleteIfEquals(pace, held));
      if (freed && (await store.setIfAbsent(pace, value, interval))) return true;
      return at + interval;
    }
    return Number.isFinite(until) ? until : at + interval;
  }

  private async render(live: LiveView): Promise<View | undefined> {
    const render = this.deps.renderers?.[live.renderer];
    if (!render) throw new SendError(`no renderer ${live.renderer}`, { kind: 'permanent' });
    return render(live.ref);
  }

  /**
   * Takes one of the chat's refresh tokens (each usable once per window), atomically across replicas; true when
   * taken, else when the next one frees up. The tokens are made on first use.
   */
  private async takeChatToken(
    message: Stored,
    perChat: { limit: number; windowMs: number },
    now: number,
  ): Promise<true | number> {
    const { store } = this.deps;
    const tokens = keys.outboxChatTokens(message.channel, message.chatId);
    for (let attempt = 0; attempt < 2; attempt++) {
      if ((await store.claimDue(tokens, now, 1, perChat.windowMs)).length) return true;
      if (attempt > 0 || (await store.zcard(tokens)) >= perChat.limit) break;
      const entries = Array.from({ length: perChat.limit }, (_, i) => ({ member: `t${i}`, score: 0 }));
      await store.write([{ op: 'zadd', key: tokens, entries, ifAbsent: true }]);
    }
    const [next] = await store.zrangeByScore(tokens, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, {
      limit: 1,
    });
    return Math.max(now + 1, next?.score ?? now + perChat.windowMs);
  }

  private async failed(message: Stored, err: SendError): Promise<void> {
    const { store, now: clock, log, metrics } = this.deps;
    const now = clock();
    const attempts = message.attempts + 1;
    const { channel, key } = message;
    if (err.movedTo !== undefined && this.deps.onChatMoved) {
      try {
        await this.deps.onChatMoved(channel, message.chatId, err.movedTo);
        // The owner posts its own message anew; what was queued behind it (the rest of a reply) is nobody's
        // to repost, so it follows the chat to its new ID. A refresh stays stored: the owner may just have
        // stored it anew, for the new chat.
        const to = err.movedTo;
        const followers = (message.followedBy ?? []).map((m) =>
          m.chatId === message.chatId ? { ...m, chatId: to } : m,
        );
        await store.write([
          ...(message.refresh
            ? [{ op: 'zrem' as const, key: keys.outboxDue(channel), members: [key] }]
            : this.doneOps(channel, key)),
          ...followUpOps({ ...message, followedBy: followers }, now),
        ]);
        log.info({ key, channel, from: message.chatId, to: err.movedTo }, 'Chat moved: message handed over');
        return;
      } catch (hookErr) {
        log.error({ err: hookErr, key }, 'Following a moved chat failed; retrying the message later');
        err = new SendError(err.message, { kind: 'transient' });
      }
    }
    if (err.kind === 'transient' && attempts < this.options.maxAttempts) {
      // Full jitter spreads the retries of a burst that failed together.
      const backoff = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** (attempts - 1));
      const delay = err.retryAfterMs ?? backoff * (0.5 + Math.random() / 2);
      const retry: Stored = { ...message, attempts, lastError: err.message };
      await store.write([
        {
          op: 'set',
          key: keys.outboxMessage(key),
          value: JSON.stringify(retry),
          ...(message.refresh ? { ttlMs: REFRESH_TTL_MS } : {}),
        },
        { op: 'zadd', key: keys.outboxDue(channel), entries: [{ member: key, score: now + delay }] },
        // retry_after binds the whole chat, not only this message.
        ...(err.retryAfterMs === undefined
          ? []
          : [
              {
                op: 'set' as const,
                key: keys.chatNotBefore(channel, message.chatId),
                value: String(now + err.retryAfterMs),
                ttlMs: err.retryAfterMs,
              },
            ]),
      ]);
      metrics.retried.inc({ channel });
      log.debug({ key, attempts, delay, error: err.message }, 'Send failed; retrying later');
      return;
    }
    const { followedBy: _followedBy, ...given } = message;
    const dead: DeadLetter = { ...given, attempts, error: err.message, at: now };
    await store.write([
      { op: 'set', key: keys.outboxDeadLetter(key), value: JSON.stringify(dead) },
      { op: 'zadd', key: keys.outboxDead(), entries: [{ member: key, score: now }] },
      ...this.doneOps(channel, key),
      ...followUpOps(message, now),
    ]);
    metrics.failed.inc({ channel });
    log.warn({ key, channel, attempts, error: err.message }, 'Send given up: dead letter');
    if (err.unreachable && message.personId) await this.reportUnreachable(message, err.unreachable);
  }

  /**
   * Marks the person unreachable on the channel. The message then goes to their other channel if they have one
   * (a person linked on both who blocked the bot on one); otherwise their cell's secretaries are told, once a
   * day at most, to tell them in person.
   */
  private async reportUnreachable(message: Stored, why: Unreachable): Promise<void> {
    const { people, cells, now } = this.deps;
    const person = message.personId ? await people.get(message.personId) : undefined;
    if (!person) return;
    const marked = person.unreachable.includes(message.channel)
      ? person
      : { ...person, unreachable: [...person.unreachable, message.channel] };
    if (marked !== person) await people.save(marked);
    const fallback = addressOf(marked, this.channels);
    if (fallback) {
      const { key, personId, cellId, view } = message;
      await this.enqueue([{ key: fallbackKey(key, fallback.channel), ...fallback, personId, cellId, view }]);
      return;
    }
    if (!message.cellId) return;
    const secretaries = await people.getMany(
      (await cells.secretaries(message.cellId)).filter((id) => id !== person.id),
    );
    const day = Math.floor(now() / DAY_MS);
    await this.enqueue(
      secretaries.flatMap((secretary) => {
        const address = addressOf(secretary, this.channels);
        if (!address) return [];
        const text = t(
          'delivery.unreachable',
          {
            name: person.name,
            channel: t(`delivery.channel.${message.channel}`, {}, secretary.locale),
            reason: t(`delivery.reason.${why}`, {}, secretary.locale),
          },
          secretary.locale,
        );
        return [
          {
            key: `unreachable:${message.channel}:${person.id}:${day}:${secretary.id}`,
            ...address,
            personId: secretary.id,
            cellId: message.cellId,
            view: { text },
          },
        ];
      }),
    );
  }

  private intervalFor(message: Stored): number {
    return this.senders.get(message.channel)?.chatIntervalMs?.(message.chatId) ?? this.options.chatIntervalMs;
  }

  private doneOps(channel: ChannelName, key: string): WriteOp[] {
    return [
      { op: 'zrem', key: keys.outboxDue(channel), members: [key] },
      { op: 'del', key: keys.outboxMessage(key) },
    ];
  }

  private deferOp(message: Stored, at: number): WriteOp {
    return {
      op: 'zadd',
      key: keys.outboxDue(message.channel),
      entries: [{ member: message.key, score: at }],
    };
  }
}
