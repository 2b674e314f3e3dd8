import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { RunCoordinator } from 'node-cron';
import { type Clock, realClock } from '../clock.js';
import type { Logger } from '../logger.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/port.js';

/** This process among the replicas, as its leases name it. */
export const newReplicaId = () => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** Resolves when `signal` aborts: leader work that only holds something open waits on it. */
export const aborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

/**
 * node-cron's distributed mode asks this, per task and time slot, whether this replica runs it: the first to
 * set the slot's key wins. The key outlives the slot (never released early), so a replica whose clock lags
 * cannot run the same slot again.
 */
export function storeRunCoordinator(store: Store, replicaId: string): RunCoordinator {
  return { shouldRun: (key, ttlMs) => store.setIfAbsent(keys.lease(`cron:${key}`), replicaId, ttlMs) };
}

/**
 * Runs `work` on whichever replica holds the store lease `name`, renewing it while the work runs; the others
 * look again every third of the lease, so one takes over within a lease of the holder dying. The work's signal
 * aborts when the lease is lost or on stop. Work that ends otherwise (it failed, or what it ran stopped by
 * itself) releases the lease and is tried again a third of a lease later, so a failing start does not spin.
 * The store counts the lease's TTL in real time, so the renewals run on the real clock unless a test of this
 * alone drives both.
 */
export function whileLeader(
  store: Store,
  name: string,
  work: (signal: AbortSignal) => Promise<void>,
  options: { replicaId: string; ttlMs?: number; log: Logger; clock?: Clock },
): { stop(): Promise<void> } {
  const { replicaId, ttlMs = 15_000, log, clock = realClock } = options;
  const key = keys.lease(name);
  const stopped = new AbortController();
  // A store that does not answer (down, its client still retrying) must not hold up a stop.
  const unlessStopped = <T>(work: Promise<T>, otherwise: T) =>
    Promise.race([work, aborted(stopped.signal).then(() => otherwise)]);
  const running = (async () => {
    while (!stopped.signal.aborted) {
      const won = await unlessStopped(
        store.setIfAbsent(key, replicaId, ttlMs).catch(() => false),
        false,
      );
      if (!won) {
        await clock.sleep(ttlMs / 3, stopped.signal).catch(() => {});
        continue;
      }
      const lost = new AbortController();
      const ended = new AbortController();
      void (async () => {
        const renewals = AbortSignal.any([stopped.signal, ended.signal]);
        while (!renewals.aborted) {
          if (
            !(await clock.sleep(ttlMs / 3, renewals).then(
              () => true,
              () => false,
            ))
          )
            return;
          const kept = await store.expireIfEquals(key, replicaId, ttlMs).catch(() => false);
          if (kept || renewals.aborted) continue;
          log.warn({ lease: name, replicaId }, 'Lost the lease; the work stops here');
          lost.abort();
          return;
        }
      })();
      try {
        await work(AbortSignal.any([stopped.signal, lost.signal]));
      } catch (err) {
        log.error({ err, lease: name }, 'Leader work failed; the lease is released for another try');
      } finally {
        ended.abort();
        await unlessStopped(
          store.deleteIfEquals(key, replicaId).catch(() => false),
          false,
        );
      }
      await clock.sleep(ttlMs / 3, stopped.signal).catch(() => {});
    }
  })();
  return {
    async stop() {
      stopped.abort();
      await running;
    },
  };
}
