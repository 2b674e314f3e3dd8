import type { Services } from '../../handlers/context.js';
import type { Policy } from '../domain/types.js';
import type { Store } from '../store/port.js';
import { createRepos } from '../store/repositories/index.js';
import { AttendanceService } from './attendance.js';
import { ChecklistService } from './checklist.js';
import { CellGroupsService } from './groups.js';
import { JoinService } from './joins.js';
import { MeetingsService } from './meetings.js';
import { type CommandMenus, CommandMenusPort } from './menus.js';
import { type Notifier, NotifierPort } from './notifier.js';
import { type Clock, PeopleService } from './people.js';
import { type Planning, PlanningPort } from './planning.js';
import { RosterService } from './roster.js';
import { type TopicLibrary, TopicsService } from './topics.js';

/** Ports the composition root binds once their targets exist (the outbox, the Telegram bot). */
export interface ServicePorts {
  notifier?: Notifier;
  menus?: CommandMenus;
  /** The topic library (content/topics) unless a test brings its own. */
  topicLibrary?: TopicLibrary;
}

import { VisitsService } from './visits.js';

/**
 * The use cases over one store, shared by every channel and the scheduler. `planning` is how they ask the
 * scheduler to re-plan after a change, `notifier` how they tell third parties through the outbox, `menus` how
 * a channel's command menu follows a person's roles; the composition root binds them.
 */
export function createServices(
  store: Store,
  clock: Clock,
  policy: Policy,
  planning: Planning = new PlanningPort(),
  ports: ServicePorts = {},
): Services {
  const notifier = ports.notifier ?? new NotifierPort();
  const repos = createRepos(store);
  const attendance = new AttendanceService(store, repos, clock, policy.attendance);
  return {
    repos,
    policy,
    planning,
    notifier,
    menus: ports.menus ?? new CommandMenusPort(),
    people: new PeopleService(store, repos, clock),
    attendance,
    meetings: new MeetingsService(store, repos, clock, planning, policy),
    joins: new JoinService(store, repos, clock, notifier),
    groups: new CellGroupsService(store, repos, attendance, clock),
    roster: new RosterService(store, repos, clock, planning, policy.defaultShift),
    topics: new TopicsService(store, repos, clock, policy, planning, ports.topicLibrary),
    checklist: new ChecklistService(store, repos, clock, policy, attendance),
    visits: new VisitsService(store, repos, clock, policy, planning, notifier),
  };
}
