import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LOCALES } from '../i18n.js';
import { CONTENT_DIR, PROJECT_ROOT } from '../paths.js';
import type { ContentProblem } from './problems.js';

/** Every locale must parse and carry exactly the Vietnamese catalog's keys with the same placeholders. */
export function checkLocales(dir: string = CONTENT_DIR): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const catalogs = new Map<string, Record<string, unknown>>();
  for (const locale of LOCALES) {
    const file = join(dir, 'locales', `${locale}.json`);
    const name = relative(PROJECT_ROOT, file);
    try {
      catalogs.set(name, JSON.parse(readFileSync(file, 'utf8')));
    } catch (e) {
      problems.push({ file: name, path: '', message: (e as Error).message });
    }
  }
  const [viName, vi] = [...catalogs.entries()][0] ?? [];
  if (!vi || !viName) return problems;
  const placeholders = (s: unknown) =>
    [...String(s).matchAll(/\{(\w+)\}/g)]
      .map((m) => m[1])
      .sort()
      .join(',');
  for (const [name, catalog] of catalogs) {
    for (const [key, value] of Object.entries(catalog)) {
      if (typeof value !== 'string' || value.trim() === '')
        problems.push({ file: name, path: key, message: 'must be a non-empty string' });
      if (!(key in vi)) problems.push({ file: name, path: key, message: `not in ${viName}` });
      else if (placeholders(value) !== placeholders(vi[key]))
        problems.push({ file: name, path: key, message: `placeholders differ from ${viName}` });
    }
    for (const key of Object.keys(vi)) {
      if (!(key in catalog))
        problems.push({ file: name, path: key, message: `missing (present in ${viName})` });
    }
  }
  return problems;
}
