import type { AbsenceReason } from '../../handlers/intents.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/port.js';
import type { Answer, Meeting, Person } from '../store/records.js';
import { isSecretary } from '../store/repositories/cells.js';
import type { Repos } from '../store/repositories/index.js';
import type { Clock } from './people.js';

/** Members in these states are not convened: they are outside the attendance base (HD 12). */
export const EXCLUDED_STATUSES = new Set(['exempt', 'temporarily_elsewhere', 'special_duty']);

export type AnswerRefusal = 'not_found' | 'not_member' | 'cancelled' | 'expired';
export type AnswerResult =
  | { ok: true; meeting: Meeting; answer: Answer }
  | { ok: false; reason: AnswerRefusal };

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
  ) {}

  /** Whether this person may answer this meeting now: their own cell's, planned, not yet started. */
  async canAnswer(
    personId: string,
    meetingId: string,
  ): Promise<{ ok: true; meeting: Meeting } | { ok: false; reason: AnswerRefusal }> {
    const meeting = await this.repos.meetings.get(meetingId);
    if (!meeting) return { ok: false, reason: 'not_found' };
    // The meeting ID comes from untrusted callback data: membership is checked against the meeting's own cell.
    if (!(await this.repos.cells.membership(meeting.cellId, personId)))
      return { ok: false, reason: 'not_member' };
    if (meeting.state === 'cancelled') return { ok: false, reason: 'cancelled' };
    if (meeting.state !== 'planned' || this.clock.now() >= meeting.startsAt)
      return { ok: false, reason: 'expired' };
    return { ok: true, meeting };
  }

  /** A member answers for themself, for an open meeting of their own cell, until it starts. */
  async recordAnswer(
    personId: string,
    meetingId: string,
    choice: Answer['choice'],
    reason?: AbsenceReason,
    note?: string,
  ): Promise<AnswerResult> {
    const check = await this.canAnswer(personId, meetingId);
    if (!check.ok) return check;
    const answer: Answer = {
      choice,
      at: this.clock.now(),
      ...(choice === 'absent' && (reason || note) ? { reason: note?.trim() || reason } : {}),
    };
    await this.store.hset(keys.meetingAnswers(meetingId), { [personId]: JSON.stringify(answer) });
    return { ok: true, meeting: check.meeting, answer };
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
}
