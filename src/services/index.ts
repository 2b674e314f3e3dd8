import type { Services } from '../../handlers/context.js';
import type { Policy } from '../domain/types.js';
import type { Store } from '../store/port.js';
import { createRepos } from '../store/repositories/index.js';
import { AttendanceService } from './attendance.js';
import { CellGroupsService } from './groups.js';
import { MeetingsService } from './meetings.js';
import { type Clock, PeopleService } from './people.js';
import { type Planning, PlanningPort } from './planning.js';
import { RosterService } from './roster.js';

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
  const attendance = new AttendanceService(store, repos, clock, policy.attendance);
  return {
    repos,
    policy,
    planning,
    people: new PeopleService(store, repos, clock),
    attendance,
    groups: new CellGroupsService(store, repos, attendance, clock),
    meetings: new MeetingsService(repos, clock),
    roster: new RosterService(store, repos, clock, planning, policy.defaultShift),
  };
}
