import { formatDate, instantAt, lastDayOf, MIDNIGHT, type Window } from '../domain/time.js';
import type { CommitteeLevel, VisitRule } from '../domain/types.js';
import type { Choice, View } from '../domain/view.js';
import { translator } from '../i18n.js';
import type { MeetingRef, MemberStanding, WindowStanding } from '../services/visits.js';
import { when } from './format.js';
import type { Words } from './words.js';

/**
 * The words of committee members' visits shared by the alert (sent by the scheduler) and the chat views
 * (handlers/visits.ts): windows, the rule, meeting lines and the register buttons.
 */

/** How many meetings an alert or the duty view lists (and offers buttons for). */
export const MAX_LISTED = 8;

export const levelName = (ctx: Words, level: CommitteeLevel) => ctx.t(`visits.level.${level}`);

export function windowLabel(ctx: Words, window: Window): string {
  const last = instantAt(lastDayOf(window), MIDNIGHT, window.timeZone);
  return ctx.t('visits.window', {
    from: formatDate(window.start, window.timeZone),
    to: formatDate(last, window.timeZone),
  });
}

export function periodText(ctx: Words, months: number): string {
  const key = `visits.period.${months}`;
  return translator().has(key) ? ctx.t(key) : ctx.t('visits.period.other', { months });
}

/** "Quy định: cấp ủy viên cấp tỉnh dự ít nhất 1 buổi … mỗi 6 tháng." */
export const ruleText = (ctx: Words, rule: VisitRule) =>
  ctx.t('visits.rule', {
    level: levelName(ctx, rule.level),
    minimum: rule.minimum,
    counts: ctx.t(`visits.counts.${rule.counts}`),
    scope: [
      ctx.t(`visits.scope.${rule.scope}`),
      ...(rule.otherCellsOnly ? [ctx.t('visits.otherCellsOnly')] : []),
    ].join(' '),
    period: periodText(ctx, rule.windowMonths),
  });

export const whenOf = (ctx: Words, ref: MeetingRef) => when(ctx, ref.meeting, ref.cell);

export const shortDate = (ref: MeetingRef) =>
  formatDate(new Date(ref.meeting.startsAt), ref.cell.timeZone).slice(0, 5);

/** "• Thứ Năm, 05/11/2026, 19:30 — Chi bộ thôn Khe Lếch — Nhà văn hóa thôn". */
export function meetingLine(ctx: Words, ref: MeetingRef, registered = false): string {
  const place = ref.meeting.place || ref.cell.place;
  const params = { when: whenOf(ctx, ref), cell: ref.cell.name, place };
  const line = ctx.t(place ? 'visits.meetingLine' : 'visits.meetingLineNoPlace', params);
  return registered ? ctx.t('visits.registeredMark', { line }) : line;
}

export const registerChoice = (ctx: Words, ref: MeetingRef): Choice => ({
  label: ctx.t('visits.button.register', { date: shortDate(ref), cell: ref.cell.name }),
  intent: { type: 'command', name: 'dangky', args: ref.meeting.id },
});

export const withdrawChoice = (ctx: Words, ref: MeetingRef): Choice => ({
  label: ctx.t('visits.button.withdraw', { date: shortDate(ref), cell: ref.cell.name }),
  intent: { type: 'command', name: 'huydangky', args: ref.meeting.id },
});

export function progressLine(ctx: Words, standing: WindowStanding): string {
  const { status } = standing;
  if (status.state !== 'due') return '';
  const counts = { done: status.done, required: status.required };
  return status.daysLeft === 0
    ? ctx.t('visits.alert.lastDay', counts)
    : ctx.t('visits.alert.progress', { ...counts, days: status.daysLeft });
}

/**
 * At a window's edge, no meeting of the assigned cells left in it: said plainly, with what the member can still do
 * (a thematic or extraordinary meeting the secretary may set), then the next window's meetings, which count there.
 */
export function windowEdgeLines(
  ctx: Words,
  standing: MemberStanding,
  listed: readonly MeetingRef[],
): string[] {
  const { next } = standing;
  if (!next) return [];
  const registered = new Set(standing.registered.map((r) => r.meeting.id));
  const window = windowLabel(ctx, next.window);
  return [
    ctx.t('visits.edge.noneLeft', { window: windowLabel(ctx, standing.current.window) }),
    ...(standing.current.status.state === 'due' ? [ctx.t('visits.edge.stillPossible')] : []),
    '',
    ...(listed.length
      ? [
          ctx.t('visits.edge.next', { window }),
          ...listed.map((ref) => meetingLine(ctx, ref, registered.has(ref.meeting.id))),
        ]
      : [ctx.t('visits.edge.nextNone', { window })]),
  ];
}

/**
 * The visit alert (one view for every channel): what the rule asks, done n of m, days left, and the meetings of
 * the assigned cells still to come in the window, each with [Đăng ký dự] (numbered replies on Zalo); when none is
 * left in the window, the next window's meetings, to register for now.
 */
export function visitAlertView(
  ctx: Words,
  standing: MemberStanding,
  pace?: { expected: number; through: Date },
): View {
  const registered = new Set(standing.registered.map((r) => r.meeting.id));
  const listed = (standing.next?.upcoming ?? standing.upcoming).slice(0, MAX_LISTED);
  const open = listed.filter((ref) => !registered.has(ref.meeting.id));
  const { window } = standing.current;
  const lines = [
    ctx.t('visits.alert.title', { window: windowLabel(ctx, window) }),
    ruleText(ctx, standing.rule),
    ...(pace
      ? [
          ctx.t('visits.alert.pace', {
            date: formatDate(new Date(pace.through.getTime() - 1), window.timeZone),
            expected: pace.expected,
            required: standing.current.status.required,
            done: standing.current.status.done,
          }),
        ]
      : []),
    progressLine(ctx, standing.current),
    '',
    ...(standing.next
      ? windowEdgeLines(ctx, standing, listed)
      : listed.length
        ? [
            ctx.t('visits.alert.meetings'),
            ...listed.map((ref) => meetingLine(ctx, ref, registered.has(ref.meeting.id))),
          ]
        : [ctx.t('visits.alert.noMeetings')]),
    ...(open.length ? ['', ctx.t('visits.alert.hint')] : []),
  ];
  return {
    text: lines.join('\n'),
    ...(open.length ? { choices: open.map((ref) => [registerChoice(ctx, ref)]) } : {}),
  };
}
