import { z } from 'zod';

/** Zalo documents IDs as strings; a number is taken too, so a quiet format change does not drop every message. */
const id = z.union([z.string().min(1).max(128), z.number().int()]).transform(String);

const userSchema = z.object({
  id,
  display_name: z.string().optional(),
  is_bot: z.boolean().optional(),
});

const chatSchema = z.object({
  id,
  chat_type: z.string(),
});

const messageSchema = z.object({
  from: userSchema,
  chat: chatSchema,
  message_id: id,
  date: z.number(),
  text: z.string().optional(),
  photo: z.string().optional(),
  caption: z.string().optional(),
  sticker: z.string().optional(),
});

/**
 * One inbound update, as getUpdates returns it and a webhook delivers it. Unknown event names are kept: the
 * message fields tell what arrived, and `message.unsupported.received` carries none of them.
 */
export const zaloUpdateSchema = z.object({
  event_name: z.string(),
  message: messageSchema,
});

export type ZaloUpdate = z.infer<typeof zaloUpdateSchema>;
export type ZaloMessage = ZaloUpdate['message'];
export type ZaloUser = ZaloMessage['from'];
export type ZaloChat = ZaloMessage['chat'];

/** The message kinds that get their own event, in the order the SDK checks them. */
export const MESSAGE_TYPES = ['text', 'photo', 'sticker'] as const;
export type ZaloMessageType = (typeof MESSAGE_TYPES)[number];

export interface ZaloBotInfo {
  id: string;
  account_name: string;
  account_type: string;
  can_join_groups: boolean;
}

export interface ZaloSentMessage {
  message_id: string;
  /** Milliseconds since the epoch. */
  date: number;
}

export interface ZaloWebhookInfo {
  url: string;
  updated_at: number;
}
