import { Api, GrammyError, HttpError } from 'grammy';
import type { View } from '../../../handlers/views.js';
import { SendError, type Sender, type SendReceipt } from '../../delivery/sender.js';
import { renderTelegram, renderTelegramDocument } from './render.js';

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
