import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The one clock every part of the service reads and waits on. Real by default; tests pass one they move by hand
 * (test/support/world.ts) or from outside the process (src/test-clock.ts), and whatever sleeps on it wakes when
 * they move it past its time.
 *
 * Two kinds of timer stay on the real clock even then, because what they measure is real: deadlines raced
 * against I/O (a store ping, an HTTP drain, a stop), leases whose TTL the store counts in real time, and the send
 * rate a platform counts in real time. They take a Clock too (tests of them drive it), defaulting to this one.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves once `ms` have passed on this clock; rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, signal ? { signal } : {}),
};

/** Real elapsed time, immune to the system clock being set: what pacing and deadlines measure. */
export const monotonicClock: Clock = {
  now: () => performance.now(),
  sleep: realClock.sleep,
};

/**
 * A clock that stands still until `set` or `advance` moves it; sleepers wake once it reaches their time. The
 * base of the tests' clocks, in src so that a process under test (src/test-clock.ts) can use it too.
 */
export class ManualClock implements Clock {
  private readonly sleepers = new Set<{ at: number; wake: () => void }>();

  constructor(private time: number) {}

  now = (): number => this.time;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const sleeper = {
        at: this.time + ms,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
    });
  };

  /** Sleepers waiting now, and when the first of them wakes (undefined when none). */
  get nextWake(): number | undefined {
    let first: number | undefined;
    for (const { at } of this.sleepers) if (first === undefined || at < first) first = at;
    return first;
  }

  set(iso: string | number): void {
    this.moveTo(typeof iso === 'number' ? iso : Date.parse(iso));
  }

  advance(ms: number): void {
    this.moveTo(this.time + ms);
  }

  protected moveTo(at: number): void {
    this.time = at;
    for (const sleeper of [...this.sleepers].sort((a, b) => a.at - b.at)) {
      if (sleeper.at > at) break;
      this.sleepers.delete(sleeper);
      sleeper.wake();
    }
  }
}
