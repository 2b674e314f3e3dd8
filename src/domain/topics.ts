/**
 * Thematic-topic suggestions: which topics of the library fit a cell on a date, in what order, and why.
 * Pure: the date and the cell's history are passed in.
 */
import { CELL_KINDS, type CellKind } from './types.js';

/** Categories of the library: the unit of rotation (a cell should not repeat one within a year). */
export const TOPIC_CATEGORIES = [
  'ho_chi_minh', // học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh
  'party_building', // xây dựng Đảng, tổ chức cơ sở đảng
  'ethics_discipline', // đạo đức, nêu gương, kỷ luật, phòng chống tham nhũng, lãng phí
  'ideology', // công tác tư tưởng, bảo vệ nền tảng tư tưởng của Đảng
  'tradition', // truyền thống, lịch sử
  'economy_digital', // kinh tế, khoa học công nghệ, chuyển đổi số
  'culture_society', // văn hóa – xã hội: giáo dục, y tế, gia đình, an sinh
  'defence_security', // quốc phòng – an ninh
  'law_administration', // pháp luật, cải cách hành chính
  'mass_mobilisation', // dân vận, dân chủ cơ sở, đại đoàn kết
  'environment', // môi trường, nông thôn mới, đô thị văn minh, thiên tai
] as const;
export type TopicCategory = (typeof TOPIC_CATEGORIES)[number];

/** A day of the calendar with no time zone: the meeting's day (or today) as the cell sees it. */
export type CalendarDate = { year: number; month: number; day: number };

/**
 * A public document a topic rests on: where to read it, never its text. `sources` name the public pages its
 * number, date and title were checked against.
 */
export type TopicReference = {
  number?: string;
  title: string;
  issuer: string;
  date: string;
  url?: string;
  sources?: readonly string[];
};

export type Topic = {
  id: string;
  title: string;
  category: TopicCategory;
  kinds: readonly CellKind[];
  /** Months the topic fits; with `anniversaries`, they make it seasonal (offered only in their quarters). */
  months: readonly number[];
  /**
   * Offered all year even with months or anniversaries, which then only rank it higher in their season: the
   * topics on the current central resolutions, which a cell may take up in any month while they are current.
   */
  allYear?: boolean;
  anniversaries: readonly string[];
  /** Yearly "học tập và làm theo Bác" themes the topic serves. */
  themes: readonly string[];
  /** ISO dates, inclusive. */
  validFrom: string;
  validUntil?: string;
  summary: string;
  questions: readonly string[];
  references: readonly TopicReference[];
};

export type Anniversary = {
  id: string;
  /** A noun phrase that reads after "kỷ niệm": "ngày sinh Chủ tịch Hồ Chí Minh". */
  name: string;
  /** The solar month it falls in (for a lunar date, the month it usually falls in). */
  month: number;
  day?: number;
  /** The year of the event, so a reason can say "kỷ niệm 137 năm …". */
  year?: number;
  lunar?: { day: number; month: number };
  /** A great national day: outweighs the other anniversaries of its month. */
  major: boolean;
};

/**
 * A yearly (or multi-year) theme of "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh". Only an
 * official theme (set by the centre, with a source) ranks topics and is named to the secretary as the year's
 * theme; an orientation written here (`official: false`) does neither.
 */
export type YearTheme = {
  id: string;
  title: string;
  fromYear: number;
  toYear?: number;
  note?: string;
  official?: boolean;
  source?: string;
};

/** One topic a cell used (or has planned) at a meeting. `category` defaults to the library's. */
export type TopicUse = { topicId: string; category?: TopicCategory; date: CalendarDate };

/** Why a topic was suggested, for machines; `describeReasons` renders it for people. */
export type TopicReason =
  | { code: 'kind'; kind: CellKind; targeted: boolean }
  | { code: 'anniversary'; id: string; month: number; years?: number; inMonth: boolean }
  | { code: 'month'; month: number }
  | { code: 'theme'; id: string; year: number };

export type TopicSuggestion = { topic: Topic; score: number; reasons: TopicReason[] };

export type SuggestInput = {
  topics: readonly Topic[];
  cell: { kind: CellKind };
  date: CalendarDate;
  history: readonly TopicUse[];
  anniversaries: readonly Anniversary[];
  themes: readonly YearTheme[];
  /** How many to return (default 3) after skipping `offset` ([Xem thêm] asks offset 3). */
  count?: number;
  offset?: number;
};

/** No topic again within this many months for the same cell. */
export const TOPIC_REPEAT_MONTHS = 24;
/** No category again within this many months while another category is eligible. */
export const CATEGORY_REST_MONTHS = 12;

const POINTS = {
  targetedKind: 2, // written for this kind of cell rather than for every cell
  anniversaryInMonth: 4,
  majorAnniversary: 2, // on top, so 19/5 or 2/9 lead their month
  anniversaryInQuarter: 2, // thematic meetings are quarterly: a date later in the quarter still fits
  month: 3,
  theme: 3,
} as const;

export function suggestTopics(input: SuggestInput): { suggestions: TopicSuggestion[]; hasMore: boolean } {
  const { count = 3, offset = 0 } = input;
  const ranked = rankTopics(input);
  return { suggestions: ranked.slice(offset, offset + count), hasMore: ranked.length > offset + count };
}

/** Every topic the cell may take on the date, best first. */
export function rankTopics(input: Omit<SuggestInput, 'count' | 'offset'>): TopicSuggestion[] {
  const { topics, cell, date, history } = input;
  const anniversaries = new Map(input.anniversaries.map((a) => [a.id, a]));
  const libraryCategory = new Map(topics.map((t) => [t.id, t.category]));

  const recentlyUsed = new Set(
    history.filter((use) => isWithinMonths(use.date, date, TOPIC_REPEAT_MONTHS)).map((use) => use.topicId),
  );
  // The latest use of each category, to keep categories rotating even beyond the 12-month rest.
  const categoryLastUsed = new Map<TopicCategory, number>();
  const restingCategories = new Set<TopicCategory>();
  for (const use of history) {
    const category = use.category ?? libraryCategory.get(use.topicId);
    if (!category) continue; // a title of the secretary's own, outside the library
    categoryLastUsed.set(category, Math.max(categoryLastUsed.get(category) ?? 0, ordinal(use.date)));
    if (isWithinMonths(use.date, date, CATEGORY_REST_MONTHS)) restingCategories.add(category);
  }

  const suggestions = eligibleTopics(topics, cell.kind, date, input.anniversaries)
    .filter((t) => !recentlyUsed.has(t.id))
    .map((topic) => score(topic, cell.kind, date, anniversaries, input.themes));

  const resting = (s: TopicSuggestion) => (restingCategories.has(s.topic.category) ? 1 : 0);
  const sorted = suggestions.sort(
    (a, b) =>
      resting(a) - resting(b) ||
      b.score - a.score ||
      (categoryLastUsed.get(a.topic.category) ?? 0) - (categoryLastUsed.get(b.topic.category) ?? 0) ||
      b.topic.validFrom.localeCompare(a.topic.validFrom) || // newer documents first
      a.topic.id.localeCompare(b.topic.id),
  );
  return varyPages(sorted, resting);
}

/** Suggestions are shown three at a time ([Xem thêm] shows the next three). */
export const SUGGESTIONS_PER_PAGE = 3;

/**
 * Three suggestions of one category leave the secretary little to choose from: within each page, the next
 * slot takes the best topic of a category the page does not show yet, if one is left in the same tier (a
 * rested category never moves ahead of a resting one's place, and vice versa).
 */
function varyPages(sorted: TopicSuggestion[], tier: (s: TopicSuggestion) => number): TopicSuggestion[] {
  const left = [...sorted];
  const out: TopicSuggestion[] = [];
  while (left.length > 0) {
    const page = out.slice(out.length - (out.length % SUGGESTIONS_PER_PAGE));
    const shown = new Set(page.map((s) => s.topic.category));
    const first = left[0] as TopicSuggestion;
    const fresh = left.findIndex((s) => tier(s) === tier(first) && !shown.has(s.topic.category));
    out.push(...left.splice(fresh === -1 ? 0 : fresh, 1));
  }
  return out;
}

/** The topics a cell of this kind may be offered on the date before its history counts (what coverage counts). */
export function eligibleTopics(
  topics: readonly Topic[],
  kind: CellKind,
  date: CalendarDate,
  anniversaries: readonly Anniversary[],
): Topic[] {
  const byId = new Map(anniversaries.map((a) => [a.id, a]));
  return topics.filter((t) => t.kinds.includes(kind) && isCurrent(t, date) && inSeason(t, date, byId));
}

function isCurrent(topic: Topic, date: CalendarDate): boolean {
  const today = isoDate(date);
  return topic.validFrom <= today && (topic.validUntil === undefined || today <= topic.validUntil);
}

/** A topic tied to months or anniversaries is offered only in their quarters; any other, all year. */
function inSeason(
  topic: Topic,
  date: CalendarDate,
  anniversaries: ReadonlyMap<string, Anniversary>,
): boolean {
  if (topic.allYear) return true;
  const months = seasonMonths(topic, anniversaries);
  return months.length === 0 || months.some((m) => quarterOf(m) === quarterOf(date.month));
}

function seasonMonths(topic: Topic, anniversaries: ReadonlyMap<string, Anniversary>): number[] {
  const months = [...topic.months];
  for (const id of topic.anniversaries) {
    const anniversary = anniversaries.get(id);
    if (anniversary) months.push(anniversary.month);
  }
  return months;
}

function score(
  topic: Topic,
  kind: CellKind,
  date: CalendarDate,
  anniversaries: ReadonlyMap<string, Anniversary>,
  themes: readonly YearTheme[],
): TopicSuggestion {
  // A topic listing every kind is a general one: no "written for you" points.
  const targeted = topic.kinds.length < CELL_KINDS.length;
  const reasons: TopicReason[] = [{ code: 'kind', kind, targeted }];
  let total = targeted ? POINTS.targetedKind : 0;

  // The topic's season counts once, by its best hook: many anniversaries should not outrank one good fit.
  // Said are the anniversaries of the month if any, else those of the quarter, the weightiest first.
  const hookPoints = (a: Anniversary) =>
    a.month === date.month
      ? POINTS.anniversaryInMonth + (a.major ? POINTS.majorAnniversary : 0)
      : POINTS.anniversaryInQuarter;
  const inQuarter = topic.anniversaries
    .map((id) => anniversaries.get(id))
    .filter((a): a is Anniversary => a !== undefined && quarterOf(a.month) === quarterOf(date.month));
  const inMonth = inQuarter.filter((a) => a.month === date.month);
  const hooks = (inMonth.length > 0 ? inMonth : inQuarter).sort((a, b) => hookPoints(b) - hookPoints(a));
  let season = hooks[0] ? hookPoints(hooks[0]) : 0;
  for (const a of hooks) {
    const years = a.year !== undefined && date.year > a.year ? date.year - a.year : undefined;
    reasons.push({
      code: 'anniversary',
      id: a.id,
      month: a.month,
      inMonth: a.month === date.month,
      ...(years ? { years } : {}),
    });
  }
  if (topic.months.includes(date.month)) {
    season = Math.max(season, POINTS.month);
    reasons.push({ code: 'month', month: date.month });
  }
  total += season;

  const theme = themes.find(
    (t) => t.official !== false && topic.themes.includes(t.id) && themeCovers(t, date.year),
  );
  if (theme) {
    total += POINTS.theme;
    reasons.push({ code: 'theme', id: theme.id, year: date.year });
  }
  return { topic, score: total, reasons };
}

export function themeCovers(theme: YearTheme, year: number): boolean {
  return theme.fromYear <= year && (theme.toYear === undefined || year <= theme.toYear);
}

/** Translate function of src/i18n.ts (passed in so the domain stays free of I/O). */
export type Translate = (key: string, params?: Record<string, string | number>) => string;

/**
 * One line saying why a topic fits, e.g. "phù hợp chi bộ thôn, bản, tổ dân phố; tháng 5 kỷ niệm 137 năm ngày
 * sinh Chủ tịch Hồ Chí Minh". An anniversary earlier or later in the quarter is said as "quý II kỷ niệm …".
 */
export function describeReasons(
  reasons: readonly TopicReason[],
  anniversaries: readonly Anniversary[],
  t: Translate,
): string {
  return reasons.map((reason) => describeReason(reason, anniversaries, t)).join('; ');
}

function describeReason(reason: TopicReason, anniversaries: readonly Anniversary[], t: Translate): string {
  switch (reason.code) {
    case 'kind':
      return reason.targeted
        ? t('topics.reason.kind', { kind: t(`cellKind.${reason.kind}`) })
        : t('topics.reason.anyKind');
    case 'anniversary': {
      const name = anniversaries.find((a) => a.id === reason.id)?.name ?? reason.id;
      const when = reason.inMonth
        ? t('topics.when.month', { month: reason.month })
        : t('topics.when.quarter', { quarter: ROMAN_QUARTERS[quarterOf(reason.month) - 1] ?? '' });
      const what = reason.years ? t('topics.reason.yearsSince', { years: reason.years, name }) : name;
      return t('topics.reason.anniversary', { when, what });
    }
    case 'month':
      return t('topics.reason.month', { month: reason.month });
    case 'theme':
      return t('topics.reason.theme', { year: reason.year });
  }
}

/** Quarters are written in Roman numerals in Vietnamese (quý I … quý IV). */
const ROMAN_QUARTERS = ['I', 'II', 'III', 'IV'];

// --- calendar arithmetic on plain dates ---

export function quarterOf(month: number): number {
  return Math.ceil(month / 3);
}

/** True when the two dates are less than `months` calendar months apart, in either order. */
export function isWithinMonths(a: CalendarDate, b: CalendarDate, months: number): boolean {
  const [early, late] = ordinal(a) <= ordinal(b) ? [a, b] : [b, a];
  return ordinal(late) < ordinal(addMonths(early, months));
}

export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const index = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(date.day, daysInMonth(year, month)) };
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return [4, 6, 9, 11].includes(month) ? 30 : 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

function ordinal(date: CalendarDate): number {
  return date.year * 10_000 + date.month * 100 + date.day;
}

export function isoDate(date: CalendarDate): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.year}-${pad(date.month)}-${pad(date.day)}`;
}

export function parseIsoDate(iso: string): CalendarDate {
  const [year = 0, month = 0, day = 0] = iso.split('-').map(Number);
  return { year, month, day };
}
