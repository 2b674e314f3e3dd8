import { type TimeOfDay, timeOfDayOf, withPeriod } from './schedule.js';
import { fold } from './text.js';
import { daysInMonth, instantAt, localDateOf } from './time.js';
import type { LocalDate } from './types.js';

/**
 * A meeting's day and time as a secretary types it, for moving a meeting (/hop) or creating a thematic one
 * (/chuyende): "20:00", "20h30", "05/12 20:00", "05/12/2026 20:00", "20:00 07/12", "ngày 07/12 lúc 20:00",
 * "20/3 19:30", "19 giờ 30 ngày 20/3", "20-3 7 giờ tối", "ngày 20.3.27, 8h", and the bot's own
 * "Thứ Bảy, 20/03/2027, 19:30", with a time of day before or after as schedules take it ("2 giờ chiều", "sáng
 * 20/3 8h", "12h trưa", "buổi tối 7 giờ"). With or without diacritics. A date without its year is the next such day from
 * today on. Any other word is refused rather than ignored: "20/3 19:30 hoặc 21:00" must not become 19:30.
 */
export type MeetingTimeError =
  | 'unreadable'
  | 'missing_date'
  | 'missing_time'
  | 'no_such_day'
  | 'no_such_time'
  | 'past';
export type MeetingTimeParse = { ok: true; startsAt: Date } | { ok: false; error: MeetingTimeError };

export interface MeetingTimeContext {
  now: Date;
  timeZone: string;
  /**
   * A time typed alone falls on this instant's day in the zone (a meeting being moved keeps its own day).
   * Without it a date is required: a new meeting has no day to default to.
   */
  defaultDayOf?: Date;
}

/** A weekday name, as the bot writes dates ("Thứ Bảy, 20/03/2027"); ignored, the date says the day. */
const WEEKDAY = /(?<![\p{L}\d])(?:thu\s*(?:hai|ba|tu|nam|sau|bay|[2-7])|chu\s*nhat|cn)(?![\p{L}\d])/u;
const DATE = /(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?(?!\d)/;
const TIME = /(?<!\d)(\d{1,2})\s*(?::|h|gio(?!\p{L})|g)\s*(\d{1,2})?(?!\d)/u;
/** Words people put around the date and time; any other word (but a time of day) makes the phrase unreadable. */
const FILLER = new Set(['ngay', 'luc', 'vao', 'buoi', 'ban']);

/** Blanks out the first match, so the next pattern cannot read its digits again. */
function take(text: string, pattern: RegExp): { match: RegExpExecArray | null; rest: string } {
  const match = pattern.exec(text);
  if (!match) return { match, rest: text };
  const end = match.index + match[0].length;
  return { match, rest: `${text.slice(0, match.index)} ${text.slice(end)}` };
}

export function parseMeetingTime(text: string, context: MeetingTimeContext): MeetingTimeParse {
  const { now, timeZone, defaultDayOf } = context;
  const { rest: withoutWeekday } = take(fold(text), WEEKDAY);
  const { match: date, rest: withoutDate } = take(withoutWeekday, DATE);
  if (!date && !defaultDayOf) return { ok: false, error: 'missing_date' };
  const { match: time, rest } = take(withoutDate, TIME);
  const words = rest.split(/[\s,]+/).filter(Boolean);
  const periods = new Set(words.map(timeOfDayOf).filter((p): p is TimeOfDay => p !== undefined));
  if (words.some((w) => !FILLER.has(w) && !timeOfDayOf(w)) || periods.size > 1)
    return { ok: false, error: 'unreadable' };
  if (!time) return { ok: false, error: date ? 'missing_time' : 'unreadable' };

  const written = Number(time[1]);
  const minute = Number(time[2] ?? 0);
  const [period] = periods;
  // "2 giờ chiều" is 14:00, "12h trưa" 12:00; "sáng 19h" disagrees with itself.
  const hour = period ? withPeriod({ hour: written }, period) : written;
  if (hour === undefined || hour > 23 || minute > 59) return { ok: false, error: 'no_such_time' };

  const day = date
    ? dayOf(date, localDateOf(now, timeZone))
    : defaultDayOf && localDateOf(defaultDayOf, timeZone);
  if (!day) return { ok: false, error: 'no_such_day' };
  const startsAt = instantAt(day, { hour, minute }, timeZone);
  if (startsAt.getTime() <= now.getTime()) return { ok: false, error: 'past' };
  return { ok: true, startsAt };
}

/** The calendar day a typed date names, if there is one. */
function dayOf(date: RegExpExecArray, today: LocalDate): LocalDate | undefined {
  const day = Number(date[1]);
  const month = Number(date[2]);
  if (month < 1 || month > 12 || day < 1) return undefined;
  let year: number;
  if (date[3]) year = date[3].length === 2 ? 2000 + Number(date[3]) : Number(date[3]);
  // The next such day from today on: "05/01" typed in November means next January.
  else year = today.month * 100 + today.day <= month * 100 + day ? today.year : today.year + 1;
  return day > daysInMonth(year, month) ? undefined : { year, month, day };
}
