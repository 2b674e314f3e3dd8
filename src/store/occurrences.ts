import { z } from 'zod';
import { DAY_MS } from '../domain/time.js';
import { REMINDER_AUDIENCES } from '../domain/types.js';
import { keys } from './keys.js';
import type { WriteOp } from './port.js';

/**
 * A planned reminder: one timeline step of one meeting version (or a cell's periodic thematic check, or a
 * committee member's visit alert), due at a time and useful until its grace ends. Stored as `reminder:<id>`, indexed by due time in `remindersDue`
 * while pending; kept a while after it fires so re-planning never plans it again.
 */
export const occurrenceSchema = z.object({
  id: z.string(),
  kind: z.enum(['meeting', 'thematic_check', 'visit_alert']),
  /** Empty for a visit alert: it concerns a committee member, not one cell. */
  cellId: z.string(),
  /** Visit alerts: the committee member alerted (the period is the window of their rule). */
  personId: z.string().optional(),
  /** Meeting steps: the meeting and the version the step was planned for. */
  meetingId: z.string().optional(),
  meetingVersion: z.number().int().optional(),
  /** Thematic checks: the period (quarter) checked. Visit alerts: the window of the member's rule. */
  period: z.object({ start: z.number(), end: z.number() }).optional(),
  stepId: z.string(),
  audience: z.enum(REMINDER_AUDIENCES),
  /** Sent now on request to these people only, instead of the audience's members (e.g. a late guest). */
  recipients: z.array(z.string()).optional(),
  dueAt: z.number(),
  graceEndsAt: z.number(),
  state: z.enum(['pending', 'sent', 'missed', 'dropped']),
});
export type Occurrence = z.infer<typeof occurrenceSchema>;

/** Deterministic, so planning twice finds the same occurrence: meeting × step × version. */
export const meetingOccurrenceId = (meetingId: string, stepId: string, version: number) =>
  `${meetingId}.${stepId}.v${version}`;

export const thematicOccurrenceId = (cellId: string, periodStart: number) =>
  `${cellId}.thematic.${periodStart}`;

/** One alert per committee member × window of their rule × alert step (half_window, days_21, …). */
export const visitAlertOccurrenceId = (personId: string, windowStart: number, stepId: string) =>
  `visit.${personId}.${windowStart}.${stepId}`;

/** Fired occurrences are kept this long, past any meeting the planner still looks at. */
const KEEP_FIRED_MS = 120 * DAY_MS;

export function pendingOps(occurrence: Occurrence): WriteOp[] {
  return [
    { op: 'set', key: keys.reminder(occurrence.id), value: JSON.stringify(occurrence) },
    { op: 'zadd', key: keys.remindersDue(), entries: [{ member: occurrence.id, score: occurrence.dueAt }] },
    ...(occurrence.meetingId
      ? [{ op: 'sadd' as const, key: keys.meetingReminders(occurrence.meetingId), members: [occurrence.id] }]
      : []),
  ];
}

/** Records how an occurrence ended and takes it off the due index. */
export function firedOps(occurrence: Occurrence, state: 'sent' | 'missed' | 'dropped'): WriteOp[] {
  return [
    {
      op: 'set',
      key: keys.reminder(occurrence.id),
      value: JSON.stringify({ ...occurrence, state }),
      ttlMs: KEEP_FIRED_MS,
    },
    { op: 'zrem', key: keys.remindersDue(), members: [occurrence.id] },
  ];
}

/** Forgets a pending occurrence entirely (its meeting moved or was cancelled). */
export function unplanOps(occurrence: Occurrence): WriteOp[] {
  return [
    { op: 'del', key: keys.reminder(occurrence.id) },
    { op: 'zrem', key: keys.remindersDue(), members: [occurrence.id] },
    ...(occurrence.meetingId
      ? [{ op: 'srem' as const, key: keys.meetingReminders(occurrence.meetingId), members: [occurrence.id] }]
      : []),
  ];
}
