import type { Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { PENDING_TEXT_TTL_MS, translate } from '../../src/channels/conversation.js';
import { createTelegramBot } from '../../src/channels/telegram/bot.js';
import { answerLink, LinkSigner } from '../../src/channels/web/links.js';
import { answerPages } from '../../src/channels/web/pages.js';
import { createZaloChannel } from '../../src/channels/zalo/adapter.js';
import { ZaloBot } from '../../src/channels/zalo/client.js';
import { encodeIntent, type Intent } from '../../src/domain/intents.js';
import { createHttpApp, listen } from '../../src/http/server.js';
import { t } from '../../src/i18n.js';
import { createLogger } from '../../src/logger.js';
import { keys } from '../../src/store/keys.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { invitationView } from '../../src/views/attendance.js';
import { FAKE_TOKEN, FakeTelegram } from '../support/fake-telegram.js';
import { FakeZalo, zaloUpdate } from '../support/fake-zalo.js';
import { LogLines } from '../support/log-lines.js';
import { BOT_INFO } from '../support/telegram.js';
import { sqliteFile, type TestClock, world } from '../support/world.js';

/**
 * The one conversation path (src/channels/conversation.ts) as each channel takes it: Telegram through the fake
 * Bot API, Zalo through the fake Zalo API, the web answer page over HTTP; real services on a real store whose
 * expiry follows the test clock.
 */
const ROSTER = 'ho_ten,vai_tro\nNguyễn Văn Tuấn,Bí thư\nLò Văn Sinh,Đảng viên\nHà Thị Mai,Đảng viên\n';
const SECRET = 'a-link-secret-for-tests-only-0123456789';
const TG_SINH = 43;
const ZALO_MAI = 'zalo-mai';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  let clock: TestClock | undefined;
  // The store's expiry runs on the test clock, so a pending question's life is measured in simulated time.
  const store = new SqliteStore(sqliteFile(), { now: () => clock?.now() ?? Date.now() });
  const w = world(store, '2026-11-26T03:00:00Z');
  clock = w.clock;
  const khe = await w.cell('Chi bộ thôn Khe Lếch', ROSTER);
  const meeting = await w.meeting(khe.cell, '2026-12-05T12:30:00Z');
  const logs = new LogLines();
  const log = createLogger({ level: 'info', destination: logs });

  const telegram = await FakeTelegram.start();
  cleanups.push(() => telegram.close());
  const tg = createTelegramBot({
    token: FAKE_TOKEN,
    apiRoot: telegram.apiRoot,
    services: w.services,
    store,
    log,
    now: w.clock.now,
    botInfo: BOT_INFO,
    floodGuard: { limit: 1000, timeFrameMs: 1000 },
  });
  const zalo = await FakeZalo.start();
  cleanups.push(() => zalo.close());
  const zaloBot = new ZaloBot(zalo.token, { baseApiUrl: zalo.baseApiUrl, polling: { autoStart: false } });
  const channel = createZaloChannel({ bot: zaloBot, services: w.services, store, log, now: w.clock.now });
  const signer = new LinkSigner(SECRET);
  const http = await listen(
    createHttpApp(log).route('/', answerPages({ services: w.services, signer, log, now: w.clock.now })),
    { port: 0, host: '127.0.0.1' },
  );
  cleanups.push(() => http.close());

  const link = async (code: string, channelName: 'telegram' | 'zalo', id: string) => {
    const linked = await w.services.people.linkWithCode(code, channelName, id);
    if (!linked.ok) throw new Error(linked.reason);
    return linked.person;
  };
  const sinh = await link(khe.code('Lò Văn Sinh'), 'telegram', String(TG_SINH));
  const mai = await link(khe.code('Hà Thị Mai'), 'zalo', ZALO_MAI);

  let updateId = 1;
  const from = { id: TG_SINH, is_bot: false, first_name: 'Sinh' };
  const chat = { id: TG_SINH, type: 'private' as const, first_name: 'Sinh' };
  /** Sinh writes to the bot on Telegram; resolves with the texts it sent back. */
  async function telegramSays(text: string) {
    const before = telegram.sent.length;
    w.clock.advance(1_000);
    const update = { update_id: updateId++, message: { message_id: updateId, date: 0, chat, from, text } };
    await tg.bot.handleUpdate(update as unknown as Update);
    return telegram.sent.slice(before).map((m) => m.text);
  }
  /** Sinh taps a button standing for `intent`; resolves with the tap's toast and the texts sent or edited. */
  async function telegramTaps(intent: Intent) {
    const [sent, edits, answers] = [
      telegram.sent.length,
      telegram.edits.length,
      telegram.callbackAnswers.length,
    ];
    w.clock.advance(1_000);
    const message = { message_id: 500, date: 0, chat, text: 'old' };
    const update = {
      update_id: updateId++,
      callback_query: {
        id: `cb-${updateId}`,
        from,
        chat_instance: 'ci',
        data: encodeIntent(intent),
        message,
      },
    };
    await tg.bot.handleUpdate(update as unknown as Update);
    return {
      toast: telegram.callbackAnswers.slice(answers).at(-1)?.text,
      texts: [...telegram.sent.slice(sent), ...telegram.edits.slice(edits)].map((m) => m.text),
    };
  }
  /** Mai writes to the bot on Zalo; resolves with the texts it sent back. */
  async function zaloSays(text: string) {
    const before = zalo.sent.length;
    w.clock.advance(1_000);
    const update = zaloUpdate({ text }, { chatId: ZALO_MAI, displayName: 'Hà Thị Mai' });
    await channel.receive(update.message as never);
    return zalo.sent.slice(before).map((m) => m.text ?? '');
  }
  /** Mai's invitation on Zalo, as the outbox sends it. */
  const inviteOnZalo = () =>
    channel.send(ZALO_MAI, invitationView({ locale: 'vi', t: translate.vi }, meeting, khe.cell));
  const answerOf = async (personId: string) =>
    (await w.services.repos.meetings.answers(meeting.id)).get(personId);
  const base = `http://127.0.0.1:${http.port}`;
  const linkOf = (personId: string) => answerLink(signer, base, personId, meeting);
  const post = (url: string, fields: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  /** Makes the meeting's stored record unreadable: whatever reads it next throws, as a bad migration would. */
  const breakMeeting = () => store.set(keys.meeting(meeting.id), JSON.stringify({ id: meeting.id }));
  const failures = () => logs.lines.filter((l) => l.msg === 'A handler failed; the person was told');
  return {
    ...w,
    store,
    khe,
    meeting,
    sinh,
    mai,
    logs,
    telegram,
    zalo,
    telegramSays,
    telegramTaps,
    zaloSays,
    inviteOnZalo,
    answerOf,
    linkOf,
    post,
    breakMeeting,
    failures,
  };
}

type World = Awaited<ReturnType<typeof setup>>;
const other = (s: World): Intent => ({
  type: 'answer',
  meetingId: s.meeting.id,
  choice: 'absent',
  reason: 'other',
});

/** Asks each person for their reason in their own words: "Khác" on Telegram, "2" then "4" on Zalo. */
async function askReasons(s: World) {
  const asked = t('reason.askText', { max: 200 });
  expect((await s.telegramTaps(other(s))).texts).toEqual([asked]);
  await s.inviteOnZalo();
  expect((await s.zaloSays('2')).join('\n')).toContain(t('reason.ask'));
  expect(await s.zaloSays('4')).toEqual([asked]);
}

describe('the pending question ("type your reason"), the same on every channel', () => {
  it('takes the next text trimmed, so a reason of the full length with spaces around it is kept on both', async () => {
    const s = await setup();
    await askReasons(s);
    const words = `Đi viện ${'x'.repeat(192)}`; // 200 characters, the limit
    expect(words).toHaveLength(200);
    await s.telegramSays(`  ${words}\n`);
    await s.zaloSays(`  ${words}\n`);
    expect(await s.answerOf(s.sinh.id)).toMatchObject({ choice: 'absent', reason: words });
    expect(await s.answerOf(s.mai.id)).toMatchObject({ choice: 'absent', reason: words });
    // One character more is refused alike, with the limit.
    await askReasons(s);
    const tooLong = t('refuse.tooLong', { max: 200 });
    expect(await s.telegramSays(`${words}!`)).toEqual([tooLong]);
    expect(await s.zaloSays(`${words}!`)).toEqual([tooLong]);
  });

  it(`waits ${PENDING_TEXT_TTL_MS / 60_000} minutes on both channels, then the text is read as any other`, async () => {
    const s = await setup();
    expect(PENDING_TEXT_TTL_MS).toBe(15 * 60_000);
    await askReasons(s);
    s.clock.advance(PENDING_TEXT_TTL_MS - 10_000);
    await s.telegramSays('Đi khám mắt');
    await s.zaloSays('Đi khám mắt');
    expect(await s.answerOf(s.sinh.id)).toMatchObject({ reason: 'Đi khám mắt' });
    expect(await s.answerOf(s.mai.id)).toMatchObject({ reason: 'Đi khám mắt' });

    await askReasons(s);
    s.clock.advance(PENDING_TEXT_TTL_MS + 1);
    await s.telegramSays('Chăm cháu nội');
    await s.zaloSays('Chăm cháu nội');
    expect(await s.answerOf(s.sinh.id)).toMatchObject({ reason: 'Đi khám mắt' });
    expect(await s.answerOf(s.mai.id)).toMatchObject({ reason: 'Đi khám mắt' });
  });
});

describe('the web answer page, through the same handlers', () => {
  it('asks "another reason" without words for them, as a chat does, and records nothing', async () => {
    const s = await setup();
    const url = await s.linkOf(s.mai.id);
    const res = await s.post(url, { answer: 'other', note: '   ' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(t('reason.askText', { max: 200 }));
    expect(html).toContain('<button name="answer" value="other">');
    expect(await s.answerOf(s.mai.id)).toBeUndefined();
    // With the words, it is recorded and the invitation shows it, as Telegram's edit does.
    const saved = await (await s.post(url, { answer: 'other', note: 'Đi khám mắt' })).text();
    expect(saved).toContain(
      t('answer.saved', { answer: t('answer.absentWithReason', { reason: 'Đi khám mắt' }) }),
    );
    expect(saved).toContain(
      t('invite.current', { answer: t('answer.absentWithReason', { reason: 'Đi khám mắt' }) }),
    );
  });

  it('marks nothing reachable, where a message on a chat channel does', async () => {
    const s = await setup();
    for (const person of [s.sinh, s.mai])
      await s.services.repos.people.save({ ...person, unreachable: ['telegram', 'zalo'] });
    const unreachable = async (id: string) => (await s.services.repos.people.get(id))?.unreachable;
    // A link opened from an earlier message says nothing of whether Zalo reaches her now.
    expect((await s.post(await s.linkOf(s.mai.id), { answer: 'present' })).status).toBe(200);
    expect(await s.answerOf(s.mai.id)).toMatchObject({ choice: 'present' });
    expect(await unreachable(s.mai.id)).toEqual(['telegram', 'zalo']);
    // Her Zalo message does (she unblocked the bot), and his Telegram tap does on Telegram.
    await s.zaloSays('lịch');
    expect(await unreachable(s.mai.id)).toEqual(['telegram']);
    await s.telegramTaps({ type: 'answer', meetingId: s.meeting.id, choice: 'present' });
    expect(await unreachable(s.sinh.id)).toEqual(['zalo']);
  });
});

describe('a handler that throws', () => {
  it('is a logged refusal on Telegram (a tap and a typed reason), Zalo and the web, logged by ids only', async () => {
    const s = await setup();
    await askReasons(s);
    await s.breakMeeting();
    const refusal = t('error.tapFailed');
    const words = 'Tôi ốm nặng, bệnh viện Bạch Mai phòng 12';

    // The reason Sinh typed: before, nothing at all came back.
    expect(await s.telegramSays(words)).toEqual([refusal]);
    // A tap: the refusal is its toast.
    expect(await s.telegramTaps({ type: 'answer', meetingId: s.meeting.id, choice: 'present' })).toEqual({
      toast: refusal,
      texts: [],
    });
    // Zalo answers at once rather than failing the message (the inbox would retry it for minutes).
    expect(await s.zaloSays(words)).toEqual([refusal]);
    // The web page says the same, with a 500.
    const res = await s.post(await s.linkOf(s.mai.id), { answer: 'sick' });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain(refusal);

    expect(s.failures()).toMatchObject([
      { channel: 'telegram', userId: String(TG_SINH), personId: s.sinh.id, intent: 'answer' },
      { channel: 'telegram', userId: String(TG_SINH), personId: s.sinh.id, intent: 'answer' },
      { channel: 'zalo', userId: ZALO_MAI, personId: s.mai.id, intent: 'answer' },
      { channel: 'zalo', personId: s.mai.id, intent: 'answer' },
    ]);
    expect(s.failures().every((l) => (l.err as { message: string }).message.includes('does not fit'))).toBe(
      true,
    );
    const everything = s.logs.raw.join('');
    for (const secret of ['Lò Văn Sinh', 'Hà Thị Mai', 'Bạch Mai', words])
      expect(everything).not.toContain(secret);
    expect(s.logs.lines.filter((l) => l.msg === 'Telegram update failed')).toEqual([]);
  });
});
