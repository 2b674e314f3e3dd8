import { describe, expect, it } from 'vitest';
import { parseNewMeetingTime } from '../../../src/domain/meeting-time.js';
import { at, local, VN } from './helpers.js';

/** The meeting of Saturday 05/12/2026 19:30, moved on 26/11/2026. */
const context = { current: at('2026-12-05 19:30'), now: at('2026-11-26 10:00'), timeZone: VN };
const moved = (text: string, ctx = context) => {
  const parsed = parseNewMeetingTime(text, ctx);
  return parsed.ok ? local(parsed.startsAt) : parsed.error;
};

describe('a new meeting time as a secretary types it', () => {
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
  ])('«%s» is %s', (text, expected) => {
    expect(moved(text)).toBe(expected);
  });

  it.each([
    ['', 'unreadable'],
    ['tối mai', 'unreadable'],
    ['05/12', 'unreadable'],
    ['24:00', 'unreadable'],
    ['20:60', 'unreadable'],
    ['20:00 21:00', 'unreadable'],
    ['05/12 20:00 thêm', 'unreadable'],
    ['31/11 20:00', 'no_such_date'],
    ['29/02/2027 20:00', 'no_such_date'],
    ['05/13 20:00', 'no_such_date'],
    ['25/11/2026 20:00', 'past'],
    ['26/11/2026 09:59', 'past'],
  ])('«%s» is refused: %s', (text, error) => {
    expect(moved(text)).toBe(error);
  });

  it('keeps the meeting’s own local day when only the time is given, across the UTC date line', () => {
    const early = { ...context, current: at('2026-12-05 00:30') };
    expect(moved('06:00', early)).toBe('2026-12-05 06:00');
  });
});
