import fc from 'fast-check';
import { COMMANDS } from '../../handlers/index.js';
import {
  parseAttendance,
  parseCommand,
  parseReply,
  reasonIn,
  splitForZalo,
} from '../../src/channels/zalo/replies.js';
import { loadHolidays } from '../../src/content/holidays.js';
import { vietnamHolidays } from '../../src/domain/holidays.js';
import { decodeIntent, type Intent } from '../../src/domain/intents.js';
import { parseMeetingTime } from '../../src/domain/meeting-time.js';
import {
  describeSchedule,
  type MeetingCalendar,
  meetingTimes,
  parseSchedule,
} from '../../src/domain/schedule.js';
import { t } from '../../src/i18n.js';
import { readCsv } from '../../src/services/csv.js';
import { rawRequest } from '../../test/support/raw-http.js';
import {
  METRICS_TOKEN,
  TELEGRAM_HOOK,
  TELEGRAM_SECRET,
  ZALO_HOOK,
  ZALO_SECRET,
} from '../../test/support/webhook-app.js';
import type { FuzzWorld } from './world.js';

/**
 * One inbound boundary: how to generate what a stranger could send there, and how to send one case. A throw or
 * rejection from `run` where a refusal was due is a crash. Over HTTP, `run` resolves with the answer's status
 * (undefined when none came before the timeout).
 */
export interface Boundary<T = unknown> {
  name: string;
  arbitrary(world: FuzzWorld): fc.Arbitrary<T>;
  run(input: T, world: FuzzWorld): unknown;
  overHttp?: boolean;
  /** Cases in flight at once (HTTP boundaries). */
  concurrency?: number;
  /** Waits for work the boundary started after answering (a Zalo update is processed after its 200). */
  settle?(world: FuzzWorld): Promise<void>;
}

const defineBoundary = <T>(boundary: Boundary<T>) => boundary as Boundary;

// ── Words people type ────────────────────────────────────────────────────────────────────────────────────

const VIETNAMESE = [
  'ngày',
  'hằng',
  'hàng',
  'tháng',
  'thứ',
  'Bảy',
  'hai',
  'ba',
  'tư',
  'năm',
  'sáu',
  'chủ',
  'nhật',
  'đầu',
  'tiên',
  'cuối',
  'cùng',
  'của',
  'tuần',
  'lúc',
  'giờ',
  'sáng',
  'chiều',
  'tối',
  'âm',
  'lịch',
  'rằm',
  'mùng',
  'mồng',
  'có',
  'mặt',
  'vắng',
  'ốm',
  'đi',
  'công',
  'tác',
  'việc',
  'gia',
  'đình',
  'khác',
  'bận',
  'họp',
  'điểm',
  'danh',
  'kênh',
  'trợ',
  'giúp',
  'co',
  'vang',
  'om',
  'ok',
  'dạ',
  'ạ',
  'em',
  'xin',
  'phép',
  'vào',
  'ngay',
  'luc',
  'gio',
  'h',
  'g',
  ':',
  '/',
  '-',
  '.',
  ',',
  '|',
  'tất',
  'cả',
  'tỉnh',
  'huyện',
  'xã',
  'Chi',
  'bộ',
  'thôn',
];
const numberWord = fc.oneof(
  fc.integer({ min: -3, max: 70 }).map(String),
  fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 99 })).map(([h, m]) => `${h}:${m}`),
  fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 99 })).map(([h, m]) => `${h}h${m}`),
  fc
    .tuple(
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 0, max: 15 }),
      fc.integer({ min: 0, max: 3000 }),
    )
    .map(([d, m, y]) => `${d}/${m}/${y}`),
  fc.constantFrom('1e400', '00', '0x10', '٣', '１２', 'NaN', '9'.repeat(40)),
);
/**
 * Any UTF-16 text, lone surrogates included (a JSON body may escape one: "\ud800"). Built from code points rather
 * than with fc.string({ unit: 'binary' }), which excludes lone surrogates and indexes all 1.1 million code points
 * the first time it splices a dangerous string in: 3 s of CPU in the suite's run.
 */
const anyCodeUnits = (maxLength: number) =>
  fc
    .array(
      fc
        .integer({ min: 0, max: 0x10ffff })
        .map((c) => (c >= 0xd800 && c <= 0xdfff ? String.fromCharCode(c) : String.fromCodePoint(c))),
      { maxLength },
    )
    .map((units) => units.join(''));
/** A phrase of schedule, time, answer and command words (with digits), as people and pranksters type them. */
const phrase = fc
  .array(fc.oneof(fc.constantFrom(...VIETNAMESE), numberWord, fc.string({ maxLength: 6 })), { maxLength: 10 })
  .chain((ws) => fc.constantFrom(' ', '  ', ', ', '\n', '\t').map((sep) => ws.join(sep)))
  .chain((s) => fc.oneof(fc.constant(s), fc.mixedCase(fc.constant(s)), fc.constant(s.normalize('NFD'))));
/** Anything a person could type: phrases, any Unicode and lone surrogates, commands, very long text. */
const typed = fc.oneof(
  { weight: 4, arbitrary: phrase },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  { weight: 1, arbitrary: anyCodeUnits(100) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...COMMANDS, 'nhom huy', 'xyz'),
        fc.option(fc.constant('@chibo_test_bot')),
        phrase,
      )
      .map(([name, at, args]) => `/${name}${at ?? ''} ${args}`),
  },
  // Flattened: fast-check builds a string of thousands of characters as a rope of as many pieces.
  {
    weight: 1,
    arbitrary: fc.string({ minLength: 4_000, maxLength: 5_000 }).map((s) => s.split('').join('')),
  },
);

// ── Telegram updates ─────────────────────────────────────────────────────────────────────────────────────

const BUTTON_TAGS = ['a', 'r', 'm', 'c', 'j', 'jd', 't', 'k'];
const MEETING_ACTIONS = ['tally', 'remind', 'rc', 'rcclose', 'hop', 'htime', 'hplace', 'hkind', 'hcancel'];
const MORE_ACTIONS = ['hcancelok', 'hnotice', 'dangky', 'huydangky', 'combine', 'x'];
/** The buttons the bot itself sends, for the world's meetings, cells and people. */
const realButton = (w: FuzzWorld) => {
  const meeting = fc.constantFrom(...w.meetingIds);
  const cell = fc.constantFrom(...w.cellIds);
  return fc.oneof(
    fc
      .tuple(meeting, fc.constantFrom('p', 'x'), fc.constantFrom('', 'sick', 'work', 'family', 'other'))
      .map(([m, choice, reason]) => `a|${m}|${choice}|${reason}`),
    meeting.map((m) => `r|${m}`),
    fc
      .tuple(
        fc.constantFrom(...MEETING_ACTIONS, ...MORE_ACTIONS),
        meeting,
        fc.oneof(fc.constant(''), fc.constantFrom(...w.personIds), fc.stringMatching(/^[a-z0-9]{1,8}$/)),
      )
      .map(([action, m, arg]) => `m|${action}|${m}|${arg}`),
    fc
      .tuple(
        meeting,
        fc.constantFrom('', 'assign_drafting', 'committee_preparation', 'documents_on_stdvdt'),
        fc.constantFrom('1', '0'),
      )
      .map(([m, step, done]) => (step ? `k|${m}|${step}|${done}` : `k|${m}`)),
    fc
      .tuple(fc.constantFrom('l', 'm', 's', 'c', 'o', 'd'), cell, fc.stringMatching(/^[0-9a-z-]{0,12}$/))
      .map(([action, c, arg]) => `t|${action}|${c}|${arg}`),
    cell.map((c) => `j|${c}`),
    fc.constantFrom('j|', 'c|lich|', 'c|trogiup|', 'c|diemdanh|', 'c|hop|', 'c|chuanbi|', 'c|chuyende|'),
  );
};
/** Callback data: real buttons, their near misses, and noise. */
const callbackData = (w: FuzzWorld) => {
  const id = fc.oneof(
    fc.constantFrom(...w.meetingIds, ...w.cellIds),
    fc.stringMatching(/^[0-9a-z]{0,30}$/),
    fc.string({ maxLength: 12 }),
  );
  const part = fc.oneof(
    id,
    fc.constantFrom('p', 'x', 'sick', 'work', 'other', 'y', 'n', '1', '0', 'l', 'm', 's', ...MEETING_ACTIONS),
  );
  return fc.oneof(
    { weight: 4, arbitrary: realButton(w) },
    fc.tuple(fc.constantFrom(...BUTTON_TAGS), part, part, part).map((parts) => parts.join('|')),
    fc
      .tuple(fc.constantFrom(...BUTTON_TAGS), fc.array(part, { maxLength: 6 }))
      .map(([tag, p]) => [tag, ...p].join('|')),
    fc.string({ maxLength: 80 }),
    anyCodeUnits(70),
  );
};

/** Mostly linked people (secretaries and the admin more than their share), sometimes strangers. */
const telegramUser = (w: FuzzWorld) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...w.secretaries, w.telegramUsers[0] ?? 0) },
    { weight: 4, arbitrary: fc.constantFrom(...w.telegramUsers) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 ** 40 }) },
  );

let nextMessageId = 1;
const telegramUpdate = (w: FuzzWorld) => {
  const from = fc.tuple(telegramUser(w), fc.string({ maxLength: 20 })).map(([id, name]) => ({
    id,
    is_bot: false,
    first_name: name,
  }));
  const group = fc.record({
    id: fc.integer({ min: -(2 ** 40), max: -1 }),
    type: fc.constantFrom('group', 'supergroup'),
    title: fc.string({ maxLength: 30 }),
  });
  const message = fc
    .tuple(
      from,
      typed,
      fc.option(group, { freq: 5 }),
      fc.option(fc.integer({ min: -(2 ** 40), max: -1 }), { freq: 20 }),
    )
    .map(([sender, text, chat, migrate]) => ({
      message_id: nextMessageId++,
      date: 1_700_000_000,
      chat: chat ?? { id: sender.id, type: 'private', first_name: sender.first_name },
      from: sender,
      text,
      ...(text.startsWith('/')
        ? {
            entities: [
              { type: 'bot_command', offset: 0, length: Math.max(1, text.split(/\s/)[0]?.length ?? 1) },
            ],
          }
        : {}),
      ...(migrate === null ? {} : { migrate_to_chat_id: migrate }),
    }));
  const tap = fc.tuple(from, callbackData(w)).map(([sender, data]) => ({
    id: `cb-${nextMessageId++}`,
    from: sender,
    chat_instance: 'fuzz',
    data,
    message: { message_id: 1, date: 0, chat: { id: sender.id, type: 'private' } },
  }));
  const member = fc
    .tuple(from, group, fc.constantFrom('left', 'kicked', 'member', 'administrator'))
    .map(([sender, chat, status]) => ({
      chat,
      from: sender,
      date: 0,
      old_chat_member: { status: 'member', user: { id: 1, is_bot: true, first_name: 'chibo' } },
      new_chat_member: { status, user: { id: 1, is_bot: true, first_name: 'chibo' } },
    }));
  return fc
    .tuple(
      fc.integer({ min: 0, max: 2 ** 31 }),
      fc.oneof(
        { weight: 3, arbitrary: message.map((m) => ({ message: m })) },
        { weight: 3, arbitrary: tap.map((c) => ({ callback_query: c })) },
        { weight: 1, arbitrary: member.map((m) => ({ my_chat_member: m })) },
      ),
    )
    .map(([update_id, body]) => ({ update_id, ...body }));
};

/** Replaces one node of a JSON value (chosen by `pick`) with `value`: a well-formed update made wrong. */
function mutate(root: unknown, pick: number, value: unknown): unknown {
  const nodes: { parent: Record<string, unknown>; key: string }[] = [];
  const walk = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, child] of Object.entries(node)) {
      nodes.push({ parent: node as Record<string, unknown>, key });
      walk(child);
    }
  };
  walk(root);
  const target = nodes[pick % Math.max(1, nodes.length)];
  if (target) target.parent[target.key] = value;
  return root;
}

/** A webhook body: mostly well-formed updates, then updates with one node made wrong, any JSON, any text, any bytes. */
const body = (update: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 8, arbitrary: update.map((u) => JSON.stringify(u)) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(update, fc.nat(), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.anything({ maxDepth: 1 })))
        .map(([u, pick, value]) => JSON.stringify(mutate(u, pick, value)) ?? 'null'),
    },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  );

// ── Zalo updates ─────────────────────────────────────────────────────────────────────────────────────────

const zaloUpdate = (w: FuzzWorld) => {
  const chat = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...w.zaloChats) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
  );
  const content = fc.oneof(
    { weight: 5, arbitrary: typed.map((text) => ({ event: 'message.text.received', text })) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.webUrl(), fc.option(typed)).map(([photo, caption]) => ({
        event: 'message.image.received',
        photo,
        ...(caption ? { caption } : {}),
      })),
    },
    { weight: 1, arbitrary: fc.string().map((sticker) => ({ event: 'message.sticker.received', sticker })) },
    { weight: 1, arbitrary: fc.string().map((event) => ({ event })) },
  );
  const update = fc
    .tuple(chat, content, fc.string({ maxLength: 20 }), fc.boolean(), fc.nat())
    .map(([id, { event, ...message }, name, wrapped, n]) => {
      const u = {
        event_name: event,
        message: {
          from: { id, display_name: name, is_bot: false },
          chat: { id, chat_type: 'PRIVATE' },
          message_id: `fuzz-${n}-${nextMessageId++}`,
          date: Date.now(),
          ...message,
        },
      };
      return wrapped ? { ok: true, result: u } : u;
    });
  return update;
};

// ── Raw HTTP at the socket ───────────────────────────────────────────────────────────────────────────────

const ROUTES = ['/healthz', '/metrics', '/r/', TELEGRAM_HOOK, ZALO_HOOK, '/', '/r'];
const percentEscape = fc.oneof(
  fc.constantFrom(
    '%',
    '%%',
    '%0',
    '%G0',
    '%zz',
    '%E0%A4%A',
    '%C0%AF',
    '%ED%A0%80',
    '%FF',
    '%00',
    '%2F',
    '%5C',
    '%25',
  ),
  fc.integer({ min: 0, max: 255 }).map((n) => `%${n.toString(16).padStart(2, '0')}`),
);
const pathPiece = fc.oneof(
  fc.constantFrom(...ROUTES, '..', '.', '//', '\\', '?', '#', ';', '@', '*', ':', '~'),
  percentEscape,
  fc.webSegment(),
  fc.string({ maxLength: 8 }),
  anyCodeUnits(4),
);
const path = fc.oneof(
  fc.tuple(fc.constantFrom(...ROUTES), fc.array(pathPiece, { maxLength: 8 })).map(([r, p]) => r + p.join('')),
  fc.webPath(),
  fc
    .tuple(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.array(percentEscape, { maxLength: 3 }),
    )
    .map(([url, e]) => url + e.join('')),
  fc.array(pathPiece, { maxLength: 10 }).map((p) => p.join('')),
  fc.constantFrom('*', 'http://[', 'http://[::1', 'https://chibo.example.vn:99999/x', 'ftp://x/', '//x', ''),
);
const METHODS = [
  'GET',
  'POST',
  'HEAD',
  'PUT',
  'DELETE',
  'OPTIONS',
  'PATCH',
  'TRACE',
  'CONNECT',
  'PRI',
  'get',
];
const method = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...METHODS) },
  fc.stringMatching(/^[!-~]{0,12}$/),
);
const version = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('HTTP/1.1', 'HTTP/1.0') },
  fc.constantFrom('HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1 extra', 'HTTP/1', 'http/1.1', ''),
  fc.string({ maxLength: 10 }),
);
const HEADER_NAMES = [
  'Host',
  'Content-Length',
  'Transfer-Encoding',
  'Content-Type',
  'Connection',
  'Expect',
  'Upgrade',
  'X-Request-Id',
  'Authorization',
  'X-Telegram-Bot-Api-Secret-Token',
  'X-Bot-Api-Secret-Token',
  'Cookie',
];
const headerValue = fc.oneof(
  fc.constantFrom(
    TELEGRAM_SECRET,
    ZALO_SECRET,
    `Bearer ${METRICS_TOKEN}`,
    'Bearer x',
    'chunked',
    'gzip, chunked',
    'close',
    'keep-alive',
    'Upgrade',
    'websocket',
    'h2c',
    '100-continue',
    'application/json',
    'application/x-www-form-urlencoded',
    '-1',
    '0',
    '18446744073709551616',
    'x'.repeat(300),
    '[',
    '',
  ),
  fc.string({ maxLength: 40 }),
  anyCodeUnits(20),
);
const header = fc
  .tuple(
    fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HEADER_NAMES) }, fc.string({ maxLength: 20 })),
    headerValue,
  )
  .map(([name, value]) => `${name}: ${value}`);
/** A request's bytes; `utf8` to send text as UTF-8 (raw UTF-8 in a target), else Latin-1 (one byte a char). */
const toBytes = (text: string, utf8: boolean) => Buffer.from(text, utf8 ? 'utf8' : 'latin1');

const http = (name: string, request: (w: FuzzWorld) => fc.Arbitrary<Uint8Array>) =>
  defineBoundary<Uint8Array>({
    name,
    overHttp: true,
    concurrency: 16,
    arbitrary: request,
    run: async (bytes, w) => (await rawRequest(w.port, bytes, { timeoutMs: 400 })).status,
  });

// ── Phrases and tokens ───────────────────────────────────────────────────────────────────────────────────

const csvCell = fc.oneof(
  fc.constantFrom(
    'bi_thu',
    'Bí thư',
    'pho_bi_thu',
    'dang_vien',
    'chinh_thuc',
    'du bi',
    'mien_sinh_hoat',
    'tinh',
    'xã',
    'cơ sở',
    '1|2',
    'tất cả',
    '"a,b"',
    '"',
    '""',
    '"\n"',
    ';',
    '',
  ),
  phrase,
  fc.string({ maxLength: 100 }),
);
const csvHeader = fc.oneof(
  fc.constantFrom(
    'ho_ten,vai_tro,trang_thai',
    'Họ tên;Vai trò',
    'ho_ten,cap,chi_bo',
    'ho_ten',
    '\uFEFFho_ten',
  ),
  fc.array(csvCell, { maxLength: 5 }).map((cells) => cells.join(',')),
);
const csv = fc.oneof(
  fc
    .tuple(
      csvHeader,
      fc.array(fc.array(csvCell, { maxLength: 6 }), { maxLength: 8 }),
      fc.constantFrom(',', ';', '\t'),
      fc.constantFrom('\n', '\r\n', '\r'),
    )
    .map(([head, rows, sep, eol]) => [head, ...rows.map((r) => r.join(sep))].join(eol)),
  fc.string({ maxLength: 400 }),
);

const numberedOptions = (w: FuzzWorld) =>
  fc.array(
    fc
      .tuple(
        phrase,
        fc.constantFrom(...w.meetingIds),
        fc.constantFrom('sick', 'work', 'family', 'other', undefined),
      )
      .map(([label, meetingId, reason]): { label: string; intent: Intent } => ({
        label,
        intent: reason
          ? { type: 'answer', meetingId, choice: 'absent', reason }
          : { type: 'ask_reason', meetingId },
      })),
    { maxLength: 5 },
  );

/** The calendar a Vietnamese cell plans by: the holiday file and the computed holidays past it. */
const CALENDAR: MeetingCalendar = {
  timeZone: 'Asia/Ho_Chi_Minh',
  shift: 'next_working_day',
  holidays: vietnamHolidays(loadHolidays(), t),
};

/** Every inbound boundary, in the order the report lists them. */
export const BOUNDARIES: Boundary[] = [
  http('http-request-lines', () =>
    fc
      .tuple(method, path, version, fc.boolean())
      .map(([m, target, v, utf8]) =>
        toBytes(`${m} ${target} ${v}\r\nHost: chibo.example.vn\r\nConnection: close\r\n\r\n`, utf8),
      ),
  ),
  http('http-headers', () =>
    fc
      .tuple(
        fc.constantFrom('GET', 'POST'),
        fc.constantFrom(...ROUTES),
        fc.array(header, { maxLength: 8 }),
        fc.string({ maxLength: 64 }),
        fc.boolean(),
      )
      .map(([m, route, headers, payload, withLength]) => {
        const length = withLength ? `Content-Length: ${Buffer.byteLength(payload)}\r\n` : '';
        return toBytes(
          `${m} ${route} HTTP/1.1\r\nHost: x\r\n${headers.join('\r\n')}\r\n${length}Connection: close\r\n\r\n${payload}`,
          true,
        );
      }),
  ),
  http('http-paths', () =>
    fc
      .tuple(fc.constantFrom('GET', 'POST', 'HEAD'), path, fc.boolean())
      .map(([m, target, utf8]) =>
        toBytes(
          `${m} ${target} HTTP/1.1\r\nHost: chibo.example.vn\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
          utf8,
        ),
      ),
  ),
  http('http-raw-bytes', () =>
    fc
      .tuple(
        fc.option(
          fc.constantFrom('GET / HTTP/1.1\r\n', 'POST /hooks/telegram HTTP/1.1\r\nHost: x\r\n', 'GET '),
        ),
        fc.uint8Array({ maxLength: 400 }),
      )
      .map(([prefix, bytes]) => Buffer.concat([Buffer.from(prefix ?? ''), bytes, Buffer.from('\r\n\r\n')])),
  ),
  defineBoundary<string | Uint8Array>({
    name: 'telegram-webhook',
    overHttp: true,
    concurrency: 8,
    arbitrary: (w) => body(telegramUpdate(w)),
    run: (input, w) => statusOf(w.hooks.postTelegram(input)),
  }),
  defineBoundary<string | Uint8Array>({
    name: 'zalo-webhook',
    overHttp: true,
    concurrency: 8,
    arbitrary: (w) => body(zaloUpdate(w)),
    run: (input, w) => statusOf(w.hooks.postZalo(input)),
    settle: (w) => quiet(() => w.hooks.zalo.calls.length + w.errors.count),
  }),
  defineBoundary<string>({
    name: 'telegram-callback-data',
    arbitrary: callbackData,
    run: (data) => {
      decodeIntent(data);
    },
  }),
  defineBoundary<[string, { label: string; intent: Intent }[]]>({
    name: 'zalo-texts',
    arbitrary: (w) => fc.tuple(typed, numberedOptions(w)),
    run: ([text, options]) => {
      parseAttendance(text);
      parseReply(text, options);
      parseCommand(text);
      reasonIn(text);
      splitForZalo(text);
    },
  }),
  defineBoundary<[string, boolean]>({
    name: 'roster-csv',
    arbitrary: () => fc.tuple(csv, fc.boolean()),
    run: async ([text, committee], w) => {
      readCsv(text, ['ho_ten']);
      const { services } = w.hooks.app;
      const cell = await services.repos.cells.get(w.scratchCellId);
      if (!cell) throw new Error('the scratch cell is gone');
      if (committee) await services.visits.importAssignments(cell.orgId, [cell], text, 'fuzz');
      else await services.roster.importRoster(cell, text, 'fuzz');
    },
  }),
  defineBoundary<string>({
    name: 'schedule-phrases',
    arbitrary: () => fc.oneof(phrase, fc.string({ maxLength: 80 })),
    run: (text) => {
      const parsed = parseSchedule(text);
      if (!parsed.ok) return;
      // A rule read is a rule the rest of the service can use.
      describeSchedule(parsed.rule, 'vi', t);
      meetingTimes(parsed.rule, CALENDAR, new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'));
    },
  }),
  defineBoundary<[string, boolean]>({
    name: 'meeting-time-phrases',
    arbitrary: () => fc.tuple(fc.oneof(phrase, fc.string({ maxLength: 60 })), fc.boolean()),
    run: ([text, withDay]) => {
      const now = new Date('2026-11-26T03:00:00Z');
      parseMeetingTime(text, {
        now,
        timeZone: 'Asia/Ho_Chi_Minh',
        ...(withDay ? { defaultDayOf: new Date('2026-12-05T12:30:00Z') } : {}),
      });
    },
  }),
  defineBoundary<string>({
    name: 'link-tokens',
    arbitrary: (w) =>
      fc.oneof(
        fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 3 })).map(([at, s]) => {
          const i = at % w.token.length;
          return w.token.slice(0, i) + s + w.token.slice(i + 1);
        }),
        fc
          .tuple(fc.base64String({ maxLength: 200 }), fc.base64String({ maxLength: 60 }))
          .map(([a, b]) => `${a}.${b}`.replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '')),
        fc
          .jsonValue()
          .map(
            (v) => `${Buffer.from(JSON.stringify(v) ?? '').toString('base64url')}.${w.token.split('.')[1]}`,
          ),
        fc.string({ maxLength: 600 }),
      ),
    run: async (token, w) => {
      await w.signer.verify(token, Date.now());
    },
  }),
  defineBoundary<string>({
    name: 'answer-forms',
    overHttp: true,
    concurrency: 8,
    arbitrary: () =>
      fc.oneof(
        fc
          .array(
            fc.tuple(
              fc.constantFrom('answer', 'note', 'x', ''),
              fc.oneof(fc.constantFrom('present', 'sick', 'work', 'family', 'other', ''), typed),
            ),
            { maxLength: 4 },
          )
          .map((fields) => new URLSearchParams(fields).toString()),
        fc.string({ maxLength: 300 }),
        fc.array(percentEscape, { maxLength: 10 }).map((e) => `answer=${e.join('')}`),
      ),
    run: (form, w) =>
      statusOf(
        fetch(w.hooks.url(`/r/${w.token}`), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form,
        }),
      ),
  }),
];

/** The status of an answer, once its body is read (so the connection is free for the next case). */
async function statusOf(answer: Promise<Response>): Promise<number> {
  const res = await answer;
  await res.arrayBuffer();
  return res.status;
}

/** Waits until `probe` has not changed for a moment (bounded), for work that goes on after a 200. */
async function quiet(probe: () => number, forMs = 300, boundMs = 60_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  let last = probe();
  let since = Date.now();
  while (Date.now() - since < forMs && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = probe();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}
