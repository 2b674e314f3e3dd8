import type { Update, UserFromGetMe } from 'grammy/types';
import { createTelegramBot, type TelegramDeps } from '../../src/channels/telegram/bot.js';

export const BOT_INFO: UserFromGetMe = {
  id: 999000,
  is_bot: true,
  first_name: 'chibo',
  username: 'chibo_test_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
}

/**
 * A bot whose Bot API calls are recorded and answered with canned results by an API transformer: the
 * outside world is faked at its boundary, everything of ours is real.
 */
export function recordingBot(deps: Omit<TelegramDeps, 'token' | 'apiRoot' | 'botInfo'>) {
  const tg = createTelegramBot({
    // Tests tap faster than people; the flood guard has its own test.
    floodGuard: { limit: 1000, timeFrameMs: 1000 },
    ...deps,
    token: '123456:TEST-token-for-recording-only',
    apiRoot: 'http://127.0.0.1:9',
    botInfo: BOT_INFO,
  });
  const calls: ApiCall[] = [];
  let messageId = 100;
  tg.bot.api.config.use(async (_prev, method, payload) => {
    calls.push({ method, payload: payload as Record<string, unknown> });
    const p = payload as Record<string, unknown>;
    const result =
      method === 'sendMessage'
        ? { message_id: ++messageId, date: 0, chat: { id: p.chat_id, type: 'private' }, text: p.text }
        : true;
    return { ok: true, result } as never;
  });
  return { ...tg, calls };
}

let updateId = 1;
export const user = (id: number, first_name = `User ${id}`) => ({ id, is_bot: false, first_name });

export function textUpdate(
  from: ReturnType<typeof user>,
  text: string,
  chat = { id: from.id, type: 'private' as const },
): Update {
  return {
    update_id: updateId++,
    message: {
      message_id: updateId,
      date: 0,
      chat: { ...chat, first_name: from.first_name },
      from,
      text,
    } as never,
  };
}

export function tapUpdate(from: ReturnType<typeof user>, data: string, messageId = 500): Update {
  return {
    update_id: updateId++,
    callback_query: {
      id: String(updateId),
      from,
      chat_instance: 'ci',
      data,
      message: {
        message_id: messageId,
        date: 0,
        chat: { id: from.id, type: 'private', first_name: from.first_name },
        text: 'old',
      } as never,
    },
  };
}

export type GroupChat = { id: number; type: 'group' | 'supergroup'; title: string };
export const groupChat = (
  id: number,
  title = 'Chi bộ thôn Khe Lếch',
  type: GroupChat['type'] = 'supergroup',
) => ({ id, type, title }) as GroupChat;

/** A command said in a group, with the bot_command entity Telegram adds (grammY's command filter needs it). */
export function groupCommandUpdate(from: ReturnType<typeof user>, chat: GroupChat, text: string): Update {
  const command = text.split(/\s/)[0] ?? text;
  return {
    update_id: updateId++,
    message: {
      message_id: updateId,
      date: 0,
      chat,
      from,
      text,
      entities: [{ type: 'bot_command', offset: 0, length: command.length }],
    } as never,
  };
}

/** A tap on a button of a message the bot posted in a group. */
export function groupTapUpdate(
  from: ReturnType<typeof user>,
  chat: GroupChat,
  data: string,
  messageId = 700,
): Update {
  return {
    update_id: updateId++,
    callback_query: {
      id: String(updateId),
      from,
      chat_instance: 'group',
      data,
      message: { message_id: messageId, date: 0, chat, text: 'notice' } as never,
    },
  };
}

/** The service message Telegram sends in a basic group as it becomes a supergroup. */
export function migrateUpdate(from: ReturnType<typeof user>, chat: GroupChat, to: number): Update {
  return {
    update_id: updateId++,
    message: { message_id: updateId, date: 0, chat, from, migrate_to_chat_id: to } as never,
  };
}

/** The bot's own membership changing in a group (e.g. removed by an admin). */
export function botMemberUpdate(
  from: ReturnType<typeof user>,
  chat: GroupChat,
  status: 'member' | 'left' | 'kicked',
): Update {
  const me = { id: BOT_INFO.id, is_bot: true, first_name: BOT_INFO.first_name };
  return {
    update_id: updateId++,
    my_chat_member: {
      chat,
      from,
      date: 0,
      old_chat_member: { user: me, status: 'member' },
      new_chat_member: status === 'kicked' ? { user: me, status, until_date: 0 } : { user: me, status },
    } as never,
  };
}
