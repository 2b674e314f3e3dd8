import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHolidays, loadHolidays } from '../../../src/content/holidays.js';
import { ContentError } from '../../../src/content/problems.js';
import { meetingTimes } from '../../../src/domain/schedule.js';
import { at, local, rule, VN } from './helpers.js';

const holidays = loadHolidays();
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

  it('moves the school\'s "thứ Sáu đầu tiên" meeting after the holiday', () => {
    const times = meetingTimes(
      rule('thứ Sáu đầu tiên của tháng 16:30'),
      { timeZone: VN, shift: 'next_working_day', holidays },
      ...february,
    );
    expect(times.map((d) => local(d))).toEqual(['2027-02-11 16:30']);
  });

  it('keeps 05/02 for a cell without a shift policy', () => {
    const firstFriday = meetingTimes(
      rule('thứ Sáu đầu tiên của tháng 16:30'),
      { timeZone: VN, shift: 'none', holidays },
      ...february,
    );
    const kheLech = meetingTimes(
      rule('ngày 5 hằng tháng 19:30'),
      { timeZone: VN, shift: 'none', weekendsAreWorkingDays: true, holidays },
      ...february,
    );
    expect(firstFriday.map((d) => local(d))).toEqual(['2027-02-05 16:30']);
    expect(kheLech.map((d) => local(d))).toEqual(['2027-02-05 19:30']);
  });
});

describe('checkHolidays', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chibo-holidays-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the shipped calendar', () => {
    expect(checkHolidays()).toEqual([]);
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
    const problems = checkHolidays(dir).map(({ path, message }) => `${path}: ${message}`);
    expect(problems).toEqual([
      'holidays[0].to: must not be before from',
      'holidays[1].from: must be a real date YYYY-MM-DD',
      'holidays[2].name: is required',
      'holidays[3].to: a break of two weeks or more is surely a typo',
    ]);
    expect(checkHolidays(dir).every((p) => p.file === join(dir, 'xx.json'))).toBe(true);
    expect(() => loadHolidays('xx', dir)).toThrow(ContentError);
  });
});
