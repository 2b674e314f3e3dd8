import { ABSENCE_REASONS } from '../domain/intents.js';
import type { View } from '../domain/view.js';
import type { Answer, Cell, Meeting } from '../store/records.js';
import { kindInSentence, when } from './format.js';
import type { Words } from './words.js';

/** A reason as people read it: a quick choice's label, or the member's own words. */
export function reasonLabel(ctx: Pick<Words, 't'>, reason: string | undefined): string {
  if (!reason) return ctx.t('tally.noReason');
  return (ABSENCE_REASONS as readonly string[]).includes(reason) ? ctx.t(`reason.${reason}`) : reason;
}

export function answerLabel(ctx: Pick<Words, 't'>, answer: Answer | undefined): string {
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
  ctx: Words,
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
