import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type App, type AppOptions, startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { keys } from '../../src/store/keys.js';
import type { ChannelName } from '../../src/store/records.js';
import { FAKE_TOKEN, FakeTelegram, type RecordedMessage } from './fake-telegram.js';
import { FAKE_ZALO_TOKEN, FakeZalo, type FakeZaloSent, zaloUpdate } from './fake-zalo.js';
import { TestClock } from './world.js';

/**
 * The whole service as it runs in production (src/app.ts: store, services, channels, scheduler, HTTP), talking
 * to local fake Telegram and Zalo Bot API servers, on a clock the test moves. People act through the fakes
 * (a message, a tap, a Zalo reply) and the test reads what the fakes were sent: end to end, nothing mocked.
 */
export interface TelegramUser {
  id: number;
  is_bot: false;
  first_name: string;
}

export interface TelegramReply {
  /** New messages to the user's chat. */
  messages: RecordedMessage[];
  /** Edits of earlier messages in the chat (tappable like messages). */
  edits: ShownMessage[];
  /** The toast of an answered tap. */
  toast?: string;
}

/** A message as the user sees it now: as sent, or as last edited. */
export interface ShownMessage {
  message_id: number;
  text: string;
  reply_markup?: unknown;
}

export interface HarnessOptions {
  /** Where the clock starts (ISO). */
  start: string;
  telegram?: boolean;
  zalo?: boolean;
  /** Extra environment (e.g. REDIS_URL, POLICY, DATA_DIR to start again on the same data). */
  env?: Record<string, string>;
  /** The app's own options beyond the clock and the logger (e.g. the outbox giving up sooner). */
  app?: Omit<AppOptions, 'log' | 'clock'>;
  /** Called with the fakes before the app starts (e.g. to make the Zalo API fail from the first call). */
  prepare?: (fakes: { telegram?: FakeTelegram; zalo?: FakeZalo }) => void;
}

/** The first admin's one-time code (ADMIN_BOOTSTRAP_CODE), as the README tells an operator to set it. */
export const BOOTSTRAP_CODE = 'TANAN-FIRST-ADMIN';

export const HARNESS_LINK_SECRET = 'harness-link-secret-0123456789abcdef';

const quiet = createLogger({ level: 'silent' });
const DAY_MS = 86_400_000;
/** The daily planning run, as the app's cron does it: 02:30 in the service's zone (UTC+7), 19:30 UTC. */
const PLAN_OFFSET_MS = 19.5 * 3_600_000;

export const telegramUser = (id: number, first_name: string): TelegramUser => ({
  id,
  is_bot: false,
  first_name,
});

export class AppHarness {
  private updateCounter = 0;
  /** When the daily planning run last happened (simulated time). */
  private lastPlanAt = 0;

  private constructor(
    readonly app: App,
    readonly clock: TestClock,
    readonly telegram: FakeTelegram | undefined,
    readonly zalo: FakeZalo | undefined,
  ) {}

  static async start(options: HarnessOptions): Promise<AppHarness> {
    const clock = new TestClock(Date.parse(options.start));
    const telegram = options.telegram === false ? undefined : await FakeTelegram.start({ now: clock.now });
    const zalo = options.zalo ? await FakeZalo.start() : undefined;
    options.prepare?.({ ...(telegram ? { telegram } : {}), ...(zalo ? { zalo } : {}) });
    const app = await startApp(
      loadConfig({
        PORT: '0',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'chibo-app-')),
        PUBLIC_URL: 'https://chibo.example.vn',
        ADMIN_BOOTSTRAP_CODE: BOOTSTRAP_CODE,
        LINK_SECRET: HARNESS_LINK_SECRET,
        // The send rates pace real time against the platforms' limits (src/delivery/rate.ts, tested on its own);
        // the fakes take anything, and a journey's clock is simulated.
        TELEGRAM_SEND_RATE: '1000',
        ZALO_SEND_RATE: '1000',
        ...(telegram ? { TELEGRAM_BOT_TOKEN: FAKE_TOKEN, TELEGRAM_API_ROOT: telegram.apiRoot } : {}),
        ...(zalo ? { ZALO_BOT_TOKEN: FAKE_ZALO_TOKEN, ZALO_API_ROOT: zalo.baseApiUrl } : {}),
        ...options.env,
      }),
      { ...options.app, log: quiet, clock },
    );
    const harness = new AppHarness(app, clock, telegram, zalo);
    harness.lastPlanAt = Math.floor((clock.now() - PLAN_OFFSET_MS) / DAY_MS) * DAY_MS + PLAN_OFFSET_MS;
    // The app plans at start without waiting; the test starts from a planned state.
    await app.scheduler.planner.planAll();
    return harness;
  }

  get services() {
    return this.app.services;
  }

  // ── People acting ──

  /** A Telegram user sends a message to the bot in private; resolves with what the bot answered. */
  async say(user: TelegramUser, text: string): Promise<TelegramReply> {
    return this.telegramTurn(user, {
      message: {
        message_id: ++this.updateCounter,
        date: Math.floor(this.clock.now() / 1000),
        chat: { id: user.id, type: 'private', first_name: user.first_name },
        from: user,
        text,
      },
    });
  }

  /** A Telegram user taps the button labelled `label` (or starting with it) on a message they were sent. */
  async tap(user: TelegramUser, message: ShownMessage, label: string): Promise<TelegramReply> {
    const button = buttonsOf(message).find((b) => b.text === label || b.text.startsWith(label));
    if (!button)
      throw new Error(`No button "${label}" on: ${message.text}\n${JSON.stringify(message.reply_markup)}`);
    return this.tapData(user, button.callback_data, message);
  }

  /** A tap carrying any callback data (forged, stale, forwarded from someone else). */
  async tapData(user: TelegramUser, data: string, message?: ShownMessage): Promise<TelegramReply> {
    const fake = this.requireTelegram();
    const id = `cb-${++this.updateCounter}`;
    const before = fake.callbackAnswers.length;
    const reply = await this.telegramTurn(user, {
      callback_query: {
        id,
        from: user,
        chat_instance: 'harness',
        data,
        message: {
          message_id: message?.message_id ?? 1,
          date: 0,
          chat: { id: user.id, type: 'private' },
          text: message?.text ?? '',
        },
      },
    });
    const toast = fake.callbackAnswers.slice(before).find((a) => a.callback_query_id === id)?.text;
    return { ...reply, ...(toast === undefined ? {} : { toast }) };
  }

  /** A Zalo user sends text; resolves with the texts the bot sent back to that chat. */
  async zaloSay(chatId: string, text: string, displayName = 'Đảng viên'): Promise<string[]> {
    const fake = this.requireZalo();
    const before = fake.sent.length;
    this.clock.advance(1_000);
    const update = zaloUpdate({ text }, { chatId, displayName });
    const handled = this.handled('zalo', update.message.message_id, `the bot to handle ${chatId}'s message`);
    fake.queueUpdate(update);
    await handled;
    await this.settle();
    return fake.sent
      .slice(before)
      .filter((m) => m.chat_id === chatId)
      .map((m) => m.text ?? '');
  }

  // ── Time passing ──

  /**
   * Moves the clock to `iso` the way the production schedule would live through it: the daily planning run at
   * 02:30 each day, a dispatcher tick at each reminder's due time, and the outbox delivering what they queue.
   */
  async advanceTo(iso: string): Promise<void> {
    const target = Date.parse(iso);
    if (target < this.clock.now())
      throw new Error(`the clock only moves forward (now ${new Date(this.clock.now()).toISOString()})`);
    const { store } = this.app;
    for (;;) {
      const nextPlan = this.lastPlanAt + DAY_MS;
      const [nextDue] = await store.zrangeByScore(keys.remindersDue(), this.clock.now() + 1, target, {
        limit: 1,
      });
      // Delivering may have moved the clock past the target already (pacing, retries): it never goes back.
      const next = Math.max(
        this.clock.now(),
        Math.min(target, nextPlan, nextDue?.score ?? Number.POSITIVE_INFINITY),
      );
      this.clock.set(next);
      if (next === nextPlan) {
        this.lastPlanAt = nextPlan;
        await this.app.scheduler.planner.planAll();
      }
      await this.app.scheduler.dispatcher.tick();
      await this.deliver();
      if (next >= target) return;
    }
  }

  /**
   * Delivers everything the outboxes hold: what is due now, then, moving the clock to each next due time, what
   * per-chat pacing or a retry put off.
   */
  async deliver(): Promise<void> {
    const { outbox } = this.app.scheduler;
    for (let rounds = 0; ; rounds++) {
      if (rounds > 1_000) throw new Error('the outbox never drained');
      await this.settle();
      const firsts = await Promise.all(
        outbox.channels.map((c) =>
          this.app.store.zrangeByScore(
            keys.outboxDue(c),
            Number.NEGATIVE_INFINITY,
            Number.POSITIVE_INFINITY,
            {
              limit: 1,
            },
          ),
        ),
      );
      const next = Math.min(...firsts.flatMap(([first]) => (first ? [first.score] : [])));
      if (next === Number.POSITIVE_INFINITY) return;
      this.clock.set(Math.max(this.clock.now(), next));
    }
  }

  // ── Reading what people got ──

  /** Telegram messages a user received, optionally only those containing `text`. */
  inbox(user: TelegramUser, text?: string): RecordedMessage[] {
    return this.requireTelegram().sent.filter(
      (m) => m.chat_id === String(user.id) && (text === undefined || m.text.includes(text)),
    );
  }

  zaloInbox(chatId: string, text?: string): FakeZaloSent[] {
    return this.requireZalo().sent.filter(
      (m) => m.chat_id === chatId && (text === undefined || (m.text ?? '').includes(text)),
    );
  }

  async stop(): Promise<void> {
    await this.app.stop();
    await this.telegram?.close();
    await this.zalo?.close();
  }

  // ── Internals ──

  private async telegramTurn(user: TelegramUser, update: Record<string, unknown>): Promise<TelegramReply> {
    const fake = this.requireTelegram();
    const chat = String(user.id);
    // People take a moment between two messages; it also keeps what they create in order, and under the bot's
    // flood guard (5 updates in 2 s of the same clock).
    this.clock.advance(1_000);
    const [sent, edits] = [fake.sent.length, fake.edits.length];
    const updateId = fake.pushUpdate(update);
    await this.handled('telegram', String(updateId), `the bot's answer to ${user.first_name}`);
    await this.settle();
    return {
      messages: fake.sent.slice(sent).filter((m) => m.chat_id === chat),
      edits: fake.edits.slice(edits).filter((e) => e.chat_id === chat),
    };
  }

  /**
   * Resolves once the app has handled the update `updateId` of `channel` (src/events.ts). The timeout only turns
   * a hang into a failure that says what was awaited; nothing is polled.
   */
  private handled(channel: ChannelName, updateId: string, what: string, timeoutMs = 10_000): Promise<void> {
    const { events } = this.app;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        events.off('handled', listener);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const listener = (handled: { channel: ChannelName; updateId: string }) => {
        if (handled.channel !== channel || handled.updateId !== updateId) return;
        clearTimeout(timer);
        events.off('handled', listener);
        resolve();
      };
      events.on('handled', listener);
    });
  }

  /** Resolves once every outbox sender has sent what is due now (what a turn queued: a group tally, a notice). */
  private async settle(): Promise<void> {
    const { outbox } = this.app.scheduler;
    await Promise.all(outbox.channels.map((channel) => outbox.settled(channel)));
  }

  private requireTelegram(): FakeTelegram {
    if (!this.telegram) throw new Error('this harness runs without Telegram');
    return this.telegram;
  }

  private requireZalo(): FakeZalo {
    if (!this.zalo) throw new Error('this harness runs without Zalo (start it with { zalo: true })');
    return this.zalo;
  }
}

/** For a test file: starts harnesses on demand, and stops those a test started once it ends. */
export function harnessPerTest(): (options: HarnessOptions) => Promise<AppHarness> {
  const started: AppHarness[] = [];
  afterEach(async () => {
    for (const h of started.splice(0)) await h.stop();
  });
  return async (options) => {
    const h = await AppHarness.start(options);
    started.push(h);
    return h;
  };
}

/** The inline keyboard buttons of a recorded message, in order. */
export function buttonsOf(message: ShownMessage): { text: string; callback_data: string }[] {
  const markup = message.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] };
  return (markup?.inline_keyboard ?? [])
    .flat()
    .flatMap((b) => (b.callback_data ? [{ text: b.text, callback_data: b.callback_data }] : []));
}
