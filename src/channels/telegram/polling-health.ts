import type { Transformer } from 'grammy';
import type { Logger } from '../../logger.js';
import type { ChannelReporter } from '../../readiness.js';

/**
 * How long polling fares on the replica that polls. The runner retries a failing getUpdates by itself, for up
 * to fifteen hours, so nothing else would notice Telegram being unreachable from here. This watches each
 * getUpdates: the first failure is logged (the runner's own console output is off) and the channel is reported
 * failing to receive on /readyz, with the error, until a getUpdates succeeds here again. It stays so if the
 * runner gives up (Telegram refused the token, or another consumer holds the updates: 401, 409) and another
 * replica takes the polling over: what failed here is likely to fail there too, and /readyz should say so.
 */
export function pollingHealth(options: {
  log: Logger;
  now: () => number;
  reporter?: ChannelReporter | undefined;
}) {
  const { log, now, reporter } = options;
  let failingSince: number | undefined;

  function failed(error: string) {
    if (failingSince === undefined) {
      failingSince = now();
      log.warn({ error }, 'Telegram polling failed; retrying');
    }
    reporter?.set({ state: 'receiving_failed', since: failingSince, lastError: error });
  }

  function receiving() {
    if (failingSince === undefined) return;
    log.info({ failedForMs: now() - failingSince }, 'Telegram polling receives again');
    failingSince = undefined;
    reporter?.set({ state: 'connected', since: now() });
  }

  /**
   * Installed on the bot's API: sees every getUpdates (after the bounded retry), and passes every other call
   * by untouched (not async: no promise of its own around each tap's answer).
   */
  const watch: Transformer = (prev, method, payload, signal) => {
    if (method !== 'getUpdates') return prev(method, payload, signal);
    return prev(method, payload, signal).then(
      (result) => {
        if (result.ok) receiving();
        else failed(`${result.error_code}: ${result.description}`);
        return result;
      },
      (err: unknown) => {
        // Aborted: polling was stopped, which is no failure.
        if (!signal?.aborted) failed(err instanceof Error ? err.message : String(err));
        throw err;
      },
    );
  };
  return watch;
}
