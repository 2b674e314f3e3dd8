import { ABSENCE_REASONS } from '../domain/intents.js';
import type { View } from '../domain/view.js';
import type { Answer, Cell, Meeting } from '../store/records.js';
import { kindInSentence, whenAt } from './format.js';
import type { Words } from './words.js';

/** A reason as people read it: a quick choice's label, or the member's own words. */
export function reasonLabel(ctx: Pick<Words, 't'>, reason: string | undefined): string {
  if (!reason) return ctx.t('tally.noReason');
  return (ABSENCE_REASONS as readonly string[]).includes(reason) ? ctx.t(`reason.${reason}`) : reason;
}

export function answerLabel(
  ctx: Pick<Words, 't'>,
  answer: Pick<Answer, 'choice' | 'reason'> | undefined,
): string {
  if (!answer) return ctx.t('lich.noAnswer');
  if (answer.choice === 'present') return ctx.t('answer.present');
  if (!answer.reason) return ctx.t('answer.absent');
  return ctx.t('answer.absentWithReason', { reason: reasonLabel(ctx, answer.reason) });
}

/** What an invitation's text says, and nothing else: its memo's key is made of exactly these. */
interface InvitationFacts {
  locale: Words['locale'];
  kind: Meeting['kind'];
  startsAt: number;
  timeZone: string;
  cellName: string;
  place: string;
  topic: string | undefined;
  answer: Pick<Answer, 'choice' | 'reason'> | undefined;
}

function invitationText(ctx: Words, facts: InvitationFacts): string {
  const { answer } = facts;
  const lines = [
    ctx.t('invite.title', { kind: kindInSentence(ctx, facts), cell: facts.cellName }),
    ctx.t('invite.when', { when: whenAt(ctx, new Date(facts.startsAt), facts.timeZone) }),
    ...(facts.place ? [ctx.t('invite.place', { place: facts.place })] : []),
    ...(facts.topic ? [ctx.t('invite.topic', { topic: facts.topic })] : []),
    '',
    answer ? ctx.t('invite.current', { answer: answerLabel(ctx, answer) }) : ctx.t('invite.ask'),
    ctx.t('invite.documents'),
  ];
  return lines.join('\n');
}

/** A free-text part of a memo key, prefixed by its length so that no text can pass for two. */
const part = (text: string | undefined) => (text === undefined ? '-' : `${text.length}:${text}`);

/**
 * Invitation texts by their facts: a tap's reply is the tapped invitation again, and every member of a meeting
 * sees one of a few texts (one per answer), so each is worded once rather than per tap (its date in the cell's
 * zone and a dozen catalogue lookups were the dearest part of a tap's reply). A pure memo: the text depends on
 * the facts alone (`ctx.t` is the catalogue's for `ctx.locale`), so an equal key is an equal text. Bounded:
 * cleared when full.
 */
const invitationTexts = new Map<string, string>();
const INVITATION_TEXTS_MAX = 10_000;

function rememberedInvitationText(ctx: Words, facts: InvitationFacts): string {
  const { answer } = facts;
  const key = `${facts.locale}|${facts.kind}|${facts.startsAt}|${answer?.choice ?? '-'}|${part(answer?.reason)}|${part(facts.timeZone)}|${part(facts.cellName)}|${part(facts.place)}|${part(facts.topic)}`;
  let text = invitationTexts.get(key);
  if (text === undefined) {
    text = invitationText(ctx, facts);
    if (invitationTexts.size >= INVITATION_TEXTS_MAX) invitationTexts.clear();
    invitationTexts.set(key, text);
  }
  return text;
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
  const text = rememberedInvitationText(ctx, {
    locale: ctx.locale,
    kind: meeting.kind,
    startsAt: meeting.startsAt,
    timeZone: cell.timeZone,
    cellName: cell.name,
    place: meeting.place || cell.place,
    topic: meeting.topicTitle,
    answer,
  });
  return {
    text,
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
