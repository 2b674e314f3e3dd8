import type { Locale } from '../i18n.js';
import {
  addDays,
  addMonths,
  daysBetween,
  daysInMonth,
  formatTime,
  instantAt,
  isoDate,
  isWeekend,
  localDateOf,
  parseIsoDate,
  type Translate,
  weekdayName,
  weekdayOf,
} from './time.js';
import type {
  Holiday,
  LocalDate,
  LocalTime,
  ScheduleRule,
  ShiftPolicy,
  Weekday,
  WeekdayOrdinal,
} from './types.js';

/*
 * Schedules: the phrases secretaries write ("thứ Bảy đầu tiên của tháng 8:00"), read into a rule, written back
 * as text, and turned into meeting times that step around weekends and public holidays.
 */

export const SCHEDULE_ERROR_CODES = [
  'empty',
  'unknown_part',
  'missing_date',
  'missing_time',
  'missing_ordinal',
  'fifth_weekday',
  'day_out_of_range',
  'time_out_of_range',
  'repeated',
] as const;
export type ScheduleErrorCode = (typeof SCHEDULE_ERROR_CODES)[number];

/** What was not understood: `part` is the writer's own words, as they typed them. */
export type ScheduleError = { code: ScheduleErrorCode; part: string };
export type ScheduleParse = { ok: true; rule: ScheduleRule } | { ok: false; error: ScheduleError };

// ── Reading ─────────────────────────────────────────────────────────────────────────────────────────────

/** One word of the phrase: as written (for messages) and folded to plain ASCII lowercase (for matching). */
type Word = { written: string; plain: string };

/** "Thứ Bảy" → "thu bay": the same with or without diacritics, in any case. */
const fold = (text: string) =>
  text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();

function words(text: string): Word[] {
  return text
    .split(/[\s,;«»"“”()]+/)
    .map((w) => w.replace(/^[.'’!?]+|[.'’!?]+$/g, ''))
    .filter((w) => w !== '')
    .map((written) => ({ written, plain: fold(written) }));
}

/** Words that carry no meaning of their own: "lúc", "hằng tháng", "của tháng", "họp định kỳ vào"… */
const FILLERS = new Set([
  'luc',
  'vao',
  'hang',
  'moi',
  'cua',
  'trong',
  'thang',
  'tuan',
  'hop',
  'sinh',
  'hoat',
  'dinh',
  'ky',
]);

/** "hai" … "bay" and 2 … 7 after "thứ"; "chủ nhật" is read separately. */
const WEEKDAY_WORDS: Record<string, Weekday> = { hai: 1, ba: 2, tu: 3, nam: 4, sau: 5, bay: 6 };
/** "thứ nhất" … "thứ năm" as an ordinal: the fifth is recognised only to say why it cannot be used. */
const ORDINAL_WORDS: Record<string, number> = { nhat: 1, hai: 2, ba: 3, tu: 4, nam: 5 };

/** The date half of a rule, before its time is known. */
type DatePart =
  | { kind: 'monthday'; day: number }
  | { kind: 'nth_weekday'; weekday: Weekday; nth: WeekdayOrdinal }
  | { kind: 'last_day' };

/** What a reader found at a position: a value and where reading goes on, an error, or nothing of its kind. */
type Piece<T> = { value: T; next: number } | { error: ScheduleError } | undefined;

class Reader {
  constructor(private readonly ws: Word[]) {}

  plain = (i: number) => this.ws[i]?.plain ?? '';
  written = (from: number, to: number) =>
    this.ws
      .slice(from, to)
      .map((w) => w.written)
      .join(' ');
  error = (code: ScheduleErrorCode, from: number, to: number): { error: ScheduleError } => ({
    error: { code, part: this.written(from, to) },
  });

  /** "14:00", "14h30", "14g", "8h sáng", "7 giờ 30 tối", "7 giờ rưỡi". */
  time(i: number): Piece<LocalTime> {
    let hour: number;
    let minute: number | undefined;
    let next = i + 1;
    const glued = /^(\d{1,2})(?:[:.hg](\d{2})p?|[hg])$/.exec(this.plain(i));
    if (glued) {
      hour = Number(glued[1]);
      if (glued[2] !== undefined) minute = Number(glued[2]);
    } else if (/^\d{1,2}$/.test(this.plain(i)) && this.plain(i + 1) === 'gio') {
      hour = Number(this.plain(i));
      next = i + 2;
      if (/^\d{1,2}$/.test(this.plain(next))) {
        minute = Number(this.plain(next));
        next += this.plain(next + 1) === 'phut' ? 2 : 1;
      }
    } else return undefined;
    if (minute === undefined && this.plain(next) === 'ruoi') {
      minute = 30;
      next += 1;
    }
    const meridiem = this.plain(next);
    if (meridiem === 'sang' || meridiem === 'chieu' || meridiem === 'toi') {
      // "2 giờ chiều" is 14:00, "7h tối" 19:00; a 24-hour time stays as written.
      if (meridiem !== 'sang' && hour >= 1 && hour < 12) hour += 12;
      next += 1;
    }
    minute ??= 0;
    if (hour > 23 || minute > 59) return this.error('time_out_of_range', i, next);
    return { value: { hour, minute }, next };
  }

  /** "ngày 5", "mùng 5", "ngày mồng 5", "ngày cuối tháng", or a weekday with its ordinal. */
  date(i: number): Piece<DatePart> {
    const w = this.plain(i);
    if (w === 'ngay' || w === 'mung' || w === 'mong') {
      let next = i + 1;
      if (this.plain(next) === 'mung' || this.plain(next) === 'mong') next += 1;
      if (this.plain(next) === 'cuoi') {
        next += 1;
        if (this.plain(next) === 'cung') next += 1;
        return { value: { kind: 'last_day' }, next };
      }
      if (!/^\d{1,2}$/.test(this.plain(next))) return this.error('unknown_part', i, next + 1);
      const day = Number(this.plain(next));
      if (day < 1 || day > 31) return this.error('day_out_of_range', i, next + 1);
      return { value: { kind: 'monthday', day }, next: next + 1 };
    }
    const weekday = this.weekday(i);
    if (!weekday || 'error' in weekday) return weekday;
    let next = weekday.next;
    while (FILLERS.has(this.plain(next))) next += 1; // "thứ Bảy của tuần đầu tiên"
    const ordinal = this.ordinal(next);
    if (!ordinal) return this.error('missing_ordinal', i, weekday.next);
    if (ordinal.value === 5) return this.error('fifth_weekday', i, ordinal.next);
    return {
      value: { kind: 'nth_weekday', weekday: weekday.value, nth: ordinal.value as WeekdayOrdinal },
      next: ordinal.next,
    };
  }

  /** "thứ Bảy", "thứ 7", "T7", "chủ nhật", "CN". */
  private weekday(i: number): Piece<Weekday> {
    const w = this.plain(i);
    if (w === 'cn') return { value: 0, next: i + 1 };
    if (w === 'chu' && this.plain(i + 1) === 'nhat') return { value: 0, next: i + 2 };
    const glued = /^(?:t|thu)([2-7])$/.exec(w);
    if (glued) return { value: (Number(glued[1]) - 1) as Weekday, next: i + 1 };
    if (w !== 'thu') return undefined;
    const name = this.plain(i + 1);
    if (/^[2-7]$/.test(name)) return { value: (Number(name) - 1) as Weekday, next: i + 2 };
    const weekday = WEEKDAY_WORDS[name];
    return weekday === undefined ? this.error('unknown_part', i, i + 2) : { value: weekday, next: i + 2 };
  }

  /** "đầu tiên", "đầu", "thứ nhất", "thứ hai"…"thứ 4", "cuối cùng", "cuối"; the fifth is returned as 5. */
  private ordinal(i: number): { value: number; next: number } | undefined {
    const w = this.plain(i);
    if (w === 'dau') return { value: 1, next: this.plain(i + 1) === 'tien' ? i + 2 : i + 1 };
    if (w === 'cuoi') return { value: -1, next: this.plain(i + 1) === 'cung' ? i + 2 : i + 1 };
    if (w !== 'thu') return undefined;
    const name = this.plain(i + 1);
    const value = /^[1-5]$/.test(name) ? Number(name) : ORDINAL_WORDS[name];
    return value === undefined ? undefined : { value, next: i + 2 };
  }
}

/**
 * Reads a schedule phrase, with or without diacritics, date and time in either order. Never throws: anything
 * it cannot read comes back as an error naming the part it did not understand.
 */
export function parseSchedule(text: string): ScheduleParse {
  const ws = words(text);
  if (ws.length === 0) return { ok: false, error: { code: 'empty', part: '' } };
  const reader = new Reader(ws);
  const fail = (error: ScheduleError): ScheduleParse => ({ ok: false, error });
  let date: DatePart | undefined;
  let time: LocalTime | undefined;
  let i = 0;
  while (i < ws.length) {
    if (FILLERS.has(reader.plain(i))) {
      i += 1;
      continue;
    }
    const asTime = reader.time(i);
    const asDate = asTime ? undefined : reader.date(i);
    const piece = asTime ?? asDate;
    if (!piece) return fail({ code: 'unknown_part', part: reader.written(i, i + 1) });
    if ('error' in piece) return fail(piece.error);
    if ((asTime && time) || (asDate && date))
      return fail({ code: 'repeated', part: reader.written(i, piece.next) });
    if (asTime && 'value' in asTime) time = asTime.value;
    if (asDate && 'value' in asDate) date = asDate.value;
    i = piece.next;
  }
  if (!date) return fail({ code: 'missing_date', part: '' });
  if (!time) return fail({ code: 'missing_time', part: '' });
  return { ok: true, rule: { ...date, time } };
}

// ── Writing ─────────────────────────────────────────────────────────────────────────────────────────────

/** The rule as a phrase the parser reads back: "thứ Bảy đầu tiên của tháng, 08:00". */
export function describeSchedule(rule: ScheduleRule, locale: Locale, t: Translate): string {
  const time = formatTime(rule.time);
  switch (rule.kind) {
    case 'monthday':
      return t('schedule.rule.monthday', { day: rule.day, time }, locale);
    case 'last_day':
      return t('schedule.rule.last_day', { time }, locale);
    case 'nth_weekday':
      return t(
        'schedule.rule.nth_weekday',
        {
          weekday: weekdayName(rule.weekday, locale, t),
          nth: t(`schedule.nth.${rule.nth === -1 ? 'last' : rule.nth}`, {}, locale),
          time,
        },
        locale,
      );
  }
}

/** "Không hiểu phần «thứ Tám». Ví dụ hợp lệ: «thứ Bảy đầu tiên của tháng 8:00»". */
export const scheduleErrorMessage = (error: ScheduleError, locale: Locale, t: Translate): string =>
  t(`schedule.error.${error.code}`, { part: error.part, example: t('schedule.example', {}, locale) }, locale);

// ── Generating ──────────────────────────────────────────────────────────────────────────────────────────

export type MeetingCalendar = {
  timeZone: string;
  shift: ShiftPolicy;
  /** The cell meets on weekends too: only holidays move its meetings. */
  weekendsAreWorkingDays?: boolean;
  holidays: readonly Holiday[];
};

/** The day a rule names in a month, before any shift. */
export function nominalDate(rule: ScheduleRule, year: number, month: number): LocalDate {
  const last = daysInMonth(year, month);
  switch (rule.kind) {
    case 'monthday':
      return { year, month, day: Math.min(rule.day, last) };
    case 'last_day':
      return { year, month, day: last };
    case 'nth_weekday': {
      if (rule.nth === -1) {
        const end = { year, month, day: last };
        return addDays(end, -((weekdayOf(end) - rule.weekday + 7) % 7));
      }
      const first = { year, month, day: 1 };
      return addDays(first, ((rule.weekday - weekdayOf(first) + 7) % 7) + (rule.nth - 1) * 7);
    }
  }
}

/** Every local date a holiday list covers, as `YYYY-MM-DD`. */
function holidayDates(holidays: readonly Holiday[]): Set<string> {
  const dates = new Set<string>();
  for (const holiday of holidays) {
    const from = parseIsoDate(holiday.from);
    const to = parseIsoDate(holiday.to);
    if (!from || !to) continue;
    for (let n = 0; n <= daysBetween(from, to); n++) dates.add(isoDate(addDays(from, n)));
  }
  return dates;
}

/**
 * Whether a cell meets on a given day without moving. A rule that names Saturday or Sunday says by itself
 * that the cell meets on weekends, so only holidays move it.
 */
function workingDayTest(rule: ScheduleRule, calendar: MeetingCalendar): (date: LocalDate) => boolean {
  const holidays = holidayDates(calendar.holidays);
  const weekendsWork =
    calendar.weekendsAreWorkingDays === true || (rule.kind === 'nth_weekday' && isWeekend(rule.weekday));
  return (date) => !holidays.has(isoDate(date)) && (weekendsWork || !isWeekend(weekdayOf(date)));
}

function shifted(date: LocalDate, shift: ShiftPolicy, isWorkingDay: (date: LocalDate) => boolean): LocalDate {
  if (shift === 'none') return date;
  const step = shift === 'next_working_day' ? 1 : -1;
  let day = date;
  while (!isWorkingDay(day)) day = addDays(day, step);
  return day;
}

/**
 * The meetings a rule gives from `fromUtc` (included) to `toUtc` (excluded), strictly increasing, each at the
 * rule's local time in the calendar's zone and moved off weekends and holidays as its shift policy says.
 */
export function meetingTimes(
  rule: ScheduleRule,
  calendar: MeetingCalendar,
  fromUtc: Date,
  toUtc: Date,
): Date[] {
  const isWorkingDay = workingDayTest(rule, calendar);
  // A shift can carry a meeting across a month boundary, so look one month beyond each end of the range.
  const start = localDateOf(fromUtc, calendar.timeZone);
  const end = localDateOf(toUtc, calendar.timeZone);
  const lastMonth = end.year * 12 + end.month;
  const times: Date[] = [];
  for (
    let month = addMonths({ year: start.year, month: start.month, day: 1 }, -1);
    month.year * 12 + month.month <= lastMonth + 1;
    month = addMonths(month, 1)
  ) {
    const day = shifted(nominalDate(rule, month.year, month.month), calendar.shift, isWorkingDay);
    const at = instantAt(day, rule.time, calendar.timeZone);
    const previous = times.at(-1);
    // A very long break could push one month's meeting past the next one's: a single meeting is enough then.
    if (at >= fromUtc && at < toUtc && (!previous || at > previous)) times.push(at);
  }
  return times;
}
