import { describe, expect, it } from 'vitest';
import type { Window } from '../../../src/domain/time.js';
import type { VisitRule } from '../../../src/domain/types.js';
import {
  type CountedVisit,
  paceCheckpoints,
  visitAlerts,
  visitStatus,
  visitWindow,
} from '../../../src/domain/visits.js';
import { at, local, VN } from './helpers.js';

const rule = (more: Partial<VisitRule> = {}): VisitRule => ({
  level: 'provincial',
  minimum: 1,
  windowMonths: 6,
  counts: 'both',
  alignment: 'calendar',
  scope: 'assigned',
  alertOffsets: [
    { id: 'half_window', atFraction: 0.5 },
    { id: 'days_21', daysBeforeEnd: 21 },
    { id: 'days_7', daysBeforeEnd: 7 },
  ],
  ...more,
});
const span = (w: Window) => [local(w.start), local(w.end)];

describe('visitWindow', () => {
  it.each([
    [6, '2026-01-01 00:00', '2026-01-01 00:00', '2026-07-01 00:00'],
    [6, '2026-06-30 23:59', '2026-01-01 00:00', '2026-07-01 00:00'],
    [6, '2026-07-01 00:00', '2026-07-01 00:00', '2027-01-01 00:00'],
    [6, '2026-12-31 23:59', '2026-07-01 00:00', '2027-01-01 00:00'],
    [3, '2026-03-31 23:59', '2026-01-01 00:00', '2026-04-01 00:00'],
    [3, '2026-04-01 00:00', '2026-04-01 00:00', '2026-07-01 00:00'],
    [1, '2028-02-29 23:59', '2028-02-01 00:00', '2028-03-01 00:00'],
    [12, '2027-12-31 23:59', '2027-01-01 00:00', '2028-01-01 00:00'],
  ])('calendar, %i months, at %s: %s to %s', (windowMonths, when, start, end) => {
    expect(span(visitWindow(rule({ windowMonths }), at(when), VN))).toEqual([start, end]);
  });

  it('includes its first instant and excludes its end, in local time', () => {
    const window = visitWindow(rule(), at('2026-09-01'), VN);
    expect(window.start.toISOString()).toBe('2026-06-30T17:00:00.000Z');
    expect(visitWindow(rule(), window.start, VN)).toEqual(window);
    expect(visitWindow(rule(), new Date(window.end.getTime() - 1), VN)).toEqual(window);
    expect(visitWindow(rule(), window.end, VN).start).toEqual(window.end);
  });

  it.each([
    ['2026-02-15 10:00', '2026-01-31 00:00', '2026-02-28 00:00'],
    ['2026-02-28 00:00', '2026-02-28 00:00', '2026-03-31 00:00'],
    ['2026-03-05 10:00', '2026-02-28 00:00', '2026-03-31 00:00'],
    ['2027-01-30 23:59', '2026-12-31 00:00', '2027-01-31 00:00'],
  ])('rolling monthly windows from 31 January, at %s: %s to %s', (when, start, end) => {
    const monthly = rule({ windowMonths: 1, alignment: 'rolling' });
    expect(span(visitWindow(monthly, at(when), VN, at('2026-01-31 15:00')))).toEqual([start, end]);
  });

  it('needs the assignment date for a rolling rule', () => {
    expect(() => visitWindow(rule({ alignment: 'rolling' }), at('2026-01-01'), VN)).toThrow(/assigned/);
  });
});

describe('visitStatus', () => {
  const window = visitWindow(rule(), at('2026-10-01'), VN);
  const visit = (when: string, meetingKind: CountedVisit['meetingKind'] = 'regular'): CountedVisit => ({
    meetingKind,
    startsAt: at(when),
  });

  it('journey 5: on 1 October with none counted, 91 days are left', () => {
    expect(visitStatus(rule(), window, [], at('2026-10-01 08:00'))).toEqual({
      state: 'due',
      done: 0,
      required: 1,
      daysLeft: 91,
    });
  });

  it('journey 5: met once the roll call counts the visit of 05/11', () => {
    expect(visitStatus(rule(), window, [visit('2026-11-05 19:30')], at('2026-11-06 08:00')).state).toBe(
      'met',
    );
  });

  it.each([
    ['the last day', '2026-12-31 23:59', { state: 'due', done: 0, required: 1, daysLeft: 0 }],
    ['the end of the window', '2027-01-01 00:00', { state: 'overdue', done: 0, required: 1 }],
    ['before the window', '2026-06-01 08:00', { state: 'due', done: 0, required: 1, daysLeft: 183 }],
  ])('at %s', (_, now, status) => {
    expect(visitStatus(rule(), window, [visit('2026-06-30 19:30')], at(now))).toEqual(status);
  });

  it.each([
    ['regular', 'thematic', 0],
    ['regular', 'combined', 1],
    ['thematic', 'regular', 0],
    ['thematic', 'combined', 1],
    ['both', 'thematic', 1],
  ] as const)('a rule counting %s meetings counts a %s one %i times', (counts, kind, done) => {
    expect(
      visitStatus(rule({ counts }), window, [visit('2026-11-05 19:30', kind)], at('2026-11-06')).done,
    ).toBe(done);
  });
});

describe('visitAlerts', () => {
  const eight = { hour: 8, minute: 0 };

  it('journey 5: half-window on 1 October, then 21 and 7 days before the end', () => {
    const window = visitWindow(rule(), at('2026-10-01'), VN);
    const alerts = visitAlerts(rule(), window, eight);
    expect(alerts.map((a) => `${a.id} ${local(a.dueAt)}`)).toEqual([
      'half_window 2026-10-01 08:00',
      'days_21 2026-12-10 08:00',
      'days_7 2026-12-24 08:00',
    ]);
    const daysLeft = alerts.map((a) => {
      const status = visitStatus(rule(), window, [], a.dueAt);
      return status.state === 'due' ? status.daysLeft : undefined;
    });
    expect(daysLeft).toEqual([91, 21, 7]);
  });

  it('drops an offset that falls before a short window starts', () => {
    const monthly = rule({
      windowMonths: 1,
      alertOffsets: [{ id: 'days_40', daysBeforeEnd: 40 }, ...rule().alertOffsets],
    });
    const alerts = visitAlerts(monthly, visitWindow(monthly, at('2026-02-10'), VN), eight);
    expect(alerts.map((a) => `${a.id} ${local(a.dueAt)}`)).toEqual([
      'days_21 2026-02-07 08:00',
      'half_window 2026-02-15 08:00',
      'days_7 2026-02-21 08:00',
    ]);
  });
});

describe('pacing of a rule counted per year', () => {
  const eight = { hour: 8, minute: 0 };
  const kontum = (minimum: number) =>
    rule({
      minimum,
      windowMonths: 12,
      alertOffsets: [
        { id: 'days_21', daysBeforeEnd: 21 },
        { id: 'days_7', daysBeforeEnd: 7 },
      ],
      pacing: { everyMonths: 3 },
    });
  const year = (r: VisitRule) => visitWindow(r, at('2027-05-01'), VN);

  it.each([
    [6, [2, 3, 5]],
    [2, [1, 1, 2]],
    [4, [1, 2, 3]],
    [12, [3, 6, 9]],
  ])(
    '"≥ %i per year": ceil(minimum × quarters ÷ 4) by the end of the first three quarters',
    (minimum, expected) => {
      const checkpoints = paceCheckpoints(kontum(minimum), year(kontum(minimum)));
      expect(checkpoints.map((c) => [c.id, local(c.through), c.expected])).toEqual([
        ['pace_1', '2027-04-01 00:00', expected[0]],
        ['pace_2', '2027-07-01 00:00', expected[1]],
        ['pace_3', '2027-10-01 00:00', expected[2]],
      ]);
    },
  );

  it('alerts on the first day of the next quarter, then 21 and 7 days before the year ends', () => {
    const alerts = visitAlerts(kontum(6), year(kontum(6)), eight);
    expect(alerts.map((a) => `${a.id} ${local(a.dueAt)} ${a.pace?.expected ?? '-'}`)).toEqual([
      'pace_1 2027-04-01 08:00 2',
      'pace_2 2027-07-01 08:00 3',
      'pace_3 2027-10-01 08:00 5',
      'days_21 2027-12-10 08:00 -',
      'days_7 2027-12-24 08:00 -',
    ]);
  });

  it('has no checkpoint without pacing, or when a part is the whole window', () => {
    expect(paceCheckpoints(rule(), year(rule()))).toEqual([]);
    const whole = rule({ windowMonths: 3, pacing: { everyMonths: 3 } });
    expect(paceCheckpoints(whole, visitWindow(whole, at('2027-05-01'), VN))).toEqual([]);
  });
});
