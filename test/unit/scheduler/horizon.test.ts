import { describe, expect, it } from 'vitest';
import { holidayCalendar } from '../../../src/content/holidays.js';
import { meetingTimes, parseSchedule } from '../../../src/domain/schedule.js';
import { SHIFT_POLICIES } from '../../../src/domain/types.js';
import { PLANNING_HORIZON_DAYS } from '../../../src/services/planning.js';

/**
 * The planner materialises meetings PLANNING_HORIZON_DAYS ahead, less the day since its last daily run. When a
 * committee member's window has no meeting left, what they are offered is the next window's first meetings: so
 * after any meeting, the cell's next one must already be planned, whatever its rule and shift.
 */
const PHRASES = [
  'ngày 1 hằng tháng 8:00',
  'ngày 5 hằng tháng 19:30',
  'ngày 15 hằng tháng 14:00',
  'ngày 28 hằng tháng 14:00',
  'ngày cuối tháng 16:00',
  'thứ Hai đầu tiên của tháng 8:00',
  'thứ Sáu đầu tiên của tháng 16:30',
  'thứ Bảy đầu tiên của tháng 8:00',
  'thứ Sáu cuối cùng của tháng 19:30',
  'ngày làm việc đầu tiên của tháng 8:00',
  'ngày 5 âm lịch hằng tháng 19:30',
  'rằm hằng tháng 19:00',
];
const DAY_MS = 86_400_000;
const holidays = holidayCalendar();

describe('the planning horizon', () => {
  it.each(PHRASES)(
    'always holds the next meeting after any meeting: «%s», every shift, 2026–2030',
    (phrase) => {
      const parsed = parseSchedule(phrase);
      if (!parsed.ok) throw new Error(`cannot read ${phrase}`);
      for (const shift of SHIFT_POLICIES)
        for (const weekendsAreWorkingDays of [false, true]) {
          const times = meetingTimes(
            parsed.rule,
            { timeZone: 'Asia/Ho_Chi_Minh', shift, weekendsAreWorkingDays, holidays },
            new Date('2026-01-01T00:00:00Z'),
            new Date('2030-12-31T00:00:00Z'),
          );
          const gaps = times.slice(1).map((t, i) => (t.getTime() - (times[i] as Date).getTime()) / DAY_MS);
          expect(Math.max(...gaps)).toBeLessThan(PLANNING_HORIZON_DAYS - 1);
        }
    },
  );
});
