import { Composer, type Context } from 'grammy';
import type { Intent } from '../../domain/intents.js';
import type { View } from '../../domain/view.js';
import type { Logger } from '../../logger.js';
import type { CellGroupsService } from '../../services/groups.js';

export interface GroupUpdatesDeps {
  groups: CellGroupsService;
  log: Logger;
  /** One turn of the conversation: the views to reply, or nothing for an update from no one. */
  speak(ctx: Context, said: Intent): Promise<View[] | undefined>;
  reply(ctx: Context, views: View[]): Promise<void>;
}

/**
 * What the bot takes from a group chat besides taps: `/nhom` (addressed to it, or bare), the service message
 * of a group upgraded to a supergroup (from either side), and its own removal. Anything else said in a group
 * passes on, to be ignored.
 */
export function groupUpdates(deps: GroupUpdatesDeps): Composer<Context> {
  const composer = new Composer<Context>();
  const groups = composer.chatType(['group', 'supergroup']);

  // grammY's command filter also skips "/nhom@another_bot".
  groups.command('nhom', async (ctx) => {
    const views = await deps.speak(ctx, { type: 'command', name: 'nhom', args: ctx.match });
    if (views) await deps.reply(ctx, views);
  });

  groups.on('message:migrate_to_chat_id', async (ctx) => {
    const to = ctx.message.migrate_to_chat_id;
    if (await deps.groups.migrate(ctx.chat.id, to))
      deps.log.info({ from: ctx.chat.id, to }, 'A cell group became a supergroup: binding moved');
  });
  groups.on('message:migrate_from_chat_id', async (ctx) => {
    const from = ctx.message.migrate_from_chat_id;
    if (await deps.groups.migrate(from, ctx.chat.id))
      deps.log.info({ from, to: ctx.chat.id }, 'A cell group became a supergroup: binding moved');
  });

  groups.on('my_chat_member', async (ctx) => {
    const status = ctx.myChatMember.new_chat_member.status;
    if (status === 'left' || status === 'kicked') await deps.groups.chatGone(ctx.chat.id);
  });

  return composer;
}
