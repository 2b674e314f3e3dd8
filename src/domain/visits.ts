import {
  addDays,
  addMonths,
  daysBetween,
  instantAt,
  lastDayOf,
  localDateOf,
  MIDNIGHT,
  monthWindow,
  type Window,
} from './time.js';
import type { LocalTime, MeetingKind, VisitRule } from './types.js';

/**
 * Upper-level committee members attending cell meetings: the window a rule is counted over, how far a member
 * is in it, and when to alert them.
 */

/** A meeting the member attended as a guest, marked present by the roll call. */
export type CountedVisit = { meetingKind: MeetingKind; startsAt: Date };

export type VisitStatus =
  | { state: 'met'; done: number; required: number }
  /** daysLeft: whole days after today still in the window; 0 on its last day. */
  | { state: 'due'; done: number; required: number; daysLeft: number }
  | { state: 'overdue'; done: number; required: number };

/**
 * The window of a rule containing an instant. Calendar rules tile the year (6 months: Jan–Jun, Jul–Dec);
 * rolling rules run in consecutive windows from `rollingFrom`, the day the member was assigned.
 */
export function visitWindow(rule: VisitRule, instant: Date, timeZone: string, rollingFrom?: Date): Window {
  if (rule.alignment === 'calendar') return monthWindow(instant, rule.windowMonths, timeZone);
  if (!rollingFrom) throw new Error('a rolling visit rule needs the date the member was assigned');
  const anchor = localDateOf(rollingFrom, timeZone);
  const windowStart = (k: number) => instantAt(addMonths(anchor, k * rule.windowMonths), MIDNIGHT, timeZone);
  const today = localDateOf(instant, timeZone);
  const monthsIn = (today.year - anchor.year) * 12 + (today.month - anchor.month);
  // The month count can overshoot by one window when today's day of month is before the anchor's.
  let k = Math.floor(monthsIn / rule.windowMonths);
  if (windowStart(k) > instant) k -= 1;
  return { start: windowStart(k), end: windowStart(k + 1), timeZone };
}

/** A combined meeting is both regular and thematic, so it counts under either. */
export const countsTowards = (rule: VisitRule, kind: MeetingKind): boolean =>
  rule.counts === 'both' || kind === rule.counts || kind === 'combined';

export function visitStatus(
  rule: VisitRule,
  window: Window,
  visits: readonly CountedVisit[],
  now: Date,
): VisitStatus {
  const done = visits.filter(
    (v) => countsTowards(rule, v.meetingKind) && v.startsAt >= window.start && v.startsAt < window.end,
  ).length;
  const required = rule.minimum;
  if (done >= required) return { state: 'met', done, required };
  if (now >= window.end) return { state: 'overdue', done, required };
  const today = localDateOf(now < window.start ? window.start : now, window.timeZone);
  return { state: 'due', done, required, daysLeft: daysBetween(today, lastDayOf(window)) };
}

/** Where a member should be by the end of one part of a paced window. */
export type PaceCheckpoint = {
  /** pace_1, pace_2, …: the part it closes. */
  id: string;
  /** The end of the part (exclusive): visits before it are what the pace asks for. */
  through: Date;
  /** Visits expected by then. */
  expected: number;
};

/**
 * The pacing of a rule counted over a long window: the window is cut into parts of `pacing.everyMonths` months
 * (quarters of a year), and by the end of part k of n a member should have done
 *
 *     expected(k) = ceil(minimum × k ÷ n)
 *
 * visits: an even spread, rounded up — for "≥ 6 per year" by quarter, 2, 3 and 5 by the end of March, June and
 * September; for "≥ 2 per year", 1, 1 and 2. The last part ends with the window, judged by the rule itself (and
 * its alerts before the end), so it has no checkpoint.
 */
export function paceCheckpoints(rule: VisitRule, window: Window): PaceCheckpoint[] {
  const every = rule.pacing?.everyMonths;
  if (!every || every >= rule.windowMonths) return [];
  const parts = Math.floor(rule.windowMonths / every);
  const first = localDateOf(window.start, window.timeZone);
  return Array.from({ length: parts - 1 }, (_, i) => {
    const k = i + 1;
    return {
      id: `pace_${k}`,
      through: instantAt(addMonths(first, k * every), MIDNIGHT, window.timeZone),
      expected: Math.ceil((rule.minimum * k) / parts),
    };
  });
}

/** A planned visit alert: when it is due, and for a pace check what it expects by when. */
export type VisitAlert = { id: string; dueAt: Date; pace?: { expected: number; through: Date } };

/**
 * When a member still short of the rule is alerted in a window: each offset's day at the policy's alert
 * time, and each pace checkpoint's next day (the first of the next part), in time order. An offset falling
 * before the window starts (21 days in a one-month window) is dropped; a paced rule has no fraction offsets.
 * Whether to send one depends on the status at that moment (and, for a pace check, on the pace), not here.
 */
export function visitAlerts(rule: VisitRule, window: Window, at: LocalTime): VisitAlert[] {
  const first = localDateOf(window.start, window.timeZone);
  const last = lastDayOf(window);
  const paced: VisitAlert[] = paceCheckpoints(rule, window).map(({ id, through, expected }) => ({
    id,
    dueAt: instantAt(localDateOf(through, window.timeZone), at, window.timeZone),
    pace: { expected, through },
  }));
  return rule.alertOffsets
    .filter((offset) => !(paced.length && 'atFraction' in offset))
    .map((offset) => {
      const day =
        'atFraction' in offset
          ? localDateOf(
              new Date(
                window.start.getTime() + offset.atFraction * (window.end.getTime() - window.start.getTime()),
              ),
              window.timeZone,
            )
          : addDays(last, -offset.daysBeforeEnd);
      return { id: offset.id, day };
    })
    .filter(({ day }) => daysBetween(first, day) >= 0)
    .map(({ id, day }): VisitAlert => ({ id, dueAt: instantAt(day, at, window.timeZone) }))
    .concat(paced)
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}
