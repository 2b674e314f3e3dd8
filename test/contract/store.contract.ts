import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidWriteError, type Store, type WriteOp } from '../../src/store/port.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ContractTarget {
  /** A store over fresh, empty key space for one test. */
  open(): Promise<Store>;
  /** A second, separate connection to the same key space as `store`. */
  second(store: Store): Promise<Store>;
}

/** The meaning every adapter must give the port's primitives. */
export function storeContract(name: string, target: ContractTarget) {
  const withStore = (fn: (s: Store) => Promise<void>) => async () => {
    const s = await target.open();
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  };

  describe(`${name}: documents`, () => {
    it(
      'gets, sets, overwrites and deletes',
      withStore(async (s) => {
        expect(await s.get('a')).toBeUndefined();
        await s.set('a', '{"x":1}');
        expect(await s.get('a')).toBe('{"x":1}');
        await s.set('a', 'two');
        expect(await s.get('a')).toBe('two');
        expect(await s.getMany(['a', 'missing'])).toEqual(['two', undefined]);
        expect(await s.del('a', 'missing')).toBe(1);
        expect(await s.get('a')).toBeUndefined();
      }),
    );

    it(
      'expires a document after its time to live, and not before',
      withStore(async (s) => {
        await s.set('short', 'v', 400);
        await s.set('long', 'v', 60_000);
        expect(await s.get('short')).toBe('v');
        await sleep(500);
        expect(await s.get('short')).toBeUndefined();
        expect(await s.getMany(['short', 'long'])).toEqual([undefined, 'v']);
      }),
    );

    it(
      'sets if absent only once, and again after expiry',
      withStore(async (s) => {
        // The TTL is the store's, in real time: long enough that a loaded machine reads the key before it lapses.
        expect(await s.setIfAbsent('lock', 'me', 400)).toBe(true);
        expect(await s.setIfAbsent('lock', 'you', 400)).toBe(false);
        expect(await s.get('lock')).toBe('me');
        await sleep(500);
        expect(await s.setIfAbsent('lock', 'you', 400)).toBe(true);
        expect(await s.get('lock')).toBe('you');
      }),
    );

    it(
      'releases and renews a lease only for its holder',
      withStore(async (s) => {
        await s.setIfAbsent('lease', 'holder', 100);
        expect(await s.expireIfEquals('lease', 'other', 60_000)).toBe(false);
        expect(await s.expireIfEquals('lease', 'holder', 60_000)).toBe(true);
        await sleep(150);
        expect(await s.get('lease')).toBe('holder');
        expect(await s.deleteIfEquals('lease', 'other')).toBe(false);
        expect(await s.deleteIfEquals('lease', 'holder')).toBe(true);
        expect(await s.get('lease')).toBeUndefined();
      }),
    );

    it(
      'counts with incr',
      withStore(async (s) => {
        expect(await s.incr('n')).toBe(1);
        expect(await s.incr('n', 5)).toBe(6);
        expect(await s.get('n')).toBe('6');
      }),
    );

    it(
      'gives set-if-absent to exactly one of 50 concurrent callers, across two connections',
      withStore(async (s) => {
        const other = await target.second(s);
        try {
          const results = await Promise.all(
            Array.from({ length: 50 }, (_, i) =>
              (i % 2 ? other : s).setIfAbsent('race', `caller-${i}`, 10_000),
            ),
          );
          expect(results.filter(Boolean)).toHaveLength(1);
          const winner = results.indexOf(true);
          expect(await other.get('race')).toBe(`caller-${winner}`);
        } finally {
          await other.close();
        }
      }),
    );
  });

  describe(`${name}: hashes and sets`, () => {
    it(
      'keeps hash fields',
      withStore(async (s) => {
        expect(await s.hgetall('h')).toEqual({});
        await s.hset('h', { a: '1', b: '2' });
        await s.hset('h', { b: '3' });
        expect(await s.hget('h', 'b')).toBe('3');
        expect(await s.hget('h', 'zz')).toBeUndefined();
        expect(await s.hgetall('h')).toEqual({ a: '1', b: '3' });
        expect(await s.hsetIfAbsent('h', 'a', '9')).toBe(false);
        expect(await s.hsetIfAbsent('h', 'c', '9')).toBe(true);
        expect(await s.hdel('h', 'a', 'nope')).toBe(1);
        expect(await s.hgetall('h')).toEqual({ b: '3', c: '9' });
        expect(await s.del('h')).toBe(1);
        expect(await s.hgetall('h')).toEqual({});
      }),
    );

    it(
      'reads the fields that start with a prefix, taken literally (glob characters and all)',
      withStore(async (s) => {
        const fields = [
          'a:1',
          'a:2',
          'ab:1',
          'b:a:1',
          'A:1',
          'a*:1',
          'a?:1',
          '[a]:1',
          'a\\:1',
          'đ:1',
          'đa:1',
        ];
        await s.hset('h', Object.fromEntries(fields.map((f) => [f, `v${f}`])));
        const only = (...names: string[]) => Object.fromEntries(names.map((f) => [f, `v${f}`]));
        expect(await s.hgetPrefixed('h', 'a:')).toEqual(only('a:1', 'a:2'));
        expect(await s.hgetPrefixed('h', 'a*:')).toEqual(only('a*:1'));
        expect(await s.hgetPrefixed('h', 'a?:')).toEqual(only('a?:1'));
        expect(await s.hgetPrefixed('h', '[a]:')).toEqual(only('[a]:1'));
        expect(await s.hgetPrefixed('h', 'a\\:')).toEqual(only('a\\:1'));
        expect(await s.hgetPrefixed('h', 'đ')).toEqual(only('đ:1', 'đa:1'));
        expect(await s.hgetPrefixed('h', 'c')).toEqual({});
        expect(await s.hgetPrefixed('h', '')).toEqual(only(...fields));
        expect(await s.hgetPrefixed('nothing', 'a')).toEqual({});
        // A large hash is walked whole: every matching field once, among thousands of others.
        const many: Record<string, string> = {};
        for (let i = 0; i < 3_000; i++) many[`${i % 3 === 0 ? 'x' : 'y'}:${i}`] = String(i);
        await s.hset('big', many);
        const xs = await s.hgetPrefixed('big', 'x:');
        expect(Object.keys(xs)).toHaveLength(1_000);
        expect(xs['x:2997']).toBe('2997');
      }),
    );

    it(
      'reads by prefix exactly what a filter on the field names would, whatever the characters',
      withStore(async (s) => {
        // Field names from glob and escape characters, so that any pattern left unescaped shows.
        const text = fc.string({
          unit: fc.constantFrom('a', 'B', ':', '*', '?', '[', ']', '\\', '^', '-', '!', '%', '_', 'đ'),
          maxLength: 6,
        });
        let run = 0;
        await fc.assert(
          fc.asyncProperty(fc.uniqueArray(text, { maxLength: 12 }), text, async (names, prefix) => {
            const key = `p${run++}`;
            if (names.length) await s.hset(key, Object.fromEntries(names.map((n) => [n, `v${n}`])));
            const expected = Object.fromEntries(
              names.filter((n) => n.startsWith(prefix)).map((n) => [n, `v${n}`]),
            );
            expect(await s.hgetPrefixed(key, prefix)).toEqual(expected);
          }),
          { numRuns: 60, seed: 16 },
        );
      }),
    );

    it(
      'keeps set members once each',
      withStore(async (s) => {
        expect(await s.sadd('s', 'x', 'y', 'x')).toBe(2);
        expect(await s.sadd('s', 'y')).toBe(0);
        expect((await s.smembers('s')).sort()).toEqual(['x', 'y']);
        expect(await s.sismember('s', 'x')).toBe(true);
        expect(await s.srem('s', 'x', 'q')).toBe(1);
        expect(await s.sismember('s', 'x')).toBe(false);
        expect(await s.smembers('empty')).toEqual([]);
      }),
    );
  });

  describe(`${name}: sorted sets`, () => {
    it(
      'orders by score then member, with range, offset and limit',
      withStore(async (s) => {
        await s.zadd('z', { member: 'c', score: 3 }, { member: 'a', score: 1 }, { member: 'b', score: 1 });
        await s.zadd('z', { member: 'd', score: 10 });
        expect(await s.zcard('z')).toBe(4);
        expect(await s.zscore('z', 'c')).toBe(3);
        expect(await s.zscore('z', 'nope')).toBeUndefined();
        expect((await s.zrangeByScore('z', 1, 3)).map((e) => e.member)).toEqual(['a', 'b', 'c']);
        expect(await s.zrangeByScore('z', 2, Number.POSITIVE_INFINITY)).toEqual([
          { member: 'c', score: 3 },
          { member: 'd', score: 10 },
        ]);
        expect(
          (await s.zrangeByScore('z', Number.NEGATIVE_INFINITY, 100, { offset: 1, limit: 2 })).map(
            (e) => e.member,
          ),
        ).toEqual(['b', 'c']);
        await s.zadd('z', { member: 'a', score: 20 });
        expect((await s.zrangeByScore('z', 0, 100)).map((e) => e.member)).toEqual(['b', 'c', 'd', 'a']);
        expect(await s.zrem('z', 'a', 'zz')).toBe(1);
        expect(await s.zcard('z')).toBe(3);
      }),
    );

    it(
      'claims due members lowest first, removing them, never those not yet due',
      withStore(async (s) => {
        await s.zadd(
          'due',
          { member: 'late', score: 500 },
          { member: 'm1', score: 100 },
          { member: 'm2', score: 200 },
          { member: 'm3', score: 300 },
        );
        expect(await s.claimDue('due', 250, 10)).toEqual([
          { member: 'm1', score: 100 },
          { member: 'm2', score: 200 },
        ]);
        expect(await s.claimDue('due', 250, 10)).toEqual([]);
        expect(await s.claimDue('due', 1000, 1)).toEqual([{ member: 'm3', score: 300 }]);
        expect((await s.zrangeByScore('due', 0, 1e9)).map((e) => e.member)).toEqual(['late']);
      }),
    );

    it(
      'with a lease keeps claimed members, due again only when the lease ends',
      withStore(async (s) => {
        await s.zadd('q', { member: 'job', score: 100 });
        expect(await s.claimDue('q', 150, 5, 1000)).toEqual([{ member: 'job', score: 100 }]);
        expect(await s.zscore('q', 'job')).toBe(1150);
        expect(await s.claimDue('q', 1149, 5, 1000)).toEqual([]);
        expect(await s.claimDue('q', 1150, 5, 1000)).toEqual([{ member: 'job', score: 1150 }]);
      }),
    );

    it(
      'hands each due member to exactly one of 50 concurrent claimers, across two connections',
      withStore(async (s) => {
        const other = await target.second(s);
        try {
          const members = Array.from({ length: 500 }, (_, i) => ({ member: `occ-${i}`, score: i }));
          await s.zadd('race', ...members);
          const claims = await Promise.all(
            Array.from({ length: 50 }, (_, i) =>
              (i % 2 ? other : s).claimDue('race', 10_000, 7, i % 3 ? 60_000 : undefined),
            ),
          );
          // 50 × 7 = 350 claimed now; the rest on a second round.
          const rest = await Promise.all(
            Array.from({ length: 50 }, (_, i) => (i % 2 ? other : s).claimDue('race', 10_000, 7)),
          );
          const taken = [...claims, ...rest].flat().map((c) => c.member);
          expect(taken).toHaveLength(500);
          expect(new Set(taken).size).toBe(500);
        } finally {
          await other.close();
        }
      }),
    );
  });

  describe(`${name}: atomic writes`, () => {
    it(
      'applies a batch of mixed writes in order',
      withStore(async (s) => {
        await s.set('gone', 'x');
        await s.write([
          { op: 'set', key: 'doc', value: 'v1' },
          { op: 'set', key: 'doc', value: 'v2' },
          { op: 'set', key: 'ttl', value: 'v', ttlMs: 400 },
          { op: 'del', key: 'gone' },
          { op: 'hset', key: 'h', fields: { a: '1', b: '2' } },
          { op: 'hdel', key: 'h', fields: ['a'] },
          { op: 'sadd', key: 's', members: ['x', 'y'] },
          { op: 'srem', key: 's', members: ['y'] },
          {
            op: 'zadd',
            key: 'z',
            entries: [
              { member: 'm', score: 5 },
              { member: 'n', score: 6 },
            ],
          },
          { op: 'zrem', key: 'z', members: ['n'] },
        ]);
        expect(await s.getMany(['doc', 'ttl', 'gone'])).toEqual(['v2', 'v', undefined]);
        expect(await s.hgetall('h')).toEqual({ b: '2' });
        expect(await s.smembers('s')).toEqual(['x']);
        expect(await s.zrangeByScore('z', 0, 10)).toEqual([{ member: 'm', score: 5 }]);
        await sleep(500);
        expect(await s.get('ttl')).toBeUndefined();
      }),
    );

    it(
      'leaves existing keys and members alone when writing if absent',
      withStore(async (s) => {
        await s.set('doc', 'first');
        await s.set('expired', 'old', 50);
        await s.zadd('z', { member: 'm', score: 1 });
        await sleep(100);
        const ifAbsent = [
          { op: 'set' as const, key: 'doc', value: 'second', ifAbsent: true },
          { op: 'set' as const, key: 'expired', value: 'new', ifAbsent: true },
          { op: 'set' as const, key: 'fresh', value: 'v', ttlMs: 60_000, ifAbsent: true },
          {
            op: 'zadd' as const,
            key: 'z',
            entries: [
              { member: 'm', score: 99 },
              { member: 'n', score: 2 },
            ],
            ifAbsent: true,
          },
        ];
        await s.write(ifAbsent);
        await s.write(ifAbsent);
        expect(await s.getMany(['doc', 'expired', 'fresh'])).toEqual(['first', 'new', 'v']);
        expect(await s.zrangeByScore('z', 0, 100)).toEqual([
          { member: 'm', score: 1 },
          { member: 'n', score: 2 },
        ]);
      }),
    );

    it(
      'shows another connection all of a batch or none of it',
      withStore(async (s) => {
        const other = await target.second(s);
        try {
          const ops = Array.from({ length: 200 }, (_, i) => ({
            op: 'sadd' as const,
            key: 'batch',
            members: [`m${i}`],
          }));
          const writing = s.write(ops);
          const seen: number[] = [];
          for (let i = 0; i < 20; i++) seen.push((await other.smembers('batch')).length);
          await writing;
          seen.push((await other.smembers('batch')).length);
          expect(seen.every((n) => n === 0 || n === 200)).toBe(true);
          expect(seen.at(-1)).toBe(200);
        } finally {
          await other.close();
        }
      }),
    );
    it(
      'applies writes of thousands of fields and members',
      withStore(async (s) => {
        const many = Array.from({ length: 2_500 }, (_, i) => `m${i}`);
        await s.write([
          { op: 'hset', key: 'h', fields: Object.fromEntries(many.map((m) => [m, m])) },
          { op: 'sadd', key: 's', members: many },
          { op: 'zadd', key: 'z', entries: many.map((member, score) => ({ member, score })), ifAbsent: true },
          { op: 'set', key: 'doc', value: 'v' },
        ]);
        expect(Object.keys(await s.hgetall('h'))).toHaveLength(2_500);
        expect(await s.smembers('s')).toHaveLength(2_500);
        expect(await s.zcard('z')).toBe(2_500);
        await s.write([
          { op: 'hdel', key: 'h', fields: many.slice(1) },
          { op: 'srem', key: 's', members: many.slice(1) },
          { op: 'zrem', key: 'z', members: many.slice(1) },
        ]);
        expect(await s.hgetall('h')).toEqual({ m0: 'm0' });
        expect(await s.smembers('s')).toEqual(['m0']);
        expect(await s.zrangeByScore('z', 0, 10_000)).toEqual([{ member: 'm0', score: 0 }]);
        expect(await s.get('doc')).toBe('v');
      }),
    );

    it(
      'keeps the order of reads and writes asked for at once, by many callers',
      withStore(async (s) => {
        const [before, , between, , field, after] = await Promise.all([
          s.get('doc'),
          s.write([{ op: 'set', key: 'doc', value: '1' }]),
          s.get('doc'),
          s.write([
            { op: 'hset', key: 'h', fields: { f: 'x' } },
            { op: 'set', key: 'doc', value: '2' },
          ]),
          s.hget('h', 'f'),
          s.getMany(['doc', 'missing']),
        ]);
        expect(before).toBeUndefined();
        expect(between).toBe('1');
        expect(field).toBe('x');
        expect(after).toEqual(['2', undefined]);
      }),
    );

    it(
      'applies nothing of a batch that fails part-way, alone or asked for with others',
      withStore(async (s) => {
        await s.set('doc', 'before');
        await s.hset('h', { kept: '1' });
        await s.zadd('due', { member: 'a', score: 1 });
        // A score that is not a number fails its write on every adapter, after four writes of the batch.
        const failing = [
          { op: 'set', key: 'doc', value: 'after' },
          { op: 'hset', key: 'h', fields: { added: '2' } },
          { op: 'sadd', key: 's', members: ['m'] },
          { op: 'zadd', key: 'due', entries: [{ member: 'b', score: 2 }] },
          { op: 'zadd', key: 'due', entries: [{ member: 'c', score: Number.NaN }] },
          { op: 'del', key: 'h' },
        ] satisfies WriteOp[];
        await expect(s.write(failing)).rejects.toThrow();
        const [, , together] = await Promise.allSettled([
          s.write([{ op: 'set', key: 'other', value: 'x' }]),
          s.write([{ op: 'sadd', key: 'others', members: ['y'] }]),
          s.write(failing),
        ]);
        expect(together?.status).toBe('rejected');
        expect(await s.get('doc')).toBe('before');
        expect(await s.hgetall('h')).toEqual({ kept: '1' });
        expect(await s.smembers('s')).toEqual([]);
        expect(await s.zrangeByScore('due', 0, 10)).toEqual([{ member: 'a', score: 1 }]);
        // The batches asked for alongside are applied all the same.
        expect(await s.get('other')).toBe('x');
        expect(await s.smembers('others')).toEqual(['y']);
      }),
    );
  });

  describe(`${name}: writes no adapter can store`, () => {
    it(
      'refuses a TTL or a score that is no number, writing nothing of its batch',
      withStore(async (s) => {
        await s.set('doc', 'before');
        for (const bad of [
          { op: 'set', key: 'lease', value: 'x', ttlMs: Number.NaN },
          { op: 'set', key: 'lease', value: 'x', ttlMs: Number.POSITIVE_INFINITY, ifAbsent: true },
          { op: 'zadd', key: 'due', entries: [{ member: 'c', score: Number.NaN }] },
        ] satisfies WriteOp[]) {
          await expect(s.write([{ op: 'set', key: 'doc', value: 'after' }, bad])).rejects.toThrow(
            InvalidWriteError,
          );
          // Alongside others' batches, it fails alone.
          const [other, mine] = await Promise.allSettled([
            s.write([{ op: 'sadd', key: 'others', members: ['y'] }]),
            s.write([{ op: 'hset', key: 'h', fields: { a: '1' } }, bad]),
          ]);
          expect([other.status, mine.status]).toEqual(['fulfilled', 'rejected']);
        }
        await expect(s.set('lease', 'x', Number.NaN)).rejects.toThrow(InvalidWriteError);
        await expect(s.setIfAbsent('lease', 'x', Number.NaN)).rejects.toThrow(InvalidWriteError);
        await expect(s.zadd('due', { member: 'd', score: Number.NaN })).rejects.toThrow(InvalidWriteError);
        expect(await s.get('doc')).toBe('before');
        expect(await s.get('lease')).toBeUndefined();
        expect(await s.hgetall('h')).toEqual({});
        expect(await s.zrangeByScore('due', Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)).toEqual([]);
        expect(await s.smembers('others')).toEqual(['y']);
      }),
    );
  });

  describe(`${name}: health`, () => {
    it(
      'answers ping while open and refuses after close',
      withStore(async (s) => {
        await expect(s.ping()).resolves.toBeUndefined();
        const other = await target.second(s);
        await other.close();
        await expect(other.ping()).rejects.toThrow();
      }),
    );
  });
}
