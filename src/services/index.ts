import type { Services } from '../../handlers/context.js';
import type { Policy } from '../domain/types.js';
import type { Store } from '../store/port.js';
import { createRepos } from '../store/repositories/index.js';
import { AttendanceService } from './attendance.js';
import { MeetingsService } from './meetings.js';
import { type Clock, PeopleService } from './people.js';
import { type Planning, PlanningPort } from './planning.js';
import { RosterService } from './roster.js';
import { VisitsService } from './visits.js';

/**
 * The use cases over one store, shared by every channel and the scheduler. `planning` is how they ask the
 * scheduler to re-plan after a change; the composition root binds it when the scheduler starts.
 */
export function createServices(
  store: Store,
  clock: Clock,
  policy: Policy,
  planning: Planning = new PlanningPort(),
): Services {
  const repos = createRepos(store);
  return {
    repos,
    policy,
    planning,
    people: new PeopleService(store, repos, clock),
    attendance: new AttendanceService(store, repos, clock, policy.attendance),
    meetings: new MeetingsService(repos, clock),
    roster: new RosterService(store, repos, clock, planning, policy.defaultShift),
    visits: new VisitsService(store, repos, clock, policy, planning),
  };
}
