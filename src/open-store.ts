import { join, resolve } from 'node:path';
import { type Config, usesRedis } from './config.js';
import type { Logger } from './logger.js';
import type { Store } from './store/port.js';
import { type Connection, RedisStore } from './store/redis.js';
import { SqliteStore } from './store/sqlite.js';

type StoreConfig = Pick<Config, 'REDIS_URL' | 'REDIS_KEY_PREFIX' | 'DATA_DIR'> &
  Partial<
    Pick<
      Config,
      | 'REDIS_SENTINELS'
      | 'REDIS_SENTINEL_NAME'
      | 'REDIS_SENTINEL_PASSWORD'
      | 'REDIS_WAIT_REPLICAS'
      | 'REDIS_BATCHING'
    >
  >;

/**
 * SQLite under DATA_DIR by default; Redis (required for more than one replica) when REDIS_URL or
 * REDIS_SENTINELS is set. With a logger, the Redis connection's changes of state are logged, once each.
 */
export function openStore(config: StoreConfig, log?: Logger): Store {
  if (!usesRedis(config)) return new SqliteStore(sqliteFile(config.DATA_DIR));
  const store = new RedisStore({
    ...(config.REDIS_URL ? { url: config.REDIS_URL } : {}),
    keyPrefix: config.REDIS_KEY_PREFIX,
    ...(config.REDIS_SENTINELS
      ? {
          sentinel: {
            sentinels: config.REDIS_SENTINELS,
            name: config.REDIS_SENTINEL_NAME ?? '',
            ...(config.REDIS_SENTINEL_PASSWORD ? { password: config.REDIS_SENTINEL_PASSWORD } : {}),
          },
        }
      : {}),
    waitReplicas: config.REDIS_WAIT_REPLICAS ?? 0,
    batching: config.REDIS_BATCHING !== 'off',
  });
  if (log) logConnection(store, describeStore(store, config), log);
  return store;
}

export function sqliteFile(dataDir: string): string {
  return resolve(join(dataDir, 'chibo.sqlite'));
}

/** Where the store lives, for logs: never the Redis URL itself (it may carry a password). */
export function describeStore(store: Store, config: StoreConfig) {
  if (store.kind !== 'redis') return `SQLite at ${sqliteFile(config.DATA_DIR)}`;
  const prefix = `(key prefix "${config.REDIS_KEY_PREFIX}")`;
  if (config.REDIS_SENTINELS) {
    const sentinels = config.REDIS_SENTINELS.map(({ host, port }) => `${host}:${port}`).join(', ');
    return `Redis through Sentinel, master "${config.REDIS_SENTINEL_NAME}" (sentinels ${sentinels}) ${prefix}`;
  }
  const url = new URL(config.REDIS_URL ?? 'redis://');
  return `Redis at ${url.protocol}//${url.hostname}:${url.port || 6379} ${prefix}`;
}

/** The passwords a Redis configuration holds, for the logger to scrub wherever they might appear. */
export function redisSecrets(config: Pick<Config, 'REDIS_URL' | 'REDIS_SENTINEL_PASSWORD'>): string[] {
  const secrets = config.REDIS_SENTINEL_PASSWORD ? [config.REDIS_SENTINEL_PASSWORD] : [];
  if (config.REDIS_URL) {
    const { password } = new URL(config.REDIS_URL);
    if (password) secrets.push(password, decodeURIComponent(password));
  }
  return secrets;
}

/**
 * The store's connection as readiness reports it: Redis's state as it changes; SQLite, a local file, is ready
 * from the start.
 */
export interface ConnectionSource {
  state(): Connection;
  /** Returns how to stop listening. */
  onStateChange(listener: (connection: Connection) => void): () => void;
}

export function storeConnection(store: Store): ConnectionSource {
  if (store instanceof RedisStore)
    return { state: () => store.connectionState, onStateChange: (l) => store.onStateChange(l) };
  const ready: Connection = { state: 'ready', wasReady: true };
  return { state: () => ready, onStateChange: () => () => {} };
}

/** One line per change of state: connected, lost (with the error), ready again, refused. */
function logConnection(store: RedisStore, where: string, log: Logger) {
  store.onStateChange(({ state, error, wasReady }) => {
    if (state === 'ready') log.info({ store: where }, wasReady ? 'Redis ready again' : 'Redis connected');
    else if (state === 'reconnecting')
      log.warn(
        { store: where, error },
        wasReady ? 'Redis connection lost; reconnecting' : 'Redis unreachable; retrying',
      );
    else if (state === 'refused') log.error({ store: where, error }, 'Redis refused');
  });
}
