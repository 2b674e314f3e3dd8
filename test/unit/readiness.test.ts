import { describe, expect, it } from 'vitest';
import { Readiness } from '../../src/readiness.js';
import { keys } from '../../src/store/keys.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { sqliteFile, TestClock } from '../support/world.js';

const MINUTE = 60_000;

function setup() {
  const store = new SqliteStore(sqliteFile());
  const clock = new TestClock(Date.parse('2026-11-26T03:00:00Z'));
  return { store, clock, readiness: new Readiness({ store, now: clock.now }) };
}

describe('readiness (/readyz)', () => {
  it('is ready with the store answering, every channel connected and a recent tick', async () => {
    const { store, clock, readiness } = setup();
    const telegram = readiness.addChannel('telegram');
    expect((await readiness.report()).status).toBe(503);

    telegram.set({ state: 'connected', since: clock.now() });
    await store.set(keys.schedulerLastTick(), String(clock.now()));
    clock.advance(30_000);
    expect(await readiness.report()).toEqual({
      status: 200,
      body: {
        status: 'ready',
        store: { kind: 'sqlite', ok: true },
        channels: { telegram: { ok: true, state: 'connected', sinceMs: 30_000 } },
        scheduler: { ok: true, lastTickAgeMs: 30_000 },
      },
    });
  });

  it('is not ready while a channel retries, showing its last error and attempts', async () => {
    const { clock, readiness } = setup();
    readiness.addChannel('zalo').set({
      state: 'retrying',
      attempts: 4,
      lastError: 'EFATAL: getMe: connect ECONNREFUSED 127.0.0.1:9',
      nextAttemptAt: clock.now() + 8_000,
    });
    const { status, body } = await readiness.report();
    expect(status).toBe(503);
    expect(body.channels.zalo).toEqual({
      ok: false,
      state: 'retrying',
      attempts: 4,
      lastError: 'EFATAL: getMe: connect ECONNREFUSED 127.0.0.1:9',
      nextAttemptInMs: 8_000,
    });
  });

  it('is not ready when the scheduler has not ticked for three minutes, or never since start', async () => {
    const { store, clock, readiness } = setup();
    await store.set(keys.schedulerLastTick(), String(clock.now() - 3 * MINUTE - 1));
    expect(await readiness.report()).toMatchObject({
      status: 503,
      body: { scheduler: { ok: false, lastTickAgeMs: 3 * MINUTE + 1 } },
    });

    await store.del(keys.schedulerLastTick());
    expect((await readiness.report()).body.scheduler).toEqual({ ok: true, lastTickAgeMs: null });
    clock.advance(3 * MINUTE + 1);
    expect((await readiness.report()).body.scheduler).toEqual({ ok: false, lastTickAgeMs: null });
  });

  it('takes the store adapter’s word on its connection', async () => {
    const { store, clock, readiness } = setup();
    await store.set(keys.schedulerLastTick(), String(clock.now()));
    readiness.reportStore({ ok: false, error: 'connect ECONNREFUSED 127.0.0.1:6379' });
    expect(await readiness.report()).toMatchObject({
      status: 503,
      body: { store: { kind: 'sqlite', ok: false, error: 'connect ECONNREFUSED 127.0.0.1:6379' } },
    });
    readiness.reportStore({ ok: true });
    expect((await readiness.report()).status).toBe(200);
  });
});
