import { relative } from 'node:path';
import { LOCALES, type Locale, readLocaleFiles } from '../i18n.js';
import { CONTENT_DIR, PROJECT_ROOT } from '../paths.js';
import type { ContentProblem } from './problems.js';

/**
 * Every locale must parse, define each key once, and carry exactly the Vietnamese catalog's keys with the
 * same placeholders.
 */
export function checkLocales(dir: string = CONTENT_DIR): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const catalogs = new Map<Locale, Map<string, { file: string; value: unknown }>>();
  for (const locale of LOCALES) {
    const entries = new Map<string, { file: string; value: unknown }>();
    catalogs.set(locale, entries);
    let files: { file: string; data: unknown }[] = [];
    try {
      files = readLocaleFiles(locale, dir);
    } catch (e) {
      problems.push({ file: `content/locales/${locale}`, path: '', message: (e as Error).message });
    }
    for (const { file, data } of files) {
      const name = relative(PROJECT_ROOT, file);
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        problems.push({ file: name, path: '', message: 'must be a JSON object of key → text' });
        continue;
      }
      for (const [key, value] of Object.entries(data)) {
        const seen = entries.get(key);
        if (seen) problems.push({ file: name, path: key, message: `already defined in ${seen.file}` });
        if (typeof value !== 'string' || value.trim() === '')
          problems.push({ file: name, path: key, message: 'must be a non-empty string' });
        entries.set(key, { file: name, value });
      }
    }
  }
  const vi = catalogs.get('vi') ?? new Map();
  const placeholders = (s: unknown) =>
    [...String(s).matchAll(/\{(\w+)\}/g)]
      .map((m) => m[1])
      .sort()
      .join(',');
  for (const [locale, catalog] of catalogs) {
    if (locale === 'vi') continue;
    for (const [key, { file, value }] of catalog) {
      const base = vi.get(key);
      if (!base) problems.push({ file, path: key, message: 'not in the Vietnamese catalog' });
      else if (placeholders(value) !== placeholders(base.value))
        problems.push({ file, path: key, message: `placeholders differ from ${base.file}` });
    }
    for (const [key, { file }] of vi) {
      if (!catalog.has(key)) problems.push({ file, path: key, message: `has no ${locale} translation` });
    }
  }
  return problems;
}
