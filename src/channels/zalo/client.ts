import { EventEmitter } from 'node:events';
import axios, { type AxiosInstance } from 'axios';
import pino from 'pino';
import { z } from 'zod';
import { type Clock, realClock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { isIdlePoll, ZaloError } from './errors.js';
import {
  MESSAGE_TYPES,
  type ZaloBotInfo,
  type ZaloMessage,
  type ZaloMessageType,
  type ZaloSentMessage,
  type ZaloWebhookInfo,
  zaloUpdateSchema,
} from './types.js';

export const DEFAULT_BASE_API_URL = 'https://bot-api.zaloplatforms.com';

export interface ZaloPollingOptions {
  /** Start polling from the constructor (default true, as in the SDK). */
  autoStart?: boolean;
  /**
   * Pause in ms after each update before the next poll. Default 0, not the SDK's 300: getUpdates brings one
   * update per call, so a pause would throttle a burst of replies.
   */
  interval?: number;
  params?: {
    /** Seconds one getUpdates may wait for an update (default 30). */
    timeout?: number;
  };
  /** Delays after a failed poll: doubling from minMs (default 1 s) up to maxMs (30 s), reset by a success. */
  backoff?: { minMs?: number; maxMs?: number };
  /**
   * Where each polled update goes instead of `processUpdate`, awaited before the next poll: an inbox that stores
   * it first (src/channels/zalo/inbox.ts). Zalo hands an update out once, so polling waits while it is held.
   */
  intake?: (update: unknown, signal: AbortSignal) => Promise<void>;
  /** Awaited before each poll: polling pauses while it waits (e.g. for the store to come back). */
  beforePoll?: (signal: AbortSignal) => Promise<void>;
}

export interface ZaloBotOptions {
  polling?: boolean | ZaloPollingOptions;
  /** Our ZALO_API_ROOT. */
  baseApiUrl?: string;
  logger?: Logger;
  /** Timeout of one API call in ms (default 30 s); a long poll gets its own wait on top. */
  requestTimeoutMs?: number;
  /** What polling waits on between polls and after a failure (the injected clock's; real by default). */
  sleep?: Clock['sleep'];
}

export interface ZaloMessageMetadata {
  /** Which of text, photo or sticker the message carries; none for an unsupported message. */
  type?: ZaloMessageType;
}

type MessageListenerArgs = [msg: ZaloMessage, metadata: ZaloMessageMetadata];

export interface ZaloBotEvents {
  message: MessageListenerArgs;
  text: MessageListenerArgs;
  photo: MessageListenerArgs;
  sticker: MessageListenerArgs;
  /** A poll failed for a real reason (an idle 408 is not one); polling goes on after a back-off. */
  polling_error: [error: ZaloError];
  /** A webhook request could not be read; emitted by the webhook handler. */
  webhook_error: [error: ZaloError];
  /** A listener threw or rejected. */
  error: [error: Error];
}

export type TextCallback = (msg: ZaloMessage, match: RegExpExecArray) => unknown;
export type ZaloForm = Record<string, unknown>;

const envelopeSchema = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().optional(),
  description: z.string().optional(),
});

/** Message IDs remembered to spot a redelivery: far more than one bot sees while Zalo retries, yet bounded. */
const REMEMBERED_MESSAGES = 1_000;
/** How much of a non-JSON answer an EPARSE error keeps, to show what came back (often an HTML error page). */
const PARSE_ERROR_BODY_CHARS = 500;
const SILENT = pino({ level: 'silent' });

/**
 * A Zalo Bot Platform client that keeps the node-zalo-bot SDK's names and events, over axios.
 *
 * Unlike the SDK: the token never reaches a log line or an error; an idle poll is not an error; polling backs
 * off on failures and stops on demand; inbound updates are validated, and the bot's own echoes and repeated
 * messages are dropped in `processUpdate`, the one door for both polling and the webhook.
 */
export class ZaloBot extends EventEmitter<ZaloBotEvents> {
  /** Private so that neither inspecting nor serialising the bot shows it. */
  readonly #token: string;
  private readonly http: AxiosInstance;
  private readonly log: Logger;
  private readonly requestTimeoutMs: number;
  private readonly sleep: Clock['sleep'];
  private readonly pollingOptions: ZaloPollingOptions;
  private readonly textCallbacks: { regexp: RegExp; callback: TextCallback }[] = [];
  private readonly seen = new RecentKeys(REMEMBERED_MESSAGES);
  /** Learnt from getMe, to recognise echoes that do not say `is_bot`. */
  private botId: string | undefined;
  private polling: { controller: AbortController; done: Promise<void> } | undefined;

  constructor(token: string, options: ZaloBotOptions = {}) {
    // Async listeners' rejections come to the capture-rejection method below instead of going unhandled.
    super({ captureRejections: true });
    if (!token) throw new TypeError('A Zalo bot token is required');
    this.#token = token;
    this.log = (options.logger ?? SILENT).child({ channel: 'zalo' });
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.sleep = options.sleep ?? realClock.sleep;
    this.http = axios.create({
      baseURL: (options.baseApiUrl ?? DEFAULT_BASE_API_URL).replace(/\/+$/, ''),
      headers: { 'content-type': 'application/json' },
      // Every answer is read as text and judged here, whatever its status.
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
    });
    this.pollingOptions = typeof options.polling === 'object' ? options.polling : {};
    if (options.polling && this.pollingOptions.autoStart !== false) void this.startPolling();
  }

  /** Registers a callback for text messages matching `regexp`; every matching callback runs, in order. */
  onText(regexp: RegExp, callback: TextCallback): void {
    this.textCallbacks.push({ regexp, callback });
  }

  /**
   * Validates an inbound update and emits `message`, then `text`/`photo`/`sticker`, then runs `onText`
   * callbacks. Malformed updates, the bot's own echoes and messages already seen are dropped. Never throws:
   * a failing listener is reported through `error`.
   */
  processUpdate(update: unknown): void {
    const msg = this.readUpdate(update);
    if (!msg) return;
    if (!this.seen.add(`${msg.chat.id}:${msg.message_id}`)) {
      this.log.debug({ messageId: msg.message_id }, 'Dropped a Zalo message already processed');
      return;
    }
    const metadata: ZaloMessageMetadata = { type: MESSAGE_TYPES.find((type) => msg[type] !== undefined) };
    this.guard('message', () => this.emit('message', msg, metadata));
    if (metadata.type) {
      const type = metadata.type;
      this.guard(type, () => this.emit(type, msg, metadata));
    }
    const text = msg.text;
    if (text === undefined) return;
    for (const { regexp, callback } of this.textCallbacks) {
      regexp.lastIndex = 0;
      const match = regexp.exec(text);
      if (match) this.guard('onText', () => callback(msg, match));
    }
  }

  /**
   * The message an inbound update carries, validated; undefined for a malformed update (logged, by paths and
   * reasons only) and for the bot's own echoes (marked `is_bot`, or from the ID getMe gave).
   */
  readUpdate(update: unknown): ZaloMessage | undefined {
    const parsed = zaloUpdateSchema.safeParse(update);
    if (!parsed.success) {
      // Paths and reasons only: the values are users' messages.
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      this.log.warn({ issues }, 'Dropped a Zalo update that does not have the expected shape');
      return undefined;
    }
    const msg = parsed.data.message;
    if (this.isEcho(msg)) {
      this.log.debug({ messageId: msg.message_id }, 'Dropped the bot’s own echoed message');
      return undefined;
    }
    return msg;
  }

  /** The bot's own message, echoed back: marked `is_bot`, or sent from the ID getMe gave. */
  isEcho(msg: ZaloMessage): boolean {
    return msg.from.is_bot === true || msg.from.id === this.botId;
  }

  async getMe(): Promise<ZaloBotInfo> {
    const me = await this.call<ZaloBotInfo>('getMe');
    this.botId = me.id;
    return me;
  }

  /**
   * One long poll: resolves with one raw update (pass it to `processUpdate`), or rejects with an EZALO 408
   * error when none came within `timeout` seconds.
   */
  getUpdates(params: { timeout?: number } = {}, signal?: AbortSignal): Promise<unknown> {
    const timeout = params.timeout ?? 30;
    return this.call('getUpdates', { timeout: String(timeout) }, { signal, waitMs: timeout * 1000 });
  }

  sendMessage(chatId: string, text: string, form: ZaloForm = {}): Promise<ZaloSentMessage> {
    return this.call('sendMessage', { ...form, chat_id: chatId, text });
  }

  /** `photo` is an image URL that Zalo fetches. */
  sendPhoto(
    chatId: string,
    photo: string,
    form: ZaloForm & { caption?: string } = {},
  ): Promise<ZaloSentMessage> {
    return this.call('sendPhoto', { ...form, chat_id: chatId, photo });
  }

  sendSticker(chatId: string, sticker: string, form: ZaloForm = {}): Promise<ZaloSentMessage> {
    return this.call('sendSticker', { ...form, chat_id: chatId, sticker });
  }

  sendChatAction(chatId: string, action = 'typing', form: ZaloForm = {}): Promise<unknown> {
    return this.call('sendChatAction', { ...form, chat_id: chatId, action });
  }

  /** Zalo wants an https URL and an 8–256 character secret, echoed in `X-Bot-Api-Secret-Token`. */
  setWebHook(url: string, options: { secret_token: string }): Promise<ZaloWebhookInfo> {
    return this.call('setWebhook', { url, secret_token: options.secret_token });
  }

  deleteWebHook(): Promise<ZaloWebhookInfo> {
    return this.call('deleteWebhook');
  }

  getWebHookInfo(): Promise<ZaloWebhookInfo> {
    return this.call('getWebhookInfo');
  }

  /**
   * Starts the long-poll loop unless it runs already; resolves once started. `options` add to the constructor's
   * polling options (an intake for the updates, a wait before each poll).
   */
  async startPolling(options: Pick<ZaloPollingOptions, 'intake' | 'beforePoll'> = {}): Promise<void> {
    if (this.polling) return;
    const controller = new AbortController();
    this.polling = {
      controller,
      done: this.pollUntil(controller.signal, { ...this.pollingOptions, ...options }),
    };
  }

  /** Aborts the poll in flight and resolves when the loop has ended. */
  async stopPolling(): Promise<void> {
    const polling = this.polling;
    if (!polling) return;
    this.polling = undefined;
    polling.controller.abort();
    await polling.done;
  }

  isPolling(): boolean {
    return this.polling !== undefined;
  }

  /** One getUpdates at a time until aborted; never rejects. */
  private async pollUntil(signal: AbortSignal, options: ZaloPollingOptions): Promise<void> {
    const { interval = 0, params = {}, backoff = {}, intake, beforePoll } = options;
    const { minMs = 1_000, maxMs = 30_000 } = backoff;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (beforePoll) await beforePoll(signal);
        if (signal.aborted) break;
        const update = await this.getUpdates(params, signal);
        failures = 0;
        if (intake) await intake(update, signal);
        else this.processUpdate(update);
        if (interval > 0) await this.sleep(interval, signal);
      } catch (err) {
        if (signal.aborted) break;
        if (isIdlePoll(err)) {
          failures = 0;
          continue;
        }
        const retryInMs = Math.min(maxMs, minMs * 2 ** failures);
        failures += 1;
        this.log.warn({ err, retryInMs }, 'Zalo getUpdates failed; polling again after a pause');
        this.emit('polling_error', err as ZaloError);
        await this.sleep(retryInMs, signal).catch(() => undefined);
      }
    }
    this.log.debug('Zalo polling stopped');
  }

  /** POSTs JSON to `<baseApiUrl>/bot<token>/<method>`; every failure becomes a token-free ZaloError. */
  private async call<T>(
    method: string,
    params: ZaloForm = {},
    { signal, waitMs = 0 }: { signal?: AbortSignal | undefined; waitMs?: number } = {},
  ): Promise<T> {
    let status: number;
    let text: string;
    try {
      const res = await this.http.post<string>(`/bot${this.#token}/${method}`, params, {
        signal,
        timeout: this.requestTimeoutMs + waitMs,
      });
      status = res.status;
      text = this.scrub(String(res.data ?? ''));
    } catch (err) {
      throw new ZaloError('EFATAL', method, this.scrub(err instanceof Error ? err.message : String(err)));
    }
    const envelope = envelopeSchema.safeParse(parseJson(text));
    if (!envelope.success) {
      const body = text.slice(0, PARSE_ERROR_BODY_CHARS);
      throw new ZaloError('EPARSE', method, `HTTP ${status} with a body that is not a Zalo response`, {
        status,
        body,
      });
    }
    const { ok, result, error_code, description } = envelope.data;
    if (ok) return result as T;
    const errorCode = error_code ?? status;
    const detail = description ? `${errorCode} ${description}` : String(errorCode);
    throw new ZaloError('EZALO', method, detail, { status, body: envelope.data }, errorCode);
  }

  /** Zalo may echo the request path (and with it the token) in an error page; nothing we keep may hold it. */
  private scrub(text: string): string {
    return text.split(this.#token).join('[token]');
  }

  /** Runs a listener so that neither a throw nor a rejection escapes into the polling loop or the webhook. */
  private guard(source: string, run: () => unknown): void {
    try {
      const result = run();
      if (result instanceof Promise) result.catch((err: unknown) => this.listenerFailed(err, source));
    } catch (err) {
      this.listenerFailed(err, source);
    }
  }

  override [EventEmitter.captureRejectionSymbol](err: unknown, event: unknown, ..._args: unknown[]): void {
    this.listenerFailed(err, String(event));
  }

  private listenerFailed(err: unknown, source: string): void {
    const error = err instanceof Error ? err : new Error(String(err));
    if (source !== 'error' && this.listenerCount('error') > 0) this.emit('error', error);
    else this.log.error({ err: error, listener: source }, 'A Zalo update listener failed');
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The last `capacity` keys seen, oldest forgotten first. */
class RecentKeys {
  private readonly keys = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** Remembers `key`; false when it was already remembered. */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) {
      const [oldest] = this.keys;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
    return true;
  }
}
