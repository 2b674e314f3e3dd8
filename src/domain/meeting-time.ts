import { daysInMonth, instantAt, localDateOf } from './time.js';
import type { LocalDate, LocalTime } from './types.js';

/**
 * A secretary's new time for a meeting, as typed: "20:00" (same day), "05/12 20:00" (the next 5 December),
 * "05/12/2026 20:00"; also "20h", "20h30", "ngày 05/12 lúc 20:00" and the time before the date.
 */
export type NewTimeError = 'unreadable' | 'no_such_date' | 'past';
export type NewTimeParse = { ok: true; startsAt: Date } | { ok: false; error: NewTimeError };

const TIME = /^([01]?\d|2[0-3])(?::([0-5]\d)|[hg]([0-5]\d)?)$/i;
const DATE = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$/;
/** Words people put around the date and time; ignored, with or without diacritics. */
const FILLER = new Set(['ngày', 'ngay', 'lúc', 'luc', 'vào', 'vao']);

export function parseNewMeetingTime(
  text: string,
  context: { current: Date; now: Date; timeZone: string },
): NewTimeParse {
  const tokens = text
    .normalize('NFC')
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((w) => w && !FILLER.has(w));
  if (tokens.length === 0 || tokens.length > 2) return { ok: false, error: 'unreadable' };
  let time: LocalTime | undefined;
  let date: { day: number; month: number; year?: number } | undefined;
  for (const token of tokens) {
    const t = TIME.exec(token);
    const d = DATE.exec(token);
    if (t && !time) time = { hour: Number(t[1]), minute: Number(t[2] ?? t[3] ?? 0) };
    else if (d && !date) {
      const year = d[3] === undefined ? undefined : Number(d[3].length === 2 ? `20${d[3]}` : d[3]);
      date = { day: Number(d[1]), month: Number(d[2]), ...(year === undefined ? {} : { year }) };
    } else return { ok: false, error: 'unreadable' };
  }
  if (!time) return { ok: false, error: 'unreadable' };

  const { timeZone } = context;
  let day: LocalDate;
  if (!date) day = localDateOf(context.current, timeZone);
  else {
    if (date.month < 1 || date.month > 12) return { ok: false, error: 'no_such_date' };
    const today = localDateOf(context.now, timeZone);
    // Without a year, the next such day from today: "05/12" typed in November means this December.
    let year = date.year ?? today.year;
    if (
      date.year === undefined &&
      (date.month < today.month || (date.month === today.month && date.day < today.day))
    )
      year++;
    if (date.day < 1 || date.day > daysInMonth(year, date.month)) return { ok: false, error: 'no_such_date' };
    day = { year, month: date.month, day: date.day };
  }
  const startsAt = instantAt(day, time, timeZone);
  if (startsAt.getTime() <= context.now.getTime()) return { ok: false, error: 'past' };
  return { ok: true, startsAt };
}
