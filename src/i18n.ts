import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_LOCALE, LOCALES, type Locale, type Params } from './domain/locale.js';
import { CONTENT_DIR } from './paths.js';

/**
 * Every word a user reads comes from content/locales/<locale>/*.json (one file per area of the product, merged):
 * flat keys, `{name}` placeholders.
 * Written by hand rather than @grammyjs/i18n because the same strings serve Telegram, Zalo and the web.
 */
// The languages are the domain's (src/domain/locale.ts); re-exported for the callers that translate.
export { DEFAULT_LOCALE, LOCALES, type Locale, type Params };

const catalogSchema = z.record(z.string(), z.string().min(1));
type Catalog = Record<string, string>;

/** The files of one locale, in a stable order, with their parsed (unvalidated) contents. */
export function readLocaleFiles(
  locale: Locale,
  dir: string = CONTENT_DIR,
): { file: string; data: unknown }[] {
  const folder = join(dir, 'locales', locale);
  return readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: join(folder, f), data: JSON.parse(readFileSync(join(folder, f), 'utf8')) }));
}

function loadCatalog(locale: Locale, dir: string): Catalog {
  const catalog: Catalog = {};
  for (const { data } of readLocaleFiles(locale, dir)) Object.assign(catalog, catalogSchema.parse(data));
  return catalog;
}

/** A template split at its placeholders: text, name, text, name, …, text. */
type Compiled = string[];

export class Translator {
  private readonly catalogs: Record<Locale, Catalog>;
  /**
   * Each catalogue key's template split once, per locale, not scanned by a regular expression on every call (a
   * tap words a dozen): one lookup by key. Only keys of the catalogues, so it holds no more than they do.
   */
  private readonly compiled: Record<Locale, Map<string, Compiled>> = { vi: new Map(), en: new Map() };

  constructor(dir: string = CONTENT_DIR) {
    this.catalogs = { vi: loadCatalog('vi', dir), en: loadCatalog('en', dir) };
  }

  has(key: string, locale: Locale = DEFAULT_LOCALE): boolean {
    return key in this.catalogs[locale];
  }

  keys(locale: Locale): string[] {
    return Object.keys(this.catalogs[locale]);
  }

  /** The text for key; falls back to Vietnamese, then to the key itself so a gap is visible, never a crash. */
  t(key: string, params?: Params, locale: Locale = DEFAULT_LOCALE): string {
    let parts = this.compiled[locale].get(key);
    if (parts === undefined) {
      const template = this.catalogs[locale][key] ?? this.catalogs.vi[key];
      parts = (template ?? key).split(/\{(\w+)\}/);
      if (template !== undefined) this.compiled[locale].set(key, parts);
    }
    if (parts.length === 1) return parts[0] as string;
    let text = parts[0] as string;
    for (let i = 1; i < parts.length; i += 2) {
      const name = parts[i] as string;
      text += (params !== undefined && name in params ? String(params[name]) : `{${name}}`) + parts[i + 1];
    }
    return text;
  }
}

let shared: Translator | undefined;
/** The process-wide translator over the shipped content. */
export function translator(): Translator {
  shared ??= new Translator();
  return shared;
}

export const t = (key: string, params?: Params, locale?: Locale) => translator().t(key, params, locale);
