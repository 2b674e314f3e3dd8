import type { Transformer } from 'grammy';
import type { Logger } from '../../logger.js';
import type { ChannelReporter } from '../../readiness.js';

/**
 * How long polling fares on the replica that polls. The runner retries a failing getUpdates by itself, for up
 * to fifteen hours, so nothing else would notice Telegram being unreachable from here. This watches each
 * getUpdates, and the deleteWebhook that starts polling: the first failure is logged (the runner's own console
 * output is off) and the channel is reported failing to receive on /readyz, with the error, until a getUpdates
 * succeeds here again, or this replica stops polling because it lost the lease (`stopped`): the next poller
 * then says how it fares. It stays failing if the runner gave up by itself (Telegram refused the token, or
 * another consumer holds the updates: 401, 409): that would fail on any replica, and /readyz should say so.
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

  /** Back to connected, if it was failing; `why` is logged. */
  function clear(why: string) {
    if (failingSince === undefined) return;
    log.info({ failedForMs: now() - failingSince }, why);
    failingSince = undefined;
    reporter?.set({ state: 'connected', since: now() });
  }

  /**
   * Installed on the bot's API: sees getUpdates and deleteWebhook (after the bounded retry), and passes every
   * other call by untouched (not async: no promise of its own around each tap's answer).
   */
  const watch: Transformer = (prev, method, payload, signal) => {
    if (method !== 'getUpdates' && method !== 'deleteWebhook') return prev(method, payload, signal);
    return prev(method, payload, signal).then(
      (result) => {
        if (!result.ok) failed(`${result.error_code}: ${result.description}`);
        else if (method === 'getUpdates') clear('Telegram polling receives again');
        return result;
      },
      (err: unknown) => {
        // Aborted: polling was stopped, which is no failure.
        if (!signal?.aborted) failed(err instanceof Error ? err.message : String(err));
        throw err;
      },
    );
  };
  return {
    watch,
    /** Polling stopped on this replica: the lease went elsewhere, or the service stops. */
    stopped: () => clear('Telegram polling moved off this replica while failing'),
  };
}
