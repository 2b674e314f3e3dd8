import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  checkWrite,
  checkWrites,
  type RangeOptions,
  type ScoredMember,
  type Store,
  type WriteOp,
} from './port.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER);
CREATE INDEX IF NOT EXISTS kv_expiry ON kv (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS hashes (key TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (key, field));
CREATE TABLE IF NOT EXISTS sets (key TEXT NOT NULL, member TEXT NOT NULL, PRIMARY KEY (key, member));
CREATE TABLE IF NOT EXISTS zsets (key TEXT NOT NULL, member TEXT NOT NULL, score REAL NOT NULL, PRIMARY KEY (key, member));
CREATE INDEX IF NOT EXISTS zsets_by_score ON zsets (key, score, member);
`;

/**
 * The embedded default: one SQLite file (WAL), so a single replica needs no server. Every call is synchronous
 * inside better-sqlite3, so each one is atomic in this process; IMMEDIATE transactions keep multi-statement
 * operations atomic against another process sharing the file.
 */
/** A hash's rows as its fields and values. */
function fieldsOf(rows: { field: string; value: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of rows) out[row.field] = row.value;
  return out;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly now: () => number;
  private readonly s;
  /** One transaction wrapper for every atomic call: better-sqlite3 builds four functions per `transaction()`. */
  private readonly tx: Database.Transaction<(fn: () => unknown) => unknown>;

  constructor(file: string, options: { now?: () => number } = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.now = options.now ?? Date.now;
    const db = this.db;
    this.tx = db.transaction((fn: () => unknown) => fn());
    // One transaction: the tables appear together or not at all, in one commit instead of six.
    this.atomic(() => db.exec(SCHEMA));
    this.s = {
      get: db.prepare<[string, number], { value: string }>(
        'SELECT value FROM kv WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)',
      ),
      set: db.prepare<[string, string, number | null]>(
        'INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
      ),
      purgeKey: db.prepare<[string, number]>(
        'DELETE FROM kv WHERE key = ? AND expires_at IS NOT NULL AND expires_at <= ?',
      ),
      insertNew: db.prepare<[string, string, number | null]>(
        'INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING',
      ),
      delIfEquals: db.prepare<[string, string, number]>(
        'DELETE FROM kv WHERE key = ? AND value = ? AND (expires_at IS NULL OR expires_at > ?)',
      ),
      expireIfEquals: db.prepare<[number, string, string, number]>(
        'UPDATE kv SET expires_at = ? WHERE key = ? AND value = ? AND (expires_at IS NULL OR expires_at > ?)',
      ),
      delKv: db.prepare<[string]>('DELETE FROM kv WHERE key = ?'),
      delHash: db.prepare<[string]>('DELETE FROM hashes WHERE key = ?'),
      delSet: db.prepare<[string]>('DELETE FROM sets WHERE key = ?'),
      delZset: db.prepare<[string]>('DELETE FROM zsets WHERE key = ?'),
      hget: db.prepare<[string, string], { value: string }>(
        'SELECT value FROM hashes WHERE key = ? AND field = ?',
      ),
      hgetall: db.prepare<[string], { field: string; value: string }>(
        'SELECT field, value FROM hashes WHERE key = ?',
      ),
      // GLOB, not LIKE: case-sensitive, and with a literal prefix it reads only that range of the index.
      hgetGlob: db.prepare<[string, string], { field: string; value: string }>(
        'SELECT field, value FROM hashes WHERE key = ? AND field GLOB ?',
      ),
      hset: db.prepare<[string, string, string]>(
        'INSERT INTO hashes (key, field, value) VALUES (?, ?, ?) ON CONFLICT (key, field) DO UPDATE SET value = excluded.value',
      ),
      hsetnx: db.prepare<[string, string, string]>(
        'INSERT INTO hashes (key, field, value) VALUES (?, ?, ?) ON CONFLICT (key, field) DO NOTHING',
      ),
      hdel: db.prepare<[string, string]>('DELETE FROM hashes WHERE key = ? AND field = ?'),
      sadd: db.prepare<[string, string]>(
        'INSERT INTO sets (key, member) VALUES (?, ?) ON CONFLICT DO NOTHING',
      ),
      srem: db.prepare<[string, string]>('DELETE FROM sets WHERE key = ? AND member = ?'),
      smembers: db.prepare<[string], { member: string }>('SELECT member FROM sets WHERE key = ?'),
      sismember: db.prepare<[string, string], { one: number }>(
        'SELECT 1 AS one FROM sets WHERE key = ? AND member = ?',
      ),
      zadd: db.prepare<[string, string, number]>(
        'INSERT INTO zsets (key, member, score) VALUES (?, ?, ?) ON CONFLICT (key, member) DO UPDATE SET score = excluded.score',
      ),
      zaddNew: db.prepare<[string, string, number]>(
        'INSERT INTO zsets (key, member, score) VALUES (?, ?, ?) ON CONFLICT (key, member) DO NOTHING',
      ),
      zrem: db.prepare<[string, string]>('DELETE FROM zsets WHERE key = ? AND member = ?'),
      zscore: db.prepare<[string, string], { score: number }>(
        'SELECT score FROM zsets WHERE key = ? AND member = ?',
      ),
      zcard: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM zsets WHERE key = ?'),
      zrange: db.prepare<[string, number, number, number, number], ScoredMember>(
        'SELECT member, score FROM zsets WHERE key = ? AND score >= ? AND score <= ? ORDER BY score, member LIMIT ? OFFSET ?',
      ),
      purgeExpired: db.prepare<[number]>('DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?'),
    };
  }

  private expiry(ttlMs?: number): number | null {
    return ttlMs === undefined ? null : this.now() + Math.max(1, Math.ceil(ttlMs));
  }

  /** Runs fn in one IMMEDIATE transaction, so another process sharing the file sees all of it or none. */
  private atomic<T>(fn: () => T): T {
    return this.tx.immediate(fn) as T;
  }

  async get(key: string) {
    return this.s.get.get(key, this.now())?.value;
  }

  async getMany(keys: string[]) {
    const now = this.now();
    return keys.map((k) => this.s.get.get(k, now)?.value);
  }

  async set(key: string, value: string, ttlMs?: number) {
    checkWrite(ttlMs);
    this.s.set.run(key, value, this.expiry(ttlMs));
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number) {
    checkWrite(ttlMs);
    return this.atomic(() => {
      this.s.purgeKey.run(key, this.now());
      return this.s.insertNew.run(key, value, this.expiry(ttlMs)).changes === 1;
    });
  }

  async deleteIfEquals(key: string, value: string) {
    return this.s.delIfEquals.run(key, value, this.now()).changes === 1;
  }

  async expireIfEquals(key: string, value: string, ttlMs: number) {
    checkWrite(ttlMs);
    const now = this.now();
    return this.s.expireIfEquals.run(now + Math.max(1, Math.ceil(ttlMs)), key, value, now).changes === 1;
  }

  async del(...keys: string[]) {
    return this.atomic(() => {
      let n = 0;
      for (const k of keys) {
        const removed =
          this.s.delKv.run(k).changes +
          this.s.delHash.run(k).changes +
          this.s.delSet.run(k).changes +
          this.s.delZset.run(k).changes;
        if (removed > 0) n++;
      }
      return n;
    });
  }

  async incr(key: string, by = 1) {
    return this.atomic(() => {
      const current = this.s.get.get(key, this.now())?.value;
      const next = (current === undefined ? 0 : Number.parseInt(current, 10)) + by;
      if (!Number.isSafeInteger(next)) throw new Error(`value at ${key} is not an integer`);
      this.s.set.run(key, String(next), null);
      return next;
    });
  }

  async hget(key: string, field: string) {
    return this.s.hget.get(key, field)?.value;
  }

  async hgetall(key: string) {
    return fieldsOf(this.s.hgetall.all(key));
  }

  async hgetPrefixed(key: string, prefix: string) {
    // The prefix taken literally: each GLOB wildcard in it becomes a one-character class.
    return fieldsOf(this.s.hgetGlob.all(key, `${prefix.replace(/[*?[]/g, '[$&]')}*`));
  }

  async hset(key: string, fields: Record<string, string>) {
    this.atomic(() => {
      for (const [f, v] of Object.entries(fields)) this.s.hset.run(key, f, v);
    });
  }

  async hsetIfAbsent(key: string, field: string, value: string) {
    return this.s.hsetnx.run(key, field, value).changes === 1;
  }

  async hdel(key: string, ...fields: string[]) {
    return this.atomic(() => fields.reduce((n, f) => n + this.s.hdel.run(key, f).changes, 0));
  }

  async sadd(key: string, ...members: string[]) {
    return this.atomic(() => members.reduce((n, m) => n + this.s.sadd.run(key, m).changes, 0));
  }

  async srem(key: string, ...members: string[]) {
    return this.atomic(() => members.reduce((n, m) => n + this.s.srem.run(key, m).changes, 0));
  }

  async smembers(key: string) {
    return this.s.smembers.all(key).map((r) => r.member);
  }

  async sismember(key: string, member: string) {
    return this.s.sismember.get(key, member) !== undefined;
  }

  async zadd(key: string, ...entries: ScoredMember[]) {
    checkWrite(undefined, entries);
    this.atomic(() => {
      for (const e of entries) this.s.zadd.run(key, e.member, e.score);
    });
  }

  async zrem(key: string, ...members: string[]) {
    return this.atomic(() => members.reduce((n, m) => n + this.s.zrem.run(key, m).changes, 0));
  }

  async zscore(key: string, member: string) {
    return this.s.zscore.get(key, member)?.score;
  }

  async zcard(key: string) {
    return this.s.zcard.get(key)?.n ?? 0;
  }

  async zrangeByScore(key: string, min: number, max: number, options: RangeOptions = {}) {
    return this.s.zrange.all(key, min, max, options.limit ?? -1, options.offset ?? 0).map((r) => ({ ...r }));
  }

  async claimDue(key: string, now: number, limit: number, leaseMs?: number) {
    if (limit <= 0) return [];
    // Most polls find nothing due: a read says so without taking the write lock (readers never wait in WAL).
    if (this.s.zrange.get(key, Number.NEGATIVE_INFINITY, now, 1, 0) === undefined) return [];
    return this.atomic(() => {
      const due = this.s.zrange.all(key, Number.NEGATIVE_INFINITY, now, limit, 0).map((r) => ({ ...r }));
      for (const d of due) {
        if (leaseMs) this.s.zadd.run(key, d.member, now + leaseMs);
        else this.s.zrem.run(key, d.member);
      }
      return due;
    });
  }

  async write(ops: WriteOp[]) {
    checkWrites(ops);
    this.atomic(() => {
      for (const o of ops) {
        switch (o.op) {
          case 'set':
            if (o.ifAbsent) {
              this.s.purgeKey.run(o.key, this.now());
              this.s.insertNew.run(o.key, o.value, this.expiry(o.ttlMs));
            } else this.s.set.run(o.key, o.value, this.expiry(o.ttlMs));
            break;
          case 'del':
            this.s.delKv.run(o.key);
            this.s.delHash.run(o.key);
            this.s.delSet.run(o.key);
            this.s.delZset.run(o.key);
            break;
          case 'hset':
            for (const [f, v] of Object.entries(o.fields)) this.s.hset.run(o.key, f, v);
            break;
          case 'hdel':
            for (const f of o.fields) this.s.hdel.run(o.key, f);
            break;
          case 'sadd':
            for (const m of o.members) this.s.sadd.run(o.key, m);
            break;
          case 'srem':
            for (const m of o.members) this.s.srem.run(o.key, m);
            break;
          case 'zadd':
            for (const e of o.entries)
              (o.ifAbsent ? this.s.zaddNew : this.s.zadd).run(o.key, e.member, e.score);
            break;
          case 'zrem':
            for (const m of o.members) this.s.zrem.run(o.key, m);
            break;
        }
      }
    });
  }

  /** Drops expired documents; reads already ignore them, this only reclaims space. */
  purgeExpired() {
    return this.s.purgeExpired.run(this.now()).changes;
  }

  async ping() {
    this.db.prepare('SELECT 1').get();
  }

  async close() {
    if (this.db.open) this.db.close();
  }
}
