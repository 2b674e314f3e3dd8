import type { Locale, Params } from '../domain/locale.js';

/**
 * What a view builder needs to word a view: the reader's language and the catalogue's `t` for it. A handler's
 * context is one; the scheduler and the outbox make one per recipient's language.
 */
export interface Words {
  locale: Locale;
  t(key: string, params?: Params): string;
}
