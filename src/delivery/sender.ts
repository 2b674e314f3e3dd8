import type { View } from '../../handlers/views.js';
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
