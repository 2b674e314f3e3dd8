import { afterEach, describe, expect, it } from 'vitest';
import type { HandlerContext } from '../../handlers/context.js';
import { LinkSigner } from '../../src/channels/web/links.js';
import { answerPages } from '../../src/channels/web/pages.js';
import { createZaloChannel } from '../../src/channels/zalo/adapter.js';
import { ZaloBot } from '../../src/channels/zalo/client.js';
import { createZaloInbox } from '../../src/channels/zalo/inbox.js';
import { SendError } from '../../src/delivery/sender.js';
import type { View } from '../../src/domain/view.js';
import { createHttpApp, listen } from '../../src/http/server.js';
import { t } from '../../src/i18n.js';
import { createLogger } from '../../src/logger.js';
import { deliveryChannel } from '../../src/services/channels.js';
import { keys } from '../../src/store/keys.js';
import { type ChannelName, type Meeting, type Person, personSchema } from '../../src/store/records.js';
import { invitationView } from '../../src/views/attendance.js';
import { FakeZalo, zaloUpdate } from '../support/fake-zalo.js';
import { world } from '../support/world.js';

const log = createLogger({ level: process.env.TEST_LOG ?? 'silent' });
const ROSTER =
  'ho_ten,vai_tro,trang_thai\nNguyễn Văn Tuấn,Bí thư,Chính thức\nLò Văn Sinh,Đảng viên,Chính thức\nHà Thị Mai,,\nLò Thị Hoa,,\n';
const ANSWER_LINE = 'Trả lời 1 = Có mặt, 2 = Vắng (kèm lý do, ví dụ: 2 ốm)';
const LINK = /Hoặc trả lời trên trang web: (http:\/\/\S+\/r\/\S+)/;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The whole chain on real services and store: the fake Zalo Bot API ⇄ ZaloBot (polling) ⇄ adapter; the web page. */
async function setup(options: { scheduler?: boolean } = {}) {
  const w = world(undefined, undefined, options);
  const khe = await w.cell('Chi bộ thôn Khe Lếch', ROSTER);
  const school = await w.cell('Chi bộ Trường THCS Tân An', 'ho_ten\nPhạm Văn Giáo\n');
  const meeting = await w.meeting(khe.cell, '2026-12-05T12:30:00Z'); // Thứ Bảy 05/12/2026 19:30 in Hà Nội

  const zalo = await FakeZalo.start();
  cleanups.push(() => zalo.close());
  const signer = new LinkSigner('a-link-secret-for-tests-only-0123456789');
  const app = createHttpApp(log).route(
    '/',
    answerPages({ services: w.services, signer, log, now: w.clock.now }),
  );
  const http = await listen(app, { port: 0, host: '127.0.0.1' });
  const publicUrl = `http://127.0.0.1:${http.port}`;
  cleanups.push(() => http.close());
  const bot = new ZaloBot(zalo.token, {
    baseApiUrl: zalo.baseApiUrl,
    polling: { autoStart: false, params: { timeout: 1 } },
  });
  const channel = createZaloChannel({
    bot,
    services: w.services,
    store: w.store,
    log,
    now: w.clock.now,
    publicUrl,
    linkSigner: signer,
  });
  // As the service runs it: each polled update is stored in the inbox, then handled from there.
  const inbox = createZaloInbox({ store: w.store, bot, channel, log, now: w.clock.now });
  inbox.start();
  cleanups.push(() => inbox.stop());
  await bot.startPolling({ intake: inbox.take, beforePoll: inbox.waitForStore });
  cleanups.push(() => bot.stopPolling());

  /** A member sends a message (text, or a sticker…); resolves with the bot's answer (one message). */
  async function say(chatId: string, message: string | Parameters<typeof zaloUpdate>[0]) {
    const before = zalo.sent.length;
    zalo.queueUpdate(zaloUpdate(typeof message === 'string' ? { text: message } : message, { chatId }));
    const sent = await zalo.waitForSent(before + 1);
    expect(sent[before]?.chat_id).toBe(chatId);
    return sent[before]?.text ?? '';
  }

  /** What the outbox would do: one view to one chat, through the adapter. */
  async function deliver(chatId: string, view: View) {
    const before = zalo.sent.length;
    await channel.send(chatId, view);
    return zalo.sent
      .slice(before)
      .map((s) => s.text)
      .join('\n');
  }

  const ctx = {
    locale: 'vi',
    t: (k: string, p?: Record<string, string | number>) => t(k, p, 'vi'),
  } as HandlerContext;
  const invite = (chatId: string, m: Meeting = meeting) => deliver(chatId, invitationView(ctx, m, khe.cell));

  async function linked(chatId: string, name: string) {
    await say(chatId, khe.code(name));
    const person = await w.services.repos.people.byChannel('zalo', chatId);
    if (!person) throw new Error(`${name} is not linked`);
    return person;
  }

  const answerOf = async (personId: string, m: Meeting = meeting) =>
    w.services.repos.meetings.answer(m.id, personId);

  return {
    ...w,
    newMeeting: w.meeting,
    khe,
    school,
    meeting,
    zalo,
    channel,
    say,
    deliver,
    invite,
    linked,
    answerOf,
  };
}

describe('journey 4: a member on Zalo', () => {
  it('links by code, gets the notice with numbered answers and a link, answers "2 di cong tac"; a neighbour answers on the web; "ok" is asked again', async () => {
    const s = await setup();
    const code = s.khe.code('Hà Thị Mai');
    expect(code).toMatch(/^[A-Z0-9]{6}$/);

    expect(await s.say('zalo-mai', code)).toBe(t('start.welcome', { name: 'Hà Thị Mai' }));
    const mai = await s.services.repos.people.byChannel('zalo', 'zalo-mai');
    expect(mai?.name).toBe('Hà Thị Mai');
    expect(mai?.preferredChannel).toBe('zalo');

    const notice = await s.invite('zalo-mai');
    expect(notice).toContain(
      '📅 Kính mời đồng chí dự buổi sinh hoạt chi bộ thường kỳ — Chi bộ thôn Khe Lếch',
    );
    expect(notice).toContain('Thời gian: Thứ Bảy, 05/12/2026, 19:30');
    expect(notice).toContain(ANSWER_LINE);
    expect(notice).toMatch(LINK);

    const confirmation = await s.say('zalo-mai', '2 di cong tac');
    expect(confirmation.split('\n')[0]).toBe('Đã ghi: Vắng — Công tác');
    expect(confirmation).toContain('Trả lời của đồng chí: Vắng — Công tác. Có thể đổi đến khi bắt đầu họp.');
    expect(await s.answerOf(mai?.id ?? '')).toMatchObject({ choice: 'absent', reason: 'work' });

    // "ok" is neither answer: the question comes again, and nothing changes.
    const again = await s.say('zalo-mai', 'ok');
    expect(again.split('\n')[0]).toBe(t('zalo.unclear', { reply: 'ok' }));
    expect(again).toContain(ANSWER_LINE);
    expect(await s.answerOf(mai?.id ?? '')).toMatchObject({ choice: 'absent', reason: 'work' });

    // Her neighbour opens the link in his own notice instead, and answers on the page.
    const hoa = await s.linked('zalo-hoa', 'Lò Thị Hoa');
    const link = LINK.exec(await s.invite('zalo-hoa'))?.[1] ?? '';
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Kính gửi đồng chí Lò Thị Hoa');
    const posted = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'answer=present',
    });
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain('Đã ghi: Có mặt');
    expect(await s.answerOf(hoa.id)).toMatchObject({ choice: 'present' });
    expect(await s.answerOf(mai?.id ?? '')).toMatchObject({ choice: 'absent', reason: 'work' });
  });
});

describe('journey 3 on Zalo', () => {
  it('answers Vắng with a reason, changes to Có mặt, is refused after the start, and reads /lich', async () => {
    const s = await setup();
    expect(await s.say('zalo-sinh', `/start ${s.khe.code('Lò Văn Sinh')}`)).toBe(
      t('start.welcome', { name: 'Lò Văn Sinh' }),
    );
    const sinh = await s.services.repos.people.byChannel('zalo', 'zalo-sinh');
    await s.invite('zalo-sinh');

    // "Vắng" alone asks why, as a numbered list.
    const why = await s.say('zalo-sinh', 'vắng');
    expect(why).toBe(
      [
        t('reason.ask'),
        '',
        'Trả lời bằng số:',
        '1 = Ốm',
        '2 = Công tác',
        '3 = Việc gia đình',
        '4 = Khác',
      ].join('\n'),
    );
    const sick = await s.say('zalo-sinh', '1');
    expect(sick.split('\n')[0]).toBe('Đã ghi: Vắng — Ốm');
    expect(sick).toContain('Trả lời của đồng chí: Vắng — Ốm. Có thể đổi đến khi bắt đầu họp.');
    expect(await s.answerOf(sinh?.id ?? '')).toMatchObject({ choice: 'absent', reason: 'sick' });

    // The next day a bare "1" still answers the invitation: it is the open question again, and its own text
    // carries the numbers (another question's numbers hold for a few minutes only). The reply is the record and
    // the invitation, with no old "Đã ghi" line carried over.
    s.clock.set('2026-11-27T03:00:00Z');
    const nextDay = await s.say('zalo-sinh', '1');
    expect(nextDay.split('\n')[0]).toBe('Đã ghi: Có mặt');
    expect(nextDay.match(/Đã ghi/g)).toHaveLength(1);
    expect(nextDay).toContain(ANSWER_LINE);
    expect(await s.answerOf(sinh?.id ?? '')).toMatchObject({ choice: 'present' });

    // After the meeting starts a late reply is refused by the service and changes nothing.
    s.clock.set('2026-12-05T12:31:00Z');
    expect(await s.say('zalo-sinh', 'vang om')).toBe(t('refuse.expired'));
    expect(await s.answerOf(sinh?.id ?? '')).toMatchObject({ choice: 'present' });

    s.clock.set('2026-11-28T03:00:00Z');
    const schedule = `${t('lich.title')}\n• Thứ Bảy, 05/12/2026, 19:30 — Chi bộ thôn Khe Lếch: Có mặt`;
    expect(await s.say('zalo-sinh', '/lich')).toBe(schedule);
    expect(await s.say('zalo-sinh', 'lịch')).toBe(schedule);
    expect(await s.say('zalo-sinh', 'lich')).toBe(schedule);
  });
});

describe('answering an invitation on Zalo', () => {
  it('takes "1", "2 ốm" and "vang cong tac", each through the attendance service', async () => {
    const s = await setup();
    const mai = await s.linked('zalo-mai', 'Hà Thị Mai');
    await s.invite('zalo-mai');
    expect((await s.say('zalo-mai', '1')).split('\n')[0]).toBe('Đã ghi: Có mặt');
    expect(await s.answerOf(mai.id)).toMatchObject({ choice: 'present' });
    expect((await s.say('zalo-mai', '2 ốm')).split('\n')[0]).toBe('Đã ghi: Vắng — Ốm');
    expect(await s.answerOf(mai.id)).toMatchObject({ choice: 'absent', reason: 'sick' });
    expect((await s.say('zalo-mai', 'vang cong tac')).split('\n')[0]).toBe('Đã ghi: Vắng — Công tác');
    expect(await s.answerOf(mai.id)).toMatchObject({ choice: 'absent', reason: 'work' });
  });

  it('keeps a reason in the member’s words, typed at once or after "Khác"', async () => {
    const s = await setup();
    const mai = await s.linked('zalo-mai', 'Hà Thị Mai');
    await s.invite('zalo-mai');
    expect((await s.say('zalo-mai', 'vắng vì đám cưới em gái')).split('\n')[0]).toBe(
      'Đã ghi: Vắng — đám cưới em gái',
    );
    expect(await s.say('zalo-mai', '2 khác')).toBe(t('reason.askText', { max: 200 }));
    expect((await s.say('zalo-mai', 'Đi khám mắt ở huyện')).split('\n')[0]).toBe(
      'Đã ghi: Vắng — Đi khám mắt ở huyện',
    );
    expect(await s.answerOf(mai.id)).toMatchObject({ choice: 'absent', reason: 'Đi khám mắt ở huyện' });
  });

  it('asks again on an unclear or out-of-range reply, and on a sticker, never guessing', async () => {
    const s = await setup();
    const mai = await s.linked('zalo-mai', 'Hà Thị Mai');
    const notice = await s.invite('zalo-mai');
    for (const reply of ['ok', '3', 'có việc bận']) {
      const again = await s.say('zalo-mai', reply);
      expect(again).toBe([t('zalo.unclear', { reply }), '', notice].join('\n'));
    }
    const sticker = await s.say('zalo-mai', { sticker: 'sticker-thumbs-up' });
    expect(sticker).toBe([t('zalo.notText'), notice].join('\n\n'));
    expect(await s.answerOf(mai.id)).toBeUndefined();
  });

  it('binds a reply to the latest open question only', async () => {
    const s = await setup();
    const mai = await s.linked('zalo-mai', 'Hà Thị Mai');
    const january = await s.newMeeting(s.khe.cell, '2027-01-05T12:30:00Z');
    await s.invite('zalo-mai');
    await s.invite('zalo-mai', january);
    await s.say('zalo-mai', '1');
    expect(await s.answerOf(mai.id, january)).toMatchObject({ choice: 'present' });
    expect(await s.answerOf(mai.id)).toBeUndefined();
  });

  it('says so when an answer comes with no question open, and refuses a member of another cell', async () => {
    const s = await setup();
    await s.linked('zalo-mai', 'Hà Thị Mai');
    expect(await s.say('zalo-mai', '1')).toBe(t('zalo.noQuestion'));

    await s.say('zalo-giao', s.school.code('Phạm Văn Giáo'));
    // A notice of Khe Lếch reaching the school's teacher (forwarded, or sent in error) answers nothing.
    await s.invite('zalo-giao');
    expect(await s.say('zalo-giao', '1')).toBe(t('refuse.notMember'));
    expect((await s.services.repos.meetings.answers(s.meeting.id)).size).toBe(0);
  });
});

describe('onboarding on Zalo', () => {
  it('links with a bare code or /start, once; a used or unknown code is refused', async () => {
    const s = await setup();
    const code = s.khe.code('Lò Văn Sinh');
    expect(await s.say('zalo-sinh', code.toLowerCase())).toBe(t('start.welcome', { name: 'Lò Văn Sinh' }));
    expect(await s.say('zalo-stranger', code)).toBe(t('start.usedCode'));
    expect(await s.say('zalo-stranger', '/start ZZZZZZ')).toBe(t('start.unknownCode', { code: 'ZZZZZZ' }));
    expect(await s.services.repos.people.byChannel('zalo', 'zalo-stranger')).toBeUndefined();
    // Help offers to ask to join (a numbered choice); a code typed after it still links.
    expect(await s.say('zalo-stranger', 'trợ giúp')).toBe(
      [t('start.noCode'), '', t('zalo.choicesPrompt'), `1 = ${t('join.button.ask')}`].join('\n'),
    );
    expect(await s.say('zalo-stranger', s.khe.code('Hà Thị Mai'))).toBe(
      t('start.welcome', { name: 'Hà Thị Mai' }),
    );
  });

  it('ignores group chats', async () => {
    const s = await setup();
    const update = zaloUpdate(
      { text: s.khe.code('Lò Văn Sinh') },
      { chatId: 'group-1', fromId: 'zalo-sinh' },
    );
    update.message.chat.chat_type = 'GROUP';
    s.zalo.queueUpdate(update);
    // A private message after it is answered, and is the only thing sent.
    expect(await s.say('zalo-sinh', 'trogiup')).toContain(t('start.noCode'));
    expect(s.zalo.sent).toHaveLength(1);
    expect(await s.services.repos.people.byChannel('zalo', 'zalo-sinh')).toBeUndefined();
  });
});

describe('sending on Zalo', () => {
  it('splits a long view into messages of at most 2000 characters, on line boundaries', async () => {
    const s = await setup();
    const lines = Array.from(
      { length: 120 },
      (_, i) => `${i + 1}. ${'Nội dung sinh hoạt chi bộ '.repeat(2)}`,
    );
    await s.deliver('zalo-mai', { text: lines.join('\n') });
    const texts = s.zalo.sent.map((m) => m.text ?? '');
    expect(texts.length).toBeGreaterThan(2);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(2000);
    expect(texts.join('\n')).toBe(lines.join('\n'));
  });

  it('tells the outbox what a failure means: 403 unreachable for good, 429 and 5xx worth a retry', async () => {
    const s = await setup();
    s.zalo.failNext(1, 403, undefined, 'sendMessage');
    const blocked = await s.channel.send('zalo-mai', { text: 'x' }).catch((err: unknown) => err);
    expect(blocked).toBeInstanceOf(SendError);
    expect(blocked).toMatchObject({ kind: 'permanent', unreachable: 'blocked' });
    s.zalo.failNext(1, 429, undefined, 'sendMessage');
    expect(await s.channel.send('zalo-mai', { text: 'x' }).catch((err: unknown) => err)).toMatchObject({
      kind: 'transient',
    });
    s.zalo.failNext(1, 502, undefined, 'sendMessage');
    expect(await s.channel.send('zalo-mai', { text: 'x' }).catch((err: unknown) => err)).toMatchObject({
      kind: 'transient',
    });
    s.zalo.failNext(1, 400, undefined, 'sendMessage');
    expect(await s.channel.send('zalo-mai', { text: 'x' }).catch((err: unknown) => err)).toMatchObject({
      kind: 'permanent',
      unreachable: undefined,
    });
  });
});

describe('choosing the channel (/kenh)', () => {
  it('with one channel linked, says where messages go and refuses the other', async () => {
    const s = await setup();
    await s.linked('zalo-mai', 'Hà Thị Mai');
    expect(await s.say('zalo-mai', 'kênh')).toBe(
      [
        t('kenh.current', { channel: 'Zalo' }),
        t('kenh.onlyOne'),
        t('kenh.code.hint', { channel: 'Telegram' }),
        '',
        'Trả lời bằng số:',
        `1 = ${t('kenh.code.offer', { channel: 'Telegram' })}`,
      ].join('\n'),
    );
    expect(await s.say('zalo-mai', '/kenh telegram')).toBe(t('kenh.notLinked', { channel: 'Telegram' }));
    expect(await s.say('zalo-mai', '/kenh viber')).toBe(t('kenh.unknown', { channel: 'viber' }));
    expect((await s.services.repos.people.byChannel('zalo', 'zalo-mai'))?.preferredChannel).toBe('zalo');
  });

  it('with both, sets the preferred one by its number; reminders fall back when it refuses the member', async () => {
    const s = await setup();
    const mai = await s.linked('zalo-mai', 'Hà Thị Mai');
    await s.services.repos.people.link(mai, 'telegram', 5550001);

    expect(await s.say('zalo-mai', 'kenh')).toBe(
      [
        t('kenh.current', { channel: 'Zalo' }),
        t('kenh.choose'),
        '',
        'Trả lời bằng số:',
        '1 = Telegram',
        '2 = Zalo',
      ].join('\n'),
    );
    expect(await s.say('zalo-mai', '1')).toBe(t('kenh.saved', { channel: 'Telegram' }));
    let person = await s.services.repos.people.get(mai.id);
    expect(person?.preferredChannel).toBe('telegram');
    expect(person && deliveryChannel(person)).toBe('telegram');

    // Telegram refused her for good (the outbox marks it): reminders go to Zalo, and /kenh says why.
    if (person) await s.services.repos.people.save({ ...person, unreachable: ['telegram'] });
    person = await s.services.repos.people.get(mai.id);
    expect(person && deliveryChannel(person)).toBe('zalo');
    expect((await s.say('zalo-mai', '/kenh')).split('\n').slice(0, 2)).toEqual([
      t('kenh.current', { channel: 'Telegram' }),
      t('kenh.fallback', { preferred: 'Telegram', channel: 'Zalo' }),
    ]);
  });
});

describe('deliveryChannel', () => {
  const person = (extra: Partial<Person>): Person =>
    personSchema.parse({ id: 'p1', name: 'Hà Thị Mai', inviteCode: 'KL7Q2M', createdAt: 0, ...extra });

  it.each<[string, Partial<Person>, ChannelName[] | undefined, ChannelName | undefined]>([
    ['nothing linked', {}, undefined, undefined],
    ['only Zalo', { zaloId: 'z' }, undefined, 'zalo'],
    ['the preferred of two', { zaloId: 'z', telegramId: 1, preferredChannel: 'zalo' }, undefined, 'zalo'],
    [
      'the other when the preferred refused',
      { zaloId: 'z', telegramId: 1, preferredChannel: 'zalo', unreachable: ['zalo'] },
      undefined,
      'telegram',
    ],
    [
      'none when both refused',
      { zaloId: 'z', telegramId: 1, unreachable: ['zalo', 'telegram'] },
      undefined,
      undefined,
    ],
    [
      'only among the channels running',
      { zaloId: 'z', telegramId: 1, preferredChannel: 'zalo' },
      ['telegram'],
      'telegram',
    ],
  ])('%s', (_, extra, available, expected) => {
    expect(deliveryChannel(person(extra), available)).toBe(expected);
  });
});

describe('a secretary on Zalo: /hop through the same handlers', () => {
  it('moves the meeting by a typed time and cancels it, answering with numbers', async () => {
    const s = await setup();
    await s.linked('zalo-tuan', 'Nguyễn Văn Tuấn');
    const view = await s.say('zalo-tuan', 'họp');
    expect(view).toContain('Thời gian: Thứ Bảy, 05/12/2026, 19:30');
    expect(view).toContain(`1 = ${t('hop.button.time')}`);
    expect(view).toContain(`4 = ${t('hop.button.cancel')}`);

    expect(await s.say('zalo-tuan', '1')).toBe(t('hop.askTime'));
    expect(await s.say('zalo-tuan', 'tối nay')).toContain(t('hop.error.unreadable', { text: 'tối nay' }));
    expect(await s.say('zalo-tuan', '20:00')).toContain(
      'Đã đổi thời gian họp sang Thứ Bảy, 05/12/2026, 20:00.',
    );
    expect((await s.services.repos.meetings.get(s.meeting.id))?.startsAt).toBe(
      Date.parse('2026-12-05T13:00:00Z'),
    );

    await s.say('zalo-tuan', 'họp');
    expect(await s.say('zalo-tuan', '4')).toContain(
      t('hop.confirmCancel', { when: 'Thứ Bảy, 05/12/2026, 20:00' }),
    );
    expect(await s.say('zalo-tuan', '1')).toContain(
      t('hop.cancelled', { when: 'Thứ Bảy, 05/12/2026, 20:00' }),
    );
    expect((await s.services.repos.meetings.get(s.meeting.id))?.state).toBe('cancelled');

    // A member typing it is told it is for secretaries.
    await s.linked('zalo-sinh', 'Lò Văn Sinh');
    expect(await s.say('zalo-sinh', 'họp')).toBe(t('refuse.notSecretary'));
  });
});

describe('Zalo replies that cannot misfire', () => {
  it('a secretary’s "1" after the tally asks before reminding; "2" sends nothing, "1" then reminds', async () => {
    const s = await setup({ scheduler: true });
    const tuan = await s.linked('zalo-tuan', 'Nguyễn Văn Tuấn');
    // The members are reached on Telegram (the test scheduler's channel); the secretary works on Zalo.
    for (const [i, name] of ['Lò Văn Sinh', 'Hà Thị Mai', 'Lò Thị Hoa'].entries()) {
      const member = await s.services.repos.people.byInviteCode(s.khe.code(name));
      if (member) await s.services.repos.people.link(member, 'telegram', 7001 + i);
    }
    // His own invitation reached him on Zalo.
    await s.invite('zalo-tuan');
    // The notice now, from /hop: a number that messages others asks first, then goes.
    const hop = await s.say('zalo-tuan', 'họp');
    const noticeNumber = /(\d+) = 📨/.exec(hop)?.[1] ?? '';
    expect(await s.say('zalo-tuan', noticeNumber)).toBe(t('zalo.confirm', { label: t('hop.button.notice') }));
    expect(await s.services.meetings.noticeSent(s.meeting.id)).toBe(0);
    expect(await s.say('zalo-tuan', '1')).toContain(t('hop.notice.sent', { count: 3 }));
    expect(await s.scheduler?.deliver()).toHaveLength(3);

    const tally = await s.say('zalo-tuan', 'điểm danh');
    expect(tally).toContain(`1 = ${t('tally.remind')}`);

    // Meant as "Có mặt" to his own invitation: asked, nothing sent.
    const ask = await s.say('zalo-tuan', '1');
    expect(ask).toBe(t('zalo.confirm', { label: t('tally.remind') }));
    expect(await s.say('zalo-tuan', '2')).toBe(t('zalo.cancelled'));
    expect(await s.scheduler?.deliver()).toHaveLength(0);
    // His words still answer his own invitation, whatever was asked since.
    await s.say('zalo-tuan', 'điểm danh');
    expect((await s.say('zalo-tuan', 'có mặt')).split('\n')[0]).toBe('Đã ghi: Có mặt');
    expect(await s.answerOf(tuan.id)).toMatchObject({ choice: 'present' });
    // Asked and confirmed: the reminders go.
    await s.say('zalo-tuan', 'điểm danh');
    await s.say('zalo-tuan', '1');
    expect(await s.say('zalo-tuan', '1')).toContain(t('tally.reminded', { count: 3 }));
    expect(await s.scheduler?.deliver()).toHaveLength(3);
  });

  it('a confirmed action that fails keeps its confirmation: "1" again sends it once', async () => {
    const s = await setup({ scheduler: true });
    await s.linked('zalo-tuan', 'Nguyễn Văn Tuấn');
    for (const [i, name] of ['Lò Văn Sinh', 'Hà Thị Mai', 'Lò Thị Hoa'].entries()) {
      const member = await s.services.repos.people.byInviteCode(s.khe.code(name));
      if (member) await s.services.repos.people.link(member, 'telegram', 7001 + i);
    }
    const hop = await s.say('zalo-tuan', 'họp');
    const noticeNumber = /(\d+) = 📨/.exec(hop)?.[1] ?? '';
    expect(await s.say('zalo-tuan', noticeNumber)).toBe(t('zalo.confirm', { label: t('hop.button.notice') }));
    // The meeting cannot be read for a moment (a bad record, a migration half done): the action fails.
    const stored = await s.store.get(keys.meeting(s.meeting.id));
    await s.store.set(keys.meeting(s.meeting.id), JSON.stringify({ id: s.meeting.id }));
    expect(await s.say('zalo-tuan', '1')).toBe(t('error.tapFailed'));
    await s.store.set(keys.meeting(s.meeting.id), stored ?? '');
    expect(await s.say('zalo-tuan', '1')).toContain(t('hop.notice.sent', { count: 3 }));
    expect(await s.scheduler?.deliver()).toHaveLength(3);
    // Done: the confirmation is closed.
    expect(await s.say('zalo-tuan', '1')).not.toContain(t('hop.notice.sent', { count: 3 }));
  });

  it('a question left open before linking does not capture the words after it', async () => {
    const s = await setup();
    // Not linked yet: a stranger's words get the join offer, a question kept for days.
    const offer = await s.say('zalo-mai', 'xin chào');
    expect(offer).toContain('1 = ');
    const mai = await s.linked('zalo-mai', 'Hà Thị Mai');
    // "1" now answers nothing: the join offer was dropped when she linked.
    expect(await s.say('zalo-mai', '1')).toBe(t('zalo.noQuestion'));
    await s.invite('zalo-mai');
    expect((await s.say('zalo-mai', 'dạ có')).split('\n')[0]).toBe('Đã ghi: Có mặt');
    expect(await s.answerOf(mai.id)).toMatchObject({ choice: 'present' });
  });

  it('asks back "vang" and "không vắng" with both choices, never guessing', async () => {
    const s = await setup();
    const mai = await s.linked('zalo-mai', 'Hà Thị Mai');
    const notice = await s.invite('zalo-mai');
    expect(await s.say('zalo-mai', 'Vang')).toBe(
      [t('zalo.unsure.vang', { reply: 'Vang' }), '', notice].join('\n'),
    );
    expect(await s.say('zalo-mai', 'không vắng')).toBe(
      [t('zalo.unsure.negation', { reply: 'không vắng' }), '', notice].join('\n'),
    );
    expect(await s.answerOf(mai.id)).toBeUndefined();
    expect((await s.say('zalo-mai', 'Vâng, có mặt')).split('\n')[0]).toBe('Đã ghi: Có mặt');
  });
});
