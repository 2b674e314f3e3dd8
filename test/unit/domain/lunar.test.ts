import { describe, expect, it } from 'vitest';
import { loadHolidays } from '../../../src/content/holidays.js';
import {
  lunarMonthLength,
  lunarMonthStart,
  lunarOf,
  lunarYearName,
  solarOf,
} from '../../../src/domain/lunar.js';
import { isoDate } from '../../../src/domain/time.js';

/**
 * The lunar package (@dqcai/vn-lunar) held to the holiday file's Tết and Giỗ Tổ, which were checked against the
 * government's announcements: a package computing at UTC+8 (the Chinese calendar) fails 2030.
 */
const holidays = loadHolidays();

describe('the Vietnamese lunar calendar at UTC+7', () => {
  it.each([2025, 2026, 2027, 2028, 2029, 2030])(
    'puts mùng 1 Tết and Giỗ Tổ (10/3) of %i where the file has them',
    (year) => {
      const tet = solarOf({ year, month: 1, day: 1, leap: false });
      const hungKings = solarOf({ year, month: 3, day: 10, leap: false });
      const tetHoliday = holidays.find(
        (h) => h.name.startsWith('Tết Nguyên đán') && h.from.startsWith(String(year)),
      );
      const hungHoliday = holidays.find(
        (h) => h.name.startsWith('Giỗ Tổ') && h.from.startsWith(String(year)),
      );
      expect(tet && tetHoliday && isoDate(tet) >= tetHoliday.from && isoDate(tet) <= tetHoliday.to).toBe(
        true,
      );
      expect(hungKings && isoDate(hungKings)).toBe(hungHoliday?.from);
    },
  );

  it('has Tết Canh Tuất on 02/02/2030, a day before China', () => {
    expect(lunarOf({ year: 2030, month: 2, day: 2 })).toEqual({ year: 2030, month: 1, day: 1, leap: false });
    expect(lunarYearName(2030)).toBe('Canh Tuất');
  });

  it('knows the leap fifth month of 2028', () => {
    const leap = solarOf({ year: 2028, month: 5, day: 1, leap: true });
    expect(leap && isoDate(leap)).toBe('2028-06-23');
    expect(solarOf({ year: 2027, month: 5, day: 1, leap: true })).toBeUndefined();
  });

  it('refuses a day the month does not have', () => {
    // Tháng Chạp Bính Ngọ has 29 days: Tết Đinh Mùi follows on 06/02/2027.
    const last = lunarMonthStart({ year: 2027, month: 2, day: 5 });
    expect(lunarMonthLength(last)).toBe(29);
    expect(solarOf({ year: 2026, month: 12, day: 30, leap: false })).toBeUndefined();
  });
});
