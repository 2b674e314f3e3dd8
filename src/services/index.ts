import type { Services } from '../../handlers/context.js';
import type { Store } from '../store/port.js';
import { createRepos } from '../store/repositories/index.js';
import { AttendanceService } from './attendance.js';
import { MeetingsService } from './meetings.js';
import { type Clock, PeopleService } from './people.js';

/** The use cases over one store, shared by every channel and the scheduler. */
export function createServices(store: Store, clock: Clock): Services {
  const repos = createRepos(store);
  return {
    repos,
    people: new PeopleService(store, repos, clock),
    attendance: new AttendanceService(store, repos, clock),
    meetings: new MeetingsService(repos, clock),
  };
}
