import type { Holidays } from './holidays.js';
import {
  addDays,
  addMonths,
  instantAt,
  isWeekend,
  localDateOf,
  MIDNIGHT,
  type Window,
  weekdayOf,
} from './time.js';
import type { LocalDate, LocalTime, Meeting, ReminderOccurrence, TimelineStep } from './types.js';

/** The preparation timeline of a meeting, and the periodic check for a thematic meeting. */

/** What placing reminders needs to know of the cell's calendar; a bare zone moves nothing off holidays. */
export type ReminderCalendar = {
  timeZone: string;
  holidays?: Holidays;
  /** The cell meets on weekends: a Saturday is a working day to send on. */
  weekendsAreWorkingDays?: boolean;
  /** The hours reminders go out, both ends included (the policy's `daytime`). */
  daytime?: { from: LocalTime; to: LocalTime };
};

/** A cell's reminder calendar: its zone and weekends, the policy's daytime, the public holidays. */
export const reminderCalendar = (
  cell: { timeZone: string; meetsOnWeekends: boolean },
  policy: { daytime: { from: LocalTime; to: LocalTime } },
  holidays: Holidays,
): ReminderCalendar => ({
  timeZone: cell.timeZone,
  holidays,
  weekendsAreWorkingDays: cell.meetsOnWeekends,
  daytime: policy.daytime,
});

const minutes = (time: LocalTime) => time.hour * 60 + time.minute;
/** How far back a step looks for a working day: beyond the longest break (Tết, nine days) with weekends. */
const LOOK_BACK_DAYS = 31;

/**
 * When a step goes out. On its day (the meeting's local day plus its offset) at its hour, unless that day is a
 * public holiday, the hour is outside daytime, or — for a step before the meeting — it would not be before
 * the meeting: then on the previous working day, at its hour brought inside daytime. A step after the meeting
 * (the roll call, the final documents) cannot go earlier, so a holiday moves it to the first day after that is
 * not one.
 */
function placeStep(step: TimelineStep, startsAt: Date, calendar: ReminderCalendar): Date {
  const { timeZone, holidays, daytime } = calendar;
  const meetingDay = localDateOf(startsAt, timeZone);
  const isHoliday = (d: LocalDate) => holidays?.on(d) !== undefined;
  const isWorkingDay = (d: LocalDate) =>
    !isHoliday(d) && (calendar.weekendsAreWorkingDays === true || !isWeekend(weekdayOf(d)));
  const inDaytime = (t: LocalTime) =>
    !daytime || (minutes(t) >= minutes(daytime.from) && minutes(t) <= minutes(daytime.to));
  const clamped = (t: LocalTime): LocalTime =>
    !daytime || inDaytime(t) ? t : minutes(t) < minutes(daytime.from) ? daytime.from : daytime.to;

  const day = addDays(meetingDay, step.offsetDays);
  const nominal = instantAt(day, step.at, timeZone);
  const before = step.offsetDays <= 0;
  if (!isHoliday(day) && inDaytime(step.at) && (!before || nominal < startsAt)) return nominal;
  const time = clamped(step.at);
  if (!before) {
    let d = day;
    for (let n = 0; n < LOOK_BACK_DAYS && isHoliday(d); n++) d = addDays(d, 1);
    return instantAt(d, time, timeZone);
  }
  let d = addDays(day, -1);
  for (let n = 0; n < LOOK_BACK_DAYS; n++, d = addDays(d, -1)) {
    const due = instantAt(d, time, timeZone);
    if (isWorkingDay(d) && due < startsAt) return due;
  }
  return nominal;
}

/**
 * The timeline's occurrences for one meeting, in time order, each placed by `placeStep`. A reminder due before
 * the meeting is useless once the meeting has started, so its grace ends at the start at the latest.
 */
export function meetingReminders(
  meeting: Pick<Meeting, 'id' | 'startsAt'>,
  timeline: readonly TimelineStep[],
  calendar: ReminderCalendar | string,
): ReminderOccurrence[] {
  const cal = typeof calendar === 'string' ? { timeZone: calendar } : calendar;
  return timeline
    .map((step) => {
      const dueAt = placeStep(step, meeting.startsAt, cal);
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
