import cron, { type Logger as CronLogger } from 'node-cron';
import type { Clock } from '../clock.js';
import { loadHolidays } from '../content/holidays.js';
import { Outbox, type OutboxOptions } from '../delivery/outbox.js';
import type { Sender } from '../delivery/sender.js';
import type { Params } from '../domain/locale.js';
import type { Holiday, Policy } from '../domain/types.js';
import type { View } from '../domain/view.js';
import { t } from '../i18n.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { GROUP_TALLY_RENDERER } from '../services/groups.js';
import type { Planning } from '../services/planning.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/port.js';
import { createRepos } from '../store/repositories/index.js';
import { groupTallyView } from '../views/group.js';
import { type ReminderComposer, TextComposer } from './composer.js';
import { newReplicaId, storeRunCoordinator, whileLeader } from './coordination.js';
import { type CellGroups, Dispatcher } from './dispatcher.js';
import { Planner } from './planner.js';

export type { ReminderComposer } from './composer.js';
export type { CellGroups } from './dispatcher.js';
export { Dispatcher } from './dispatcher.js';
export { Planner } from './planner.js';

export interface SchedulerDeps {
  store: Store;
  log: Logger;
  metrics: Metrics;
  policy: Policy;
  /** One per channel the service can send on. */
  senders: Sender[];
  /** Global send rates, messages per second (TELEGRAM_SEND_RATE, ZALO_SEND_RATE). */
  rates: OutboxOptions['rates'];
  /** The outbox's other options (attempts, backoff…), when not its defaults. */
  outbox?: Omit<OutboxOptions, 'rates'>;
  /** Time zone of the cron expressions (the daily planning time). */
  timeZone: string;
  composer?: ReminderComposer;
  /** The cells' Telegram groups: notices posted there with a live count-only tally. */
  groups?: CellGroups;
  holidays?: readonly Holiday[];
  now?: () => number;
  /** What the outbox's senders wait on between looks (the injected clock's). */
  sleep?: Clock['sleep'];
  /** How long a sender's lease lives unrenewed: another replica takes over its channel within this of it dying. */
  leaseMs?: number;
  /** This process among the replicas, as its leases (and log lines) name it. */
  replicaId?: string;
}

/**
 * The outbox renderer of a group's tally: the meeting's counts of the moment, drawn when the message goes. A group
 * has no one language: the cell's, which is Vietnamese.
 */
export function groupTallyRenderer(groups: Pick<CellGroups, 'tally'>) {
  const words = { locale: 'vi' as const, t: (key: string, params?: Params) => t(key, params, 'vi') };
  return async (meetingId: string): Promise<View | undefined> => {
    const tally = await groups.tally(meetingId);
    return tally && groupTallyView(words, tally.meeting, tally.cell, tally.counts, tally.at);
  };
}

export interface Scheduler {
  planner: Planner;
  /** What services bind their planning port to (src/services/planning.ts). */
  planning: Planning;
  dispatcher: Dispatcher;
  outbox: Outbox;
  stop(): Promise<void>;
}

/** What services' planning port is bound to: this scheduler's planner and dispatcher. */
export function schedulerPlanning(parts: {
  planner: Planner;
  dispatcher: Dispatcher;
  log: Logger;
}): Planning {
  const { planner, dispatcher, log } = parts;
  // A notice owed at once (a meeting moved or created inside its notice window) goes now, not at the next tick.
  const dispatchIfDue = async (dueNow: boolean) => {
    if (dueNow) await dispatcher.tick();
  };
  return {
    // The change itself is already saved; if planning fails now, the daily run plans it.
    replanCell: (cellId) =>
      planner
        .replanCell(cellId)
        .then(dispatchIfDue)
        .catch((err) => log.error({ err, cellId }, 'Re-planning a cell failed')),
    replanMeeting: (meetingId) =>
      planner
        .replanMeeting(meetingId)
        .then(dispatchIfDue)
        .catch((err) => log.error({ err, meetingId }, 'Re-planning a meeting failed')),
    async sendNow(meetingId, stepId, options) {
      const result = await planner.sendNow(meetingId, stepId, options);
      // Dispatched here rather than at the next minute: the person who asked is waiting for it.
      if (result.ok) await dispatcher.tick();
      return result;
    },
  };
}

/** node-cron logs through pino, quietly: a tick skipped on a replica that was not elected is normal. */
const cronLogger = (log: Logger): CronLogger => ({
  info: (message) => log.debug(message),
  warn: (message) => log.warn(message),
  error: (message, err) => log.error({ err }, String(message)),
  debug: (message) => log.debug(String(message)),
});

/**
 * Starts the scheduler on this replica: the dispatcher every minute and the planner daily, each run by one
 * replica per slot (node-cron's distributed mode over the store), and one outbox sender per channel on
 * whichever replica holds that channel's lease, so the global rate is global. Plans once at start.
 */
export function startScheduler(deps: SchedulerDeps): Scheduler {
  const { store, log, metrics, policy } = deps;
  const now = deps.now ?? Date.now;
  const replicaId = deps.replicaId ?? newReplicaId();
  const repos = createRepos(store);
  const composer = deps.composer ?? new TextComposer();
  const { groups } = deps;
  const outbox = new Outbox(
    {
      store,
      people: repos.people,
      cells: repos.cells,
      senders: deps.senders,
      now,
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      log,
      metrics,
      ...(groups
        ? {
            renderers: { [GROUP_TALLY_RENDERER]: groupTallyRenderer(groups) },
            onChatMoved: async (channel, from, to) => {
              if (channel === 'telegram') await groups.migrate(from, to);
            },
          }
        : {}),
    },
    { ...deps.outbox, rates: deps.rates },
  );
  const holidays = deps.holidays ?? loadHolidays();
  const planner = new Planner({
    store,
    repos,
    policy,
    holidays,
    outbox,
    composer,
    now,
    log,
    ...(groups ? { groups } : {}),
  });
  const dispatcher = new Dispatcher({
    store,
    repos,
    outbox,
    composer,
    now,
    log,
    metrics,
    policy,
    holidays,
    ...(groups ? { groups } : {}),
  });

  const distributed = {
    distributed: true,
    runCoordinator: storeRunCoordinator(store, replicaId),
    distributedLease: 10 * 60_000,
    noOverlap: true,
    timezone: deps.timeZone,
    logger: cronLogger(log),
  };
  const tick = async () => {
    const result = await dispatcher.tick();
    // Whichever replica ran it: /readyz on every replica reads the age of the last tick (src/readiness.ts).
    await store.set(keys.schedulerLastTick(), String(now()));
    if (result.sent || result.missed) log.info(result, 'Reminders dispatched');
  };
  const stopping = new AbortController();
  const plan = async () => log.info(await planner.planAll(stopping.signal), 'Meetings and reminders planned');
  const tasks = [
    cron.schedule('* * * * *', tick, { ...distributed, name: 'chibo-dispatcher' }),
    cron.schedule('30 2 * * *', plan, { ...distributed, name: 'chibo-planner' }),
  ];
  const senders = deps.senders.map((sender) =>
    whileLeader(store, `outbox:${sender.channel}`, (signal) => outbox.run(sender.channel, signal), {
      replicaId,
      log,
      ...(deps.leaseMs ? { ttlMs: deps.leaseMs } : {}),
    }),
  );
  // Idempotent, so every replica may do it; it covers a first start and a night spent down.
  plan().catch((err) => log.error({ err }, 'Planning at start failed; the daily run retries'));

  const planning = schedulerPlanning({ planner, dispatcher, log });

  return {
    planner,
    planning,
    dispatcher,
    outbox,
    /** Stops ticking and planning (a plan cut short is redone by the next run) and lets sends in flight end. */
    async stop() {
      stopping.abort();
      await Promise.all(tasks.map((task) => task.destroy()));
      await Promise.all(senders.map((s) => s.stop()));
    },
  };
}
