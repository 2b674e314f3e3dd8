import { holidayCalendar } from '../content/holidays.js';
import { addressOf } from '../delivery/address.js';
import type { Outbox, OutboxMessage } from '../delivery/outbox.js';
import type { Holidays } from '../domain/holidays.js';
import { meetingReminders, reminderCalendar, thematicCheckTime } from '../domain/reminders.js';
import { isScheduleRule, type PlannedMeeting, plannedMeetings } from '../domain/schedule.js';
import { DAY_MS, monthWindow } from '../domain/time.js';
import type { Holiday, Policy } from '../domain/types.js';
import type { Logger } from '../logger.js';
import { PLANNING_HORIZON_DAYS, type SendNowOptions, type SendNowResult } from '../services/planning.js';
import { keys } from '../store/keys.js';
import {
  meetingOccurrenceId,
  type Occurrence,
  occurrenceSchema,
  pendingOps,
  thematicOccurrenceId,
  unplanOps,
} from '../store/occurrences.js';
import type { Store, WriteOp } from '../store/port.js';
import { type Cell, type Meeting, meetingSchema, newId, parseDoc } from '../store/records.js';
import type { Repos } from '../store/repositories/index.js';
import type { ReminderComposer } from './composer.js';
import type { CellGroups } from './dispatcher.js';
import { VisitAlerts } from './visit-alerts.js';

export interface PlannerDeps {
  store: Store;
  repos: Repos;
  policy: Policy;
  /** The announced days off (content/holidays); later years are computed, marked provisional. */
  holidays: readonly Holiday[];
  outbox: Outbox;
  composer: ReminderComposer;
  now: () => number;
  log: Logger;
  /** When given, a changed meeting's group tally is refreshed (new time, place, or cancelled). */
  groups?: CellGroups;
  /** How far ahead meetings are materialised. */
  horizonDays?: number;
}

/** The notices: owed at once when their time passed before the meeting was moved or created. */
const NOTICE_AUDIENCES = new Set(['members', 'committee']);
/** How long a thematic-check reminder stays worth sending. */
const THEMATIC_GRACE_MS = 3 * DAY_MS;
/** Cells read per batch on the daily walk. */
const CELL_BATCH = 500;

const sameShift = (a: Meeting['shift'], b: PlannedMeeting['shift']) =>
  a?.from === b?.from && a?.holiday === b?.holiday && !!a?.provisional === !!b?.provisional;

/**
 * Turns schedules into meetings and meetings into reminder occurrences, idempotently: running it again finds
 * what it made before (meetings by their slot, occurrences by their deterministic ID) and changes nothing.
 * The daily walk costs O(cells); a change re-plans only its cell or meeting.
 */
export class Planner {
  private readonly horizonMs: number;
  /** The timeline reaches this far after a meeting, so meetings that recent are still re-planned. */
  private readonly lookBackMs: number;

  private readonly visitAlerts: VisitAlerts;
  private readonly holidays: Holidays;

  constructor(private readonly deps: PlannerDeps) {
    this.horizonMs = (deps.horizonDays ?? PLANNING_HORIZON_DAYS) * DAY_MS;
    this.holidays = holidayCalendar(deps.holidays);
    this.visitAlerts = new VisitAlerts(deps);
    const after = Math.max(
      0,
      ...deps.policy.timeline.map((s) => s.offsetDays * DAY_MS + s.graceHours * 3_600_000),
    );
    this.lookBackMs = after + DAY_MS;
  }

  /**
   * The daily run: every cell, then every committee member's visit alerts (O(members)), unless `signal` stops it
   * (a later run redoes it all).
   */
  async planAll(signal?: AbortSignal): Promise<{ cells: number; committee: number }> {
    const ids = await this.deps.repos.cells.allIds();
    for (let i = 0; i < ids.length && !signal?.aborted; i += CELL_BATCH) {
      const cells = await this.deps.repos.cells.getMany(ids.slice(i, i + CELL_BATCH));
      for (const cell of cells) {
        if (signal?.aborted) break;
        await this.planCell(cell).catch((err) =>
          this.deps.log.error({ err, cellId: cell.id }, 'Planning a cell failed; the next run retries'),
        );
      }
    }
    const { members } = await this.visitAlerts.plan(this.horizonMs, signal).catch((err) => {
      this.deps.log.error({ err }, 'Planning visit alerts failed; the next run retries');
      return { members: 0 };
    });
    return { cells: ids.length, committee: members };
  }

  /**
   * After the cell's schedule changed (or on demand): its meetings over the horizon and their reminders. True when
   * something is due at once (a notice owed for a meeting now inside its notice window): the caller dispatches it.
   */
  async replanCell(cellId: string): Promise<boolean> {
    const cell = await this.deps.repos.cells.get(cellId);
    return cell ? this.planCell(cell) : false;
  }

  /**
   * After a meeting changed (moved, created, edited, cancelled): its reminders, and a word to those already told.
   * True when something is due at once (see replanCell).
   */
  async replanMeeting(meetingId: string): Promise<boolean> {
    const meeting = await this.deps.repos.meetings.get(meetingId);
    const cell = meeting && (await this.deps.repos.cells.get(meeting.cellId));
    return meeting && cell ? this.planMeeting(meeting, cell) : false;
  }

  /**
   * A timeline step sent now on request: the notice before its planned time ("Gửi thông báo ngay"), a
   * reminder to those who have not answered, a late guest's notice. Without a tag it is the step's planned
   * occurrence brought forward, so it still goes out once; a tag makes a repeatable send with its own ID.
   */
  async sendNow(meetingId: string, stepId: string, options: SendNowOptions = {}): Promise<SendNowResult> {
    const { store, repos, policy, now: clock } = this.deps;
    const now = clock();
    const meeting = await repos.meetings.get(meetingId);
    const step = policy.timeline.find((s) => s.id === stepId);
    if (!meeting || !step) return { ok: false, reason: 'not_found' };
    if (meeting.state !== 'planned' || meeting.startsAt <= now) return { ok: false, reason: 'not_open' };
    const planned = meetingOccurrenceId(meeting.id, stepId, meeting.version);
    const suffix = [
      options.tag && `now.${options.tag}`,
      options.recipients && `to.${options.recipients.join('.')}`,
    ]
      .filter(Boolean)
      .join('.');
    const id = suffix ? `${planned}.${suffix}` : planned;
    const existing = parseDoc(occurrenceSchema, keys.reminder(id), await store.get(keys.reminder(id)));
    if (existing && existing.state !== 'pending') return { ok: false, reason: 'already_sent' };
    await store.write(
      pendingOps({
        id,
        kind: 'meeting',
        cellId: meeting.cellId,
        meetingId: meeting.id,
        meetingVersion: meeting.version,
        stepId,
        audience: step.audience,
        ...(options.recipients ? { recipients: options.recipients } : {}),
        dueAt: now,
        // Useful until the meeting starts, whatever the step's own grace.
        graceEndsAt: meeting.startsAt,
        state: 'pending',
      }),
    );
    return { ok: true, occurrenceId: id };
  }

  private async planCell(cell: Cell): Promise<boolean> {
    const now = this.deps.now();
    await this.materialiseMeetings(cell, now);
    const meetings = await this.deps.repos.meetings.ofCell(
      cell.id,
      now - this.lookBackMs,
      now + this.horizonMs,
    );
    let dueNow = false;
    for (const meeting of meetings) dueNow = (await this.planMeeting(meeting, cell)) || dueNow;
    await this.planThematicChecks(cell, now);
    return dueNow;
  }

  /**
   * One meeting per slot of the cell's rule within the horizon. A slot is claimed in the cell's slot index
   * before its meeting is written, so two replicas planning at once never make two meetings for it. Planned
   * meetings of slots the rule no longer gives (the schedule changed) are cancelled.
   */
  private async materialiseMeetings(cell: Cell, now: number): Promise<void> {
    const { store, repos } = this.deps;
    const rule = cell.scheduleRule;
    if (rule !== undefined && !isScheduleRule(rule)) {
      // Never cancel a cell's meetings over a rule this code cannot read.
      this.deps.log.warn({ cellId: cell.id }, 'Unreadable schedule rule: meetings left as they are');
      return;
    }
    const planned = rule
      ? plannedMeetings(
          rule,
          {
            timeZone: cell.timeZone,
            shift: cell.shift,
            weekendsAreWorkingDays: cell.meetsOnWeekends,
            holidays: this.holidays,
          },
          new Date(now),
          new Date(now + this.horizonMs),
        )
      : [];
    const shiftOf = new Map(planned.map((p) => [p.at.getTime(), p.shift]));
    const slots = planned.map((p) => p.at.getTime());
    const known = await repos.meetings.slots(cell.id);
    const wanted = new Set(slots.map(String));
    const stored = await repos.meetings.getMany(slots.flatMap((slot) => known[String(slot)] ?? []));
    const present = new Set(stored.map((m) => m.id));
    // A holiday named anew (an announced year replacing computed days) changes only the reason shown.
    for (const meeting of stored) {
      const shift = meeting.slot === undefined ? undefined : shiftOf.get(meeting.slot);
      if (meeting.origin !== 'schedule' || meeting.state !== 'planned' || meeting.startsAt !== meeting.slot)
        continue;
      if (!sameShift(meeting.shift, shift)) await repos.meetings.save({ ...meeting, shift, updatedAt: now });
    }

    for (const slot of slots) {
      const existing = known[String(slot)];
      if (existing && present.has(existing)) continue;
      const id = existing ?? newId();
      if (!existing && !(await store.hsetIfAbsent(keys.cellSlots(cell.id), String(slot), id))) continue;
      const meeting = meetingSchema.parse({
        id,
        cellId: cell.id,
        kind: 'regular',
        startsAt: slot,
        place: cell.place,
        state: 'planned',
        origin: 'schedule',
        slot,
        ...(shiftOf.get(slot) ? { shift: shiftOf.get(slot) } : {}),
        version: 1,
        updatedAt: now,
      });
      await repos.meetings.save(meeting);
    }

    const stale = Object.entries(known)
      .filter(([slot]) => Number(slot) >= now && Number(slot) < now + this.horizonMs && !wanted.has(slot))
      .map(([, id]) => id);
    for (const meeting of await repos.meetings.getMany(stale)) {
      if (meeting.state !== 'planned' || meeting.origin !== 'schedule') continue;
      const cancelled: Meeting = {
        ...meeting,
        state: 'cancelled',
        version: meeting.version + 1,
        updatedAt: now,
      };
      await repos.meetings.save(cancelled);
      this.deps.log.info({ meetingId: meeting.id, cellId: cell.id }, 'Schedule changed: meeting cancelled');
    }
  }

  /**
   * Brings one meeting's occurrences in line with its current version: pending occurrences of an earlier
   * version are dropped (a moved meeting's reminders move), steps still useful are planned, and those already
   * notified hear of a change or cancellation once per version. A notice whose time has passed for a meeting
   * moved or created inside its notice window is owed at once, to everyone it was never sent to (members and the
   * committee members following the cell), until the meeting starts. True when anything planned is due now.
   */
  private async planMeeting(meeting: Meeting, cell: Cell): Promise<boolean> {
    const { store, policy, now: clock } = this.deps;
    const now = clock();
    const ids = await store.smembers(keys.meetingReminders(meeting.id));
    const raws = await store.getMany(ids.map(keys.reminder));
    const existing = raws.flatMap(
      (raw, i) => parseDoc(occurrenceSchema, keys.reminder(ids[i] as string), raw) ?? [],
    );
    const current = (o: Occurrence) => o.meetingVersion === meeting.version;

    const ops: WriteOp[] = [];
    let dueNow = false;
    for (const o of existing)
      if (o.state === 'pending' && (meeting.state === 'cancelled' || !current(o))) ops.push(...unplanOps(o));

    if (meeting.state === 'planned') {
      const have = new Set(existing.map((o) => o.id));
      // A step members already had for an earlier version is not repeated for a time already past:
      // the change notice tells them instead.
      const firedBefore = new Set(
        existing.filter((o) => !current(o) && o.state === 'sent').map((o) => o.stepId),
      );
      const steps = meetingReminders(
        { id: meeting.id, startsAt: new Date(meeting.startsAt) },
        policy.timeline,
        reminderCalendar(cell, policy, this.holidays),
      );
      for (const step of steps) {
        const id = meetingOccurrenceId(meeting.id, step.stepId, meeting.version);
        let dueAt = step.dueAt.getTime();
        let graceEndsAt = step.graceEndsAt.getTime();
        if (have.has(id) || (dueAt <= now && firedBefore.has(step.stepId))) continue;
        if (graceEndsAt <= now) {
          if (!NOTICE_AUDIENCES.has(step.audience) || meeting.startsAt <= now) continue;
          dueAt = now;
          graceEndsAt = meeting.startsAt;
        }
        if (dueAt <= now) dueNow = true;
        ops.push(
          ...pendingOps({
            id,
            kind: 'meeting',
            cellId: cell.id,
            meetingId: meeting.id,
            meetingVersion: meeting.version,
            stepId: step.stepId,
            audience: step.audience,
            dueAt,
            graceEndsAt,
            state: 'pending',
          }),
        );
      }
    }

    const changed = meeting.state === 'cancelled' || existing.some((o) => !current(o));
    if (changed && meeting.state !== 'held')
      ops.push(
        ...(await this.changeNotices(meeting, cell)),
        ...((await this.deps.groups?.refreshOps(meeting.id)) ?? []),
      );
    if (ops.length) await store.write(ops);
    return dueNow;
  }

  /** The cancellation or change notice for everyone the meeting's notice reached, keyed by meeting version. */
  private async changeNotices(meeting: Meeting, cell: Cell): Promise<WriteOp[]> {
    const { repos, outbox, composer } = this.deps;
    const recipients = await repos.people.getMany(await repos.meetings.notified(meeting.id));
    if (recipients.length === 0) return [];
    const change = meeting.state === 'cancelled' ? 'cancelled' : 'changed';
    const views = await composer.change({ change, meeting, cell, recipients });
    const messages: OutboxMessage[] = recipients.flatMap((person, i) => {
      const address = addressOf(person, outbox.channels);
      const view = views[i];
      if (!address || !view) return [];
      const key = `${meeting.id}.${change}.v${meeting.version}:${person.id}`;
      return [{ key, ...address, personId: person.id, cellId: cell.id, view }];
    });
    return outbox.enqueueOps(messages);
  }

  /**
   * The cell's thematic check for the current period and the next one within the horizon; whether it is
   * still needed is decided when it comes due.
   */
  private async planThematicChecks(cell: Cell, now: number): Promise<void> {
    const { store, policy } = this.deps;
    const thisPeriod = monthWindow(new Date(now), policy.thematicEveryMonths, cell.timeZone);
    const nextPeriod = monthWindow(thisPeriod.end, policy.thematicEveryMonths, cell.timeZone);
    const candidates = [thisPeriod, nextPeriod]
      .map((period) => {
        const dueAt = thematicCheckTime(period, policy.alertTime).getTime();
        return {
          id: thematicOccurrenceId(cell.id, period.start.getTime()),
          kind: 'thematic_check' as const,
          cellId: cell.id,
          period: { start: period.start.getTime(), end: period.end.getTime() },
          stepId: 'thematic_check',
          audience: 'secretaries' as const,
          dueAt,
          graceEndsAt: dueAt + THEMATIC_GRACE_MS,
          state: 'pending' as const,
        };
      })
      .filter((o) => o.graceEndsAt > now && o.dueAt < now + this.horizonMs);
    if (candidates.length === 0) return;
    const stored = await store.getMany(candidates.map((o) => keys.reminder(o.id)));
    const ops = candidates.filter((_, i) => stored[i] === undefined).flatMap(pendingOps);
    if (ops.length) await store.write(ops);
  }
}
