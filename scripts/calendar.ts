/**
 * Previews a schedule phrase, with the code the bot plans meetings with:
 *   npm run calendar -- "<phrase>" [--from YYYY-MM] [--months N] [--policy NAME] [--weekends]
 *                       [--holiday keep|next|previous]
 * Prints the regular meetings it gives, each with why it moved, and as its very last line one JSON object:
 *   {"phrase":…,"occurrences":[{"local":"2027-02-11 19:30","nominal":"2027-02-05","reason":"…"|null}]}
 * A phrase the bot would refuse prints the bot's message and exits 1 (the JSON then carries "error").
 */
import { parseArgs } from 'node:util';
import { scheduleLines } from '../handlers/admin.js';
import { holidayCalendar } from '../src/content/holidays.js';
import { DEFAULT_POLICY, loadPolicy } from '../src/content/policy.js';
import { parseSchedule, plannedMeetings, scheduleErrorMessage } from '../src/domain/schedule.js';
import {
  DEFAULT_TIME_ZONE,
  formatTime,
  instantAt,
  isoDate,
  localDateOf,
  MIDNIGHT,
} from '../src/domain/time.js';
import type { ShiftPolicy } from '../src/domain/types.js';
import { type Params, t as translate } from '../src/i18n.js';
import { shiftReason } from '../src/views/format.js';

const USAGE =
  'Usage: npm run calendar -- "<phrase>" [--from YYYY-MM] [--months N] [--policy NAME] [--weekends] [--holiday keep|next|previous]';
const HOLIDAY_SHIFTS: Record<string, ShiftPolicy> = {
  keep: 'none',
  next: 'next_working_day',
  previous: 'previous_working_day',
};

function fail(message: string): never {
  console.error(message);
  console.error(USAGE);
  process.exit(2);
}

let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>;
const options = {
  from: { type: 'string' },
  months: { type: 'string', default: '12' },
  policy: { type: 'string', default: DEFAULT_POLICY },
  weekends: { type: 'boolean', default: false },
  holiday: { type: 'string' },
} as const;
try {
  parsed = parseArgs({ options, allowPositionals: true });
} catch (e) {
  fail((e as Error).message);
}
const { values, positionals } = parsed;
const phrase = positionals.join(' ').trim();
if (!phrase) fail('A schedule phrase is required.');
const months = Number(values.months);
if (!Number.isInteger(months) || months < 1 || months > 240)
  fail('--months must be a whole number from 1 to 240.');
const start = values.from ? /^(\d{4})-(0[1-9]|1[0-2])$/.exec(values.from) : undefined;
if (values.from && !start) fail('--from must be a month YYYY-MM.');
if (values.holiday !== undefined && !(values.holiday in HOLIDAY_SHIFTS))
  fail('--holiday must be keep, next or previous.');

const policy = loadPolicy(values.policy);
const locale = 'vi';
const ctx = { locale, t: (key: string, params?: Params) => translate(key, params, locale) } as const;
const calendar = {
  timeZone: DEFAULT_TIME_ZONE,
  shift: values.holiday ? (HOLIDAY_SHIFTS[values.holiday] as ShiftPolicy) : policy.defaultShift,
  meetsOnWeekends: values.weekends,
};

const read = parseSchedule(phrase);
if (!read.ok) {
  const message = scheduleErrorMessage(read.error, locale, translate);
  console.log(message);
  console.log(JSON.stringify({ phrase, error: { ...read.error, message }, occurrences: [] }));
  process.exit(1);
}

const today = localDateOf(new Date(), DEFAULT_TIME_ZONE);
const first = start
  ? { year: Number(start[1]), month: Number(start[2]), day: 1 }
  : { year: today.year, month: today.month, day: 1 };
const endIndex = first.year * 12 + first.month - 1 + months;
const end = { year: Math.floor(endIndex / 12), month: (endIndex % 12) + 1, day: 1 };
const meetings = plannedMeetings(
  read.rule,
  {
    timeZone: calendar.timeZone,
    shift: calendar.shift,
    weekendsAreWorkingDays: calendar.meetsOnWeekends,
    holidays: holidayCalendar(),
  },
  instantAt(first, MIDNIGHT, calendar.timeZone),
  instantAt(end, MIDNIGHT, calendar.timeZone),
);

const [header = '', , ...items] = scheduleLines(ctx, calendar, read.rule, meetings);
console.log(header);
if (read.unusual) console.log(ctx.t('calendar.unusualHour', { time: formatTime(read.rule.time) }));
console.log(items.length ? items.join('\n') : ctx.t('calendar.none'));
console.log(
  JSON.stringify({
    phrase,
    occurrences: meetings.map((m) => ({
      local: `${isoDate(m.date)} ${formatTime(read.rule.time)}`,
      nominal: isoDate(m.nominal),
      reason: shiftReason(ctx, m.shift) ?? null,
    })),
  }),
);
