import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type HolidayCalendar, vietnamHolidays } from '../domain/holidays.js';
import { addMonths, daysBetween, isoDate, parseIsoDate } from '../domain/time.js';
import type { Holiday, LocalDate } from '../domain/types.js';
import { t } from '../i18n.js';
import { CONTENT_DIR } from '../paths.js';
import { displayName, readContentFile } from './policy.js';
import { ContentError, type ContentProblem } from './problems.js';

/** Public holidays (content/holidays/<country>.json): official days off as named date ranges, Tết included. */

export const HOLIDAYS_DIR = join(CONTENT_DIR, 'holidays');

const isoDay = z
  .string()
  .refine((text) => parseIsoDate(text) !== undefined, 'must be a real date YYYY-MM-DD');

const holiday = z
  .strictObject({
    name: z.string().min(1, 'must not be empty'),
    from: isoDay,
    to: isoDay,
    /** Worked out from the law because the government has not announced that year's days yet. */
    provisional: z.boolean().optional(),
  })
  .superRefine((h, ctx) => {
    const from = parseIsoDate(h.from);
    const to = parseIsoDate(h.to);
    if (!from || !to) return;
    const days = daysBetween(from, to);
    if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    // The longest official break (Tết) is nine days; a longer range is a typo that would move every meeting.
    if (days >= 14)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: 'a break of two weeks or more is surely a typo',
      });
  });

const holidaysSchema = z.strictObject({
  note: z.string().optional(),
  sources: z.array(z.string()).optional(),
  holidays: z.array(holiday),
}) satisfies z.ZodType<{ holidays: Holiday[] }>;

/** The holidays of a country's calendar. Throws ContentError, naming file and path, when invalid. */
export function loadHolidays(country = 'vn', dir: string = HOLIDAYS_DIR): Holiday[] {
  const result = readContentFile(join(dir, `${country}.json`), holidaysSchema);
  if (!result.ok) throw new ContentError(result.problems);
  return result.value.holidays;
}

const calendars = new WeakMap<readonly Holiday[], HolidayCalendar>();
let shipped: HolidayCalendar | undefined;
/**
 * The calendar meetings and reminders step around: the listed days (content/holidays/vn.json unless given),
 * then, for every later year, the days the law gives, computed and marked provisional. One per list.
 */
export function holidayCalendar(holidays?: readonly Holiday[]): HolidayCalendar {
  if (!holidays) {
    shipped ??= vietnamHolidays(loadHolidays(), t);
    return shipped;
  }
  let calendar = calendars.get(holidays);
  if (!calendar) {
    calendar = vietnamHolidays(holidays, t);
    calendars.set(holidays, calendar);
  }
  return calendar;
}

/** How far ahead the announced (fixed-date) days must reach: computed days are a fallback, not a plan. */
export const HOLIDAY_COVERAGE_YEARS = 2;

/**
 * content:check — every calendar in the folder must be valid, and reach at least two years past `today`: the
 * last year with listed days counts as covered to its 31 December.
 */
export function checkHolidays(dir: string = HOLIDAYS_DIR, today: LocalDate = todayUtc()): ContentProblem[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => {
      const result = readContentFile(join(dir, f), holidaysSchema);
      if (!result.ok) return result.problems;
      const lastYear = Math.max(0, ...result.value.holidays.map((h) => Number(h.to.slice(0, 4))));
      const needed = addMonths(today, 12 * HOLIDAY_COVERAGE_YEARS);
      if (daysBetween({ year: lastYear, month: 12, day: 31 }, needed) <= 0) return [];
      return [
        {
          file: displayName(join(dir, f)),
          path: 'holidays',
          message: `the listed days end in ${lastYear}; add the announced days through ${isoDate(needed)} (two years ahead)`,
        },
      ];
    });
}

function todayUtc(): LocalDate {
  const now = new Date();
  return { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1, day: now.getUTCDate() };
}
