import { lunarYearName, solarOf } from './lunar.js';
import { addDays, daysBetween, isoDate, isWeekend, parseIsoDate, type Translate, weekdayOf } from './time.js';
import type { Holiday, LocalDate } from './types.js';

/**
 * Public holidays as the calendar reads them: the announced days of content/holidays, and past its last year
 * the days the law gives, worked out here and marked provisional, so no year is ever without Tết.
 */

export interface Holidays {
  /** The public holiday a local day belongs to, if any. */
  on(date: LocalDate): Holiday | undefined;
}

export class HolidayCalendar implements Holidays {
  private readonly byDate = new Map<string, Holiday>();
  private readonly computed = new Set<number>();
  /** The last year the fixed list has any day of; later years are computed (when a rule is given). */
  readonly lastFixedYear: number;

  constructor(
    fixed: readonly Holiday[],
    private readonly compute?: (year: number) => Holiday[],
  ) {
    this.add(fixed);
    this.lastFixedYear = Math.max(Number.NEGATIVE_INFINITY, ...fixed.map((h) => Number(h.to.slice(0, 4))));
  }

  on(date: LocalDate): Holiday | undefined {
    if (this.compute && date.year > this.lastFixedYear && !this.computed.has(date.year)) {
      this.computed.add(date.year);
      this.add(this.compute(date.year));
    }
    return this.byDate.get(isoDate(date));
  }

  private add(holidays: readonly Holiday[]): void {
    for (const holiday of holidays) {
      const from = parseIsoDate(holiday.from);
      const to = parseIsoDate(holiday.to);
      if (!from || !to) continue;
      for (let n = 0; n <= daysBetween(from, to); n++) {
        const key = isoDate(addDays(from, n));
        if (!this.byDate.has(key)) this.byDate.set(key, holiday);
      }
    }
  }
}

/** Exactly the days listed: for tests and for calendars without a rule to extend them. */
export const fixedHolidays = (holidays: readonly Holiday[]): HolidayCalendar => new HolidayCalendar(holidays);

/** Vietnam's calendar: the listed days, then every later year computed by `vietnamHolidaysOf`. */
export const vietnamHolidays = (holidays: readonly Holiday[], t: Translate): HolidayCalendar =>
  new HolidayCalendar(holidays, (year) => vietnamHolidaysOf(year, t));

const day = (year: number, month: number, d: number): LocalDate => ({ year, month, day: d });

/**
 * A year's days off under Bộ luật Lao động 2019, Điều 112, as the government has arranged them in recent
 * years, all marked provisional:
 * - 1/1; 30/4 and 1/5; 2/9 with the day before or after (the one that joins a weekend, as 2026–2030 are
 *   arranged); Giỗ Tổ Hùng Vương on 10/3 of the lunar calendar;
 * - Tết: five weekdays starting two weekdays before mùng 1 (one when mùng 1 is a Tuesday or a Sunday), with the
 *   weekend inside them — the pattern of every year 2020–2030 in the announcements and the holiday file;
 * - a fixed holiday on a Saturday or Sunday gives the next working day off (Điều 111, khoản 3).
 */
export function vietnamHolidaysOf(year: number, t: Translate): Holiday[] {
  const name = (key: string, params = {}) => t(`holiday.${key}`, params, 'vi');
  const single = (date: LocalDate, holiday: string) => ({ date, name: holiday });
  const fixed: { date: LocalDate; name: string }[] = [single(day(year, 1, 1), name('newYear'))];
  const hungKings = solarOf({ year, month: 3, day: 10, leap: false });
  if (hungKings) fixed.push(single(hungKings, name('hungKings')));
  fixed.push(single(day(year, 4, 30), name('reunification')), single(day(year, 5, 1), name('labourDay')));
  const nationalDay = day(year, 9, 2);
  // Sunday, Monday and Thursday take 3/9, the other days 1/9 (2026: Wednesday → 1/9; 2027: Thursday → 3/9).
  const otherDay = [0, 1, 4].includes(weekdayOf(nationalDay)) ? day(year, 9, 3) : day(year, 9, 1);
  fixed.push(single(nationalDay, name('nationalDay')), single(otherDay, name('nationalDay')));

  const holidays: Holiday[] = [];
  const taken = new Set(fixed.map((h) => isoDate(h.date)));
  const tet = tetBreak(year);
  if (tet) {
    holidays.push({
      name: name('tet', { year: lunarYearName(year) }),
      from: isoDate(tet.from),
      to: isoDate(tet.to),
      provisional: true,
    });
    for (let d = tet.from; daysBetween(d, tet.to) >= 0; d = addDays(d, 1)) taken.add(isoDate(d));
  }
  for (const h of fixed.sort((a, b) => daysBetween(b.date, a.date))) {
    holidays.push({ name: h.name, from: isoDate(h.date), to: isoDate(h.date), provisional: true });
    if (!isWeekend(weekdayOf(h.date))) continue;
    let off = addDays(h.date, 1);
    while (isWeekend(weekdayOf(off)) || taken.has(isoDate(off))) off = addDays(off, 1);
    taken.add(isoDate(off));
    const compensation = name('compensation', { name: h.name });
    holidays.push({ name: compensation, from: isoDate(off), to: isoDate(off), provisional: true });
  }
  return holidays;
}

/** The Tết break of a lunar year, first to last day off, weekends inside included. */
export function tetBreak(year: number): { from: LocalDate; to: LocalDate } | undefined {
  const first = solarOf({ year, month: 1, day: 1, leap: false });
  if (!first) return undefined;
  const before = [0, 2].includes(weekdayOf(first)) ? 1 : 2;
  const weekdays: LocalDate[] = [];
  for (let d = addDays(first, -1); weekdays.length < before; d = addDays(d, -1))
    if (!isWeekend(weekdayOf(d))) weekdays.unshift(d);
  for (let d = first; weekdays.length < 5; d = addDays(d, 1)) if (!isWeekend(weekdayOf(d))) weekdays.push(d);
  return { from: weekdays[0] as LocalDate, to: weekdays[4] as LocalDate };
}
