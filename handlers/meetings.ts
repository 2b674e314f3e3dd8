import {
  ABSENCE_REASONS,
  type Intent,
  isHopAction,
  isRollCallAction,
  type MeetingAction,
  type RollCallAction,
} from '../src/domain/intents.js';
import { localDateOf } from '../src/domain/time.js';
import { refusal, type View } from '../src/domain/view.js';
import type { RollCallOutcome } from '../src/services/attendance.js';
import type { Cell, Meeting } from '../src/store/records.js';
import { answerLabel, reasonLabel } from '../src/views/attendance.js';
import { kindLabel, shiftNote, when } from '../src/views/format.js';
import type { HandlerContext } from './context.js';
import { handleHopAction, handleRemind } from './hop.js';
import { chooseSecretaryCell, commandCellQuestion } from './secretary-cells.js';

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
  // A reminder follows the notice: offered once the notice has reached someone.
  const canRemind =
    tally.unanswered.length > 0 &&
    ctx.now < meeting.startsAt &&
    (await ctx.services.meetings.noticeSent(meeting.id)) > 0;
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

type MeetingIntent = Extract<Intent, { type: 'meeting' }>;
const rollCallIntent = (meeting: Meeting, action: RollCallAction, arg?: string): MeetingIntent => ({
  type: 'meeting',
  action,
  meetingId: meeting.id,
  ...(arg ? { arg } : {}),
});

/**
 * The roll call after the meeting: one tap per member cycles their state ("chưa điểm danh" for those who never
 * answered, until marked); the guests (đại biểu) who registered or were marked present; a way to mark an assigned
 * committee member who came unannounced; closing computes the flags.
 */
async function rollCallView(ctx: HandlerContext, meeting: Meeting, cell: Cell): Promise<View> {
  const sheet = await ctx.services.attendance.rollCallSheet(meeting);
  const unsettled = sheet.entries.filter((e) => e.entry.state === 'unmarked').length;
  return {
    text: [
      ctx.t('rollcall.title', { kind: kindLabel(ctx, meeting), when: when(ctx, meeting, cell) }),
      ctx.t('rollcall.hint'),
      ...(unsettled ? [ctx.t('rollcall.unsettledLine', { count: unsettled })] : []),
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
          intent: rollCallIntent(meeting, 'rc', e.personId),
        },
      ]),
      ...sheet.guests.map((g) => [
        {
          label: ctx.t('rollcall.guest', {
            name: g.name,
            state: ctx.t(g.present ? 'rollcall.state.present' : 'rollcall.guestAbsent'),
          }),
          intent: rollCallIntent(meeting, 'rc', g.personId),
        },
      ]),
      ...(sheet.others.length
        ? [[{ label: ctx.t('rollcall.addGuest'), intent: rollCallIntent(meeting, 'rcguest') }]]
        : []),
      [{ label: ctx.t('rollcall.close'), intent: rollCallIntent(meeting, 'rcclose') }],
    ],
  };
}

const backToSheet = (ctx: HandlerContext, meeting: Meeting) => [
  { label: ctx.t('rollcall.back'), intent: rollCallIntent(meeting, 'rcsheet') },
];

/** The cell's assigned committee members not on the guest list: the one who came unannounced is marked present. */
async function othersView(ctx: HandlerContext, meeting: Meeting, cell: Cell): Promise<View> {
  const { others } = await ctx.services.attendance.rollCallSheet(meeting);
  if (!others.length) return rollCallView(ctx, meeting, cell);
  return {
    text: ctx.t('rollcall.others.title'),
    replace: true,
    choices: [
      ...others.map((o) => [
        {
          label: ctx.t('rollcall.other', { name: o.name }),
          intent: rollCallIntent(meeting, 'rc', o.personId),
        },
      ]),
      backToSheet(ctx, meeting),
    ],
  };
}

type Unsettled = { personId: string; name: string }[];
const namesOf = (people: Unsettled) => people.map((p) => p.name).join(', ');

/** Closing found members still "chưa điểm danh": mark each, or all at once as absent without reason. */
function settleView(ctx: HandlerContext, meeting: Meeting, unsettled: Unsettled, changed = false): View {
  const count = unsettled.length;
  return {
    text: [
      ...(changed ? [ctx.t('rollcall.settle.changed')] : []),
      ctx.t('rollcall.settle.title', { count, names: namesOf(unsettled) }),
      ctx.t('rollcall.settle.hint'),
    ].join('\n'),
    replace: true,
    choices: [
      ...unsettled.map((p) => [
        {
          label: ctx.t('rollcall.member', { name: p.name, state: ctx.t('rollcall.state.unmarked') }),
          intent: rollCallIntent(meeting, 'rc', p.personId),
        },
      ]),
      [{ label: ctx.t('rollcall.settle.all', { count }), intent: rollCallIntent(meeting, 'rcall') }],
      backToSheet(ctx, meeting),
    ],
  };
}

/** The one confirmation a bulk change of records needs: how many, who, and that it closes the roll call. */
function confirmSettleView(ctx: HandlerContext, meeting: Meeting, unsettled: Unsettled): View {
  const count = unsettled.length;
  return {
    text: ctx.t('rollcall.settle.confirm', { count, names: namesOf(unsettled) }),
    replace: true,
    choices: [
      [
        {
          label: ctx.t('rollcall.settle.confirmButton'),
          intent: rollCallIntent(meeting, 'rcallok', String(count)),
        },
      ],
      backToSheet(ctx, meeting),
    ],
  };
}

/** The closed roll call: the rate, the HD 12 flags and the private removal-rule warnings. */
function closedView(ctx: HandlerContext, meeting: Meeting, cell: Cell, outcome: RollCallOutcome): View {
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
  return { text: lines.filter(Boolean).join('\n'), replace: true };
}

async function handleRollCallAction(
  ctx: HandlerContext,
  meeting: Meeting,
  cell: Cell,
  actorId: string,
  action: RollCallAction,
  arg: string | undefined,
): Promise<View[]> {
  if (meeting.rollCallClosedAt !== undefined) return [refusal(ctx.t('rollcall.alreadyClosed'))];
  if (ctx.now < meeting.startsAt) return [refusal(ctx.t('rollcall.notYet'))];
  const { attendance } = ctx.services;
  switch (action) {
    case 'rc':
      if (!arg || !(await attendance.toggleRollCall(meeting, arg, actorId)))
        return [refusal(ctx.t('refuse.invalid'))];
      return [await rollCallView(ctx, meeting, cell)];
    case 'rcsheet':
      return [await rollCallView(ctx, meeting, cell)];
    case 'rcguest':
      return [await othersView(ctx, meeting, cell)];
    case 'rcall': {
      const unsettled = (await attendance.rollCallSheet(meeting)).entries.filter(
        (e) => e.entry.state === 'unmarked',
      );
      if (!unsettled.length) return [await rollCallView(ctx, meeting, cell)];
      return [confirmSettleView(ctx, meeting, unsettled)];
    }
    case 'rcclose':
    case 'rcallok': {
      // rcclose, or rcallok with the number of members the secretary confirmed marking absent without reason.
      const confirmed = action === 'rcallok' ? Number(arg) : 0;
      if (!Number.isInteger(confirmed) || confirmed < 0) return [refusal(ctx.t('refuse.invalid'))];
      const result = await attendance.closeRollCall(meeting, actorId, cell.timeZone, {
        settleUnmarked: confirmed,
      });
      if (!result.closed) return [settleView(ctx, meeting, result.unsettled, action === 'rcallok')];
      return [closedView(ctx, meeting, cell, result)];
    }
  }
}

/** Secretary actions on one meeting, each authorized against the meeting's own cell. */
export async function handleMeetingAction(
  ctx: HandlerContext,
  action: MeetingAction,
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
  }
  if (isRollCallAction(action)) return handleRollCallAction(ctx, meeting, cell, ctx.actor.id, action, arg);
  if (isHopAction(action)) return handleHopAction(ctx, meeting, cell, action, arg, note);
  const unhandled: never = action;
  return unhandled;
}
