import { MARKABLE_STEPS, type MarkableStep, type PreparationStatus } from '../src/domain/checklist.js';
import { DAY_MS, formatDate } from '../src/domain/time.js';
import type { ChecklistFacts } from '../src/services/checklist.js';
import type { Meeting } from '../src/store/records.js';
import type { HandlerContext } from './context.js';
import { shiftNote, when } from './format.js';
import type { Intent } from './intents.js';
import { secretaryCellsOf } from './secretary-cells.js';
import type { Choice, View } from './views.js';
import { refusal } from './views.js';

/**
 * The secretary's preparation checklist (Hướng dẫn 42-HD/BTCTW): the steps with what is done, and the agenda
 * filled with the meeting's facts. Sent with the first timeline step and on demand (/chuanbi). It names
 * documents only to say where they go (Sổ tay đảng viên điện tử); their content never passes through here.
 */

type Words = Pick<HandlerContext, 't' | 'locale'>;

export const checklistChoice = (ctx: Words, meetingId: string): Choice => ({
  label: ctx.t('checklist.button.open'),
  intent: { type: 'checklist', meetingId },
});

const MARK: Record<PreparationStatus['state'], string> = { done: '✅', open: '⬜', late: '⚠️' };

export function checklistView(ctx: Words, facts: ChecklistFacts): View {
  const { meeting, cell, expected } = facts;
  const date = (at: number) => formatDate(new Date(at), cell.timeZone);
  const place = meeting.place || cell.place;
  const stepLine = (s: PreparationStatus, i: number) => {
    const name = ctx.t(`checklist.step.${s.step}`, {
      committee: facts.committee.length ? facts.committee.join(', ') : ctx.t('checklist.noCommittee'),
    });
    let status = '';
    if (s.step === 'notice' && s.state === 'done')
      status = ctx.t('checklist.status.notified', facts.notified);
    else if (s.state === 'done' && s.markedAt !== undefined)
      status = ctx.t('checklist.status.marked', { date: date(s.markedAt) });
    else if (s.dueAt !== undefined)
      status = ctx.t(s.state === 'late' ? 'checklist.status.late' : 'checklist.status.due', {
        date: date(s.dueAt),
      });
    return `${MARK[s.state]} ${i + 1}. ${name}${status ? ` — ${status}` : ''}`;
  };
  const thematic = meeting.kind !== 'regular';
  const topic = meeting.topicTitle ?? ctx.t('checklist.noTopic');
  const guests = facts.guests.length ? facts.guests.join(', ') : ctx.t('checklist.noGuests');
  const lines = [
    ctx.t('checklist.title', { kind: ctx.t(`meeting.kind.${meeting.kind}`), cell: cell.name }),
    ctx.t('invite.when', { when: when(ctx, meeting, cell) }),
    ...shiftNote(ctx, meeting),
    ...(place ? [ctx.t('invite.place', { place })] : []),
    ...(thematic || meeting.topicTitle ? [ctx.t('invite.topic', { topic })] : []),
    '',
    ctx.t('checklist.steps'),
    ...facts.steps.map(stepLine),
    '',
    ctx.t('checklist.expected', expected),
    ctx.t('checklist.guests', { count: facts.guests.length, names: guests }),
    '',
    ctx.t('checklist.agenda'),
    ctx.t('checklist.agenda.opening', {
      guests: facts.guests.length ? ctx.t('checklist.agenda.guests', { names: guests }) : '',
      expected: `${expected.present}/${expected.base}`,
    }),
    ctx.t(meeting.kind === 'thematic' ? 'checklist.agenda.mainThematic' : 'checklist.agenda.main'),
    ...(thematic ? [ctx.t('checklist.agenda.topic', { topic })] : []),
    ctx.t('checklist.agenda.closing'),
    '',
    ctx.t('checklist.documents'),
  ];
  const byStep = new Map(facts.steps.map((s, i) => [s.step, { status: s, number: i + 1 }]));
  const marks: Choice[][] = MARKABLE_STEPS.flatMap((step) => {
    const entry = byStep.get(step);
    if (!entry) return [];
    const done = entry.status.state === 'done';
    return [
      [
        {
          label: ctx.t(done ? 'checklist.button.undo' : 'checklist.button.done', {
            number: entry.number,
            step: ctx.t(`checklist.short.${step}`),
          }),
          intent: { type: 'checklist', meetingId: meeting.id, step, done: !done },
        },
      ],
    ];
  });
  return { text: lines.join('\n'), choices: marks };
}

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
