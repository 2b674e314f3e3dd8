import { afterAll, afterEach } from 'vitest';
import type { RedisStore } from '../../src/store/redis.js';
import { deletePrefixed, redisStore, uniquePrefix } from './redis.js';

/**
 * Replicas of the service over one Redis, as separate processes share it: `keySpace()` gives a test its own
 * key space, in which each replica opens its own store; `later()` registers what to tear down after the test
 * (last first). The key spaces are deleted after the file.
 */
export function replicaTestbed(testFile: string) {
  const prefixes: string[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });
  afterAll(() => Promise.all(prefixes.map(deletePrefixed)));
  const later = (cleanup: () => Promise<unknown>) => void cleanups.push(cleanup);
  function keySpace() {
    const prefix = uniquePrefix(testFile);
    prefixes.push(prefix);
    /** One replica's store over the key space, closed after the test. */
    return (): RedisStore => {
      const store = redisStore(prefix);
      later(() => store.close());
      return store;
    };
  }
  return { keySpace, later };
}
