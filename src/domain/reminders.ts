import { addDays, addMonths, instantAt, localDateOf, localTimeOf, MIDNIGHT, type Window } from './time.js';
import type { LocalTime, Meeting, ReminderOccurrence, TimelineStep } from './types.js';

/** The preparation timeline of a meeting, and the periodic check for a thematic meeting. */

/**
 * The timeline's occurrences for one meeting, in time order. Each step falls on the meeting's local day plus
 * its offset, at its fixed time or else the meeting's own time. A reminder due before the meeting is useless
 * once the meeting has started, so its grace ends at the start at the latest.
 */
export function meetingReminders(
  meeting: Pick<Meeting, 'id' | 'startsAt'>,
  timeline: readonly TimelineStep[],
  timeZone: string,
): ReminderOccurrence[] {
  const day = localDateOf(meeting.startsAt, timeZone);
  const time = localTimeOf(meeting.startsAt, timeZone);
  return timeline
    .map((step) => {
      const dueAt = instantAt(addDays(day, step.offsetDays), step.at ?? time, timeZone);
      const graceEnd = dueAt.getTime() + step.graceHours * 3_600_000;
      const before = dueAt < meeting.startsAt;
      return {
        id: `${meeting.id}:${step.id}`,
        meetingId: meeting.id,
        stepId: step.id,
        audience: step.audience,
        dueAt,
        graceEndsAt: new Date(before ? Math.min(graceEnd, meeting.startsAt.getTime()) : graceEnd),
      };
    })
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/** The first instant of the period's last month (1 March for the first quarter). */
function lastMonthStart(period: Window): Date {
  const end = localDateOf(period.end, period.timeZone);
  return instantAt(addMonths({ year: end.year, month: end.month, day: 1 }, -1), MIDNIGHT, period.timeZone);
}

/** When the thematic check of a period runs: the first day of its last month, at the policy's alert time. */
export function thematicCheckTime(period: Window, at: LocalTime): Date {
  return instantAt(localDateOf(lastMonthStart(period), period.timeZone), at, period.timeZone);
}

/**
 * Whether the secretaries should be reminded that a thematic meeting is missing: it is the period's last
 * month (the quarter's, with a quarterly cadence) and no thematic or combined meeting of the cell is planned
 * or held inside the period.
 */
export function thematicCheckDue(
  period: Window,
  meetingsOfCell: readonly Pick<Meeting, 'kind' | 'state' | 'startsAt'>[],
  now: Date,
): boolean {
  if (now < lastMonthStart(period) || now >= period.end) return false;
  return !meetingsOfCell.some(
    (m) =>
      m.kind !== 'regular' &&
      m.state !== 'cancelled' &&
      m.startsAt >= period.start &&
      m.startsAt < period.end,
  );
}
