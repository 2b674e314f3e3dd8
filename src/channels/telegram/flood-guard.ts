import type { Context, MiddlewareFn } from 'grammy';

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
 * only feed the flood. Updates without a sender pass. Fixed windows on the injected clock, counted by numeric
 * user ID: the same rule as @grammyjs/ratelimiter's memory store, which built a string key per update and kept
 * them until its window was cleared (a seventh of a tap's cost under load, scripts/bench/taps.ts), read the wall
 * clock and could not answer what it dropped.
 */
export function floodGuard({
  limit,
  timeFrameMs,
  now,
  onDroppedTap,
}: FloodGuardOptions): MiddlewareFn<Context> {
  const hits = new Map<number, number>();
  let windowEnds = 0;
  return (ctx, next) => {
    const id = ctx.from?.id;
    if (id === undefined) return next();
    const at = now();
    if (at >= windowEnds) {
      hits.clear();
      windowEnds = at + timeFrameMs;
    }
    const count = (hits.get(id) ?? 0) + 1;
    hits.set(id, count);
    if (count <= limit) return next();
    if (ctx.callbackQuery && onDroppedTap) return onDroppedTap(ctx).then(() => undefined);
    return undefined;
  };
}
