import { describeReasons } from '../src/domain/topics.js';
import { refusal, type View } from '../src/domain/view.js';
import type { ChooseResult, TopicChoice } from '../src/services/topics.js';
import type { Cell } from '../src/store/records.js';
import { isSecretary } from '../src/store/repositories/cells.js';
import { checklistChoice } from '../src/views/checklist.js';
import { when } from '../src/views/format.js';
import { buttonLabel, suggestionsView, type TopicIntent, topicIntent } from '../src/views/topics.js';
import type { HandlerContext } from './context.js';
import { chooseSecretaryCell } from './secretary-cells.js';

/**
 * /chuyende: thematic topics for a secretary's cell — three suggestions with why, [Xem thêm] for three more,
 * a topic's summary and questions with [Chọn], or a title of the secretary's own. Every tap names its cell
 * and is authorized again against it.
 */

/** /chuyende: the suggestions of the secretary's cell, or first the choice of cell when they have several. */
export async function handleTopicsCommand(ctx: HandlerContext): Promise<View[]> {
  if (!ctx.actor) return [refusal(ctx.t('refuse.notLinked'))];
  if (ctx.chatKind !== 'private') return [refusal(ctx.t('refuse.privateOnly'))];
  const chosen = await chooseSecretaryCell(ctx, '', {
    text: ctx.t('topics.pickCell'),
    intentOf: (cell) => topicIntent('list', cell.id),
    label: buttonLabel,
  });
  return 'views' in chosen ? chosen.views : [await pageView(ctx, chosen.cell, 0)];
}

async function pageView(ctx: HandlerContext, cell: Cell, offset: number): Promise<View> {
  const { topics } = ctx.services;
  const page = await topics.suggest(cell, offset);
  return suggestionsView(
    ctx,
    cell,
    { ...page, offset },
    topics.library.calendar.anniversaries,
    topics.today(cell),
  );
}

/** Every tap and typed answer of the topic flow: the cell is read from the intent and authorized again. */
export async function handleTopicIntent(ctx: HandlerContext, intent: TopicIntent): Promise<View[]> {
  const actor = ctx.actor;
  if (!actor) return [refusal(ctx.t('refuse.notLinked'))];
  if (ctx.chatKind !== 'private') return [refusal(ctx.t('refuse.privateOnly'))];
  const { repos, topics } = ctx.services;
  const cell = await repos.cells.get(intent.cellId);
  if (!cell) return [refusal(ctx.t('topics.refuse.noCell'))];
  if (!isSecretary(await repos.cells.membership(cell.id, actor.id)))
    return [refusal(ctx.t('refuse.notSecretary'))];

  switch (intent.action) {
    case 'list':
      return [{ ...(await pageView(ctx, cell, 0)), replace: true }];
    case 'more': {
      const offset = Number(intent.arg);
      if (!Number.isInteger(offset) || offset < 1 || offset > 99) return [refusal(ctx.t('refuse.invalid'))];
      return [await pageView(ctx, cell, offset)];
    }
    case 'show':
      return [await topicPage(ctx, cell, intent.arg ?? '')];
    case 'choose': {
      const topicId = intent.arg ?? '';
      return answerChoice(ctx, cell, { topicId }, await topics.choose(actor.id, cell, { topicId }));
    }
    case 'own': {
      const title = intent.note?.trim();
      if (!title) return [askOwnTitle(ctx, cell)];
      return answerChoice(ctx, cell, { title }, await topics.choose(actor.id, cell, { title }));
    }
    case 'date': {
      const choice: TopicChoice | undefined = intent.arg
        ? { topicId: intent.arg }
        : intent.title
          ? { title: intent.title }
          : undefined;
      if (!choice) return [refusal(ctx.t('refuse.invalid'))];
      const words = intent.note?.trim();
      if (!words) return [askDate(ctx, cell, choice)];
      return answerChoice(ctx, cell, choice, await topics.choose(actor.id, cell, choice, words));
    }
  }
}

/** A topic's page: why it fits, its summary, questions and public references, and where [Chọn] puts it. */
async function topicPage(ctx: HandlerContext, cell: Cell, topicId: string): Promise<View> {
  const { topics } = ctx.services;
  const suggestion = await topics.offered(cell, topicId);
  if (!suggestion) return refusal(ctx.t('topics.refuse.notOffered'));
  const { topic } = suggestion;
  const target = await topics.target(cell);
  const anniversaries = topics.library.calendar.anniversaries;
  const references = topic.references.map((r) =>
    ctx.t('topics.page.reference', {
      document: [r.number, r.title].filter(Boolean).join(' — '),
      issuer: r.issuer,
      date: r.date.split('-').reverse().join('/'),
    }),
  );
  const lines = [
    ctx.t('topics.page.title', { title: topic.title }),
    ctx.t('topics.page.category', { category: ctx.t(`topics.category.${topic.category}`) }),
    ctx.t('topics.page.why', { reasons: describeReasons(suggestion.reasons, anniversaries, ctx.t) }),
    '',
    topic.summary,
    '',
    ctx.t('topics.page.questions'),
    ...topic.questions.map((q, i) => `${i + 1}. ${q}`),
    '',
    ctx.t('topics.page.references'),
    ...references,
    '',
    targetLine(ctx, cell, target),
  ];
  return {
    text: lines.join('\n'),
    choices: [
      [{ label: ctx.t('topics.button.choose'), intent: topicIntent('choose', cell.id, topic.id) }],
      [{ label: ctx.t('topics.button.back'), intent: topicIntent('list', cell.id) }],
    ],
  };
}

/** Says, before the tap, what [Chọn] will do. */
function targetLine(
  ctx: HandlerContext,
  cell: Cell,
  target: Awaited<ReturnType<HandlerContext['services']['topics']['target']>>,
): string {
  switch (target.kind) {
    case 'thematic':
      return ctx.t('topics.page.target.thematic', {
        kind: ctx.t(`reminders.kind.${target.meeting.kind}`),
        when: when(ctx, target.meeting, cell),
      });
    case 'combine':
      return ctx.t('topics.page.target.combine', { when: when(ctx, target.meeting, cell) });
    case 'none':
      return ctx.t('topics.page.target.none');
  }
}

function askOwnTitle(ctx: HandlerContext, cell: Cell): View {
  return { text: ctx.t('topics.own.ask', { max: 120 }), awaitText: topicIntent('own', cell.id) };
}

function askDate(ctx: HandlerContext, cell: Cell, choice: TopicChoice, problem?: string): View {
  const intent: TopicIntent =
    'topicId' in choice
      ? topicIntent('date', cell.id, choice.topicId)
      : { ...topicIntent('date', cell.id), title: choice.title };
  return {
    text: [problem, ctx.t('topics.date.ask')].filter(Boolean).join('\n'),
    awaitText: intent,
  };
}

/** What the secretary hears after a choice: what changed, or what is still needed. */
async function answerChoice(
  ctx: HandlerContext,
  cell: Cell,
  choice: TopicChoice,
  result: ChooseResult,
): Promise<View[]> {
  if (!result.ok) {
    switch (result.reason) {
      case 'not_offered':
        return [refusal(ctx.t('topics.refuse.notOffered'))];
      case 'too_long':
        return [{ ...askOwnTitle(ctx, cell), text: ctx.t('topics.own.tooLong', { max: 120 }) }];
      case 'needs_date':
        return [askDate(ctx, cell, choice, ctx.t('topics.date.noMeeting'))];
      case 'bad_date':
        return [askDate(ctx, cell, choice, ctx.t(`topics.date.error.${result.error}`))];
    }
  }
  const { meeting, change } = result;
  const notified = (await ctx.services.repos.meetings.notified(meeting.id)).length;
  const lines = [
    ctx.t(`topics.chosen.${change}`, {
      topic: meeting.topicTitle ?? '',
      kind: ctx.t(`reminders.kind.${meeting.kind}`),
      cell: cell.name,
      when: when(ctx, meeting, cell),
      place: meeting.place || cell.place || ctx.t('topics.chosen.noPlace'),
    }),
    ...(result.replaced ? [ctx.t('topics.chosen.replaced', { previous: result.replaced })] : []),
    ...(change === 'combined' ? [ctx.t('topics.chosen.combinedLength')] : []),
    ...(notified > 0 ? [ctx.t('topics.chosen.notified', { count: notified })] : []),
    ctx.t('topics.chosen.documents'),
  ];
  return [{ text: lines.join('\n'), choices: [[checklistChoice(ctx, meeting.id)]] }];
}
