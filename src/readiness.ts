import { type Clock, realClock } from './clock.js';
import { keys } from './store/keys.js';
import type { Store } from './store/port.js';

/**
 * Where a channel stands: connecting for the first time, connected, retrying after a failure to connect, or
 * connected but failing to receive (the replica that long-polls cannot get updates, and its poller retries).
 */
export type ChannelState =
  | { state: 'starting' }
  | { state: 'connected'; since: number }
  | { state: 'retrying'; attempts: number; lastError: string; nextAttemptAt: number }
  | { state: 'receiving_failed'; since: number; lastError: string };

/** What a store adapter reports of its connection (Redis: connected, reconnecting after an error). */
export interface StoreConnection {
  ok: boolean;
  error?: string;
}

export interface ReadinessReport {
  status: 200 | 503;
  body: {
    status: 'ready' | 'not_ready';
    store: { kind: Store['kind']; ok: boolean; error?: string };
    channels: Record<string, { ok: boolean } & Record<string, unknown>>;
    scheduler: { ok: boolean; lastTickAgeMs: number | null };
  };
}

export interface ReadinessOptions {
  store: Store;
  now: () => number;
  /** How long the store may take to answer a readiness probe. */
  storeTimeoutMs?: number;
  /** The scheduler ticks every minute; past this age without a tick it counts as down. */
  tickMaxAgeMs?: number;
}

const STORE_TIMEOUT_MS = 1_000;
const TICK_MAX_AGE_MS = 3 * 60_000;

/**
 * Resolves with `work`'s value, or rejects once `ms` have passed. A deadline on I/O, so on the real clock unless
 * a test of it passes its own.
 */
export async function within<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  clock: Clock = realClock,
): Promise<T> {
  const done = new AbortController();
  const timeout = clock.sleep(ms, done.signal).then(
    () => Promise.reject(new Error(`${what} did not answer within ${ms} ms`)),
    () => new Promise<never>(() => {}),
  );
  try {
    return await Promise.race([work, timeout]);
  } finally {
    done.abort();
  }
}

/**
 * What `/readyz` answers: the store, each configured channel and the scheduler's last tick, 503 when any of them
 * is down. Channels and the store's adapter report into it; the scheduler's tick is read from the store (any
 * replica may run it), and the store is asked each time.
 */
export class Readiness {
  private readonly channels = new Map<string, ChannelState>();
  private storeConnection: StoreConnection | undefined;
  private readonly startedAt: number;

  constructor(private readonly options: ReadinessOptions) {
    this.startedAt = options.now();
  }

  /** The hook a store adapter reports its connection state into; the latest report counts. */
  reportStore(connection: StoreConnection): void {
    this.storeConnection = connection;
  }

  /** A configured channel, in state `starting` until it reports otherwise. */
  addChannel(name: string): ChannelReporter {
    this.channels.set(name, { state: 'starting' });
    return { set: (state) => this.channels.set(name, state) };
  }

  channelState(name: string): ChannelState | undefined {
    return this.channels.get(name);
  }

  async report(): Promise<ReadinessReport> {
    const { store, now } = this.options;
    const timeoutMs = this.options.storeTimeoutMs ?? STORE_TIMEOUT_MS;
    let storeError: string | undefined;
    let lastTick: number | undefined;
    try {
      const [, raw] = await within(
        Promise.all([store.ping(), store.get(keys.schedulerLastTick())]),
        timeoutMs,
        'the store',
      );
      lastTick = raw === undefined ? undefined : Number(raw);
    } catch (err) {
      storeError = err instanceof Error ? err.message : String(err);
    }
    // The adapter's reason (the connection's own error) says more than a probe that timed out.
    if (this.storeConnection && !this.storeConnection.ok)
      storeError = this.storeConnection.error ?? storeError ?? 'disconnected';
    const storeOk = storeError === undefined;

    const at = now();
    const maxAge = this.options.tickMaxAgeMs ?? TICK_MAX_AGE_MS;
    const lastTickAgeMs = lastTick !== undefined && Number.isFinite(lastTick) ? at - lastTick : null;
    // Before the first tick anywhere (a new deployment), the scheduler gets as long as a late tick would.
    const schedulerOk =
      storeOk && (lastTickAgeMs === null ? at - this.startedAt <= maxAge : lastTickAgeMs <= maxAge);

    const channels: ReadinessReport['body']['channels'] = {};
    for (const [name, state] of this.channels) channels[name] = describeChannel(state, at);
    const ok = storeOk && schedulerOk && Object.values(channels).every((c) => c.ok);
    return {
      status: ok ? 200 : 503,
      body: {
        status: ok ? 'ready' : 'not_ready',
        store: { kind: store.kind, ok: storeOk, ...(storeError ? { error: storeError } : {}) },
        channels,
        scheduler: { ok: schedulerOk, lastTickAgeMs },
      },
    };
  }
}

export interface ChannelReporter {
  set(state: ChannelState): void;
}

function describeChannel(state: ChannelState, now: number): { ok: boolean } & Record<string, unknown> {
  switch (state.state) {
    case 'connected':
      return { ok: true, state: 'connected', sinceMs: now - state.since };
    case 'retrying':
      return {
        ok: false,
        state: 'retrying',
        attempts: state.attempts,
        lastError: state.lastError,
        nextAttemptInMs: Math.max(0, state.nextAttemptAt - now),
      };
    case 'receiving_failed':
      return { ok: false, state: 'receiving_failed', lastError: state.lastError, forMs: now - state.since };
    default:
      return { ok: false, state: 'starting' };
  }
}
