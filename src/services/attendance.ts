import {
  type AttendanceCount,
  countAttendance,
  type HeldMeeting,
  type MeetingQuality,
  meetingQuality,
  type RemovalStanding,
  removalStandings,
  type TallyCounts,
} from '../domain/attendance.js';
import type { AbsenceReason } from '../domain/intents.js';
import { localDateOf } from '../domain/time.js';
import {
  type AttendanceThresholds,
  type RollCallEntry as DomainEntry,
  SETTLED_ROLL_CALL_STATES,
} from '../domain/types.js';
import { keys } from '../store/keys.js';
import type { Store, WriteOp } from '../store/port.js';
import type { Answer, Cell, Meeting, Membership, Person, RollCallEntry } from '../store/records.js';
import { auditOp } from '../store/repositories/audit.js';
import { isSecretary } from '../store/repositories/cells.js';
import type { Repos } from '../store/repositories/index.js';
import { groupTallyRefreshOps } from './groups.js';
import type { Clock } from './people.js';

/** Members in these states are not convened: they are outside the attendance base (HD 12). */
export const EXCLUDED_STATUSES = new Set(['exempt', 'temporarily_elsewhere', 'special_duty']);

export type AnswerRefusal = 'not_found' | 'not_member' | 'cancelled' | 'expired';
export type AnswerResult =
  /** `cell` is the meeting's cell, read along the way (absent only if it vanished meanwhile). */
  { ok: true; meeting: Meeting; answer: Answer; cell?: Cell } | { ok: false; reason: AnswerRefusal };

export interface Tally {
  meeting: Meeting;
  /** Members convened: the cell's members less the excluded states. */
  base: number;
  present: number;
  absent: { personId: string; name: string; reason?: string }[];
  unanswered: { personId: string; name: string }[];
}

export type SecretaryRefusal = 'not_found' | 'not_secretary';

/**
 * Members' answers and the secretaries' view of them. Recording an answer is one code path whether it came
 * from a Telegram tap, a Zalo reply or a signed web link.
 */
export class AttendanceService {
  constructor(
    private readonly store: Store,
    private readonly repos: Repos,
    private readonly clock: Clock,
    private readonly thresholds: AttendanceThresholds,
  ) {}

  /** Whether this person may answer this meeting now: their own cell's, planned, not yet started. */
  async canAnswer(
    personId: string,
    meetingId: string,
  ): Promise<{ ok: true; meeting: Meeting } | { ok: false; reason: AnswerRefusal }> {
    const meeting = await this.repos.meetings.get(meetingId);
    if (!meeting) return { ok: false, reason: 'not_found' };
    const refused = this.refusal(meeting, await this.repos.cells.membership(meeting.cellId, personId));
    return refused ? { ok: false, reason: refused } : { ok: true, meeting };
  }

  /**
   * Why a member may not answer: the meeting ID comes from untrusted callback data, so membership is checked
   * against the meeting's own cell; answers close when the meeting starts.
   */
  private refusal(meeting: Meeting, membership: Membership | undefined): AnswerRefusal | undefined {
    if (!membership) return 'not_member';
    if (meeting.state === 'cancelled') return 'cancelled';
    if (meeting.state !== 'planned' || this.clock.now() >= meeting.startsAt) return 'expired';
    return undefined;
  }

  /**
   * A member answers for themself, for an open meeting of their own cell, until it starts. The hot path of
   * every tap, so it costs three round trips: the meeting with where its notice was posted, then the
   * membership with the cell, then one write of the answer with its group tally's refresh.
   */
  async recordAnswer(
    personId: string,
    meetingId: string,
    choice: Answer['choice'],
    reason?: AbsenceReason,
    note?: string,
  ): Promise<AnswerResult> {
    const [meeting, post] = await this.repos.meetings.withGroupPost(meetingId);
    if (!meeting) return { ok: false, reason: 'not_found' };
    const [membership, cell] = await this.repos.cells.membershipWithCell(meeting.cellId, personId);
    const refused = this.refusal(meeting, membership);
    if (refused) return { ok: false, reason: refused };
    const now = this.clock.now();
    const answer: Answer = { choice, at: now };
    if (choice === 'absent' && (reason || note)) answer.reason = note?.trim() || reason;
    // Not `{ [personId]: … }`: a literal keyed by each person's ID makes the engine build a new object shape
    // per person; an object without a prototype is a plain dictionary from the start (ten times cheaper).
    const fields: Record<string, string> = Object.create(null);
    fields[personId] = JSON.stringify(answer);
    const ops: WriteOp[] = [{ op: 'hset', key: keys.meetingAnswers(meetingId), fields }];
    if (post) ops.push(...groupTallyRefreshOps(meetingId, now));
    await this.store.write(ops);
    return cell ? { ok: true, meeting, answer, cell } : { ok: true, meeting, answer };
  }

  /** The tally as numbers only, for a group (no names are read at all). */
  async counts(meeting: Meeting): Promise<TallyCounts> {
    const [members, answers] = await Promise.all([
      this.repos.cells.members(meeting.cellId),
      this.repos.meetings.answers(meeting.id),
    ]);
    const counts: TallyCounts = { base: 0, present: 0, absent: 0, unanswered: 0 };
    for (const [id, membership] of members) {
      if (EXCLUDED_STATUSES.has(membership.status)) continue;
      counts.base++;
      const answer = answers.get(id);
      if (!answer) counts.unanswered++;
      else if (answer.choice === 'present') counts.present++;
      else counts.absent++;
    }
    return counts;
  }

  /** Resolves a meeting a secretary acts on, or why they may not. */
  async forSecretary(
    meetingId: string,
    actor: Person,
  ): Promise<{ ok: true; meeting: Meeting } | { ok: false; reason: SecretaryRefusal }> {
    const meeting = await this.repos.meetings.get(meetingId);
    if (!meeting) return { ok: false, reason: 'not_found' };
    const membership = await this.repos.cells.membership(meeting.cellId, actor.id);
    if (!isSecretary(membership)) return { ok: false, reason: 'not_secretary' };
    return { ok: true, meeting };
  }

  /** The live tally: names of absentees are for the cell's secretaries only (callers authorize first). */
  async tally(meeting: Meeting): Promise<Tally> {
    const [members, answers] = await Promise.all([
      this.repos.cells.members(meeting.cellId),
      this.repos.meetings.answers(meeting.id),
    ]);
    const convened = [...members].filter(([, m]) => !EXCLUDED_STATUSES.has(m.status)).map(([id]) => id);
    const people = new Map((await this.repos.people.getMany(convened)).map((p) => [p.id, p]));
    const name = (id: string) => people.get(id)?.name ?? '?';
    const tally: Tally = { meeting, base: convened.length, present: 0, absent: [], unanswered: [] };
    for (const id of convened) {
      const answer = answers.get(id);
      if (!answer) tally.unanswered.push({ personId: id, name: name(id) });
      else if (answer.choice === 'present') tally.present++;
      else
        tally.absent.push({
          personId: id,
          name: name(id),
          ...(answer.reason ? { reason: answer.reason } : {}),
        });
    }
    return tally;
  }

  /**
   * The roll call as it stands: what the secretary set, else pre-filled from the member's status and answer. A
   * member who never answered starts as "chưa điểm danh" (`unmarked`) until the secretary says otherwise: never
   * as absent without reason, which the removal rule counts. Guests (đại biểu) are the committee members who
   * registered or were marked present; the cell's other assigned committee members are `others`, who may come
   * unannounced and be marked present.
   */
  async rollCallSheet(meeting: Meeting): Promise<RollCallSheet> {
    const [members, answers, taken, stored, assigned] = await Promise.all([
      this.repos.cells.members(meeting.cellId),
      this.repos.meetings.answers(meeting.id),
      this.repos.meetings.rollCall(meeting.id),
      this.repos.meetings.guests(meeting.id),
      this.store.smembers(keys.cellCommittee(meeting.cellId)),
    ]);
    const others = assigned.filter((id) => !members.has(id) && !stored.has(id));
    const people = new Map(
      (await this.repos.people.getMany([...members.keys(), ...stored.keys(), ...others])).map((p) => [
        p.id,
        p.name,
      ]),
    );
    const name = (personId: string) => people.get(personId) ?? '?';
    const prefill = (personId: string): RollCallEntry => {
      const status = members.get(personId)?.status ?? 'official';
      if (EXCLUDED_STATUSES.has(status)) return { state: status as RollCallEntry['state'] };
      const answer = answers.get(personId);
      if (answer?.choice === 'present') return { state: 'present' };
      if (answer?.choice === 'absent')
        return { state: 'absent_with_reason', ...(answer.reason ? { reason: answer.reason } : {}) };
      return { state: 'unmarked' };
    };
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'vi');
    return {
      meeting,
      entries: [...members.keys()]
        .map((personId) => ({
          personId,
          name: name(personId),
          entry: taken.get(personId) ?? prefill(personId),
        }))
        .sort(byName),
      guests: [...stored]
        .map(([personId, g]) => ({
          personId,
          name: name(personId),
          present: g.present ?? false,
          registered: !g.walkIn,
        }))
        .sort(byName),
      others: others.map((personId) => ({ personId, name: name(personId) })).sort(byName),
    };
  }

  /**
   * A secretary moves one member to the next settled roll-call state ("chưa điểm danh" moves to present), a
   * registered guest between present and absent, and an assigned committee member who came unannounced onto the
   * list as present (or off it again).
   */
  async toggleRollCall(meeting: Meeting, personId: string, actorId: string): Promise<boolean> {
    const sheet = await this.rollCallSheet(meeting);
    const now = this.clock.now();
    const member = sheet.entries.find((e) => e.personId === personId);
    if (member) {
      const next =
        ROLL_CALL_CYCLE[(ROLL_CALL_CYCLE.indexOf(member.entry.state) + 1) % ROLL_CALL_CYCLE.length] ??
        'present';
      const entry: RollCallEntry = {
        state: next,
        ...(next === 'absent_with_reason' && member.entry.reason ? { reason: member.entry.reason } : {}),
      };
      await this.store.write([
        { op: 'hset', key: keys.meetingRollCall(meeting.id), fields: { [personId]: JSON.stringify(entry) } },
        auditOp(meeting.cellId, {
          at: now,
          actorId,
          action: 'rollcall.set',
          subject: meeting.id,
          detail: { personId, state: next },
        }),
      ]);
      return true;
    }
    const guest = sheet.guests.find((g) => g.personId === personId);
    const walkIn = !guest && sheet.others.some((o) => o.personId === personId);
    if (!guest && !walkIn) return false;
    const present = !guest?.present;
    const stored = (await this.repos.meetings.guests(meeting.id)).get(personId);
    await this.store.write([
      guest && !guest.registered && !present
        ? // Someone who came unannounced, unmarked again: off the list, as if never there.
          { op: 'hdel', key: keys.meetingGuests(meeting.id), fields: [personId] }
        : {
            op: 'hset',
            key: keys.meetingGuests(meeting.id),
            fields: {
              [personId]: JSON.stringify({
                registeredAt: stored?.registeredAt ?? now,
                present,
                ...(guest?.registered === false || walkIn ? { walkIn: true } : {}),
              }),
            },
          },
      auditOp(meeting.cellId, {
        at: now,
        actorId,
        action: 'rollcall.guest',
        subject: meeting.id,
        detail: { personId, present },
      }),
    ]);
    return true;
  }

  /**
   * Closes the roll call: the sheet becomes the record, the meeting is held, and the HD 12 flags and the removal
   * rule are computed over the cell's year. Members still "chưa điểm danh" must be settled first: the roll call
   * stays open and they are returned, unless the secretary confirmed marking them absent without reason —
   * `settleUnmarked` is how many they confirmed, and more than that still unmarked (the roster changed meanwhile)
   * leaves the roll call open again.
   */
  async closeRollCall(
    meeting: Meeting,
    actorId: string,
    timeZone: string,
    options: { settleUnmarked?: number } = {},
  ): Promise<CloseResult> {
    const sheet = await this.rollCallSheet(meeting);
    const unsettled = sheet.entries.filter((e) => e.entry.state === 'unmarked');
    if (unsettled.length > 0 && unsettled.length > (options.settleUnmarked ?? 0))
      return { closed: false, unsettled: unsettled.map(({ personId, name }) => ({ personId, name })) };
    const entries = sheet.entries.map((e) =>
      e.entry.state === 'unmarked'
        ? { ...e, entry: { state: 'absent_without_reason' } satisfies RollCallEntry }
        : e,
    );
    const now = this.clock.now();
    const held: Meeting = { ...meeting, state: 'held', rollCallClosedAt: now, updatedAt: now };
    await this.store.write([
      {
        op: 'hset',
        key: keys.meetingRollCall(meeting.id),
        fields: Object.fromEntries(entries.map((e) => [e.personId, JSON.stringify(e.entry)])),
      },
      ...this.repos.meetings.saveOps(held),
      // A committee member's visit counts once the roll call closes with them present (src/services/visits.ts).
      ...sheet.guests
        .filter((g) => g.present)
        .map(
          (g): WriteOp => ({
            op: 'zadd',
            key: keys.committeeVisits(g.personId),
            entries: [{ member: meeting.id, score: meeting.startsAt }],
          }),
        ),
      ...(unsettled.length
        ? [
            auditOp(meeting.cellId, {
              at: now,
              actorId,
              action: 'rollcall.settle_all',
              subject: meeting.id,
              detail: { count: unsettled.length, state: 'absent_without_reason' },
            }),
          ]
        : []),
      auditOp(meeting.cellId, {
        at: now,
        actorId,
        action: 'rollcall.close',
        subject: meeting.id,
        detail: {},
      }),
    ]);
    const toDomain = (personId: string, e: RollCallEntry): DomainEntry =>
      e.state === 'absent_with_reason'
        ? { personId, state: e.state, reason: e.reason ?? '' }
        : { personId, state: e.state };
    const thisMeeting: HeldMeeting = {
      startsAt: new Date(meeting.startsAt),
      rollCall: entries.map((e) => toDomain(e.personId, e.entry)),
    };
    const year = localDateOf(thisMeeting.startsAt, timeZone).year;
    const yearStart = Date.UTC(year - 1, 11, 31);
    const others = (await this.repos.meetings.ofCell(meeting.cellId, yearStart, meeting.startsAt - 1)).filter(
      (m) => m.state === 'held' && m.id !== meeting.id,
    );
    const history: HeldMeeting[] = await Promise.all(
      others.map(async (m) => ({
        startsAt: new Date(m.startsAt),
        rollCall: [...(await this.repos.meetings.rollCall(m.id))].map(([personId, e]) =>
          toDomain(personId, e),
        ),
      })),
    );
    const names = new Map(sheet.entries.map((e) => [e.personId, e.name]));
    return {
      closed: true,
      count: countAttendance(thisMeeting.rollCall),
      quality: meetingQuality(thisMeeting, history, this.thresholds, timeZone),
      removal: removalStandings([...history, thisMeeting], year, this.thresholds, timeZone)
        .filter((r) => r.level !== 'none')
        .map((r) => ({ ...r, name: names.get(r.personId) ?? '?' })),
      names,
    };
  }
}

/**
 * A secretary's tap moves a member to the next settled roll-call state, in the domain's order, round again; a
 * member "chưa điểm danh" moves to the first (present) and never comes back to it.
 */
export const ROLL_CALL_CYCLE: readonly RollCallEntry['state'][] = SETTLED_ROLL_CALL_STATES;

export interface RollCallSheet {
  meeting: Meeting;
  entries: { personId: string; name: string; entry: RollCallEntry }[];
  /**
   * The guests (đại biểu): committee members who registered, or whom the secretary marked present; only those
   * present at the close count a visit.
   */
  guests: { personId: string; name: string; present: boolean; registered: boolean }[];
  /** The cell's other assigned committee members, not on the list: one who came unannounced is marked present. */
  others: { personId: string; name: string }[];
}

/** Closing the roll call: done, or left open with the members still "chưa điểm danh". */
export type CloseResult =
  | ({ closed: true } & RollCallOutcome)
  | { closed: false; unsettled: { personId: string; name: string }[] };

export interface RollCallOutcome {
  count: AttendanceCount;
  quality: MeetingQuality;
  /** Members at the removal rule's warning or flag this year, for the secretaries' eyes only. */
  removal: (RemovalStanding & { name: string })[];
  /** Display names of the members on the sheet. */
  names: Map<string, string>;
}
