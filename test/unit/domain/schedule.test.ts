import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeSchedule,
  type MeetingCalendar,
  meetingTimes,
  parseSchedule,
  SCHEDULE_ERROR_CODES,
  scheduleErrorMessage,
} from '../../../src/domain/schedule.js';
import { localDateOf, localTimeOf } from '../../../src/domain/time.js';
import type { Holiday, LocalDate, ScheduleRule, Weekday } from '../../../src/domain/types.js';
import { t } from '../../../src/i18n.js';
import { at, local, rule, VN } from './helpers.js';

const time = (hour: number, minute = 0) => ({ hour, minute });

describe('parseSchedule', () => {
  it.each<[string, ScheduleRule]>([
    ['ngày 5 hằng tháng 14:00', { kind: 'monthday', day: 5, time: time(14) }],
    ['mùng 5 hàng tháng lúc 14h', { kind: 'monthday', day: 5, time: time(14) }],
    ['ngày 5 hằng tháng 19:30', { kind: 'monthday', day: 5, time: time(19, 30) }],
    ['ngay 5 hang thang 19:30', { kind: 'monthday', day: 5, time: time(19, 30) }],
    ['Ngày mồng 1 hằng tháng, 7 giờ 30 phút', { kind: 'monthday', day: 1, time: time(7, 30) }],
    ['thứ Bảy đầu tiên của tháng 8:00', { kind: 'nth_weekday', weekday: 6, nth: 1, time: time(8) }],
    ['THU BAY DAU TIEN CUA THANG 8:00', { kind: 'nth_weekday', weekday: 6, nth: 1, time: time(8) }],
    ['thứ 6 cuối cùng 19:30', { kind: 'nth_weekday', weekday: 5, nth: -1, time: time(19, 30) }],
    ['thứ Sáu đầu tiên của tháng 16:30', { kind: 'nth_weekday', weekday: 5, nth: 1, time: time(16, 30) }],
    ['chủ nhật thứ hai 14h30', { kind: 'nth_weekday', weekday: 0, nth: 2, time: time(14, 30) }],
    ['thứ hai thứ hai 8h', { kind: 'nth_weekday', weekday: 1, nth: 2, time: time(8) }],
    ['thứ Tư tuần thứ ba lúc 2 giờ chiều', { kind: 'nth_weekday', weekday: 3, nth: 3, time: time(14) }],
    ['T7 tuần cuối 7h tối', { kind: 'nth_weekday', weekday: 6, nth: -1, time: time(19) }],
    ['CN thứ 4 lúc 8 giờ rưỡi sáng', { kind: 'nth_weekday', weekday: 0, nth: 4, time: time(8, 30) }],
    ['ngày cuối tháng 8h', { kind: 'last_day', time: time(8) }],
    ['ngày cuối cùng của tháng 08:00', { kind: 'last_day', time: time(8) }],
    ['19h30 ngày 5 hằng tháng', { kind: 'monthday', day: 5, time: time(19, 30) }],
    ['họp định kỳ vào ngày 4 hằng tháng lúc 20:00.', { kind: 'monthday', day: 4, time: time(20) }],
  ])('reads «%s»', (phrase, expected) => {
    expect(parseSchedule(phrase)).toEqual({ ok: true, rule: expected });
  });

  it.each([
    ['thứ Tám đầu tiên 8:00', 'unknown_part', 'thứ Tám'],
    ['ngày 5 hằng tháng 14', 'unknown_part', '14'],
    ['thứ Bảy thứ năm 8:00', 'fifth_weekday', 'thứ Bảy thứ năm'],
    ['thứ Bảy hằng tháng 8:00', 'missing_ordinal', 'thứ Bảy'],
    ['ngày 32 hằng tháng 8:00', 'day_out_of_range', 'ngày 32'],
    ['ngày 5 hằng tháng 25:00', 'time_out_of_range', '25:00'],
    ['ngày 5 ngày 6 8:00', 'repeated', 'ngày 6'],
    ['ngày 5 hằng tháng', 'missing_time', ''],
    ['lúc 14h', 'missing_date', ''],
    ['   ', 'empty', ''],
  ])('names what it did not understand in «%s»', (phrase, code, part) => {
    expect(parseSchedule(phrase)).toEqual({ ok: false, error: { code, part } });
  });

  it('explains an error in Vietnamese with a valid example', () => {
    const parsed = parseSchedule('thứ Tám đầu tiên 8:00');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(scheduleErrorMessage(parsed.error, 'vi', t)).toBe(
      'Không hiểu phần «thứ Tám». Ví dụ hợp lệ: «thứ Bảy đầu tiên của tháng, 8:00»',
    );
  });

  it('has a message for every error code in both languages', () => {
    for (const code of SCHEDULE_ERROR_CODES)
      for (const locale of ['vi', 'en'] as const)
        expect(scheduleErrorMessage({ code, part: 'x' }, locale, t)).not.toMatch(/schedule\.|\{/);
  });

  it('never throws on arbitrary text', () => {
    const words = fc.constantFrom(
      'thứ',
      'Bảy',
      'bay',
      'hai',
      'năm',
      'đầu',
      'tiên',
      'cuối',
      'cùng',
      'ngày',
      'mùng',
      'chủ',
      'nhật',
      'CN',
      'T7',
      'tuần',
      'của',
      'tháng',
      'hằng',
      '14h',
      '14h30',
      '8:00',
      '99:99',
      'giờ',
      'rưỡi',
      'chiều',
      '5',
      '0',
      '31',
      '',
    );
    const phrase = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.array(fc.oneof(words, fc.string()), { maxLength: 12 }).map((ws) => ws.join(' ')),
    );
    fc.assert(
      fc.property(phrase, (text) => {
        const parsed = parseSchedule(text);
        if (parsed.ok) return;
        expect(SCHEDULE_ERROR_CODES).toContain(parsed.error.code);
        expect(typeof parsed.error.part).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });
});

const timeArb = fc.record({ hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }) });
const ruleArb: fc.Arbitrary<ScheduleRule> = fc.oneof(
  fc.record({ kind: fc.constant('monthday' as const), day: fc.integer({ min: 1, max: 31 }), time: timeArb }),
  fc.record({
    kind: fc.constant('nth_weekday' as const),
    weekday: fc.integer({ min: 0, max: 6 }).map((w) => w as Weekday),
    nth: fc.constantFrom(1, 2, 3, 4, -1 as const),
    time: timeArb,
  }),
  fc.record({ kind: fc.constant('last_day' as const), time: timeArb }),
);

describe('describeSchedule', () => {
  it.each([
    ['thứ Bảy đầu tiên của tháng 8:00', 'vi', 'thứ Bảy đầu tiên của tháng, 08:00'],
    ['thứ 6 cuối cùng 19:30', 'en', 'the last Friday of the month, 19:30'],
    ['ngày 5 hằng tháng 14:00', 'vi', 'ngày 5 hằng tháng, 14:00'],
    ['ngày cuối tháng 8h', 'vi', 'ngày cuối tháng, 08:00'],
  ] as const)('writes «%s» back (%s)', (phrase, locale, text) => {
    expect(describeSchedule(rule(phrase), locale, t)).toBe(text);
  });

  it('writes every rule as Vietnamese the parser reads back, with or without diacritics', () => {
    const strip = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd');
    fc.assert(
      fc.property(ruleArb, (r) => {
        const text = describeSchedule(r, 'vi', t);
        expect(parseSchedule(text)).toEqual({ ok: true, rule: r });
        expect(parseSchedule(strip(text))).toEqual({ ok: true, rule: r });
      }),
    );
  });
});

const calendar = (shift: MeetingCalendar['shift'], more: Partial<MeetingCalendar> = {}): MeetingCalendar => ({
  timeZone: VN,
  shift,
  holidays: [],
  ...more,
});
const tet2026: Holiday = { name: 'Tết Nguyên đán Bính Ngọ', from: '2026-02-16', to: '2026-02-20' };
const nationalDay2026: Holiday = { name: 'Quốc khánh', from: '2026-09-01', to: '2026-09-02' };
const newYear2027: Holiday = { name: 'Tết Dương lịch', from: '2027-01-01', to: '2027-01-01' };

describe('meetingTimes', () => {
  it.each<[string, string, MeetingCalendar, string, string, string[]]>([
    [
      'a month with a fifth Saturday',
      'thứ Bảy cuối cùng 8:00',
      calendar('none'),
      '2026-01-01',
      '2026-02-01',
      ['2026-01-31 08:00'],
    ],
    [
      'a month without a fifth Saturday',
      'thứ Bảy cuối cùng 8:00',
      calendar('none'),
      '2026-02-01',
      '2026-03-01',
      ['2026-02-28 08:00'],
    ],
    [
      'the fourth Saturday, not the fifth',
      'thứ Bảy thứ tư 8:00',
      calendar('none'),
      '2026-01-01',
      '2026-02-01',
      ['2026-01-24 08:00'],
    ],
    [
      '29 February in a leap year',
      'ngày 29 hằng tháng 14:00',
      calendar('none'),
      '2028-02-01',
      '2028-03-01',
      ['2028-02-29 14:00'],
    ],
    [
      'day 29 in a common February: its last day',
      'ngày 29 hằng tháng 14:00',
      calendar('none'),
      '2027-02-01',
      '2027-03-01',
      ['2027-02-28 14:00'],
    ],
    [
      'the last day of a leap February',
      'ngày cuối tháng 8h',
      calendar('none'),
      '2028-02-01',
      '2028-03-01',
      ['2028-02-29 08:00'],
    ],
    [
      'a last day on Sunday, moved forward into March',
      'ngày cuối tháng 8h',
      calendar('next_working_day'),
      '2027-02-02',
      '2027-03-02',
      ['2027-03-01 08:00'],
    ],
    [
      'a last day on Sunday, moved back',
      'ngày cuối tháng 8h',
      calendar('previous_working_day'),
      '2027-02-01',
      '2027-03-01',
      ['2027-02-26 08:00'],
    ],
    [
      'a meeting on Tết, kept',
      'ngày 17 hằng tháng 14:00',
      calendar('none', { holidays: [tet2026] }),
      '2026-02-01',
      '2026-03-01',
      ['2026-02-17 14:00'],
    ],
    [
      'a meeting on Tết, after the break',
      'ngày 17 hằng tháng 14:00',
      calendar('next_working_day', { holidays: [tet2026] }),
      '2026-02-01',
      '2026-03-01',
      ['2026-02-23 14:00'],
    ],
    [
      'a meeting on Tết, before the break',
      'ngày 17 hằng tháng 14:00',
      calendar('previous_working_day', { holidays: [tet2026] }),
      '2026-02-01',
      '2026-03-01',
      ['2026-02-13 14:00'],
    ],
    [
      'a meeting on 2/9, after the holiday',
      'ngày 2 hằng tháng 8:00',
      calendar('next_working_day', { holidays: [nationalDay2026] }),
      '2026-09-01',
      '2026-10-01',
      ['2026-09-03 08:00'],
    ],
    [
      'a meeting on 2/9, back into August',
      'ngày 2 hằng tháng 8:00',
      calendar('previous_working_day', { holidays: [nationalDay2026] }),
      '2026-08-15',
      '2026-09-15',
      ['2026-08-31 08:00'],
    ],
    [
      'across the year boundary, forward past New Year and a weekend',
      'ngày 1 hằng tháng 8:00',
      calendar('next_working_day', { holidays: [newYear2027] }),
      '2026-12-15',
      '2027-01-15',
      ['2027-01-04 08:00'],
    ],
    [
      'across the year boundary, back into December',
      'ngày 1 hằng tháng 8:00',
      calendar('previous_working_day', { holidays: [newYear2027] }),
      '2026-12-15',
      '2027-01-15',
      ['2026-12-31 08:00'],
    ],
    [
      'the last days of December and January',
      'ngày cuối tháng 8h',
      calendar('none'),
      '2026-12-01',
      '2027-02-01',
      ['2026-12-31 08:00', '2027-01-31 08:00'],
    ],
    [
      'a Saturday 5th kept by a cell that meets on weekends',
      'ngày 5 hằng tháng 19:30',
      calendar('next_working_day', { weekendsAreWorkingDays: true }),
      '2026-12-01',
      '2027-01-01',
      ['2026-12-05 19:30'],
    ],
    [
      'a Saturday 5th moved to Monday otherwise',
      'ngày 5 hằng tháng 19:30',
      calendar('next_working_day'),
      '2026-12-01',
      '2027-01-01',
      ['2026-12-07 19:30'],
    ],
    [
      'a Saturday rule needs no weekend flag',
      'thứ Bảy đầu tiên 8:00',
      calendar('next_working_day'),
      '2026-03-01',
      '2026-04-01',
      ['2026-03-07 08:00'],
    ],
  ])('%s', (_, phrase, cal, from, to, expected) => {
    expect(meetingTimes(rule(phrase), cal, at(from), at(to)).map((d) => local(d))).toEqual(expected);
  });

  it('puts a 00:30 meeting on the previous day in UTC', () => {
    const [first] = meetingTimes(
      rule('ngày 5 hằng tháng 0:30'),
      calendar('none'),
      at('2026-12-01'),
      at('2027-01-01'),
    );
    expect(first?.toISOString()).toBe('2026-12-04T17:30:00.000Z');
  });

  it('includes a meeting at the first instant of the range and excludes one at the last', () => {
    const r = rule('ngày 5 hằng tháng 14:00');
    const meeting = at('2026-12-05 14:00');
    expect(meetingTimes(r, calendar('none'), meeting, at('2027-01-01'))).toEqual([meeting]);
    expect(meetingTimes(r, calendar('none'), at('2026-12-01'), meeting)).toEqual([]);
  });

  it('follows the cell time zone', () => {
    const r = rule('ngày 1 hằng tháng 9:00');
    const [tokyo] = meetingTimes(
      r,
      calendar('none', { timeZone: 'Asia/Tokyo' }),
      at('2026-03-01'),
      at('2026-03-15'),
    );
    expect(tokyo?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });
});

describe('meetingTimes properties', () => {
  // Zones without daylight saving, so every local time exists: Vietnam's, and far east and west of it.
  const zones = ['Asia/Ho_Chi_Minh', 'UTC', 'Asia/Tokyo', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'];
  const startMs = Date.UTC(2024, 5, 1);
  const dayArb = fc.integer({ min: 0, max: 365 * 7 });
  const holidayArb = fc.record({ start: dayArb, length: fc.integer({ min: 0, max: 9 }) }).map(
    ({ start, length }): Holiday => ({
      name: 'random',
      from: new Date(startMs + start * 86_400_000).toISOString().slice(0, 10),
      to: new Date(startMs + (start + length) * 86_400_000).toISOString().slice(0, 10),
    }),
  );
  const calendarArb = fc.record({
    timeZone: fc.constantFrom(...zones),
    shift: fc.constantFrom('next_working_day', 'previous_working_day', 'none' as const),
    weekendsAreWorkingDays: fc.boolean(),
    holidays: fc.array(holidayArb, { maxLength: 40 }),
  });
  const rangeArb = fc
    .record({ from: fc.integer({ min: 0, max: 365 * 6 * 24 }), hours: fc.integer({ min: 0, max: 500 * 24 }) })
    .map(({ from, hours }) => ({
      from: new Date(startMs + from * 3_600_000),
      to: new Date(startMs + (from + hours) * 3_600_000),
    }));

  // An oracle written apart from the implementation: brute force over the days of each month.
  const utc = (d: LocalDate) => new Date(Date.UTC(d.year, d.month - 1, d.day));
  const key = (d: LocalDate) => utc(d).toISOString().slice(0, 10);
  const plusDays = (d: LocalDate, n: number) =>
    localDateOf(new Date(utc(d).getTime() + n * 86_400_000), 'UTC');
  function nominal(r: ScheduleRule, year: number, month: number): LocalDate {
    const days: LocalDate[] = [];
    for (let day = 1; new Date(Date.UTC(year, month - 1, day)).getUTCMonth() === month - 1; day++)
      days.push({ year, month, day });
    if (r.kind === 'last_day') return days[days.length - 1] as LocalDate;
    if (r.kind === 'monthday') return days[Math.min(r.day, days.length) - 1] as LocalDate;
    const matching = days.filter((d) => utc(d).getUTCDay() === r.weekday);
    return (r.nth === -1 ? matching[matching.length - 1] : matching[r.nth - 1]) as LocalDate;
  }
  function isWorking(d: LocalDate, r: ScheduleRule, cal: MeetingCalendar): boolean {
    if (cal.holidays.some((h) => h.from <= key(d) && key(d) <= h.to)) return false;
    const weekendsWork =
      cal.weekendsAreWorkingDays || (r.kind === 'nth_weekday' && (r.weekday === 0 || r.weekday === 6));
    const weekday = utc(d).getUTCDay();
    return weekendsWork || (weekday !== 0 && weekday !== 6);
  }

  it('gives dates that satisfy the rule and the shift policy, strictly increasing, inside the range', () => {
    fc.assert(
      fc.property(ruleArb, calendarArb, rangeArb, (r, cal, { from, to }) => {
        const times = meetingTimes(r, cal, from, to);
        times.forEach((instant, i) => {
          expect(instant >= from && instant < to).toBe(true);
          if (i > 0) expect(instant > (times[i - 1] as Date)).toBe(true);
          expect(localTimeOf(instant, cal.timeZone)).toEqual(r.time);
          const day = localDateOf(instant, cal.timeZone);
          if (cal.shift === 'none') {
            expect(day).toEqual(nominal(r, day.year, day.month));
            return;
          }
          // Moved from some month's nominal day across non-working days only, onto a working day.
          expect(isWorking(day, r, cal)).toBe(true);
          const step = cal.shift === 'next_working_day' ? -1 : 1;
          let d = plusDays(day, step);
          while (!isWorking(d, r, cal)) d = plusDays(d, step);
          const origin = plusDays(d, -step);
          const candidates = [-1, 0, 1].map((m) => {
            const month = new Date(Date.UTC(day.year, day.month - 1 + m, 1));
            return key(nominal(r, month.getUTCFullYear(), month.getUTCMonth() + 1));
          });
          const movedFrom = candidates.filter((c) =>
            step === -1 ? c >= key(origin) && c <= key(day) : c <= key(origin) && c >= key(day),
          );
          expect(movedFrom.length).toBeGreaterThan(0);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('without a shift policy, gives exactly one meeting per month whose day falls in the range', () => {
    fc.assert(
      fc.property(ruleArb, fc.constantFrom(...zones), rangeArb, (r, timeZone, { from, to }) => {
        const expected: string[] = [];
        const first = localDateOf(from, timeZone);
        for (let m = -1; m <= 18; m++) {
          const month = new Date(Date.UTC(first.year, first.month - 1 + m, 1));
          const day = nominal(r, month.getUTCFullYear(), month.getUTCMonth() + 1);
          const instant = at(
            `${key(day)} ${String(r.time.hour).padStart(2, '0')}:${String(r.time.minute).padStart(2, '0')}`,
            timeZone,
          );
          if (instant >= from && instant < to) expected.push(instant.toISOString());
        }
        const times = meetingTimes(r, { timeZone, shift: 'none', holidays: [] }, from, to);
        expect(times.map((d) => d.toISOString())).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
