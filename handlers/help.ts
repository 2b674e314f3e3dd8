import type { View } from '../src/domain/view.js';
import { type CommandSpec, commandsFor, type Role, rolesOf } from './commands.js';
import type { HandlerContext } from './context.js';
import { joinOffer } from './join.js';

/** The roles /trogiup has a section for, in its order, each with its heading. */
const SECTIONS: readonly Role[] = ['member', 'secretary', 'committee', 'admin'];

/** "/taodangbo <tên> — tạo đảng bộ": a command's line in /trogiup. */
const helpLine = (ctx: HandlerContext, spec: CommandSpec) =>
  `/${spec.name}${spec.usage ? ` ${ctx.t(spec.usage)}` : ''} — ${ctx.t(spec.help)}`;

/**
 * /trogiup: for each role this person holds, its heading and its commands on this channel, from the command
 * registry (./commands.ts); someone not linked gets how to link instead.
 */
export async function handleHelp(ctx: HandlerContext, unknownCommand?: string): Promise<View[]> {
  const parts: string[] = [];
  if (unknownCommand) parts.push(ctx.t('help.unknown', { command: unknownCommand.slice(0, 40) }));
  if (!ctx.actor)
    return [{ text: [...parts, ctx.t('start.noCode')].join('\n\n'), choices: [[joinOffer(ctx)]] }];
  const roles = await rolesOf(ctx.services, ctx.actor.id);
  for (const role of SECTIONS) {
    if (!roles.includes(role)) continue;
    const lines = commandsFor([role], ctx.channel).map((spec) => helpLine(ctx, spec));
    parts.push([ctx.t(`help.section.${role}`), ...lines].join('\n'));
    // Zalo has no command menu: say that the words work without the slash and without diacritics.
    if (role === 'member' && ctx.channel === 'zalo') parts.push(ctx.t('zalo.help.typing'));
  }
  return [{ text: parts.join('\n\n') }];
}
