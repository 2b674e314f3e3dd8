import { formatDateTime } from '../src/domain/time.js';
import { t as translate } from '../src/i18n.js';
import type { Cell, Meeting } from '../src/store/records.js';
import type { HandlerContext } from './context.js';

/** "Thứ Năm, 05/12/2026, 14:00" in the cell's time zone. */
export const when = (ctx: Pick<HandlerContext, 'locale'>, meeting: Meeting, cell: Cell) =>
  formatDateTime(new Date(meeting.startsAt), cell.timeZone, ctx.locale, translate);

/** The meeting's kind as members read it ("Sinh hoạt thường kỳ"). */
export const kindLabel = (ctx: Pick<HandlerContext, 't'>, meeting: Meeting) =>
  ctx.t(`meeting.kind.${meeting.kind}`);

/** The meeting's kind inside a sentence ("Kính mời đồng chí dự buổi sinh hoạt chi bộ thường kỳ"). */
export const kindInSentence = (ctx: Pick<HandlerContext, 't'>, meeting: Meeting) =>
  ctx.t(`reminders.kind.${meeting.kind}`);
