/**
 * The secretary's preparation checklist under Hướng dẫn 42-HD/BTCTW (28/10/2025): its steps in order, and which
 * of them are done. Pure: the facts are gathered by src/services/checklist.ts.
 */
import { meetingReminders, type ReminderCalendar } from './reminders.js';
import { addDays, instantAt, localDateOf, MIDNIGHT } from './time.js';
import type { TimelineStep } from './types.js';

/** HD 42's preparation, in order; the IDs are those of the policy timeline's steps that remind of them. */
export const PREPARATION_STEPS = [
  'assign_drafting', // (1) assign someone to draft the content and, if needed, a draft resolution
  'committee_preparation', // (2) the cell committee (or secretary + deputy) agrees the content
  'notice', // (3) notify every member and the assigned upper-level committee member
  'documents_on_stdvdt', // (4) documents on Sổ tay đảng viên điện tử at least a day before
] as const;
export type PreparationStep = (typeof PREPARATION_STEPS)[number];

/** Steps the system cannot see being done: the secretary ticks them. The notice it sends itself. */
export const MARKABLE_STEPS = ['assign_drafting', 'committee_preparation', 'documents_on_stdvdt'] as const;
export type MarkableStep = (typeof MARKABLE_STEPS)[number];

export interface PreparationFacts {
  startsAt: number;
  timeZone: string;
  /** The cell's reminder calendar, so each step's day is the one its reminder really goes out on. */
  calendar?: ReminderCalendar;
  timeline: readonly TimelineStep[];
  /** Steps the secretary ticked, with when. */
  marked: ReadonlyMap<MarkableStep, number>;
  /** How many members and committee members the notice reached. */
  notified: { members: number; committee: number };
}

export type StepState =
  /** Done: ticked by the secretary, or (the notice) sent by the bot. */
  | 'done'
  /** Not done yet, and its time has not passed. */
  | 'open'
  /** Not done, and the policy's day for it has passed. */
  | 'late';

export interface PreparationStatus {
  step: PreparationStep;
  state: StepState;
  /** When the timeline reminds of it (its day), when the policy has the step. */
  dueAt?: number;
  /** When the secretary ticked it. */
  markedAt?: number;
}

const markable = (step: PreparationStep): step is MarkableStep =>
  (MARKABLE_STEPS as readonly string[]).includes(step);

/** Each step's state at `now`. A step is late only once its reminder's day is over and it is still not done. */
export function preparationStatus(facts: PreparationFacts, now: number): PreparationStatus[] {
  const due = new Map(
    meetingReminders(
      { id: '', startsAt: new Date(facts.startsAt) },
      facts.timeline,
      facts.calendar ?? facts.timeZone,
    ).map((r) => [r.stepId, r.dueAt.getTime()]),
  );
  return PREPARATION_STEPS.map((step) => {
    const markedAt = markable(step) ? facts.marked.get(step) : undefined;
    const done = step === 'notice' ? facts.notified.members + facts.notified.committee > 0 : !!markedAt;
    const dueAt = due.get(step);
    const dayAfterDue =
      dueAt === undefined
        ? facts.startsAt
        : instantAt(
            addDays(localDateOf(new Date(dueAt), facts.timeZone), 1),
            MIDNIGHT,
            facts.timeZone,
          ).getTime();
    const late = !done && now >= Math.min(dayAfterDue, facts.startsAt);
    return {
      step,
      state: done ? 'done' : late ? 'late' : 'open',
      ...(dueAt !== undefined ? { dueAt } : {}),
      ...(markedAt !== undefined ? { markedAt } : {}),
    };
  });
}
