/**
 * Two simulated years for a cell of every kind over the shipped library: each quarter the secretary takes the
 * top suggestion, which is recorded in the cell's history. Every suggestion must obey the hard rules.
 */
import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../../src/content/anniversaries.js';
import { loadTopics } from '../../../src/content/topics.js';
import {
  type CalendarDate,
  isoDate,
  isWithinMonths,
  rankTopics,
  suggestTopics,
  type TopicSuggestion,
  type TopicUse,
} from '../../../src/domain/topics.js';
import { CELL_KINDS, type CellKind } from '../../../src/domain/types.js';

const calendar = loadCalendar();
const topics = loadTopics(undefined, calendar);
const context = { topics, anniversaries: calendar.anniversaries, themes: calendar.themes };

/** The meeting dates of eight quarters from `start`, `monthInQuarter` (0–2) into each quarter. */
function quarterlyMeetings(start: CalendarDate, monthInQuarter: number): CalendarDate[] {
  return Array.from({ length: 8 }, (_, q) => {
    const index = start.year * 12 + start.month - 1 + q * 3 + monthInQuarter;
    return { year: Math.floor(index / 12), month: (index % 12) + 1, day: 10 };
  });
}

/** The hard rules one suggestion breaks, in words (none when it keeps them all). */
function hardRulesBroken(
  s: TopicSuggestion,
  kind: CellKind,
  date: CalendarDate,
  history: TopicUse[],
): string[] {
  const today = isoDate(date);
  const id = s.topic.id;
  const broken: string[] = [];
  if (!s.topic.kinds.includes(kind)) broken.push(`${id} not for a ${kind} cell`);
  if (!(s.topic.validFrom <= today)) broken.push(`${id} before ${s.topic.validFrom}`);
  if (s.topic.validUntil && !(today <= s.topic.validUntil)) broken.push(`${id} lapsed`);
  for (const use of history)
    if (use.topicId === id && isWithinMonths(use.date, date, 24)) broken.push(`${id} repeated at ${today}`);
  return broken;
}

describe.each([
  { from: { year: 2027, month: 1, day: 1 } },
  { from: { year: 2025, month: 1, day: 1 } }, // while many documents do not exist yet
])('two years of quarterly picks from $from.year', ({ from }) => {
  describe.each(CELL_KINDS)('for a %s cell', (kind) => {
    it.each([0, 1, 2])('meeting in month %i of each quarter', (monthInQuarter) => {
      const history: TopicUse[] = [];
      for (const date of quarterlyMeetings(from, monthInQuarter)) {
        // Whatever the cell did in earlier quarters, its May suggestions include Hồ Chí Minh's birthday.
        if (date.month >= 4 && date.month <= 6) {
          const may = { year: date.year, month: 5, day: 15 };
          const { suggestions } = suggestTopics({ ...context, cell: { kind }, date: may, history });
          expect(
            suggestions.some((s) => s.topic.anniversaries.includes('ho-chi-minh-birthday')),
            `May ${may.year} for ${kind}: ${suggestions.map((s) => s.topic.id).join(', ')}`,
          ).toBe(true);
        }

        const ranked = rankTopics({ ...context, cell: { kind }, date, history });
        expect(ranked.length, `nothing to offer at ${isoDate(date)}`).toBeGreaterThan(0);
        // One assertion for the whole list: vitest's expect costs more than the rules themselves here.
        expect(ranked.flatMap((s) => hardRulesBroken(s, kind, date, history))).toEqual([]);

        const [top] = ranked as [TopicSuggestion];
        const resting = new Set(
          history.filter((use) => isWithinMonths(use.date, date, 12)).map((use) => use.category),
        );
        if (resting.has(top.topic.category))
          expect(
            ranked.every((s) => resting.has(s.topic.category)),
            `${top.topic.category} again at ${isoDate(date)} though another category was eligible`,
          ).toBe(true);
        // Nor further down, whatever page [Xem thêm] reaches: a resting category comes after every other.
        const firstResting = ranked.findIndex((s) => resting.has(s.topic.category));
        if (firstResting !== -1)
          expect(
            ranked.slice(firstResting).every((s) => resting.has(s.topic.category)),
            `a rested category after a resting one at ${isoDate(date)}`,
          ).toBe(true);
        history.push({ topicId: top.topic.id, category: top.topic.category, date });
      }
    });
  });
});
