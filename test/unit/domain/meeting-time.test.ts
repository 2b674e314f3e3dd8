import { describe, expect, it } from 'vitest';
import { parseMeetingTime } from '../../../src/domain/meeting-time.js';
import { at, local, VN } from './helpers.js';

const read = (text: string, context: { now: Date; defaultDayOf?: Date }) => {
  const parsed = parseMeetingTime(text, { ...context, timeZone: VN });
  return parsed.ok ? local(parsed.startsAt) : parsed.error;
};

describe('a new time for a meeting being moved: its own day unless a date is typed', () => {
  /** The meeting of Saturday 05/12/2026 19:30, moved on 26/11/2026. */
  const context = { now: at('2026-11-26 10:00'), defaultDayOf: at('2026-12-05 19:30') };
  const moved = (text: string) => read(text, context);

  it.each([
    ['20:00', '2026-12-05 20:00'],
    ['8:15', '2026-12-05 08:15'],
    ['20h', '2026-12-05 20:00'],
    ['20h30', '2026-12-05 20:30'],
    ['05/12 20:00', '2026-12-05 20:00'],
    ['6/12 7:30', '2026-12-06 07:30'],
    ['05/12/2026 20:00', '2026-12-05 20:00'],
    ['20:00 07/12', '2026-12-07 20:00'],
    ['ngày 07/12 lúc 20:00', '2026-12-07 20:00'],
    ['  05/12/2026   20:00 ', '2026-12-05 20:00'],
    // Without a year, the next such day: typed in November, January is next year's.
    ['05/01 19:30', '2027-01-05 19:30'],
    ['05/01/27 19:30', '2027-01-05 19:30'],
    // The other grammar's forms serve here too.
    ['20g30', '2026-12-05 20:30'],
    ['8 giờ tối', '2026-12-05 20:00'],
    ['Thứ Hai, 07/12/2026, 20:00', '2026-12-07 20:00'],
    // The same times of day as schedules, before or after.
    ['2 giờ chiều', '2026-12-05 14:00'],
    ['chiều 2h', '2026-12-05 14:00'],
    ['12h trưa', '2026-12-05 12:00'],
    ['1 giờ trưa 06/12', '2026-12-06 13:00'],
    ['buổi tối 7 giờ', '2026-12-05 19:00'],
    ['sáng 06/12 8h30', '2026-12-06 08:30'],
    ['10 giờ đêm', '2026-12-05 22:00'],
    ['7h30 pm', '2026-12-05 19:30'],
  ])('«%s» is %s', (text, expected) => {
    expect(moved(text)).toBe(expected);
  });

  it.each([
    ['', 'unreadable'],
    ['tối mai', 'unreadable'],
    ['20:00 21:00', 'unreadable'],
    ['05/12 20:00 thêm', 'unreadable'],
    ['sáng 19h', 'no_such_time'],
    ['sáng 8h tối', 'unreadable'],
    // A date with no time, or a time off the clock, is named as such (the creation grammar's errors).
    ['05/12', 'missing_time'],
    ['24:00', 'no_such_time'],
    ['20:60', 'no_such_time'],
    ['31/11 20:00', 'no_such_day'],
    ['29/02/2027 20:00', 'no_such_day'],
    ['05/13 20:00', 'no_such_day'],
    ['25/11/2026 20:00', 'past'],
    ['26/11/2026 09:59', 'past'],
  ])('«%s» is refused: %s', (text, error) => {
    expect(moved(text)).toBe(error);
  });

  it('keeps the meeting’s own local day when only the time is given, across the UTC date line', () => {
    const early = { ...context, defaultDayOf: at('2026-12-05 00:30') };
    expect(read('06:00', early)).toBe('2026-12-05 06:00');
  });
});

describe('a new meeting’s day and time: a date is required', () => {
  const context = { now: at('2027-03-01 10:00') };
  const created = (text: string) => read(text, context);

  it.each([
    ['20/3 19:30', '2027-03-20 19:30'],
    ['20/03/2027 19h30', '2027-03-20 19:30'],
    ['19 giờ 30 ngày 20/3', '2027-03-20 19:30'],
    ['19 gio 30 ngay 20-3', '2027-03-20 19:30'],
    ['ngày 20.3.27, 8h', '2027-03-20 08:00'],
    ['20/3 7 giờ tối', '2027-03-20 19:00'],
    ['1/3 20:00', '2027-03-01 20:00'],
    // A day already past this year is next year's.
    ['15/1 14:00', '2028-01-15 14:00'],
    ['Thứ Bảy, 20/03/2027, 19:30', '2027-03-20 19:30'],
    ['20/3 8 giờ sáng', '2027-03-20 08:00'],
  ])('«%s» is %s', (text, expected) => {
    expect(created(text)).toBe(expected);
  });

  it.each([
    ['', 'missing_date'],
    ['tối mai', 'missing_date'],
    ['20:00', 'missing_date'],
    ['20/3', 'missing_time'],
    ['20/3 lúc tối', 'missing_time'],
    ['30/2 19:30', 'no_such_day'],
    ['20/13 19:30', 'no_such_day'],
    ['20/3 24:00', 'no_such_time'],
    ['20/3 19:75', 'no_such_time'],
    // Words it does not know are refused, not skipped: the other time might be the one meant.
    ['20/3 19:30 hoặc 21:00', 'unreadable'],
    ['1/3 09:00', 'past'],
  ])('«%s» is refused: %s', (text, error) => {
    expect(created(text)).toBe(error);
  });
});
