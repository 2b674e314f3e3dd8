import type { Holidays } from './holidays.js';
import type { Locale } from './locale.js';
import { lunarMonthLength, lunarMonthStart } from './lunar.js';
import { fold } from './text.js';
import {
  addDays,
  DAY_MS,
  daysBetween,
  daysInMonth,
  formatTime,
  instantAt,
  isoDate,
  isWeekend,
  localDateOf,
  type Translate,
  weekdayName,
  weekdayOf,
} from './time.js';
import {
  type LocalDate,
  type LocalTime,
  type MeetingShift,
  SCHEDULE_RULE_KINDS,
  type ScheduleRule,
  type ShiftPolicy,
  type Weekday,
  type WeekdayOrdinal,
} from './types.js';

/*
 * Schedules: the phrases secretaries write ("thứ Bảy đầu tiên hằng tháng, 8:00", "rằm hằng tháng 19h"), read
 * into a rule, written back as text, and turned into one regular meeting a month (a lunar month for lunar
 * rules) that steps around weekends and public holidays without leaving its month.
 */

export const SCHEDULE_ERROR_CODES = [
  'empty',
  'unknown_part',
  'not_monthly',
  'missing_date',
  'missing_time',
  'missing_ordinal',
  'fifth_weekday',
  'working_day_ordinal',
  'day_out_of_range',
  'time_out_of_range',
  'time_conflict',
  'repeated',
] as const;
export type ScheduleErrorCode = (typeof SCHEDULE_ERROR_CODES)[number];

/** What was not understood: `part` is the writer's own words, as they typed them. */
export type ScheduleError = { code: ScheduleErrorCode; part: string };
/**
 * A rule read. `unusual` when its hour is before 06:00 or after 22:00: it is asked back before it is kept, with
 * `alternative`, the afternoon or evening hour the writer more likely meant ("2 giờ" → 14:00), when there is one.
 */
export type ScheduleParse =
  | { ok: true; rule: ScheduleRule; unusual?: { alternative?: LocalTime } }
  | { ok: false; error: ScheduleError };

/** Meetings earlier or later than these hours are asked back: "2 giờ" is rarely 02:00. */
export const USUAL_HOURS = { from: { hour: 6, minute: 0 }, to: { hour: 22, minute: 0 } } as const;

const minutes = (time: LocalTime) => time.hour * 60 + time.minute;
export const isUsualHour = (time: LocalTime): boolean =>
  minutes(time) >= minutes(USUAL_HOURS.from) && minutes(time) <= minutes(USUAL_HOURS.to);

// ── Reading ─────────────────────────────────────────────────────────────────────────────────────────────

/** One word of the phrase: as written (for messages) and folded to plain ASCII lowercase (for matching). */
type Word = { written: string; plain: string };

function words(text: string): Word[] {
  return text
    .split(/[\s,;/«»"“”()]+/)
    .map((w) => w.replace(/^[.'’!?-]+|[.'’!?-]+$/g, ''))
    .filter((w) => w !== '')
    .map((written) => ({ written, plain: fold(written) }));
}

/** Words that carry no meaning of their own: "lúc", "hằng tháng", "của tháng", "chi bộ họp định kỳ vào"… */
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
  'chi',
  'bo',
  'la',
  'theo',
  'duong',
  'lich',
  'mot',
  'lan',
]);

/** "hai" … "bay" and 2 … 7 after "thứ"; "chủ nhật" is read separately. */
const WEEKDAY_WORDS: Record<string, Weekday> = { hai: 1, ba: 2, tu: 3, nam: 4, sau: 5, bay: 6 };
/** "thứ nhất" … "thứ năm" as an ordinal: the fifth is recognised only to say why it cannot be used. */
const ORDINAL_WORDS: Record<string, number> = { nhat: 1, hai: 2, ba: 3, tu: 4, nam: 5 };
/** "mùng một" … "mùng mười". */
const DAY_WORDS: Record<string, number> = {
  mot: 1,
  hai: 2,
  ba: 3,
  bon: 4,
  tu: 4,
  nam: 5,
  sau: 6,
  bay: 7,
  tam: 8,
  chin: 9,
  muoi: 10,
};

/** Times of day, before or after the hour: "sáng", "buổi chiều", "12h trưa", "tối thứ Sáu … 19h". */
const PERIODS = ['sang', 'trua', 'chieu', 'toi', 'dem'] as const;
export type TimeOfDay = (typeof PERIODS)[number];
const isPeriod = (w: string): w is TimeOfDay => (PERIODS as readonly string[]).includes(w);
/** The time of day a folded word names ("sang", "chieu"…, and "am", "pm"), for the meeting-time parser too. */
export const timeOfDayOf = (plain: string): TimeOfDay | undefined =>
  isPeriod(plain) ? plain : plain === 'am' ? 'sang' : plain === 'pm' ? 'chieu' : undefined;

/**
 * Ways of meeting more or less often than once a month, each a run of words ("?" marks one that may be left
 * out); the Statute asks for one regular meeting a month, so they are named back rather than half-read.
 */
const NOT_MONTHLY: string[][] = [
  ['hai|2|ba|3', 'tuan', 'mot|1?', 'lan'],
  ['cach', 'tuan|ngay|thang'],
  ['hang|moi', 'tuan|ngay|quy|nam'],
  ['hai|2|ba|3', 'lan', 'mot|1|moi|hang?', 'thang'],
  ['thang', 'hai|2|ba|3', 'lan'],
  ['tuan|ngay', 'nao', 'cung'],
  ['va'],
  ['hoac'],
];

/** The date half of a rule, before its time is known. */
type DatePart =
  | { kind: 'monthday'; day: number }
  | { kind: 'nth_weekday'; weekday: Weekday; nth: WeekdayOrdinal }
  | { kind: 'last_day' }
  | { kind: 'working_day'; nth: 1 | -1 }
  | { kind: 'lunar_day'; day: number };

type TimePart = { hour: number; minute: number; clock: boolean };

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

  /** Where a NOT_MONTHLY run of words starts at i, the index after it. */
  notMonthly(i: number): number | undefined {
    for (const pattern of NOT_MONTHLY) {
      let at = i;
      let matched = true;
      for (const element of pattern) {
        const optional = element.endsWith('?');
        const choices = element.replace(/\?$/, '').split('|');
        if (choices.includes(this.plain(at))) at += 1;
        else if (!optional) {
          matched = false;
          break;
        }
      }
      if (matched) return at;
    }
    return undefined;
  }

  /** "buổi sáng", "sáng", "ban đêm": a time of day, which says how to read the hour. */
  period(i: number): { value: TimeOfDay; next: number } | undefined {
    const lead = this.plain(i) === 'buoi' || this.plain(i) === 'ban' ? 1 : 0;
    const w = this.plain(i + lead);
    return isPeriod(w) ? { value: w, next: i + lead + 1 } : undefined;
  }

  /** "14:00", "14h30", "14g", "7 giờ 30 phút", "7 giờ rưỡi", "8h30'"; the time of day is read apart. */
  time(i: number): Piece<TimePart> {
    let hour: number;
    let minute: number | undefined;
    let next = i + 1;
    const glued = /^(\d{1,2})(?:[:.hg](\d{2})(?:p|ph)?|[hg])$/.exec(this.plain(i));
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
    minute ??= 0;
    if (hour > 23 || minute > 59) return this.error('time_out_of_range', i, next);
    // "14:00" names its hour on the 24-hour clock; "2h", "2 giờ" may mean 14:00.
    return { value: { hour, minute, clock: /^\d{1,2}[:.]\d{2}$/.test(this.plain(i)) }, next };
  }

  /** A day number, in figures or, after "mùng", in words ("mùng một"). */
  private dayNumber(i: number, words: boolean): number | undefined {
    const w = this.plain(i);
    if (/^\d{1,2}$/.test(w)) return Number(w);
    return words ? DAY_WORDS[w] : undefined;
  }

  /** "âm lịch", "âm", "ÂL" after a day: the lunar calendar. */
  private lunarMark(i: number): number | undefined {
    if (this.plain(i) === 'al') return i + 1;
    if (this.plain(i) === 'am') return this.plain(i + 1) === 'lich' ? i + 2 : i + 1;
    if (this.plain(i) === 'thang' && this.plain(i + 1) === 'am') return this.lunarMark(i + 1);
    return undefined;
  }

  /** "cuối tháng", "cuối mỗi tháng", "cuối cùng của tháng": the month's last day; `at` is after "cuối". */
  private monthEnd(at: number): number | undefined {
    let next = at;
    if (this.plain(next) === 'cung') next += 1;
    while (this.plain(next) === 'cua' || this.plain(next) === 'moi' || this.plain(next) === 'hang') next += 1;
    return this.plain(next) === 'thang' ? next + 1 : undefined;
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

  /**
   * "ngày 5", "mùng 5", "ngày mồng một", "ngày cuối tháng", "cuối tháng", "ngày làm việc đầu tiên", "ngày 5 âm
   * lịch", "rằm", or a weekday with its ordinal.
   */
  date(i: number): Piece<DatePart> {
    const w = this.plain(i);
    if (w === 'ram') {
      let next = i + 1;
      if (this.plain(next) === 'thang') next = this.lunarMark(next) ?? next;
      return { value: { kind: 'lunar_day', day: 15 }, next };
    }
    if (w === 'cuoi') {
      const end = this.monthEnd(i + 1);
      if (end === undefined) return undefined;
      const lunar = this.lunarMark(end);
      if (lunar !== undefined) return { value: { kind: 'lunar_day', day: 30 }, next: lunar };
      return { value: { kind: 'last_day' }, next: end };
    }
    if (w === 'ngay' || w === 'mung' || w === 'mong') {
      let next = i + 1;
      if (w === 'ngay' && this.plain(next) === 'ram') return this.date(next);
      if (w === 'ngay' && this.plain(next) === 'lam' && this.plain(next + 1) === 'viec')
        return this.workingDay(i, next + 2);
      const spelled = w !== 'ngay' || this.plain(next) === 'mung' || this.plain(next) === 'mong';
      if (this.plain(next) === 'mung' || this.plain(next) === 'mong') next += 1;
      if (this.plain(next) === 'cuoi') {
        const end = this.monthEnd(next + 1) ?? (this.plain(next + 1) === 'cung' ? next + 2 : next + 1);
        const lunar = this.lunarMark(end);
        if (lunar !== undefined) return { value: { kind: 'lunar_day', day: 30 }, next: lunar };
        return { value: { kind: 'last_day' }, next: end };
      }
      if (this.plain(next) === 'dau') {
        // "ngày đầu tháng", "ngày đầu tiên của tháng": the 1st.
        let after = this.plain(next + 1) === 'tien' ? next + 2 : next + 1;
        while (['cua', 'moi', 'hang'].includes(this.plain(after))) after += 1;
        if (this.plain(after) === 'thang') return { value: { kind: 'monthday', day: 1 }, next: after + 1 };
      }
      const day = this.dayNumber(next, spelled);
      if (day === undefined) return this.error('unknown_part', i, next + 1);
      const lunar = this.lunarMark(next + 1);
      if (lunar !== undefined) {
        if (day < 1 || day > 30) return this.error('day_out_of_range', i, lunar);
        return { value: { kind: 'lunar_day', day }, next: lunar };
      }
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

  /** "ngày làm việc đầu tiên (của tháng)", "ngày làm việc cuối cùng", "ngày làm việc cuối tháng". */
  private workingDay(start: number, i: number): Piece<DatePart> {
    let next = i;
    while (this.plain(next) === 'cua' || this.plain(next) === 'trong') next += 1;
    const ordinal = this.ordinal(next);
    if (!ordinal) return this.error('working_day_ordinal', start, next);
    if (ordinal.value !== 1 && ordinal.value !== -1)
      return this.error('working_day_ordinal', start, ordinal.next);
    return { value: { kind: 'working_day', nth: ordinal.value }, next: ordinal.next };
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
}

/**
 * The hour a time of day makes of a written hour: "2 giờ chiều" is 14:00, "12h trưa" 12:00, "10 giờ đêm"
 * 22:00; undefined when they disagree ("sáng … 19h").
 */
export function withPeriod(time: { hour: number }, period: TimeOfDay): number | undefined {
  const { hour } = time;
  const within = (from: number, to: number) => hour >= from && hour <= to;
  switch (period) {
    case 'sang':
      return within(0, 11) ? hour : undefined;
    case 'trua':
      return within(10, 14) ? hour : within(1, 2) ? hour + 12 : undefined;
    case 'chieu':
      return within(12, 19) ? hour : within(1, 7) ? hour + 12 : undefined;
    case 'toi':
      return within(17, 23) ? hour : within(5, 11) ? hour + 12 : undefined;
    case 'dem':
      return within(20, 23) || within(0, 4) ? hour : within(8, 11) ? hour + 12 : hour === 12 ? 0 : undefined;
  }
}

/**
 * Reads a schedule phrase, with or without diacritics, date and time in either order, a time of day before or
 * after. Never throws: anything it cannot read comes back as an error naming the part it did not understand.
 */
export function parseSchedule(text: string): ScheduleParse {
  const ws = words(text);
  if (ws.length === 0) return { ok: false, error: { code: 'empty', part: '' } };
  const reader = new Reader(ws);
  const fail = (error: ScheduleError): ScheduleParse => ({ ok: false, error });
  for (let i = 0; i < ws.length; i++) {
    const end = reader.notMonthly(i);
    // "mùng 1 và rằm": two days a month, named back whole.
    const whole = ['va', 'hoac'].includes(reader.plain(i));
    if (end !== undefined)
      return fail({ code: 'not_monthly', part: reader.written(whole ? 0 : i, whole ? ws.length : end) });
  }
  let date: DatePart | undefined;
  let time: { value: TimePart; from: number; to: number } | undefined;
  let period: { value: TimeOfDay; from: number; to: number } | undefined;
  let i = 0;
  while (i < ws.length) {
    const asPeriod = reader.period(i);
    if (asPeriod) {
      if (period && period.value !== asPeriod.value)
        return fail({
          code: 'time_conflict',
          part: `${reader.written(period.from, period.to)} … ${reader.written(i, asPeriod.next)}`,
        });
      period = { value: asPeriod.value, from: i, to: asPeriod.next };
      i = asPeriod.next;
      continue;
    }
    const asTime = reader.time(i);
    const asDate = asTime ? undefined : reader.date(i);
    if (!asTime && !asDate && FILLERS.has(reader.plain(i))) {
      i += 1;
      continue;
    }
    const piece = asTime ?? asDate;
    if (!piece) return fail({ code: 'unknown_part', part: reader.written(i, i + 1) });
    if ('error' in piece) return fail(piece.error);
    if ((asTime && time) || (asDate && date))
      return fail({ code: 'repeated', part: reader.written(i, piece.next) });
    if (asTime && 'value' in asTime) time = { value: asTime.value, from: i, to: asTime.next };
    if (asDate && 'value' in asDate) date = asDate.value;
    i = piece.next;
  }
  if (!date) return fail({ code: 'missing_date', part: '' });
  if (!time)
    return fail({ code: 'missing_time', part: period ? reader.written(period.from, period.to) : '' });
  let hour = time.value.hour;
  if (period) {
    const read = withPeriod(time.value, period.value);
    if (read === undefined)
      return fail({
        code: 'time_conflict',
        part: `${reader.written(period.from, period.to)} … ${reader.written(time.from, time.to)}`,
      });
    hour = read;
  }
  const at = { hour, minute: time.value.minute };
  const rule = { ...date, time: at } as ScheduleRule;
  if (isUsualHour(at)) return { ok: true, rule };
  // "2 giờ" with no time of day is more likely 14:00 than 02:00.
  const later = { hour: at.hour + 12, minute: at.minute };
  const guess = !period && !time.value.clock && at.hour >= 1 && at.hour < 12 && isUsualHour(later);
  return { ok: true, rule, unusual: guess ? { alternative: later } : {} };
}

// ── Writing ─────────────────────────────────────────────────────────────────────────────────────────────

/** The rule as a phrase the parser reads back: "thứ Bảy đầu tiên hằng tháng, 08:00". */
export function describeSchedule(rule: ScheduleRule, locale: Locale, t: Translate): string {
  const time = formatTime(rule.time);
  switch (rule.kind) {
    case 'monthday':
      return t('schedule.rule.monthday', { day: rule.day, time }, locale);
    case 'last_day':
      return t('schedule.rule.last_day', { time }, locale);
    case 'working_day':
      return t(`schedule.rule.working_day.${rule.nth === 1 ? 'first' : 'last'}`, { time }, locale);
    case 'lunar_day':
      return t('schedule.rule.lunar_day', { day: rule.day, time }, locale);
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

/**
 * "Không hiểu phần «thứ Tám». Lịch họp có thể viết: …": what went wrong and, where the writer may not know
 * what else to write, every form that is read.
 */
export const scheduleErrorMessage = (error: ScheduleError, locale: Locale, t: Translate): string =>
  t(
    `schedule.error.${error.code}`,
    {
      part: error.part,
      example: t('schedule.example', {}, locale),
      supported: t('schedule.supported', {}, locale),
    },
    locale,
  );

// ── Generating ──────────────────────────────────────────────────────────────────────────────────────────

export type MeetingCalendar = {
  timeZone: string;
  /** Where a meeting goes when its day is a weekend or holiday: `none` keeps the day. */
  shift: ShiftPolicy;
  /** The cell meets on weekends too: only holidays move its meetings. */
  weekendsAreWorkingDays?: boolean;
  holidays: Holidays;
};

/** One regular meeting as the rule plans it: where it is, the day the rule named, and why they differ. */
export type PlannedMeeting = {
  at: Date;
  date: LocalDate;
  nominal: LocalDate;
  shift?: MeetingShift;
};

/** The stretch a rule gives one meeting in: a calendar month, or a lunar month for a lunar rule. */
type Period = { first: LocalDate; last: LocalDate };

/**
 * Whether a cell meets on a given day without moving. A rule that names Saturday or Sunday says by itself
 * that the cell meets on weekends, so only holidays move it.
 */
function workingDayTest(rule: ScheduleRule, calendar: MeetingCalendar): (date: LocalDate) => boolean {
  const weekendsWork =
    calendar.weekendsAreWorkingDays === true || (rule.kind === 'nth_weekday' && isWeekend(rule.weekday));
  return (date) => !calendar.holidays.on(date) && (weekendsWork || !isWeekend(weekdayOf(date)));
}

const inside = (date: LocalDate, period: Period) =>
  daysBetween(period.first, date) >= 0 && daysBetween(date, period.last) >= 0;

/** The day a rule names in its period, before any move. */
function nominalDay(rule: ScheduleRule, period: Period, isWorkingDay: (d: LocalDate) => boolean): LocalDate {
  const { first, last } = period;
  const length = daysBetween(first, last) + 1;
  switch (rule.kind) {
    case 'monthday':
    case 'lunar_day':
      return addDays(first, Math.min(rule.day, length) - 1);
    case 'last_day':
      return last;
    case 'working_day': {
      const step = rule.nth === 1 ? 1 : -1;
      const from = rule.nth === 1 ? first : last;
      for (let d = from; inside(d, period); d = addDays(d, step)) if (isWorkingDay(d)) return d;
      return from;
    }
    case 'nth_weekday': {
      if (rule.nth === -1) return addDays(last, -((weekdayOf(last) - rule.weekday + 7) % 7));
      return addDays(first, ((rule.weekday - weekdayOf(first) + 7) % 7) + (rule.nth - 1) * 7);
    }
  }
}

/**
 * Where a meeting whose day is not a working day goes, never out of its period: a weekday rule to the same
 * weekday a week later (or earlier, as the policy says), then a week the other way; otherwise, and for a date
 * rule, the nearest working day in the policy's direction, then in the other. A period without a working day
 * keeps the day.
 */
function moved(
  nominal: LocalDate,
  rule: ScheduleRule,
  period: Period,
  shift: ShiftPolicy,
  isWorkingDay: (d: LocalDate) => boolean,
): LocalDate {
  if (shift === 'none' || isWorkingDay(nominal)) return nominal;
  const ahead = shift === 'next_working_day' ? 1 : -1;
  const strides = rule.kind === 'nth_weekday' ? [7, 1] : [1];
  for (const stride of strides)
    for (const direction of [ahead, -ahead])
      for (
        let d = addDays(nominal, stride * direction);
        inside(d, period);
        d = addDays(d, stride * direction)
      )
        if (isWorkingDay(d)) return d;
  return nominal;
}

/** The periods of a rule that overlap local days `from` … `to`. */
function periods(rule: ScheduleRule, from: LocalDate, to: LocalDate): Period[] {
  const list: Period[] = [];
  if (rule.kind === 'lunar_day') {
    for (let first = lunarMonthStart(from); daysBetween(first, to) >= 0; ) {
      const next = addDays(first, lunarMonthLength(first));
      list.push({ first, last: addDays(next, -1) });
      first = next;
    }
    return list;
  }
  for (let index = from.year * 12 + from.month - 1; index <= to.year * 12 + to.month - 1; index++) {
    const year = Math.floor(index / 12);
    const month = (index % 12) + 1;
    list.push({ first: { year, month, day: 1 }, last: { year, month, day: daysInMonth(year, month) } });
  }
  return list;
}

/**
 * The regular meetings a rule gives from `fromUtc` (included) to `toUtc` (excluded), one per month (per lunar
 * month for a lunar rule), strictly increasing, each at the rule's local time in the calendar's zone, moved off
 * weekends and holidays as the shift policy says but never out of its month, with the reason when moved.
 */
export function plannedMeetings(
  rule: ScheduleRule,
  calendar: MeetingCalendar,
  fromUtc: Date,
  toUtc: Date,
): PlannedMeeting[] {
  const isWorkingDay = workingDayTest(rule, calendar);
  const meetings: PlannedMeeting[] = [];
  const from = localDateOf(fromUtc, calendar.timeZone);
  const to = localDateOf(toUtc, calendar.timeZone);
  for (const period of periods(rule, from, to)) {
    const nominal = nominalDay(rule, period, isWorkingDay);
    const date = moved(nominal, rule, period, calendar.shift, isWorkingDay);
    const at = instantAt(date, rule.time, calendar.timeZone);
    if (at < fromUtc || at >= toUtc) continue;
    const meeting: PlannedMeeting = { at, date, nominal };
    if (daysBetween(nominal, date) !== 0) {
      const holiday = calendar.holidays.on(nominal);
      meeting.shift = {
        from: isoDate(nominal),
        ...(holiday ? { holiday: holiday.name } : {}),
        ...(holiday?.provisional ? { provisional: true } : {}),
      };
    }
    meetings.push(meeting);
  }
  return meetings;
}

/** The instants of `plannedMeetings`. */
export const meetingTimes = (
  rule: ScheduleRule,
  calendar: MeetingCalendar,
  fromUtc: Date,
  toUtc: Date,
): Date[] => plannedMeetings(rule, calendar, fromUtc, toUtc).map((m) => m.at);

/** The next `count` regular meetings from an instant on, for showing a new schedule back to its writer. */
export function nextMeetings(rule: ScheduleRule, calendar: MeetingCalendar, from: Date, count: number) {
  // Thirteen lunar months fit in 400 days, so `count` ≤ 12 meetings always do.
  const to = new Date(from.getTime() + (count + 1) * 32 * DAY_MS);
  return plannedMeetings(rule, calendar, from, to).slice(0, count);
}

/** Whether an unknown stored value is a rule this code reads. */
export const isScheduleRule = (rule: unknown): rule is ScheduleRule =>
  typeof rule === 'object' &&
  rule !== null &&
  (SCHEDULE_RULE_KINDS as readonly string[]).includes((rule as ScheduleRule).kind);
