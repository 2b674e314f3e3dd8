import { type DeliveryState, deliveryStates } from '../delivery/outbox.js';
import { meetingReminders, type ReminderCalendar } from '../domain/reminders.js';
import type { TimelineStep } from '../domain/types.js';
import { keys } from '../store/keys.js';
import { meetingOccurrenceId, occurrenceSchema } from '../store/occurrences.js';
import type { Store, WriteOp } from '../store/port.js';
import { type Meeting, parseDoc } from '../store/records.js';

/**
 * Who a meeting's notice reached, read from the outbox itself: a follow-up ("⏰ Kính nhắc đồng chí: chi bộ chưa
 * nhận được trả lời của đồng chí cho giấy mời dưới đây") is only for someone whose notice was delivered. Whoever missed it — not reachable when it
 * went out, linked since, or their message given up — is owed the notice itself; whoever's notice is still on its
 * way gets nothing more yet.
 */

export interface FollowUpTargets {
  /** Their notice was delivered: the follow-up. */
  remind: string[];
  /** The notice went out but never reached them: the notice itself, now. */
  notice: string[];
  /** Their notice is still on its way, or the notice has not gone out yet: nothing now. */
  waiting: string[];
  /** Whether the members' notice has gone out: its time has come, or it was sent to someone earlier on request. */
  wentOut: boolean;
}

/** The writes that record which outbox message carried a person's notice (with the meeting's notified set). */
export function noticeRecordOps(
  meetingId: string,
  sent: readonly { personId: string; key: string }[],
): WriteOp[] {
  if (sent.length === 0) return [];
  return [
    { op: 'sadd', key: keys.meetingNotified(meetingId), members: sent.map((s) => s.personId) },
    {
      op: 'hset',
      key: keys.meetingNoticeKeys(meetingId),
      fields: Object.fromEntries(sent.map((s) => [s.personId, s.key])),
    },
  ];
}

/** The members' notice step of a timeline, the one a late notice is sent as. */
export const membersNoticeStep = (timeline: readonly TimelineStep[]) =>
  timeline.find((s) => s.audience === 'members');

/**
 * Splits those a follow-up is meant for by whether, and how, the meeting's notice reached each. The notice has gone
 * out once its time has come (placed on the cell's reminder calendar as the planner placed it: a holiday moves it
 * earlier) and its occurrence is not still waiting to fire, or once it was sent to someone (earlier, on request).
 * Three store reads per meeting, whatever the number of people.
 */
export async function followUpTargets(
  store: Store,
  meeting: Pick<Meeting, 'id' | 'startsAt' | 'version'>,
  calendar: ReminderCalendar,
  timeline: readonly TimelineStep[],
  personIds: readonly string[],
  now: number,
): Promise<FollowUpTargets> {
  const step = membersNoticeStep(timeline);
  const occurrenceKey = keys.reminder(meetingOccurrenceId(meeting.id, step?.id ?? '', meeting.version));
  const [noticeKeys, rawOccurrence] = await Promise.all([
    store.hgetall(keys.meetingNoticeKeys(meeting.id)),
    step ? store.get(occurrenceKey) : undefined,
  ]);
  const [planned] = step
    ? meetingReminders({ id: meeting.id, startsAt: new Date(meeting.startsAt) }, [step], calendar)
    : [];
  // Still to fire (or firing in the same tick as this follow-up, a meeting moved to the next day): not out yet.
  const firing = parseDoc(occurrenceSchema, occurrenceKey, rawOccurrence)?.state === 'pending';
  const due = planned !== undefined && planned.dueAt.getTime() <= now && !firing;
  const wentOut = due || Object.keys(noticeKeys).length > 0;
  const targets: FollowUpTargets = { remind: [], notice: [], waiting: [], wentOut };
  const recorded = personIds.filter((id) => noticeKeys[id] !== undefined);
  const states = recorded.length
    ? await deliveryStates(
        store,
        recorded.map((id) => noticeKeys[id] as string),
      )
    : [];
  const stateOf = new Map<string, DeliveryState>(recorded.map((id, i) => [id, states[i] ?? 'sent']));
  for (const id of personIds) {
    const state = stateOf.get(id);
    if (state === 'sent') targets.remind.push(id);
    else if (state === 'pending' || !wentOut) targets.waiting.push(id);
    else targets.notice.push(id);
  }
  return targets;
}
