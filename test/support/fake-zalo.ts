import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ZaloBotInfo, ZaloMessage, ZaloUpdate } from '../../src/channels/zalo/types.js';

/** A token shaped like a real one, long enough that a leak in a log line cannot be a coincidence. */
export const FAKE_ZALO_TOKEN = '3201372705688922504:FakeZaloTokenForTestsOnly-xYz';

/** A message the bot sent, as the fake recorded it. */
export interface FakeZaloSent {
  method: 'sendMessage' | 'sendPhoto' | 'sendSticker';
  chat_id: string;
  text?: string;
  photo?: string;
  caption?: string;
  sticker?: string;
  message_id: string;
  /** Milliseconds since the epoch, as Zalo gives it. */
  date: number;
}

/** Every call that reached a method (right token, readable body), failed or not. */
export interface FakeZaloCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
}

export interface FakeZaloWebhook {
  url: string;
  secret_token: string;
  updated_at: number;
}

export interface FakeZaloOptions {
  token?: string;
  /** Queue each sent message back as an update from the bot itself, as Zalo may echo them. */
  echoSentMessages?: boolean;
  /** Listen on this port (default: any free one), e.g. one the service was already told about. */
  port?: number;
}

type Params = Record<string, unknown>;
type Method = (params: Params, res: ServerResponse) => Answer | Promise<Answer>;
type MessageContent = Partial<Pick<ZaloMessage, 'text' | 'photo' | 'caption' | 'sticker'>>;
interface Answer {
  status: number;
  /** JSON, or a string sent as it is (to imitate a proxy's HTML error page). */
  body: unknown;
}
interface Failure extends Answer {
  method: string | undefined;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  429: 'Quota exceeded',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

const ok = (result: unknown): Answer => ({ status: 200, body: { ok: true, result } });
/** Errors come with the error_code as HTTP status too; the client must not rely on either alone. */
const fail = (code: number, description = DESCRIPTIONS[code] ?? 'Error'): Answer => ({
  status: code,
  body: { ok: false, error_code: code, description },
});

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isUrl = (v: unknown, protocols: string[]): v is string => {
  try {
    return typeof v === 'string' && protocols.includes(new URL(v).protocol);
  } catch {
    return false;
  }
};

/**
 * A local Zalo Bot API (node:http) for tests: `POST /bot<TOKEN>/<method>` with the documented rules (one
 * update per getUpdates, 408 when idle, none while a webhook is set; text 1–2000 characters; an https webhook
 * URL and an 8–256 character secret), recording what the bot sent, with failures injectable on demand.
 *
 *   const zalo = await FakeZalo.start();
 *   const bot = new ZaloBot(zalo.token, { baseApiUrl: zalo.baseApiUrl, polling: true });
 *   zalo.queueUpdate(zaloUpdate({ text: '/start' }));
 *   const [reply] = await zalo.waitForSent(1);
 */
export class FakeZalo {
  readonly token: string;
  readonly me: ZaloBotInfo = {
    id: 'bot-chibo-fake',
    account_name: 'bot.chibo',
    account_type: 'BASIC',
    can_join_groups: false,
  };
  /** Messages the bot sent, in order. */
  readonly sent: FakeZaloSent[] = [];
  readonly calls: FakeZaloCall[] = [];
  webhook: FakeZaloWebhook | undefined;

  private readonly updates: ZaloUpdate[] = [];
  /** getUpdates calls waiting for an update, oldest first. */
  private readonly pollers: ((update: ZaloUpdate) => void)[] = [];
  private readonly failures: Failure[] = [];
  private readonly sentWatchers = new Set<() => void>();
  private lastMessageId = 0;
  private port = 0;

  private readonly methods: Record<string, Method> = {
    getMe: () => ok(this.me),
    getUpdates: (params, res) => this.getUpdates(params, res),
    sendMessage: (params) => {
      const { text } = params;
      // UTF-16 length: stricter than counting code points, so a text that passes here passes Zalo.
      if (typeof text !== 'string' || text.length < 1 || text.length > 2000) {
        return fail(400, 'text must be 1–2000 characters');
      }
      return this.record(params, 'sendMessage', { text });
    },
    sendPhoto: (params) => {
      const { photo, caption } = params;
      if (!isUrl(photo, ['http:', 'https:'])) return fail(400, 'photo must be an image URL');
      if (caption !== undefined && typeof caption !== 'string') return fail(400, 'caption must be text');
      return this.record(params, 'sendPhoto', { photo, caption: caption as string | undefined });
    },
    sendSticker: (params) => {
      const { sticker } = params;
      if (!isNonEmptyString(sticker)) return fail(400, 'sticker is required');
      return this.record(params, 'sendSticker', { sticker });
    },
    sendChatAction: (params) => {
      if (!isNonEmptyString(params.chat_id)) return fail(400, 'chat_id is required');
      if (params.action !== 'typing' && params.action !== 'upload_photo') return fail(400, 'unknown action');
      return ok(true);
    },
    setWebhook: ({ url, secret_token }) => {
      if (!isUrl(url, ['https:'])) return fail(400, 'url must be an https URL');
      if (typeof secret_token !== 'string' || secret_token.length < 8 || secret_token.length > 256) {
        return fail(400, 'secret_token must be 8–256 characters');
      }
      this.webhook = { url, secret_token, updated_at: Date.now() };
      return ok(this.webhookInfo());
    },
    deleteWebhook: () => {
      this.webhook = undefined;
      return ok(this.webhookInfo());
    },
    getWebhookInfo: () => ok(this.webhookInfo()),
  };

  private readonly server: Server;
  private readonly echoSentMessages: boolean;

  private constructor(options: FakeZaloOptions) {
    this.token = options.token ?? FAKE_ZALO_TOKEN;
    this.echoSentMessages = options.echoSentMessages ?? false;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent)
          write(res, { status: 500, body: { ok: false, error_code: 500, description: String(err) } });
      });
    });
  }

  /** Starts a fake on 127.0.0.1 and a free port. */
  static async start(options: FakeZaloOptions = {}): Promise<FakeZalo> {
    const fake = new FakeZalo(options);
    await new Promise<void>((resolve) => fake.server.listen(options.port ?? 0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** What ZaloBot takes as `baseApiUrl`. */
  get baseApiUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** getUpdates calls now waiting for an update. */
  get waitingPolls(): number {
    return this.pollers.length;
  }

  /** Hands `update` to the oldest waiting getUpdates, or keeps it for the next one. */
  queueUpdate(update: ZaloUpdate): void {
    const poller = this.pollers.shift();
    if (poller) poller(update);
    else this.updates.push(update);
  }

  /**
   * Makes the next `count` calls (of `method` only, if given) answer `status` with `body`: by default a Zalo
   * error envelope; a string is sent as it is, to imitate a body that is not JSON.
   */
  failNext(count: number, status: number, body?: unknown, method?: string): void {
    const answer = body === undefined ? fail(status) : { status, body };
    for (let i = 0; i < count; i++) this.failures.push({ ...answer, method });
  }

  /** Resolves with everything sent so far once at least `count` messages were sent. */
  waitForSent(count: number, timeoutMs?: number): Promise<FakeZaloSent[]>;
  /** Resolves with the first sent message that matches. */
  waitForSent(match: (sent: FakeZaloSent) => boolean, timeoutMs?: number): Promise<FakeZaloSent>;
  waitForSent(
    what: number | ((sent: FakeZaloSent) => boolean),
    timeoutMs = 5_000,
  ): Promise<FakeZaloSent[] | FakeZaloSent> {
    const found = () => {
      if (typeof what !== 'number') return this.sent.find(what);
      return this.sent.length >= what ? [...this.sent] : undefined;
    };
    return new Promise((resolve, reject) => {
      const check = () => {
        const result = found();
        if (result === undefined) return;
        done();
        resolve(result);
      };
      const timer = setTimeout(() => {
        done();
        const wanted = typeof what === 'number' ? `${what} sent message(s)` : 'a matching sent message';
        reject(
          new Error(`Waited ${timeoutMs} ms for ${wanted}; sent: ${JSON.stringify(this.sent, null, 1)}`),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.sentWatchers.delete(check);
      };
      this.sentWatchers.add(check);
      check();
    });
  }

  /** Stops the server, cutting any long poll in flight. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = /^\/bot([^/]+)\/(\w+)$/.exec(new URL(req.url ?? '/', 'http://fake').pathname);
    if (!route) return write(res, fail(404));
    if (req.method !== 'POST') return write(res, fail(405, 'Method Not Allowed'));
    const [, token, method = ''] = route;
    if (token !== this.token) return write(res, fail(401));
    const params = await readJson(req);
    if (!params) return write(res, fail(400, 'body must be a JSON object'));
    this.calls.push({ method, params, at: Date.now() });
    const failure = this.takeFailure(method);
    if (failure) return write(res, failure);
    const run = this.methods[method];
    write(res, run ? await run(params, res) : fail(404));
  }

  private takeFailure(method: string): Answer | undefined {
    const i = this.failures.findIndex((f) => f.method === undefined || f.method === method);
    return i < 0 ? undefined : this.failures.splice(i, 1)[0];
  }

  /** One update per call; waits up to `timeout` seconds for one, then answers 408. */
  private getUpdates(params: Params, res: ServerResponse): Answer | Promise<Answer> {
    if (this.webhook) return fail(409, 'getUpdates is not available while a webhook is set');
    const queued = this.updates.shift();
    if (queued) return ok(queued);
    const seconds = Number(params.timeout ?? 30);
    return new Promise((resolve) => {
      const poller = (update: ZaloUpdate) => {
        clearTimeout(timer);
        resolve(ok(update));
      };
      const giveUp = () => {
        clearTimeout(timer);
        const i = this.pollers.indexOf(poller);
        if (i >= 0) this.pollers.splice(i, 1);
        resolve(fail(408));
      };
      const timer = setTimeout(giveUp, (Number.isFinite(seconds) ? seconds : 30) * 1000);
      // A client that aborts its poll must not take the next update with it.
      res.on('close', giveUp);
      this.pollers.push(poller);
    });
  }

  private record(params: Params, method: FakeZaloSent['method'], content: MessageContent): Answer {
    const chatId = params.chat_id;
    if (!isNonEmptyString(chatId)) return fail(400, 'chat_id is required');
    this.lastMessageId += 1;
    const sent = {
      method,
      ...content,
      chat_id: chatId,
      message_id: `out-${this.lastMessageId}`,
      date: Date.now(),
    };
    this.sent.push(sent);
    if (this.echoSentMessages) {
      this.queueUpdate({
        event_name: eventName(content),
        message: {
          from: { id: this.me.id, display_name: this.me.account_name, is_bot: true },
          chat: { id: chatId, chat_type: 'PRIVATE' },
          message_id: sent.message_id,
          date: sent.date,
          ...content,
        },
      });
    }
    for (const watcher of [...this.sentWatchers]) watcher();
    return ok({ message_id: sent.message_id, date: sent.date });
  }

  private webhookInfo() {
    return { url: this.webhook?.url ?? '', updated_at: this.webhook?.updated_at ?? Date.now() };
  }
}

function write(res: ServerResponse, { status, body }: Answer): void {
  if (res.destroyed) return;
  const isText = typeof body === 'string';
  res.writeHead(status, { 'content-type': isText ? 'text/html' : 'application/json' });
  res.end(isText ? body : JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Params | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Params)
      : undefined;
  } catch {
    return undefined;
  }
}

function eventName({ text, photo, sticker }: MessageContent): string {
  const kind =
    text !== undefined
      ? 'text'
      : photo !== undefined
        ? 'image'
        : sticker !== undefined
          ? 'sticker'
          : 'unsupported';
  return `message.${kind}.received`;
}

let lastUpdateId = 0;

/**
 * An inbound update in a private chat, as Zalo delivers it. The event name follows the content: text, photo,
 * sticker, or none of them for an unsupported message.
 */
export function zaloUpdate(
  content: MessageContent,
  options: {
    chatId?: string;
    fromId?: string;
    displayName?: string;
    isBot?: boolean;
    messageId?: string;
  } = {},
): ZaloUpdate {
  const chatId = options.chatId ?? 'user-an';
  lastUpdateId += 1;
  return {
    event_name: eventName(content),
    message: {
      from: {
        id: options.fromId ?? chatId,
        display_name: options.displayName ?? 'Nguyễn Văn An',
        is_bot: options.isBot ?? false,
      },
      chat: { id: chatId, chat_type: 'PRIVATE' },
      message_id: options.messageId ?? `in-${lastUpdateId}`,
      date: Date.now(),
      ...content,
    },
  };
}
