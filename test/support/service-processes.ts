import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ShownMessage, TelegramUser } from './app-harness.js';
import { buttonsOf } from './app-harness.js';
import { bundled } from './bundle.js';
import { killedAtEnd } from './children.js';
import type { FakeTelegram, RecordedMessage } from './fake-telegram.js';
import { freePort } from './ports.js';

/**
 * Whole service processes, started as an operator's `npm start` starts them (src/main.ts, here from the run's
 * bundle, test/support/bundle.ts; the startup test runs `npm start` itself), configured by environment, on a
 * clock the test moves through a file (TEST_CLOCK_FILE, honoured only with NODE_ENV=test). People reach each
 * process over HTTP through its Telegram webhook, as Telegram would.
 */
export interface LogLine {
  level: number;
  msg: string;
  replica?: string;
  [field: string]: unknown;
}

export class ServiceProcess {
  readonly lines: LogLine[] = [];
  /** The service's own node process, from the replica id its log lines carry. */
  pid = 0;
  replicaId = '';
  readonly exited: Promise<number | null>;
  private stderr = '';

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr?.on('data', (d) => {
      this.stderr += d;
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {}
    });
  }

  /**
   * The service with exactly `env` (plus PATH and HOME) on a free port; resolves once it says it is running. A
   * port is free when asked for, but another test's socket may take it before the service binds it: then the
   * service starts again on another.
   */
  static async start(name: string, env: Record<string, string>): Promise<ServiceProcess> {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        return await ServiceProcess.startOn(name, port, env);
      } catch (err) {
        if (attempt === 3 || !(err instanceof Error && err.message.includes('EADDRINUSE'))) throw err;
      }
    }
  }

  private static async startOn(
    name: string,
    port: number,
    env: Record<string, string>,
  ): Promise<ServiceProcess> {
    const child = killedAtEnd(
      spawn(...bundled('main'), {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so that it and anything it started go at the end whatever happened.
        detached: true,
      }),
      { group: true },
    );
    const service = new ServiceProcess(name, port, child);
    const deadline = Date.now() + 30_000;
    let running: LogLine | undefined;
    while (!running) {
      running = service.lines.find((l) => l.msg.startsWith('chibo is running'));
      if (child.exitCode !== null) throw new Error(`${name} exited: ${service.stderr}`);
      if (Date.now() > deadline) throw new Error(`${name} did not start: ${service.stderr}`);
      await sleep(50);
    }
    service.replicaId = running.replica ?? '';
    service.pid = Number(service.replicaId.split(':').at(-2));
    if (!service.pid) throw new Error(`${name}: no pid in replica id "${service.replicaId}"`);
    return service;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** SIGKILL to the service itself: no shutdown, leases and claims left behind. */
  async kill(): Promise<void> {
    process.kill(this.pid, 'SIGKILL');
    await this.exited;
  }

  /** SIGTERM to the service (a graceful stop), then whatever is left of its process group. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      try {
        process.kill(this.pid, 'SIGTERM');
      } catch {}
      await Promise.race([this.exited, sleep(5_000)]);
    }
    try {
      process.kill(-(this.child.pid as number), 'SIGKILL');
    } catch {}
    await this.exited;
  }
}

/** The clock every process reads: written as an ISO time, which each process runs on from. */
export class ClockFile {
  constructor(readonly path: string) {}

  set(iso: string): void {
    writeFileSync(this.path, iso);
  }
}

let nextUpdateId = 1;

/** People on Telegram, each update posted to the webhook of a chosen replica. */
export class TelegramPeople {
  constructor(
    private readonly fake: FakeTelegram,
    private readonly path: string,
    private readonly secret: string,
  ) {}

  /** Posts an update to a replica's webhook; resolves with the HTTP status once the replica handled it. */
  async post(replica: ServiceProcess, update: Record<string, unknown>): Promise<number> {
    const res = await fetch(`${replica.url}${this.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': this.secret },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    return res.status;
  }

  message(user: TelegramUser, text: string): Record<string, unknown> {
    const id = nextUpdateId++;
    return {
      update_id: id,
      message: {
        message_id: id,
        date: Math.floor(Date.now() / 1000),
        chat: { id: user.id, type: 'private', first_name: user.first_name },
        from: user,
        text,
      },
    };
  }

  tapOn(user: TelegramUser, message: ShownMessage, label: string): Record<string, unknown> {
    const button = buttonsOf(message).find((b) => b.text === label || b.text.startsWith(label));
    if (!button) throw new Error(`No button "${label}" on: ${message.text}`);
    const id = nextUpdateId++;
    return {
      update_id: id,
      callback_query: {
        id: `cb-${id}`,
        from: user,
        chat_instance: 'replicas',
        data: button.callback_data,
        message: {
          message_id: message.message_id,
          date: 0,
          chat: { id: user.id, type: 'private' },
          text: message.text,
        },
      },
    };
  }

  /** A message to the bot through `replica`; resolves with the new messages the user's chat then got. */
  async say(replica: ServiceProcess, user: TelegramUser, text: string): Promise<RecordedMessage[]> {
    const chat = String(user.id);
    const before = this.fake.sent.length;
    const status = await this.post(replica, this.message(user, text));
    if (status !== 200) throw new Error(`${replica.name} answered ${status} to "${text}"`);
    await until(() => this.fake.sent.slice(before).some((m) => m.chat_id === chat), `an answer to ${text}`);
    return this.fake.sent.slice(before).filter((m) => m.chat_id === chat);
  }

  /** A tap through `replica`; resolves with the toast it was answered with. */
  async tap(replica: ServiceProcess, user: TelegramUser, message: ShownMessage, label: string) {
    const update = this.tapOn(user, message, label);
    const id = (update.callback_query as { id: string }).id;
    const status = await this.post(replica, update);
    if (status !== 200) throw new Error(`${replica.name} answered ${status} to a tap`);
    await until(() => this.fake.callbackAnswers.some((a) => a.callback_query_id === id), 'the tap answered');
    return this.fake.callbackAnswers.find((a) => a.callback_query_id === id)?.text;
  }
}

export async function until(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
