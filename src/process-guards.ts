import { type Clock, realClock } from './clock.js';
import type { Logger } from './logger.js';

/**
 * How long a stop may take before the process exits anyway: a request or a send that hangs must not keep a
 * stopping service alive (Docker sends SIGKILL after 10 s by default; compose.yaml gives it longer).
 */
export const STOP_GRACE_MS = 10_000;

/**
 * Runs `stop` against a deadline: 'stopped', 'failed' (it threw: logged), or 'late' if the grace ran out first
 * (logged; the caller exits either way). Real time unless a test passes its own clock.
 */
export async function stopWithin(
  log: Logger,
  stop: () => Promise<void>,
  options: { graceMs?: number; clock?: Clock } = {},
): Promise<'stopped' | 'failed' | 'late'> {
  const { graceMs = STOP_GRACE_MS, clock = realClock } = options;
  const deadline = new AbortController();
  const late = clock.sleep(graceMs, deadline.signal).then(
    () => 'late' as const,
    () => 'stopped' as const,
  );
  const stopped = stop().then(
    () => 'stopped' as const,
    (err: unknown) => {
      log.error({ err }, 'Shutdown failed');
      return 'failed' as const;
    },
  );
  const outcome = await Promise.race([stopped, late]);
  deadline.abort();
  if (outcome === 'late') log.error({ graceMs }, 'Shutdown did not finish in time; exiting anyway');
  return outcome;
}

/**
 * The last line of defence, once the service runs:
 *
 * - A promise rejected with no handler is a bug in a background task (an HTTP request's failure is answered by
 *   the HTTP app's error handler, an update's by the bot's error boundary). It is logged with its error and the
 *   service keeps serving: the task that failed is over, and nothing else shares its state.
 * - An exception thrown past every stack frame is different: Node documents that the process is then in an
 *   undefined state (a half-applied change, a lock never released, a stream half-written), so it is not
 *   resumed. It is logged, the service stops gracefully (HTTP drains, the store closes), and the process exits
 *   1 for its supervisor (Docker's restart policy, systemd) to start it afresh. Everything lasting is in the
 *   store, so a restart loses nothing; no input reaches this path, since requests and updates run in promises.
 */
export function guardProcess(log: Logger, stop: () => Promise<void>, clock: Clock = realClock): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'Unhandled promise rejection; the service keeps serving');
  });
  process.once('uncaughtException', (err, origin) => {
    log.fatal({ err, origin }, 'Uncaught exception; stopping the service to be restarted');
    // A second one while stopping must not bring Node's default handler back mid-stop.
    process.on('uncaughtException', (again) =>
      log.fatal({ err: again }, 'Uncaught exception while stopping'),
    );
    void stopWithin(log, stop, { clock }).then(() => process.exit(1));
  });
}
