import { describe, expect, it } from 'vitest';
import {
  countAttendance,
  type HeldMeeting,
  meetingQuality,
  removalStandings,
} from '../../../src/domain/attendance.js';
import type { AttendanceThresholds, RollCallEntry } from '../../../src/domain/types.js';
import { at, VN } from './helpers.js';

const thresholds: AttendanceThresholds = {
  goodRateAbove: 0.85,
  maxAbsencesWithReasonInARow: 3,
  removalWarnAtMonths: 2,
  removalFlagAtMonths: 3,
};

/** A roll call from counts: `present: 18` gives p1…p18 present, and so on. */
function rollCall(counts: Partial<Record<RollCallEntry['state'], number>>): RollCallEntry[] {
  return Object.entries(counts).flatMap(([state, n]) =>
    Array.from({ length: n ?? 0 }, (_, i): RollCallEntry => {
      const personId = `${state}-${i + 1}`;
      return state === 'absent_with_reason'
        ? { personId, state, reason: 'Ốm' }
        : { personId, state: state as Exclude<RollCallEntry['state'], 'absent_with_reason'> };
    }),
  );
}

const held = (when: string, entries: RollCallEntry[]): HeldMeeting => ({
  startsAt: at(when),
  rollCall: entries,
});
const mark = (personId: string, state: RollCallEntry['state']): RollCallEntry =>
  state === 'absent_with_reason' ? { personId, state, reason: 'Công tác' } : { personId, state };

describe('countAttendance', () => {
  it.each([
    [
      'journey 2: one exempt member of 22',
      { present: 18, absent_with_reason: 2, absent_without_reason: 1, exempt: 1 },
      21,
      18 / 21,
    ],
    [
      'special duty and temporarily elsewhere leave the base',
      { present: 9, absent_with_reason: 1, special_duty: 2, temporarily_elsewhere: 1 },
      10,
      0.9,
    ],
    ['everyone excluded', { exempt: 2, special_duty: 1 }, 0, null],
    ['an empty roll call', {}, 0, null],
  ])('%s', (_, counts, base, rate) => {
    const count = countAttendance(rollCall(counts));
    expect(count.base).toBe(base);
    expect(count.rate).toBe(rate);
    expect(count.convened - count.excluded).toBe(count.base);
  });
});

describe('meetingQuality', () => {
  it('journey 2: 18 of 21 is above 85%, but the absence without reason spoils the meeting', () => {
    const meeting = held(
      '2026-12-05 19:30',
      rollCall({ present: 18, absent_with_reason: 2, absent_without_reason: 1, exempt: 1 }),
    );
    const quality = meetingQuality(meeting, [], thresholds, VN);
    expect(quality.rateIsGood).toBe(true);
    expect(quality.absentWithoutReason).toEqual(['absent_without_reason-1']);
    expect(quality.good).toBe(false);
  });

  it.each([
    ['a rate exactly at the threshold is not above it', { present: 17, absent_with_reason: 3 }, false],
    [
      'a rate above the threshold with excused absences only',
      { present: 18, absent_with_reason: 2, exempt: 3 },
      true,
    ],
    ['nobody in the base', { exempt: 3 }, false],
  ])('%s', (_, counts, good) => {
    expect(meetingQuality(held('2026-03-05 08:00', rollCall(counts)), [], thresholds, VN).good).toBe(good);
  });

  const others = (n: number) => Array.from({ length: n }, (_, i) => mark(`m${i}`, 'present'));
  const monthly = (dates: string[], states: RollCallEntry['state'][]) =>
    dates.map((d, i) => held(`${d} 08:00`, [mark('lan', states[i] ?? 'present'), ...others(20)]));

  it.each<[string, string[], RollCallEntry['state'][], number[]]>([
    [
      'three in a row is allowed',
      ['2026-01-05', '2026-02-05', '2026-03-05'],
      ['absent_with_reason', 'absent_with_reason', 'absent_with_reason'],
      [],
    ],
    [
      'a fourth in a row is not',
      ['2026-01-05', '2026-02-05', '2026-03-05', '2026-04-05'],
      ['absent_with_reason', 'absent_with_reason', 'absent_with_reason', 'absent_with_reason'],
      [4],
    ],
    [
      'a meeting present in between breaks the run',
      ['2026-01-05', '2026-02-05', '2026-03-05', '2026-04-05', '2026-05-05'],
      ['absent_with_reason', 'absent_with_reason', 'present', 'absent_with_reason', 'absent_with_reason'],
      [],
    ],
    [
      'an exempt month neither breaks nor lengthens the run',
      ['2026-01-05', '2026-02-05', '2026-03-05', '2026-04-05', '2026-05-05'],
      ['absent_with_reason', 'absent_with_reason', 'exempt', 'absent_with_reason', 'absent_with_reason'],
      [4],
    ],
    [
      'the run restarts with the calendar year',
      ['2025-11-05', '2025-12-05', '2026-01-05', '2026-02-05'],
      ['absent_with_reason', 'absent_with_reason', 'absent_with_reason', 'absent_with_reason'],
      [],
    ],
  ])('%s', (_, dates, states, flagged) => {
    const meetings = monthly(dates, states);
    const last = meetings[meetings.length - 1] as HeldMeeting;
    const quality = meetingQuality(last, meetings, thresholds, VN);
    expect(quality.longExcusedRuns.map((r) => r.inARow)).toEqual(flagged);
    if (flagged.length > 0) expect(quality.good).toBe(false);
  });

  it('uses the local year: a meeting at 00:30 on 1 January is in the new year', () => {
    const meetings = [
      ...monthly(
        ['2025-10-05', '2025-11-05', '2025-12-05'],
        ['absent_with_reason', 'absent_with_reason', 'absent_with_reason'],
      ),
      held('2026-01-01 00:30', [mark('lan', 'absent_with_reason'), ...others(20)]),
    ];
    const last = meetings[3] as HeldMeeting;
    expect(last.startsAt.getUTCFullYear()).toBe(2025);
    expect(meetingQuality(last, meetings, thresholds, VN).longExcusedRuns).toEqual([]);
  });
});

describe('removalStandings', () => {
  const meetings = [
    held('2025-11-05 19:30', [mark('quy', 'absent_without_reason'), mark('mai', 'present')]),
    held('2025-12-05 19:30', [mark('quy', 'absent_without_reason'), mark('mai', 'absent_without_reason')]),
    held('2025-12-20 19:30', [mark('quy', 'absent_without_reason'), mark('mai', 'present')]),
    held('2026-01-05 19:30', [mark('quy', 'absent_without_reason'), mark('mai', 'absent_with_reason')]),
    held('2026-03-05 19:30', [mark('quy', 'present'), mark('mai', 'absent_without_reason')]),
    held('2026-07-05 19:30', [mark('quy', 'absent_without_reason'), mark('mai', 'absent_without_reason')]),
    held('2026-09-05 19:30', [mark('quy', 'absent_without_reason'), mark('mai', 'present')]),
  ];

  it('counts distinct months of the calendar year, not meetings, and not across the year boundary', () => {
    expect(removalStandings(meetings, 2025, thresholds, VN)).toEqual([
      { personId: 'quy', months: [11, 12], level: 'warning' },
      { personId: 'mai', months: [12], level: 'none' },
    ]);
  });

  it('flags at three months, consecutive or not', () => {
    expect(removalStandings(meetings, 2026, thresholds, VN)).toEqual([
      { personId: 'quy', months: [1, 7, 9], level: 'flag' },
      { personId: 'mai', months: [3, 7], level: 'warning' },
    ]);
  });
  it('counts settled states only: a member left "chưa điểm danh" is never taken for absent', () => {
    const unsettled = [
      held('2026-02-05 19:30', [mark('quy', 'absent_without_reason')]),
      held('2026-04-05 19:30', [mark('quy', 'unmarked')]),
      held('2026-05-05 19:30', [mark('quy', 'unmarked')]),
    ];
    expect(removalStandings(unsettled, 2026, thresholds, VN)).toEqual([
      { personId: 'quy', months: [2], level: 'none' },
    ]);
    const count = countAttendance([mark('quy', 'unmarked'), mark('mai', 'present')]);
    expect(count).toMatchObject({ base: 2, present: 1, absentWithoutReason: 0, unsettled: 1 });
  });

  it('neither lengthens nor breaks a run of absences with reason at an unsettled entry', () => {
    const history = ['01', '02', '03'].map((m) =>
      held(`2026-${m}-05 19:30`, [mark('mai', m === '02' ? 'unmarked' : 'absent_with_reason')]),
    );
    const april = held('2026-04-05 19:30', [mark('mai', 'absent_with_reason')]);
    expect(meetingQuality(april, history, thresholds, VN).longExcusedRuns).toEqual([]);
    const may = held('2026-05-05 19:30', [mark('mai', 'absent_with_reason')]);
    expect(meetingQuality(may, [...history, april], thresholds, VN).longExcusedRuns).toEqual([
      { personId: 'mai', inARow: 4 },
    ]);
  });
});
