import { type Clock, monotonicClock } from '../clock.js';

/**
 * Spaces sends evenly at `perSecond` across everything sharing this limiter, catching up at most 20 ms of
 * slots after timer jitter. It paces real elapsed time against a platform's limit, so it reads the monotonic
 * clock by default, not the injected business clock (tests of the pacing pass one they move).
 */
export class RateLimiter {
  private readonly intervalMs: number;
  private readonly burstMs: number;
  private next = 0;

  constructor(
    perSecond: number,
    private readonly clock: Clock = monotonicClock,
  ) {
    this.intervalMs = 1000 / perSecond;
    this.burstMs = Math.max(this.intervalMs, 20);
  }

  /** Resolves when the caller may send one message. */
  async take(): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(this.next, now - this.burstMs);
    this.next = at + this.intervalMs;
    if (at > now) await this.clock.sleep(at - now);
  }
}
