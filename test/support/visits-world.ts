import { loadHolidays } from '../../src/content/holidays.js';
import { loadPolicy } from '../../src/content/policy.js';
import { Outbox } from '../../src/delivery/outbox.js';
import { createMetrics } from '../../src/metrics.js';
import { TextComposer } from '../../src/scheduler/composer.js';
import { Dispatcher } from '../../src/scheduler/dispatcher.js';
import { schedulerPlanning } from '../../src/scheduler/index.js';
import { Planner } from '../../src/scheduler/planner.js';
import { createServices } from '../../src/services/index.js';
import { PlanningPort } from '../../src/services/planning.js';
import type { Store } from '../../src/store/port.js';
import { offsetClock, quietLog, RecordingSender } from './scheduler-fixtures.js';

/**
 * Real services bound to a real scheduler (planner, dispatcher, outbox with a recording sender) over one store, on
 * a clock the test moves; the Lào Cai 2020 policy by default, which has all three levels of visit rules.
 */
export async function visitsWorld(store: Store, start: number, policyName = 'laocai-2020') {
  const clock = offsetClock(start);
  const sender = new RecordingSender();
  const metrics = createMetrics();
  const policy = loadPolicy(policyName);
  const composer = new TextComposer();
  const planning = new PlanningPort();
  const services = createServices(store, clock, policy, planning);
  const { repos } = services;
  const outbox = new Outbox(
    {
      store,
      people: repos.people,
      cells: repos.cells,
      senders: [sender],
      now: clock.now,
      log: quietLog,
      metrics,
    },
    { rates: { telegram: 1000 }, chatIntervalMs: 0, pollMs: 10 },
  );
  const planner = new Planner({
    store,
    repos,
    policy,
    holidays: loadHolidays(),
    outbox,
    composer,
    now: clock.now,
    log: quietLog,
  });
  const dispatcher = new Dispatcher({
    store,
    repos,
    outbox,
    composer,
    now: clock.now,
    log: quietLog,
    metrics,
    policy,
  });
  planning.bind(schedulerPlanning({ planner, dispatcher, outbox, log: quietLog }));
  /** Everything due now dispatched and delivered. */
  const flush = async () => {
    await dispatcher.tick();
    await outbox.drain('telegram');
  };
  return { clock, sender, services, repos, outbox, planner, dispatcher, policy, flush };
}
