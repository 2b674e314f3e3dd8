import { formatDateTime, formatTime, parseIsoDate, weekdayOf } from '../domain/time.js';
import { t as translate } from '../i18n.js';
import type { Cell, Meeting } from '../store/records.js';
import type { Words } from './words.js';

/** "14:00". */
export const hhmm = formatTime;

/** "Thứ Năm, 05/12/2026, 14:00" in a time zone. */
export const whenAt = (ctx: Pick<Words, 'locale'>, instant: Date, timeZone: string) =>
  formatDateTime(instant, timeZone, ctx.locale, translate);

/** "Thứ Năm, 05/12/2026, 14:00" in the cell's time zone. */
export const when = (ctx: Pick<Words, 'locale'>, meeting: Meeting, cell: Cell) =>
  whenAt(ctx, new Date(meeting.startsAt), cell.timeZone);

/** The meeting's kind as members read it ("Sinh hoạt thường kỳ"). */
export const kindLabel = (ctx: Pick<Words, 't'>, meeting: Meeting) => ctx.t(`meeting.kind.${meeting.kind}`);

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Why a scheduled meeting is not on the day its rule names: "dời từ Thứ Bảy 06/02 vì Tết Nguyên đán Đinh Mùi
 * (dự kiến)", provisional when the holiday's days are not yet announced. Undefined for a meeting on its day.
 * The bot's views and `npm run calendar` both word it here.
 */
export function shiftReason(ctx: Pick<Words, 't'>, shift: Meeting['shift']): string | undefined {
  const from = shift && parseIsoDate(shift.from);
  if (!shift || !from) return undefined;
  const day = ctx.t('schedule.shift.day', {
    weekday: capitalize(ctx.t(`time.weekday.${weekdayOf(from)}`)),
    date: `${String(from.day).padStart(2, '0')}/${String(from.month).padStart(2, '0')}`,
  });
  const reason = shift.holiday
    ? ctx.t('schedule.shift.holiday', { from: day, holiday: shift.holiday })
    : ctx.t('schedule.shift.weekend', { from: day });
  return shift.provisional ? `${reason} ${ctx.t('schedule.provisional')}` : reason;
}

/** "Ghi chú: dời từ …", the line secretaries see under a moved meeting's time; none for a meeting on its day. */
export const shiftNote = (ctx: Pick<Words, 't'>, meeting: Meeting): string[] => {
  const reason = shiftReason(ctx, meeting.shift);
  return reason ? [ctx.t('meeting.shiftNote', { reason })] : [];
};

/** The meeting's kind inside a sentence ("Kính mời đồng chí dự buổi sinh hoạt chi bộ thường kỳ"). */
export const kindInSentence = (ctx: Pick<Words, 't'>, meeting: Pick<Meeting, 'kind'>) =>
  ctx.t(`reminders.kind.${meeting.kind}`);
