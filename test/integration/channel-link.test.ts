import { afterEach, describe, expect, it, vi } from 'vitest';
import { t } from '../../src/i18n.js';
import { deliveryChannel } from '../../src/services/channels.js';
import { CHANNEL_LINK_CODE_TTL_MS } from '../../src/services/people.js';
import { AppHarness, buttonsOf, telegramUser } from '../support/app-harness.js';
import { zaloUpdate } from '../support/fake-zalo.js';
import { world } from '../support/world.js';

// Whole-app turns on a simulated clock: dozens of chat turns, each waiting for the bot to finish.
vi.setConfig({ testTimeout: 120_000 });

/** Linking a second channel, typed command words and the unreachable mark, on the whole app with both fakes. */
const ROSTER =
  'ho_ten,vai_tro,trang_thai\nNguyễn Văn Tuấn,Bí thư,Chính thức\nLò Văn Sinh,Đảng viên,Chính thức\nHà Thị Mai,,\nLò Thị Hoa,,\n';
const LINK_CODE = /^[A-Z2-9]{8}$/;

let h: AppHarness;
afterEach(() => h?.stop());

async function setup() {
  h = await AppHarness.start({ start: '2026-11-26T03:00:00Z', zalo: true });
  const { services, clock } = h;
  const org = await services.repos.cells.createOrg('Đảng bộ xã Tân An', clock.now());
  const created = await services.roster.createCell(
    {
      orgId: org.id,
      name: 'Chi bộ thôn Khe Lếch',
      kind: 'residential',
      schedulePhrase: 'ngày 5 hằng tháng 19:30',
      shift: 'none',
      place: 'Nhà văn hóa thôn',
      timeZone: 'Asia/Ho_Chi_Minh',
    },
    'admin',
  );
  if (!created.ok) throw new Error('cell');
  await services.roster.importRoster(created.cell, ROSTER, 'admin');
  const invites = await services.roster.invites(created.cell.id);
  const khe = { code: (name: string) => invites.find((i) => i.name === name)?.code ?? '' };
  const person = (id: string) => services.repos.people.get(id);

  /** Linking Lò Văn Sinh on Telegram with his roster invite code. */
  async function sinhOnTelegram() {
    const [welcome] = await sayTelegram(7001, `/start ${khe.code('Lò Văn Sinh')}`);
    expect(welcome?.text).toBe(t('start.welcome', { name: 'Lò Văn Sinh' }));
    const sinh = await services.repos.people.byChannel('telegram', 7001);
    if (!sinh) throw new Error('not linked');
    return sinh;
  }
  /** Asks for a Zalo link code on Telegram with a tap on /kenh's button; the code is the second message. */
  async function zaloCodeFromTelegram() {
    const [menu] = await sayTelegram(7001, '/kenh');
    const [button] = menu ? buttonsOf(menu) : [];
    expect(button?.text).toBe(t('kenh.code.offer', { channel: 'Zalo' }));
    const [instructions, code] = await sayTelegram(7001, { tap: button?.callback_data ?? '' });
    expect(instructions?.text).toBe(t('kenh.code.issued', { channel: 'Zalo', minutes: 10 }));
    return code?.text ?? '';
  }
  return { khe, person, sinhOnTelegram, zaloCodeFromTelegram };
}

/** A Telegram user writes or taps; resolves with the messages the bot sent them. */
async function sayTelegram(userId: number, message: string | { tap: string }) {
  const user = telegramUser(userId, `Người dùng ${userId}`);
  const reply = typeof message === 'string' ? await h.say(user, message) : await h.tapData(user, message.tap);
  return reply.messages;
}

/** A Zalo user writes (or sends a sticker); resolves with the bot's answer, its messages joined by lines. */
async function sayZalo(chatId: string, message: string | { sticker: string }) {
  if (typeof message === 'string') return (await h.zaloSay(chatId, message)).join('\n');
  const before = h.zaloInbox(chatId).length;
  h.zalo?.queueUpdate(zaloUpdate(message, { chatId }));
  await vi.waitFor(() => expect(h.zaloInbox(chatId).length).toBeGreaterThan(before));
  return h
    .zaloInbox(chatId)
    .slice(before)
    .map((m) => m.text)
    .join('\n');
}

describe('linking a second channel with a code from /kenh', () => {
  it('Telegram → Zalo: the code links the Zalo chat to the same person, who then chooses Zalo', async () => {
    const { khe, person, sinhOnTelegram, zaloCodeFromTelegram } = await setup();
    const sinh = await sinhOnTelegram();

    const [menu] = await sayTelegram(7001, '/kenh');
    expect(menu?.text).toBe(
      [
        t('kenh.current', { channel: 'Telegram' }),
        t('kenh.onlyOne'),
        t('kenh.code.hint', { channel: 'Zalo' }),
      ].join('\n'),
    );
    const code = await zaloCodeFromTelegram();
    expect(code).toMatch(LINK_CODE);
    expect(code).not.toBe(khe.code('Lò Văn Sinh'));

    // On Zalo, the code alone: linked, and the choice of channel follows.
    expect(await sayZalo('zalo-sinh', code)).toBe(
      [
        t('kenh.linked', { channel: 'Zalo', name: 'Lò Văn Sinh' }),
        '',
        t('kenh.current', { channel: 'Telegram' }),
        t('kenh.choose'),
        '',
        'Trả lời bằng số:',
        '1 = Telegram',
        '2 = Zalo',
      ].join('\n'),
    );
    const both = await person(sinh.id);
    expect(both).toMatchObject({ telegramId: 7001, zaloId: 'zalo-sinh', preferredChannel: 'telegram' });
    expect((await h.services.repos.people.byChannel('zalo', 'zalo-sinh'))?.id).toBe(sinh.id);

    expect(await sayZalo('zalo-sinh', '2')).toBe(t('kenh.saved', { channel: 'Zalo' }));
    const chosen = await person(sinh.id);
    expect(chosen?.preferredChannel).toBe('zalo');
    expect(chosen && deliveryChannel(chosen)).toBe('zalo');

    // Single use: another Zalo account sending the same code is refused and nothing changes.
    expect(await sayZalo('zalo-stranger', code)).toBe(t('kenh.code.used'));
    expect(await h.services.repos.people.byChannel('zalo', 'zalo-stranger')).toBeUndefined();
    expect((await person(sinh.id))?.zaloId).toBe('zalo-sinh');
  });

  it('Zalo → Telegram: asked by typing "kênh" and "1", sent as /start <code>; /kenh then offers both', async () => {
    const { khe, person } = await setup();
    expect(await sayZalo('zalo-mai', khe.code('Hà Thị Mai'))).toBe(
      t('start.welcome', { name: 'Hà Thị Mai' }),
    );

    expect(await sayZalo('zalo-mai', 'kênh')).toBe(
      [
        t('kenh.current', { channel: 'Zalo' }),
        t('kenh.onlyOne'),
        t('kenh.code.hint', { channel: 'Telegram' }),
        '',
        'Trả lời bằng số:',
        `1 = ${t('kenh.code.offer', { channel: 'Telegram' })}`,
      ].join('\n'),
    );
    const [instructions, code = ''] = (await sayZalo('zalo-mai', '1')).split('\n');
    expect(instructions).toBe(t('kenh.code.issued', { channel: 'Telegram', minutes: 10 }));
    expect(code).toMatch(LINK_CODE);

    const [linked] = await sayTelegram(7002, `/start ${code.toLowerCase()}`);
    expect(linked?.text.split('\n')[0]).toBe(t('kenh.linked', { channel: 'Telegram', name: 'Hà Thị Mai' }));
    expect(linked && buttonsOf(linked)).toEqual([
      { text: 'Telegram', callback_data: 'c|kenh|telegram' },
      { text: 'Zalo', callback_data: 'c|kenh|zalo' },
    ]);
    const mai = await h.services.repos.people.byChannel('telegram', 7002);
    expect(mai).toMatchObject({ name: 'Hà Thị Mai', zaloId: 'zalo-mai', telegramId: 7002 });
    // Her preference stays Zalo until she taps Telegram.
    expect(mai?.preferredChannel).toBe('zalo');
    await sayTelegram(7002, { tap: 'c|kenh|telegram' });
    expect((await person(mai?.id ?? ''))?.preferredChannel).toBe('telegram');
    // Linked on both, there is no code to give.
    expect((await sayTelegram(7002, '/kenh mã')).map((m) => m.text)).toEqual([t('kenh.code.bothLinked')]);
  });

  it('refuses an expired, used, unknown, misplaced or someone else’s code, changing nothing', async () => {
    const { khe, person, sinhOnTelegram, zaloCodeFromTelegram } = await setup();
    const sinh = await sinhOnTelegram();
    await sayZalo('zalo-hoa', khe.code('Lò Thị Hoa'));
    const hoa = await h.services.repos.people.byChannel('zalo', 'zalo-hoa');
    const unchanged = async () => {
      expect((await person(sinh.id))?.zaloId).toBeUndefined();
      expect(await person(hoa?.id ?? '')).toEqual(hoa);
    };

    // Expired: ten minutes have passed.
    const late = await zaloCodeFromTelegram();
    h.clock.advance(CHANNEL_LINK_CODE_TTL_MS + 1_000);
    expect(await sayZalo('zalo-sinh', late)).toBe(t('kenh.code.expired', { minutes: 10 }));
    await unchanged();

    // A newer code retires the one asked for before.
    const older = await zaloCodeFromTelegram();
    const code = await zaloCodeFromTelegram();
    expect(await sayZalo('zalo-sinh', older)).toBe(t('kenh.code.unknown', { code: older, minutes: 10 }));
    expect(await sayZalo('zalo-sinh', 'ABCD-EFGH')).toBe(
      t('kenh.code.unknown', { code: 'ABCD-EFGH', minutes: 10 }),
    );
    await unchanged();

    // A Zalo code sent back on Telegram: it says where it works.
    expect((await sayTelegram(7001, code)).map((m) => m.text)).toEqual([
      t('kenh.code.wrongChannel', { channel: 'Zalo' }),
    ]);
    // Someone else's: Hoa's Zalo account is hers.
    expect(await sayZalo('zalo-hoa', code)).toBe(t('kenh.code.otherPerson', { channel: 'Zalo' }));
    await unchanged();

    // None of these used it up: Sinh's own Zalo still links with it, once.
    expect((await sayZalo('zalo-sinh', code)).split('\n')[0]).toBe(
      t('kenh.linked', { channel: 'Zalo', name: 'Lò Văn Sinh' }),
    );
    expect(await sayZalo('zalo-other', code)).toBe(t('kenh.code.used'));
    expect((await person(sinh.id))?.zaloId).toBe('zalo-sinh');
  });

  it('tells a code from an answer when it starts with a digit and a numbered question is open', async () => {
    const { khe, sinhOnTelegram } = await setup();
    const sinh = await sinhOnTelegram();
    // Hoa is linked on Zalo with a numbered question open (/kenh's offer): a reply starting with a number
    // would be read against it.
    await sayZalo('zalo-hoa', khe.code('Lò Thị Hoa'));
    expect(await sayZalo('zalo-hoa', 'kênh')).toContain(
      `1 = ${t('kenh.code.offer', { channel: 'Telegram' })}`,
    );
    // The codes are random: ask until one starts with a digit (7 in 31 do; 200 tries all miss once in 10^22).
    let code = '';
    for (let i = 0; i < 200 && !/^\d/.test(code); i++) {
      const issued = await h.services.people.issueChannelLinkCode(sinh);
      if (issued.ok) code = issued.code;
    }
    expect(code).toMatch(/^\d/);
    expect(await sayZalo('zalo-hoa', code)).toBe(t('kenh.code.otherPerson', { channel: 'Zalo' }));
    expect((await sayZalo('zalo-sinh', code)).split('\n')[0]).toBe(
      t('kenh.linked', { channel: 'Zalo', name: 'Lò Văn Sinh' }),
    );
  });

  it('takes a linked member’s eight-letter word that is no code as words, not as a wrong code', async () => {
    const { sinhOnTelegram } = await setup();
    await sinhOnTelegram();
    const [reply] = await sayTelegram(7001, 'CHAYNHAN');
    expect(reply?.text.startsWith(t('help.section.member'))).toBe(true);
  });
});

describe('a member marked unreachable', () => {
  it('is reachable again on the channel they write from, Zalo or Telegram', async () => {
    const { person, sinhOnTelegram, zaloCodeFromTelegram } = await setup();
    const sinh = await sinhOnTelegram();
    await sayZalo('zalo-sinh', await zaloCodeFromTelegram());
    await sayZalo('zalo-sinh', '2');
    // Both refused him for good (he blocked the bot on both), as the outbox records it.
    const linked = await person(sinh.id);
    if (!linked) throw new Error('gone');
    await h.services.repos.people.save({ ...linked, unreachable: ['zalo', 'telegram'] });
    expect(deliveryChannel({ ...linked, unreachable: ['zalo', 'telegram'] })).toBeUndefined();

    // A sticker on Zalo is enough for Zalo, and only Zalo.
    await sayZalo('zalo-sinh', { sticker: 'sticker-hello' });
    expect((await person(sinh.id))?.unreachable).toEqual(['telegram']);

    // A word on Telegram, for Telegram.
    await sayTelegram(7001, '/lich');
    const back = await person(sinh.id);
    expect(back?.unreachable).toEqual([]);
    expect(back && deliveryChannel(back)).toBe('zalo');
  });
});

describe('commands typed as words', () => {
  it('work on Zalo with or without diacritics, and /trogiup mentions /kenh', async () => {
    const { khe } = await setup();
    await sayZalo('zalo-mai', khe.code('Hà Thị Mai'));
    const schedule = await sayZalo('zalo-mai', '/lich');
    expect(schedule.split('\n').slice(0, 2)).toEqual([
      t('lich.title'),
      '• Thứ Bảy, 05/12/2026, 19:30 — Chi bộ thôn Khe Lếch: chưa trả lời',
    ]);
    for (const typed of ['lịch', 'lich', 'LỊCH', 'Lịch họp', 'lich hop'])
      expect(await sayZalo('zalo-mai', typed)).toBe(schedule);

    const help = await sayZalo('zalo-mai', '/trogiup');
    expect(help).toContain('/kenh');
    expect(help).toContain(`/kenh — ${t('help.command.kenh')}`);
    expect(help).toContain(t('zalo.help.typing'));
    for (const typed of ['trợ giúp', 'tro giup', 'trogiup', 'giúp', 'hướng dẫn', 'help'])
      expect(await sayZalo('zalo-mai', typed)).toBe(help);

    const channel = await sayZalo('zalo-mai', '/kenh');
    for (const typed of ['kênh', 'kenh', 'Kênh']) expect(await sayZalo('zalo-mai', typed)).toBe(channel);

    // Secretaries' commands are typed the same way; a member is told they are not for her.
    const tally = await sayZalo('zalo-mai', '/diemdanh');
    for (const typed of ['điểm danh', 'diem danh']) expect(await sayZalo('zalo-mai', typed)).toBe(tally);
    const meeting = await sayZalo('zalo-mai', '/hop');
    for (const typed of ['họp', 'hop']) expect(await sayZalo('zalo-mai', typed)).toBe(meeting);
  });

  it('work on Telegram as a bare word too, where /trogiup mentions /kenh', async () => {
    const { khe } = await setup();
    await sayTelegram(7003, `/start ${khe.code('Lò Thị Hoa')}`);
    const [schedule] = await sayTelegram(7003, '/lich');
    expect((await sayTelegram(7003, 'lịch')).map((m) => m.text)).toEqual([schedule?.text]);
    const [help] = await sayTelegram(7003, 'trợ giúp');
    expect(help?.text).toContain(`/kenh — ${t('help.command.kenh')}`);
    expect(help?.text).not.toContain(t('zalo.help.typing'));
  });
});

describe('channel link codes in the people service', () => {
  it('link one account when two redeem the same code at once', async () => {
    const w = world();
    const { code: invite } = await w.cell('Chi bộ thôn Khe Lếch', ROSTER);
    const linked = await w.services.people.linkWithCode(invite('Lò Văn Sinh'), 'telegram', 7001);
    if (!linked.ok) throw new Error(linked.reason);
    const issued = await w.services.people.issueChannelLinkCode(linked.person);
    if (!issued.ok) throw new Error(issued.reason);
    expect(issued).toMatchObject({ channel: 'zalo', expiresAt: w.clock.now() + CHANNEL_LINK_CODE_TTL_MS });

    const results = await Promise.all(
      ['zalo-a', 'zalo-b', 'zalo-c'].map((id) =>
        w.services.people.redeemChannelLinkCode(issued.code, 'zalo', id),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(['used_code', 'used_code']);
    const winner = results.findIndex((r) => r.ok);
    expect((await w.services.repos.people.get(linked.person.id))?.zaloId).toBe(
      ['zalo-a', 'zalo-b', 'zalo-c'][winner],
    );
  });
});
