import { localDateOf } from '../src/domain/time.js';
import type { Cell, Meeting } from '../src/store/records.js';
import { answerLabel, reasonLabel } from './attendance.js';
import type { HandlerContext } from './context.js';
import { kindLabel, shiftNote, when } from './format.js';
import { HOP_ACTIONS, handleHopAction, handleRemind } from './hop.js';
import { ABSENCE_REASONS } from './intents.js';
import { chooseSecretaryCell, commandCellQuestion } from './secretary-cells.js';
import { refusal, type View } from './views.js';

/** /lich: my upcoming meetings and my answers. */
export async function handleSchedule(ctx: HandlerContext): Promise<View[]> {
  if (!ctx.actor) return [refusal(ctx.t('refuse.notLinked'))];
  const upcoming = await ctx.services.meetings.upcomingFor(ctx.actor.id);
  if (upcoming.length === 0) return [{ text: ctx.t('lich.none') }];
  const answers = await Promise.all(
    upcoming.map(({ meeting }) => ctx.services.repos.meetings.answer(meeting.id, ctx.actor?.id ?? '')),
  );
  const lines = upcoming.map(({ meeting, cell }, i) =>
    ctx.t('lich.item', {
      when: when(ctx, meeting, cell),
      cell: cell.name,
      answer: answerLabel(ctx, answers[i]),
    }),
  );
  return [{ text: [ctx.t('lich.title'), ...lines].join('\n') }];
}

/** /diemdanh: the live tally of the cell's current meeting, privately, for its secretaries. */
export async function handleTally(ctx: HandlerContext, meetingId?: string, cellId = ''): Promise<View[]> {
  if (!ctx.actor) return [refusal(ctx.t('refuse.notLinked'))];
  if (ctx.chatKind !== 'private') return [refusal(ctx.t('refuse.privateOnly'))];
  let id = meetingId;
  if (!id) {
    // A secretary of several cells picks one first.
    const chosen = await chooseSecretaryCell(ctx, cellId, commandCellQuestion(ctx, 'diemdanh'));
    if ('views' in chosen) return chosen.views;
    id = (await ctx.services.meetings.currentOf(chosen.cell.id))?.id;
    if (!id) return [{ text: ctx.t('tally.none') }];
  }
  const allowed = await ctx.services.attendance.forSecretary(id, ctx.actor);
  if (!allowed.ok)
    return [refusal(ctx.t(allowed.reason === 'not_found' ? 'refuse.notFound' : 'refuse.notSecretary'))];
  const { meeting } = allowed;
  if (ctx.now >= meeting.startsAt && meeting.rollCallClosedAt === undefined) {
    const cell = await ctx.services.repos.cells.get(meeting.cellId);
    if (cell) return [{ ...(await rollCallView(ctx, meeting, cell)), replace: false }];
  }
  const [tally, cell] = await Promise.all([
    ctx.services.attendance.tally(meeting),
    ctx.services.repos.cells.get(meeting.cellId),
  ]);
  if (!cell) return [refusal(ctx.t('refuse.notFound'))];
  // Grouped by reason in the order of the quick choices (free-text reasons last), names alphabetical.
  const order = (reason: string | undefined) => {
    const i = (ABSENCE_REASONS as readonly (string | undefined)[]).indexOf(reason);
    return i === -1 ? ABSENCE_REASONS.length : i;
  };
  const byReason = new Map<string, string[]>();
  const absent = [...tally.absent].sort(
    (a, b) => order(a.reason) - order(b.reason) || a.name.localeCompare(b.name, 'vi'),
  );
  for (const a of absent) {
    const reason = reasonLabel(ctx, a.reason);
    byReason.set(reason, [...(byReason.get(reason) ?? []), a.name]);
  }
  const reasons = [...byReason].map(([reason, names]) =>
    ctx.t('tally.reasonGroup', { reason, names: names.join(', ') }),
  );
  const text = [
    ctx.t('tally.title', { kind: kindLabel(ctx, meeting), when: when(ctx, meeting, cell) }),
    ...shiftNote(ctx, meeting),
    ctx.t('tally.line', {
      present: tally.present,
      base: tally.base,
      absent: tally.absent.length,
      reasons: reasons.length ? ` (${reasons.join('; ')})` : '',
      unanswered: tally.unanswered.length,
    }),
  ].join('\n');
  const canRemind = tally.unanswered.length > 0 && ctx.now < meeting.startsAt;
  return [
    {
      text,
      ...(canRemind
        ? {
            choices: [
              [
                {
                  label: ctx.t('tally.remind'),
                  intent: { type: 'meeting', action: 'remind', meetingId: meeting.id },
                },
              ],
            ],
          }
        : {}),
    },
  ];
}

const percent = (ctx: HandlerContext, fraction: number | null) =>
  fraction === null
    ? '—'
    : `${(fraction * 100).toLocaleString(ctx.locale === 'vi' ? 'vi-VN' : 'en-US', { maximumFractionDigits: 1 })}%`;

/** The roll call after the meeting: one tap per member cycles their state; closing computes the flags. */
async function rollCallView(ctx: HandlerContext, meeting: Meeting, cell: Cell): Promise<View> {
  const sheet = await ctx.services.attendance.rollCallSheet(meeting);
  const intent = (action: string, arg?: string) =>
    ({ type: 'meeting', action, meetingId: meeting.id, ...(arg ? { arg } : {}) }) as const;
  return {
    text: [
      ctx.t('rollcall.title', { kind: kindLabel(ctx, meeting), when: when(ctx, meeting, cell) }),
      ctx.t('rollcall.hint'),
    ].join('\n'),
    replace: true,
    choices: [
      ...sheet.entries.map((e) => [
        {
          label: ctx.t('rollcall.member', {
            name: e.name,
            state:
              ctx.t(`rollcall.state.${e.entry.state}`) +
              (e.entry.reason ? ` (${reasonLabel(ctx, e.entry.reason)})` : ''),
          }),
          intent: intent('rc', e.personId),
        },
      ]),
      ...sheet.guests.map((g) => [
        {
          label: ctx.t('rollcall.guest', {
            name: g.name,
            state: ctx.t(g.present ? 'rollcall.state.present' : 'rollcall.guestAbsent'),
          }),
          intent: intent('rc', g.personId),
        },
      ]),
      [{ label: ctx.t('rollcall.close'), intent: intent('rcclose') }],
    ],
  };
}

/** Secretary actions on one meeting, each authorized against the meeting's own cell. */
export async function handleMeetingAction(
  ctx: HandlerContext,
  action: string,
  meetingId: string,
  arg?: string,
  note?: string,
): Promise<View[]> {
  if (!ctx.actor) return [refusal(ctx.t('refuse.notLinked'))];
  const allowed = await ctx.services.attendance.forSecretary(meetingId, ctx.actor);
  if (!allowed.ok)
    return [refusal(ctx.t(allowed.reason === 'not_found' ? 'refuse.notFound' : 'refuse.notSecretary'))];
  const { meeting } = allowed;
  const cell = await ctx.services.repos.cells.get(meeting.cellId);
  if (!cell) return [refusal(ctx.t('refuse.notFound'))];
  switch (action) {
    case 'tally':
      return handleTally(ctx, meeting.id);
    case 'remind':
      return handleRemind(ctx, meeting);
    case 'rc':
    case 'rcclose': {
      if (meeting.rollCallClosedAt !== undefined) return [refusal(ctx.t('rollcall.alreadyClosed'))];
      if (ctx.now < meeting.startsAt) return [refusal(ctx.t('rollcall.notYet'))];
      if (action === 'rc') {
        if (!arg || !(await ctx.services.attendance.toggleRollCall(meeting, arg, ctx.actor.id)))
          return [refusal(ctx.t('refuse.invalid'))];
        return [await rollCallView(ctx, meeting, cell)];
      }
      const outcome = await ctx.services.attendance.closeRollCall(meeting, ctx.actor.id, cell.timeZone);
      const { count, quality } = outcome;
      const threshold = percent(ctx, ctx.services.policy.attendance.goodRateAbove);
      const nameOf = (id: string) => outcome.names.get(id) ?? '?';
      const year = localDateOf(new Date(meeting.startsAt), cell.timeZone).year;
      const lines = [
        ctx.t('rollcall.closed', {
          present: count.present,
          base: count.base,
          rate: percent(ctx, count.rate),
        }),
        quality.good ? ctx.t('rollcall.good', { threshold }) : '',
        !quality.rateIsGood ? ctx.t('rollcall.lowRate', { threshold }) : '',
        quality.absentWithoutReason.length
          ? ctx.t('rollcall.withoutReason', { names: quality.absentWithoutReason.map(nameOf).join(', ') })
          : '',
        quality.longExcusedRuns.length
          ? ctx.t('rollcall.longRun', {
              max: ctx.services.policy.attendance.maxAbsencesWithReasonInARow,
              names: quality.longExcusedRuns.map((r) => nameOf(r.personId)).join(', '),
            })
          : '',
        ...outcome.removal.map((r) =>
          ctx.t(r.level === 'flag' ? 'rollcall.removalFlag' : 'rollcall.removalWarn', {
            name: r.name,
            months: r.months.length,
            year,
          }),
        ),
      ];
      return [{ text: lines.filter(Boolean).join('\n'), replace: true }];
    }
    default:
      if (HOP_ACTIONS.has(action)) return handleHopAction(ctx, meeting, cell, action, arg, note);
      return [refusal(ctx.t('refuse.invalid'))];
  }
}
