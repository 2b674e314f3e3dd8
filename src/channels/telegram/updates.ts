import { z } from 'zod';

/**
 * The parts of a Telegram update that the bot, grammY's filters and its plugins read, with their types. Telegram
 * sends nothing else, but a webhook is reachable by anyone holding the secret (and by a proxy that mangles
 * bodies): an update that does not fit is refused before any middleware, rather than failing half-way through
 * one with a TypeError. Objects stay open (other fields pass); kinds the bot does not handle are only checked for
 * their `update_id`.
 */
const integer = z.number().int();
const user = z.looseObject({
  id: integer,
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});
const chat = z.looseObject({
  id: integer,
  type: z.enum(['private', 'group', 'supergroup', 'channel']),
  title: z.string().optional(),
  username: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
});
const entity = z.looseObject({
  type: z.string(),
  offset: integer.nonnegative(),
  length: integer.nonnegative(),
});
const message = z.looseObject({
  message_id: integer,
  date: integer,
  chat,
  from: user.optional(),
  sender_chat: chat.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z.array(entity).optional(),
  caption_entities: z.array(entity).optional(),
  migrate_to_chat_id: integer.optional(),
  migrate_from_chat_id: integer.optional(),
  new_chat_members: z.array(user).optional(),
  left_chat_member: user.optional(),
});
/** A message a callback query comes from; an inaccessible one (date 0) has only these. */
const tappedMessage = z.looseObject({ message_id: integer, date: integer, chat });
const callbackQuery = z.looseObject({
  id: z.string(),
  from: user,
  chat_instance: z.string(),
  data: z.string().optional(),
  message: tappedMessage.optional(),
  inline_message_id: z.string().optional(),
});
const chatMember = z.looseObject({ status: z.string(), user });
const memberUpdate = z.looseObject({
  chat,
  from: user,
  date: integer,
  old_chat_member: chatMember,
  new_chat_member: chatMember,
});

export const updateSchema = z.looseObject({
  update_id: integer.nonnegative(),
  message: message.optional(),
  edited_message: message.optional(),
  channel_post: message.optional(),
  edited_channel_post: message.optional(),
  callback_query: callbackQuery.optional(),
  my_chat_member: memberUpdate.optional(),
  chat_member: memberUpdate.optional(),
});

export type UpdateCheck = { ok: true } | { ok: false; updateId?: number; issues: string[] };

/** Whether the bot can take `body` as an update; if not, where it does not fit (paths and reasons, no values). */
export function checkUpdate(body: unknown): UpdateCheck {
  const parsed = updateSchema.safeParse(body);
  if (parsed.success) return { ok: true };
  const id = (body as { update_id?: unknown } | null)?.update_id;
  const issues = parsed.error.issues
    .slice(0, 5)
    .map(
      (i) =>
        `${i.path.join('.') || '(root)'}: ${i.code}${'expected' in i ? ` (expected ${i.expected})` : ''}`,
    );
  return { ok: false, ...(Number.isSafeInteger(id) ? { updateId: id as number } : {}), issues };
}

/** The kind of an update (message, callback_query…), for logs. */
export const updateType = (update: object): string | undefined =>
  Object.keys(update).find((key) => key !== 'update_id');
