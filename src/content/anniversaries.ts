/**
 * The anniversary calendar (content/anniversaries.json) and the yearly "học tập và làm theo Bác" themes
 * (content/themes.json): the hooks topic suggestions are ranked by.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import type { Anniversary, YearTheme } from '../domain/topics.js';
import { CONTENT_DIR, PROJECT_ROOT } from '../paths.js';
import { ContentError, type ContentProblem } from './problems.js';

export type Calendar = { anniversaries: Anniversary[]; themes: YearTheme[] };

/** Stable ids: stored in topics and reasons, so kebab-case ASCII. */
export const contentId = z
  .string()
  .max(64)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case ASCII (a-z, 0-9, -)');

/** A public web page a fact was checked against. */
export const publicUrl = z.url({
  protocol: /^https?$/,
  error: 'must be an http(s) address of a public page',
});

/** Any text a user reads: trimmed, composed Unicode (so Vietnamese compares and counts the same). */
export const readableText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max, `must be at most ${max} characters`)
    .refine((s) => s === s.trim(), 'must not start or end with spaces')
    .refine((s) => s === s.normalize('NFC'), 'must be Unicode NFC (composed diacritics)');

const anniversarySchema = z
  .strictObject({
    id: contentId,
    name: readableText(120),
    month: z.number().int().min(1).max(12),
    day: z.number().int().min(1).max(31).optional(),
    year: z.number().int().min(1800).optional(),
    lunar: z
      .strictObject({ day: z.number().int().min(1).max(30), month: z.number().int().min(1).max(12) })
      .optional(),
    major: z.boolean().default(false),
    note: readableText(300).optional(),
  })
  .refine((a) => a.day !== undefined || a.lunar !== undefined, {
    message: 'needs a day, or a lunar date with the solar month it usually falls in',
  });

const themeSchema = z
  .strictObject({
    id: contentId,
    title: readableText(300),
    fromYear: z.number().int().min(2000),
    toYear: z.number().int().min(2000).optional(),
    note: readableText(300).optional(),
    /** Set by the centre (or, for one year, a central guidance) rather than written here or by one province. */
    official: z.boolean({ error: 'must say whether the theme is official (true or false)' }),
    /** The public page the theme's wording (and whether it is official) was checked against. */
    source: publicUrl,
  })
  .refine((t) => t.toYear === undefined || t.toYear >= t.fromYear, {
    message: 'toYear is before fromYear',
    path: ['toYear'],
  });

/** Reads both files, keeping every valid entry and naming every problem. */
export function readCalendar(dir: string = CONTENT_DIR): { calendar: Calendar; problems: ContentProblem[] } {
  const problems: ContentProblem[] = [];
  const anniversaries = readList(join(dir, 'anniversaries.json'), anniversarySchema, problems);
  const themes = readList(join(dir, 'themes.json'), themeSchema, problems);
  return { calendar: { anniversaries, themes }, problems };
}

/** The calendar, or a ContentError naming every problem (start-up). */
export function loadCalendar(dir: string = CONTENT_DIR): Calendar {
  const { calendar, problems } = readCalendar(dir);
  if (problems.length > 0) throw new ContentError(problems);
  return calendar;
}

export function checkCalendar(dir: string = CONTENT_DIR): ContentProblem[] {
  return readCalendar(dir).problems;
}

function readList<T extends { id: string }>(
  path: string,
  schema: z.ZodType<T>,
  problems: ContentProblem[],
): T[] {
  const file = displayPath(path);
  if (!existsSync(path)) {
    problems.push({ file, path: '', message: 'file is missing' });
    return [];
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    problems.push({ file, path: '', message: `not valid JSON: ${(e as Error).message}` });
    return [];
  }
  if (!Array.isArray(data)) {
    problems.push({ file, path: '', message: 'must be a JSON array of entries' });
    return [];
  }
  const entries: T[] = [];
  const seen = new Map<string, number>();
  data.forEach((raw, index) => {
    const entry = entryName(index, raw);
    const parsed = schema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      problems.push(...zodProblems(file, entry, parsed.error));
      return;
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined) {
      problems.push({ file, path: `${entry}.id`, message: `duplicate id, first at [${first}]` });
      return;
    }
    seen.set(parsed.data.id, index);
    entries.push(parsed.data);
  });
  return entries;
}

/** `[3] (ho-chi-minh-birthday)`: the index always, the id when the entry has one. */
export function entryName(index: number, raw: unknown): string {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id !== '' ? `[${index}] (${id})` : `[${index}]`;
}

/**
 * One problem per zod issue, its path written `entry.field[1].sub`. Parse with `{ reportInput: true }` so a
 * missing field reads "is required" rather than "expected string, received undefined".
 */
export function zodProblems(file: string, entry: string, error: z.ZodError): ContentProblem[] {
  return error.issues.map((issue) => ({
    file,
    path: entry + issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join(''),
    message: issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
  }));
}

export function displayPath(path: string): string {
  return relative(PROJECT_ROOT, path);
}
