import { z } from 'zod';
import { holidayCalendar } from '../content/holidays.js';
import type { Holidays } from '../domain/holidays.js';
import { nextMeetings, type PlannedMeeting, parseSchedule, type ScheduleError } from '../domain/schedule.js';
import { formatTime } from '../domain/time.js';
import {
  CELL_KINDS,
  type CellKind,
  type LocalTime,
  type MemberStatus,
  type Role,
  type ScheduleRule,
} from '../domain/types.js';
import { keys } from '../store/keys.js';
import type { Store, WriteOp } from '../store/port.js';
import { type Cell, cellSchema, type Membership, newId, shiftPolicySchema } from '../store/records.js';
import { auditOp } from '../store/repositories/audit.js';
import type { Repos } from '../store/repositories/index.js';
import { cleanName, MAX_NAME_LENGTH, nameKey, nameProblem, type RowProblem, readCsv, toCode } from './csv.js';
import type { Clock } from './people.js';
import type { Planning } from './planning.js';

export { MAX_NAME_LENGTH, type RowProblem, toCode };

/**
 * The roster CSV, as exported from a spreadsheet (UTF-8, comma or semicolon separated, header row):
 * - ho_ten (required): the display name;
 * - vai_tro: bi_thu | pho_bi_thu | chi_uy_vien | dang_vien (default dang_vien);
 * - trang_thai: chinh_thuc | du_bi | mien_sinh_hoat | sinh_hoat_tam_thoi | nhiem_vu_dac_biet (default chinh_thuc).
 * Values may carry diacritics and spaces ("Bí thư", "Miễn sinh hoạt"). No ID numbers: nothing else is read.
 */
export const ROSTER_COLUMNS = ['ho_ten', 'vai_tro', 'trang_thai'] as const;

const ROLE_CODES: Record<string, Role> = {
  bi_thu: 'secretary',
  pho_bi_thu: 'deputy_secretary',
  chi_uy_vien: 'committee',
  dang_vien: 'member',
};
const STATUS_CODES: Record<string, MemberStatus> = {
  chinh_thuc: 'official',
  du_bi: 'probationary',
  mien_sinh_hoat: 'exempt',
  sinh_hoat_tam_thoi: 'temporarily_elsewhere',
  nhiem_vu_dac_biet: 'special_duty',
};

export type ImportResult =
  | { ok: true; created: number; updated: number; unchanged: number }
  | { ok: false; problems: RowProblem[] };

/** What admins type for a cell's kind, as a code ("thôn" → residential). */
const KIND_WORDS: [RegExp, CellKind][] = [
  [/^(thon|ban|to_dan_pho|khu_dan_cu|residential)/, 'residential'],
  [/^(co_quan|agency)/, 'agency'],
  [/^(truong|benh_vien|su_nghiep|don_vi_su_nghiep|public_service)/, 'public_service'],
  [/^(dnnn|doanh_nghiep_nha_nuoc|state_enterprise)/, 'state_enterprise'],
  [/^(doanh_nghiep|cong_ty|private_enterprise)/, 'private_enterprise'],
  [/^(quan_doi|cong_an|luc_luong_vu_trang|armed_forces)/, 'armed_forces'],
  [/^(sinh_vien|student)/, 'student'],
];
export const cellKindOf = (word: string): CellKind | undefined =>
  KIND_WORDS.find(([re]) => re.test(toCode(word)))?.[1];

export interface NewCell {
  orgId: string;
  name: string;
  kind: CellKind;
  schedulePhrase?: string;
  place?: string;
  timeZone: string;
  shift?: Cell['shift'];
  meetsOnWeekends?: boolean;
}

/** What an admin may say about a new cell's calendar, in words: "họp cả cuối tuần, giữ ngày khi nghỉ lễ". */
const OPTION_WORDS: [RegExp, Partial<Pick<NewCell, 'shift' | 'meetsOnWeekends'>>][] = [
  [/ca_cuoi_tuan|cuoi_tuan/, { meetsOnWeekends: true }],
  [/giu_(nguyen_)?ngay|khong_doi/, { shift: 'none' }],
  [/doi_(len_)?truoc|ngay_lam_viec_truoc/, { shift: 'previous_working_day' }],
  [/doi_(sang_)?sau|ngay_lam_viec_sau|ngay_lam_viec_tiep/, { shift: 'next_working_day' }],
];

/** The calendar options in an admin's phrase, or undefined when a part of it means nothing we know. */
export function cellOptionsOf(text: string): Pick<NewCell, 'shift' | 'meetsOnWeekends'> | undefined {
  const options: Pick<NewCell, 'shift' | 'meetsOnWeekends'> = {};
  const parts = text.split(/[,;]/).map(toCode).filter(Boolean);
  for (const part of parts) {
    const known = OPTION_WORDS.find(([re]) => re.test(part));
    if (!known) return undefined;
    Object.assign(options, known[1]);
  }
  return options;
}

export type CreateCellResult =
  /** Created, with the next three regular meetings its schedule gives (none without a schedule). */
  | { ok: true; cell: Cell; next: PlannedMeeting[] }
  | { ok: false; schedule: ScheduleError }
  /**
   * The hour is before 06:00 or after 22:00: nothing is created until the admin picks `time` or `alternative`
   * (confirmCell with the draft's ID), or the draft expires.
   */
  | { ok: false; confirmHour: { draftId: string; time: LocalTime; alternative?: LocalTime } };

export type ConfirmCellResult = CreateCellResult | { ok: false; expired: true };

/** How long an unusual hour waits for its admin's answer. */
export const CELL_DRAFT_TTL_MS = 30 * 60_000;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

const newCellSchema = z.object({
  orgId: z.string(),
  name: z.string(),
  kind: z.enum(CELL_KINDS),
  schedulePhrase: z.string().optional(),
  place: z.string().optional(),
  timeZone: z.string(),
  shift: shiftPolicySchema.optional(),
  meetsOnWeekends: z.boolean().optional(),
});
const cellDraftSchema = z.object({
  actorId: z.string(),
  input: newCellSchema,
  /** The hours offered, `HH:MM`: only these may be confirmed. */
  times: z.array(z.string().regex(HHMM)),
});

/** Admin use cases on the đảng bộ's structure: cells and their rosters. */
export class RosterService {
  constructor(
    private readonly store: Store,
    private readonly repos: Repos,
    private readonly clock: Clock,
    private readonly planning: Planning,
    private readonly defaultShift: Cell['shift'] = 'next_working_day',
    private readonly holidays: Holidays = holidayCalendar(),
  ) {}

  /**
   * A new cell; its schedule phrase must parse, or nothing is created. An hour before 06:00 or after 22:00
   * ("2 giờ") is asked back first: the input waits as a draft for the admin's choice.
   */
  async createCell(input: NewCell, actorId: string): Promise<CreateCellResult> {
    if (!input.schedulePhrase) return this.saveCell(input, actorId, undefined);
    const parsed = parseSchedule(input.schedulePhrase);
    if (!parsed.ok) return { ok: false, schedule: parsed.error };
    if (!parsed.unusual) return this.saveCell(input, actorId, parsed.rule);
    const draftId = newId();
    const { alternative } = parsed.unusual;
    const times = [parsed.rule.time, ...(alternative ? [alternative] : [])].map(formatTime);
    await this.store.set(
      keys.cellDraft(draftId),
      JSON.stringify(cellDraftSchema.parse({ actorId, input, times })),
      CELL_DRAFT_TTL_MS,
    );
    return {
      ok: false,
      confirmHour: { draftId, time: parsed.rule.time, ...(alternative ? { alternative } : {}) },
    };
  }

  /** The admin's answer to an unusual hour: the cell with the hour chosen (one of those offered), once. */
  async confirmCell(draftId: string, actorId: string, time: string): Promise<ConfirmCellResult> {
    const draft = await this.takeDraft(draftId, actorId);
    if (!draft?.times.includes(time)) return { ok: false, expired: true };
    const parsed = parseSchedule(draft.input.schedulePhrase ?? '');
    if (!parsed.ok) return { ok: false, schedule: parsed.error };
    const [hour, minute] = time.split(':').map(Number) as [number, number];
    return this.saveCell(draft.input, actorId, { ...parsed.rule, time: { hour, minute } });
  }

  /** The admin declined every hour offered: the draft goes, nothing is created. */
  async dropDraft(draftId: string, actorId: string): Promise<boolean> {
    return (await this.takeDraft(draftId, actorId)) !== undefined;
  }

  /** A draft of this admin's, taken once: two taps on its buttons create one cell. */
  private async takeDraft(draftId: string, actorId: string) {
    const raw = await this.store.get(keys.cellDraft(draftId));
    if (!raw) return undefined;
    const draft = cellDraftSchema.safeParse(JSON.parse(raw));
    if (!draft.success || draft.data.actorId !== actorId) return undefined;
    if ((await this.store.del(keys.cellDraft(draftId))) === 0) return undefined;
    return draft.data;
  }

  private async saveCell(
    input: NewCell,
    actorId: string,
    scheduleRule: ScheduleRule | undefined,
  ): Promise<CreateCellResult> {
    const now = this.clock.now();
    const cell = cellSchema.parse({
      id: newId(),
      orgId: input.orgId,
      name: input.name,
      kind: input.kind,
      schedulePhrase: input.schedulePhrase,
      scheduleRule,
      shift: input.shift ?? this.defaultShift,
      meetsOnWeekends: input.meetsOnWeekends ?? false,
      place: input.place ?? '',
      timeZone: input.timeZone,
      createdAt: now,
    });
    await this.store.write([
      ...this.repos.cells.saveOps(cell),
      auditOp(cell.id, {
        at: now,
        actorId,
        action: 'cell.create',
        subject: cell.id,
        detail: { name: cell.name },
      }),
    ]);
    // Its meetings and reminders now, not at the next daily run.
    await this.planning.replanCell(cell.id);
    const next = scheduleRule
      ? nextMeetings(
          scheduleRule,
          {
            timeZone: cell.timeZone,
            shift: cell.shift,
            weekendsAreWorkingDays: cell.meetsOnWeekends,
            holidays: this.holidays,
          },
          new Date(now),
          3,
        )
      : [];
    return { ok: true, cell, next };
  }

  /**
   * Imports a cell's roster: every row is checked first and nothing is written if any row fails; re-importing
   * updates the people already there (matched by name within the cell) instead of duplicating them.
   */
  async importRoster(cell: Cell, csv: string, actorId: string): Promise<ImportResult> {
    const read = readCsv(csv, ['ho_ten']);
    if (!read.ok) return read;

    const problems: RowProblem[] = [];
    const seen = new Set<string>();
    const parsed: { name: string; membership: Membership }[] = [];
    for (const { record, line } of read.rows) {
      const name = cleanName(record.ho_ten ?? '');
      const nameIssue = nameProblem(name);
      if (nameIssue) problems.push({ line, column: 'ho_ten', problem: nameIssue });
      else if (seen.has(nameKey(name))) problems.push({ line, column: 'ho_ten', problem: 'duplicate' });
      seen.add(nameKey(name));
      const role = record.vai_tro ? ROLE_CODES[toCode(record.vai_tro)] : 'member';
      if (!role) problems.push({ line, column: 'vai_tro', problem: 'unknown_value' });
      const status = record.trang_thai ? STATUS_CODES[toCode(record.trang_thai)] : 'official';
      if (!status) problems.push({ line, column: 'trang_thai', problem: 'unknown_value' });
      if (name && !nameIssue && role && status) parsed.push({ name, membership: { role, status } });
    }
    if (problems.length) return { ok: false, problems };

    const members = await this.repos.cells.members(cell.id);
    const current = await this.repos.people.getMany([...members.keys()]);
    const byName = new Map(current.map((p) => [nameKey(p.name), p]));
    const now = this.clock.now();
    const ops: WriteOp[] = [];
    let created = 0;
    let updated = 0;
    let unchanged = 0;
    for (const row of parsed) {
      const existing = byName.get(nameKey(row.name));
      let personId: string;
      if (existing) {
        personId = existing.id;
        const before = members.get(personId);
        if (
          before?.role === row.membership.role &&
          before.status === row.membership.status &&
          existing.name === row.name
        ) {
          unchanged++;
          continue;
        }
        if (existing.name !== row.name) ops.push(this.repos.people.saveOp({ ...existing, name: row.name }));
        updated++;
      } else {
        const fresh = this.repos.people.createOps(row.name, now);
        ops.push(...fresh.ops);
        personId = fresh.person.id;
        created++;
      }
      ops.push(...this.repos.cells.membershipOps(cell.id, personId, row.membership));
    }
    ops.push(
      auditOp(cell.id, {
        at: now,
        actorId,
        action: 'roster.import',
        subject: cell.id,
        detail: { created, updated },
      }),
    );
    // One atomic batch: a crash mid-import leaves the roster as it was.
    await this.store.write(ops);
    return { ok: true, created, updated, unchanged };
  }

  /** Each member's personal invite: the bare code, and the channel's deep link where it has one. */
  async invites(
    cellId: string,
  ): Promise<{ personId: string; name: string; code: string; linked: boolean }[]> {
    const members = await this.repos.cells.members(cellId);
    const people = await this.repos.people.getMany([...members.keys()]);
    return people
      .map((p) => ({
        personId: p.id,
        name: p.name,
        code: p.inviteCode,
        linked: p.telegramId !== undefined || p.zaloId !== undefined,
      }))
      .sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  }
}
