import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { holidayCalendar } from '../../../src/content/holidays.js';
import { loadPolicy } from '../../../src/content/policy.js';
import {
  meetingReminders,
  type ReminderCalendar,
  thematicCheckDue,
  thematicCheckTime,
} from '../../../src/domain/reminders.js';
import {
  addDays,
  daysBetween,
  instantAt,
  localDateOf,
  localTimeOf,
  monthWindow,
  weekdayOf,
} from '../../../src/domain/time.js';
import type { LocalDate, LocalTime, Meeting, TimelineStep } from '../../../src/domain/types.js';
import { at, local, VN } from './helpers.js';

const policy = loadPolicy('hai-cap-2025');
const timeline = policy.timeline;
const vietnam = holidayCalendar();
/** A cell that does not meet on weekends, under the shipped holidays and the preset's daytime. */
const cell = (weekendsAreWorkingDays = false): ReminderCalendar => ({
  timeZone: VN,
  holidays: vietnam,
  weekendsAreWorkingDays,
  daytime: policy.daytime,
});
const byStep = (occurrences: ReturnType<typeof meetingReminders>) =>
  Object.fromEntries(occurrences.map((o) => [o.stepId, local(o.dueAt)]));

describe('meetingReminders', () => {
  it('journey 2: the default timeline around Saturday 05/12/2026 19:30, each step at its hour', () => {
    const occurrences = meetingReminders({ id: 'm1', startsAt: at('2026-12-05 19:30') }, timeline, cell());
    expect(
      occurrences.map((o) => `${local(o.dueAt)} ${o.audience} ${o.stepId} until ${local(o.graceEndsAt)}`),
    ).toEqual([
      '2026-11-28 08:00 secretaries assign_drafting until 2026-11-30 08:00',
      '2026-11-30 08:00 secretaries committee_preparation until 2026-12-01 08:00',
      '2026-12-02 08:00 members notice until 2026-12-04 08:00',
      '2026-12-02 08:00 committee committee_notice until 2026-12-04 08:00',
      '2026-12-04 08:00 secretaries documents_on_stdvdt until 2026-12-04 20:00',
      '2026-12-04 17:00 members_unanswered follow_up until 2026-12-05 05:00',
      '2026-12-05 07:00 secretaries tally until 2026-12-05 11:00',
      '2026-12-06 08:00 secretaries roll_call until 2026-12-07 08:00',
      '2026-12-07 08:00 secretaries final_documents until 2026-12-08 08:00',
    ]);
    expect(new Set(occurrences.map((o) => o.id)).size).toBe(occurrences.length);
    expect(occurrences[0]?.id).toBe('m1:assign_drafting');
  });

  it('ends the grace of a reminder due before the meeting at its start', () => {
    const occurrences = meetingReminders({ id: 'm2', startsAt: at('2026-12-04 07:30') }, timeline, cell());
    const graces = Object.fromEntries(occurrences.map((o) => [o.stepId, local(o.graceEndsAt)]));
    expect(graces.tally).toBe('2026-12-04 07:30');
    expect(graces.follow_up).toBe('2026-12-04 05:00');
    expect(graces.roll_call).toBe('2026-12-06 08:00');
  });

  it('counts days on the local calendar for a meeting at 00:30', () => {
    const step: TimelineStep = {
      id: 'eve',
      offsetDays: -1,
      at: { hour: 9, minute: 0 },
      audience: 'members',
      graceHours: 1,
    };
    const [eve] = meetingReminders({ id: 'm3', startsAt: at('2027-01-01 00:30') }, [step], VN);
    expect(local(eve?.dueAt as Date)).toBe('2026-12-31 09:00');
  });

  it('the issue: a meeting on 11/02/2027 has no reminder on Tết; all go out on 03/02, the last working day before', () => {
    const due = byStep(meetingReminders({ id: 'm4', startsAt: at('2027-02-11 19:30') }, timeline, cell()));
    // T−5 would be mùng 1 Tết (06/02), T−3 08/02, T−1 10/02: the break runs 04–10/02.
    expect(due.committee_preparation).toBe('2027-02-03 08:00');
    expect(due.notice).toBe('2027-02-03 08:00');
    expect(due.documents_on_stdvdt).toBe('2027-02-03 08:00');
    expect(due.follow_up).toBe('2027-02-03 17:00');
    expect(due.tally).toBe('2027-02-11 07:00');
  });

  it('sends the T−1 documents reminder at 08:00, not at the meeting’s hour the evening before', () => {
    const due = byStep(meetingReminders({ id: 'm5', startsAt: at('2027-03-05 19:30') }, timeline, cell()));
    expect(due.documents_on_stdvdt).toBe('2027-03-04 08:00');
  });

  it('moves a step after the meeting off a holiday to the next day that is not one', () => {
    const due = byStep(meetingReminders({ id: 'm6', startsAt: at('2027-02-03 19:30') }, timeline, cell()));
    expect(due.roll_call).toBe('2027-02-11 08:00');
    expect(due.final_documents).toBe('2027-02-11 08:00');
  });

  it('never sends a step before the meeting after its start: the 07:00 tally of a 06:30 meeting goes the day before', () => {
    const due = byStep(meetingReminders({ id: 'm7', startsAt: at('2027-03-05 06:30') }, timeline, cell()));
    expect(due.tally).toBe('2027-03-04 07:00');
  });

  it('looks back over the weekend only for a cell that does not meet on weekends', () => {
    // Tuesday 06/04/2027; T−1 at 23:00 is outside daytime, so the previous working day at 21:00.
    const late: TimelineStep = {
      id: 'late',
      offsetDays: -1,
      at: { hour: 23, minute: 0 },
      audience: 'members',
      graceHours: 1,
    };
    const dueFor = (weekends: boolean) =>
      local(
        meetingReminders({ id: 'm8', startsAt: at('2027-04-06 19:30') }, [late], cell(weekends))[0]
          ?.dueAt as Date,
      );
    expect(dueFor(false)).toBe('2027-04-02 21:00');
    expect(dueFor(true)).toBe('2027-04-04 21:00');
  });
});

describe('meetingReminders properties, 2026–2040', () => {
  const minutes = (t: LocalTime) => t.hour * 60 + t.minute;
  const daytime = policy.daytime;
  const clamp = (t: LocalTime) =>
    minutes(t) < minutes(daytime.from) ? daytime.from : minutes(t) > minutes(daytime.to) ? daytime.to : t;
  const timeArb = fc.record({
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
  });
  const stepArb = fc.record({
    id: fc.constant('s'),
    offsetDays: fc.integer({ min: -10, max: 3 }),
    at: timeArb,
    audience: fc.constant('secretaries' as const),
    graceHours: fc.integer({ min: 1, max: 48 }),
  });
  const meetingArb = fc.record({
    day: fc.integer({ min: 0, max: 15 * 365 }),
    time: fc.record({ hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }) }),
  });

  it('sends on a working day inside daytime, before the meeting for steps before it, as late as allowed', () => {
    fc.assert(
      fc.property(
        meetingArb,
        fc.array(stepArb, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (m, steps, weekends) => {
          const day = addDays({ year: 2026, month: 1, day: 1 }, m.day);
          const startsAt = instantAt(day, m.time, VN);
          const cal = cell(weekends);
          const isHoliday = (d: LocalDate) => vietnam.on(d) !== undefined;
          const isWorking = (d: LocalDate) => !isHoliday(d) && (weekends || ![0, 6].includes(weekdayOf(d)));
          const occurrences = meetingReminders(
            { id: 'p', startsAt },
            steps.map((s, i) => ({ ...s, id: `s${i}` })),
            cal,
          );
          // node's assert, not vitest's expect: a few thousand checks per run, where expect costs more than them.
          for (const o of occurrences) {
            const step = steps[Number(o.stepId.slice(1))] as TimelineStep;
            const nominalDay = addDays(day, step.offsetDays);
            const nominal = instantAt(nominalDay, step.at, VN);
            const dueDay = localDateOf(o.dueAt, VN);
            const dueTime = localTimeOf(o.dueAt, VN);
            const inDaytime =
              minutes(step.at) >= minutes(daytime.from) && minutes(step.at) <= minutes(daytime.to);
            assert.ok(!isHoliday(dueDay), 'due on a holiday');
            assert.ok(
              minutes(dueTime) >= minutes(daytime.from) && minutes(dueTime) <= minutes(daytime.to),
              'due outside daytime',
            );
            if (step.offsetDays <= 0) {
              assert.ok(o.dueAt < startsAt, 'a step before the meeting due after it');
              assert.ok(o.graceEndsAt <= startsAt, 'grace running past the meeting');
              if (!isHoliday(nominalDay) && inDaytime && nominal < startsAt) {
                assert.equal(o.dueAt.getTime(), nominal.getTime());
                continue;
              }
              assert.equal(minutes(dueTime), minutes(clamp(step.at)));
              assert.ok(isWorking(dueDay), 'moved to a day that is not a working day');
              assert.ok(daysBetween(dueDay, nominalDay) > 0, 'moved later, not earlier');
              // The previous working day that fits: none later fits.
              for (let d = addDays(dueDay, 1); daysBetween(d, nominalDay) > 0; d = addDays(d, 1))
                assert.ok(
                  !(isWorking(d) && instantAt(d, clamp(step.at), VN) < startsAt),
                  'a later day fitted',
                );
            } else {
              assert.ok(
                o.dueAt > startsAt || daysBetween(day, dueDay) > 0,
                'a step after the meeting due before it',
              );
              assert.equal(minutes(dueTime), minutes(inDaytime ? step.at : clamp(step.at)));
              for (let d = nominalDay; daysBetween(d, dueDay) > 0; d = addDays(d, 1))
                assert.ok(isHoliday(d), 'moved past a day that was not a holiday');
            }
          }
        },
      ),
      { numRuns: 500 },
    );
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
