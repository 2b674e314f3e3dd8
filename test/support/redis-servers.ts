import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';

/**
 * Real redis-server processes a test starts for itself on free ports (master, replicas, sentinels, a Cluster
 * node), never the machine's Redis on 6379 that every other test shares. Each lives in its own temporary
 * directory; `stopAll` kills them and removes it.
 */
const required = process.env.CI === 'true' || process.env.REQUIRE_REDIS === '1';

/** Whether `redis-server` is on PATH. In CI (or with REQUIRE_REDIS=1) its absence fails the run. */
export function redisServerInstalled(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    const why = 'redis-server is not on PATH: the tests that start their own Redis processes need it';
    if (required) throw new Error(`${why} (CI or REQUIRE_REDIS=1). Install redis-server.`);
    console.warn(`\n⚠ ${why}: they are SKIPPED.\n`);
    return false;
  }
}

export interface RedisProcess {
  port: number;
  child: ChildProcess;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
}

export class RedisServers {
  readonly dir = mkdtempSync(join(tmpdir(), 'chibo-redis-'));
  private readonly running = new Set<ChildProcess>();

  /** A redis-server without persistence on a free port (or `port`); resolves once it answers PING. */
  async server(options: { port?: number; args?: string[]; password?: string } = {}): Promise<RedisProcess> {
    const port = options.port ?? (await freePort());
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      '--dbfilename',
      `dump-${port}.rdb`,
      ...(options.password ? ['--requirepass', options.password, '--masterauth', options.password] : []),
      ...(options.args ?? []),
    ];
    return this.start(['redis-server', ...args], port, options.password);
  }

  /**
   * A sentinel monitoring `master` as `name`, quick to act: down after `downAfterMs`; a failover that stalls is
   * given up after `failoverTimeoutMs`, and tried again after twice that.
   */
  async sentinel(
    name: string,
    masterPort: number,
    quorum: number,
    { downAfterMs = 1_000, failoverTimeoutMs = 10_000 } = {},
  ): Promise<RedisProcess> {
    const port = await freePort();
    const conf = join(this.dir, `sentinel-${port}.conf`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${masterPort} ${quorum}`,
        `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
        `sentinel failover-timeout ${name} ${failoverTimeoutMs}`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    return this.start(['redis-server', conf, '--sentinel'], port);
  }

  private async start(command: string[], port: number, password?: string): Promise<RedisProcess> {
    const [bin, ...args] = command as [string, ...string[]];
    const child = spawn(bin, args, { stdio: 'ignore' });
    this.running.add(child);
    child.once('exit', () => this.running.delete(child));
    const probe = new Redis({
      port,
      host: '127.0.0.1',
      password,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    probe.on('error', () => {});
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await probe.connect();
        await probe.ping();
        break;
      } catch (err) {
        probe.disconnect();
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`${command.join(' ')} did not answer on ${port}: ${(err as Error).message}`);
        await sleep(50);
      }
    }
    probe.disconnect();
    return {
      port,
      child,
      kill: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      },
    };
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.running].map(async (child) => {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
