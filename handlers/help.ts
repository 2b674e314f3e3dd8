import type { HandlerContext } from './context.js';
import { joinOffer } from './join.js';
import { secretaryCellsOf } from './secretary-cells.js';
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
  const { people } = ctx.services.repos;
  if ((await secretaryCellsOf(ctx)).length > 0)
    parts.push(ctx.t('help.secretary'), ctx.t('topics.help'), ctx.t('group.help'));
  if (await ctx.services.visits.assignment(ctx.actor.id)) parts.push(ctx.t('visits.help.committee'));
  if (await people.isAdmin(ctx.actor.id)) parts.push(ctx.t('help.admin'), ctx.t('visits.help.admin'));
  return [{ text: parts.join('\n\n') }];
}
