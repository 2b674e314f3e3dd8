import { parseSchedule } from '../../../src/domain/schedule.js';
import {
  DEFAULT_TIME_ZONE,
  formatTime,
  instantAt,
  isoDate,
  localDateOf,
  localTimeOf,
} from '../../../src/domain/time.js';
import type { ScheduleRule } from '../../../src/domain/types.js';

export const VN = DEFAULT_TIME_ZONE;

/** An instant from a Vietnamese wall-clock reading: at('2026-12-05 19:30'). */
export function at(local: string, timeZone = VN): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}))?$/.exec(local);
  if (!match) throw new Error(`bad local time ${local}`);
  const [, y, mo, d, h = '0', mi = '0'] = match;
  return instantAt(
    { year: Number(y), month: Number(mo), day: Number(d) },
    { hour: Number(h), minute: Number(mi) },
    timeZone,
  );
}

/** The wall-clock reading of an instant: '2026-12-05 19:30'. */
export const local = (instant: Date, timeZone = VN) =>
  `${isoDate(localDateOf(instant, timeZone))} ${formatTime(localTimeOf(instant, timeZone))}`;

export function rule(phrase: string): ScheduleRule {
  const parsed = parseSchedule(phrase);
  if (!parsed.ok) throw new Error(`${phrase}: ${parsed.error.code} ${parsed.error.part}`);
  return parsed.rule;
}
