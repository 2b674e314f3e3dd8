import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { daysBetween, parseIsoDate } from '../domain/time.js';
import type { Holiday } from '../domain/types.js';
import { CONTENT_DIR } from '../paths.js';
import { readContentFile } from './policy.js';
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

/** content:check — every calendar in the folder must be valid. */
export function checkHolidays(dir: string = HOLIDAYS_DIR): ContentProblem[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => {
      const result = readContentFile(join(dir, f), holidaysSchema);
      return result.ok ? [] : result.problems;
    });
}
