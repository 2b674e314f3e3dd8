/**
 * The one storage port. Both adapters (Redis for replicas, SQLite as the embedded default) give every
 * primitive the same meaning; test/contract holds them to it. Repositories are written once over this.
 *
 * Keys are plain strings built in keys.ts; an adapter may add its own prefix. Times are epoch milliseconds.
 */
export interface ScoredMember {
  member: string;
  score: number;
}

/**
 * One write in an atomic batch: all of a batch is applied, or none of it. `ifAbsent` leaves an existing key
 * (or sorted-set member) untouched, so a batch can enqueue idempotently without a read first.
 */
export type WriteOp =
  | { op: 'set'; key: string; value: string; ttlMs?: number; ifAbsent?: boolean }
  | { op: 'del'; key: string }
  | { op: 'hset'; key: string; fields: Record<string, string> }
  | { op: 'hdel'; key: string; fields: string[] }
  | { op: 'sadd'; key: string; members: string[] }
  | { op: 'srem'; key: string; members: string[] }
  | { op: 'zadd'; key: string; entries: ScoredMember[]; ifAbsent?: boolean }
  | { op: 'zrem'; key: string; members: string[] };

/**
 * What no adapter can store: a score or a time to live that is not a finite number. Refused by every adapter
 * before it writes anything (Redis would fail such a command part-way through a batch, SQLite would store it).
 */
export class InvalidWriteError extends RangeError {
  override readonly name = 'InvalidWriteError';
}

const finite = (n: number) => typeof n === 'number' && Number.isFinite(n);

/** Throws InvalidWriteError for a TTL that is not a finite number, or a score that is NaN (±∞ sort last/first). */
export function checkWrite(ttlMs: number | undefined, scores: readonly ScoredMember[] = []): void {
  if (ttlMs !== undefined && !finite(ttlMs)) throw new InvalidWriteError(`ttlMs must be a finite number`);
  for (const { score } of scores)
    if (typeof score !== 'number' || Number.isNaN(score))
      throw new InvalidWriteError('a sorted-set score must be a number');
}

/** checkWrite for every write of a batch: a batch with one bad write is refused whole. */
export function checkWrites(ops: readonly WriteOp[]): void {
  for (const o of ops) {
    if (o.op === 'set') checkWrite(o.ttlMs);
    else if (o.op === 'zadd') checkWrite(undefined, o.entries);
  }
}

export interface RangeOptions {
  /** Skip this many matches first. */
  offset?: number;
  /** At most this many matches. */
  limit?: number;
}

export interface Store {
  readonly kind: 'redis' | 'sqlite';

  /* Documents: strings (usually JSON) by key, with an optional time to live. */
  get(key: string): Promise<string | undefined>;
  getMany(keys: string[]): Promise<(string | undefined)[]>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets the key only when it does not exist yet (or has expired); true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  /** Deletes the key only while it still holds this value (releasing a lease one owns); true when deleted. */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  /** Extends the key's time to live only while it still holds this value (renewing a lease one owns). */
  expireIfEquals(key: string, value: string, ttlMs: number): Promise<boolean>;
  del(...keys: string[]): Promise<number>;
  /** Adds `by` to an integer counter (created at 0) and returns the new value. */
  incr(key: string, by?: number): Promise<number>;

  /* Hashes. */
  hget(key: string, field: string): Promise<string | undefined>;
  hgetall(key: string): Promise<Record<string, string>>;
  /** The fields whose names start with `prefix`, with their values: one part of a large hash, not all of it. */
  hgetPrefixed(key: string, prefix: string): Promise<Record<string, string>>;
  hset(key: string, fields: Record<string, string>): Promise<void>;
  /** Sets the field only when absent; true when this call set it. */
  hsetIfAbsent(key: string, field: string, value: string): Promise<boolean>;
  hdel(key: string, ...fields: string[]): Promise<number>;

  /* Sets. */
  sadd(key: string, ...members: string[]): Promise<number>;
  srem(key: string, ...members: string[]): Promise<number>;
  smembers(key: string): Promise<string[]>;
  sismember(key: string, member: string): Promise<boolean>;

  /* Sorted sets, ordered by score then member. */
  zadd(key: string, ...entries: ScoredMember[]): Promise<void>;
  zrem(key: string, ...members: string[]): Promise<number>;
  zscore(key: string, member: string): Promise<number | undefined>;
  zcard(key: string): Promise<number>;
  /** Members with min ≤ score ≤ max, lowest score first. */
  zrangeByScore(key: string, min: number, max: number, options?: RangeOptions): Promise<ScoredMember[]>;
  /**
   * Atomically takes up to `limit` members with score ≤ `now`, lowest first. With `leaseMs` each taken member
   * stays in the set re-scored to `now + leaseMs`, so it comes due again if its taker dies before removing it;
   * without it, taken members are removed. Two callers never take the same member for the same due score.
   */
  claimDue(key: string, now: number, limit: number, leaseMs?: number): Promise<ScoredMember[]>;

  /** Applies all writes atomically, in order. */
  write(ops: WriteOp[]): Promise<void>;

  /** Resolves when the store answers; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
