import { basename } from 'node:path';
import { Redis } from 'ioredis';
import { RedisStore } from '../../src/store/redis.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisRequired = process.env.CI === 'true' || process.env.REQUIRE_REDIS === '1';

/**
 * Whether the Redis half of a suite can run. Unreachable Redis skips it with a visible notice, except in CI
 * or with REQUIRE_REDIS=1, where it fails the run.
 */
export async function redisAvailable(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch (err) {
    if (redisRequired)
      throw new Error(
        `Redis is required (CI or REQUIRE_REDIS=1) but ${REDIS_URL} did not answer: ${(err as Error).message}`,
      );
    console.warn(`\n⚠ Redis at ${REDIS_URL} did not answer: the Redis half of this suite is SKIPPED.\n`);
    return false;
  } finally {
    probe.disconnect();
  }
}

/** A key prefix no other test file (or run) shares. */
export function uniquePrefix(testFile: string): string {
  return `chibo-test:${basename(testFile).replace(/\W+/g, '-')}:${process.pid}:${Math.random().toString(36).slice(2, 8)}:`;
}

export function redisStore(prefix: string, options: { batching?: boolean } = {}): RedisStore {
  return new RedisStore({ url: REDIS_URL, keyPrefix: prefix, ...options });
}

/** Deletes this prefix's keys, and only them. */
export async function deletePrefixed(prefix: string): Promise<void> {
  const admin = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, found] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (found.length) await admin.del(...found);
    } while (cursor !== '0');
  } finally {
    admin.disconnect();
  }
}
