import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../src/content/policy.js';
import { meetingReminders, thematicCheckDue, thematicCheckTime } from '../../../src/domain/reminders.js';
import { monthWindow } from '../../../src/domain/time.js';
import type { Meeting, TimelineStep } from '../../../src/domain/types.js';
import { at, local, VN } from './helpers.js';

const timeline = loadPolicy('hai-cap-2025').timeline;

describe('meetingReminders', () => {
  it('journey 2: the default timeline around Saturday 05/12/2026 19:30', () => {
    const occurrences = meetingReminders({ id: 'm1', startsAt: at('2026-12-05 19:30') }, timeline, VN);
    expect(
      occurrences.map((o) => `${local(o.dueAt)} ${o.audience} ${o.stepId} until ${local(o.graceEndsAt)}`),
    ).toEqual([
      '2026-11-28 19:30 secretaries assign_drafting until 2026-11-30 19:30',
      '2026-11-30 19:30 secretaries committee_preparation until 2026-12-01 19:30',
      '2026-12-02 19:30 members notice until 2026-12-04 19:30',
      '2026-12-02 19:30 committee committee_notice until 2026-12-04 19:30',
      '2026-12-04 19:30 secretaries documents_on_stdvdt until 2026-12-05 07:30',
      '2026-12-04 19:30 members_unanswered follow_up until 2026-12-05 07:30',
      '2026-12-05 07:00 secretaries tally until 2026-12-05 11:00',
      '2026-12-06 19:30 secretaries roll_call until 2026-12-07 19:30',
      '2026-12-07 19:30 secretaries final_documents until 2026-12-08 19:30',
    ]);
    expect(new Set(occurrences.map((o) => o.id)).size).toBe(occurrences.length);
    expect(occurrences[0]?.id).toBe('m1:assign_drafting');
  });

  it('ends the grace of a reminder due before the meeting at its start', () => {
    const occurrences = meetingReminders({ id: 'm2', startsAt: at('2026-12-05 08:00') }, timeline, VN);
    const byStep = Object.fromEntries(occurrences.map((o) => [o.stepId, local(o.graceEndsAt)]));
    expect(byStep.tally).toBe('2026-12-05 08:00');
    expect(byStep.follow_up).toBe('2026-12-04 20:00');
    expect(byStep.roll_call).toBe('2026-12-07 08:00');
  });

  it('counts days on the local calendar for a meeting at 00:30', () => {
    const step: TimelineStep = { id: 'eve', offsetDays: -1, audience: 'members', graceHours: 1 };
    const [eve] = meetingReminders({ id: 'm3', startsAt: at('2027-01-01 00:30') }, [step], VN);
    expect(local(eve?.dueAt as Date)).toBe('2026-12-31 00:30');
  });
});

describe('the quarterly thematic check', () => {
  const q1 = monthWindow(at('2027-02-10'), 3, VN);
  const meeting = (when: string, kind: Meeting['kind'], state: Meeting['state'] = 'planned') => ({
    kind,
    state,
    startsAt: at(when),
  });
  const regulars = [meeting('2027-01-05 19:30', 'regular', 'held'), meeting('2027-03-05 19:30', 'regular')];

  it('runs on the first day of the last month of the quarter', () => {
    expect(local(thematicCheckTime(q1, { hour: 8, minute: 0 }))).toBe('2027-03-01 08:00');
  });

  it.each([
    ['journey 6: 1 March with regular meetings only', '2027-03-01 08:00', [], true],
    ['before the last month', '2027-02-28 23:59', [], false],
    ['after the quarter', '2027-04-01 00:00', [], false],
    [
      'a thematic meeting planned in March',
      '2027-03-01 08:00',
      [meeting('2027-03-20 08:00', 'thematic')],
      false,
    ],
    [
      'a combined meeting held in January',
      '2027-03-01 08:00',
      [meeting('2027-01-05 19:30', 'combined', 'held')],
      false,
    ],
    [
      'a cancelled thematic meeting',
      '2027-03-01 08:00',
      [meeting('2027-03-20 08:00', 'thematic', 'cancelled')],
      true,
    ],
    [
      'a thematic meeting last quarter',
      '2027-03-01 08:00',
      [meeting('2026-12-20 08:00', 'thematic', 'held')],
      true,
    ],
  ] as const)('%s → %s', (_, now, more, due) => {
    expect(thematicCheckDue(q1, [...regulars, ...more], at(now))).toBe(due);
  });
});
