import { holidayCalendar } from '../content/holidays.js';
import {
  MARKABLE_STEPS,
  type MarkableStep,
  type PreparationStatus,
  preparationStatus,
} from '../domain/checklist.js';
import { reminderCalendar } from '../domain/reminders.js';
import type { Policy } from '../domain/types.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/port.js';
import { type Cell, checklistMarkSchema, type Meeting } from '../store/records.js';
import { auditOp } from '../store/repositories/audit.js';
import type { Repos } from '../store/repositories/index.js';
import type { AttendanceService } from './attendance.js';
import type { Clock } from './people.js';

/**
 * What the secretary's preparation checklist shows for one meeting: the HD 42 steps and which are done, and
 * the agenda's facts — time, place, who is expected so far, registered guests, the chosen topic. Counts and
 * names of guests only (committee members are not private); never any document's content.
 */
export interface ChecklistFacts {
  meeting: Meeting;
  cell: Cell;
  steps: PreparationStatus[];
  notified: { members: number; committee: number };
  expected: { present: number; base: number; absent: number; unanswered: number };
  /** Committee members registered to attend, by name. */
  guests: string[];
  /** Committee members assigned to the cell, who receive the notice (HD 42), by name. */
  committee: string[];
}

export class ChecklistService {
  constructor(
    private readonly store: Store,
    private readonly repos: Repos,
    private readonly clock: Clock,
    private readonly policy: Policy,
    private readonly attendance: AttendanceService,
  ) {}

  async facts(meeting: Meeting, cell: Cell): Promise<ChecklistFacts> {
    const [marks, notifiedIds, members, tally, guests, committeeIds] = await Promise.all([
      this.store.hgetall(keys.meetingChecklist(meeting.id)),
      this.repos.meetings.notified(meeting.id),
      this.repos.cells.members(cell.id),
      this.attendance.tally(meeting),
      this.repos.meetings.guests(meeting.id),
      this.store.smembers(keys.cellCommittee(cell.id)),
    ]);
    const marked = new Map<MarkableStep, number>();
    for (const step of MARKABLE_STEPS) {
      const raw = marks[step];
      if (raw !== undefined) marked.set(step, checklistMarkSchema.parse(JSON.parse(raw)).at);
    }
    const notifiedMembers = notifiedIds.filter((id) => members.has(id)).length;
    const notified = { members: notifiedMembers, committee: notifiedIds.length - notifiedMembers };
    const names = new Map(
      (await this.repos.people.getMany([...new Set([...guests.keys(), ...committeeIds])])).map((p) => [
        p.id,
        p.name,
      ]),
    );
    const byName = (ids: Iterable<string>) =>
      [...ids].flatMap((id) => names.get(id) ?? []).sort((a, b) => a.localeCompare(b, 'vi'));
    return {
      meeting,
      cell,
      steps: preparationStatus(
        {
          startsAt: meeting.startsAt,
          timeZone: cell.timeZone,
          calendar: reminderCalendar(cell, this.policy, holidayCalendar()),
          timeline: this.policy.timeline,
          marked,
          notified,
        },
        this.clock.now(),
      ),
      notified,
      expected: {
        present: tally.present,
        base: tally.base,
        absent: tally.absent.length,
        unanswered: tally.unanswered.length,
      },
      guests: byName(guests.keys()),
      committee: byName(committeeIds),
    };
  }

  /** The secretary ticks (or unticks) a step; the same tap twice changes nothing more. Audited. */
  async mark(actorId: string, meeting: Meeting, step: MarkableStep, done: boolean): Promise<boolean> {
    const key = keys.meetingChecklist(meeting.id);
    const already = (await this.store.hget(key, step)) !== undefined;
    if (already === done) return false;
    const at = this.clock.now();
    await this.store.write([
      done
        ? {
            op: 'hset',
            key,
            fields: { [step]: JSON.stringify(checklistMarkSchema.parse({ by: actorId, at })) },
          }
        : { op: 'hdel', key, fields: [step] },
      auditOp(meeting.cellId, {
        at,
        actorId,
        action: done ? 'checklist.done' : 'checklist.undone',
        subject: meeting.id,
        detail: { step },
      }),
    ]);
    return true;
  }
}
