import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { bundled } from '../support/bundle.js';

const dir = mkdtempSync(join(tmpdir(), 'chibo-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = createLogger({ level: 'silent' });

function runMain(env: Record<string, string>): ChildProcess {
  return spawn(...bundled('main'), {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ChildProcess) {
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { output: () => out, exited };
}

describe('the service', () => {
  it('serves /healthz 200 with the store status on SQLite', async () => {
    const app = await startApp(loadConfig({ PORT: '0', DATA_DIR: join(dir, 'a') }), { log: quiet });
    try {
      const res = await fetch(`http://127.0.0.1:${app.port}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', store: { kind: 'sqlite', ok: true } });
      const metrics = await fetch(`http://127.0.0.1:${app.port}/metrics`);
      expect(await metrics.text()).toContain('chibo_outbox_queue_depth');
    } finally {
      await app.stop();
    }
  });

  it('answers /healthz 503 while the store is unreachable', async () => {
    const app = await startApp(loadConfig({ PORT: '0', REDIS_URL: 'redis://127.0.0.1:1' }), { log: quiet });
    try {
      const res = await fetch(`http://127.0.0.1:${app.port}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', store: { kind: 'redis', ok: false } });
    } finally {
      await app.stop();
    }
  });

  it('exits non-zero on a bad environment, naming each bad variable and no secret', async () => {
    const run = collect(runMain({ PORT: 'abc', REDIS_URL: 'nonsense', ZALO_BOT_TOKEN: 'tiny' }));
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toMatch(/PORT: /);
    expect(run.output()).toMatch(/REDIS_URL: /);
    expect(run.output()).toMatch(/ZALO_BOT_TOKEN: /);
    expect(run.output()).not.toContain('nonsense');
    expect(run.output()).not.toContain('tiny');
  });

  it('refuses to start with a bad policy file, naming the file, the path inside it and the problem', async () => {
    const run = collect(
      runMain({
        PORT: '0',
        DATA_DIR: join(dir, 'policy'),
        POLICY: 'test/fixtures/policy/negative-window.json',
      }),
    );
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toMatch(/negative-window\.json at visits\[\d\]\.windowMonths: must be positive/);
    expect(run.output()).not.toContain('chibo is running');
  });

  it('starts with no environment, says what it runs with, and stops cleanly on SIGTERM', async () => {
    const child = runMain({ PORT: '0', DATA_DIR: join(dir, 'main'), LOG_FORMAT: 'pretty' });
    const run = collect(child);
    const deadline = Date.now() + 15_000;
    while (!/chibo is running/.test(run.output()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(run.output()).toContain('store:    SQLite at');
    expect(run.output()).toContain('channels: none');
    expect(run.output()).toContain('TELEGRAM_BOT_TOKEN');
    child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('Stopped');
  });
});
