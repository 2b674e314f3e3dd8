import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/open-store.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { storeContract } from './store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'chibo-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract('SQLite', {
  open: async () => new SqliteStore(join(dir, `contract-${n++}.sqlite`)),
  second: async (store) => new SqliteStore((store as SqliteStore).db.name),
});

describe('SQLite: the embedded default', () => {
  it('is chosen when REDIS_URL is unset, creating its file under DATA_DIR', async () => {
    const dataDir = join(dir, 'fresh', 'data');
    const store = openStore({ DATA_DIR: dataDir, REDIS_KEY_PREFIX: 'x:', REDIS_URL: undefined });
    expect(store.kind).toBe('sqlite');
    expect((store as SqliteStore).db.name).toBe(join(dataDir, 'chibo.sqlite'));
    expect((store as SqliteStore).db.pragma('journal_mode', { simple: true })).toBe('wal');
    await store.close();
  });

  it('keeps its data across close and reopen', async () => {
    const file = join(dir, 'durable.sqlite');
    const first = new SqliteStore(file);
    await first.set('doc', 'kept');
    await first.hset('h', { f: 'v' });
    await first.sadd('s', 'm');
    await first.zadd('z', { member: 'm', score: 42 });
    await first.close();

    const again = new SqliteStore(file);
    expect(await again.get('doc')).toBe('kept');
    expect(await again.hgetall('h')).toEqual({ f: 'v' });
    expect(await again.smembers('s')).toEqual(['m']);
    expect(await again.zscore('z', 'm')).toBe(42);
    await again.close();
  });
});
