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

/**
 * A batch of writes in one script: it runs alone on the server, so the batch is atomic to every reader, at the
 * cost of one command (a MULTI/EXEC transaction costs the client several times more per batch). Each write
 * comes as its command, its argument count and its arguments, its key in KEYS.
 */
const APPLY_WRITES = `
local i, k = 1, 1
while i <= #ARGV do
  local n = tonumber(ARGV[i + 1])
  redis.call(ARGV[i], KEYS[k], unpack(ARGV, i + 2, i + 1 + n))
  i, k = i + 2 + n, k + 1
end
return k - 1
`;

/** Lua unpacks a few thousand values at most: longer member lists are split into several commands. */
const MAX_ARGS = 1_000;

type Arg = string | number;

/**
 * Appends one command per chunk of `items` to a script's input: its key to `keys`; its name, argument count and
 * arguments to `args`. Nothing when there are no items (the write changes nothing).
 */
function pushCommand(
  keys: string[],
  args: Arg[],
  key: string,
  command: string,
  items: readonly Arg[],
  per = 1,
  lead: readonly Arg[] = [],
) {
  const size = Math.max(per, Math.floor(MAX_ARGS / per) * per);
  for (let i = 0; i < items.length; i += size) {
    const end = Math.min(items.length, i + size);
    keys.push(key);
    args.push(command, lead.length + end - i, ...lead);
    for (let j = i; j < end; j++) args.push(items[j] as Arg);
  }
}

interface ScriptCommand {
  key: string;
  command: string;
  items: Arg[];
  /** Items per unit (a field and its value, a score and its member): chunks never split one. */
  per: number;
  lead: readonly Arg[];
}

/** Commands that may take the items of the same command on the same key that follows it, unchanged in effect. */
const MERGEABLE = new Set(['HSET', 'HDEL', 'SADD', 'SREM', 'ZADD', 'ZREM']);

/**
 * The commands of several callers' write batches for one script. A write to a key whose last command is the
 * same (an answer after another answer to the same meeting) joins that command, so the script has fewer,
 * longer commands, which cost the client and the server less. The script runs alone, so only the order of
 * each key's commands, and of each caller's own writes, can be seen; both are kept: a write joins an earlier
 * command only if that command does not come before its own caller's previous write.
 */
class ScriptWrites {
  private readonly commands: (ScriptCommand & { at: number })[] = [];
  private readonly lastOf = new Map<string, ScriptCommand & { at: number }>();
  /** Where the current caller's previous write went. */
  private callerLast = -1;

  /** The next caller's batch. */
  add(ops: readonly WriteOp[]) {
    this.callerLast = -1;
    for (const op of ops) this.addOne(op);
  }

  private addOne(o: WriteOp) {
    switch (o.op) {
      case 'set': {
        const items: Arg[] = [o.value];
        if (o.ttlMs !== undefined) items.push('PX', Math.max(1, Math.ceil(o.ttlMs)));
        if (o.ifAbsent) items.push('NX');
        return this.push(o.key, 'SET', items, items.length);
      }
      case 'del':
        return this.push(o.key, 'DEL', [], 1, [], true);
      case 'hset': {
        const items: string[] = [];
        for (const field in o.fields) items.push(field, o.fields[field] as string);
        return this.push(o.key, 'HSET', items, 2);
      }
      case 'hdel':
        return this.push(o.key, 'HDEL', o.fields, 1);
      case 'sadd':
        return this.push(o.key, 'SADD', o.members, 1);
      case 'srem':
        return this.push(o.key, 'SREM', o.members, 1);
      case 'zadd': {
        const items: Arg[] = [];
        for (const e of o.entries) items.push(e.score, e.member);
        return this.push(o.key, 'ZADD', items, 2, o.ifAbsent ? ['NX'] : []);
      }
      case 'zrem':
        return this.push(o.key, 'ZREM', o.members, 1);
    }
  }

  private push(
    key: string,
    command: string,
    items: readonly Arg[],
    per: number,
    lead: readonly Arg[] = [],
    evenEmpty = false,
  ) {
    if (items.length === 0 && !evenEmpty) return;
    const last = this.lastOf.get(key);
    if (
      last &&
      last.at >= this.callerLast &&
      last.command === command &&
      MERGEABLE.has(command) &&
      last.lead.join() === lead.join()
    ) {
      for (const item of items) last.items.push(item);
      this.callerLast = last.at;
      return;
    }
    const next = { key, command, items: [...items], per, lead, at: this.commands.length };
    this.commands.push(next);
    this.lastOf.set(key, next);
    this.callerLast = next.at;
  }

  /** The script's keys and arguments: per command its key, then its name, argument count and arguments. */
  input(): { keys: string[]; args: Arg[] } {
    const keys: string[] = [];
    const args: Arg[] = [];
    for (const c of this.commands) {
      if (c.items.length === 0) {
        keys.push(c.key);
        args.push(c.command, 0);
      } else pushCommand(keys, args, c.key, c.command, c.items, c.per, c.lead);
    }
    return { keys, args };
  }
}

const EXPIRE_IF_EQUALS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

interface Settle<T> {
  resolve(value: T): void;
  reject(err: unknown): void;
}

interface ReadBatch {
  kind: 'read';
  /** The keys of every document read, in order: one MGET. */
  keys: string[];
  /** Who asked for them: a single key (`get`) or `count` keys in a row (`getMany`). */
  docs: (
    | { one: true; done: Settle<string | undefined> }
    | { one: false; count: number; done: Settle<(string | undefined)[]> }
  )[];
  /** Field reads by hash key: one HMGET each. */
  fields: Map<string, { fields: string[]; done: Settle<string | undefined>[] }>;
}

interface PendingWrite {
  ops: WriteOp[];
  done: Settle<void>;
}

interface WriteBatch {
  kind: 'write';
  writes: PendingWrite[];
}

type Batch = ReadBatch | WriteBatch;

/** Callers' write batches merged into one script at most: a long script would hold up every other client. */
const MAX_MERGED_WRITES = 64;

type Scripted = Redis & {
  claimDue(key: string, now: number, limit: number, lease: number): Promise<string[]>;
  deleteIfEquals(key: string, value: string): Promise<number>;
  expireIfEquals(key: string, value: string, ttlMs: number): Promise<number>;
  applyWrites(numberOfKeys: number, keys: string[], args: (string | number)[]): Promise<number>;
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
      // Commands issued in the same tick (concurrent taps) share one socket write: far fewer syscalls.
      enableAutoPipelining: true,
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

  /**
   * Work asked for in the same tick goes out together, in the order it was asked for: consecutive reads as one
   * MGET and one HMGET per hash, consecutive atomic writes as one script. Under concurrent taps that is a
   * handful of commands instead of hundreds (each command costs the client far more than a key does). Any
   * other command sends what is waiting first, so commands keep their program order.
   */
  private queue: Batch[] = [];
  private flushScheduled = false;

  private readBatch(): ReadBatch {
    const last = this.queue[this.queue.length - 1];
    if (last?.kind === 'read') return last;
    return this.enqueue({ kind: 'read', keys: [], docs: [], fields: new Map() });
  }

  private writeBatch(): WriteBatch {
    const last = this.queue[this.queue.length - 1];
    if (last?.kind === 'write' && last.writes.length < MAX_MERGED_WRITES) return last;
    return this.enqueue({ kind: 'write', writes: [] });
  }

  private enqueue<B extends Batch>(batch: B): B {
    this.queue.push(batch);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
    return batch;
  }

  private flush() {
    this.flushScheduled = false;
    const queue = this.queue;
    this.queue = [];
    for (const batch of queue) {
      if (batch.kind === 'read') this.sendReads(batch);
      else this.sendWrites(batch.writes);
    }
  }

  private sendReads({ keys, docs, fields }: ReadBatch) {
    if (docs.length) {
      this.client.mget(keys).then(
        (values) => {
          let at = 0;
          for (const r of docs) {
            if (r.one) r.done.resolve(values[at++] ?? undefined);
            else {
              r.done.resolve(values.slice(at, at + r.count).map((v) => v ?? undefined));
              at += r.count;
            }
          }
        },
        (err) => {
          for (const r of docs) r.done.reject(err);
        },
      );
    }
    for (const [key, reads] of fields)
      this.client.hmget(key, ...reads.fields).then(
        (values) => {
          for (let i = 0; i < reads.done.length; i++) reads.done[i]?.resolve(values[i] ?? undefined);
        },
        (err) => {
          for (const done of reads.done) done.reject(err);
        },
      );
  }

  /**
   * Several callers' writes as one script: each caller's batch stays atomic (the script runs alone). If it
   * fails, each caller's batch is tried again on its own, so one bad batch does not fail the others; every
   * write is idempotent, so applying again what the failed script had applied changes nothing.
   */
  private sendWrites(writes: PendingWrite[]) {
    const [first] = writes;
    if (writes.length === 1 && first) {
      this.writeNow(first.ops).then(first.done.resolve, first.done.reject);
      return;
    }
    this.writeNow(...writes.map((w) => w.ops)).then(
      () => {
        for (const w of writes) w.done.resolve();
      },
      () => {
        for (const w of writes) this.writeNow(w.ops).then(w.done.resolve, w.done.reject);
      },
    );
  }

  /** The client, once the work waiting for this tick is sent (every command but the batched ones goes this way). */
  private get send(): Scripted {
    if (this.flushScheduled) this.flush();
    return this.client;
  }

  get(key: string): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const batch = this.readBatch();
      batch.keys.push(key);
      batch.docs.push({ one: true, done: { resolve, reject } });
    });
  }

  getMany(keys: string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const batch = this.readBatch();
      for (const key of keys) batch.keys.push(key);
      batch.docs.push({ one: false, count: keys.length, done: { resolve, reject } });
    });
  }

  async set(key: string, value: string, ttlMs?: number) {
    if (ttlMs !== undefined)
      await this.confirmed(this.send.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs))));
    else await this.confirmed(this.send.set(key, value));
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number) {
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
    return (await this.confirmed(this.send.expireIfEquals(key, value, Math.max(1, Math.ceil(ttlMs))))) === 1;
  }

  async del(...keys: string[]) {
    return keys.length ? this.confirmed(this.send.del(...keys)) : 0;
  }

  async incr(key: string, by = 1) {
    return this.confirmed(this.send.incrby(key, by));
  }

  hget(key: string, field: string): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const { fields } = this.readBatch();
      const reads = fields.get(key);
      if (reads) {
        reads.fields.push(field);
        reads.done.push({ resolve, reject });
      } else fields.set(key, { fields: [field], done: [{ resolve, reject }] });
    });
  }

  async hgetall(key: string) {
    return this.send.hgetall(key);
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
    return this.confirmed(
      new Promise((resolve, reject) => {
        this.writeBatch().writes.push({ ops, done: { resolve, reject } });
      }),
    );
  }

  /** Writes callers' batches atomically, in order: one script, or one command when that is all there is. */
  private async writeNow(...batches: WriteOp[][]) {
    const ops = batches.length === 1 ? (batches[0] as WriteOp[]) : batches.flat();
    // One command is atomic on its own: no script around it (a member's answer, the commonest write).
    const [only] = ops;
    if (ops.length === 1 && only && (only.op === 'hset' || only.op === 'del' || only.op === 'sadd')) {
      if (only.op === 'hset') {
        if (Object.keys(only.fields).length) await this.client.hset(only.key, only.fields);
      } else if (only.op === 'del') await this.client.del(only.key);
      else if (only.members.length) await this.client.sadd(only.key, ...only.members);
      return;
    }
    const script = new ScriptWrites();
    for (const batch of batches) script.add(batch);
    const { keys, args } = script.input();
    // ioredis flattens array arguments: no spreading of long lists into the call.
    if (keys.length) await this.client.applyWrites(keys.length, keys, args);
  }

  async ping() {
    await this.send.ping();
  }

  async close() {
    if (this.flushScheduled) this.flush();
    // QUIT needs a live connection; while reconnecting it would wait, so just drop the socket.
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else if (this.client.status !== 'end') this.client.disconnect();
    this.setState('closed');
  }
}
