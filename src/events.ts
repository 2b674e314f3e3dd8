import { EventEmitter } from 'node:events';
import type { ChannelName } from './store/records.js';

/** What the running service tells whoever listens: the update-time metric, and tests that wait for an answer. */
export interface AppEventMap {
  /**
   * An update from a channel has been handled to the end on this replica: what it asked is stored and its direct
   * replies are sent (or handed to the outbox, src/delivery/replies.ts). `updateId` is the channel's own
   * (Telegram's update_id, Zalo's message_id).
   */
  handled: [{ channel: ChannelName; updateId: string; ms: number }];
}

export class AppEvents extends EventEmitter<AppEventMap> {}
