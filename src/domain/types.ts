/**
 * The domain's vocabulary. Codes are English and stable (they are stored); every label a user reads comes
 * from content/locales.
 */

export const CELL_KINDS = [
  'residential', // thôn / bản / tổ dân phố
  'agency', // cơ quan hành chính
  'public_service', // đơn vị sự nghiệp (trường học, bệnh viện)
  'state_enterprise', // doanh nghiệp nhà nước
  'private_enterprise', // doanh nghiệp ngoài nhà nước
  'armed_forces', // lực lượng vũ trang
  'student', // sinh viên
] as const;
export type CellKind = (typeof CELL_KINDS)[number];

export const ROLES = ['secretary', 'deputy_secretary', 'committee', 'member'] as const;
export type Role = (typeof ROLES)[number];

export const MEMBER_STATUSES = [
  'official',
  'probationary',
  'exempt',
  'temporarily_elsewhere',
  'special_duty',
] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

export const MEETING_KINDS = ['regular', 'thematic', 'combined'] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];

export const MEETING_STATES = ['planned', 'held', 'cancelled'] as const;
export type MeetingState = (typeof MEETING_STATES)[number];

export const COMMITTEE_LEVELS = ['provincial', 'district', 'commune', 'grassroots'] as const;
export type CommitteeLevel = (typeof COMMITTEE_LEVELS)[number];

export const CHANNELS = ['telegram', 'zalo'] as const;
export type Channel = (typeof CHANNELS)[number];

/** A day on the wall calendar of some time zone; month is 1–12. */
export type LocalDate = { year: number; month: number; day: number };
/** A wall-clock time of day. */
export type LocalTime = { hour: number; minute: number };
/** Sunday = 0 … Saturday = 6, as JavaScript counts: "thứ Hai" is 1, "thứ Bảy" is 6. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;
/** Which such weekday of the month; -1 is the last one (most months have no fifth). */
export type WeekdayOrdinal = 1 | 2 | 3 | 4 | -1;

/** A cell's recurring meeting, as understood from what its secretary writes. */
export type ScheduleRule =
  /** A day of the month, 1–31; a shorter month meets on its last day. */
  | { kind: 'monthday'; day: number; time: LocalTime }
  | { kind: 'nth_weekday'; weekday: Weekday; nth: WeekdayOrdinal; time: LocalTime }
  | { kind: 'last_day'; time: LocalTime }
  /** The first (1) or last (-1) working day of the month, by the cell's weekends and the public holidays. */
  | { kind: 'working_day'; nth: 1 | -1; time: LocalTime }
  /** A day of each lunar month, 1–30 (rằm is 15); a 29-day month meets on its last day. */
  | { kind: 'lunar_day'; day: number; time: LocalTime };
export const SCHEDULE_RULE_KINDS = [
  'monthday',
  'nth_weekday',
  'last_day',
  'working_day',
  'lunar_day',
] as const;

/** Where a meeting goes when its day is not a working day. */
export const SHIFT_POLICIES = ['next_working_day', 'previous_working_day', 'none'] as const;
export type ShiftPolicy = (typeof SHIFT_POLICIES)[number];

/**
 * Official days off, as local dates `YYYY-MM-DD`, both ends included; `provisional` until the government has
 * announced that year's days.
 */
export type Holiday = { name: string; from: string; to: string; provisional?: boolean };

/**
 * Why a regular meeting is not on the day its rule names: that day (`from`, `YYYY-MM-DD`) is a public holiday
 * (named) or else a weekend the cell does not meet on.
 */
export type MeetingShift = { from: string; holiday?: string; provisional?: boolean };

/** Đảng bộ: the organisation above cells; parentId builds the tree the admin manages. */
export type PartyOrganization = { id: string; name: string; parentId?: string };

export type CellSchedule = {
  rule: ScheduleRule;
  shift: ShiftPolicy;
  /** A cell that "meets on weekends too": only public holidays move its meetings. */
  weekendsAreWorkingDays: boolean;
};

export type Cell = {
  id: string;
  name: string;
  kind: CellKind;
  organizationId: string;
  /** IANA zone of every date the cell sees or counts; Asia/Ho_Chi_Minh unless set. */
  timeZone: string;
  schedule?: CellSchedule;
  place?: string;
  telegramGroupId?: string;
};

/** The minimum personal data: no ID or card numbers. */
export type Person = { id: string; displayName: string; channels: Partial<Record<Channel, string>> };

export type Membership = { personId: string; cellId: string; role: Role; status: MemberStatus };

/** A member's answer to a meeting notice; they may change it until the meeting starts. */
export type Answer = { personId: string; answeredAt: Date } & (
  | { response: 'present' }
  | { response: 'absent'; reason?: string }
);

/** The final roll call; the last three states are left out of the attendance base. */
export const ROLL_CALL_STATES = [
  'present',
  'absent_with_reason',
  'absent_without_reason',
  'exempt',
  'temporarily_elsewhere',
  'special_duty',
] as const;
export type RollCallState = (typeof ROLL_CALL_STATES)[number];
export const EXCLUDED_STATES = [
  'exempt',
  'temporarily_elsewhere',
  'special_duty',
] as const satisfies readonly RollCallState[];

export type RollCallEntry =
  | { personId: string; state: 'absent_with_reason'; reason: string }
  | { personId: string; state: Exclude<RollCallState, 'absent_with_reason'> };

/** Upper-level committee members at a meeting: recorded apart, never in the attendance base. */
export const GUEST_STATES = ['expected', 'present', 'absent'] as const;
export type GuestState = (typeof GUEST_STATES)[number];
export type Guest = { personId: string; level: CommitteeLevel; state: GuestState };

export type Meeting = {
  id: string;
  cellId: string;
  kind: MeetingKind;
  state: MeetingState;
  startsAt: Date;
  place?: string;
  topicId?: string;
  answers: readonly Answer[];
  /** Taken by a secretary after the meeting; absent until then. */
  rollCall?: readonly RollCallEntry[];
  guests: readonly Guest[];
};

/** A committee member assigned to follow cells; their visit rule comes from the policy by level. */
export type CommitteeAssignment = {
  personId: string;
  level: CommitteeLevel;
  cellIds: readonly string[];
  /** Start of the first window of a rolling visit rule. */
  since: Date;
};

export const REMINDER_AUDIENCES = ['secretaries', 'members', 'members_unanswered', 'committee'] as const;
export type ReminderAudience = (typeof REMINDER_AUDIENCES)[number];

/** One step of the preparation timeline around a meeting (T−7, T−5, … T+2). */
export type TimelineStep = {
  /** Stable code: it names the message and makes each occurrence unique. */
  id: string;
  /** Days before (negative) or after the meeting day. */
  offsetDays: number;
  /** The local time it goes out that day (e.g. 08:00 for the documents reminder the day before). */
  at: LocalTime;
  audience: ReminderAudience;
  /** How long after its due time a late occurrence is still worth sending. */
  graceHours: number;
};

/** A step of the timeline planned for one meeting; the scheduler fans it out to recipients. */
export type ReminderOccurrence = {
  id: string;
  meetingId: string;
  stepId: string;
  audience: ReminderAudience;
  dueAt: Date;
  /** After this instant the occurrence is recorded as missed rather than sent. */
  graceEndsAt: Date;
};

/** Which meetings count towards a visit rule; a combined meeting counts as both kinds. */
export const VISIT_COUNTS = ['regular', 'thematic', 'both'] as const;
/**
 * calendar: windows fixed on the calendar (6 months = Jan–Jun, Jul–Dec; 3 = quarters);
 * rolling: consecutive windows from the day the member was assigned.
 */
export const VISIT_ALIGNMENTS = ['calendar', 'rolling'] as const;
/** assigned: only the cells assigned to the member; area: any cell of their organisation. */
export const VISIT_SCOPES = ['assigned', 'area'] as const;

/** When to alert a member who has not met their rule: part-way through a window or days before it ends. */
export type VisitAlertOffset = { id: string } & ({ atFraction: number } | { daysBeforeEnd: number });

export type VisitRule = {
  level: CommitteeLevel;
  /**
   * How the preset's own texts name the level (the 2025 texts: «cấp xã (xã, phường, đặc khu)»), shown wherever
   * the level's word appears instead of the locale's generic word.
   */
  label?: string;
  minimum: number;
  windowMonths: number;
  counts: (typeof VISIT_COUNTS)[number];
  alignment: (typeof VISIT_ALIGNMENTS)[number];
  scope: (typeof VISIT_SCOPES)[number];
  /** Only meetings of a cell the member does not belong to count (Kon Tum's commune level). */
  otherCellsOnly?: boolean;
  alertOffsets: readonly VisitAlertOffset[];
};

export type AttendanceThresholds = {
  /** A meeting's attendance is good only when the rate is strictly above this fraction. */
  goodRateAbove: number;
  /** More absences with reason than this in a row, within a calendar year, spoil the meeting's quality. */
  maxAbsencesWithReasonInARow: number;
  /** Months of a calendar year with an absence without reason before the secretary is warned / the member flagged. */
  removalWarnAtMonths: number;
  removalFlagAtMonths: number;
};

/** Everything a province decides, loaded from content/policy; the code holds no figure of its own. */
export type Policy = {
  title: string;
  source?: string;
  /** The shift policy of a new cell. */
  defaultShift: ShiftPolicy;
  timeline: readonly TimelineStep[];
  /** A thematic meeting is due every this many months (3: each quarter), checked in the period's last month. */
  thematicEveryMonths: number;
  /** Local time at which date-based alerts go out: visit alerts and the thematic check. */
  alertTime: LocalTime;
  /**
   * The hours reminders may go out, from (included) to (excluded): a step outside them, or on a public holiday,
   * goes out on the previous working day, inside them.
   */
  daytime: { from: LocalTime; to: LocalTime };
  attendance: AttendanceThresholds;
  visits: readonly VisitRule[];
};
