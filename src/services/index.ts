import type { Services } from '../../handlers/context.js';
import type { Policy } from '../domain/types.js';
import type { Store } from '../store/port.js';
import { createRepos } from '../store/repositories/index.js';
import { AttendanceService } from './attendance.js';
import { MeetingsService } from './meetings.js';
import { type Clock, PeopleService } from './people.js';
import { RosterService } from './roster.js';

/** The use cases over one store, shared by every channel and the scheduler. */
export function createServices(store: Store, clock: Clock, policy: Policy): Services {
  const repos = createRepos(store);
  return {
    repos,
    policy,
    people: new PeopleService(store, repos, clock),
    attendance: new AttendanceService(store, repos, clock, policy.attendance),
    meetings: new MeetingsService(repos, clock),
    roster: new RosterService(store, repos, clock, policy.defaultShift),
  };
}
