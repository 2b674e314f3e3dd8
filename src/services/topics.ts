import { type Calendar, loadCalendar } from '../content/anniversaries.js';
import { loadTopics, TOPIC_LIMITS } from '../content/topics.js';
import { type MeetingTimeError, parseMeetingTime } from '../domain/meeting-time.js';
import { DAY_MS, isoDate, localDateOf, monthWindow } from '../domain/time.js';
import {
  type CalendarDate,
  parseIsoDate,
  type TopicUse as RankedUse,
  rankTopics,
  SUGGESTIONS_PER_PAGE,
  type Topic,
  type TopicSuggestion,
} from '../domain/topics.js';
import type { Policy } from '../domain/types.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/port.js';
import {
  type Cell,
  type Meeting,
  meetingSchema,
  newId,
  type TopicUse,
  topicUseSchema,
} from '../store/records.js';
import { auditOp } from '../store/repositories/audit.js';
import type { Repos } from '../store/repositories/index.js';
import type { Clock } from './people.js';
import type { Planning } from './planning.js';

/** The topic library and the calendar it is ranked by, read once per process (start-up fails on a bad one). */
export interface TopicLibrary {
  topics: readonly Topic[];
  calendar: Calendar;
}

let shipped: TopicLibrary | undefined;
export function shippedTopicLibrary(): TopicLibrary {
  if (!shipped) {
    const calendar = loadCalendar();
    shipped = { topics: loadTopics(undefined, calendar), calendar };
  }
  return shipped;
}

/** How far ahead a secretary may put a new thematic meeting. */
const MAX_AHEAD_MS = 366 * DAY_MS;

/** Where a chosen topic goes: the quarter's thematic meeting, a regular one to combine, or a new meeting. */
export type TopicTarget =
  | { kind: 'thematic'; meeting: Meeting }
  | { kind: 'combine'; meeting: Meeting }
  | { kind: 'none' };

export type TopicChoice = { topicId: string } | { title: string };

export type ChooseResult =
  | {
      ok: true;
      meeting: Meeting;
      /** What the meeting was before: a regular one became combined, a new one was created. */
      change: 'attached' | 'combined' | 'created' | 'unchanged';
      /** The title it replaced, if the meeting had one. */
      replaced?: string;
    }
  | { ok: false; reason: 'not_offered' | 'too_long' | 'needs_date' }
  | { ok: false; reason: 'bad_date'; error: MeetingTimeError | 'too_far' };

/**
 * Thematic topics for a cell: suggestions ranked for its kind and today by the cell's own history, and the
 * choice of one for the quarter's thematic meeting — recorded as used, audited, and re-planned so members
 * already notified hear of the change. Callers authorize the secretary first.
 */
export class TopicsService {
  constructor(
    private readonly store: Store,
    private readonly repos: Repos,
    private readonly clock: Clock,
    private readonly policy: Policy,
    private readonly planning: Planning,
    readonly library: TopicLibrary = shippedTopicLibrary(),
  ) {}

  topic(id: string): Topic | undefined {
    return this.library.topics.find((t) => t.id === id);
  }

  today(cell: Cell): CalendarDate {
    return localDateOf(new Date(this.clock.now()), cell.timeZone);
  }

  /** The topics the cell's meetings used, as the ranking reads them; cancelled meetings' choices do not count. */
  async history(cellId: string, exceptMeetingId?: string): Promise<RankedUse[]> {
    const uses = await this.uses(cellId);
    const meetings = await this.repos.meetings.getMany(uses.map((u) => u.meetingId));
    const cancelled = new Set(meetings.filter((m) => m.state === 'cancelled').map((m) => m.id));
    return uses.flatMap((use) =>
      use.topicId && use.meetingId !== exceptMeetingId && !cancelled.has(use.meetingId)
        ? [
            {
              topicId: use.topicId,
              ...(use.category ? { category: use.category as RankedUse['category'] } : {}),
              date: parseIsoDate(use.date),
            },
          ]
        : [],
    );
  }

  /** Every topic the cell may take today, best first (pages of three for [Xem thêm]). */
  async ranked(cell: Cell, exceptMeetingId?: string): Promise<TopicSuggestion[]> {
    const { topics, calendar } = this.library;
    return rankTopics({
      topics,
      cell: { kind: cell.kind },
      date: this.today(cell),
      history: await this.history(cell.id, exceptMeetingId),
      anniversaries: calendar.anniversaries,
      themes: calendar.themes,
    });
  }

  async suggest(
    cell: Cell,
    offset = 0,
    count = SUGGESTIONS_PER_PAGE,
  ): Promise<{ suggestions: TopicSuggestion[]; hasMore: boolean }> {
    const ranked = await this.ranked(cell);
    return { suggestions: ranked.slice(offset, offset + count), hasMore: ranked.length > offset + count };
  }

  /** The suggestion for one topic, when the cell may take it today (a stale or forged tap gets undefined). */
  async offered(cell: Cell, topicId: string, exceptMeetingId?: string): Promise<TopicSuggestion | undefined> {
    return (await this.ranked(cell, exceptMeetingId)).find((s) => s.topic.id === topicId);
  }

  /**
   * Where a topic chosen now goes: the cell's next thematic or combined meeting of this period (the quarter),
   * else its next regular meeting of the period, to be combined; none when the period has neither left.
   */
  async target(cell: Cell): Promise<TopicTarget> {
    const now = this.clock.now();
    const period = monthWindow(new Date(now), this.policy.thematicEveryMonths, cell.timeZone);
    const ahead = (await this.repos.meetings.ofCell(cell.id, now, period.end.getTime() - 1)).filter(
      (m) => m.state === 'planned' && m.startsAt > now,
    );
    const thematic = ahead.find((m) => m.kind !== 'regular');
    if (thematic) return { kind: 'thematic', meeting: thematic };
    const regular = ahead.find((m) => m.kind === 'regular');
    return regular ? { kind: 'combine', meeting: regular } : { kind: 'none' };
  }

  /**
   * Attaches a topic to the target meeting (a regular one becomes combined), or, given `when` (the secretary's
   * words for a day and time), creates a thematic meeting with it. One atomic write: the meeting with its
   * version bumped, the topic's use, the audit entry. Then the meeting is re-planned.
   */
  async choose(actorId: string, cell: Cell, choice: TopicChoice, when?: string): Promise<ChooseResult> {
    if (when !== undefined) {
      const startsAt = this.meetingTime(cell, when);
      if (!startsAt.ok) return { ok: false, reason: 'bad_date', error: startsAt.error };
      const created = meetingSchema.parse({
        id: newId(),
        cellId: cell.id,
        kind: 'thematic',
        startsAt: startsAt.at,
        place: cell.place,
        state: 'planned',
        origin: 'manual',
        version: 1,
        updatedAt: this.clock.now(),
      });
      return this.attach(actorId, cell, choice, created, 'created');
    }
    const target = await this.target(cell);
    if (target.kind === 'none') return { ok: false, reason: 'needs_date' };
    return this.attach(
      actorId,
      cell,
      choice,
      target.meeting,
      target.kind === 'combine' ? 'combined' : 'attached',
    );
  }

  private async attach(
    actorId: string,
    cell: Cell,
    choice: TopicChoice,
    meeting: Meeting,
    change: 'attached' | 'combined' | 'created',
  ): Promise<ChooseResult> {
    const now = this.clock.now();
    let topic: Topic | undefined;
    let title: string;
    if ('topicId' in choice) {
      topic = (await this.offered(cell, choice.topicId, meeting.id))?.topic;
      if (!topic) return { ok: false, reason: 'not_offered' };
      title = topic.title;
    } else {
      title = choice.title.normalize('NFC').replace(/\s+/g, ' ').trim();
      if (!title || title.length > TOPIC_LIMITS.title) return { ok: false, reason: 'too_long' };
    }
    // The same choice again (a double tap, a second secretary): nothing to change, nobody to tell again.
    if (
      change !== 'created' &&
      meeting.kind !== 'regular' &&
      meeting.topicTitle === title &&
      meeting.topicId === topic?.id
    )
      return { ok: true, meeting, change: 'unchanged' };
    const created = change === 'created';
    const { topicId: _previous, ...rest } = meeting;
    const updated: Meeting = {
      ...rest,
      kind: meeting.kind === 'regular' ? 'combined' : meeting.kind,
      ...(topic ? { topicId: topic.id } : {}),
      topicTitle: title,
      version: created ? meeting.version : meeting.version + 1,
      updatedAt: now,
    };

    const use: TopicUse = topicUseSchema.parse({
      meetingId: meeting.id,
      ...(topic ? { topicId: topic.id, category: topic.category } : {}),
      title,
      date: isoDate(localDateOf(new Date(meeting.startsAt), cell.timeZone)),
      chosenBy: actorId,
      at: now,
    });
    await this.store.write([
      ...this.repos.meetings.saveOps(updated),
      { op: 'hset', key: keys.cellTopics(cell.id), fields: { [meeting.id]: JSON.stringify(use) } },
      auditOp(cell.id, {
        at: now,
        actorId,
        action: created ? 'meeting.create_thematic' : 'meeting.topic',
        subject: meeting.id,
        detail: {
          topicId: topic?.id ?? null,
          title,
          kind: { from: created ? null : meeting.kind, to: updated.kind },
          version: updated.version,
          ...(meeting.topicTitle && !created ? { replaced: meeting.topicTitle } : {}),
        },
      }),
    ]);
    // Moves the reminders to the new version and tells those already notified what changed.
    await this.planning.replanMeeting(updated.id);
    return {
      ok: true,
      meeting: updated,
      change,
      ...(meeting.topicTitle && !created && meeting.topicTitle !== title
        ? { replaced: meeting.topicTitle }
        : {}),
    };
  }

  /** The secretary's words for a new meeting's day and time, as an instant in the cell's zone. */
  private meetingTime(
    cell: Cell,
    words: string,
  ): { ok: true; at: number } | { ok: false; error: MeetingTimeError | 'too_far' } {
    const now = this.clock.now();
    // No default day: a new meeting needs its date typed.
    const parsed = parseMeetingTime(words, { now: new Date(now), timeZone: cell.timeZone });
    if (!parsed.ok) return parsed;
    const at = parsed.startsAt.getTime();
    if (at > now + MAX_AHEAD_MS) return { ok: false, error: 'too_far' };
    return { ok: true, at };
  }

  private async uses(cellId: string): Promise<TopicUse[]> {
    const raw = await this.store.hgetall(keys.cellTopics(cellId));
    return Object.values(raw).map((json) => topicUseSchema.parse(JSON.parse(json)));
  }
}
