import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type App, startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { ReadinessReport } from '../../src/readiness.js';
import { FAKE_TOKEN, FakeTelegram } from '../support/fake-telegram.js';
import { FAKE_ZALO_TOKEN, FakeZalo } from '../support/fake-zalo.js';
import { freePort as closedPort } from '../support/ports.js';

const quiet = createLogger({ level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function readyz(app: App) {
  const res = await fetch(`http://127.0.0.1:${app.port}/readyz`);
  return { status: res.status, body: (await res.json()) as ReadinessReport['body'] };
}

describe('start-up with both Bot APIs unreachable', () => {
  it('serves HTTP at once, reports both channels retrying with their last error, and connects once they answer', async () => {
    const [telegramPort, zaloPort] = [await closedPort(), await closedPort()];
    // Resolving at all is the point: before, start-up waited on setMyCommands for ever.
    const app = await startApp(
      loadConfig({
        PORT: '0',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'chibo-startup-')),
        TELEGRAM_BOT_TOKEN: FAKE_TOKEN,
        TELEGRAM_API_ROOT: `http://127.0.0.1:${telegramPort}`,
        ZALO_BOT_TOKEN: FAKE_ZALO_TOKEN,
        ZALO_API_ROOT: `http://127.0.0.1:${zaloPort}`,
        PUBLIC_URL: 'https://chibo.example.vn',
      }),
      { log: quiet, connectBackoff: { initialMs: 50, maxMs: 200 } },
    );
    cleanups.push(() => app.stop());

    // Alive (process and store) while not ready.
    expect((await fetch(`http://127.0.0.1:${app.port}/healthz`)).status).toBe(200);
    const down = await vi.waitFor(async () => {
      const r = await readyz(app);
      expect(r.body.channels.telegram?.state).toBe('retrying');
      expect(r.body.channels.zalo?.state).toBe('retrying');
      return r;
    });
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: 'not_ready',
      store: { kind: 'sqlite', ok: true },
      channels: {
        telegram: { ok: false, state: 'retrying', lastError: expect.stringContaining('getMe') },
        zalo: { ok: false, state: 'retrying', lastError: expect.stringContaining('ECONNREFUSED') },
      },
      scheduler: { ok: true },
    });
    expect(down.body.channels.telegram?.attempts).toBeGreaterThanOrEqual(1);
    // The last error never carries a token.
    expect(JSON.stringify(down.body)).not.toContain(FAKE_TOKEN);
    expect(JSON.stringify(down.body)).not.toContain(FAKE_ZALO_TOKEN);

    // The Bot APIs come up where the service was told they are.
    const telegram = await FakeTelegram.start({ port: telegramPort });
    const zalo = await FakeZalo.start({ port: zaloPort });
    cleanups.push(
      () => telegram.close(),
      () => zalo.close(),
    );
    expect(await app.channelsConnected).toBe(true);
    const up = await readyz(app);
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({
      status: 'ready',
      channels: { telegram: { ok: true, state: 'connected' }, zalo: { ok: true, state: 'connected' } },
    });
    // What start-up used to do before serving is done now: the command menu set, Telegram and Zalo polled.
    expect(telegram.commands.length).toBeGreaterThan(0);
    expect(zalo.calls.map((c) => c.method)).toContain('getMe');
    await vi.waitFor(() => expect(zalo.waitingPolls).toBe(1));
  });

  it('answers /readyz 503 while the store is unreachable, /healthz too', async () => {
    const app = await startApp(
      loadConfig({ PORT: '0', REDIS_URL: `redis://127.0.0.1:${await closedPort()}` }),
      {
        log: quiet,
      },
    );
    cleanups.push(() => app.stop());
    const r = await readyz(app);
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ status: 'not_ready', store: { kind: 'redis', ok: false } });
    expect((await fetch(`http://127.0.0.1:${app.port}/healthz`)).status).toBe(503);
  });
});

describe('npm start', () => {
  /** Whether any process of the group is alive (signal 0 only checks). */
  const groupAlive = (pgid: number) => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('stops on SIGTERM sent to npm: every process of its group exits and the port closes', async () => {
    const port = await closedPort();
    // Its own process group, as a service manager or a terminal gives it.
    const npm: ChildProcess = spawn('npm', ['start'], {
      detached: true,
      env: { ...process.env, PORT: String(port), DATA_DIR: mkdtempSync(join(tmpdir(), 'chibo-npm-')) },
      stdio: 'ignore',
    });
    const pgid = npm.pid as number;
    cleanups.push(async () => {
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    });
    await vi.waitFor(async () => expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200), {
      timeout: 30_000,
      interval: 200,
    });

    npm.kill('SIGTERM');

    await vi.waitFor(() => expect(groupAlive(pgid)).toBe(false), { timeout: 10_000, interval: 100 });
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  }, 60_000);
});
