import {
  type OutboxMessage,
  outboxEnqueueOps,
  outboxRefreshOps,
  outboxStoreRefreshOps,
  type RefreshPolicy,
} from '../delivery/outbox.js';
import type { TallyCounts } from '../domain/attendance.js';
import { DAY_MS } from '../domain/time.js';
import { keys } from '../store/keys.js';
import type { Store, WriteOp } from '../store/port.js';
import type { Cell, GroupPost, Meeting } from '../store/records.js';
import { auditOp } from '../store/repositories/audit.js';
import type { Repos } from '../store/repositories/index.js';
import type { Clock } from './people.js';

/** The outbox renderer that draws a meeting's count-only tally for its cell's group. */
export const GROUP_TALLY_RENDERER = 'group_tally';
/** A group's tally is edited at most once per 5 s, and a group gets at most 20 edits a minute (Telegram's pace). */
export const GROUP_TALLY_EDIT_INTERVAL_MS = 5_000;
export const GROUP_EDITS_PER_MINUTE = 20;
/** Who acts when Telegram itself reports a change (a group upgraded, the bot removed): for the audit trail. */
export const TELEGRAM_ACTOR = 'telegram';

/** How far ahead a moved group's open meetings are looked for, to post their tally again. */
const OPEN_MEETINGS_MS = 62 * DAY_MS;

export type BindResult =
  | { ok: true; cell: Cell; already: boolean }
  /** The group already serves another cell: one group, one cell, so counts never mix. */
  | { ok: false; reason: 'taken'; cell: Cell };

/** A meeting's counts of the moment, what its group's tally shows; `at` decides whether answers are still open. */
export interface GroupTally {
  meeting: Meeting;
  cell: Cell;
  counts: TallyCounts;
  at: number;
}

/** How the groups read a meeting's counts (AttendanceService's), named here so the two modules form no cycle. */
export interface TallyCounter {
  counts(meeting: Meeting): Promise<TallyCounts>;
}

const tallyKey = (meetingId: string) => `group:${meetingId}:tally`;

/**
 * The write that asks for the group's tally of a posted meeting to be brought up to date: one outbox refresh
 * per meeting, so a burst of answers makes one edit, paced by the outbox in the store (every replica agrees).
 * Part of the answer's own atomic write.
 */
export function groupTallyRefreshOps(meetingId: string, now: number): WriteOp[] {
  return outboxRefreshOps('telegram', tallyKey(meetingId), now);
}

/** The stored refresh that edits a meeting's group post to show its counts of the moment. */
function tallyRefresh(meetingId: string, post: GroupPost): OutboxMessage & { refresh: RefreshPolicy } {
  return {
    key: tallyKey(meetingId),
    channel: 'telegram',
    chatId: post.chatId,
    cellId: post.cellId,
    live: { renderer: GROUP_TALLY_RENDERER, ref: meetingId },
    editOf: post.postKey,
    refresh: {
      minIntervalMs: GROUP_TALLY_EDIT_INTERVAL_MS,
      perChat: { limit: GROUP_EDITS_PER_MINUTE, windowMs: 60_000 },
    },
  };
}

/**
 * A cell's optional Telegram group: bound and unbound by the cell's secretaries (each change audited), followed
 * when Telegram upgrades it to a supergroup, and shown each notice with a tally of counts only — never a name,
 * never a reason.
 */
export class CellGroupsService {
  constructor(
    private readonly store: Store,
    private readonly repos: Repos,
    private readonly attendance: TallyCounter,
    private readonly clock: Clock,
  ) {}

  /** The cell a Telegram group is bound to. */
  async cellOfChat(chatId: string | number): Promise<Cell | undefined> {
    const cellId = await this.store.hget(keys.telegramGroupIndex(), String(chatId));
    return cellId ? this.repos.cells.get(cellId) : undefined;
  }

  /** Binds the group to the cell (replacing the cell's earlier group). The caller checked the actor is its secretary. */
  async bind(cell: Cell, chat: { id: number; title?: string }, actorId: string): Promise<BindResult> {
    const index = keys.telegramGroupIndex();
    // The index claims the group first, so two cells binding one group at once cannot both have it.
    if (!(await this.store.hsetIfAbsent(index, String(chat.id), cell.id))) {
      const holder = await this.cellOfChat(chat.id);
      if (holder && holder.id !== cell.id) return { ok: false, reason: 'taken', cell: holder };
      if (holder && holder.telegramGroupId === chat.id) return { ok: true, cell: holder, already: true };
    }
    const previous = cell.telegramGroupId;
    const bound: Cell = {
      ...cell,
      telegramGroupId: chat.id,
      ...(chat.title ? { telegramGroupTitle: chat.title.slice(0, 128) } : {}),
    };
    await this.store.write([
      ...(previous !== undefined && previous !== chat.id
        ? [{ op: 'hdel' as const, key: index, fields: [String(previous)] }]
        : []),
      { op: 'hset', key: index, fields: { [String(chat.id)]: cell.id } },
      ...this.repos.cells.saveOps(bound),
      auditOp(cell.id, {
        at: this.clock.now(),
        actorId,
        action: 'group.bind',
        subject: cell.id,
        detail: { chatId: chat.id, ...(previous !== undefined ? { previousChatId: previous } : {}) },
      }),
    ]);
    return { ok: true, cell: bound, already: false };
  }

  /** Unbinds the cell's group; false when it had none. */
  async unbind(cell: Cell, actorId: string, why = 'group.unbind'): Promise<boolean> {
    const chatId = cell.telegramGroupId;
    if (chatId === undefined) return false;
    const { telegramGroupId: _id, telegramGroupTitle: _title, ...rest } = cell;
    const holder = await this.store.hget(keys.telegramGroupIndex(), String(chatId));
    await this.store.write([
      ...(holder === cell.id
        ? [{ op: 'hdel' as const, key: keys.telegramGroupIndex(), fields: [String(chatId)] }]
        : []),
      ...this.repos.cells.saveOps(rest),
      auditOp(cell.id, { at: this.clock.now(), actorId, action: why, subject: cell.id, detail: { chatId } }),
    ]);
    return true;
  }

  /** The bot was removed from a group: a cell bound to it no longer is (nothing could be posted there). */
  async chatGone(chatId: string | number): Promise<void> {
    const cell = await this.cellOfChat(chatId);
    if (cell && cell.telegramGroupId === Number(chatId))
      await this.unbind(cell, TELEGRAM_ACTOR, 'group.unbind.removed');
  }

  /**
   * A group upgraded to a supergroup lives on under a new ID: the binding follows it, and the open meetings
   * whose tally was posted in the old chat get it posted again in the new one. False when no cell had it.
   */
  async migrate(from: string | number, to: string | number): Promise<boolean> {
    const cell = await this.cellOfChat(from);
    if (!cell || cell.telegramGroupId !== Number(from)) return false;
    const now = this.clock.now();
    const moved: Cell = { ...cell, telegramGroupId: Number(to) };
    const meetings = (await this.repos.meetings.ofCell(cell.id, now, now + OPEN_MEETINGS_MS)).filter(
      (m) => m.state === 'planned',
    );
    const posts = await this.repos.meetings.groupPosts(meetings.map((m) => m.id));
    const reposts = meetings.filter((_, i) => posts[i]?.chatId === String(from));
    await this.store.write([
      { op: 'hdel', key: keys.telegramGroupIndex(), fields: [String(from)] },
      { op: 'hset', key: keys.telegramGroupIndex(), fields: { [String(to)]: cell.id } },
      ...this.repos.cells.saveOps(moved),
      auditOp(cell.id, {
        at: now,
        actorId: TELEGRAM_ACTOR,
        action: 'group.migrate',
        subject: cell.id,
        detail: { from: Number(from), to: Number(to) },
      }),
      ...reposts.flatMap((m) => this.noticeOps(m, moved)),
    ]);
    return true;
  }

  /**
   * The writes that post a meeting's notice in its cell's group (once per meeting and chat), rendered when it
   * goes so it shows the counts of that moment, and store the refresh that answers will ask for; none when the
   * cell has no group.
   */
  noticeOps(meeting: Meeting, cell: Cell): WriteOp[] {
    if (cell.telegramGroupId === undefined) return [];
    const now = this.clock.now();
    const chatId = String(cell.telegramGroupId);
    const post: GroupPost = { cellId: cell.id, chatId, postKey: `group:${meeting.id}:post:${chatId}` };
    return [
      {
        op: 'set',
        key: keys.meetingGroupPost(meeting.id),
        value: JSON.stringify(post),
        ttlMs: Math.max(DAY_MS, meeting.startsAt + 7 * DAY_MS - now),
      },
      ...outboxEnqueueOps(
        [
          {
            key: post.postKey,
            channel: 'telegram',
            chatId,
            cellId: cell.id,
            live: { renderer: GROUP_TALLY_RENDERER, ref: meeting.id },
          },
        ],
        now,
      ),
      ...outboxStoreRefreshOps(tallyRefresh(meeting.id, post)),
    ];
  }

  /** The writes that bring the group's tally of a changed meeting up to date, when it has one. */
  async refreshOps(meetingId: string): Promise<WriteOp[]> {
    const post = await this.repos.meetings.groupPost(meetingId);
    return post ? groupTallyRefreshOps(meetingId, this.clock.now()) : [];
  }

  /**
   * A meeting's counts as they stand, for its group's tally (drawn by src/views/group.ts where the outbox sends
   * it). Undefined when the meeting or cell is gone.
   */
  async tally(meetingId: string): Promise<GroupTally | undefined> {
    const meeting = await this.repos.meetings.get(meetingId);
    if (!meeting) return undefined;
    const [cell, counts] = await Promise.all([
      this.repos.cells.get(meeting.cellId),
      this.attendance.counts(meeting),
    ]);
    if (!cell) return undefined;
    return { meeting, cell, counts, at: this.clock.now() };
  }
}
