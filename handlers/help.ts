import { isSecretary } from '../src/store/repositories/cells.js';
import type { HandlerContext } from './context.js';
import { joinOffer } from './join.js';
import type { View } from './views.js';

/** /trogiup: the commands for the roles this person holds. */
export async function handleHelp(ctx: HandlerContext, unknownCommand?: string): Promise<View[]> {
  const parts: string[] = [];
  if (unknownCommand) parts.push(ctx.t('help.unknown', { command: unknownCommand.slice(0, 40) }));
  if (!ctx.actor)
    return [{ text: [...parts, ctx.t('start.noCode')].join('\n\n'), choices: [[joinOffer(ctx)]] }];
  parts.push([ctx.t('help.member'), ctx.t('kenh.help')].join('\n'));
  // Zalo has no command menu: say that the words work without the slash and without diacritics.
  if (ctx.channel === 'zalo') parts.push(ctx.t('zalo.help.typing'));
  const { cells, people } = ctx.services.repos;
  const ids = await cells.cellsOf(ctx.actor.id);
  const roles = await Promise.all(ids.map((id) => cells.membership(id, ctx.actor?.id ?? '')));
  if (roles.some(isSecretary)) parts.push(ctx.t('help.secretary'), ctx.t('topics.help'), ctx.t('group.help'));
  if (await ctx.services.visits.assignment(ctx.actor.id)) parts.push(ctx.t('visits.help.committee'));
  if (await people.isAdmin(ctx.actor.id)) parts.push(ctx.t('help.admin'), ctx.t('visits.help.admin'));
  return [{ text: parts.join('\n\n') }];
}
