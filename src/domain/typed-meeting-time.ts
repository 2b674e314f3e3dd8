import { daysInMonth } from './time.js';
import type { LocalDate, LocalTime } from './types.js';

/**
 * A one-off meeting's day and time as a secretary types it: "20/3 19:30", "20/03/2027 19h30",
 * "19 giờ 30 ngày 20/3", "20-3 7 giờ tối". A date without its year is the next such day from today on.
 */
export type MeetingTimeParse =
  | { ok: true; date: LocalDate; time: LocalTime }
  | { ok: false; error: 'missing_date' | 'missing_time' | 'no_such_day' | 'no_such_time' };

/** "Giờ" → "gio": the same with or without diacritics. */
const fold = (text: string) =>
  text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();

const DATE = /(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?(?!\d)/;
const TIME = /(?<!\d)(\d{1,2})\s*(?::|h|g\b|gio\b)\s*(\d{1,2})?(?!\d)/;
/** Afternoon and evening words: "7 giờ tối" is 19:00. */
const AFTERNOON = /\b(chieu|toi|pm)\b/;

export function parseMeetingTime(text: string, today: LocalDate): MeetingTimeParse {
  const folded = fold(text);
  const date = DATE.exec(folded);
  if (!date) return { ok: false, error: 'missing_date' };
  const rest =
    folded.slice(0, date.index) + ' '.repeat(date[0].length) + folded.slice(date.index + date[0].length);
  const time = TIME.exec(rest);
  if (!time) return { ok: false, error: 'missing_time' };

  const day = Number(date[1]);
  const month = Number(date[2]);
  let hour = Number(time[1]);
  const minute = Number(time[2] ?? 0);
  if (AFTERNOON.test(rest) && hour >= 1 && hour < 12) hour += 12;
  if (hour > 23 || minute > 59) return { ok: false, error: 'no_such_time' };
  if (month < 1 || month > 12 || day < 1) return { ok: false, error: 'no_such_day' };

  let year: number;
  if (date[3]) year = date[3].length === 2 ? 2000 + Number(date[3]) : Number(date[3]);
  else {
    const thisYear = today.month * 100 + today.day <= month * 100 + day;
    year = thisYear ? today.year : today.year + 1;
  }
  if (day > daysInMonth(year, month)) return { ok: false, error: 'no_such_day' };
  return { ok: true, date: { year, month, day }, time: { hour, minute } };
}
