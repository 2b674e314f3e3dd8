import type { Locale, Params } from '../src/i18n.js';
import type { Services } from '../src/services/index.js';
import type { ChannelName, Person } from '../src/store/records.js';

/**
 * Everything a handler knows of the request: who asks, from where, and when. No channel types. Built in one
 * place, the channels' conversation (src/channels/conversation.ts).
 */
export interface HandlerContext {
  channel: ChannelName;
  /** The channel's own user ID (Telegram user ID, Zalo user ID). */
  userId: string;
  /** The display name the channel gives, used only when a bootstrap admin is created. */
  displayName: string;
  chatKind: 'private' | 'group';
  /** The chat asked from, where the channel has chats of several kinds (a Telegram group's ID and title). */
  chatId?: string;
  chatTitle?: string;
  /** The linked person, if this account is linked. */
  actor?: Person;
  locale: Locale;
  now: number;
  services: Services;
  t(key: string, params?: Params): string;
}
