import type { Answer, Cell, Meeting } from '../src/store/records.js';
import type { HandlerContext } from './context.js';
import { kindInSentence, when } from './format.js';
import { ABSENCE_REASONS, type Intent } from './intents.js';
import { refusal, type View } from './views.js';

/** The longest free-text absence reason we keep: a reason, not a story. */
export const MAX_REASON_LENGTH = 200;

const refusalKey = {
  not_found: 'refuse.notFound',
  not_member: 'refuse.notMember',
  cancelled: 'refuse.cancelled',
  expired: 'refuse.expired',
} as const;

/** A reason as people read it: a quick choice's label, or the member's own words. */
export function reasonLabel(ctx: Pick<HandlerContext, 't'>, reason: string | undefined): string {
  if (!reason) return ctx.t('tally.noReason');
  return (ABSENCE_REASONS as readonly string[]).includes(reason) ? ctx.t(`reason.${reason}`) : reason;
}

export function answerLabel(ctx: Pick<HandlerContext, 't'>, answer: Answer | undefined): string {
  if (!answer) return ctx.t('lich.noAnswer');
  if (answer.choice === 'present') return ctx.t('answer.present');
  if (!answer.reason) return ctx.t('answer.absent');
  return ctx.t('answer.absentWithReason', { reason: reasonLabel(ctx, answer.reason) });
}

/**
 * The invitation a member gets (and sees again, edited, after each answer). One view for every channel. `ctx.t`
 * is the catalogue's for `ctx.locale`, as every channel builds it.
 */
export function invitationView(
  ctx: Pick<HandlerContext, 't' | 'locale'>,
  meeting: Readonly<Meeting>,
  cell: Readonly<Cell>,
  answer?: Answer,
): View {
  const lines = [
    ctx.t('invite.title', { kind: kindInSentence(ctx, meeting), cell: cell.name }),
    ctx.t('invite.when', { when: when(ctx, meeting, cell) }),
    ...(meeting.place || cell.place ? [ctx.t('invite.place', { place: meeting.place || cell.place })] : []),
    ...(meeting.topicTitle ? [ctx.t('invite.topic', { topic: meeting.topicTitle })] : []),
    '',
    answer ? ctx.t('invite.current', { answer: answerLabel(ctx, answer) }) : ctx.t('invite.ask'),
    ctx.t('invite.documents'),
  ];
  return {
    text: lines.join('\n'),
    choices: [
      [
        {
          label: ctx.t('button.present'),
          intent: { type: 'answer', meetingId: meeting.id, choice: 'present' },
        },
        { label: ctx.t('button.absent'), intent: { type: 'ask_reason', meetingId: meeting.id } },
      ],
    ],
  };
}

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
  return [{ ...invitationView(ctx, result.meeting, cell, result.answer), replace: true, toast: saved }];
}
