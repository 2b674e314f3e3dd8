import { TZDate, tzOffset } from '@date-fns/tz';
import type { Locale, Params } from './locale.js';
import type { LocalDate, LocalTime, Weekday } from './types.js';

/**
 * Wall-calendar arithmetic and the bridge between local dates and instants. Every date a user sees or a rule
 * counts is a local date in the cell's time zone; instants (Date) are only for storing and comparing.
 */

export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';
export const DAY_MS = 86_400_000;

/** A stretch of time in a time zone: start included, end excluded. */
export type Window = { start: Date; end: Date; timeZone: string };

/** The translator's signature (`t` from src/i18n.ts), passed in so the domain reads no files. */
export type Translate = (key: string, params?: Params, locale?: Locale) => string;

// The Gregorian calendar is the same in every zone, so calendar arithmetic runs on UTC midnights.
const utcMidnight = (date: LocalDate) => Date.UTC(date.year, date.month - 1, date.day);
function fromUtcMidnight(ms: number): LocalDate {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export const addDays = (date: LocalDate, days: number): LocalDate =>
  fromUtcMidnight(utcMidnight(date) + days * DAY_MS);

/** Days from a to b (negative when b is earlier). */
export const daysBetween = (a: LocalDate, b: LocalDate): number =>
  Math.round((utcMidnight(b) - utcMidnight(a)) / DAY_MS);

export const daysInMonth = (year: number, month: number): number =>
  new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The same day n months later, or that month's last day when it is shorter (31/1 + 1 month = 28/2). */
export function addMonths(date: LocalDate, months: number): LocalDate {
  const index = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return { year, month, day: Math.min(date.day, daysInMonth(year, month)) };
}

export const weekdayOf = (date: LocalDate): Weekday => new Date(utcMidnight(date)).getUTCDay() as Weekday;

export const isWeekend = (weekday: Weekday): boolean => weekday === 0 || weekday === 6;

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD`, the form holidays are written in. */
export const isoDate = (date: LocalDate): string => `${date.year}-${pad(date.month)}-${pad(date.day)}`;

/** A `YYYY-MM-DD` string as a date, or undefined when it names no real day (2027-02-29). */
export function parseIsoDate(text: string): LocalDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  return date.month >= 1 &&
    date.month <= 12 &&
    date.day >= 1 &&
    date.day <= daysInMonth(date.year, date.month)
    ? date
    : undefined;
}

export const formatTime = (time: LocalTime): string => `${pad(time.hour)}:${pad(time.minute)}`;

/** `HH:MM` as a time of day, or undefined. */
export function parseTime(text: string): LocalTime | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? { hour: Number(match[1]), minute: Number(match[2]) } : undefined;
}

/**
 * An instant as the zone's wall clock reads it, in a Date's UTC fields: the instant moved by the zone's offset
 * then, rounded to whole seconds as TZDate does (historical offsets carry seconds). One look-up of the offset,
 * where constructing a TZDate takes two: converting is what the planner and the tests spend most on.
 */
function wallClock(instant: Date, timeZone: string): Date {
  const ms = instant.getTime();
  return new Date(ms + Math.round(offsetMinutes(timeZone, ms) * 60) * 1000);
}

/**
 * Zones' offsets by UTC day, for the days whose first and last millisecond have the same offset (all but the few
 * with a change, which are asked each time): no zone changes its offset and back within a day. The planner
 * converts many instants of the same days, and each `tzOffset` formats a date through Intl. Bounded, and pure.
 */
const offsetCache = new Map<string, Map<number, number>>();

/** A zone's own map in a per-zone cache of numbers. */
function zoneMap(cache: Map<string, Map<number, number>>, timeZone: string): Map<number, number> {
  let inZone = cache.get(timeZone);
  if (!inZone) {
    inZone = new Map();
    cache.set(timeZone, inZone);
  }
  return inZone;
}

/** Keeps `value` under `key`, emptying the map first when it is full: the working set is far smaller. */
function keepBounded(map: Map<number, number>, key: number, value: number): void {
  if (map.size >= 10_000) map.clear();
  map.set(key, value);
}

function offsetMinutes(timeZone: string, ms: number): number {
  const inZone = zoneMap(offsetCache, timeZone);
  const day = Math.floor(ms / DAY_MS);
  const known = inZone.get(day);
  if (known !== undefined) return known;
  const first = tzOffset(timeZone, new Date(day * DAY_MS));
  if (tzOffset(timeZone, new Date((day + 1) * DAY_MS - 1)) !== first) return tzOffset(timeZone, new Date(ms));
  keepBounded(inZone, day, first);
  return first;
}

export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const wall = wallClock(instant, timeZone);
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

export function localTimeOf(instant: Date, timeZone: string): LocalTime {
  const wall = wallClock(instant, timeZone);
  return { hour: wall.getUTCHours(), minute: wall.getUTCMinutes() };
}

/**
 * Instants of local dates and times, remembered by zone then by the wall time as one number: the planner asks
 * for the same meeting times every day, and TZDate's construction (its daylight-saving checks) is dear. Bounded,
 * and pure, so sharing it is safe.
 */
const instantCache = new Map<string, Map<number, number>>();

/** The instant a local date and time name in a zone. */
export function instantAt(date: LocalDate, time: LocalTime, timeZone: string): Date {
  const inZone = zoneMap(instantCache, timeZone);
  // The wall time as if in UTC: equal exactly when TZDate would read the same wall time (31/4 is 1/5 to both).
  const key = Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute);
  let ms = inZone.get(key);
  if (ms === undefined) {
    ms = new TZDate(date.year, date.month - 1, date.day, time.hour, time.minute, timeZone).getTime();
    keepBounded(inZone, key, ms);
  }
  return new Date(ms);
}

export const MIDNIGHT: LocalTime = { hour: 0, minute: 0 };

/**
 * The calendar-aligned window of `months` months containing an instant: with 6, January–June or July–December;
 * with 3, quarters; with 1, months. `months` must divide 12 so every year starts a window.
 */
export function monthWindow(instant: Date, months: number, timeZone: string): Window {
  const today = localDateOf(instant, timeZone);
  const first = { year: today.year, month: today.month - ((today.month - 1) % months), day: 1 };
  return {
    start: instantAt(first, MIDNIGHT, timeZone),
    end: instantAt(addMonths(first, months), MIDNIGHT, timeZone),
    timeZone,
  };
}

/** The window's last local day. */
export const lastDayOf = (window: Window): LocalDate => addDays(localDateOf(window.end, window.timeZone), -1);

/** "05/12/2026". */
export function formatDate(instant: Date, timeZone: string): string {
  const date = localDateOf(instant, timeZone);
  return `${pad(date.day)}/${pad(date.month)}/${date.year}`;
}

/** The weekday's name as it reads inside a sentence ("thứ Bảy"). */
export const weekdayName = (weekday: Weekday, locale: Locale, t: Translate): string =>
  t(`time.weekday.${weekday}`, {}, locale);

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

interface ZonedParts {
  weekday: Weekday;
  /** "05/12/2026" and "19:30": the same in every locale. */
  dateText: string;
  timeText: string;
}

/**
 * An instant's local weekday, date and time in a zone, remembered: every invitation, edit and tally formats the
 * same few meeting times, and converting to a zone is the dear part. Kept by zone, then by the instant's number,
 * so a call builds no key. Bounded, and pure, so sharing it is safe.
 */
const zonedCache = new Map<string, Map<number, ZonedParts>>();
function zonedParts(instant: Date, timeZone: string): ZonedParts {
  const ms = instant.getTime();
  let inZone = zonedCache.get(timeZone);
  if (!inZone) {
    inZone = new Map();
    zonedCache.set(timeZone, inZone);
  }
  let parts = inZone.get(ms);
  if (!parts) {
    const date = localDateOf(instant, timeZone);
    parts = {
      weekday: weekdayOf(date),
      dateText: `${pad(date.day)}/${pad(date.month)}/${date.year}`,
      timeText: formatTime(localTimeOf(instant, timeZone)),
    };
    if (inZone.size >= 10_000) inZone.clear();
    inZone.set(ms, parts);
  }
  return parts;
}

/** "Thứ Bảy, 05/12/2026, 19:30". */
export function formatDateTime(instant: Date, timeZone: string, locale: Locale, t: Translate): string {
  const { weekday, dateText, timeText } = zonedParts(instant, timeZone);
  return t(
    'time.datetime',
    { weekday: capitalize(weekdayName(weekday, locale, t)), date: dateText, time: timeText },
    locale,
  );
}
