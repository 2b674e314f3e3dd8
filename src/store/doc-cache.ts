import type { z } from 'zod';
import { parseDoc } from './records.js';

/** Freezes a parsed document all the way down: every reader shares it, so none may change it. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

interface Entry<T> {
  raw: string;
  value: T;
}

/**
 * A parser of stored documents that reuses its result for a key while the stored text is the same. The text
 * is still read from the store every time, so a change made by any replica is seen at once; only the JSON
 * parse and the schema check are saved. A parsed value depends on its text alone, so equal text means an
 * equal value. Values are deeply frozen: a caller that tried to change a shared document would throw, not
 * corrupt another's.
 *
 * Worth it for documents many taps share (a meeting, its cell, its group post), not for people: at a burst's
 * rate the people tapping within any short while outnumber what a cache would sensibly hold, so each would
 * be parsed, kept, and thrown away unused.
 *
 * Bounded by two generations of at most `capacity` keys each: when the young one fills, it becomes the old
 * one and the old one is dropped; a key found in the old one moves back to the young. (Evicting one key at a
 * time from a Map's front costs a scan over its deleted slots on every miss.)
 */
export function cachedParser<T>(
  schema: z.ZodType<T>,
  capacity: number,
): (key: string, raw: string | undefined) => T | undefined {
  let young = new Map<string, Entry<T>>();
  let old = new Map<string, Entry<T>>();
  const keep = (key: string, entry: Entry<T>) => {
    if (young.size >= capacity) {
      old = young;
      young = new Map();
    }
    young.set(key, entry);
  };
  return (key, raw) => {
    if (raw === undefined) return undefined;
    const hit = young.get(key);
    if (hit !== undefined && hit.raw === raw) return hit.value;
    const aged = hit === undefined ? old.get(key) : undefined;
    if (aged !== undefined && aged.raw === raw) {
      keep(key, aged);
      return aged.value;
    }
    const value = deepFreeze(parseDoc(schema, key, raw) as T);
    keep(key, { raw, value });
    return value;
  };
}
