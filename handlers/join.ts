import type { Intent } from '../src/domain/intents.js';
import { type Choice, refusal, type View } from '../src/domain/view.js';
import { t as translate } from '../src/i18n.js';
import { type JoinComposer, MIN_NAME_LENGTH } from '../src/services/joins.js';
import { MAX_NAME_LENGTH } from '../src/services/roster.js';
import type { JoinRequest } from '../src/store/records.js';
import type { HandlerContext } from './context.js';

/** Cells listed to a requester at most: a commune has a few dozen; a keyboard holds a hundred buttons. */
const MAX_LISTED_CELLS = 60;

/** The choice offered to someone without a code, under the "send your code" help. */
export const joinOffer = (ctx: Pick<HandlerContext, 't'>): Choice => ({
  label: ctx.t('join.button.ask'),
  intent: { type: 'join' },
});

/** The words of join requests for people outside the conversation, each in their own language. */
export const joinComposer: JoinComposer = {
  askSecretary(request, cell, secretary) {
    const tx = (key: string, params?: Record<string, string | number>) =>
      translate(key, params, secretary.locale);
    return {
      text: tx('join.secretary.ask', {
        name: request.name,
        cell: cell.name,
        channel: tx(`delivery.channel.${request.channel}`),
      }),
      choices: [
        [
          {
            label: tx('join.button.approve'),
            intent: { type: 'join_decision', requestId: request.id, approve: true },
          },
          {
            label: tx('join.button.refuse'),
            intent: { type: 'join_decision', requestId: request.id, approve: false },
          },
        ],
      ],
    };
  },
  answerRequester(request, cell) {
    // The requester has no person yet, so no language of their own: Vietnamese.
    const key = request.state === 'approved' ? 'join.requester.approved' : 'join.requester.refused';
    return { text: translate(key, { name: request.name, cell: cell.name }) };
  },
};

const askKey = {
  linked: 'join.refuse.linked',
  pending: 'join.refuse.pending',
  refused_recently: 'join.refuse.refusedRecently',
} as const;

/**
 * Someone without a code asks to join a cell, in three steps on one intent: the đảng bộ's cells (names only),
 * then the full name typed, then the request sent to that cell's secretaries.
 */
export async function handleJoin(
  ctx: HandlerContext,
  intent: Extract<Intent, { type: 'join' }>,
): Promise<View[]> {
  if (ctx.actor) return [refusal(ctx.t(askKey.linked))];
  const { joins } = ctx.services;
  const account = { channel: ctx.channel, userId: ctx.userId };
  const allowed = await joins.canAsk(account);
  if (!allowed.ok) return [refusal(ctx.t(askKey[allowed.reason]))];

  if (!intent.cellId) {
    const cells = (await joins.cells()).slice(0, MAX_LISTED_CELLS);
    if (cells.length === 0) return [{ text: ctx.t('join.noCells') }];
    return [
      {
        text: ctx.t('join.pickCell'),
        replace: true,
        choices: cells.map((cell) => [{ label: cell.name, intent: { type: 'join', cellId: cell.id } }]),
      },
    ];
  }
  const cell = await ctx.services.repos.cells.get(intent.cellId);
  if (!cell) return [refusal(ctx.t('refuse.invalid'))];
  const askName: View = {
    text: ctx.t('join.askName', { cell: cell.name, max: MAX_NAME_LENGTH }),
    awaitText: { type: 'join', cellId: cell.id },
  };
  if (intent.note === undefined) return [{ ...askName, replace: true }];

  const result = await joins.ask(account, cell.id, intent.note, joinComposer);
  if (result.ok) return [{ text: ctx.t('join.sent', { name: result.request.name, cell: cell.name }) }];
  switch (result.reason) {
    case 'too_long':
      return [
        { ...askName, text: [ctx.t('refuse.tooLong', { max: MAX_NAME_LENGTH }), askName.text].join('\n') },
      ];
    case 'bad_name':
      return [
        { ...askName, text: [ctx.t('join.badName', { min: MIN_NAME_LENGTH }), askName.text].join('\n') },
      ];
    case 'no_cell':
      return [refusal(ctx.t('refuse.invalid'))];
    case 'no_secretary':
      return [refusal(ctx.t('join.noSecretary', { cell: cell.name }))];
    default:
      return [refusal(ctx.t(askKey[result.reason]))];
  }
}

const decidedKey: Record<JoinRequest['state'], string> = {
  open: 'join.decided.other',
  approved: 'join.decided.approved',
  refused: 'join.decided.refused',
  lapsed: 'join.decided.lapsed',
};

/** A secretary's [Chấp nhận] / [Từ chối]: the first decision counts; the tapped message then says what was done. */
export async function handleJoinDecision(
  ctx: HandlerContext,
  intent: Extract<Intent, { type: 'join_decision' }>,
): Promise<View[]> {
  const actor = ctx.actor;
  if (!actor) return [refusal(ctx.t('refuse.notLinked'))];
  const result = await ctx.services.joins.decide(actor, intent.requestId, intent.approve, joinComposer);
  if (!result.ok) {
    if (result.reason === 'not_found') return [refusal(ctx.t('join.notFound'))];
    if (result.reason === 'not_secretary') return [refusal(ctx.t('refuse.notSecretary'))];
    const text = ctx.t(decidedKey[result.request.state], { name: result.request.name });
    return [{ text, toast: text, replace: true }];
  }
  const { request, cell } = result;
  const text = ctx.t(request.state === 'approved' ? 'join.done.approved' : 'join.done.refused', {
    name: request.name,
    cell: cell.name,
  });
  return [{ text, toast: text, replace: true }];
}
