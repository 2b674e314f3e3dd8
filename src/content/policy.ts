import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { formatTime, parseTime } from '../domain/time.js';
import {
  COMMITTEE_LEVELS,
  type LocalTime,
  type Policy,
  REMINDER_AUDIENCES,
  SHIFT_POLICIES,
  VISIT_ALIGNMENTS,
  VISIT_COUNTS,
  VISIT_SCOPES,
  type VisitAlertOffset,
} from '../domain/types.js';
import { CONTENT_DIR, PROJECT_ROOT } from '../paths.js';
import { ContentError, type ContentProblem } from './problems.js';

/**
 * Policy presets (content/policy/*.json): the figures a province decides — reminder timeline, visit rules,
 * attendance thresholds, thematic cadence. `POLICY` names a preset or points to a deployment's own file.
 */

export const DEFAULT_POLICY = 'hai-cap-2025';
export const POLICY_DIR = join(CONTENT_DIR, 'policy');

const code = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a lowercase code such as assign_drafting');
const positiveInt = z.number().int('must be a whole number').positive('must be positive');
const divisorOfYear = positiveInt.refine(
  (months) => 12 % months === 0,
  'must divide the year: 1, 2, 3, 4, 6 or 12',
);
const localTime = z.string().transform((text, ctx): LocalTime => {
  const time = parseTime(text);
  if (time) return time;
  ctx.addIssue({ code: 'custom', message: 'must be a time HH:MM such as 07:00' });
  return z.NEVER;
});

const timelineStep = z.strictObject({
  id: code,
  offsetDays: z.number().int('must be a whole number'),
  /** The local hour it goes out, e.g. 08:00 for the documents reminder the day before. */
  at: localTime,
  audience: z.enum(REMINDER_AUDIENCES),
  graceHours: z.number().positive('must be positive'),
});

const visitAlertOffset = z
  .strictObject({
    id: code,
    atFraction: z.number().gt(0, 'must be between 0 and 1').lt(1, 'must be between 0 and 1').optional(),
    daysBeforeEnd: positiveInt.optional(),
  })
  .transform(({ id, atFraction, daysBeforeEnd }, ctx): VisitAlertOffset => {
    if (atFraction !== undefined && daysBeforeEnd === undefined) return { id, atFraction };
    if (daysBeforeEnd !== undefined && atFraction === undefined) return { id, daysBeforeEnd };
    ctx.addIssue({ code: 'custom', message: 'needs exactly one of atFraction and daysBeforeEnd' });
    return z.NEVER;
  });

const visitRule = z
  .strictObject({
    level: z.enum(COMMITTEE_LEVELS),
    label: z.string().trim().min(1).max(80).optional(),
    minimum: positiveInt,
    windowMonths: positiveInt,
    counts: z.enum(VISIT_COUNTS),
    alignment: z.enum(VISIT_ALIGNMENTS),
    scope: z.enum(VISIT_SCOPES),
    otherCellsOnly: z.boolean().optional(),
    alertOffsets: z.array(visitAlertOffset),
    pacing: z.strictObject({ everyMonths: positiveInt }).optional(),
  })
  .superRefine((rule, ctx) => {
    // Pace checks cut the window into equal parts, and stand in for alerts part-way through it.
    if (
      rule.pacing &&
      (rule.windowMonths % rule.pacing.everyMonths !== 0 || rule.pacing.everyMonths >= rule.windowMonths)
    )
      ctx.addIssue({
        code: 'custom',
        path: ['pacing', 'everyMonths'],
        message: 'must divide windowMonths into two or more parts (3 for quarters of a 12-month window)',
      });
    if (rule.pacing && rule.alertOffsets.some((offset) => 'atFraction' in offset))
      ctx.addIssue({
        code: 'custom',
        path: ['alertOffsets'],
        message: 'a paced rule is checked at the end of each part: drop its atFraction alerts',
      });
    // Calendar windows restart every January, which only works when they tile the year.
    if (rule.alignment === 'calendar' && 12 % rule.windowMonths !== 0)
      ctx.addIssue({
        code: 'custom',
        path: ['windowMonths'],
        message: 'a calendar-aligned window must divide the year: 1, 2, 3, 4, 6 or 12 months',
      });
    flagDuplicates(rule.alertOffsets, (offset) => offset.id, ['alertOffsets'], 'id', ctx);
  });

const attendance = z
  .strictObject({
    goodRateAbove: z.number().min(0, 'must be between 0 and 1').lt(1, 'must be between 0 and 1'),
    maxAbsencesWithReasonInARow: positiveInt,
    removalWarnAtMonths: positiveInt.max(12, 'a year has 12 months'),
    removalFlagAtMonths: positiveInt.max(12, 'a year has 12 months'),
  })
  .refine((a) => a.removalWarnAtMonths < a.removalFlagAtMonths, {
    path: ['removalWarnAtMonths'],
    message: 'must be below removalFlagAtMonths',
  });

export const policySchema = z
  .strictObject({
    title: z.string().min(1, 'must not be empty'),
    source: z.string().min(1, 'must not be empty').optional(),
    defaultShift: z.enum(SHIFT_POLICIES),
    timeline: z.array(timelineStep),
    thematicEveryMonths: divisorOfYear,
    alertTime: localTime,
    /** Reminders go out between these hours; every step's hour must be inside them. */
    daytime: z
      .strictObject({ from: localTime, to: localTime })
      .default({ from: { hour: 7, minute: 0 }, to: { hour: 21, minute: 0 } }),
    attendance,
    visits: z.array(visitRule),
  })
  .superRefine((policy, ctx) => {
    flagDuplicates(policy.timeline, (step) => step.id, ['timeline'], 'id', ctx);
    const minutes = (t: LocalTime) => t.hour * 60 + t.minute;
    const { from, to } = policy.daytime;
    if (minutes(from) >= minutes(to)) {
      ctx.addIssue({ code: 'custom', path: ['daytime', 'to'], message: 'must be after daytime.from' });
      return;
    }
    policy.timeline.forEach((step, index) => {
      if (minutes(step.at) < minutes(from) || minutes(step.at) >= minutes(to))
        ctx.addIssue({
          code: 'custom',
          path: ['timeline', index, 'at'],
          message: `must be inside the daytime hours ${formatTime(from)}–${formatTime(to)}`,
        });
    });
    flagDuplicates(policy.visits, (rule) => rule.level, ['visits'], 'level', ctx);
  }) satisfies z.ZodType<Policy>;

function flagDuplicates<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  path: (string | number)[],
  field: string,
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (seen.has(key))
      ctx.addIssue({ code: 'custom', path: [...path, index, field], message: `"${key}" appears twice` });
    seen.add(key);
  });
}

/** A content file's name as problems show it: relative to the project when inside it. */
export const displayName = (file: string) => {
  const inProject = relative(PROJECT_ROOT, file);
  return inProject.startsWith('..') ? file : inProject;
};

/** `visits[1].windowMonths`. */
const formatPath = (path: readonly PropertyKey[]) =>
  path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');

/** Reads and validates one JSON content file; every problem names the file and the path inside it. */
export function readContentFile<T>(
  file: string,
  schema: z.ZodType<T>,
): { ok: true; value: T } | { ok: false; problems: ContentProblem[] } {
  const name = displayName(file);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return {
      ok: false,
      problems: [{ file: name, path: '', message: `cannot be read: ${(e as Error).message}` }],
    };
  }
  const parsed = schema.safeParse(data, {
    error: (issue) => (issue.input === undefined ? 'is required' : undefined),
  });
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({
      file: name,
      path: formatPath(issue.path),
      message: issue.message,
    })),
  };
}

const jsonFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();

/** POLICY names a deployment's own file when it ends in .json or holds a slash; otherwise a preset. */
export const isPolicyPath = (nameOrPath: string) => nameOrPath.endsWith('.json') || /[/\\]/.test(nameOrPath);

/** The presets' names (content/policy/*.json without the extension). */
export const policyPresets = (dir: string = POLICY_DIR) =>
  jsonFiles(dir).map((f) => f.replace(/\.json$/, ''));

/**
 * The policy a deployment runs with: a preset name from content/policy, or a path to its own JSON file
 * (anything ending in .json or containing a slash). Throws ContentError, naming file and path, when invalid.
 */
export function loadPolicy(nameOrPath: string = DEFAULT_POLICY, dir: string = POLICY_DIR): Policy {
  const isPath = isPolicyPath(nameOrPath);
  const file = isPath ? resolve(nameOrPath) : join(dir, `${nameOrPath}.json`);
  if (!isPath && !existsSync(file)) {
    throw new ContentError([
      {
        file: displayName(file),
        path: '',
        message: `no policy preset "${nameOrPath}"; presets: ${policyPresets(dir).join(', ')}`,
      },
    ]);
  }
  const result = readContentFile(file, policySchema);
  if (!result.ok) throw new ContentError(result.problems);
  return result.value;
}

/** content:check — every preset in the folder must be a valid policy. */
export function checkPolicies(dir: string = POLICY_DIR): ContentProblem[] {
  return jsonFiles(dir).flatMap((f) => {
    const result = readContentFile(join(dir, f), policySchema);
    return result.ok ? [] : result.problems;
  });
}
