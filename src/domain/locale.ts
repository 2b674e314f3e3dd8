/**
 * The languages the product speaks, and the parameters a sentence takes. The catalogues themselves are read by
 * src/i18n.ts; the domain only names the languages, so it formats dates and reasons without reading files.
 */
export const LOCALES = ['vi', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'vi';

/** A sentence's `{name}` placeholders and their values. */
export type Params = Record<string, string | number>;
