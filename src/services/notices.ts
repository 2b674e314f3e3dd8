import { type DeliveryState, deliveryStates } from '../delivery/outbox.js';
import { occurrenceSchema } from '../scheduler/occurrences.js';
import { keys } from '../store/keys.js';
import type { Store, WriteOp } from '../store/port.js';
import { parseDoc } from '../store/records.js';

/**
 * Who a meeting's notice reached, read from the outbox itself: a follow-up ("⏰ Nhắc lại: đồng chí chưa trả lời
 * thông báo dưới đây") is only for someone whose notice was delivered. Whoever missed it — not reachable when it
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
  /** Whether the members' notice has gone out at all. */
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

/** Whether the members' notice of the meeting (any version) has gone out: its step fired, or was sent on request. */
async function noticeWentOut(store: Store, meetingId: string): Promise<boolean> {
  const ids = await store.smembers(keys.meetingReminders(meetingId));
  const raws = await store.getMany(ids.map(keys.reminder));
  return raws.some((raw, i) => {
    const occurrence = parseDoc(occurrenceSchema, keys.reminder(ids[i] as string), raw);
    return occurrence?.audience === 'members' && occurrence.state === 'sent';
  });
}

/** Splits those a follow-up is meant for by whether, and how, the meeting's notice reached each. */
export async function followUpTargets(
  store: Store,
  meetingId: string,
  personIds: readonly string[],
): Promise<FollowUpTargets> {
  const [notified, noticeKeys, wentOut] = await Promise.all([
    store.smembers(keys.meetingNotified(meetingId)),
    store.hgetall(keys.meetingNoticeKeys(meetingId)),
    noticeWentOut(store, meetingId),
  ]);
  const targets: FollowUpTargets = { remind: [], notice: [], waiting: [], wentOut };
  const recorded = personIds.filter((id) => noticeKeys[id] !== undefined);
  const states = await deliveryStates(
    store,
    recorded.map((id) => noticeKeys[id] as string),
  );
  const stateOf = new Map<string, DeliveryState>(recorded.map((id, i) => [id, states[i] ?? 'sent']));
  // Notified before their notice's message was recorded (an older version of the service): taken as delivered.
  const legacy = new Set(notified);
  for (const id of personIds) {
    const state = stateOf.get(id) ?? (legacy.has(id) ? 'sent' : undefined);
    if (state === 'sent') targets.remind.push(id);
    else if (state === 'pending' || !wentOut) targets.waiting.push(id);
    else targets.notice.push(id);
  }
  return targets;
}
