import type { Context } from 'grammy';

export interface FloodGuardOptions {
  /** Updates one person may send in a window. */
  limit: number;
  timeFrameMs: number;
  /** The injected clock. */
  now: () => number;
  /**
   * Answers a tap the guard dropped, so the person's button stops spinning and they know to wait. Its failure
   * is the caller's to log; it never reaches the next update.
   */
  onDroppedTap?: (ctx: Context) => Promise<unknown>;
}

/**
 * A per-user flood guard: at most `limit` updates from one user in each window of `timeFrameMs`; the rest are
 * dropped until the window passes. A dropped tap is answered (`onDroppedTap`: "wait a moment"), since Telegram
 * keeps a tap's spinner turning until it is; a dropped message is dropped silently, as an answer to each would
 * only feed the flood. Updates without a sender pass. Fixed windows on the injected clock, one count per
 * numeric user ID, all cleared when the window ends: the same rule as @grammyjs/ratelimiter's memory store,
 * which built a string key per update and kept them until its window was cleared (a seventh of a tap's cost
 * under load, scripts/bench/taps.ts), read the wall clock and could not answer what it dropped.
 *
 * A counter the bot's one middleware calls, not a middleware of its own: each grammY layer costs every update
 * a closure and a promise or two.
 */
export class FloodGuard {
  private readonly hits = new Map<number, number>();
  private windowEnds = 0;

  constructor(private readonly options: FloodGuardOptions) {}

  /** Counts the update against its sender: true if it may go on. */
  admits(ctx: Context): boolean {
    const id = ctx.from?.id;
    if (id === undefined) return true;
    const at = this.options.now();
    if (at >= this.windowEnds) {
      this.hits.clear();
      this.windowEnds = at + this.options.timeFrameMs;
    }
    const count = (this.hits.get(id) ?? 0) + 1;
    this.hits.set(id, count);
    return count <= this.options.limit;
  }

  /** What becomes of an update it did not admit: a tap is answered, anything else is dropped. */
  async dropped(ctx: Context): Promise<void> {
    if (ctx.callbackQuery && this.options.onDroppedTap) await this.options.onDroppedTap(ctx);
  }
}
