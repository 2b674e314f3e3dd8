import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openStore, storeConnection } from '../../src/open-store.js';
import type { ConnectionState } from '../../src/store/redis.js';
import { bundled } from '../support/bundle.js';
import { freePort } from '../support/ports.js';
import { RedisServers, redisServerInstalled } from '../support/redis-servers.js';

/**
 * The Redis connection as operators live with it, against redis-server processes this file starts on free
 * ports: each change of state is logged once (not once per reconnect attempt), in English, without the
 * password the URL carries; a Cluster node is refused at start with the reason.
 */
const installed = redisServerInstalled();
const servers = new RedisServers();
afterAll(() => servers.stopAll());

interface Line {
  level: number;
  msg: string;
  error?: string;
  store?: string;
}

function capture() {
  const lines: Line[] = [];
  const raw: string[] = [];
  const log = createLogger({
    level: 'info',
    destination: {
      write: (line: string) => {
        raw.push(line);
        lines.push(JSON.parse(line));
      },
    },
  });
  return { log, lines, raw, messages: () => lines.map((l) => l.msg) };
}

const PASSWORD = 'pw-Only-The-Operator-Knows-9f3k';

describe.runIf(installed)('the Redis connection', () => {
  it('logs connected, lost (with the error) and ready again, once each, and never the password', {
    timeout: 20_000,
  }, async () => {
    const server = await servers.server({ password: PASSWORD });
    const { log, lines, raw, messages } = capture();
    const config = loadConfig({
      REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${server.port}/0`,
      REDIS_KEY_PREFIX: 'conn-test:',
    });
    const store = openStore(config, log);
    const states: ConnectionState[] = [];
    storeConnection(store).onStateChange(({ state }) => states.push(state));
    try {
      await store.write([{ op: 'set', key: 'a', value: '1' }]);
      await vi.waitFor(() => expect(messages()).toEqual(['Redis connected']));
      expect(storeConnection(store).state().state).toBe('ready');

      await server.kill();
      // Several reconnect attempts (100 ms, 200 ms, …) go by: still one line.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(messages()).toEqual(['Redis connected', 'Redis connection lost; reconnecting']);
      expect(lines[1]?.level).toBe(40);
      expect(lines[1]?.error).toMatch(/ECONNREFUSED|ECONNRESET|Connection is closed|connection closed/);
      expect(storeConnection(store).state()).toMatchObject({ state: 'reconnecting', wasReady: true });
      // A write while Redis is down waits for it and lands once it is back.
      const waiting = store.write([{ op: 'set', key: 'b', value: '2' }]);

      await servers.server({ port: server.port, password: PASSWORD });
      await waiting;
      await vi.waitFor(() => expect(messages().at(-1)).toBe('Redis ready again'), { timeout: 5_000 });
      expect(messages()).toEqual([
        'Redis connected',
        'Redis connection lost; reconnecting',
        'Redis ready again',
      ]);
      expect(await store.get('b')).toBe('2');
      expect(states).toEqual(['ready', 'reconnecting', 'ready']);
      expect(lines[0]?.store).toBe(`Redis at redis://127.0.0.1:${server.port} (key prefix "conn-test:")`);
      expect(raw.join('')).not.toContain(PASSWORD);
    } finally {
      await store.close();
    }
    expect(storeConnection(store).state().state).toBe('closed');
  });

  it('shows the connection in /readyz: down with its error while Redis is away, ready once it is back', {
    timeout: 20_000,
  }, async () => {
    const server = await servers.server();
    const app = await startApp(
      loadConfig({ PORT: '0', REDIS_URL: `redis://127.0.0.1:${server.port}`, REDIS_KEY_PREFIX: 'readyz:' }),
      { log: createLogger({ level: 'silent' }) },
    );
    const readyz = async () => {
      const res = await fetch(`http://127.0.0.1:${app.port}/readyz`);
      return { status: res.status, store: ((await res.json()) as { store: Record<string, unknown> }).store };
    };
    try {
      await vi.waitFor(async () => expect((await readyz()).store).toEqual({ kind: 'redis', ok: true }));
      await server.kill();
      await vi.waitFor(
        async () =>
          expect(await readyz()).toMatchObject({
            status: 503,
            store: {
              kind: 'redis',
              ok: false,
              error: expect.stringMatching(/ECONNREFUSED|ECONNRESET|closed/),
            },
          }),
        // Each probe waits for the store up to a second.
        { timeout: 5_000 },
      );
      await servers.server({ port: server.port });
      await vi.waitFor(async () => expect((await readyz()).store).toEqual({ kind: 'redis', ok: true }), {
        timeout: 5_000,
      });
    } finally {
      await app.stop();
    }
  });

  it('says once that Redis is unreachable at start, with the error, however many times it retries', async () => {
    const { log, lines, messages } = capture();
    const port = await freePort();
    const store = openStore(loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}` }), log);
    try {
      await new Promise((r) => setTimeout(r, 1_200));
      expect(messages()).toEqual(['Redis unreachable; retrying']);
      expect(lines[0]?.error).toContain('ECONNREFUSED');
      expect(storeConnection(store).state()).toMatchObject({ state: 'reconnecting', wasReady: false });
    } finally {
      await store.close();
    }
  });

  it('refuses a Redis Cluster node at start: the service exits 2 saying why', {
    timeout: 20_000,
  }, async () => {
    const node = await servers.server({
      args: ['--cluster-enabled', 'yes', '--cluster-config-file', join(servers.dir, 'nodes.conf')],
    });
    const child = spawn(...bundled('main'), {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        LOG_FORMAT: 'json',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'chibo-cluster-')),
        REDIS_URL: `redis://127.0.0.1:${node.port}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    const refused = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line)
      .find((l) => l.msg === 'Redis refused');
    expect(refused?.error).toMatch(/^Redis Cluster is not supported: the store runs multi-key Lua scripts/);
  });
});
