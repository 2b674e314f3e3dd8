import { MARKABLE_STEPS, type PreparationStatus } from '../domain/checklist.js';
import { formatDate } from '../domain/time.js';
import type { Choice, View } from '../domain/view.js';
import type { ChecklistFacts } from '../services/checklist.js';
import { shiftNote, when } from './format.js';
import type { Words } from './words.js';

/**
 * The secretary's preparation checklist (Hướng dẫn 42-HD/BTCTW): the steps with what is done, and the agenda
 * filled with the meeting's facts. Sent with the first timeline step and on demand (/chuanbi). It names
 * documents only to say where they go (Sổ tay đảng viên điện tử); their content never passes through here.
 */

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
