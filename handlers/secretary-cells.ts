import type { Cell } from '../src/store/records.js';
import { isSecretary } from '../src/store/repositories/cells.js';
import type { HandlerContext } from './context.js';

/** The cells in which the actor is a secretary, in a stable order. */
export async function secretaryCellsOf(ctx: HandlerContext): Promise<Cell[]> {
  if (!ctx.actor) return [];
  const { cells } = ctx.services.repos;
  const ids = await cells.cellsOf(ctx.actor.id);
  const roles = await Promise.all(ids.map((id) => cells.membership(id, ctx.actor?.id ?? '')));
  const mine = await cells.getMany(ids.filter((_, i) => isSecretary(roles[i])));
  return mine.sort((a, b) => a.name.localeCompare(b.name, 'vi') || a.id.localeCompare(b.id));
}
