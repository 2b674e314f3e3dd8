import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A local stand-in for the Telegram Bot API, reached through grammY's `apiRoot`: `/bot<token>/<method>`, GET or
 * POST, JSON or form bodies. It records what it was sent, can enforce a global send rate (answering 429 with
 * retry_after beyond it, like Telegram), injects failures at seeded random, and checks that nobody sends to a
 * chat before the retry_after it was given.
 */
export interface FakeTelegramOptions {
  token?: string;
  /**
   * Accepted sendMessage calls per second, as a token bucket holding `burst` sends (default: a twentieth of a
   * second's worth, so network jitter is tolerated but no sustained excess); beyond it a 429. Unlimited when absent.
   */
  rate?: number;
  burst?: number;
  /** retry_after (seconds) of a rate-limit 429. */
  retryAfter?: number;
  /** Fractions of sendMessage calls answered 429 (with `retryAfter`) or 500 at random, seeded. */
  failures?: { tooManyRequests?: number; serverError?: number };
  seed?: number;
  /** Delay before answering a sendMessage, to keep sends in flight. */
  latencyMs?: number;
  /** Chats that blocked the bot (403) and chats that do not exist (400). */
  blocked?: string[];
  missing?: string[];
  /** Listen on this port (default: any free one), e.g. one the service was already told about. */
  port?: number;
  /**
   * The clock retry_after and the rate are counted on: the service's own when it runs on a simulated one (the
   * harness's), else real time.
   */
  now?: () => number;
  /**
   * Edits as Telegram checks them: of a message this fake sent to that chat (else 400 "message to edit not
   * found"), and to something new (else 400 "message is not modified"). Off by default: tests that tap
   * messages they never sent through the fake edit them freely.
   */
  strictEdits?: boolean;
}

export interface RecordedMessage {
  chat_id: string;
  /** The text, or a document's caption. */
  text: string;
  reply_markup?: unknown;
  message_id: number;
  at: number;
  /** A file sent with sendDocument (multipart upload), as its name and UTF-8 content. */
  document?: { filename: string; content: string };
}

export interface Attempt {
  chat_id: string;
  at: number;
  status: number;
}

interface Update {
  update_id: number;
  [field: string]: unknown;
}

export const FAKE_TOKEN = '123456:FAKE-token-for-tests-only_abc';

const DESCRIPTIONS: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway: the Bot API is restarting',
};

/** mulberry32: a small seeded generator, so failure patterns repeat run to run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export class FakeTelegram {
  readonly token: string;
  /** Accepted messages, in order of acceptance. */
  readonly sent: RecordedMessage[] = [];
  /** Every sendMessage call, accepted or refused. */
  readonly attempts: Attempt[] = [];
  /** Accepted edits; `reply_markup` only when the edit set one. */
  readonly edits: { chat_id: string; message_id: number; text: string; reply_markup?: unknown }[] = [];
  /**
   * Groups upgraded to supergroups: old chat ID → new one. Sends and edits to the old ID get Telegram's 400
   * with `parameters.migrate_to_chat_id`.
   */
  readonly migrations = new Map<string, number>();
  readonly callbackAnswers: { callback_query_id: string; text?: string }[] = [];
  commands: unknown[] = [];
  webhook:
    | { url: string; secret_token?: string | undefined; allowed_updates?: string[] | undefined }
    | undefined;
  got429 = 0;
  got500 = 0;
  /** While true, getUpdates calls have their connection dropped: the Bot API unreachable, as a poller sees it. */
  pollingUnreachable = false;
  /** Sends that came to a chat before the retry_after it was given had passed. */
  readonly earlySends: { chat_id: string; at: number; allowedAt: number }[] = [];

  private readonly options: FakeTelegramOptions;
  private readonly random: () => number;
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private tokens = 0;
  private tokensAt = 0;
  private readonly notBefore = new Map<string, number>();
  private readonly failures: { status: number; retryAfter: number }[] = [];
  private nextMessageId = 1;
  private updates: Update[] = [];
  private nextUpdateId = 1;
  private waiters: (() => void)[] = [];
  private port = 0;
  /** While set, sendMessage calls wait here (see `hold`). */
  private holding: Promise<void> | undefined;
  private releaseHold: (() => void) | undefined;
  /** sendMessage calls waiting on a hold. */
  held = 0;
  /** Held sendMessage calls whose caller went away (its connection closed) while held. */
  heldClosed = 0;

  private constructor(options: FakeTelegramOptions) {
    this.options = options;
    this.token = options.token ?? FAKE_TOKEN;
    this.random = seeded(options.seed ?? 1);
  }

  static async start(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    const fake = new FakeTelegram(options);
    await new Promise<void>((resolve) => fake.server.listen(options.port ?? 0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /**
   * Refuses the next `count` sendMessage calls with `status`: a 429 carries `retry_after` (seconds, default 1),
   * which the fake then holds the chat to, as Telegram does.
   */
  failNext(count: number, status: number, retryAfter = 1): void {
    for (let i = 0; i < count; i++) this.failures.push({ status, retryAfter });
  }

  /** For grammY's `apiRoot` (or TELEGRAM_API_ROOT). */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * From now on sendMessage calls wait, unanswered and unrecorded, until `release`; then a call whose sender
   * went away meanwhile (a killed process) is dropped, as a request Telegram never received.
   */
  hold(): void {
    this.holding ??= new Promise((resolve) => {
      this.releaseHold = resolve;
    });
  }

  release(): void {
    this.releaseHold?.();
    this.holding = undefined;
  }

  /** Queues an update for getUpdates; `update_id` is assigned, and returned. */
  pushUpdate(update: Record<string, unknown>): number {
    const updateId = this.nextUpdateId++;
    this.updates.push({ ...update, update_id: updateId });
    for (const wake of this.waiters.splice(0)) wake();
    return updateId;
  }

  /** Accepted messages beyond the first with the same chat and text. */
  duplicates(): number {
    const seen = new Set(this.sent.map((m) => `${m.chat_id}\n${m.text}`));
    return this.sent.length - seen.size;
  }

  /** The counts, also served at GET /__fake/stats for a fake running in another process. */
  stats() {
    return {
      sent: this.sent.length,
      distinctTexts: new Set(this.sent.map((m) => m.text)).size,
      duplicates: this.duplicates(),
      got429: this.got429,
      got500: this.got500,
      earlySends: this.earlySends.length,
      lastSentAt: this.sent.at(-1)?.at,
    };
  }

  /** Accepted messages per chat and text, to find which were duplicated. */
  countsByChatAndText(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of this.sent) {
      const k = `${m.chat_id}\n${m.text}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return counts;
  }

  async close(): Promise<void> {
    this.release();
    for (const wake of this.waiters.splice(0)) wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.apiRoot);
    if (url.pathname === '/__fake/stats') return reply(res, 200, this.stats());
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    if (!match || match[1] !== this.token)
      return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const params = { ...Object.fromEntries(url.searchParams), ...(await body(req)) };
    const method = match[2] as string;
    switch (method) {
      case 'getMe':
        return ok(res, { id: 123456, is_bot: true, first_name: 'Chi bộ', username: 'chibo_test_bot' });
      case 'sendMessage':
        if (this.holding) {
          this.held++;
          const onClose = () => this.heldClosed++;
          req.socket.once('close', onClose);
          await this.holding;
          req.socket.off('close', onClose);
          this.held--;
          if (req.socket.destroyed) return;
        }
        return this.sendMessage(params, res);
      case 'sendDocument':
        return this.sendDocument(params, res);
      case 'editMessageText':
        return this.editMessageText(params, res);
      case 'answerCallbackQuery':
        this.callbackAnswers.push({
          callback_query_id: String(params.callback_query_id),
          text: params.text === undefined ? undefined : String(params.text),
        });
        return ok(res, true);
      case 'setMyCommands':
        this.commands.push(params);
        return ok(res, true);
      case 'deleteMyCommands':
        this.commands.push({ ...params, deleted: true });
        return ok(res, true);
      case 'setWebhook':
        this.webhook = {
          url: String(params.url),
          secret_token: params.secret_token as string | undefined,
          allowed_updates: params.allowed_updates as string[] | undefined,
        };
        return ok(res, true);
      case 'deleteWebhook':
        this.webhook = undefined;
        return ok(res, true);
      case 'getUpdates':
        return this.getUpdates(params, res);
      default:
        return reply(res, 404, { ok: false, error_code: 404, description: `Not Found: method ${method}` });
    }
  }

  private async editMessageText(params: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const chat = String(params.chat_id);
    const messageId = Number(params.message_id);
    const moved = this.migrations.get(chat);
    if (moved !== undefined) return migrated(res, moved);
    const text = String(params.text);
    const markup = parseMarkup(params.reply_markup);
    if (this.options.strictEdits) {
      const original = this.sent.find((m) => m.chat_id === chat && m.message_id === messageId);
      if (!original) return badRequest(res, 'Bad Request: message to edit not found');
      const current =
        this.edits.filter((e) => e.chat_id === chat && e.message_id === messageId).at(-1) ?? original;
      if (current.text === text && JSON.stringify(current.reply_markup) === JSON.stringify(markup))
        return badRequest(
          res,
          'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
        );
    }
    this.edits.push({
      chat_id: chat,
      message_id: messageId,
      text,
      ...(markup === undefined ? {} : { reply_markup: markup }),
    });
    return ok(res, { message_id: messageId, chat: { id: Number(chat) }, text });
  }

  private async sendMessage(params: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const chat = String(params.chat_id);
    const at = (this.options.now ?? Date.now)();
    const moved = this.migrations.get(chat);
    if (moved !== undefined) return migrated(res, moved);
    const refuse = (status: number, description: string, retryAfter?: number) => {
      this.attempts.push({ chat_id: chat, at, status });
      if (retryAfter !== undefined) {
        this.got429++;
        this.notBefore.set(chat, at + retryAfter * 1000);
      }
      if (status === 500) this.got500++;
      return reply(res, status, {
        ok: false,
        error_code: status,
        description,
        ...(retryAfter === undefined ? {} : { parameters: { retry_after: retryAfter } }),
      });
    };
    const allowedAt = this.notBefore.get(chat);
    if (allowedAt !== undefined && at < allowedAt) {
      this.earlySends.push({ chat_id: chat, at, allowedAt });
      return refuse(429, `Too Many Requests: retry after ${Math.ceil((allowedAt - at) / 1000)}`, 1);
    }
    const failure = this.failures.shift();
    if (failure?.status === 429)
      return refuse(429, `Too Many Requests: retry after ${failure.retryAfter}`, failure.retryAfter);
    if (failure) return refuse(failure.status, DESCRIPTIONS[failure.status] ?? 'Error');
    if (this.options.blocked?.includes(chat)) return refuse(403, 'Forbidden: bot was blocked by the user');
    if (this.options.missing?.includes(chat)) return refuse(400, 'Bad Request: chat not found');
    const { rate } = this.options;
    if (rate !== undefined) {
      const burst = this.options.burst ?? Math.max(1, rate / 20);
      this.tokens = Math.min(burst, this.tokens + ((at - this.tokensAt) * rate) / 1000);
      this.tokensAt = at;
      if (this.tokens < 1) {
        const retryAfter = this.options.retryAfter ?? 1;
        return refuse(429, `Too Many Requests: retry after ${retryAfter}`, retryAfter);
      }
      this.tokens -= 1;
    }
    const { tooManyRequests = 0, serverError = 0 } = this.options.failures ?? {};
    const roll = this.random();
    if (roll < tooManyRequests) return refuse(429, 'Too Many Requests: retry after 1', 1);
    if (roll < tooManyRequests + serverError) return refuse(500, 'Internal Server Error');

    this.attempts.push({ chat_id: chat, at, status: 200 });
    const message: RecordedMessage = {
      chat_id: chat,
      text: String(params.text),
      reply_markup: parseMarkup(params.reply_markup),
      message_id: this.nextMessageId++,
      at,
    };
    this.sent.push(message);
    if (this.options.latencyMs) await sleep(this.options.latencyMs);
    return ok(res, {
      message_id: message.message_id,
      date: Math.floor(at / 1000),
      chat: { id: Number(chat), type: 'private' },
      text: message.text,
    });
  }

  /** A document upload: recorded with the messages (its caption as text), so readers of `sent` see it in order. */
  private sendDocument(params: Record<string, unknown>, res: ServerResponse): void {
    const file = params.document as { filename?: string; content?: string } | string | undefined;
    const upload = typeof file === 'string' ? undefined : file;
    if (!upload?.filename) {
      reply(res, 400, { ok: false, error_code: 400, description: 'Bad Request: there is no document' });
      return;
    }
    const message: RecordedMessage = {
      chat_id: String(params.chat_id),
      text: String(params.caption ?? ''),
      message_id: this.nextMessageId++,
      at: Date.now(),
      document: { filename: upload.filename, content: upload.content ?? '' },
    };
    this.sent.push(message);
    ok(res, { message_id: message.message_id, date: Math.floor(message.at / 1000) });
  }

  private async getUpdates(params: Record<string, unknown>, res: ServerResponse): Promise<void> {
    if (this.pollingUnreachable) {
      res.socket?.destroy();
      return;
    }
    if (this.webhook)
      return reply(res, 409, {
        ok: false,
        error_code: 409,
        description: "Conflict: can't use getUpdates method while webhook is active",
      });
    const offset = Number(params.offset ?? 0);
    if (offset) this.updates = this.updates.filter((u) => u.update_id >= offset);
    const timeout = Number(params.timeout ?? 0);
    if (this.updates.length === 0 && timeout > 0) {
      await Promise.race([
        new Promise<void>((resolve) => this.waiters.push(resolve)),
        sleep(timeout * 1000, undefined, { ref: false }),
      ]);
    }
    const limit = Number(params.limit ?? 100);
    return ok(res, this.updates.slice(0, limit));
  }
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return {};
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) return JSON.parse(raw);
  const boundary = /multipart\/form-data;.*boundary=("?)([^";]+)\1/.exec(type)?.[2];
  if (boundary) return multipart(raw, boundary);
  return Object.fromEntries(new URLSearchParams(raw));
}

/**
 * Fields of a multipart/form-data body (how grammY uploads files): plain fields as strings, files as
 * { filename, content }; a field naming `attach://<part>` is given that part's file.
 */
function multipart(raw: string, boundary: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const part of raw.split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) continue;
    const head = part.slice(0, split);
    const value = part.slice(split + 4).replace(/\r\n$/, '');
    const name = /name="([^"]*)"/.exec(head)?.[1];
    // grammY writes the file name unquoted: filename=report.csv
    const filename = /filename="?([^";\r\n]*)"?/.exec(head)?.[1];
    if (name !== undefined) fields[name] = filename === undefined ? value : { filename, content: value };
  }
  for (const [name, value] of Object.entries(fields))
    if (typeof value === 'string' && value.startsWith('attach://')) fields[name] = fields[value.slice(9)];
  return fields;
}

const parseMarkup = (markup: unknown) => (typeof markup === 'string' ? JSON.parse(markup) : markup);

function badRequest(res: ServerResponse, description: string): void {
  reply(res, 400, { ok: false, error_code: 400, description });
}

/** Telegram's answer for a group that became a supergroup. */
function migrated(res: ServerResponse, to: number): void {
  reply(res, 400, {
    ok: false,
    error_code: 400,
    description: 'Bad Request: group chat was upgraded to a supergroup chat',
    parameters: { migrate_to_chat_id: to },
  });
}

function reply(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
}

function ok(res: ServerResponse, result: unknown): void {
  reply(res, 200, { ok: true, result });
}
