import type { Policy } from '../domain/types.js';
import type { Store } from '../store/port.js';
import { createRepos, type Repos } from '../store/repositories/index.js';
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
import { VisitsService } from './visits.js';

/** The use cases every channel, the handlers and the scheduler call: what createServices builds. */
export interface Services {
  repos: Repos;
  policy: Policy;
  people: PeopleService;
  roster: RosterService;
  attendance: AttendanceService;
  meetings: MeetingsService;
  /** Thematic topics: suggestions for a cell and the choice of one for its thematic meeting. */
  topics: TopicsService;
  /** The secretary's HD 42 preparation checklist of a meeting. */
  checklist: ChecklistService;
  /** Committee members' assignments, visit registrations, standing, compliance and plan. */
  visits: VisitsService;
  /** The cells' optional Telegram groups: binding, and their count-only tallies. */
  groups: CellGroupsService;
  /** Re-plans after a change and sends a step now; bound to the scheduler by the composition root. */
  planning: Planning;
  /** Queues messages to third parties in the outbox; bound to the scheduler's outbox by the composition root. */
  notifier: Notifier;
  /** Keeps a channel's command menu in line with a person's roles (Telegram's scoped commands). */
  menus: CommandMenus;
  /** Requests to join a cell from people without an invite code. */
  joins: JoinService;
  /** A link to this bot that carries an invite code (Telegram deep link), when the channel has one. */
  inviteLink?: (code: string) => string | undefined;
}

/** Ports the composition root binds once their targets exist (the outbox, the Telegram bot). */
export interface ServicePorts {
  notifier?: Notifier;
  menus?: CommandMenus;
  /** The topic library (content/topics) unless a test brings its own. */
  topicLibrary?: TopicLibrary;
}

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
