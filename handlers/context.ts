import type { Policy } from '../src/domain/types.js';
import type { Locale, Params } from '../src/i18n.js';
import type { AttendanceService } from '../src/services/attendance.js';
import type { ChecklistService } from '../src/services/checklist.js';
import type { CellGroupsService } from '../src/services/groups.js';
import type { JoinService } from '../src/services/joins.js';
import type { MeetingsService } from '../src/services/meetings.js';
import type { CommandMenus } from '../src/services/menus.js';
import type { Notifier } from '../src/services/notifier.js';
import type { PeopleService } from '../src/services/people.js';
import type { Planning } from '../src/services/planning.js';
import type { RosterService } from '../src/services/roster.js';
import type { TopicsService } from '../src/services/topics.js';
import type { VisitsService } from '../src/services/visits.js';
import type { ChannelName, Person } from '../src/store/records.js';
import type { Repos } from '../src/store/repositories/index.js';

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

/**
 * Everything a handler knows of the request: who asks, from where, and when. No channel types. Built in one
 * place, the channels' conversation (src/channels/conversation.ts).
 */
export interface HandlerContext {
  channel: ChannelName;
  /** The channel's own user ID (Telegram user ID, Zalo user ID). */
  userId: string;
  /** The display name the channel gives, used only when a bootstrap admin is created. */
  displayName: string;
  chatKind: 'private' | 'group';
  /** The chat asked from, where the channel has chats of several kinds (a Telegram group's ID and title). */
  chatId?: string;
  chatTitle?: string;
  /** The linked person, if this account is linked. */
  actor?: Person;
  locale: Locale;
  now: number;
  services: Services;
  t(key: string, params?: Params): string;
}
