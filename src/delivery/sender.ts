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
  /** Set when the chat lives on under another ID (a Telegram group upgraded to a supergroup). */
  readonly movedTo?: string;

  constructor(
    message: string,
    details: {
      kind: 'transient' | 'permanent';
      retryAfterMs?: number;
      unreachable?: Unreachable;
      movedTo?: string;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SendError';
    this.kind = details.kind;
    this.retryAfterMs = details.retryAfterMs;
    this.unreachable = details.unreachable;
    this.movedTo = details.movedTo;
  }
}

/** What a channel says of a message it sent: its own ID for it, so the message can be edited later. */
export interface SendReceipt {
  messageId: string;
}

/** Delivers one view to one chat of one channel; throws SendError on failure. */
export interface Sender {
  readonly channel: ChannelName;
  send(chatId: string, view: View): Promise<void>;
  /**
   * Channels that can edit their messages (Telegram) have these two: `post` sends like `send` and says the
   * message's ID, which `edit` takes to replace that message with a new view.
   */
  post?(chatId: string, view: View): Promise<SendReceipt>;
  edit?(chatId: string, messageId: string, view: View): Promise<void>;
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
    const movedTo = err.parameters.migrate_to_chat_id;
    if (movedTo !== undefined)
      return new SendError(what, { kind: 'permanent', movedTo: String(movedTo) }, { cause: err });
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
    await this.post(chatId, view);
  }

  async post(chatId: string, view: View): Promise<SendReceipt> {
    const { text, ...other } = renderTelegram(view);
    try {
      if (view.document) {
        const document = renderTelegramDocument({ ...view, document: view.document });
        const sent = await this.api.sendDocument(chatId, document.file, document.other);
        return { messageId: String(sent.message_id) };
      }
      const sent = await this.api.sendMessage(chatId, text, other);
      return { messageId: String(sent.message_id) };
    } catch (err) {
      throw classifyTelegramError(err);
    }
  }

  async edit(chatId: string, messageId: string, view: View): Promise<void> {
    const { text, ...other } = renderTelegram(view);
    try {
      await this.api.editMessageText(chatId, Number(messageId), text, other);
    } catch (err) {
      // The same text again (a refresh with nothing new to show) is not a failure.
      if (err instanceof GrammyError && /message is not modified/i.test(err.description)) return;
      throw classifyTelegramError(err);
    }
  }
}
