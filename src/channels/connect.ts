import { type Clock, realClock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { ChannelReporter } from '../readiness.js';

export interface BackgroundConnectOptions {
  /** The channel's name, in logs and in /readyz. */
  channel: string;
  /**
   * One attempt: resolves once the channel is connected. `signal` aborts when the attempt runs out of time or
   * the service stops; an attempt checks it before anything that would outlive it (starting a poller).
   */
  connect: (signal: AbortSignal) => Promise<void>;
  reporter: ChannelReporter;
  log: Logger;
  /** The injected clock: when the next attempt is due, as /readyz shows it. */
  now: () => number;
  /** Waits between attempts; rejects when `signal` aborts (the injected clock's; real by default). */
  sleep?: Clock['sleep'];
  /** The first pause after a failure, doubled after each further one up to `maxMs`. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** How long one attempt may take before it counts as failed. */
  attemptTimeoutMs?: number;
}

export interface BackgroundConnection {
  /** Resolves true once connected, false when stopped before that. */
  readonly connected: Promise<boolean>;
  /** Aborts the attempt in flight or the pause, and resolves once the loop has ended. */
  stop(): Promise<void>;
}

export const CONNECT_BACKOFF = { initialMs: 1_000, maxMs: 5 * 60_000 };
const ATTEMPT_TIMEOUT_MS = 30_000;

/** An error's message: never its cause, which may carry a request URL and with it a token. */
const describeError = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Connects a channel without holding up start-up: attempts run in the background, with exponential backoff
 * between them (1 s doubling to 5 minutes) and a time limit on each, for as long as the service runs — a channel
 * that gave up for good would need an operator to restart the service once the network is back. Each change of
 * state is logged once (connecting, unreachable with its reason, connected again) and reported to /readyz.
 */
export function connectInBackground(options: BackgroundConnectOptions): BackgroundConnection {
  const { channel, reporter, log, now } = options;
  const wait = options.sleep ?? realClock.sleep;
  const initialMs = options.backoff?.initialMs ?? CONNECT_BACKOFF.initialMs;
  const maxMs = options.backoff?.maxMs ?? CONNECT_BACKOFF.maxMs;
  const timeoutMs = options.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS;
  const stopped = new AbortController();

  const connected = (async () => {
    reporter.set({ state: 'starting' });
    log.info({ channel }, 'Connecting the channel in the background');
    let attempts = 0;
    let lastLogged: string | undefined;
    while (!stopped.signal.aborted) {
      attempts += 1;
      const signal = AbortSignal.any([stopped.signal, AbortSignal.timeout(timeoutMs)]);
      try {
        await untilAborted(options.connect(signal), signal);
        reporter.set({ state: 'connected', since: now() });
        log.info({ channel, attempts }, 'Channel connected');
        return true;
      } catch (err) {
        if (stopped.signal.aborted) break;
        const error = signal.aborted ? `no answer within ${timeoutMs} ms` : describeError(err);
        const retryInMs = Math.min(maxMs, initialMs * 2 ** (attempts - 1));
        reporter.set({ state: 'retrying', attempts, lastError: error, nextAttemptAt: now() + retryInMs });
        // Once per state change (or a new reason); each further failure alike goes to debug.
        if (error !== lastLogged)
          log.warn({ channel, attempts, retryInMs, error }, 'Channel unreachable; retrying');
        else log.debug({ channel, attempts, retryInMs }, 'Channel still unreachable; retrying');
        lastLogged = error;
        await wait(retryInMs, stopped.signal).catch(() => undefined);
      }
    }
    return false;
  })();

  return {
    connected,
    async stop() {
      stopped.abort();
      await connected;
    },
  };
}

/** `work`'s outcome, or a rejection as soon as `signal` aborts (the work may go on; its result is ignored). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
