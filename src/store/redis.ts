import { Redis, type RedisOptions } from 'ioredis';
import {
  checkWrite,
  checkWrites,
  type RangeOptions,
  type ScoredMember,
  type Store,
  type WriteOp,
} from './port.js';
import { APPLY_WRITES, applyWrites, RedisBatching, type WriteClient } from './redis-batching.js';

/** Atomic across processes: a Lua script runs alone on the server. */
const CLAIM_DUE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
if #due == 0 then return due end
local lease = tonumber(ARGV[3])
for i = 1, #due, 2 do
  if lease > 0 then
    redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + lease, due[i])
  else
    redis.call('ZREM', KEYS[1], due[i])
  end
end
return due
`;

const DELETE_IF_EQUALS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const EXPIRE_IF_EQUALS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

type Scripted = WriteClient & {
  claimDue(key: string, now: number, limit: number, lease: number): Promise<string[]>;
  deleteIfEquals(key: string, value: string): Promise<number>;
  expireIfEquals(key: string, value: string, ttlMs: number): Promise<number>;
};

export interface RedisStoreOptions {
  /** redis:// or rediss://; with `sentinels`, only its credentials and database number are used. */
  url?: string;
  keyPrefix: string;
  /** Redis Sentinel: the sentinels to ask, and the name of the master they monitor. */
  sentinel?: { sentinels: { host: string; port: number }[]; name: string; password?: string };
  /**
   * A write counts as done only once this many replicas have it (Redis WAIT after it): with async replication
   * that is what makes an acknowledged write survive a failover. 0 (default): done once the master has it.
   */
  waitReplicas?: number;
  /** How long a write waits for its replicas before it fails as not acknowledged. */
  waitTimeoutMs?: number;
  /**
   * Per-tick read coalescing and write-script merging (RedisBatching): on by default; off (REDIS_BATCHING=off)
   * sends each call as its own command or script, to compare or to rule them out.
   */
  batching?: boolean;
  /** Extra ioredis options (tests shorten the retry strategy). */
  redis?: RedisOptions;
}

/**
 * Where the connection stands, for logs and readiness: `refused` is final (a Cluster node: see below), `closed`
 * follows `close()`.
 */
export type ConnectionState = 'connecting' | 'ready' | 'reconnecting' | 'refused' | 'closed';

export interface Connection {
  state: ConnectionState;
  /** Why it is not ready (reconnecting, refused), as Redis or ioredis said it: no URL, no password. */
  error?: string;
  /** Whether the connection has been ready before: "lost" rather than "never reached". */
  wasReady: boolean;
}

/** Why a Redis Cluster is refused: every multi-key script would fail with CROSSSLOT. */
export const CLUSTER_REFUSED =
  'Redis Cluster is not supported: the store runs multi-key Lua scripts (batched writes, claims), which ' +
  'Cluster allows only within one hash slot. Use a single Redis, with Sentinel for failover.';

/** A write the master may have applied but no replica confirmed: not acknowledged, it may be lost. */
export class WriteNotConfirmed extends Error {
  constructor(why: string) {
    super(`Redis write not confirmed by its replicas: ${why}`);
    this.name = 'WriteNotConfirmed';
  }
}

function pairs(flat: string[]): ScoredMember[] {
  const out: ScoredMember[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2)
    out.push({ member: flat[i] as string, score: Number(flat[i + 1]) });
  return out;
}

export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  readonly client: Scripted;
  /** The speed-ups, when on. */
  private readonly batching: RedisBatching | undefined;
  private readonly waitReplicas: number;
  private readonly waitTimeoutMs: number;
  private connection: Connection = { state: 'connecting', wasReady: false };
  private readonly listeners = new Set<(connection: Connection) => void>();
  /** The last error ioredis reported, said when the connection is found lost. */
  private lastError: string | undefined;

  constructor(options: RedisStoreOptions) {
    const settings: RedisOptions = {
      keyPrefix: options.keyPrefix,
      // Keep commands queued while reconnecting, so a dropped connection resumes rather than fails.
      maxRetriesPerRequest: 20,
      retryStrategy: (times) => Math.min(times * 100, 2000),
      // A master demoted under us (a failover while it stayed up) refuses writes: find the new one, resend.
      reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
      lazyConnect: false,
      // Without our batching, ioredis's auto-pipelining gathers each tick's commands into one socket write. With
      // it, the batching has already made each tick's calls into a handful of commands, and writing those at once
      // lets Redis answer the first while the rest are sent: 1.25× the taps per second (scripts/bench/taps.ts).
      enableAutoPipelining: options.batching === false,
      ...(options.sentinel
        ? {
            sentinels: options.sentinel.sentinels,
            name: options.sentinel.name,
            ...(options.sentinel.password ? { sentinelPassword: options.sentinel.password } : {}),
            // Told of a failover by the sentinels at once, rather than when the old master stops answering.
            failoverDetector: true,
          }
        : {}),
      ...options.redis,
    };
    const client = options.url ? new Redis(options.url, settings) : new Redis(settings);
    client.defineCommand('claimDue', { numberOfKeys: 1, lua: CLAIM_DUE });
    client.defineCommand('deleteIfEquals', { numberOfKeys: 1, lua: DELETE_IF_EQUALS });
    client.defineCommand('expireIfEquals', { numberOfKeys: 1, lua: EXPIRE_IF_EQUALS });
    // The number of keys varies per batch, so it is passed first on each call.
    client.defineCommand('applyWrites', { lua: APPLY_WRITES });
    this.client = client as Scripted;
    this.batching = options.batching === false ? undefined : new RedisBatching(this.client);
    this.waitReplicas = options.waitReplicas ?? 0;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 2_000;
    this.trackConnection();
  }

  /** Where the connection stands now. */
  get connectionState(): Connection {
    return this.connection;
  }

  /** Calls `listener` on each change of state (not on each reconnect attempt); returns how to stop. */
  onStateChange(listener: (connection: Connection) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setState(state: ConnectionState, error?: string) {
    if (this.connection.state === 'refused' || this.connection.state === state) return;
    const wasReady = this.connection.wasReady || this.connection.state === 'ready';
    this.connection = { state, wasReady, ...(error === undefined ? {} : { error }) };
    for (const listener of this.listeners) listener(this.connection);
  }

  /**
   * ioredis reports every failed attempt; this keeps one state per phase. A node with Cluster enabled is
   * refused when reached (and the store stops there): it cannot run the store's multi-key scripts.
   */
  private trackConnection() {
    const { client } = this;
    client.on('error', (err: Error) => {
      this.lastError = err.message;
    });
    client.on('reconnecting', () => this.setState('reconnecting', this.lastError ?? 'connection closed'));
    client.on('end', () => this.setState('closed'));
    client.on('ready', () => {
      this.connections++;
      this.lastError = undefined;
      client.info('cluster').then(
        (info) => {
          if (/^cluster_enabled:1\b/m.test(info)) {
            this.setState('refused', CLUSTER_REFUSED);
            client.disconnect();
          } else if (client.status === 'ready') this.setState('ready');
        },
        // The connection dropped again before answering: its own events say so.
        () => {},
      );
    });
  }

  /**
   * Resolves with the write's result once `waitReplicas` replicas have it. Writes answered in the same tick
   * share one WAIT, sent after them on the same connection, so it covers them all.
   */
  private confirmed<T>(write: Promise<T>): Promise<T> {
    if (this.waitReplicas === 0) return write;
    return write.then(async (value) => {
      await this.replicated();
      return value;
    });
  }

  private pendingWait: Promise<void> | undefined;
  /** Counts the connections made: a WAIT answered on another connection than its writes confirms nothing. */
  private connections = 0;

  private replicated(): Promise<void> {
    this.pendingWait ??= new Promise<void>((resolve) => process.nextTick(resolve)).then(async () => {
      this.pendingWait = undefined;
      const connection = this.connections;
      const got = await this.client.wait(this.waitReplicas, this.waitTimeoutMs);
      // ioredis resends a command left unanswered by a dropped connection: a WAIT resent to a new master
      // would confirm that master's writes, not these.
      if (this.connections !== connection) throw new WriteNotConfirmed('the connection changed meanwhile');
      if (got < this.waitReplicas)
        throw new WriteNotConfirmed(`${got} of ${this.waitReplicas} within ${this.waitTimeoutMs} ms`);
    });
    return this.pendingWait;
  }

  /** The client, once the work waiting for this tick is sent (every command but the batched ones goes this way). */
  private get send(): Scripted {
    this.batching?.drain();
    return this.client;
  }

  get(key: string): Promise<string | undefined> {
    if (this.batching) return this.batching.get(key);
    return this.client.get(key).then((v) => v ?? undefined);
  }

  getMany(keys: string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    if (this.batching) return this.batching.getMany(keys);
    return this.client.mget(keys).then((values) => values.map((v) => v ?? undefined));
  }

  async set(key: string, value: string, ttlMs?: number) {
    checkWrite(ttlMs);
    if (ttlMs !== undefined)
      await this.confirmed(this.send.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs))));
    else await this.confirmed(this.send.set(key, value));
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number) {
    checkWrite(ttlMs);
    const res = await this.confirmed(
      ttlMs !== undefined
        ? this.send.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')
        : this.send.set(key, value, 'NX'),
    );
    return res === 'OK';
  }

  async deleteIfEquals(key: string, value: string) {
    return (await this.confirmed(this.send.deleteIfEquals(key, value))) === 1;
  }

  async expireIfEquals(key: string, value: string, ttlMs: number) {
    checkWrite(ttlMs);
    return (await this.confirmed(this.send.expireIfEquals(key, value, Math.max(1, Math.ceil(ttlMs))))) === 1;
  }

  async del(...keys: string[]) {
    return keys.length ? this.confirmed(this.send.del(...keys)) : 0;
  }

  async incr(key: string, by = 1) {
    return this.confirmed(this.send.incrby(key, by));
  }

  hget(key: string, field: string): Promise<string | undefined> {
    if (this.batching) return this.batching.hget(key, field);
    return this.client.hget(key, field).then((v) => v ?? undefined);
  }

  async hgetall(key: string) {
    return this.send.hgetall(key);
  }

  /**
   * HSCAN with MATCH: Redis walks the hash and sends only the fields that match, so a caller pays for its own
   * part, not for the whole hash. The prefix is taken literally (its glob characters escaped). A COUNT of 10,000
   * walks a hash of thousands in one call, not one per thousand fields: 1.4 ms for 5,000 fields here, against
   * 14 ms for HGETALL.
   */
  async hgetPrefixed(key: string, prefix: string) {
    const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    const out: Record<string, string> = {};
    let cursor = '0';
    do {
      const [next, flat] = await this.send.hscan(key, cursor, 'MATCH', match, 'COUNT', 10_000);
      for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1] as string;
      cursor = next;
    } while (cursor !== '0');
    return out;
  }

  async hset(key: string, fields: Record<string, string>) {
    if (Object.keys(fields).length) await this.confirmed(this.send.hset(key, fields));
  }

  async hsetIfAbsent(key: string, field: string, value: string) {
    return (await this.confirmed(this.send.hsetnx(key, field, value))) === 1;
  }

  async hdel(key: string, ...fields: string[]) {
    return fields.length ? this.confirmed(this.send.hdel(key, ...fields)) : 0;
  }

  async sadd(key: string, ...members: string[]) {
    return members.length ? this.confirmed(this.send.sadd(key, ...members)) : 0;
  }

  async srem(key: string, ...members: string[]) {
    return members.length ? this.confirmed(this.send.srem(key, ...members)) : 0;
  }

  async smembers(key: string) {
    return this.send.smembers(key);
  }

  async sismember(key: string, member: string) {
    return (await this.send.sismember(key, member)) === 1;
  }

  async zadd(key: string, ...entries: ScoredMember[]) {
    checkWrite(undefined, entries);
    if (entries.length)
      await this.confirmed(this.send.zadd(key, ...entries.flatMap((e) => [e.score, e.member])));
  }

  async zrem(key: string, ...members: string[]) {
    return members.length ? this.confirmed(this.send.zrem(key, ...members)) : 0;
  }

  async zscore(key: string, member: string) {
    const s = await this.send.zscore(key, member);
    return s === null ? undefined : Number(s);
  }

  async zcard(key: string) {
    return this.send.zcard(key);
  }

  async zrangeByScore(key: string, min: number, max: number, options: RangeOptions = {}) {
    const lo = Number.isFinite(min) ? min : '-inf';
    const hi = Number.isFinite(max) ? max : '+inf';
    const flat =
      options.limit !== undefined || options.offset !== undefined
        ? await this.send.zrangebyscore(
            key,
            lo,
            hi,
            'WITHSCORES',
            'LIMIT',
            options.offset ?? 0,
            options.limit ?? -1,
          )
        : await this.send.zrangebyscore(key, lo, hi, 'WITHSCORES');
    return pairs(flat);
  }

  async claimDue(key: string, now: number, limit: number, leaseMs?: number) {
    if (limit <= 0) return [];
    return pairs(await this.confirmed(this.send.claimDue(key, now, limit, leaseMs ?? 0)));
  }

  write(ops: WriteOp[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    // Refused before it can join other callers' script: a merged script that failed would be retried per
    // caller, after writes asked for later.
    try {
      checkWrites(ops);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.confirmed(this.batching ? this.batching.write(ops) : applyWrites(this.client, [ops], false));
  }

  async ping() {
    await this.send.ping();
  }

  async close() {
    this.batching?.drain();
    // QUIT needs a live connection; while reconnecting it would wait, so just drop the socket.
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else if (this.client.status !== 'end') this.client.disconnect();
    this.setState('closed');
  }
}
