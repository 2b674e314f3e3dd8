import { Redis, type RedisOptions } from 'ioredis';
import type { RangeOptions, ScoredMember, Store, WriteOp } from './port.js';

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

type Scripted = Redis & {
  claimDue(key: string, now: number, limit: number, lease: number): Promise<string[]>;
  deleteIfEquals(key: string, value: string): Promise<number>;
  expireIfEquals(key: string, value: string, ttlMs: number): Promise<number>;
};

export interface RedisStoreOptions {
  url: string;
  keyPrefix: string;
  /** Extra ioredis options (tests shorten the retry strategy). */
  redis?: RedisOptions;
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

  constructor(options: RedisStoreOptions) {
    const client = new Redis(options.url, {
      keyPrefix: options.keyPrefix,
      // Keep commands queued while reconnecting, so a dropped connection resumes rather than fails.
      maxRetriesPerRequest: 20,
      retryStrategy: (times) => Math.min(times * 100, 2000),
      lazyConnect: false,
      ...options.redis,
    });
    client.defineCommand('claimDue', { numberOfKeys: 1, lua: CLAIM_DUE });
    client.defineCommand('deleteIfEquals', { numberOfKeys: 1, lua: DELETE_IF_EQUALS });
    client.defineCommand('expireIfEquals', { numberOfKeys: 1, lua: EXPIRE_IF_EQUALS });
    // Errors surface on the commands that fail; without a listener ioredis would log each reconnect attempt.
    client.on('error', () => {});
    this.client = client as Scripted;
  }

  async get(key: string) {
    return (await this.client.get(key)) ?? undefined;
  }

  async getMany(keys: string[]) {
    if (keys.length === 0) return [];
    return (await this.client.mget(...keys)).map((v) => v ?? undefined);
  }

  async set(key: string, value: string, ttlMs?: number) {
    if (ttlMs !== undefined) await this.client.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs)));
    else await this.client.set(key, value);
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number) {
    const res =
      ttlMs !== undefined
        ? await this.client.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')
        : await this.client.set(key, value, 'NX');
    return res === 'OK';
  }

  async deleteIfEquals(key: string, value: string) {
    return (await this.client.deleteIfEquals(key, value)) === 1;
  }

  async expireIfEquals(key: string, value: string, ttlMs: number) {
    return (await this.client.expireIfEquals(key, value, Math.max(1, Math.ceil(ttlMs)))) === 1;
  }

  async del(...keys: string[]) {
    return keys.length ? this.client.del(...keys) : 0;
  }

  async incr(key: string, by = 1) {
    return this.client.incrby(key, by);
  }

  async hget(key: string, field: string) {
    return (await this.client.hget(key, field)) ?? undefined;
  }

  async hgetall(key: string) {
    return this.client.hgetall(key);
  }

  async hset(key: string, fields: Record<string, string>) {
    if (Object.keys(fields).length) await this.client.hset(key, fields);
  }

  async hsetIfAbsent(key: string, field: string, value: string) {
    return (await this.client.hsetnx(key, field, value)) === 1;
  }

  async hdel(key: string, ...fields: string[]) {
    return fields.length ? this.client.hdel(key, ...fields) : 0;
  }

  async sadd(key: string, ...members: string[]) {
    return members.length ? this.client.sadd(key, ...members) : 0;
  }

  async srem(key: string, ...members: string[]) {
    return members.length ? this.client.srem(key, ...members) : 0;
  }

  async smembers(key: string) {
    return this.client.smembers(key);
  }

  async sismember(key: string, member: string) {
    return (await this.client.sismember(key, member)) === 1;
  }

  async zadd(key: string, ...entries: ScoredMember[]) {
    if (entries.length) await this.client.zadd(key, ...entries.flatMap((e) => [e.score, e.member]));
  }

  async zrem(key: string, ...members: string[]) {
    return members.length ? this.client.zrem(key, ...members) : 0;
  }

  async zscore(key: string, member: string) {
    const s = await this.client.zscore(key, member);
    return s === null ? undefined : Number(s);
  }

  async zcard(key: string) {
    return this.client.zcard(key);
  }

  async zrangeByScore(key: string, min: number, max: number, options: RangeOptions = {}) {
    const lo = Number.isFinite(min) ? min : '-inf';
    const hi = Number.isFinite(max) ? max : '+inf';
    const flat =
      options.limit !== undefined || options.offset !== undefined
        ? await this.client.zrangebyscore(
            key,
            lo,
            hi,
            'WITHSCORES',
            'LIMIT',
            options.offset ?? 0,
            options.limit ?? -1,
          )
        : await this.client.zrangebyscore(key, lo, hi, 'WITHSCORES');
    return pairs(flat);
  }

  async claimDue(key: string, now: number, limit: number, leaseMs?: number) {
    if (limit <= 0) return [];
    return pairs(await this.client.claimDue(key, now, limit, leaseMs ?? 0));
  }

  async write(ops: WriteOp[]) {
    if (ops.length === 0) return;
    const multi = this.client.multi();
    for (const o of ops) {
      switch (o.op) {
        case 'set':
          if (o.ttlMs !== undefined && o.ifAbsent)
            multi.set(o.key, o.value, 'PX', Math.max(1, Math.ceil(o.ttlMs)), 'NX');
          else if (o.ttlMs !== undefined) multi.set(o.key, o.value, 'PX', Math.max(1, Math.ceil(o.ttlMs)));
          else if (o.ifAbsent) multi.set(o.key, o.value, 'NX');
          else multi.set(o.key, o.value);
          break;
        case 'del':
          multi.del(o.key);
          break;
        case 'hset':
          if (Object.keys(o.fields).length) multi.hset(o.key, o.fields);
          break;
        case 'hdel':
          if (o.fields.length) multi.hdel(o.key, ...o.fields);
          break;
        case 'sadd':
          if (o.members.length) multi.sadd(o.key, ...o.members);
          break;
        case 'srem':
          if (o.members.length) multi.srem(o.key, ...o.members);
          break;
        case 'zadd': {
          const args = o.entries.flatMap((e) => [e.score, e.member]);
          if (o.entries.length && o.ifAbsent) multi.zadd(o.key, 'NX', ...args);
          else if (o.entries.length) multi.zadd(o.key, ...args);
          break;
        }
        case 'zrem':
          if (o.members.length) multi.zrem(o.key, ...o.members);
          break;
      }
    }
    const results = await multi.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async ping() {
    await this.client.ping();
  }

  async close() {
    if (this.client.status === 'end') return;
    // QUIT needs a live connection; while reconnecting it would wait, so just drop the socket.
    if (this.client.status !== 'ready') return this.client.disconnect();
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
