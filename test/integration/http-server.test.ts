import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp, listen } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { LogLines } from '../support/log-lines.js';
import { rawRequest } from '../support/raw-http.js';
import {
  METRICS_TOKEN,
  startWebhookApp,
  TELEGRAM_HOOK,
  TELEGRAM_SECRET,
  type WebhookApp,
  ZALO_HOOK,
  ZALO_SECRET,
} from '../support/webhook-app.js';

/**
 * The running service's HTTP server, reached at the socket with bytes no HTTP client would send. Whatever
 * arrives, it answers (400 for what is not a request it can read) and keeps serving: nothing goes unhandled.
 */
let w: WebhookApp;
const unhandled: unknown[] = [];
const record = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
  w = await startWebhookApp();
});
afterAll(async () => {
  await w.stop();
  process.off('unhandledRejection', record);
  process.off('uncaughtException', record);
});

const get = (target: string, headers = 'Host: chibo.example.vn\r\n') =>
  `GET ${target} HTTP/1.1\r\n${headers}\r\n`;
const post = (path: string, headers: string, body: string) =>
  `POST ${path} HTTP/1.1\r\nHost: chibo.example.vn\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

async function healthy() {
  const res = await rawRequest(w.app.port, get('/healthz'));
  expect(res.status).toBe(200);
}

describe('the HTTP server at the socket', () => {
  it('answers the two requests that used to stop the process with 400, and keeps serving', async () => {
    for (const target of ['/r/%', '/r/%E0%A4%A']) {
      const res = await rawRequest(w.app.port, get(target));
      expect(res.status, target).toBe(400);
      await healthy();
    }
    const absolute = await rawRequest(w.app.port, 'GET http://[ HTTP/1.1\r\nHost: chibo.example.vn\r\n\r\n');
    expect(absolute.status).toBe(400);
    await healthy();
    expect(unhandled).toEqual([]);
  });

  const form = 'answer=present&note='.padEnd(5_000, 'x');
  const table: [what: string, request: string, status: number][] = [
    ['a lone % in the path', get('/healthz/%'), 400],
    ['a truncated UTF-8 escape', get('/r/%E0%A4%A'), 400],
    ['an overlong UTF-8 escape', get('/r/%C0%AF'), 400],
    ['a non-hex escape', get('/r/%ZZ'), 400],
    ['a broken escape in the query', get('/healthz?x=%G1'), 400],
    ['an absolute target that is no URL', get('http://['), 400],
    ['an absolute target with another scheme', get('ftp://chibo.example.vn/healthz'), 400],
    ['a backslash in the path', get('/r/a\\b'), 400],
    ['the asterisk target', get('*'), 400],
    ['a NUL in the target', get('/healthz\x00'), 400],
    ['raw UTF-8 in the target', get('/héllo'), 400],
    ['an invalid Host', get('/healthz', 'Host: [::\r\n'), 400],
    ['no request line at all', 'GARBAGE\r\n\r\n', 400],
    ['an unknown HTTP version', 'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n', 400],
    ['a header line without a colon', get('/healthz', 'Host: x\r\nNo colon here\r\n'), 400],
    ['two Content-Lengths', get('/healthz', 'Host: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n'), 400],
    [
      'Content-Length and chunked together',
      post(TELEGRAM_HOOK, 'Transfer-Encoding: chunked\r\n', '0\r\n\r\n'),
      400,
    ],
    ['HTTP/1.0 without a Host', 'GET /healthz HTTP/1.0\r\n\r\n', 200],
    ['an unknown path', get('/wp-login.php'), 404],
    ['a known path with another method', 'DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 404],
    ['a webhook without its secret', post(ZALO_HOOK, '', '{}'), 401],
    ['/metrics without the token', get('/metrics'), 401],
    [
      '/metrics with the token',
      get('/metrics', `Host: x\r\nAuthorization: Bearer ${METRICS_TOKEN}\r\n`),
      200,
    ],
    [
      'an answer-page form over 4 KiB',
      post('/r/abc.def', 'Content-Type: application/x-www-form-urlencoded\r\n', form),
      413,
    ],
    [
      'a webhook body over 1 MiB, announced',
      `POST ${TELEGRAM_HOOK} HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: ${TELEGRAM_SECRET}\r\nContent-Length: 2000000\r\n\r\n{`,
      413,
    ],
  ];

  it.each(table)('%s → %i', async (_what, request, status) => {
    const res = await rawRequest(w.app.port, request);
    expect(res.status).toBe(status);
    // Never a detail of what went wrong: 4xx answers are a word or an empty body.
    if (status >= 400) expect(res.body).not.toMatch(/Error|at .*\.ts|stack/);
  });

  it('takes a chunked webhook body over 1 MiB no further than the limit (413)', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    const chunks = Array.from({ length: 20 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
    const res = await rawRequest(
      w.app.port,
      `POST ${ZALO_HOOK} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`,
    );
    expect(res.status).toBe(413);
  });

  it('takes a client hanging up half-way through a body as gone, not as a failure', async () => {
    const socket = connect(w.app.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST ${ZALO_HOOK} HTTP/1.1\r\nHost: x\r\nX-Bot-Api-Secret-Token: ${ZALO_SECRET}\r\n` +
        'Content-Length: 1000\r\n\r\n{"event_name":',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    await healthy();
    expect(w.logs.at(50)).toEqual([]);
  });

  it('has logged no handler failure and left nothing unhandled', async () => {
    await healthy();
    expect(w.logs.at(50)).toEqual([]);
    expect(unhandled).toEqual([]);
  });
});

describe('the HTTP app around any route', () => {
  it('logs a failing route once with its request id and route, and answers a bare 500', async () => {
    const logs = new LogLines();
    const app = createHttpApp(createLogger({ level: 'info', destination: logs })).get('/r/:token', () => {
      throw new Error('the store is down');
    });
    const server = await listen(app, { port: 0, host: '127.0.0.1' });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/r/secret-token`, {
        headers: { 'x-request-id': 'req-42' },
      });
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('Internal error');
      expect(logs.lines).toMatchObject([
        { level: 50, requestId: 'req-42', route: '/r/:token', err: { message: 'the store is down' } },
      ]);
      // The path of an answer link is its bearer token: it stays out of the log.
      expect(logs.raw.join('')).not.toContain('secret-token');
    } finally {
      await server.close();
    }
  });

  it('logs an error of the server itself (accept failing) and keeps serving', async () => {
    const logs = new LogLines();
    const log = createLogger({ level: 'info', destination: logs });
    const server = await listen(
      createHttpApp(log).get('/ok', (c) => c.text('ok')),
      {
        port: 0,
        host: '127.0.0.1',
        log,
      },
    );
    try {
      // What Node emits when accept() fails (too many open files); with no listener it would be thrown.
      server.node.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }));
      expect(logs.lines).toMatchObject([{ level: 50, msg: 'HTTP server error; still serving' }]);
      const res = await fetch(`http://127.0.0.1:${server.port}/ok`);
      expect(await res.text()).toBe('ok');
    } finally {
      await server.close();
    }
  });

  it('closes only once the requests in flight are answered', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const app = createHttpApp(createLogger({ level: 'silent' })).get('/slow', async (c) => {
      entered();
      await held;
      return c.text('done');
    });
    const server = await listen(app, { port: 0, host: '127.0.0.1' });
    const answer = fetch(`http://127.0.0.1:${server.port}/slow`);
    await inside;
    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    release();
    const res = await answer;
    expect(await res.text()).toBe('done');
    await closing;
    expect(closed).toBe(true);
  });
});
