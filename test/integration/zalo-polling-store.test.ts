import { type ChildProcess, spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ZaloBot } from '../../src/channels/zalo/client.js';
import { createZaloInbox } from '../../src/channels/zalo/inbox.js';
import { pollOnOneReplica } from '../../src/channels/zalo/poller.js';
import type { ZaloMessage } from '../../src/channels/zalo/types.js';
import { createLogger } from '../../src/logger.js';
import { RedisStore } from '../../src/store/redis.js';
import { FakeZalo, zaloUpdate } from '../support/fake-zalo.js';
import { freePort } from '../support/ports.js';

/**
 * Zalo has no update offset: getUpdates hands each update out once. While the store is down, polling must pause
 * (and an update already taken be held until the store is back), or the update is gone. The store here is a
 * Redis server of the test's own, on a port of its own, stopped and started again by the test.
 */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A Redis server without persistence, answering once it logs that it is ready. */
async function redisServer(port: number): Promise<{ stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', () => reject(new Error(`redis-server on ${port} exited: ${out}`)));
  });
  return {
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function recordingLog() {
  const messages: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      messages.push(JSON.parse(String(chunk)).msg);
      done();
    },
  });
  return { log: createLogger({ level: 'info', format: 'json', destination }), messages };
}

describe('Zalo polling while the store is down', () => {
  it('pauses, loses nothing, and resumes once the store is back', async () => {
    const port = await freePort();
    let redis = await redisServer(port);
    cleanups.push(() => redis.stop());
    const store = new RedisStore({ url: `redis://127.0.0.1:${port}`, keyPrefix: 'polling:' });
    cleanups.push(() => store.close());
    const zalo = await FakeZalo.start();
    cleanups.push(() => zalo.close());
    const { log, messages } = recordingLog();

    const bot = new ZaloBot(zalo.token, {
      baseApiUrl: zalo.baseApiUrl,
      polling: { autoStart: false, params: { timeout: 1 } },
    });
    await bot.getMe();
    const handled: ZaloMessage[] = [];
    const inbox = createZaloInbox({
      store,
      bot,
      channel: { receive: async (msg) => void handled.push(msg), reply: async () => undefined },
      log,
      now: Date.now,
      storeTimeoutMs: 300,
      sweepMs: 100,
    });
    inbox.start();
    cleanups.push(() => inbox.stop());
    const poller = pollOnOneReplica(bot, store, { log, leaseMs: 1_500, inbox });
    cleanups.push(() => poller.stop());

    zalo.queueUpdate(zaloUpdate({ text: 'một' }, { chatId: 'mai' }));
    await vi.waitFor(() => expect(handled.map((m) => m.text)).toEqual(['một']), { timeout: 5_000 });

    await redis.stop();
    // Sent while the store is down: polling pauses rather than take it with nowhere to keep it.
    zalo.queueUpdate(zaloUpdate({ text: 'hai' }, { chatId: 'mai' }));
    await vi.waitFor(() => expect(messages).toContain('The store is unreachable: Zalo polling paused'), {
      timeout: 10_000,
    });
    expect(handled.map((m) => m.text)).toEqual(['một']);

    redis = await redisServer(port);
    await vi.waitFor(() => expect(handled.map((m) => m.text)).toEqual(['một', 'hai']), { timeout: 15_000 });
    await vi.waitFor(() => expect(messages).toContain('The store answers again: Zalo polling resumed'));
  }, 40_000);
});
