import { readFileSync } from 'node:fs';

/**
 * Tests only: the clock of a service process that a test moves from outside (TEST_CLOCK_FILE, which the
 * configuration refuses unless NODE_ENV=test). The file holds an ISO time; the clock runs on from it as real
 * time passes, and jumps when the test writes another. On each jump `onJump` runs, as the minute tick and the
 * daily planning would on reaching that time; jumps are handled one at a time (`run` reports its own errors).
 */
export interface FileClock {
  now(): number;
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
    const run = handler;
    if (run) running = running.then(() => run().catch(() => {}));
  }, READ_EVERY_MS);
  timer.unref();
  return {
    now: () => base + (Date.now() - readAt),
    onJump: (run) => {
      handler = run;
    },
    stop: () => clearInterval(timer),
  };
}
