import { cachedParser } from '../doc-cache.js';
import { keys } from '../keys.js';
import type { Store, WriteOp } from '../port.js';
import {
  type Answer,
  answerSchema,
  type GroupPost,
  type Guest,
  groupPostSchema,
  guestSchema,
  type Meeting,
  meetingSchema,
  type RollCallEntry,
  rollCallEntrySchema,
} from '../records.js';

const parseHash = <T>(raw: Record<string, string>, parse: (v: unknown) => T) =>
  new Map(Object.entries(raw).map(([k, v]) => [k, parse(JSON.parse(v))]));

/**
 * A meeting, and where its notice was posted, are read by each of its members' taps: parsed once while their
 * stored text is unchanged, and shared (frozen, so typed Readonly). The caches stay here, behind the
 * repository: callers get records, whoever parsed them.
 */
const parseMeeting = cachedParser(meetingSchema, 5_000);
const parseGroupPost = cachedParser(groupPostSchema, 5_000);

export class MeetingsRepo {
  constructor(private readonly store: Store) {}

  async get(id: string): Promise<Readonly<Meeting> | undefined> {
    return parseMeeting(keys.meeting(id), await this.store.get(keys.meeting(id)));
  }

  async getMany(ids: string[]): Promise<Readonly<Meeting>[]> {
    const raws = await this.store.getMany(ids.map(keys.meeting));
    return raws.flatMap((raw, i) => parseMeeting(keys.meeting(ids[i] as string), raw) ?? []);
  }

  /** A meeting with where its notice was posted in its cell's group (if it was), in one read. */
  async withGroupPost(id: string): Promise<[Readonly<Meeting> | undefined, Readonly<GroupPost> | undefined]> {
    const meetingKey = keys.meeting(id);
    const postKey = keys.meetingGroupPost(id);
    const [meeting, post] = await this.store.getMany([meetingKey, postKey]);
    return [parseMeeting(meetingKey, meeting), parseGroupPost(postKey, post)];
  }

  /** Where each meeting's notice was posted in its cell's group, if it was: in the order of `ids`. */
  async groupPosts(ids: string[]): Promise<(Readonly<GroupPost> | undefined)[]> {
    const raws = await this.store.getMany(ids.map(keys.meetingGroupPost));
    return raws.map((raw, i) => parseGroupPost(keys.meetingGroupPost(ids[i] as string), raw));
  }

  async groupPost(id: string): Promise<Readonly<GroupPost> | undefined> {
    return parseGroupPost(keys.meetingGroupPost(id), await this.store.get(keys.meetingGroupPost(id)));
  }

  /** The writes that store a meeting and index it by start (and by slot, for scheduled ones). */
  saveOps(meeting: Meeting): WriteOp[] {
    return [
      { op: 'set', key: keys.meeting(meeting.id), value: JSON.stringify(meeting) },
      {
        op: 'zadd',
        key: keys.cellMeetings(meeting.cellId),
        entries: [{ member: meeting.id, score: meeting.startsAt }],
      },
      ...(meeting.slot !== undefined
        ? [
            {
              op: 'hset' as const,
              key: keys.cellSlots(meeting.cellId),
              fields: { [String(meeting.slot)]: meeting.id },
            },
          ]
        : []),
    ];
  }

  async save(meeting: Meeting): Promise<void> {
    await this.store.write(this.saveOps(meeting));
  }

  async slots(cellId: string): Promise<Record<string, string>> {
    return this.store.hgetall(keys.cellSlots(cellId));
  }

  /** Meetings of a cell starting in [from, to], earliest first, cancelled ones included. */
  async ofCell(cellId: string, from: number, to: number): Promise<Readonly<Meeting>[]> {
    const ids = await this.store.zrangeByScore(keys.cellMeetings(cellId), from, to);
    return this.getMany(ids.map((e) => e.member));
  }

  async answers(meetingId: string): Promise<Map<string, Answer>> {
    return parseHash(await this.store.hgetall(keys.meetingAnswers(meetingId)), (v) => answerSchema.parse(v));
  }

  async answer(meetingId: string, personId: string): Promise<Answer | undefined> {
    const raw = await this.store.hget(keys.meetingAnswers(meetingId), personId);
    return raw === undefined ? undefined : answerSchema.parse(JSON.parse(raw));
  }

  async rollCall(meetingId: string): Promise<Map<string, RollCallEntry>> {
    return parseHash(await this.store.hgetall(keys.meetingRollCall(meetingId)), (v) =>
      rollCallEntrySchema.parse(v),
    );
  }

  async guests(meetingId: string): Promise<Map<string, Guest>> {
    return parseHash(await this.store.hgetall(keys.meetingGuests(meetingId)), (v) => guestSchema.parse(v));
  }

  async notified(meetingId: string): Promise<string[]> {
    return this.store.smembers(keys.meetingNotified(meetingId));
  }
}
