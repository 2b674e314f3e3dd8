import type { Intent, TopicAction } from '../domain/intents.js';
import { type Anniversary, describeReasons, type TopicSuggestion } from '../domain/topics.js';
import type { View } from '../domain/view.js';
import type { Cell } from '../store/records.js';
import type { Words } from './words.js';

export type TopicIntent = Extract<Intent, { type: 'topic' }>;

/** Telegram shows about this much of a button; Zalo lists the label in full anyway. */
const LABEL_CHARS = 60;
export const buttonLabel = (text: string) =>
  text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text;

export const topicIntent = (action: TopicAction, cellId: string, arg?: string): TopicIntent => ({
  type: 'topic',
  action,
  cellId,
  ...(arg !== undefined ? { arg } : {}),
});

/**
 * A page of suggestions, for a reply or for the quarterly reminder (which puts its own line first). Each topic
 * is a line with why it fits; its choice opens its page.
 */
export function suggestionsView(
  ctx: Words,
  cell: Cell,
  page: { suggestions: TopicSuggestion[]; hasMore: boolean; offset: number },
  anniversaries: readonly Anniversary[],
  today: { year: number; month: number },
): View {
  const lines = [
    ctx.t(page.offset === 0 ? 'topics.list.title' : 'topics.list.more', {
      cell: cell.name,
      month: today.month,
      year: today.year,
    }),
  ];
  if (page.suggestions.length === 0) lines.push(ctx.t('topics.list.none'));
  for (const s of page.suggestions)
    lines.push(
      '',
      ctx.t('topics.list.item', { title: s.topic.title }),
      ctx.t('topics.list.why', { reasons: describeReasons(s.reasons, anniversaries, ctx.t) }),
    );
  lines.push('', ctx.t('topics.list.hint'));
  return {
    text: lines.join('\n'),
    choices: [
      ...page.suggestions.map((s) => [
        { label: buttonLabel(s.topic.title), intent: topicIntent('show', cell.id, s.topic.id) },
      ]),
      ...(page.hasMore
        ? [
            [
              {
                label: ctx.t('topics.button.more'),
                intent: topicIntent('more', cell.id, String(page.offset + page.suggestions.length)),
              },
            ],
          ]
        : []),
      [{ label: ctx.t('topics.button.own'), intent: topicIntent('own', cell.id) }],
    ],
  };
}
