import type { ABSENCE_REASONS, Intent } from '../src/domain/intents.js';
import { refusal, type View } from '../src/domain/view.js';
import { answerLabel, invitationView } from '../src/views/attendance.js';
import type { HandlerContext } from './context.js';

/** The longest free-text absence reason we keep: a reason, not a story. */
export const MAX_REASON_LENGTH = 200;

const refusalKey = {
  not_found: 'refuse.notFound',
  not_member: 'refuse.notMember',
  cancelled: 'refuse.cancelled',
  expired: 'refuse.expired',
} as const;

/** "Vắng" tapped: quick reasons, "Khác" asks for free text. */
export function reasonView(ctx: HandlerContext, meetingId: string): View {
  const reason = (r: (typeof ABSENCE_REASONS)[number]) => ({
    label: ctx.t(`reason.${r}`),
    intent: { type: 'answer', meetingId, choice: 'absent', reason: r } as Intent,
  });
  return {
    text: ctx.t('reason.ask'),
    replace: true,
    choices: [
      [reason('sick'), reason('work')],
      [reason('family'), reason('other')],
    ],
  };
}

export async function handleAskReason(ctx: HandlerContext, meetingId: string): Promise<View[]> {
  // Checked before asking, so a stale or foreign notice is refused at the first tap, not the second.
  const check = await ctx.services.attendance.canAnswer(ctx.actor?.id ?? '', meetingId);
  if (!check.ok) {
    return [refusal(ctx.t(refusalKey[check.reason]))];
  }
  // Tapped in a group: the reason is the member's own business, asked privately.
  if (ctx.chatKind === 'group')
    return [
      {
        ...reasonView(ctx, meetingId),
        replace: false,
        privately: true,
        toast: ctx.t('group.reasonPrivately'),
      },
    ];
  return [reasonView(ctx, meetingId)];
}

export async function handleAnswer(
  ctx: HandlerContext,
  intent: Extract<Intent, { type: 'answer' }>,
): Promise<View[]> {
  const actor = ctx.actor;
  if (!actor) return [refusal(ctx.t('refuse.notLinked'))];
  const inGroup = ctx.chatKind === 'group';
  if (intent.choice === 'absent' && intent.reason === 'other' && !intent.note) {
    const text = ctx.t('reason.askText', { max: MAX_REASON_LENGTH });
    if (inGroup)
      return [{ text, privately: true, awaitText: intent, toast: ctx.t('group.reasonTextPrivately') }];
    return [{ text, replace: true, awaitText: intent }];
  }
  if (intent.note && intent.note.length > MAX_REASON_LENGTH) {
    return [{ text: ctx.t('refuse.tooLong', { max: MAX_REASON_LENGTH }) }];
  }
  const result = await ctx.services.attendance.recordAnswer(
    actor.id,
    intent.meetingId,
    intent.choice,
    intent.reason,
    intent.note,
  );
  if (!result.ok) {
    return [refusal(ctx.t(refusalKey[result.reason]))];
  }
  const saved = ctx.t('answer.saved', { answer: answerLabel(ctx, result.answer) });
  // In a group the answer is the tapper's toast alone; the group's message shows counts, refreshed by the outbox.
  if (inGroup) return [{ text: saved, toast: saved, toastOnly: true }];
  const cell = result.cell;
  if (!cell) return [refusal(ctx.t('refuse.notFound'))];
  const view = invitationView(ctx, result.meeting, cell, result.answer);
  view.replace = true;
  view.toast = saved;
  return [view];
}
