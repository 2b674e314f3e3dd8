import { join, resolve } from 'node:path';
import type { Config } from '../config.js';
import type { Store } from './port.js';
import { RedisStore } from './redis.js';
import { SqliteStore } from './sqlite.js';

/** SQLite under DATA_DIR by default; Redis (required for more than one replica) when REDIS_URL is set. */
export function openStore(config: Pick<Config, 'REDIS_URL' | 'REDIS_KEY_PREFIX' | 'DATA_DIR'>): Store {
  if (config.REDIS_URL) return new RedisStore({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX });
  return new SqliteStore(sqliteFile(config.DATA_DIR));
}

export function sqliteFile(dataDir: string): string {
  return resolve(join(dataDir, 'chibo.sqlite'));
}

/** Where the store lives, for logs: never the Redis URL itself (it may carry a password). */
export function describeStore(
  store: Store,
  config: Pick<Config, 'REDIS_URL' | 'REDIS_KEY_PREFIX' | 'DATA_DIR'>,
) {
  if (store.kind === 'redis') {
    const url = new URL(config.REDIS_URL ?? 'redis://');
    return `Redis at ${url.protocol}//${url.hostname}:${url.port || 6379} (key prefix "${config.REDIS_KEY_PREFIX}")`;
  }
  return `SQLite at ${sqliteFile(config.DATA_DIR)}`;
}
