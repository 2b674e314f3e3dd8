import type { MarkableStep } from '../src/domain/checklist.js';
import type { Intent } from '../src/domain/intents.js';
import { DAY_MS } from '../src/domain/time.js';
import { refusal, type View } from '../src/domain/view.js';
import type { Meeting } from '../src/store/records.js';
import { checklistView } from '../src/views/checklist.js';
import { when } from '../src/views/format.js';
import type { HandlerContext } from './context.js';
import { secretaryCellsOf } from './secretary-cells.js';

/** /chuanbi and the checklist's taps; the checklist itself is drawn by src/views/checklist.ts. */

/** How far ahead /chuanbi looks for the meeting to prepare. */
const PREPARE_AHEAD_MS = 62 * DAY_MS;

/** The meeting to prepare: the cell's next planned one (a past one's roll call is /diemdanh's business). */
async function nextMeetingOf(ctx: HandlerContext, cellId: string): Promise<Meeting | undefined> {
  const ahead = await ctx.services.repos.meetings.ofCell(cellId, ctx.now, ctx.now + PREPARE_AHEAD_MS);
  return ahead.find((m) => m.state === 'planned' && m.startsAt > ctx.now);
}

/** /chuanbi: the checklist of the secretary's current meeting; with several cells, one choice per cell. */
export async function handleChecklistCommand(ctx: HandlerContext): Promise<View[]> {
  if (!ctx.actor) return [refusal(ctx.t('refuse.notLinked'))];
  if (ctx.chatKind !== 'private') return [refusal(ctx.t('refuse.privateOnly'))];
  const cells = await secretaryCellsOf(ctx);
  if (cells.length === 0) return [refusal(ctx.t('refuse.notSecretary'))];
  const current = await Promise.all(cells.map((c) => nextMeetingOf(ctx, c.id)));
  const found = cells.flatMap((cell, i) => {
    const meeting = current[i];
    return meeting ? [{ cell, meeting }] : [];
  });
  const [only] = found;
  if (!only) return [{ text: ctx.t('tally.none') }];
  if (found.length > 1)
    return [
      {
        text: ctx.t('checklist.pickCell'),
        choices: found.map(({ cell, meeting }) => [
          {
            label: `${cell.name} — ${when(ctx, meeting, cell)}`,
            intent: { type: 'checklist', meetingId: meeting.id },
          },
        ]),
      },
    ];
  const facts = await ctx.services.checklist.facts(only.meeting, only.cell);
  return [checklistView(ctx, facts)];
}

/** A tap on the checklist: open it, or tick a step; the meeting's own cell decides who may. */
export async function handleChecklistIntent(
  ctx: HandlerContext,
  intent: Extract<Intent, { type: 'checklist' }>,
): Promise<View[]> {
  if (!ctx.actor) return [refusal(ctx.t('refuse.notLinked'))];
  if (ctx.chatKind !== 'private') return [refusal(ctx.t('refuse.privateOnly'))];
  const allowed = await ctx.services.attendance.forSecretary(intent.meetingId, ctx.actor);
  if (!allowed.ok)
    return [refusal(ctx.t(allowed.reason === 'not_found' ? 'refuse.notFound' : 'refuse.notSecretary'))];
  const { meeting } = allowed;
  const cell = await ctx.services.repos.cells.get(meeting.cellId);
  if (!cell) return [refusal(ctx.t('refuse.notFound'))];
  if (meeting.state === 'cancelled') return [refusal(ctx.t('refuse.cancelled'))];
  if (intent.step === undefined) {
    if (intent.done !== undefined) return [refusal(ctx.t('refuse.invalid'))];
    return [checklistView(ctx, await ctx.services.checklist.facts(meeting, cell))];
  }
  if (intent.done === undefined) return [refusal(ctx.t('refuse.invalid'))];
  const step: MarkableStep = intent.step;
  await ctx.services.checklist.mark(ctx.actor.id, meeting, step, intent.done);
  const view = checklistView(ctx, await ctx.services.checklist.facts(meeting, cell));
  return [
    {
      ...view,
      replace: true,
      toast: ctx.t(intent.done ? 'checklist.toast.done' : 'checklist.toast.undone', {
        step: ctx.t(`checklist.short.${step}`),
      }),
    },
  ];
}
