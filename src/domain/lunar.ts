import { getLunarDate, getSolarDate, getYearCanChi } from '@dqcai/vn-lunar';
import { addDays } from './time.js';
import type { LocalDate } from './types.js';

/**
 * The Vietnamese lunar calendar (âm lịch), computed at UTC+7, where it differs from the Chinese one (UTC+8):
 * Tết Canh Tuất is 02/02/2030 here, 03/02 in China.
 *
 * Package: @dqcai/vn-lunar (MIT, no dependencies, Node ≥ 14, types included; Hồ Ngọc Đức's tables for
 * 1200–2199 at UTC+7). Compared on Tết and Giỗ Tổ 2025–2030 with content/holidays/vn.json: @dqcai/vn-lunar
 * 12/12; amlich 12/12 but licensed for "personal, non-commercial use" only and wrong in May 2054 (day 0);
 * vietnamese-lunar-calendar 12/12 only when the process runs at UTC+7 (it reads the host zone: 9/12 on a
 * UTC server); lunar-javascript and tyme4ts 11/12 (Chinese calendar: Tết 2030 on 03/02). Over every day of
 * 2025–2060 @dqcai/vn-lunar agrees with Hồ Ngọc Đức's algorithm at UTC+7 except where amlich fails in 2054.
 * Its published bundle is minified, so it is held to those dates by test/unit/domain/lunar.test.ts.
 */

/** A day of the lunar calendar; `leap` marks a day of a leap month (tháng nhuận). */
export type LunarDate = { year: number; month: number; day: number; leap: boolean };

export function lunarOf(date: LocalDate): LunarDate {
  const lunar = getLunarDate(date.day, date.month, date.year);
  return { year: lunar.year, month: lunar.month, day: lunar.day, leap: lunar.leap };
}

/** The first day of the lunar month a solar day falls in. */
export function lunarMonthStart(date: LocalDate): LocalDate {
  return addDays(date, 1 - lunarOf(date).day);
}

/** The days of the lunar month starting on `start` (its mùng 1): 29 or 30. */
export function lunarMonthLength(start: LocalDate): 29 | 30 {
  return lunarOf(addDays(start, 29)).day === 1 ? 29 : 30;
}

/**
 * The solar day of a lunar date, or undefined when there is none (a leap month the year does not have, a
 * 30th in a 29-day month). The package answers something for any input, so the answer is read back.
 */
export function solarOf(lunar: LunarDate): LocalDate | undefined {
  let date: LocalDate;
  try {
    const solar = getSolarDate(lunar.day, lunar.month, lunar.year, lunar.leap);
    date = { year: solar.year, month: solar.month, day: solar.day };
  } catch {
    return undefined;
  }
  const back = lunarOf(date);
  return back.year === lunar.year &&
    back.month === lunar.month &&
    back.day === lunar.day &&
    back.leap === lunar.leap
    ? date
    : undefined;
}

/** The lunar year's name in the sexagenary cycle: 2027 → "Đinh Mùi". */
export const lunarYearName = (year: number): string => getYearCanChi(year);
