import type { Redis } from 'ioredis';
import type { WriteOp } from './port.js';

/**
 * A batch of writes in one script: it runs alone on the server, so the batch is atomic to every reader, at the
 * cost of one command (a MULTI/EXEC transaction costs the client several times more per batch). Each write
 * comes as its command, its argument count and its arguments, its key in KEYS.
 *
 * All or nothing: a command that fails inside a script keeps the writes before it. So the script first checks
 * every command as Redis would (the key's type, as the commands before it leave it; a sorted set's scores) and
 * refuses the whole batch before its first write, with the error Redis would have given. The first command is
 * not checked when what it leaves does not depend on what was there (SET, DEL, HSET, SADD, ZADD): if it fails,
 * nothing was written before it. That spares a TYPE call per batch, most often the only one (an answer).
 * A removal (HDEL, SREM, ZREM) is taken to leave its key's type; one that empties the key, followed in the same
 * batch by a SET NX and then a write of the old type on that key, is not foreseen (no caller writes that).
 */
export const APPLY_WRITES = `
local family = { SET = 'string', DEL = 'none', HSET = 'hash', HDEL = 'hash', SADD = 'set', SREM = 'set',
  ZADD = 'zset', ZREM = 'zset' }
local types = {}
local i, k = 1, 1
local command, n = ARGV[1], tonumber(ARGV[2])
if command == 'DEL' or command == 'HSET' or command == 'SADD' or command == 'ZADD'
  or (command == 'SET' and (n == 1 or ARGV[2 + n] ~= 'NX')) then
  types[KEYS[1]] = family[command]
  i, k = 3 + n, 2
end
while i <= #ARGV do
  local command, n, key = ARGV[i], tonumber(ARGV[i + 1]), KEYS[k]
  local now = types[key]
  if now == nil then now = redis.call('TYPE', key).ok end
  local want = family[command]
  if command == 'SET' then
    if n == 1 or ARGV[i + 1 + n] ~= 'NX' or now == 'none' then now = 'string' end
  elseif command == 'DEL' then
    now = 'none'
  else
    if now ~= 'none' and now ~= want then
      return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
    end
    if command == 'ZADD' then
      local first = i + 2
      if ARGV[first] == 'NX' then first = first + 1 end
      for s = first, i + 1 + n, 2 do
        local score = tonumber(ARGV[s])
        if score == nil or score ~= score then return redis.error_reply('ERR value is not a valid float') end
      end
    end
    if command == 'HSET' or command == 'SADD' or command == 'ZADD' then now = want end
  end
  types[key] = now
  i, k = i + 2 + n, k + 1
end
i, k = 1, 1
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

/** Whether two argument lists are the same: compared in place, as joining both would build two strings a write. */
function sameArgs(a: readonly Arg[], b: readonly Arg[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Commands that may take the items of the same command on the same key that follows it, unchanged in effect. */
const MERGEABLE = new Set(['HSET', 'HDEL', 'SADD', 'SREM', 'ZADD', 'ZREM']);

/**
 * The write-script compiler: the commands of one or several callers' write batches for one script. With
 * merging (batching on), a write to a key whose last command is the same (an answer after another answer to
 * the same meeting) joins that command, so the script has fewer, longer commands, which cost the client and
 * the server less. The script runs alone, so only the order of each key's commands, and of each caller's own
 * writes, can be seen; both are kept: a write joins an earlier command only if that command does not come
 * before its own caller's previous write.
 */
export class ScriptWrites {
  private readonly commands: (ScriptCommand & { at: number })[] = [];
  private readonly lastOf = new Map<string, ScriptCommand & { at: number }>();
  /** Where the current caller's previous write went. */
  private callerLast = -1;

  constructor(private readonly merge = true) {}

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
      this.merge &&
      last &&
      last.at >= this.callerLast &&
      last.command === command &&
      MERGEABLE.has(command) &&
      sameArgs(last.lead, lead)
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

/** The client as the store defines it: `applyWrites` runs APPLY_WRITES. */
export type WriteClient = Redis & {
  applyWrites(numberOfKeys: number, keys: string[], args: (string | number)[]): Promise<number>;
};

/**
 * Writes callers' batches atomically, in order: one script, or one command when that is all there is. With
 * several batches, `merge` lets the commands of different batches on the same key join (see ScriptWrites).
 */
export async function applyWrites(client: WriteClient, batches: readonly WriteOp[][], merge = true) {
  const ops = batches.length === 1 ? (batches[0] as WriteOp[]) : batches.flat();
  // One command that cannot fail on a key of any type it leaves alone is atomic on its own: no script around
  // it (a member's answer, the commonest write). A wrong-typed key fails it before it writes anything.
  const [only] = ops;
  if (ops.length === 1 && only && (only.op === 'hset' || only.op === 'del' || only.op === 'sadd')) {
    if (only.op === 'hset') {
      if (Object.keys(only.fields).length) await client.hset(only.key, only.fields);
    } else if (only.op === 'del') await client.del(only.key);
    else if (only.members.length) await client.sadd(only.key, ...only.members);
    return;
  }
  const script = new ScriptWrites(merge);
  for (const batch of batches) script.add(batch);
  const { keys, args } = script.input();
  // ioredis flattens array arguments: no spreading of long lists into the call.
  if (keys.length) await client.applyWrites(keys.length, keys, args);
}

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

/**
 * The Redis store's speed-ups, in one place (REDIS_BATCHING=off leaves them out; the store then sends each
 * call as its own command or script). Work asked for in the same tick goes out together, in the order it was
 * asked for: consecutive reads as one MGET and one HMGET per hash (the read coalescer), consecutive atomic
 * writes as one script (the write-script compiler, merging callers' commands). Under concurrent taps that is
 * a handful of commands instead of hundreds (each command costs the client far more than a key does). The
 * store calls `drain()` before any other command, so commands keep their program order.
 */
export class RedisBatching {
  private queue: Batch[] = [];
  private flushScheduled = false;

  constructor(private readonly client: WriteClient) {}

  get(key: string): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const batch = this.readBatch();
      batch.keys.push(key);
      batch.docs.push({ one: true, done: { resolve, reject } });
    });
  }

  getMany(keys: string[]): Promise<(string | undefined)[]> {
    return new Promise((resolve, reject) => {
      const batch = this.readBatch();
      for (const key of keys) batch.keys.push(key);
      batch.docs.push({ one: false, count: keys.length, done: { resolve, reject } });
    });
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

  write(ops: WriteOp[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.writeBatch().writes.push({ ops, done: { resolve, reject } });
    });
  }

  /** Sends what is waiting now: before any command that is not batched, and on close. */
  drain() {
    if (this.flushScheduled) this.flush();
  }

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
   * fails, it wrote nothing (APPLY_WRITES checks first), and each caller's batch is tried again on its own, so
   * one bad batch does not fail the others. Those retries go after whatever was sent meanwhile; that is why a
   * value no command can take (a NaN score or TTL) is refused before it joins a script (checkWrites), which
   * leaves only a key of the wrong type, a bug in keys.ts, to get here.
   */
  private sendWrites(writes: PendingWrite[]) {
    const [first] = writes;
    if (writes.length === 1 && first) {
      applyWrites(this.client, [first.ops]).then(first.done.resolve, first.done.reject);
      return;
    }
    applyWrites(
      this.client,
      writes.map((w) => w.ops),
    ).then(
      () => {
        for (const w of writes) w.done.resolve();
      },
      () => {
        for (const w of writes) applyWrites(this.client, [w.ops]).then(w.done.resolve, w.done.reject);
      },
    );
  }
}
