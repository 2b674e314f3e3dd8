import { describe, expect, it } from 'vitest';
import { parseMeetingTime } from '../../../src/domain/typed-meeting-time.js';

const today = { year: 2027, month: 3, day: 1 };

describe('parseMeetingTime: a one-off meeting’s day and time as typed', () => {
  it.each([
    ['20/3 19:30', { year: 2027, month: 3, day: 20 }, { hour: 19, minute: 30 }],
    ['20/03/2027 19h30', { year: 2027, month: 3, day: 20 }, { hour: 19, minute: 30 }],
    ['19 giờ 30 ngày 20/3', { year: 2027, month: 3, day: 20 }, { hour: 19, minute: 30 }],
    ['19 gio 30 ngay 20-3', { year: 2027, month: 3, day: 20 }, { hour: 19, minute: 30 }],
    ['ngày 20.3.27, 8h', { year: 2027, month: 3, day: 20 }, { hour: 8, minute: 0 }],
    ['20/3 7 giờ tối', { year: 2027, month: 3, day: 20 }, { hour: 19, minute: 0 }],
    ['1/3 20:00', { year: 2027, month: 3, day: 1 }, { hour: 20, minute: 0 }],
    // A day already past this year is next year's.
    ['15/1 14:00', { year: 2028, month: 1, day: 15 }, { hour: 14, minute: 0 }],
  ])('%s', (text, date, time) => {
    expect(parseMeetingTime(text, today)).toEqual({ ok: true, date, time });
  });

  it.each([
    ['tối mai', 'missing_date'],
    ['20/3', 'missing_time'],
    ['20/3 lúc tối', 'missing_time'],
    ['30/2 19:30', 'no_such_day'],
    ['20/13 19:30', 'no_such_day'],
    ['20/3 24:00', 'no_such_time'],
    ['20/3 19:75', 'no_such_time'],
  ])('refuses %s (%s)', (text, error) => {
    expect(parseMeetingTime(text, today)).toEqual({ ok: false, error });
  });
});
