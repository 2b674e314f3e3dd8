/**
 * The wrong forms content/STYLE.md names, refused by content:check wherever a user reads them: every locale
 * string and every topic text (library and local). The list is data (content/wording.json): each entry is a
 * phrase (matched without regard to case) or a regular expression, the right form, and the STYLE.md section
 * that explains it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LOCALES, readLocaleFiles } from '../i18n.js';
import { CONTENT_DIR } from '../paths.js';
import { displayPath, entryName, readableText, zodProblems } from './anniversaries.js';
import type { ContentProblem } from './problems.js';
import { parseYaml } from './yaml.js';

const ruleSchema = z
  .strictObject({
    /** The wrong phrase, matched case-insensitively as written (NFC). */
    wrong: readableText(100).optional(),
    /** Or a regular expression (Unicode), for forms a phrase cannot pin down. */
    pattern: readableText(200).optional(),
    right: readableText(200),
    /** Where STYLE.md explains it: the section title. */
    style: readableText(80),
    /** Where the rule applies; both by default. */
    in: z
      .array(z.enum(['locales', 'topics']))
      .min(1)
      .default(['locales', 'topics']),
  })
  .refine((r) => (r.wrong === undefined) !== (r.pattern === undefined), {
    message: 'needs exactly one of "wrong" (a phrase) or "pattern" (a regular expression)',
  })
  .refine(
    (r) => {
      if (r.pattern === undefined) return true;
      try {
        new RegExp(r.pattern, 'u');
        return true;
      } catch {
        return false;
      }
    },
    { message: 'pattern is not a valid regular expression', path: ['pattern'] },
  );
export type WordingRule = z.infer<typeof ruleSchema>;

/** The rules of content/wording.json, or the problems that keep them from being read. */
export function readWordingRules(dir: string = CONTENT_DIR): {
  rules: WordingRule[];
  problems: ContentProblem[];
} {
  const path = join(dir, 'wording.json');
  const file = displayPath(path);
  if (!existsSync(path)) return { rules: [], problems: [{ file, path: '', message: 'file is missing' }] };
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { rules: [], problems: [{ file, path: '', message: `not valid JSON: ${(e as Error).message}` }] };
  }
  const parsed = z.array(ruleSchema).safeParse(data, { reportInput: true });
  if (!parsed.success) return { rules: [], problems: zodProblems(file, '', parsed.error) };
  return { rules: parsed.data, problems: [] };
}

/** Where a rule found its wrong form, or undefined. */
export function findWrongForm(rule: WordingRule, text: string): string | undefined {
  const composed = text.normalize('NFC');
  if (rule.pattern !== undefined) return new RegExp(rule.pattern, 'u').exec(composed)?.[0];
  const wrong = (rule.wrong ?? '').normalize('NFC');
  const at = composed.toLocaleLowerCase('vi').indexOf(wrong.toLocaleLowerCase('vi'));
  return at === -1 ? undefined : composed.slice(at, at + wrong.length);
}

/** One text a user reads, with where it lives. */
type Text = { file: string; path: string; text: string; in: 'locales' | 'topics' };

/**
 * content:check: every locale string and topic text under `dir` held to the rules of `rulesDir`/wording.json
 * (the same folder unless a test points the shipped rules at texts of its own).
 */
export function checkWording(dir: string = CONTENT_DIR, rulesDir: string = dir): ContentProblem[] {
  const { rules, problems } = readWordingRules(rulesDir);
  for (const { file, path, text, in: area } of [...localeTexts(dir), ...topicTexts(dir)])
    for (const rule of rules) {
      if (!rule.in.includes(area)) continue;
      const found = findWrongForm(rule, text);
      if (found !== undefined)
        problems.push({
          file,
          path,
          message: `«${found}»: write ${rule.right} (content/STYLE.md, «${rule.style}»)`,
        });
    }
  return problems;
}

function localeTexts(dir: string): Text[] {
  const texts: Text[] = [];
  for (const locale of LOCALES) {
    let files: { file: string; data: unknown }[] = [];
    try {
      files = readLocaleFiles(locale, dir);
    } catch {
      continue; // unreadable catalogs are the locale checker's problem
    }
    for (const { file, data } of files)
      if (typeof data === 'object' && data !== null)
        for (const [key, value] of Object.entries(data))
          if (typeof value === 'string')
            texts.push({ file: displayPath(file), path: key, text: value, in: 'locales' });
  }
  return texts;
}

/** Every string of every topic file (library and local), with its path inside the file. */
function topicTexts(dir: string): Text[] {
  const texts: Text[] = [];
  const folders = [join(dir, 'topics'), join(dir, 'topics', 'local')];
  for (const folder of folders) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()) {
      const path = join(folder, name);
      let data: unknown;
      try {
        data = parseYaml(readFileSync(path, 'utf8'));
      } catch {
        continue; // invalid YAML is the topic checker's problem
      }
      walk(data, '', (at, text) => texts.push({ file: displayPath(path), path: at, text, in: 'topics' }));
    }
  }
  return texts;
}

/** Calls `visit` on every string in `data`, its path written like the topic checker's: `topics[2] (id).summary`. */
function walk(data: unknown, at: string, visit: (path: string, text: string) => void): void {
  if (typeof data === 'string') visit(at, data);
  else if (Array.isArray(data))
    for (const [i, item] of data.entries()) walk(item, `${at}${entryName(i, item)}`, visit);
  else if (typeof data === 'object' && data !== null)
    for (const [key, value] of Object.entries(data)) walk(value, at ? `${at}.${key}` : key, visit);
}
