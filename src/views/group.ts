import type { TallyCounts } from '../domain/attendance.js';
import type { View } from '../domain/view.js';
import type { Cell, Meeting } from '../store/records.js';
import { kindLabel, when } from './format.js';
import type { Words } from './words.js';

/**
 * A meeting's notice as its cell's group sees it, with a tally of counts only: absentees' names and reasons go
 * to the cell's secretaries, never to a group. Answer buttons while answers are open; each tap is answered
 * for the tapper alone.
 */
export function groupTallyView(
  ctx: Words,
  meeting: Meeting,
  cell: Cell,
  counts: TallyCounts,
  now: number,
): View {
  const place = meeting.place || cell.place;
  const lines = [
    ctx.t('group.tally.title', { kind: kindLabel(ctx, meeting), cell: cell.name }),
    ctx.t('group.tally.when', { when: when(ctx, meeting, cell) }),
    ...(place ? [ctx.t('group.tally.place', { place })] : []),
    '',
    ctx.t('group.tally.counts', { ...counts }),
  ];
  if (meeting.state === 'cancelled') return { text: [...lines, ctx.t('group.tally.cancelled')].join('\n') };
  if (meeting.state !== 'planned' || now >= meeting.startsAt)
    return { text: [...lines, ctx.t('group.tally.closed')].join('\n') };
  return {
    text: [...lines, ctx.t('group.tally.hint')].join('\n'),
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
