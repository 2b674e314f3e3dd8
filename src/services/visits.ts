import { holidayCalendar } from '../content/holidays.js';
import { meetingReminders, reminderCalendar } from '../domain/reminders.js';
import { DAY_MS, DEFAULT_TIME_ZONE, formatDateTime, monthWindow, type Window } from '../domain/time.js';
import type { CommitteeLevel, Policy, VisitRule } from '../domain/types.js';
import type { View } from '../domain/view.js';
import { type Candidate, clashes, type Plan, proposePlan, rankMeetings } from '../domain/visit-planner.js';
import { type VisitStatus, visitStatus, visitWindow } from '../domain/visits.js';
import { t } from '../i18n.js';
import { keys } from '../store/keys.js';
import { meetingOccurrenceId, occurrenceSchema } from '../store/occurrences.js';
import type { Store, WriteOp } from '../store/port.js';
import {
  type Cell,
  type CommitteeAssignment,
  committeeAssignmentSchema,
  type Meeting,
  type Person,
  parseDoc,
} from '../store/records.js';
import { auditOp } from '../store/repositories/audit.js';
import type { Repos } from '../store/repositories/index.js';
import { cleanName, nameKey, nameProblem, type RowProblem, readCsv, toCode } from './csv.js';
import type { Notice, Notifier } from './notifier.js';
import type { Clock } from './people.js';
import { PLANNING_HORIZON_DAYS, type Planning } from './planning.js';
import type { ImportResult } from './roster.js';

/**
 * Upper-level committee members and their visits to cells: who follows which cells at which level, registering
 * to attend a meeting (the secretaries are told, the notice reaches the guest), what counts (the closed roll call),
 * where each member stands against their rule, the admins' compliance report and a proposed visit plan.
 */

/**
 * The assignment CSV, as exported from a spreadsheet (same reading as the roster's):
 * - ho_ten (required): the display name;
 * - cap (required): the level — tinh, huyen, xa (or co_so), with or without diacritics; it must be a level the
 *   policy has a visit rule for;
 * - chi_bo (required): the cells followed, by their number in /chibo or their name, separated by "|" (or by commas
 *   inside quotes); "tat ca" for every cell.
 */
export const ASSIGNMENT_COLUMNS = ['ho_ten', 'cap', 'chi_bo'] as const;

/** What admins type for a level, as codes, each with the levels it may mean in order of preference. */
const LEVEL_WORDS: [RegExp, CommitteeLevel[]][] = [
  [/^(cap_)?(tinh|tinh_uy|provincial)$/, ['provincial']],
  [/^(cap_)?(huyen|huyen_uy|quan|district)$/, ['district']],
  [/^(cap_)?(xa|phuong|dac_khu|thi_tran|xa_phuong|dang_uy_xa|commune)$/, ['commune', 'grassroots']],
  [/^(cap_)?(co_so|grassroots)$/, ['grassroots', 'commune']],
];
const ALL_CELLS = new Set(['tat_ca', 'tatca', 'all', '*']);

/** Levels in the order reports list them. */
const LEVEL_ORDER: readonly CommitteeLevel[] = ['provincial', 'district', 'commune', 'grassroots'];

export interface MeetingRef {
  meeting: Meeting;
  cell: Cell;
}

export interface WindowStanding {
  window: Window;
  status: VisitStatus;
  /** Meetings whose closed roll call counted the member present, inside the window. */
  visits: MeetingRef[];
}

export interface MemberStanding {
  person: Person;
  assignment: CommitteeAssignment;
  rule: VisitRule;
  current: WindowStanding;
  /** The window before the current one, when the member was assigned for all of it: met, or overdue. */
  previous?: WindowStanding;
  /** Meetings the member registered for that have not started. */
  registered: MeetingRef[];
  /** Planned meetings of the assigned cells from now to the end of the window, earliest first. */
  upcoming: MeetingRef[];
  /**
   * When no meeting of the assigned cells is left in the window (all of what remains of it is planned, and none
   * is there): the next window and its planned meetings so far, to register for now. They count in that window.
   */
  next?: { window: Window; upcoming: MeetingRef[] };
}

export type VisitRefusal =
  | 'not_committee'
  | 'not_found'
  | 'not_allowed'
  | 'not_open'
  | 'clash'
  | 'not_registered';

export type RegistrationResult =
  /** `noticed`: the member had already received the meeting's notice (they registered from it, say). */
  | { ok: true; meeting: Meeting; cell: Cell; changed: boolean; noticed?: boolean }
  | { ok: false; reason: VisitRefusal; clashWith?: MeetingRef };

export interface AssignmentInput {
  name: string;
  level: CommitteeLevel;
  cellIds: string[];
}

export type AssignResult =
  | { ok: true; person: Person; assignment: CommitteeAssignment; change: 'created' | 'updated' | 'unchanged' }
  | { ok: false; problem: 'ambiguous' | 'unknown_level' | 'no_cells' | 'bad_name' };

export interface ComplianceReport {
  at: number;
  timeZone: string;
  members: MemberStanding[];
  byLevel: {
    level: CommitteeLevel;
    rule: VisitRule;
    members: number;
    met: number;
    due: number;
    overdue: number;
  }[];
  /** The window cells are reported over: the current window of the longest rule. */
  window: Window;
  cells: { cell: Cell; visits: number; visitors: string[] }[];
}

export interface ProposedPlan {
  window: Window;
  /** `registered`: the member already registered for enough meetings in the window; those are their plan. */
  entries: { standing: MemberStanding; choice?: MeetingRef; registered?: boolean }[];
  /** Cells with no visit this window that the plan brings one to. */
  newCells: number;
}

export class VisitsService {
  constructor(
    private readonly store: Store,
    private readonly repos: Repos,
    private readonly clock: Clock,
    private readonly policy: Pick<Policy, 'visits' | 'timeline' | 'daytime'>,
    private readonly planning: Planning,
    private readonly notifier: Notifier,
  ) {}

  ruleFor(level: CommitteeLevel): VisitRule | undefined {
    return this.policy.visits.find((r) => r.level === level);
  }

  /** "tỉnh", "cấp huyện", "xã": the level it means under this policy, if the policy has a rule for it. */
  levelOf(word: string): CommitteeLevel | undefined {
    const code = toCode(word);
    const candidates = LEVEL_WORDS.find(([re]) => re.test(code))?.[1] ?? [];
    return candidates.find((level) => this.ruleFor(level));
  }

  async assignment(personId: string): Promise<CommitteeAssignment | undefined> {
    const key = keys.committee(personId);
    return parseDoc(committeeAssignmentSchema, key, await this.store.get(key));
  }

  /** Every committee member of a đảng bộ with their assignment, by level then name. */
  async members(orgId: string): Promise<{ person: Person; assignment: CommitteeAssignment }[]> {
    const ids = await this.store.smembers(keys.committeeMembers());
    const raws = await this.store.getMany(ids.map(keys.committee));
    const assignments = raws.flatMap((raw, i) => {
      const a = parseDoc(committeeAssignmentSchema, keys.committee(ids[i] as string), raw);
      return a && a.orgId === orgId ? [a] : [];
    });
    const people = new Map(
      (await this.repos.people.getMany(assignments.map((a) => a.personId))).map((p) => [p.id, p]),
    );
    return assignments
      .flatMap((assignment) => {
        const person = people.get(assignment.personId);
        return person ? [{ person, assignment }] : [];
      })
      .sort(
        (a, b) =>
          LEVEL_ORDER.indexOf(a.assignment.level) - LEVEL_ORDER.indexOf(b.assignment.level) ||
          a.person.name.localeCompare(b.person.name, 'vi'),
      );
  }

  // --- Assignments ---------------------------------------------------------------------------------------------

  /** Registers one committee member, or updates their level and cells; they onboard with their invite code. */
  async assign(orgId: string, input: AssignmentInput, actorId: string): Promise<AssignResult> {
    const name = cleanName(input.name);
    if (nameProblem(name)) return { ok: false, problem: 'bad_name' };
    if (!this.ruleFor(input.level)) return { ok: false, problem: 'unknown_level' };
    if (input.cellIds.length === 0) return { ok: false, problem: 'no_cells' };
    const match = (await this.matchPeople(orgId, [name])).get(nameKey(name));
    if (match === 'ambiguous') return { ok: false, problem: 'ambiguous' };
    const planned = await this.assignmentOps(
      orgId,
      [{ ...input, name }],
      new Map([[nameKey(name), match]]),
      actorId,
    );
    const [row] = planned.rows;
    if (!row) throw new Error('assignment produced no row');
    await this.store.write(planned.ops);
    return { ok: true, person: row.person, assignment: row.assignment, change: row.change };
  }

  /**
   * Imports assignments from CSV: every row is checked first and nothing is written if any fails; importing again
   * updates the members already there (matched by name) instead of duplicating them.
   */
  async importAssignments(
    orgId: string,
    cells: readonly Cell[],
    csv: string,
    actorId: string,
  ): Promise<ImportResult> {
    const read = readCsv(csv, ASSIGNMENT_COLUMNS);
    if (!read.ok) return read;
    const problems: RowProblem[] = [];
    const seen = new Set<string>();
    const rows: (AssignmentInput & { line: number })[] = [];
    for (const { line, record } of read.rows) {
      const name = cleanName(record.ho_ten ?? '');
      const nameIssue = nameProblem(name);
      if (nameIssue) problems.push({ line, column: 'ho_ten', problem: nameIssue });
      else if (seen.has(nameKey(name))) problems.push({ line, column: 'ho_ten', problem: 'duplicate' });
      seen.add(nameKey(name));
      const levelWord = record.cap ?? '';
      const level = levelWord ? this.levelOf(levelWord) : undefined;
      if (!levelWord) problems.push({ line, column: 'cap', problem: 'required' });
      else if (!level) problems.push({ line, column: 'cap', problem: 'unknown_value' });
      const cellWords = record.chi_bo ?? '';
      const cellIds = cellWords ? resolveCells(cellWords, cells) : undefined;
      if (!cellWords) problems.push({ line, column: 'chi_bo', problem: 'required' });
      else if (!cellIds) problems.push({ line, column: 'chi_bo', problem: 'unknown_value' });
      if (!nameIssue && level && cellIds) rows.push({ line, name, level, cellIds });
    }
    if (problems.length) return { ok: false, problems };

    const matches = await this.matchPeople(
      orgId,
      rows.map((r) => r.name),
    );
    for (const row of rows)
      if (matches.get(nameKey(row.name)) === 'ambiguous')
        problems.push({ line: row.line, column: 'ho_ten', problem: 'ambiguous' });
    if (problems.length) return { ok: false, problems };

    const planned = await this.assignmentOps(orgId, rows, matches, actorId);
    // One atomic batch: a crash mid-import leaves the assignments as they were.
    await this.store.write(planned.ops);
    const count = (change: string) => planned.rows.filter((r) => r.change === change).length;
    return { ok: true, created: count('created'), updated: count('updated'), unchanged: count('unchanged') };
  }

  /**
   * Who each name is: a committee member already (re-import updates them), else the one member of the đảng bộ's
   * cells with that name (so a cell member who also sits on the committee keeps one account), else nobody yet.
   * Two cell members with the name make it ambiguous: the admin must tell them apart.
   */
  private async matchPeople(
    orgId: string,
    names: string[],
  ): Promise<Map<string, Person | 'ambiguous' | undefined>> {
    const wanted = new Set(names.map(nameKey));
    const committee = new Map(
      (await this.members(orgId)).map(({ person }) => [nameKey(person.name), person]),
    );
    const cellMembers = new Map<string, Person[]>();
    const cells = await this.repos.cells.ofOrg(orgId);
    const memberIds = new Set(
      (await Promise.all(cells.map((c) => this.repos.cells.members(c.id)))).flatMap((m) => [...m.keys()]),
    );
    for (const person of await this.repos.people.getMany([...memberIds])) {
      const key = nameKey(person.name);
      if (wanted.has(key)) cellMembers.set(key, [...(cellMembers.get(key) ?? []), person]);
    }
    return new Map(
      [...wanted].map((key) => {
        const found = committee.get(key) ?? cellMembers.get(key);
        if (Array.isArray(found)) return [key, found.length === 1 ? found[0] : 'ambiguous'];
        return [key, found];
      }),
    );
  }

  private async assignmentOps(
    orgId: string,
    rows: readonly AssignmentInput[],
    matches: Map<string, Person | 'ambiguous' | undefined>,
    actorId: string,
  ) {
    const now = this.clock.now();
    const ops: WriteOp[] = [];
    const planned: {
      person: Person;
      assignment: CommitteeAssignment;
      change: 'created' | 'updated' | 'unchanged';
    }[] = [];
    for (const row of rows) {
      const match = matches.get(nameKey(row.name));
      let person: Person;
      if (match && match !== 'ambiguous') person = match;
      else {
        const fresh = this.repos.people.createOps(row.name, now);
        ops.push(...fresh.ops);
        person = fresh.person;
      }
      const before = await this.assignment(person.id);
      const cellIds = [...new Set(row.cellIds)];
      const assignment = committeeAssignmentSchema.parse({
        personId: person.id,
        level: row.level,
        cellIds,
        orgId,
        since: before?.since || now,
        updatedAt: now,
      });
      const previousCells = new Set(before?.cellIds ?? []);
      const added = cellIds.filter((id) => !previousCells.has(id));
      const removed = [...previousCells].filter((id) => !cellIds.includes(id));
      const same = before && before.level === row.level && added.length === 0 && removed.length === 0;
      if (same) {
        planned.push({ person, assignment: before, change: 'unchanged' });
        continue;
      }
      ops.push(
        { op: 'set', key: keys.committee(person.id), value: JSON.stringify(assignment) },
        { op: 'sadd', key: keys.committeeMembers(), members: [person.id] },
        ...added.map((id): WriteOp => ({ op: 'sadd', key: keys.cellCommittee(id), members: [person.id] })),
        ...removed.map((id): WriteOp => ({ op: 'srem', key: keys.cellCommittee(id), members: [person.id] })),
        // Each cell touched keeps the change in its own audit trail.
        ...[...new Set([...cellIds, ...removed])].map((cellId) =>
          auditOp(cellId, {
            at: now,
            actorId,
            action: removed.includes(cellId) ? 'committee.unassign' : 'committee.assign',
            subject: person.id,
            detail: { level: row.level },
          }),
        ),
      );
      planned.push({ person, assignment, change: before ? 'updated' : 'created' });
    }
    return { ops, rows: planned };
  }

  // --- Registration --------------------------------------------------------------------------------------------

  /** Whether the member may visit this cell: one assigned to them, or any of their đảng bộ's if the rule allows. */
  private mayVisit(assignment: CommitteeAssignment, cell: Cell): boolean {
    if (assignment.cellIds.includes(cell.id)) return true;
    return this.ruleFor(assignment.level)?.scope === 'area' && cell.orgId === assignment.orgId;
  }

  /**
   * A committee member registers to attend a meeting as a guest: for a cell they may visit, before it starts, at a
   * time free of their other registrations. The guest entry, the audit and the secretaries' message are one write;
   * then the meeting's notice is sent to them if it already went out to the committee.
   */
  async register(personId: string, meetingId: string): Promise<RegistrationResult> {
    const check = await this.checkMeeting(personId, meetingId);
    if (!check.ok) return check;
    const { meeting, cell, person, assignment } = check;
    const now = this.clock.now();
    if ((await this.repos.meetings.guests(meeting.id)).has(personId))
      return { ok: true, meeting, cell, changed: false };
    const clash = (await this.registeredMeetings(personId)).find(
      (r) => r.meeting.id !== meeting.id && clashes(r.meeting.startsAt, meeting.startsAt),
    );
    if (clash) return { ok: false, reason: 'clash', clashWith: clash };
    await this.store.write([
      {
        op: 'hset',
        key: keys.meetingGuests(meeting.id),
        fields: { [personId]: JSON.stringify({ registeredAt: now }) },
      },
      {
        op: 'zadd',
        key: keys.committeeRegistrations(personId),
        entries: [{ member: meeting.id, score: meeting.startsAt }],
      },
      auditOp(cell.id, {
        at: now,
        actorId: personId,
        action: 'visit.register',
        subject: meeting.id,
        detail: { level: assignment.level },
      }),
      ...(await this.secretaryNotices('registered', person, assignment, meeting, cell, now)),
    ]);
    // HD 42 makes the assigned members recipients of every notice: one who registers from it is not sent it twice.
    const noticed = (await this.repos.meetings.notified(meeting.id)).includes(personId);
    if (!noticed) await this.ensureNotice(personId, meeting, cell, now);
    return { ok: true, meeting, cell, changed: true, noticed };
  }

  /** Withdraws a registration before the meeting starts; the secretaries are told again. */
  async withdraw(personId: string, meetingId: string): Promise<RegistrationResult> {
    const check = await this.checkMeeting(personId, meetingId);
    if (!check.ok) return check;
    const { meeting, cell, person, assignment } = check;
    const now = this.clock.now();
    if (!(await this.repos.meetings.guests(meeting.id)).has(personId))
      return { ok: false, reason: 'not_registered' };
    await this.store.write([
      { op: 'hdel', key: keys.meetingGuests(meeting.id), fields: [personId] },
      { op: 'zrem', key: keys.committeeRegistrations(personId), members: [meeting.id] },
      auditOp(cell.id, {
        at: now,
        actorId: personId,
        action: 'visit.withdraw',
        subject: meeting.id,
        detail: {},
      }),
      ...(await this.secretaryNotices('withdrawn', person, assignment, meeting, cell, now)),
    ]);
    return { ok: true, meeting, cell, changed: true };
  }

  private async checkMeeting(personId: string, meetingId: string) {
    const assignment = await this.assignment(personId);
    const person = await this.repos.people.get(personId);
    if (!assignment || !person) return { ok: false as const, reason: 'not_committee' as const };
    // The meeting ID comes from untrusted input: the cell is the meeting's own, checked against the assignment.
    const meeting = await this.repos.meetings.get(meetingId);
    const cell = meeting && (await this.repos.cells.get(meeting.cellId));
    if (!meeting || !cell) return { ok: false as const, reason: 'not_found' as const };
    if (!this.mayVisit(assignment, cell)) return { ok: false as const, reason: 'not_allowed' as const };
    if (meeting.state !== 'planned' || meeting.startsAt <= this.clock.now())
      return { ok: false as const, reason: 'not_open' as const };
    return { ok: true as const, meeting, cell, person, assignment };
  }

  /** The messages telling the cell's secretaries, each in their language, keyed so a retry sends nothing twice. */
  private async secretaryNotices(
    what: 'registered' | 'withdrawn',
    guest: Person,
    assignment: CommitteeAssignment,
    meeting: Meeting,
    cell: Cell,
    now: number,
  ): Promise<WriteOp[]> {
    const secretaries = await this.repos.people.getMany(await this.repos.cells.secretaries(cell.id));
    const notices: Notice[] = secretaries.map((secretary) => {
      const locale = secretary.locale;
      const view: View = {
        text: t(
          `visits.secretary.${what}`,
          {
            name: guest.name,
            level: t(`visits.level.${assignment.level}`, {}, locale),
            kind: t(`reminders.kind.${meeting.kind}`, {}, locale),
            cell: cell.name,
            when: formatDateTime(new Date(meeting.startsAt), cell.timeZone, locale, t),
          },
          locale,
        ),
      };
      return {
        key: `visit.${what}.${meeting.id}.${guest.id}.${now}:${secretary.id}`,
        to: secretary,
        view,
        cellId: cell.id,
      };
    });
    return this.notifier.notifyOps(notices).ops;
  }

  /**
   * HD 42: the guest gets the meeting's notice. The committee step includes registered guests when it fires; if its
   * time has passed (it went out, or the guest registered too late for it), it is sent to them alone now.
   */
  private async ensureNotice(personId: string, meeting: Meeting, cell: Cell, now: number): Promise<void> {
    const step = this.policy.timeline.find((s) => s.audience === 'committee');
    if (!step) return;
    const [planned] = meetingReminders(
      { id: meeting.id, startsAt: new Date(meeting.startsAt) },
      [step],
      reminderCalendar(cell, this.policy, holidayCalendar()),
    );
    if (!planned || planned.dueAt.getTime() > now) return;
    const id = meetingOccurrenceId(meeting.id, step.id, meeting.version);
    const occurrence = parseDoc(occurrenceSchema, keys.reminder(id), await this.store.get(keys.reminder(id)));
    if (occurrence?.state === 'pending') return;
    await this.planning.sendNow(meeting.id, step.id, { recipients: [personId] });
  }

  // --- Standing --------------------------------------------------------------------------------------------------

  /** Meetings the member registered for that have not started yet, earliest first. */
  async registeredMeetings(personId: string): Promise<MeetingRef[]> {
    const now = this.clock.now();
    // Scored by start when registered; a meeting moved since is read for its real time.
    const entries = await this.store.zrangeByScore(
      keys.committeeRegistrations(personId),
      now - 60 * DAY_MS,
      Number.POSITIVE_INFINITY,
    );
    const refs = await this.refs(entries.map((e) => e.member));
    return refs.filter((r) => r.meeting.state === 'planned' && r.meeting.startsAt > now);
  }

  private async refs(meetingIds: string[]): Promise<MeetingRef[]> {
    const meetings = await this.repos.meetings.getMany(meetingIds);
    const cells = new Map(
      (await this.repos.cells.getMany([...new Set(meetings.map((m) => m.cellId))])).map((c) => [c.id, c]),
    );
    return meetings
      .flatMap((meeting) => {
        const cell = cells.get(meeting.cellId);
        return cell ? [{ meeting, cell }] : [];
      })
      .sort((a, b) => a.meeting.startsAt - b.meeting.startsAt);
  }

  /** The member's time zone: their first cell's, as every date they read is a cell's. */
  private async timeZoneOf(assignment: CommitteeAssignment): Promise<string> {
    const [first] = await this.repos.cells.getMany(assignment.cellIds.slice(0, 1));
    return first?.timeZone ?? DEFAULT_TIME_ZONE;
  }

  private async windowStanding(
    personId: string,
    rule: VisitRule,
    window: Window,
    now: number,
    ownCells: ReadonlySet<string> = new Set(),
  ): Promise<WindowStanding> {
    const counted = await this.store.zrangeByScore(
      keys.committeeVisits(personId),
      window.start.getTime(),
      window.end.getTime() - 1,
    );
    const visits = (await this.refs(counted.map((e) => e.member))).filter(
      (r) =>
        r.meeting.startsAt >= window.start.getTime() &&
        r.meeting.startsAt < window.end.getTime() &&
        !ownCells.has(r.meeting.cellId),
    );
    const status = visitStatus(
      rule,
      window,
      visits.map((v) => ({ meetingKind: v.meeting.kind, startsAt: new Date(v.meeting.startsAt) })),
      new Date(now),
    );
    return { window, status, visits };
  }

  /**
   * Where a committee member stands: the current window (or the one given, for an alert planned in it), the one
   * before it, their registrations and the meetings of their cells still to come in the window.
   */
  async standing(
    personId: string,
    options: { window?: { start: number; end: number } } = {},
  ): Promise<MemberStanding | undefined> {
    const [assignment, person] = await Promise.all([
      this.assignment(personId),
      this.repos.people.get(personId),
    ]);
    const rule = assignment && this.ruleFor(assignment.level);
    if (!assignment || !person || !rule) return undefined;
    const now = this.clock.now();
    const timeZone = await this.timeZoneOf(assignment);
    const since = new Date(assignment.since);
    const window = options.window
      ? { start: new Date(options.window.start), end: new Date(options.window.end), timeZone }
      : visitWindow(rule, new Date(now), timeZone, since);
    // Where the rule wants visits elsewhere, the member's own cells neither count nor are offered.
    const own = new Set(rule.otherCellsOnly ? await this.repos.cells.cellsOf(personId) : []);
    const current = await this.windowStanding(personId, rule, window, now, own);
    const before = visitWindow(rule, new Date(window.start.getTime() - 1), timeZone, since);
    // The window before is judged only if the member had all of it: someone assigned late in it is not overdue.
    const previous =
      assignment.since <= before.start.getTime()
        ? await this.windowStanding(personId, rule, before, now, own)
        : undefined;
    const registered = await this.registeredMeetings(personId);
    const cells = await this.repos.cells.getMany(assignment.cellIds.filter((id) => !own.has(id)));
    const upcoming = await this.plannedMeetings(cells, Math.max(now + 1, window.start.getTime()), window.end);
    // The rest of the window is planned (by the last daily run, up to a day ago) and holds no meeting: the next
    // window's are offered, counted there.
    const planned = now + (PLANNING_HORIZON_DAYS - 1) * DAY_MS;
    const noneLeft = upcoming.length === 0 && window.end.getTime() <= planned;
    const nextWindow = noneLeft ? visitWindow(rule, window.end, timeZone, since) : undefined;
    const next = nextWindow && {
      window: nextWindow,
      upcoming: await this.plannedMeetings(cells, nextWindow.start.getTime(), nextWindow.end),
    };
    return {
      person,
      assignment,
      rule,
      current,
      ...(previous ? { previous } : {}),
      registered,
      upcoming,
      ...(next ? { next } : {}),
    };
  }

  /** The planned meetings of these cells from `from` to the end of a window, earliest first. */
  private async plannedMeetings(cells: readonly Cell[], from: number, end: Date): Promise<MeetingRef[]> {
    return (
      await Promise.all(
        cells.map(async (cell) =>
          (
            await this.repos.meetings.ofCell(cell.id, from, end.getTime() - 1)
          )
            .filter((meeting) => meeting.state === 'planned')
            .map((meeting) => ({ meeting, cell })),
        ),
      )
    )
      .flat()
      .sort(
        (a, b) => a.meeting.startsAt - b.meeting.startsAt || a.cell.name.localeCompare(b.cell.name, 'vi'),
      );
  }

  /**
   * Cells with a visit this window among those given: a counted guest at a held meeting, or a guest registered for
   * one to come. What the planner prefers to avoid.
   */
  private async visitedCells(cells: readonly Cell[], window: Window): Promise<Set<string>> {
    const visited = new Set<string>();
    await Promise.all(
      cells.map(async (cell) => {
        const meetings = (
          await this.repos.meetings.ofCell(cell.id, window.start.getTime(), window.end.getTime() - 1)
        ).filter((m) => m.state !== 'cancelled');
        for (const meeting of meetings) {
          const guests = [...(await this.repos.meetings.guests(meeting.id)).values()];
          const counted = meeting.rollCallClosedAt !== undefined && guests.some((g) => g.present);
          const coming =
            meeting.rollCallClosedAt === undefined && meeting.state === 'planned' && guests.length > 0;
          if (counted || coming) visited.add(cell.id);
        }
      }),
    );
    return visited;
  }

  private candidates(upcoming: readonly MeetingRef[]): Candidate[] {
    return upcoming.map(({ meeting }) => ({
      meetingId: meeting.id,
      cellId: meeting.cellId,
      startsAt: meeting.startsAt,
    }));
  }

  /** The member's next options, best first (see rankMeetings); none once the rule is met. */
  async options(standing: MemberStanding): Promise<MeetingRef[]> {
    if (standing.current.status.state !== 'due') return [];
    return this.ranked(standing, standing.upcoming, standing.current.window);
  }

  /**
   * When no meeting is left in the window: the next window's meetings to register for now, best first (cells
   * nobody visits in that window first), whether or not this window's rule is met.
   */
  async nextOptions(standing: MemberStanding): Promise<MeetingRef[]> {
    return standing.next ? this.ranked(standing, standing.next.upcoming, standing.next.window) : [];
  }

  private async ranked(
    standing: MemberStanding,
    upcoming: readonly MeetingRef[],
    window: Window,
  ): Promise<MeetingRef[]> {
    const cells = [...new Map(upcoming.map((u) => [u.cell.id, u.cell])).values()];
    const ranked = rankMeetings({
      candidates: this.candidates(upcoming),
      busy: standing.registered.map((r) => r.meeting.startsAt),
      visitedCells: await this.visitedCells(cells, window),
      window: { start: window.start.getTime(), end: window.end.getTime() },
      now: this.clock.now(),
    });
    const byId = new Map(upcoming.map((u) => [u.meeting.id, u]));
    const registered = new Set(standing.registered.map((r) => r.meeting.id));
    return ranked.flatMap((c) => (registered.has(c.meetingId) ? [] : (byId.get(c.meetingId) ?? [])));
  }

  // --- Admins ----------------------------------------------------------------------------------------------------

  /** The window cells are reported over: the current calendar window of the policy's longest rule. */
  private reportWindow(now: number, timeZone: string): Window {
    const months = Math.max(1, ...this.policy.visits.map((r) => r.windowMonths));
    return monthWindow(new Date(now), 12 % months === 0 ? months : 12, timeZone);
  }

  async compliance(orgId: string): Promise<ComplianceReport> {
    const now = this.clock.now();
    const cells = (await this.repos.cells.ofOrg(orgId)).sort(
      (a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name, 'vi'),
    );
    const timeZone = cells[0]?.timeZone ?? DEFAULT_TIME_ZONE;
    const members = (
      await Promise.all((await this.members(orgId)).map(({ person }) => this.standing(person.id)))
    ).flatMap((s) => s ?? []);
    const byLevel = LEVEL_ORDER.flatMap((level) => {
      const rule = this.ruleFor(level);
      const ofLevel = members.filter((m) => m.assignment.level === level);
      if (!rule || ofLevel.length === 0) return [];
      return [
        {
          level,
          rule,
          members: ofLevel.length,
          met: ofLevel.filter((m) => m.current.status.state === 'met').length,
          due: ofLevel.filter((m) => m.current.status.state === 'due').length,
          overdue: ofLevel.filter((m) => m.previous?.status.state === 'overdue').length,
        },
      ];
    });
    const window = this.reportWindow(now, timeZone);
    // Visits per cell, from each member's counted visits: O(members), not a walk over every meeting.
    const visitors = new Map<string, string[]>();
    for (const { person } of members) {
      const counted = await this.store.zrangeByScore(
        keys.committeeVisits(person.id),
        window.start.getTime(),
        window.end.getTime() - 1,
      );
      for (const meeting of await this.repos.meetings.getMany(counted.map((e) => e.member)))
        visitors.set(meeting.cellId, [...(visitors.get(meeting.cellId) ?? []), person.name]);
    }
    return {
      at: now,
      timeZone,
      members,
      byLevel,
      window,
      cells: cells.map((cell) => ({
        cell,
        visits: visitors.get(cell.id)?.length ?? 0,
        visitors: [...new Set(visitors.get(cell.id) ?? [])],
      })),
    };
  }

  /** For an admin: one meeting for each member still due, covering as many unvisited cells as possible. */
  async proposePlan(orgId: string): Promise<ProposedPlan> {
    const now = this.clock.now();
    const cells = await this.repos.cells.ofOrg(orgId);
    const window = this.reportWindow(now, cells[0]?.timeZone ?? DEFAULT_TIME_ZONE);
    const standings = (
      await Promise.all((await this.members(orgId)).map(({ person }) => this.standing(person.id)))
    ).flatMap((s) => (s && s.current.status.state === 'due' ? [s] : []));
    const visited = await this.visitedCells(cells, window);
    const inWindow = (s: MemberStanding) =>
      s.registered.filter((r) => r.meeting.startsAt < s.current.window.end.getTime());
    const remaining = (s: MemberStanding) => s.current.status.required - s.current.status.done;
    // Members already registered for what they still need keep their registration; the rest are planned.
    const settled = new Set(standings.filter((s) => inWindow(s).length >= remaining(s)));
    const due = standings
      .filter((s) => !settled.has(s))
      .map((s) => ({
        personId: s.person.id,
        options: rankMeetings({
          candidates: this.candidates(s.upcoming),
          busy: s.registered.map((r) => r.meeting.startsAt),
          visitedCells: visited,
          window: { start: s.current.window.start.getTime(), end: s.current.window.end.getTime() },
          now,
        }),
      }));
    const plan: Plan = proposePlan(due, visited);
    const refOf = (standing: MemberStanding, meetingId: string | undefined) =>
      standing.upcoming.find((u) => u.meeting.id === meetingId);
    const entries = standings.map((standing) => {
      if (settled.has(standing)) return { standing, choice: inWindow(standing)[0], registered: true };
      const choice = refOf(standing, plan.get(standing.person.id)?.meetingId);
      return { standing, ...(choice ? { choice } : {}) };
    });
    const newCells = new Set(
      entries.flatMap((e) =>
        e.choice && !e.registered && !visited.has(e.choice.cell.id) ? [e.choice.cell.id] : [],
      ),
    ).size;
    return { window, entries, newCells };
  }
}

/**
 * "1 | 3", "Chi bộ thôn Khe Lếch | 2", "tất cả": the cells meant, by number in the numbered list or by name;
 * undefined if any part names no cell.
 */
export function resolveCells(text: string, cells: readonly Cell[]): string[] | undefined {
  const parts = text
    .split(/[|;,+]/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  if (parts.length === 1 && ALL_CELLS.has(toCode(parts[0] ?? ''))) return cells.map((c) => c.id);
  const ids: string[] = [];
  for (const part of parts) {
    const number = /^\d+$/.test(part) ? Number(part) : undefined;
    const cell =
      number !== undefined ? cells[number - 1] : cells.find((c) => nameKey(c.name) === nameKey(part));
    if (!cell) return undefined;
    ids.push(cell.id);
  }
  return [...new Set(ids)];
}
