import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHolidays, holidayCalendar, loadHolidays } from '../../../src/content/holidays.js';
import { ContentError } from '../../../src/content/problems.js';
import { HolidayCalendar, tetBreak, vietnamHolidaysOf } from '../../../src/domain/holidays.js';
import { meetingTimes, plannedMeetings } from '../../../src/domain/schedule.js';
import { addDays, daysBetween, isoDate, parseIsoDate } from '../../../src/domain/time.js';
import type { Holiday } from '../../../src/domain/types.js';
import { t } from '../../../src/i18n.js';
import { at, local, rule, VN } from './helpers.js';

const holidays = loadHolidays();
const calendar = holidayCalendar(holidays);
const covering = (date: string) => holidays.filter((h) => h.from <= date && date <= h.to).map((h) => h.name);

describe('the Vietnamese holiday calendar', () => {
  it.each([
    ['2025-01-29', 'Tết Nguyên đán Ất Tỵ'],
    ['2026-02-17', 'Tết Nguyên đán Bính Ngọ'],
    ['2027-02-06', 'Tết Nguyên đán Đinh Mùi'],
    ['2028-01-26', 'Tết Nguyên đán Mậu Thân'],
    ['2029-02-13', 'Tết Nguyên đán Kỷ Dậu'],
    // 2/2 at UTC+7; China's calendar (UTC+8) puts this new year on 3/2.
    ['2030-02-02', 'Tết Nguyên đán Canh Tuất'],
  ])('keeps the first day of Tết, %s, inside %s', (date, name) => {
    expect(covering(date)).toEqual([name]);
  });

  it.each([['2025-04-07'], ['2026-04-26'], ['2027-04-16'], ['2028-04-04'], ['2029-04-23'], ['2030-04-12']])(
    'has Giỗ Tổ Hùng Vương (10/3 lunar) on %s',
    (date) => {
      expect(covering(date)[0]).toMatch(/^Giỗ Tổ Hùng Vương/);
    },
  );

  it('has New Year, 30/4, 1/5 and 2/9 with its extra day every year from 2025 to 2030', () => {
    for (let year = 2025; year <= 2030; year++) {
      for (const day of ['01-01', '04-30', '05-01', '09-02'])
        expect(covering(`${year}-${day}`)).not.toEqual([]);
      expect([...covering(`${year}-09-01`), ...covering(`${year}-09-03`)]).not.toEqual([]);
    }
  });

  it('includes 05/02/2027, the eve of Tết Đinh Mùi, in the official break', () => {
    expect(covering('2027-02-05')).toEqual(['Tết Nguyên đán Đinh Mùi']);
  });
});

describe('journey 7: Tết Đinh Mùi', () => {
  const february = [at('2027-02-01'), at('2027-03-01')] as const;

  // A weekday rule keeps its weekday: Friday 05/02 is in the break (04–10/02), so Friday 12/02, not Thursday 11/02.
  it('moves the school\'s "thứ Sáu đầu tiên" meeting to the Friday after the holiday', () => {
    const times = meetingTimes(
      rule('thứ Sáu đầu tiên của tháng 16:30'),
      { timeZone: VN, shift: 'next_working_day', holidays: calendar },
      ...february,
    );
    expect(times.map((d) => local(d))).toEqual(['2027-02-12 16:30']);
  });

  it('keeps 05/02 for a cell without a shift policy', () => {
    const firstFriday = meetingTimes(
      rule('thứ Sáu đầu tiên của tháng 16:30'),
      { timeZone: VN, shift: 'none', holidays: calendar },
      ...february,
    );
    const kheLech = meetingTimes(
      rule('ngày 5 hằng tháng 19:30'),
      { timeZone: VN, shift: 'none', weekendsAreWorkingDays: true, holidays: calendar },
      ...february,
    );
    expect(firstFriday.map((d) => local(d))).toEqual(['2027-02-05 16:30']);
    expect(kheLech.map((d) => local(d))).toEqual(['2027-02-05 19:30']);
  });
});

/** Every day a list of holidays covers, as `YYYY-MM-DD`. */
function daysOff(list: readonly Holiday[]): string[] {
  const days: string[] = [];
  for (const h of list) {
    const from = parseIsoDate(h.from);
    const to = parseIsoDate(h.to);
    if (from && to) for (let d = from; daysBetween(d, to) >= 0; d = addDays(d, 1)) days.push(isoDate(d));
  }
  return days.sort();
}

describe('holidays computed from the law, for years past the file', () => {
  it.each([2025, 2026, 2027, 2028, 2029, 2030])(
    'gives exactly the days off the file lists for %i (Tết, Giỗ Tổ, 30/4, 1/5, 2/9 and the days in lieu)',
    (year) => {
      const listed = holidays.filter((h) => h.from.startsWith(String(year)));
      expect(daysOff(vietnamHolidaysOf(year, t))).toEqual(daysOff(listed));
    },
  );

  it.each([
    [2025, '2025-01-27', '2025-01-31'],
    [2026, '2026-02-16', '2026-02-20'],
    [2027, '2027-02-04', '2027-02-10'],
    [2028, '2028-01-24', '2028-01-28'],
    [2029, '2029-02-12', '2029-02-16'],
    [2030, '2030-01-31', '2030-02-06'],
  ])('puts the Tết break of %i from %s to %s, as the file does', (year, from, to) => {
    const tet = tetBreak(year);
    expect(tet && [isoDate(tet.from), isoDate(tet.to)]).toEqual([from, to]);
  });

  it('covers every year after the file with provisional days: Tết Tân Hợi 2031 and Giỗ Tổ 2040', () => {
    expect(calendar.lastFixedYear).toBe(2030);
    expect(calendar.on({ year: 2031, month: 1, day: 23 })).toEqual({
      name: 'Tết Nguyên đán Tân Hợi',
      from: '2031-01-21',
      to: '2031-01-27',
      provisional: true,
    });
    // 10/3 Canh Thân is Thứ Sáu 20/04/2040.
    expect(calendar.on({ year: 2040, month: 4, day: 20 })).toMatchObject({
      name: 'Giỗ Tổ Hùng Vương',
      provisional: true,
    });
    for (let year = 2031; year <= 2040; year++)
      expect(calendar.on({ year, month: 9, day: 2 })?.name).toBe('Quốc khánh');
  });

  it('gives the next working day off for a holiday on a weekend (Điều 111): 1/1/2033 is a Saturday', () => {
    expect(calendar.on({ year: 2033, month: 1, day: 3 })?.name).toBe('Nghỉ bù Tết Dương lịch');
  });

  it('moves a meeting off a computed Tết and says the day is provisional', () => {
    const february2032 = (phrase: string) =>
      plannedMeetings(
        rule(phrase),
        { timeZone: VN, shift: 'next_working_day', holidays: calendar },
        at('2032-02-01'),
        at('2032-03-01'),
      )[0];
    // Tết Nhâm Tý: mùng 1 is Thứ Tư 11/02/2032; the break runs 09/02–13/02; the 5th is a Thursday.
    expect(local(february2032('ngày 5 hằng tháng 19:30')?.at as Date)).toBe('2032-02-05 19:30');
    const tet = february2032('ngày 10 hằng tháng 19:30');
    expect(local(tet?.at as Date)).toBe('2032-02-16 19:30');
    expect(tet?.shift).toEqual({ from: '2032-02-10', holiday: 'Tết Nguyên đán Nhâm Tý', provisional: true });
  });

  it('leaves a calendar without a rule as listed', () => {
    expect(new HolidayCalendar([]).on({ year: 2031, month: 1, day: 23 })).toBeUndefined();
  });
});

describe('checkHolidays', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chibo-holidays-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the shipped calendar', () => {
    expect(checkHolidays(undefined, { year: 2026, month: 12, day: 6 })).toEqual([]);
  });

  it('fails when the listed days reach less than two years ahead', () => {
    expect(checkHolidays(undefined, { year: 2028, month: 12, day: 31 })).toEqual([]);
    expect(checkHolidays(undefined, { year: 2029, month: 1, day: 1 })).toEqual([
      {
        file: 'content/holidays/vn.json',
        path: 'holidays',
        message: 'the listed days end in 2030; add the announced days through 2031-01-01 (two years ahead)',
      },
    ]);
  });

  it('names the file and the entry of every problem', () => {
    writeFileSync(
      join(dir, 'xx.json'),
      JSON.stringify({
        holidays: [
          { name: 'Tết', from: '2027-02-10', to: '2027-02-04' },
          { name: 'Quốc khánh', from: '2027-02-30', to: '2027-03-01' },
          { from: '2027-04-30', to: '2027-05-01' },
          { name: 'Typo', from: '2027-09-02', to: '2027-12-03' },
        ],
      }),
    );
    const problems = checkHolidays(dir, { year: 2026, month: 1, day: 1 }).map(
      ({ path, message }) => `${path}: ${message}`,
    );
    expect(problems).toEqual([
      'holidays[0].to: must not be before from',
      'holidays[1].from: must be a real date YYYY-MM-DD',
      'holidays[2].name: is required',
      'holidays[3].to: a break of two weeks or more is surely a typo',
    ]);
    expect(
      checkHolidays(dir, { year: 2026, month: 1, day: 1 }).every((p) => p.file === join(dir, 'xx.json')),
    ).toBe(true);
    expect(() => loadHolidays('xx', dir)).toThrow(ContentError);
  });
});
