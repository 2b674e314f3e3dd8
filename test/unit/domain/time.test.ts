import { isDeepStrictEqual } from 'node:util';
import { TZDate } from '@date-fns/tz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  formatDate,
  formatDateTime,
  lastDayOf,
  localDateOf,
  localTimeOf,
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

describe('local date and time of an instant', () => {
  // The offsets are remembered by UTC day: the days with a daylight-saving change must still read right on
  // either side of it, in zones east and west of UTC and with half-hour offsets.
  const ZONES = [VN, 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
  const expected = (instant: Date, zone: string) => {
    const wall = new TZDate(instant.getTime(), zone);
    return {
      date: { year: wall.getFullYear(), month: wall.getMonth() + 1, day: wall.getDate() },
      time: { hour: wall.getHours(), minute: wall.getMinutes() },
    };
  };
  const read = (instant: Date, zone: string) => ({
    date: localDateOf(instant, zone),
    time: localTimeOf(instant, zone),
  });

  it('reads as TZDate does on the days clocks change, a minute either side of the change', () => {
    const changes = [
      ['Europe/Berlin', '2026-03-29T01:00:00Z'],
      ['Europe/Berlin', '2026-10-25T01:00:00Z'],
      ['America/New_York', '2026-03-08T07:00:00Z'],
      ['America/New_York', '2026-11-01T06:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
    ] as const;
    for (const [zone, change] of changes) {
      const at = Date.parse(change);
      // The day's start first, so its offset is the one remembered when the change comes.
      for (const ms of [at - 12 * 3_600_000, at - 60_000, at - 1, at, at + 60_000, at + 12 * 3_600_000])
        expect(read(new Date(ms), zone), `${zone} ${new Date(ms).toISOString()}`).toEqual(
          expected(new Date(ms), zone),
        );
    }
  });

  it('reads as TZDate does for any instant from 2020 to 2040 in any of six zones', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2040-01-01') }),
        fc.constantFrom(...ZONES),
        (ms, zone) => isDeepStrictEqual(read(new Date(ms), zone), expected(new Date(ms), zone)),
      ),
      { numRuns: 3000 },
    );
  });
});
