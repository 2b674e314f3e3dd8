import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/open-store.js';
import type { RedisStore } from '../../src/store/redis.js';
import { deletePrefixed, REDIS_URL, redisAvailable, redisStore, uniquePrefix } from '../support/redis.js';
import { storeContract } from './store.contract.js';

const available = await redisAvailable();
const prefix = uniquePrefix(import.meta.filename);
afterAll(() => (available ? deletePrefixed(prefix) : undefined));
let n = 0;

describe.runIf(available)('Redis', () => {
  for (const batching of [true, false])
    storeContract(batching ? 'Redis' : 'Redis, batching off', {
      open: async () => redisStore(`${prefix}${n++}:`, { batching }),
      second: async (store) =>
        redisStore((store as RedisStore).client.options.keyPrefix ?? prefix, { batching }),
    });

  it('with REDIS_BATCHING=off sends each read on its own, with the same results', async () => {
    const store = openStore({
      REDIS_URL,
      REDIS_KEY_PREFIX: `${prefix}unbatched:`,
      DATA_DIR: '/nonexistent',
      REDIS_BATCHING: 'off',
    }) as RedisStore;
    await store.set('a', '1');
    const sent: string[] = [];
    const monitor = (command: { name: string }) => sent.push(command.name);
    const original = store.client.sendCommand.bind(store.client);
    store.client.sendCommand = (command, stream) => {
      monitor(command as { name: string });
      return original(command, stream);
    };
    expect(await Promise.all([store.get('a'), store.get('b'), store.hget('h', 'f')])).toEqual([
      '1',
      undefined,
      undefined,
    ]);
    expect(sent).toEqual(['get', 'get', 'hget']);
    await store.close();
  });

  for (const batching of [true, false])
    it(`applies nothing of a batch whose key has the wrong type part-way (batching ${batching ? 'on' : 'off'})`, async () => {
      const store = redisStore(`${prefix}wrongtype-${batching}:`, { batching });
      await store.set('text', 'a string, not a hash');
      await expect(
        store.write([
          { op: 'set', key: 'doc', value: 'v' },
          { op: 'sadd', key: 's', members: ['m'] },
          { op: 'hset', key: 'text', fields: { a: '1' } },
        ]),
      ).rejects.toThrow(/WRONGTYPE/);
      // The type a key takes earlier in the same batch counts: a hash field on a key just set is refused…
      await expect(
        store.write([
          { op: 'set', key: 'fresh', value: 'v' },
          { op: 'hset', key: 'fresh', fields: { a: '1' } },
        ]),
      ).rejects.toThrow(/WRONGTYPE/);
      expect(await store.getMany(['doc', 'fresh'])).toEqual([undefined, undefined]);
      expect(await store.smembers('s')).toEqual([]);
      // …and one on a key just deleted is applied.
      await store.write([
        { op: 'del', key: 'text' },
        { op: 'hset', key: 'text', fields: { a: '1' } },
        { op: 'sadd', key: 's', members: ['m'] },
      ]);
      expect(await store.hgetall('text')).toEqual({ a: '1' });
      expect(await store.smembers('s')).toEqual(['m']);
      // The first command is not checked beforehand; failing, it still leaves the rest unwritten.
      await store.set('text2', 'a string');
      await expect(
        store.write([
          { op: 'hset', key: 'text2', fields: { a: '1' } },
          { op: 'sadd', key: 's2', members: ['m'] },
        ]),
      ).rejects.toThrow(/WRONGTYPE/);
      expect(await store.smembers('s2')).toEqual([]);
      // A first SET NX leaves an existing hash as it is, so a hash field after it is applied.
      await store.write([
        { op: 'set', key: 'text', value: 'v', ifAbsent: true },
        { op: 'hset', key: 'text', fields: { b: '2' } },
      ]);
      expect(await store.hgetall('text')).toEqual({ a: '1', b: '2' });
      await store.close();
    });

  it('is chosen when REDIS_URL is set, under its key prefix', async () => {
    const store = openStore({ REDIS_URL, REDIS_KEY_PREFIX: `${prefix}open:`, DATA_DIR: '/nonexistent' });
    expect(store.kind).toBe('redis');
    await store.set('k', 'v');
    const raw = new Redis(REDIS_URL);
    expect(await raw.get(`${prefix}open:k`)).toBe('v');
    raw.disconnect();
    await store.close();
  });

  it('applies write batches asked for at once, each on its own terms: one that fails fails alone', async () => {
    const store = redisStore(`${prefix}merged:`);
    await store.set('text', 'a string, not a hash');
    const results = await Promise.allSettled([
      store.write([
        { op: 'hset', key: 'h', fields: { a: '1' } },
        { op: 'sadd', key: 's', members: ['first'] },
      ]),
      store.write([
        { op: 'hset', key: 'text', fields: { a: '1' } },
        { op: 'sadd', key: 's', members: ['failed'] },
      ]),
      store.write([
        { op: 'set', key: 'k', value: 'v' },
        { op: 'sadd', key: 's', members: ['third'] },
      ]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.hgetall('h')).toEqual({ a: '1' });
    expect((await store.smembers('s')).sort()).toEqual(['first', 'third']);
    expect(await store.get('k')).toBe('v');
    expect(await store.get('text')).toBe('a string, not a hash');
    await store.close();
  });

  it('applies many write batches to the same keys at once, each key in the order asked', async () => {
    const store = redisStore(`${prefix}same-keys:`);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.write([
          { op: 'hset', key: 'answers', fields: { [`p${i % 10}`]: `v${i}` } },
          { op: 'zadd', key: 'due', entries: [{ member: 'tally', score: 1000 + i }], ifAbsent: true },
          ...(i === 20 ? [{ op: 'del' as const, key: 'answers' }] : []),
        ]),
      ),
    );
    // Each field holds its last write since the delete made by batch 20.
    expect(await store.hgetall('answers')).toEqual(
      Object.fromEntries(Array.from({ length: 10 }, (_, f) => [`p${f}`, `v${f + 40}`])),
    );
    expect(await store.zrangeByScore('due', 0, 10_000)).toEqual([{ member: 'tally', score: 1000 }]);
    await store.close();
  });

  it('resumes after its connection is dropped', async () => {
    const store = redisStore(`${prefix}drop:`);
    await store.set('before', '1');
    const id = await store.client.client('ID');
    const admin = new Redis(REDIS_URL);
    expect(await admin.client('KILL', 'ID', String(id))).toBe(1);
    admin.disconnect();
    // Commands issued while reconnecting are queued, then run on the new connection.
    await store.set('after', '2');
    expect(await store.getMany(['before', 'after'])).toEqual(['1', '2']);
    expect(await store.client.client('ID')).not.toBe(id);
    await store.close();
  });
});
