/**
 * The thematic-topic library: content/topics/*.yaml, one file per category, and a đảng bộ's own topics in
 * content/topics/local/*.yaml, read and validated the same way. Validated with zod, then across entries
 * (duplicates, unknown anniversaries or themes, dates) and, for content:check, for coverage: the library size,
 * the topics written for each kind of cell, and the topics each kind may choose from in every month.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  type CalendarDate,
  eligibleTopics,
  isoDate,
  parseIsoDate,
  TOPIC_CATEGORIES,
  type Topic,
} from '../domain/topics.js';
import { CELL_KINDS } from '../domain/types.js';
import { CONTENT_DIR } from '../paths.js';
import {
  type Calendar,
  contentId,
  displayPath,
  entryName,
  publicUrl,
  readableText,
  readCalendar,
  zodProblems,
} from './anniversaries.js';
import { ContentError, type ContentProblem } from './problems.js';
import { parseYaml } from './yaml.js';

export const TOPICS_DIR = join(CONTENT_DIR, 'topics');
/** A đảng bộ's own topics: same shape and rules as the library, beside it (see README, "Your own topics"). */
export const LOCAL_TOPICS_SUBDIR = 'local';

/** Limits chosen so a topic with its questions and references fits one Zalo message (2,000 characters). */
export const TOPIC_LIMITS = {
  title: 120,
  summary: 600,
  question: 200,
  referenceTitle: 240,
  /** Everything shown on the topic's page, leaving room for labels and numbering. */
  whole: 1800,
} as const;

/**
 * A topic's id travels in button data (Telegram allows 64 bytes): "t|s|", a cell id of up to 16 characters,
 * "|" and the id must fit (see src/domain/intents.ts).
 */
export const TOPIC_ID_MAX = 40;

/** Coverage (content:check): at least this many topics current in the library… */
export const MIN_TOPICS = 150;
/** …at least this many written for each kind of cell (listing it, not every kind)… */
export const MIN_WRITTEN_FOR_KIND = 25;
/** …and at least this many offered to every kind of cell in every month. */
export const MIN_ELIGIBLE = 8;

const isoDateText = z
  .string({ error: 'must be a date written YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((s) => {
    const d = parseIsoDate(s);
    const probe = new Date(Date.UTC(d.year, d.month - 1, d.day));
    return (
      probe.getUTCFullYear() === d.year && probe.getUTCMonth() === d.month - 1 && probe.getUTCDate() === d.day
    );
  }, 'is not a real date');

const referenceSchema = z.strictObject({
  number: readableText(40).optional(),
  title: readableText(TOPIC_LIMITS.referenceTitle),
  issuer: readableText(100),
  date: isoDateText,
  url: z.url({ protocol: /^https?$/ }).optional(),
  /** The public pages the number, date and title were checked against (never the document's own text). */
  sources: z
    .array(publicUrl, { error: 'must list the public pages the number, date and title were checked against' })
    .min(1, 'needs at least one public source for the number, date and title'),
});

/** Sentences end with . ! ? or … followed by a space or the end (our texts avoid abbreviations). */
const sentenceCount = (s: string) => s.split(/(?<=[.!?…])\s+/).filter((p) => p.trim() !== '').length;

const topicSchema = z.strictObject({
  id: contentId.max(TOPIC_ID_MAX, `must be at most ${TOPIC_ID_MAX} characters, to fit in a button`),
  title: readableText(TOPIC_LIMITS.title),
  kinds: z.preprocess(
    (v) => (v === 'all' ? [...CELL_KINDS] : v),
    z.array(z.enum(CELL_KINDS), { error: 'must be "all" or a list of cell kinds' }).min(1),
  ),
  months: z.array(z.number().int().min(1).max(12)).default([]),
  allYear: z.boolean().default(false),
  anniversaries: z.array(contentId).default([]),
  themes: z.array(contentId).default([]),
  validFrom: isoDateText,
  validUntil: isoDateText.optional(),
  summary: readableText(TOPIC_LIMITS.summary)
    .refine((s) => /[.!?…]$/.test(s), 'must end a sentence')
    .refine((s) => sentenceCount(s) >= 2 && sentenceCount(s) <= 4, 'must be 2 to 4 sentences'),
  questions: z
    .array(readableText(TOPIC_LIMITS.question).refine((q) => q.endsWith('?'), 'must end with "?"'))
    .min(3, 'needs 3 to 5 questions')
    .max(5, 'needs 3 to 5 questions'),
  references: z.array(referenceSchema).min(1, 'needs at least one public reference').max(3),
});

const fileSchema = z.strictObject({
  category: z.enum(TOPIC_CATEGORIES),
  topics: z.array(z.unknown()).min(1),
});

/** Where a topic came from, to name it in problems found after parsing. */
type Located = { topic: Topic; file: string; entry: string };

/** Reads every file of the library, keeping each valid topic and naming every problem. */
export function readTopics(
  dir: string = TOPICS_DIR,
  calendar: Calendar = readCalendar().calendar,
): { topics: Topic[]; problems: ContentProblem[] } {
  const problems: ContentProblem[] = [];
  const located: Located[] = [];
  const files = yamlFiles(dir);
  if (files.length === 0) problems.push({ file: displayPath(dir), path: '', message: 'no topic files' });
  for (const path of [...files, ...yamlFiles(join(dir, LOCAL_TOPICS_SUBDIR))])
    located.push(...readFile(path, problems));
  problems.push(...crossCheck(located, calendar));
  return { topics: located.map((l) => l.topic), problems };
}

/** The library, or a ContentError naming every problem (start-up). Coverage is content:check's concern. */
export function loadTopics(dir: string = TOPICS_DIR, calendar: Calendar = readCalendar().calendar): Topic[] {
  const { topics, problems } = readTopics(dir, calendar);
  if (problems.length > 0) throw new ContentError(problems);
  return topics;
}

/** The .yaml files of a folder, sorted; none when the folder does not exist (the local one is optional). */
function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Coverage as of `today`: MIN_TOPICS topics not lapsed, MIN_WRITTEN_FOR_KIND of them written for each kind of
 * cell, and, over the twelve months starting at `today`, MIN_ELIGIBLE offered to every kind in each month (this
 * month as of today, later months as of their first day).
 */
export function checkCoverage(
  topics: readonly Topic[],
  calendar: Calendar,
  today: CalendarDate,
  dir: string = TOPICS_DIR,
): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const file = displayPath(dir);
  const current = topics.filter((t) => t.validUntil === undefined || isoDate(today) <= t.validUntil);
  if (current.length < MIN_TOPICS)
    problems.push({
      file,
      path: 'coverage',
      message: `only ${current.length} topic(s) current on ${isoDate(today)}, the library needs at least ${MIN_TOPICS}`,
    });
  for (const kind of CELL_KINDS) {
    const written = current.filter((t) => t.kinds.length < CELL_KINDS.length && t.kinds.includes(kind));
    if (written.length < MIN_WRITTEN_FOR_KIND)
      problems.push({
        file,
        path: `coverage ${kind}`,
        message: `only ${written.length} topic(s) written for this kind of cell (listing it, not every kind), needs ${MIN_WRITTEN_FOR_KIND}`,
      });
  }
  for (let i = 0; i < 12; i++) {
    const index = today.year * 12 + today.month - 1 + i;
    const date = i === 0 ? today : { year: Math.floor(index / 12), month: (index % 12) + 1, day: 1 };
    for (const kind of CELL_KINDS) {
      const found = eligibleTopics(topics, kind, date, calendar.anniversaries);
      if (found.length < MIN_ELIGIBLE)
        problems.push({
          file,
          path: `coverage ${kind} ${isoDate(date).slice(0, 7)}`,
          message: `only ${found.length} topic(s) offered (${found.map((t) => t.id).join(', ') || 'none'}), needs ${MIN_ELIGIBLE}`,
        });
    }
  }
  return problems;
}

/** content:check: the calendar, the library, and coverage from today (Vietnam time) on. */
export function checkTopicLibrary(
  contentDir: string = CONTENT_DIR,
  today: CalendarDate = todayInVietnam(),
): ContentProblem[] {
  const { calendar } = readCalendar(contentDir); // its own problems are the calendar checker's
  const dir = join(contentDir, 'topics');
  const { topics, problems } = readTopics(dir, calendar);
  return [...problems, ...checkCoverage(topics, calendar, today, dir)];
}

function todayInVietnam(): CalendarDate {
  return parseIsoDate(new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }));
}

function readFile(path: string, problems: ContentProblem[]): Located[] {
  const file = displayPath(path);
  let data: unknown;
  try {
    data = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    problems.push({ file, path: '', message: `not valid YAML: ${(e as Error).message}` });
    return [];
  }
  const parsedFile = fileSchema.safeParse(data, { reportInput: true });
  if (!parsedFile.success) {
    problems.push(...zodProblems(file, '', parsedFile.error).map((p) => ({ ...p, path: p.path.slice(1) })));
    return [];
  }
  const { category, topics } = parsedFile.data;
  const located: Located[] = [];
  topics.forEach((raw, index) => {
    const entry = `topics${entryName(index, raw)}`;
    const parsed = topicSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) problems.push(...zodProblems(file, entry, parsed.error));
    else located.push({ topic: { ...parsed.data, category }, file, entry });
  });
  return located;
}

/** Rules across entries and files, which a per-entry schema cannot see. */
function crossCheck(located: readonly Located[], calendar: Calendar): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const anniversaryIds = new Set(calendar.anniversaries.map((a) => a.id));
  const themeIds = new Set(calendar.themes.map((t) => t.id));
  const ids = new Map<string, Located>();
  const titles = new Map<string, Located>();
  const sameTitle = (s: string) => s.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/g, ' ');

  for (const l of located) {
    const { topic, file, entry } = l;
    const problem = (field: string, message: string) =>
      problems.push({ file, path: `${entry}${field}`, message });

    const firstId = ids.get(topic.id);
    if (firstId) problem('.id', `duplicate id, first in ${firstId.file} at ${firstId.entry}`);
    else ids.set(topic.id, l);
    const firstTitle = titles.get(sameTitle(topic.title));
    if (firstTitle) problem('.title', `duplicate title, first in ${firstTitle.file} at ${firstTitle.entry}`);
    else titles.set(sameTitle(topic.title), l);

    topic.anniversaries.forEach((id, i) => {
      if (!anniversaryIds.has(id)) problem(`.anniversaries[${i}]`, `unknown anniversary "${id}"`);
    });
    topic.themes.forEach((id, i) => {
      if (!themeIds.has(id)) problem(`.themes[${i}]`, `unknown theme "${id}"`);
    });
    if (topic.validUntil !== undefined && topic.validUntil < topic.validFrom)
      problem('.validUntil', 'is before validFrom');
    // The topic rests on its documents: it cannot be offered before the latest of them exists.
    topic.references.forEach((ref, i) => {
      if (ref.date > topic.validFrom)
        problem(
          `.references[${i}].date`,
          `is after validFrom ${topic.validFrom}: the topic would precede it`,
        );
    });
    const length = pageLength(topic);
    if (length > TOPIC_LIMITS.whole)
      problem(
        '',
        `is ${length} characters shown with its questions and references (max ${TOPIC_LIMITS.whole})`,
      );
  }
  return problems;
}

/** Roughly what the topic's page shows: title, summary, numbered questions, one line per reference. */
function pageLength(topic: Topic): number {
  const refs = topic.references.map((r) => `${r.number ?? ''} ${r.title} ${r.issuer} ${r.date}`);
  return [topic.title, topic.summary, ...topic.questions.map((q) => `1. ${q}`), ...refs].join('\n\n').length;
}
