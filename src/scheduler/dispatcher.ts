import { holidayCalendar } from '../content/holidays.js';
import { addressOf } from '../delivery/address.js';
import type { Outbox, OutboxMessage } from '../delivery/outbox.js';
import type { Holidays } from '../domain/holidays.js';
import { reminderCalendar, thematicCheckDue } from '../domain/reminders.js';
import type { Holiday, Policy } from '../domain/types.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { EXCLUDED_STATUSES } from '../services/attendance.js';
import type { GroupTally } from '../services/groups.js';
import { followUpTargets, membersNoticeStep, noticeRecordOps } from '../services/notices.js';
import { keys } from '../store/keys.js';
import { firedOps, type Occurrence, occurrenceSchema } from '../store/occurrences.js';
import type { Store, WriteOp } from '../store/port.js';
import { type Cell, type Meeting, type Person, parseDoc } from '../store/records.js';
import { isSecretary } from '../store/repositories/cells.js';
import type { Repos } from '../store/repositories/index.js';
import type { ReminderComposer } from './composer.js';
import { VisitAlerts } from './visit-alerts.js';

/** The cells' Telegram groups as the scheduler uses them (CellGroupsService in src/services/groups.ts). */
export interface CellGroups {
  /** The writes that post a meeting's notice in its cell's group, if it has one. */
  noticeOps(meeting: Meeting, cell: Cell): WriteOp[];
  /** The writes that refresh a meeting's group tally after the meeting changed, if it was posted. */
  refreshOps(meetingId: string): Promise<WriteOp[]>;
  /** A meeting's counts as they stand, drawn into the group's view when the outbox sends it. */
  tally(meetingId: string): Promise<GroupTally | undefined>;
  /** A group upgraded to a supergroup: the binding follows it. */
  migrate(from: string, to: string): Promise<boolean>;
}

export interface DispatcherDeps {
  store: Store;
  repos: Repos;
  outbox: Outbox;
  composer: ReminderComposer;
  /** When given, the members' notice is also posted in the cell's group, with a count-only tally. */
  groups?: CellGroups;
  now: () => number;
  log: Logger;
  metrics: Metrics;
  /** Occurrences claimed per round trip. */
  batchSize?: number;
  /** A claim whose dispatcher died comes due again after this long. */
  leaseMs?: number;
  /** Needed for visit alerts (the rule of each level); without it they wait, claimed, and an error is logged. */
  policy?: Policy;
  /** The planner's holidays, which move the notice a follow-up checks (content/holidays unless given). */
  holidays?: readonly Holiday[];
}

export interface TickResult {
  /** Occurrences handed to the outbox, and the messages they made. */
  sent: number;
  messages: number;
  /** Found past their grace window: recorded, not sent. */
  missed: number;
  /** No longer relevant (meeting cancelled or changed, thematic meeting already planned). */
  dropped: number;
}

/** Audiences whose recipients have been told of the meeting, so they hear of its changes. */
const NOTIFYING = new Set(['members', 'members_unanswered', 'committee']);

/** Who an occurrence goes to: its recipients, those a follow-up sends the notice to instead, the registered guests. */
interface Audience {
  recipients: Person[];
  lateNotice: Person[];
  /** For the committee's notice: those already registered as guests (the others are offered [Đăng ký dự]). */
  guests?: ReadonlySet<string>;
}
const EMPTY_AUDIENCE: Audience = { recipients: [], lateNotice: [] };

/**
 * The minute tick: claims the occurrences now due (O(due), never a walk over cells), and for each either
 * enqueues its messages — one outbox key per (occurrence, recipient) — or records it as missed when its grace
 * has passed. The claim is atomic with a lease, so concurrent ticks never take the same occurrence and one
 * that died mid-way is taken again after the lease; the outbox keys make that retake send nothing twice.
 */
export class Dispatcher {
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly holidays: Holidays;

  constructor(private readonly deps: DispatcherDeps) {
    this.batchSize = deps.batchSize ?? 200;
    this.leaseMs = deps.leaseMs ?? 5 * 60_000;
    this.holidays = holidayCalendar(deps.holidays);
  }

  async tick(): Promise<TickResult> {
    const { store, metrics, outbox } = this.deps;
    const stopTimer = metrics.tickDuration.startTimer();
    const total: TickResult = { sent: 0, messages: 0, missed: 0, dropped: 0 };
    try {
      for (;;) {
        const claimed = await store.claimDue(
          keys.remindersDue(),
          this.deps.now(),
          this.batchSize,
          this.leaseMs,
        );
        if (claimed.length === 0) break;
        for (const result of await this.dispatchIsolated(claimed.map((c) => c.member)))
          for (const k of Object.keys(total) as (keyof TickResult)[]) total[k] += result[k];
        if (claimed.length < this.batchSize) break;
      }
      metrics.queueDepth.set(await outbox.depth());
      return total;
    } finally {
      stopTimer();
    }
  }

  /**
   * A batch that fails (a record that no longer parses, a composer error) is retried one occurrence at a time,
   * so one bad occurrence cannot hold back the others; it stays claimed and comes back after its lease.
   */
  private async dispatchIsolated(ids: string[]): Promise<TickResult[]> {
    try {
      return [await this.dispatch(ids)];
    } catch (err) {
      if (ids.length === 1) {
        this.deps.log.error(
          { err, occurrenceId: ids[0] },
          'Dispatching an occurrence failed; retried after its lease',
        );
        return [];
      }
      this.deps.log.warn({ err }, 'Dispatching a batch failed; dispatching its occurrences one by one');
      const results: TickResult[] = [];
      for (const id of ids) results.push(...(await this.dispatchIsolated([id])));
      return results;
    }
  }

  private async dispatch(ids: string[]): Promise<TickResult> {
    const { store, repos, log, metrics } = this.deps;
    const now = this.deps.now();
    const raws = await store.getMany(ids.map(keys.reminder));
    const ops: WriteOp[] = [];
    const occurrences: Occurrence[] = [];
    const alerts: Occurrence[] = [];
    ids.forEach((id, i) => {
      const occurrence = parseDoc(occurrenceSchema, keys.reminder(id), raws[i]);
      if (occurrence?.state !== 'pending') ops.push({ op: 'zrem', key: keys.remindersDue(), members: [id] });
      // Visit alerts concern a committee member, not a cell: decided apart (src/scheduler/visit-alerts.ts).
      else (occurrence.kind === 'visit_alert' ? alerts : occurrences).push(occurrence);
    });
    const visit = alerts.length ? await this.visitAlerts(alerts) : undefined;
    if (visit) ops.push(...visit.ops, ...this.deps.outbox.enqueueOps(visit.messages));

    const meetingIds = [...new Set(occurrences.flatMap((o) => o.meetingId ?? []))];
    const cellIds = [...new Set(occurrences.map((o) => o.cellId))];
    const [meetings, cells] = await Promise.all([
      repos.meetings.getMany(meetingIds),
      repos.cells.getMany(cellIds),
    ]);
    const meetingById = new Map(meetings.map((m) => [m.id, m]));
    const cellById = new Map(cells.map((c) => [c.id, c]));

    const result: TickResult = {
      sent: visit?.sent ?? 0,
      messages: visit?.messages.length ?? 0,
      missed: visit?.missed ?? 0,
      dropped: visit?.dropped ?? 0,
    };
    const live: { occurrence: Occurrence; cell: Cell; meeting?: Meeting }[] = [];
    for (const occurrence of occurrences) {
      const cell = cellById.get(occurrence.cellId);
      const meeting = occurrence.meetingId ? meetingById.get(occurrence.meetingId) : undefined;
      // The planner removes these when a meeting changes; a tick racing that change drops them here.
      const meetingGone =
        occurrence.kind === 'meeting' &&
        (!meeting || meeting.state === 'cancelled' || meeting.version !== occurrence.meetingVersion);
      if (!cell || meetingGone) {
        ops.push(...firedOps(occurrence, 'dropped'));
        result.dropped++;
      } else if (now > occurrence.graceEndsAt) {
        ops.push(...firedOps(occurrence, 'missed'));
        result.missed++;
        log.warn(
          {
            occurrenceId: occurrence.id,
            step: occurrence.stepId,
            dueAt: occurrence.dueAt,
            graceEndsAt: occurrence.graceEndsAt,
          },
          'Reminder past its grace window: recorded as missed, not sent',
        );
      } else if (
        occurrence.kind === 'thematic_check' &&
        !(await this.thematicMeetingMissing(occurrence, cell, now))
      ) {
        ops.push(...firedOps(occurrence, 'dropped'));
        result.dropped++;
      } else live.push({ occurrence, cell, meeting });
    }

    const audiences = await this.audiences(live);
    for (const { occurrence, cell, meeting } of live) {
      const { recipients, lateNotice, guests } = audiences.get(occurrence.id) ?? EMPTY_AUDIENCE;
      const messages = await this.messages({ occurrence, meeting, cell, recipients, guests });
      // Those a follow-up found without the notice get the notice itself, as the members' notice step says it.
      const late =
        meeting && lateNotice.length
          ? await this.messages({
              occurrence: { ...occurrence, audience: 'members', stepId: this.noticeStepId() },
              meeting,
              cell,
              recipients: lateNotice,
              key: occurrence.id,
            })
          : [];
      ops.push(...this.deps.outbox.enqueueOps([...messages, ...late]), ...firedOps(occurrence, 'sent'));
      // The members' notice (not a send to chosen recipients) is posted in the cell's group too, once.
      if (
        meeting &&
        occurrence.audience === 'members' &&
        !occurrence.recipients &&
        this.deps.groups &&
        this.deps.outbox.channels.includes('telegram')
      )
        ops.push(...this.deps.groups.noticeOps(meeting, cell));
      // Who was sent the notice, and by which message: they hear of changes, and a follow-up checks it arrived.
      if (meeting && NOTIFYING.has(occurrence.audience))
        ops.push(
          ...noticeRecordOps(
            meeting.id,
            [...(occurrence.audience === 'members_unanswered' ? late : messages)].flatMap((m) =>
              m.personId ? [{ personId: m.personId, key: m.key }] : [],
            ),
          ),
        );
      result.sent++;
      result.messages += messages.length + late.length;
    }

    // The messages, the occurrences' new states and the notified sets land together, or not at all.
    await store.write(ops);
    if (result.missed) {
      metrics.missed.inc(result.missed);
      await store.incr(keys.remindersMissed(), result.missed);
    }
    return result;
  }

  private async visitAlerts(occurrences: Occurrence[]) {
    const { store, repos, policy, now, log, composer, outbox } = this.deps;
    if (!policy) throw new Error('the dispatcher needs the policy to decide visit alerts');
    return new VisitAlerts({ store, repos, policy, now, log }).dispatch(
      occurrences,
      composer,
      outbox.channels,
    );
  }

  /** The recipients of each live occurrence, read with one round trip per distinct cell or meeting. */
  private async audiences(live: { occurrence: Occurrence; cell: Cell; meeting?: Meeting }[]) {
    const { store, repos } = this.deps;
    const now = this.deps.now();
    const needs = (audience: string) => [
      ...new Set(
        live.filter((l) => l.occurrence.audience === audience).map((l) => l.occurrence.meetingId ?? ''),
      ),
    ];
    const cellIds = [
      ...new Set(live.filter((l) => l.occurrence.audience !== 'committee').map((l) => l.cell.id)),
    ];
    const committeeCells = [
      ...new Set(live.filter((l) => l.occurrence.audience === 'committee').map((l) => l.cell.id)),
    ];
    // HD 42: the notice reaches the cell's assigned committee members and the guests registered for the meeting.
    const guestMeetings = needs('committee').filter(Boolean);
    const unansweredMeetings = needs('members_unanswered');
    const [members, committees, answers, guests] = await Promise.all([
      Promise.all(cellIds.map((id) => repos.cells.members(id))),
      Promise.all(committeeCells.map((id) => store.smembers(keys.cellCommittee(id)))),
      Promise.all(unansweredMeetings.map((id) => repos.meetings.answers(id))),
      Promise.all(guestMeetings.map((id) => repos.meetings.guests(id))),
    ]);
    const guestsOf = new Map(guestMeetings.map((id, i) => [id, [...(guests[i]?.keys() ?? [])]]));
    const membersOf = new Map(cellIds.map((id, i) => [id, members[i] ?? new Map()]));
    const committeeOf = new Map(committeeCells.map((id, i) => [id, committees[i] ?? []]));
    const answersOf = new Map(unansweredMeetings.map((id, i) => [id, answers[i] ?? new Map()]));

    const idsFor = ({ occurrence, cell }: { occurrence: Occurrence; cell: Cell }): string[] => {
      if (occurrence.recipients) return occurrence.recipients;
      const cellMembers = [...(membersOf.get(cell.id) ?? new Map())];
      switch (occurrence.audience) {
        case 'secretaries':
          return cellMembers.filter(([, m]) => isSecretary(m)).map(([id]) => id);
        case 'members':
          return cellMembers.map(([id]) => id);
        case 'members_unanswered': {
          // Those expected at the meeting who have not answered: an exempt member owes no answer.
          const answered = answersOf.get(occurrence.meetingId ?? '') ?? new Map();
          return cellMembers
            .filter(([id, m]) => !answered.has(id) && !EXCLUDED_STATUSES.has(m.status))
            .map(([id]) => id);
        }
        case 'committee':
          return [
            ...new Set([
              ...(committeeOf.get(cell.id) ?? []),
              ...(guestsOf.get(occurrence.meetingId ?? '') ?? []),
            ]),
          ];
      }
    };
    const ids = new Map(live.map((l) => [l.occurrence.id, idsFor(l)]));
    // A follow-up reaches only those whose notice was delivered; those who missed it get the notice instead.
    const followUps = new Map(
      await Promise.all(
        live.flatMap(({ occurrence, meeting, cell }) =>
          occurrence.audience === 'members_unanswered' && meeting
            ? [
                followUpTargets(
                  store,
                  meeting,
                  this.deps.policy
                    ? reminderCalendar(cell, this.deps.policy, this.holidays)
                    : { timeZone: cell.timeZone },
                  this.deps.policy?.timeline ?? [],
                  ids.get(occurrence.id) ?? [],
                  now,
                ).then((targets) => [occurrence.id, targets] as const),
              ]
            : [],
        ),
      ),
    );
    const people = new Map(
      (await repos.people.getMany([...new Set([...ids.values()].flat())])).map((p) => [p.id, p]),
    );
    const persons = (personIds: readonly string[]) => personIds.flatMap((p) => people.get(p) ?? []);
    return new Map(
      live.map(({ occurrence }): [string, Audience] => {
        const split = followUps.get(occurrence.id);
        return [
          occurrence.id,
          {
            recipients: persons(split ? split.remind : (ids.get(occurrence.id) ?? [])),
            lateNotice: persons(split?.notice ?? []),
            ...(occurrence.audience === 'committee'
              ? { guests: new Set(guestsOf.get(occurrence.meetingId ?? '') ?? []) }
              : {}),
          },
        ];
      }),
    );
  }

  /** The members' notice step of the policy, which a late notice is sent as. */
  private noticeStepId(): string {
    return membersNoticeStep(this.deps.policy?.timeline ?? [])?.id ?? 'notice';
  }

  /** One outbox message per recipient a channel reaches, keyed (occurrence × recipient) so a retake sends once. */
  private async messages(input: {
    occurrence: Occurrence;
    meeting: Meeting | undefined;
    cell: Cell;
    recipients: Person[];
    guests?: ReadonlySet<string>;
    /** The key's first part when not the occurrence's own ID. */
    key?: string;
  }): Promise<OutboxMessage[]> {
    const { occurrence, cell, recipients } = input;
    if (recipients.length === 0) return [];
    const views = await this.deps.composer.reminder(input);
    return recipients.flatMap((person, i) => {
      const view = views[i];
      const address = addressOf(person, this.deps.outbox.channels);
      if (!view) return [];
      if (!address) {
        this.deps.log.info(
          { personId: person.id, occurrenceId: occurrence.id },
          'No channel reaches this person',
        );
        return [];
      }
      const key = `${input.key ?? occurrence.id}:${person.id}`;
      return [{ key, ...address, personId: person.id, cellId: cell.id, view }];
    });
  }

  /** Whether the cell still has no thematic meeting planned or held in the checked period. */
  private async thematicMeetingMissing(occurrence: Occurrence, cell: Cell, now: number): Promise<boolean> {
    const period = occurrence.period;
    if (!period) return false;
    const meetings = await this.deps.repos.meetings.ofCell(cell.id, period.start, period.end);
    return thematicCheckDue(
      { start: new Date(period.start), end: new Date(period.end), timeZone: cell.timeZone },
      meetings.map((m) => ({ kind: m.kind, state: m.state, startsAt: new Date(m.startsAt) })),
      new Date(now),
    );
  }
}
