import { Api, GrammyError, HttpError } from 'grammy';
import type { View } from '../../handlers/views.js';
import { renderTelegram, renderTelegramDocument } from '../channels/telegram/render.js';
import type { ChannelName } from '../store/records.js';

/** Why a recipient cannot be reached on a channel at all (so the secretaries must tell them in person). */
export type Unreachable = 'blocked' | 'chat_not_found';

/**
 * A failed send, classified for the outbox: transient ones are retried (after `retryAfterMs` when the
 * platform said so), permanent ones become dead letters.
 */
export class SendError extends Error {
  readonly kind: 'transient' | 'permanent';
  readonly retryAfterMs?: number;
  /** Set when the failure is the recipient's (blocked the bot, chat gone), not the message's. */
  readonly unreachable?: Unreachable;

  constructor(
    message: string,
    details: { kind: 'transient' | 'permanent'; retryAfterMs?: number; unreachable?: Unreachable },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SendError';
    this.kind = details.kind;
    this.retryAfterMs = details.retryAfterMs;
    this.unreachable = details.unreachable;
  }
}

/** Delivers one view to one chat of one channel; throws SendError on failure. */
export interface Sender {
  readonly channel: ChannelName;
  send(chatId: string, view: View): Promise<void>;
  /** A chat needing slower pacing than the outbox's default (a Telegram group: 20 a minute). */
  chatIntervalMs?(chatId: string): number | undefined;
}

/** What a Bot API failure means for the outbox; anything unrecognised counts as transient (retries are bounded). */
export function classifyTelegramError(err: unknown): SendError {
  if (err instanceof GrammyError) {
    const what = `Telegram ${err.error_code}: ${err.description}`;
    if (err.error_code === 429) {
      const seconds = err.parameters.retry_after ?? 1;
      return new SendError(what, { kind: 'transient', retryAfterMs: seconds * 1000 }, { cause: err });
    }
    if (err.error_code >= 500) return new SendError(what, { kind: 'transient' }, { cause: err });
    if (err.error_code === 403) return new SendError(what, { kind: 'permanent', unreachable: 'blocked' });
    if (/chat not found|user not found|deactivated/i.test(err.description))
      return new SendError(what, { kind: 'permanent', unreachable: 'chat_not_found' });
    return new SendError(what, { kind: 'permanent' }, { cause: err });
  }
  // HttpError wraps network failures (connection refused or reset, timeouts): the request may not have arrived.
  const message = err instanceof HttpError ? err.message : String(err);
  return new SendError(`Telegram unreachable: ${message}`, { kind: 'transient' }, { cause: err });
}

/** Sends through the Bot API with grammY's client; `apiRoot` points it at a self-hosted or fake server. */
export class TelegramSender implements Sender {
  readonly channel = 'telegram' as const;
  private readonly api: Api;

  constructor(token: string, options: { apiRoot?: string; timeoutSeconds?: number } = {}) {
    this.api = new Api(token, { apiRoot: options.apiRoot, timeoutSeconds: options.timeoutSeconds ?? 30 });
  }

  /** Group chats have negative IDs; Telegram allows a group about 20 messages a minute. */
  chatIntervalMs(chatId: string): number | undefined {
    return chatId.startsWith('-') ? 3_000 : undefined;
  }

  async send(chatId: string, view: View): Promise<void> {
    const { text, ...other } = renderTelegram(view);
    try {
      if (view.document) {
        const document = renderTelegramDocument({ ...view, document: view.document });
        await this.api.sendDocument(chatId, document.file, document.other);
        return;
      }
      await this.api.sendMessage(chatId, text, other);
    } catch (err) {
      throw classifyTelegramError(err);
    }
  }
}
