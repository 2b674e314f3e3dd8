import { localDateOf } from './time.js';
import {
  type AttendanceThresholds,
  EXCLUDED_STATES,
  type RollCallEntry,
  type RollCallState,
  SETTLED_ROLL_CALL_STATES,
} from './types.js';

/**
 * Attendance arithmetic on the HD 12 base: present ÷ (convened − exempt − temporarily elsewhere − special duty).
 * Guests are recorded apart from the roll call and never enter it.
 */

/** A meeting whose roll call has been taken. */
export type HeldMeeting = { startsAt: Date; rollCall: readonly RollCallEntry[] };

/** The tally as numbers only: what a group may see. */
export interface TallyCounts {
  /** Members convened: the cell's members less the excluded states. */
  base: number;
  present: number;
  absent: number;
  unanswered: number;
}

export type AttendanceCount = {
  convened: number;
  excluded: number;
  /** convened − excluded: the denominator. */
  base: number;
  present: number;
  absentWithReason: number;
  absentWithoutReason: number;
  /** Members still "chưa điểm danh": in the base, neither present nor absent yet (none once closed). */
  unsettled: number;
  /** present ÷ base; null when nobody is in the base. */
  rate: number | null;
};

const isExcluded = (state: RollCallState) => (EXCLUDED_STATES as readonly RollCallState[]).includes(state);
/** Whether the secretary has settled this state; "chưa điểm danh" is not, and counts for nothing. */
export const isSettled = (state: RollCallState) =>
  (SETTLED_ROLL_CALL_STATES as readonly RollCallState[]).includes(state);

export function countAttendance(rollCall: readonly RollCallEntry[]): AttendanceCount {
  const tally = (state: RollCallState) => rollCall.filter((entry) => entry.state === state).length;
  const excluded = rollCall.filter((entry) => isExcluded(entry.state)).length;
  const base = rollCall.length - excluded;
  const present = tally('present');
  return {
    convened: rollCall.length,
    excluded,
    base,
    present,
    absentWithReason: tally('absent_with_reason'),
    absentWithoutReason: tally('absent_without_reason'),
    unsettled: tally('unmarked'),
    rate: base === 0 ? null : present / base,
  };
}

export type MeetingQuality = {
  count: AttendanceCount;
  rateIsGood: boolean;
  /** Who was absent without reason at this meeting. */
  absentWithoutReason: string[];
  /** Members whose run of absences with reason, this calendar year up to this meeting, is too long. */
  longExcusedRuns: { personId: string; inARow: number }[];
  /** All HD 12 attendance criteria met. */
  good: boolean;
};

/**
 * The HD 12 attendance criteria for one meeting: a rate above the threshold, no absence without reason, and
 * nobody absent with reason more than the allowed times in a row within the calendar year. `cellMeetings` is
 * the cell's held meetings (this one may be among them); meetings at which a member was not in the base
 * neither lengthen nor break their run.
 */
export function meetingQuality(
  meeting: HeldMeeting,
  cellMeetings: readonly HeldMeeting[],
  thresholds: AttendanceThresholds,
  timeZone: string,
): MeetingQuality {
  const count = countAttendance(meeting.rollCall);
  const year = localDateOf(meeting.startsAt, timeZone).year;
  const newestFirst = [
    meeting,
    ...cellMeetings
      .filter((m) => m.startsAt < meeting.startsAt && localDateOf(m.startsAt, timeZone).year === year)
      .sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime()),
  ];
  const longExcusedRuns = meeting.rollCall
    .filter((entry) => entry.state === 'absent_with_reason')
    .map(({ personId }) => ({ personId, inARow: excusedRun(personId, newestFirst) }))
    .filter((run) => run.inARow > thresholds.maxAbsencesWithReasonInARow);
  const absentWithoutReason = meeting.rollCall
    .filter((entry) => entry.state === 'absent_without_reason')
    .map((entry) => entry.personId);
  const rateIsGood = count.rate !== null && count.rate > thresholds.goodRateAbove;
  return {
    count,
    rateIsGood,
    absentWithoutReason,
    longExcusedRuns,
    good: rateIsGood && absentWithoutReason.length === 0 && longExcusedRuns.length === 0,
  };
}

/** How many of the newest meetings in a row found the person absent with reason. */
function excusedRun(personId: string, newestFirst: readonly HeldMeeting[]): number {
  let run = 0;
  for (const m of newestFirst) {
    const state = m.rollCall.find((entry) => entry.personId === personId)?.state;
    if (state === undefined || isExcluded(state) || !isSettled(state)) continue;
    if (state !== 'absent_with_reason') break;
    run += 1;
  }
  return run;
}

export type RemovalStanding = {
  personId: string;
  /** Months (1–12) of the year with at least one absence without reason. */
  months: number[];
  level: 'none' | 'warning' | 'flag';
};

/**
 * The removal rule (xóa tên): months of one calendar year in which a member was absent without reason, any
 * months, not necessarily in a row. The secretary is warned privately at the warning count and the member is
 * flagged at the flag count. Lists only members with at least one such month. Only what a secretary settled
 * counts: a member left "chưa điểm danh" (never answered, not yet marked) is never taken for absent.
 */
export function removalStandings(
  cellMeetings: readonly HeldMeeting[],
  year: number,
  thresholds: AttendanceThresholds,
  timeZone: string,
): RemovalStanding[] {
  const monthsByPerson = new Map<string, Set<number>>();
  for (const m of cellMeetings) {
    const date = localDateOf(m.startsAt, timeZone);
    if (date.year !== year) continue;
    for (const entry of m.rollCall) {
      if (entry.state !== 'absent_without_reason') continue;
      const months = monthsByPerson.get(entry.personId) ?? new Set<number>();
      months.add(date.month);
      monthsByPerson.set(entry.personId, months);
    }
  }
  return [...monthsByPerson].map(([personId, set]) => {
    const months = [...set].sort((a, b) => a - b);
    const level =
      months.length >= thresholds.removalFlagAtMonths
        ? 'flag'
        : months.length >= thresholds.removalWarnAtMonths
          ? 'warning'
          : 'none';
    return { personId, months, level };
  });
}
