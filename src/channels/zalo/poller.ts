import type { Logger } from '../../logger.js';
import { aborted, newReplicaId, whileLeader } from '../../scheduler/coordination.js';
import type { Store } from '../../store/port.js';
import type { ZaloBot } from './client.js';
import type { ZaloInbox } from './inbox.js';

/**
 * How long the Zalo poller's lease lives unrenewed. It is renewed every third of that, and the other replicas
 * try for it as often, so one takes over within 40 s of the poller dying: well within a minute.
 */
export const ZALO_POLL_LEASE_MS = 30_000;

/**
 * Long polling on exactly one replica: the one holding the store lease `zalo-poller`. Zalo has no update offset,
 * so two pollers would split the updates between them, and each replica's ordering per chat would not hold.
 * The holder polls until it stops or loses the lease (its store went away); then another replica polls.
 *
 * With an inbox, each polled update is stored before the next poll, and polling pauses while the store is down:
 * Zalo hands an update out once, so one taken while the store cannot keep it would be lost.
 */
export function pollOnOneReplica(
  bot: ZaloBot,
  store: Store,
  options: {
    log: Logger;
    leaseMs?: number;
    replicaId?: string;
    inbox?: Pick<ZaloInbox, 'take' | 'waitForStore'>;
  },
): { stop(): Promise<void> } {
  const { inbox } = options;
  const { log, leaseMs = ZALO_POLL_LEASE_MS } = options;
  const replicaId = options.replicaId ?? newReplicaId();
  return whileLeader(
    store,
    'zalo-poller',
    async (signal) => {
      log.info({ replicaId }, 'Holding the Zalo poller lease: polling');
      await bot.startPolling(inbox ? { intake: inbox.take, beforePoll: inbox.waitForStore } : {});
      await aborted(signal);
      await bot.stopPolling();
      log.info({ replicaId }, 'Zalo polling stopped on this replica');
    },
    { replicaId, ttlMs: leaseMs, log },
  );
}
