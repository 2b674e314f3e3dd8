import { readFileSync } from 'node:fs';
import type { Clock } from './clock.js';

/**
 * Tests only: the clock of a service process that a test moves from outside (TEST_CLOCK_FILE, which the
 * configuration refuses unless NODE_ENV=test). The file holds an ISO time; the clock runs on from it as real
 * time passes, and jumps when the test writes another. On each jump `onJump` runs, as the minute tick and the
 * daily planning would on reaching that time; jumps are handled one at a time (`run` reports its own errors).
 */
export interface FileClock extends Clock {
  onJump(run: () => Promise<void>): void;
  stop(): void;
}

/** How often the file is read: a jump is seen within this. */
const READ_EVERY_MS = 50;

export function fileClock(path: string): FileClock {
  const read = () => {
    const at = Date.parse(readFileSync(path, 'utf8').trim());
    if (Number.isNaN(at)) throw new Error(`TEST_CLOCK_FILE ${path} does not hold an ISO time`);
    return at;
  };
  let base = read();
  let readAt = Date.now();
  let handler: (() => Promise<void>) | undefined;
  const now = () => base + (Date.now() - readAt);
  /** Sleepers, woken by real time passing or by a jump past their time, whichever comes first. */
  const sleepers = new Set<{ at: number; wake: () => void }>();
  let running = Promise.resolve();
  const timer = setInterval(() => {
    let next: number;
    try {
      next = read();
    } catch {
      return; // caught mid-write: the next read sees it whole
    }
    if (next === base) return;
    base = next;
    readAt = Date.now();
    for (const sleeper of sleepers) if (sleeper.at <= now()) sleeper.wake();
    const run = handler;
    if (run) running = running.then(() => run().catch(() => {}));
  }, READ_EVERY_MS);
  timer.unref();
  return {
    now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const sleeper = { at: now() + ms, wake: () => done(resolve) };
        const onAbort = () => done(() => reject(signal?.reason));
        const timer = setTimeout(sleeper.wake, ms);
        const done = (settle: () => void) => {
          clearTimeout(timer);
          sleepers.delete(sleeper);
          signal?.removeEventListener('abort', onAbort);
          settle();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        sleepers.add(sleeper);
      }),
    onJump: (run) => {
      handler = run;
    },
    stop: () => clearInterval(timer),
  };
}
