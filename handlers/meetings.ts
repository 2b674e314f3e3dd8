import { isSecretary } from '../src/store/repositories/cells.js';
import { answerLabel, reasonLabel } from './attendance.js';
import type { HandlerContext } from './context.js';
import { kindLabel, when } from './format.js';
import { refusal, type View } from './views.js';

/** /lich: my upcoming meetings and my answers. */
export async function handleSchedule(ctx: HandlerContext): Promise<View[]> {
  if (!ctx.actor) return [refusal(ctx.t('refuse.notLinked'))];
  const upcoming = await ctx.services.meetings.upcomingFor(ctx.actor.id);
  if (upcoming.length === 0) return [{ text: ctx.t('lich.none') }];
  const answers = await Promise.all(
    upcoming.map(({ meeting }) => ctx.services.repos.meetings.answer(meeting.id, ctx.actor?.id ?? '')),
  );
  const lines = upcoming.map(({ meeting, cell }, i) =>
    ctx.t('lich.item', {
      when: when(ctx, meeting, cell),
      cell: cell.name,
      answer: answerLabel(ctx, answers[i]),
    }),
  );
  return [{ text: [ctx.t('lich.title'), ...lines].join('\n') }];
}

/** The cells in which the actor is a secretary, for secretary-only commands. */
async function secretaryCells(ctx: HandlerContext): Promise<string[]> {
  if (!ctx.actor) return [];
  const { cells } = ctx.services.repos;
  const ids = await cells.cellsOf(ctx.actor.id);
  const roles = await Promise.all(ids.map((id) => cells.membership(id, ctx.actor?.id ?? '')));
  return ids.filter((_, i) => isSecretary(roles[i]));
}

/** /diemdanh: the live tally of the cell's current meeting, privately, for its secretaries. */
export async function handleTally(ctx: HandlerContext, meetingId?: string): Promise<View[]> {
  if (!ctx.actor) return [refusal(ctx.t('refuse.notLinked'))];
  if (ctx.chatKind !== 'private') return [refusal(ctx.t('refuse.privateOnly'))];
  let id = meetingId;
  if (!id) {
    const [cellId] = await secretaryCells(ctx);
    if (!cellId) return [refusal(ctx.t('refuse.notSecretary'))];
    id = (await ctx.services.meetings.currentOf(cellId))?.id;
    if (!id) return [{ text: ctx.t('tally.none') }];
  }
  const allowed = await ctx.services.attendance.forSecretary(id, ctx.actor);
  if (!allowed.ok)
    return [refusal(ctx.t(allowed.reason === 'not_found' ? 'refuse.notFound' : 'refuse.notSecretary'))];
  const { meeting } = allowed;
  const [tally, cell] = await Promise.all([
    ctx.services.attendance.tally(meeting),
    ctx.services.repos.cells.get(meeting.cellId),
  ]);
  if (!cell) return [refusal(ctx.t('refuse.notFound'))];
  const byReason = new Map<string, string[]>();
  for (const a of tally.absent) {
    const reason = reasonLabel(ctx, a.reason);
    byReason.set(reason, [...(byReason.get(reason) ?? []), a.name]);
  }
  const reasons = [...byReason].map(([reason, names]) =>
    ctx.t('tally.reasonGroup', { reason, names: names.join(', ') }),
  );
  const text = [
    ctx.t('tally.title', { kind: kindLabel(ctx, meeting), when: when(ctx, meeting, cell) }),
    ctx.t('tally.line', {
      present: tally.present,
      base: tally.base,
      absent: tally.absent.length,
      reasons: reasons.length ? ` (${reasons.join('; ')})` : '',
      unanswered: tally.unanswered.length,
    }),
  ].join('\n');
  const canRemind = tally.unanswered.length > 0 && ctx.now < meeting.startsAt;
  return [
    {
      text,
      ...(canRemind
        ? {
            choices: [
              [
                {
                  label: ctx.t('tally.remind'),
                  intent: { type: 'meeting', action: 'remind', meetingId: meeting.id },
                },
              ],
            ],
          }
        : {}),
    },
  ];
}
