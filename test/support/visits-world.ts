import type { Store } from '../../src/store/port.js';
import { schedulerWorld } from './scheduler-fixtures.js';

/**
 * Real services bound to a real scheduler (planner, dispatcher, outbox with a recording sender) over one store, on
 * a clock the test moves; the Lào Cai 2020 policy by default, which has all three levels of visit rules.
 */
export async function visitsWorld(store: Store, start: number, policyName = 'laocai-2020') {
  const world = schedulerWorld(store, start, {}, { policy: policyName });
  /** Everything due now dispatched and delivered. */
  const flush = async () => {
    await world.dispatcher.tick();
    await world.outbox.drain('telegram');
  };
  return { ...world, flush };
}
