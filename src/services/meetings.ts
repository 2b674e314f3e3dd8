import { holidayCalendar } from '../content/holidays.js';
import type { Holidays } from '../domain/holidays.js';
import { reminderCalendar } from '../domain/reminders.js';
import { DAY_MS } from '../domain/time.js';
import type { MeetingKind, Policy } from '../domain/types.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/port.js';
import type { Cell, Meeting } from '../store/records.js';
import { auditOp } from '../store/repositories/audit.js';
import { isSecretary } from '../store/repositories/cells.js';
import type { Repos } from '../store/repositories/index.js';
import { EXCLUDED_STATUSES } from './attendance.js';
import { deliveryChannel } from './channels.js';
import { followUpTargets } from './notices.js';
import type { Clock } from './people.js';
import type { Planning } from './planning.js';

/** How far ahead /lich and /hop look. */
const LOOKAHEAD_MS = 62 * DAY_MS;
/** The longest meeting place we keep: an address, not a description. */
export const MAX_PLACE_LENGTH = 120;
/** An edit claim outlives any double tap or race it settles. */
const EDIT_CLAIM_TTL_MS = 7 * DAY_MS;

/** What a secretary changes about a meeting. */
export type MeetingChange =
  | { kind: 'time'; startsAt: number }
  | { kind: 'place'; place: string }
  | { kind: 'kind'; meetingKind: MeetingKind }
  | { kind: 'cancel' };

export type MeetingRefusal =
  | 'not_found'
  | 'not_secretary'
  /** The meeting changed since the secretary's view of it (another secretary, the planner). */
  | 'stale'
  /** Cancelled, held or already started: nothing left to change or send. */
  | 'not_open'
  | 'past'
  | 'empty'
  | 'too_long'
  | 'unchanged';

export type ChangeResult =
  | { ok: true; meeting: Meeting; before: Meeting; cell: Cell; notified: number }
  | { ok: false; reason: MeetingRefusal };

export type SendResult =
  | { ok: true; recipients: number }
  | { ok: false; reason: MeetingRefusal | 'already_sent' | 'nobody' | 'no_scheduler' };

/** A reminder of the notice: as a send, or refused because the notice has not gone out yet. */
export type RemindResult = SendResult | { ok: false; reason: 'not_noticed' };

const AUDIT_ACTION: Record<MeetingChange['kind'], string> = {
  time: 'meeting.move',
  place: 'meeting.place',
  kind: 'meeting.kind',
  cancel: 'meeting.cancel',
};

/**
 * Meetings the way people ask for them (mine, my cell's next one) and the way secretaries change them. Every
 * change is re-authorized against the meeting's own cell, checked against the version the secretary saw,
 * written with its audit entry in one batch, and then re-planned, so reminders move and those already notified
 * hear of it. Telegram, Zalo and any web page share these.
 */
export class MeetingsService {
  constructor(
    private readonly store: Store,
    private readonly repos: Repos,
    private readonly clock: Clock,
    private readonly planning: Planning,
    /** The reminder timeline and hours: when the members' notice is due, which a reminder of it must follow. */
    private readonly policy: Pick<Policy, 'timeline' | 'daytime'>,
    /** The public holidays the planner steps the notice around. */
    private readonly holidays: Holidays = holidayCalendar(),
  ) {}

  /** The planned meetings of every cell the person belongs to, from now on, earliest first. */
  async upcomingFor(personId: string): Promise<{ meeting: Meeting; cell: Cell }[]> {
    const now = this.clock.now();
    const cells = await this.repos.cells.getMany(await this.repos.cells.cellsOf(personId));
    const lists = await Promise.all(
      cells.map(async (cell) =>
        (await this.repos.meetings.ofCell(cell.id, now, now + LOOKAHEAD_MS))
          .filter((m) => m.state === 'planned')
          .map((meeting) => ({ meeting, cell })),
      ),
    );
    return lists.flat().sort((a, b) => a.meeting.startsAt - b.meeting.startsAt);
  }

  /**
   * The meeting a secretary means by "the meeting": one held in the last three days whose roll call is still
   * open (the day after, the roll call is what is left to do), else the next planned one.
   */
  async currentOf(cellId: string): Promise<Meeting | undefined> {
    const now = this.clock.now();
    const recent = await this.repos.meetings.ofCell(cellId, now - 3 * DAY_MS, now + LOOKAHEAD_MS);
    const open = recent.filter((m) => m.state !== 'cancelled' && m.rollCallClosedAt === undefined);
    return open.filter((m) => m.startsAt < now).at(-1) ?? open.find((m) => m.startsAt >= now);
  }

  /** The cells in which this person is a secretary (secretary, deputy or cell committee member). */
  async secretaryCells(personId: string): Promise<Cell[]> {
    const { cells } = this.repos;
    const ids = await cells.cellsOf(personId);
    const roles = await Promise.all(ids.map((id) => cells.membership(id, personId)));
    const mine = await cells.getMany(ids.filter((_, i) => isSecretary(roles[i])));
    return mine.sort((a, b) => a.name.localeCompare(b.name, 'vi') || a.id.localeCompare(b.id));
  }

  /** The meeting and its cell, when this person is a secretary of that cell. IDs come from untrusted input. */
  async forSecretary(
    meetingId: string,
    personId: string,
  ): Promise<
    { ok: true; meeting: Meeting; cell: Cell } | { ok: false; reason: 'not_found' | 'not_secretary' }
  > {
    const meeting = await this.repos.meetings.get(meetingId);
    if (!meeting) return { ok: false, reason: 'not_found' };
    const [membership, cell] = await Promise.all([
      this.repos.cells.membership(meeting.cellId, personId),
      this.repos.cells.get(meeting.cellId),
    ]);
    if (!cell) return { ok: false, reason: 'not_found' };
    if (!isSecretary(membership)) return { ok: false, reason: 'not_secretary' };
    return { ok: true, meeting, cell };
  }

  /** Whether the meeting's notice has reached anyone yet (they are the ones told of changes). */
  async noticeSent(meetingId: string): Promise<number> {
    return (await this.repos.meetings.notified(meetingId)).length;
  }

  /**
   * A secretary changes the meeting they saw at `version`: its time, place or kind, or cancels it. Only an open
   * meeting that has not started changes; the version goes up by one, so reminders of the old one are dropped
   * and notified members hear of it once.
   */
  async change(
    actorId: string,
    meetingId: string,
    version: number,
    change: MeetingChange,
  ): Promise<ChangeResult> {
    const found = await this.forSecretary(meetingId, actorId);
    if (!found.ok) return found;
    const { meeting, cell } = found;
    const now = this.clock.now();
    if (meeting.version !== version) return { ok: false, reason: 'stale' };
    if (meeting.state !== 'planned' || meeting.startsAt <= now) return { ok: false, reason: 'not_open' };

    let updated: Meeting;
    let detail: Record<string, unknown>;
    switch (change.kind) {
      case 'time':
        if (change.startsAt <= now) return { ok: false, reason: 'past' };
        if (change.startsAt === meeting.startsAt) return { ok: false, reason: 'unchanged' };
        // Moved by hand: no longer where the schedule put it, so its shift note goes.
        updated = { ...meeting, startsAt: change.startsAt, shift: undefined };
        detail = { from: meeting.startsAt, to: change.startsAt };
        break;
      case 'place': {
        const place = change.place.replace(/\s+/g, ' ').trim();
        if (!place) return { ok: false, reason: 'empty' };
        if (place.length > MAX_PLACE_LENGTH) return { ok: false, reason: 'too_long' };
        if (place === (meeting.place || cell.place)) return { ok: false, reason: 'unchanged' };
        updated = { ...meeting, place };
        detail = { from: meeting.place || cell.place, to: place };
        break;
      }
      case 'kind':
        if (change.meetingKind === meeting.kind) return { ok: false, reason: 'unchanged' };
        updated = { ...meeting, kind: change.meetingKind };
        detail = { from: meeting.kind, to: change.meetingKind };
        break;
      case 'cancel':
        updated = { ...meeting, state: 'cancelled' };
        detail = {};
        break;
    }
    // One change per version: of two secretaries tapping at once, the second finds the version taken.
    if (!(await this.store.setIfAbsent(keys.meetingEdit(meeting.id, version), actorId, EDIT_CLAIM_TTL_MS)))
      return { ok: false, reason: 'stale' };
    updated = { ...updated, version: meeting.version + 1, updatedAt: now };
    await this.store.write([
      ...this.repos.meetings.saveOps(updated),
      auditOp(cell.id, { at: now, actorId, action: AUDIT_ACTION[change.kind], subject: meeting.id, detail }),
    ]);
    // Reminders move or go, and those already notified are told (src/scheduler/planner.ts).
    await this.planning.replanMeeting(meeting.id);
    return { ok: true, meeting: updated, before: meeting, cell, notified: await this.noticeSent(meeting.id) };
  }

  /**
   * "Gửi thông báo ngay": the notice now rather than at its planned time, once. A notice that already reached
   * members is not sent again (after a change they were told of it by the change notice).
   */
  async sendNotice(actorId: string, meetingId: string): Promise<SendResult> {
    const found = await this.forSecretary(meetingId, actorId);
    if (!found.ok) return found;
    const { meeting } = found;
    if (meeting.state !== 'planned' || meeting.startsAt <= this.clock.now())
      return { ok: false, reason: 'not_open' };
    if ((await this.noticeSent(meeting.id)) > 0) return { ok: false, reason: 'already_sent' };
    const sent = await this.planning.sendNow(meeting.id, 'notice');
    if (!sent.ok) return { ok: false, reason: sent.reason };
    await this.audit(meeting, actorId, 'meeting.notice_now');
    return { ok: true, recipients: await this.noticeSent(meeting.id) };
  }

  /**
   * "Nhắc người chưa trả lời": the follow-up now, to the convened members who have not answered and whom a
   * channel reaches — those whose notice was delivered; one who missed the notice gets the notice itself, and one
   * whose notice is still on its way nothing more (src/services/notices.ts). Tagged with the minute, so a double
   * tap sends once.
   */
  async remindUnanswered(actorId: string, meetingId: string): Promise<RemindResult> {
    const found = await this.forSecretary(meetingId, actorId);
    if (!found.ok) return found;
    const { meeting } = found;
    const now = this.clock.now();
    if (meeting.state !== 'planned' || meeting.startsAt <= now) return { ok: false, reason: 'not_open' };
    const [members, answers] = await Promise.all([
      this.repos.cells.members(meeting.cellId),
      this.repos.meetings.answers(meeting.id),
    ]);
    const waiting = [...members]
      .filter(([id, m]) => !EXCLUDED_STATUSES.has(m.status) && !answers.has(id))
      .map(([id]) => id);
    const { remind, notice, wentOut } = await followUpTargets(
      this.store,
      meeting,
      reminderCalendar(found.cell, this.policy, this.holidays),
      this.policy.timeline,
      (await this.repos.people.getMany(waiting))
        .filter((p) => deliveryChannel(p) !== undefined)
        .map((p) => p.id),
      now,
    );
    const reachable = [...remind, ...notice].sort();
    // Nobody has had the notice yet: a reminder of it would come first.
    if (!wentOut) return { ok: false, reason: 'not_noticed' };
    if (reachable.length === 0) return { ok: false, reason: 'nobody' };
    const tag = String(Math.floor(now / 60_000));
    const sent = await this.planning.sendNow(meeting.id, 'follow_up', { tag, recipients: reachable });
    if (!sent.ok) return { ok: false, reason: sent.reason };
    await this.audit(meeting, actorId, 'meeting.remind', { recipients: reachable.length });
    return { ok: true, recipients: reachable.length };
  }

  private async audit(
    meeting: Meeting,
    actorId: string,
    action: string,
    detail: Record<string, unknown> = {},
  ) {
    const at = this.clock.now();
    await this.store.write([auditOp(meeting.cellId, { at, actorId, action, subject: meeting.id, detail })]);
  }
}
