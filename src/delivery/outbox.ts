import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { View } from '../../handlers/views.js';
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
import { SendError, type Sender, type Unreachable } from './sender.js';

/** One message to one chat. `key` is its idempotency key: (occurrence × recipient), or the like. */
export interface OutboxMessage {
  key: string;
  channel: ChannelName;
  chatId: string;
  /** Who it is for, so a permanent failure marks them unreachable and tells their cell's secretaries. */
  personId?: string;
  cellId?: string;
  view: View;
  /** Not sent before this time (ms); now when absent. */
  notBefore?: number;
}

const viewSchema = z.custom<View>((v) => typeof (v as View | undefined)?.text === 'string');

const storedSchema = z.object({
  key: z.string(),
  channel: channelNameSchema,
  chatId: z.string(),
  personId: z.string().optional(),
  cellId: z.string().optional(),
  view: viewSchema,
  attempts: z.number().int().default(0),
  lastError: z.string().optional(),
});
type Stored = z.infer<typeof storedSchema>;

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
  log: Logger;
  metrics: Metrics;
}

const DAY_MS = 86_400_000;

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
    const now = this.deps.now();
    return messages.flatMap(({ notBefore, ...message }): WriteOp[] => {
      const stored: Stored = { ...message, attempts: 0 };
      return [
        { op: 'set', key: keys.outboxMessage(message.key), value: JSON.stringify(stored), ifAbsent: true },
        {
          op: 'zadd',
          key: keys.outboxDue(message.channel),
          entries: [{ member: message.key, score: notBefore ?? now }],
          ifAbsent: true,
        },
      ];
    });
  }

  async enqueue(messages: readonly OutboxMessage[]): Promise<void> {
    if (messages.length) await this.deps.store.write(this.enqueueOps(messages));
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
  run(channel: ChannelName, signal: AbortSignal): Promise<void> {
    return this.pump(channel, signal, false);
  }

  /** Sends everything due now (retries scheduled for later stay queued), then returns. */
  drain(channel: ChannelName): Promise<void> {
    return this.pump(channel, new AbortController().signal, true);
  }

  private async pump(channel: ChannelName, signal: AbortSignal, untilIdle: boolean): Promise<void> {
    const { concurrency, pollMs } = this.options;
    const half = Math.ceil(concurrency / 2);
    const inFlight = new Set<Promise<void>>();
    while (!signal.aborted) {
      // Claim in batches, once half the slots are free: fewer round trips per message.
      const room = concurrency - inFlight.size;
      const jobs = room >= half ? await this.claim(channel, room) : [];
      for (const job of jobs) {
        const sending: Promise<void> = this.deliver(job)
          .catch((err) => this.deps.log.error({ err, key: job.key }, 'Outbox delivery failed unexpectedly'))
          .finally(() => inFlight.delete(sending));
        inFlight.add(sending);
      }
      if (untilIdle && inFlight.size === 0) break;
      // With more due than room, wait for slots; otherwise for a slot or the next look, whichever comes first.
      const busy = room < half || jobs.length === room;
      await Promise.race(busy ? inFlight : [...inFlight, sleep(pollMs)]);
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
   * Claims up to `limit` due messages. Already-sent or vanished ones are cleaned up; of several for one chat
   * only the first goes now, the others are spaced out by the chat interval.
   */
  private async claimDue(channel: ChannelName, limit: number): Promise<Stored[]> {
    const { store } = this.deps;
    const now = this.deps.now();
    const claimed = await store.claimDue(keys.outboxDue(channel), now, limit, this.options.leaseMs);
    if (claimed.length === 0) return [];
    const raws = await store.getMany([
      ...claimed.map((c) => keys.outboxMessage(c.member)),
      ...claimed.map((c) => keys.outboxSent(c.member)),
    ]);
    const jobs: Stored[] = [];
    const ops: WriteOp[] = [];
    const perChat = new Map<string, number>();
    claimed.forEach(({ member }, i) => {
      const raw = raws[i];
      if (raw === undefined || raws[i + claimed.length] !== undefined) {
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
    if (!(await store.setIfAbsent(pace, String(at + interval), interval))) {
      const until = Number(await store.get(pace));
      await store.write([
        this.deferOp(message, Number.isFinite(until) ? Math.max(until, at) : at + interval),
      ]);
      return;
    }

    try {
      await sender.send(message.chatId, message.view);
    } catch (err) {
      await this.failed(
        message,
        err instanceof SendError ? err : new SendError(String(err), { kind: 'transient' }),
      );
      return;
    }
    await store.write([
      { op: 'set', key: keys.outboxSent(message.key), value: String(now()), ttlMs: this.options.sentTtlMs },
      ...this.doneOps(message.channel, message.key),
    ]);
    metrics.sent.inc({ channel: message.channel });
  }

  private async failed(message: Stored, err: SendError): Promise<void> {
    const { store, now: clock, log, metrics } = this.deps;
    const now = clock();
    const attempts = message.attempts + 1;
    const { channel, key } = message;
    if (err.kind === 'transient' && attempts < this.options.maxAttempts) {
      // Full jitter spreads the retries of a burst that failed together.
      const backoff = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** (attempts - 1));
      const delay = err.retryAfterMs ?? backoff * (0.5 + Math.random() / 2);
      const retry: Stored = { ...message, attempts, lastError: err.message };
      await store.write([
        { op: 'set', key: keys.outboxMessage(key), value: JSON.stringify(retry) },
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
    const dead: DeadLetter = { ...message, attempts, error: err.message, at: now };
    await store.write([
      { op: 'set', key: keys.outboxDeadLetter(key), value: JSON.stringify(dead) },
      { op: 'zadd', key: keys.outboxDead(), entries: [{ member: key, score: now }] },
      ...this.doneOps(channel, key),
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
      await this.enqueue([{ key: `${key}:via:${fallback.channel}`, ...fallback, personId, cellId, view }]);
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
