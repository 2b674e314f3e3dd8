import type { Intent } from '../src/domain/intents.js';
import { refusal, type View } from '../src/domain/view.js';
import type { Cell } from '../src/store/records.js';
import type { HandlerContext } from './context.js';

/** The cells in which the actor is a secretary, by name (MeetingsService decides who counts as one). */
export async function secretaryCellsOf(ctx: HandlerContext): Promise<Cell[]> {
  return ctx.actor ? ctx.services.meetings.secretaryCells(ctx.actor.id) : [];
}

/** How to ask a secretary of several cells which one they mean: the question and each cell's button. */
export interface CellQuestion {
  text: string;
  intentOf: (cell: Cell) => Intent;
  /** A button's label for a cell's name; the name itself unless shortened. */
  label?: (name: string) => string;
  /** The refusal for a cell not theirs (or none at all); refuse.notSecretary unless said. */
  refusal?: string;
}

/**
 * The cell a secretary means among `cells`: the one picked (`wanted`, from a tap or typed, checked against
 * theirs), the only one, or a question listing them, one button each.
 */
export function chooseCell(
  ctx: HandlerContext,
  cells: readonly Cell[],
  wanted: string,
  question: CellQuestion,
): { cell: Cell } | { views: View[] } {
  const refused = { views: [refusal(question.refusal ?? ctx.t('refuse.notSecretary'))] };
  const id = wanted.trim();
  if (id) {
    const cell = cells.find((c) => c.id === id);
    return cell ? { cell } : refused;
  }
  const [only] = cells;
  if (!only) return refused;
  if (cells.length === 1) return { cell: only };
  const label = question.label ?? ((name: string) => name);
  return {
    views: [
      {
        text: question.text,
        choices: cells.map((cell) => [{ label: label(cell.name), intent: question.intentOf(cell) }]),
      },
    ],
  };
}

/** chooseCell among the actor's own secretary cells. */
export async function chooseSecretaryCell(
  ctx: HandlerContext,
  wanted: string,
  question: CellQuestion,
): Promise<{ cell: Cell } | { views: View[] }> {
  return chooseCell(ctx, await secretaryCellsOf(ctx), wanted, question);
}

/** The question of commands that take a cell as their argument (/hop, /diemdanh, /nhom): a button runs it again. */
export const commandCellQuestion = (
  ctx: HandlerContext,
  command: string,
  text = ctx.t('hop.pickCell'),
): CellQuestion => ({
  text,
  intentOf: (cell) => ({ type: 'command', name: command, args: cell.id }),
});
