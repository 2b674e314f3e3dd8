import { describe, expect, it } from 'vitest';
import {
  addMonths,
  formatDate,
  formatDateTime,
  lastDayOf,
  monthWindow,
  parseIsoDate,
  parseTime,
} from '../../../src/domain/time.js';
import { t } from '../../../src/i18n.js';
import { at, local, VN } from './helpers.js';

describe('formatting', () => {
  it.each([
    ['2026-12-05 19:30', 'vi', 'Thứ Bảy, 05/12/2026, 19:30'],
    ['2026-12-06 08:00', 'vi', 'Chủ nhật, 06/12/2026, 08:00'],
    ['2026-12-03 14:00', 'vi', 'Thứ Năm, 03/12/2026, 14:00'],
    ['2026-12-05 19:30', 'en', 'Saturday, 05/12/2026, 19:30'],
  ] as const)('%s in %s reads «%s»', (when, locale, text) => {
    expect(formatDateTime(at(when), VN, locale, t)).toBe(text);
  });

  it('formats the local date, not the UTC one, for a meeting at 00:30', () => {
    const instant = at('2026-12-05 00:30');
    expect(instant.toISOString()).toBe('2026-12-04T17:30:00.000Z');
    expect(formatDate(instant, VN)).toBe('05/12/2026');
    expect(formatDateTime(instant, VN, 'vi', t)).toBe('Thứ Bảy, 05/12/2026, 00:30');
  });
});

describe('calendar arithmetic', () => {
  it('adds months keeping the day, or the last day of a shorter month', () => {
    expect(addMonths({ year: 2027, month: 1, day: 31 }, 1)).toEqual({ year: 2027, month: 2, day: 28 });
    expect(addMonths({ year: 2028, month: 1, day: 31 }, 1)).toEqual({ year: 2028, month: 2, day: 29 });
    expect(addMonths({ year: 2026, month: 12, day: 15 }, 1)).toEqual({ year: 2027, month: 1, day: 15 });
    expect(addMonths({ year: 2027, month: 1, day: 15 }, -1)).toEqual({ year: 2026, month: 12, day: 15 });
  });

  it('parses only real dates and times', () => {
    expect(parseIsoDate('2028-02-29')).toEqual({ year: 2028, month: 2, day: 29 });
    expect(parseIsoDate('2027-02-29')).toBeUndefined();
    expect(parseIsoDate('2027-13-01')).toBeUndefined();
    expect(parseTime('07:00')).toEqual({ hour: 7, minute: 0 });
    expect(parseTime('24:00')).toBeUndefined();
    expect(parseTime('7:00')).toBeUndefined();
  });
});

describe('monthWindow', () => {
  it.each([
    [6, '2026-07-01 00:00', '2026-07-01 00:00', '2027-01-01 00:00'],
    [6, '2026-06-30 23:59', '2026-01-01 00:00', '2026-07-01 00:00'],
    [6, '2026-12-31 23:59', '2026-07-01 00:00', '2027-01-01 00:00'],
    [3, '2026-11-05 10:00', '2026-10-01 00:00', '2027-01-01 00:00'],
    [1, '2028-02-29 12:00', '2028-02-01 00:00', '2028-03-01 00:00'],
    [12, '2027-06-01 00:00', '2027-01-01 00:00', '2028-01-01 00:00'],
  ])('%i months around %s: from %s to %s', (months, when, start, end) => {
    const window = monthWindow(at(when), months, VN);
    expect([local(window.start), local(window.end)]).toEqual([start, end]);
  });

  it('starts at local midnight, the previous evening in UTC, and ends exclusively', () => {
    const window = monthWindow(at('2026-08-15'), 6, VN);
    expect(window.start.toISOString()).toBe('2026-06-30T17:00:00.000Z');
    expect(monthWindow(new Date(window.end.getTime() - 1), 6, VN).start).toEqual(window.start);
    expect(monthWindow(window.end, 6, VN).start).toEqual(window.end);
    expect(lastDayOf(window)).toEqual({ year: 2026, month: 12, day: 31 });
  });
});
