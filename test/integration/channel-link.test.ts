import { afterEach, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n.js';
import { deliveryChannel } from '../../src/services/channels.js';
import { CHANNEL_LINK_CODE_TTL_MS } from '../../src/services/people.js';
import { buttonsOf, type ChannelsWorld, channelsWorld } from '../support/channels-world.js';

const ROSTER =
  'ho_ten,vai_tro,trang_thai\nNguyễn Văn Tuấn,Bí thư,Chính thức\nLò Văn Sinh,Đảng viên,Chính thức\nHà Thị Mai,,\nLò Thị Hoa,,\n';
const LINK_CODE = /^[A-Z2-9]{8}$/;

let s: ChannelsWorld;
afterEach(() => s?.close());

async function setup() {
  s = await channelsWorld();
  const khe = await s.cell('Chi bộ thôn Khe Lếch', ROSTER, {
    schedulePhrase: 'ngày 5 hằng tháng 19:30',
    shift: 'none',
  });
  const person = (id: string) => s.repos.people.get(id);
  /** Links Lò Văn Sinh on Telegram with his roster invite code. */
  async function sinhOnTelegram() {
    const [welcome] = await s.sayTelegram(7001, `/start ${khe.code('Lò Văn Sinh')}`);
    expect(welcome?.text).toBe(t('start.welcome', { name: 'Lò Văn Sinh' }));
    const sinh = await s.repos.people.byChannel('telegram', 7001);
    if (!sinh) throw new Error('not linked');
    return sinh;
  }
  /** Asks for a Zalo link code on Telegram with a tap on /kenh's button; the code is the second message. */
  async function zaloCodeFromTelegram() {
    const [menu] = await s.sayTelegram(7001, '/kenh');
    const [[button] = []] = buttonsOf(menu);
    expect(button?.text).toBe(t('kenh.code.offer', { channel: 'Zalo' }));
    const [instructions, code] = await s.sayTelegram(7001, { tap: button?.data ?? '' });
    expect(instructions?.text).toBe(t('kenh.code.issued', { channel: 'Zalo', minutes: 10 }));
    return code?.text ?? '';
  }
  return { khe, person, sinhOnTelegram, zaloCodeFromTelegram };
}

describe('linking a second channel with a code from /kenh', () => {
  it('Telegram → Zalo: the code links the Zalo chat to the same person, who then chooses Zalo', async () => {
    const { khe, person, sinhOnTelegram, zaloCodeFromTelegram } = await setup();
    const sinh = await sinhOnTelegram();

    const [menu] = await s.sayTelegram(7001, '/kenh');
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
    expect(await s.sayZalo('zalo-sinh', code)).toBe(
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
    expect((await s.repos.people.byChannel('zalo', 'zalo-sinh'))?.id).toBe(sinh.id);

    expect(await s.sayZalo('zalo-sinh', '2')).toBe(t('kenh.saved', { channel: 'Zalo' }));
    const chosen = await person(sinh.id);
    expect(chosen?.preferredChannel).toBe('zalo');
    expect(chosen && deliveryChannel(chosen)).toBe('zalo');

    // Single use: another Zalo account sending the same code is refused and nothing changes.
    expect(await s.sayZalo('zalo-stranger', code)).toBe(t('kenh.code.used'));
    expect(await s.repos.people.byChannel('zalo', 'zalo-stranger')).toBeUndefined();
    expect((await person(sinh.id))?.zaloId).toBe('zalo-sinh');
  });

  it('Zalo → Telegram: asked by typing "kênh" and "1", sent as /start <code>; /kenh then offers both', async () => {
    const { khe, person } = await setup();
    expect(await s.sayZalo('zalo-mai', khe.code('Hà Thị Mai'))).toBe(
      t('start.welcome', { name: 'Hà Thị Mai' }),
    );

    expect(await s.sayZalo('zalo-mai', 'kênh')).toBe(
      [
        t('kenh.current', { channel: 'Zalo' }),
        t('kenh.onlyOne'),
        t('kenh.code.hint', { channel: 'Telegram' }),
        '',
        'Trả lời bằng số:',
        `1 = ${t('kenh.code.offer', { channel: 'Telegram' })}`,
      ].join('\n'),
    );
    const [instructions, code = ''] = (await s.sayZalo('zalo-mai', '1', 2)).split('\n');
    expect(instructions).toBe(t('kenh.code.issued', { channel: 'Telegram', minutes: 10 }));
    expect(code).toMatch(LINK_CODE);

    const [linked] = await s.sayTelegram(7002, `/start ${code.toLowerCase()}`);
    expect(linked?.text.split('\n')[0]).toBe(t('kenh.linked', { channel: 'Telegram', name: 'Hà Thị Mai' }));
    expect(buttonsOf(linked)).toEqual([
      [
        { text: 'Telegram', data: 'c|kenh|telegram' },
        { text: 'Zalo', data: 'c|kenh|zalo' },
      ],
    ]);
    const mai = await s.repos.people.byChannel('telegram', 7002);
    expect(mai).toMatchObject({ name: 'Hà Thị Mai', zaloId: 'zalo-mai', telegramId: 7002 });
    // Her preference stays Zalo until she taps Telegram.
    expect(mai?.preferredChannel).toBe('zalo');
    await s.sayTelegram(7002, { tap: 'c|kenh|telegram' });
    expect((await person(mai?.id ?? ''))?.preferredChannel).toBe('telegram');
    // Linked on both, there is no code to give.
    expect((await s.sayTelegram(7002, '/kenh mã')).map((m) => m.text)).toEqual([t('kenh.code.bothLinked')]);
  });

  it('refuses an expired, used, unknown, misplaced or someone else’s code, changing nothing', async () => {
    const { khe, person, sinhOnTelegram, zaloCodeFromTelegram } = await setup();
    const sinh = await sinhOnTelegram();
    await s.sayZalo('zalo-hoa', khe.code('Lò Thị Hoa'));
    const hoa = await s.repos.people.byChannel('zalo', 'zalo-hoa');
    const unchanged = async () => {
      expect((await person(sinh.id))?.zaloId).toBeUndefined();
      expect(await person(hoa?.id ?? '')).toEqual(hoa);
    };

    // Expired: ten minutes have passed.
    const late = await zaloCodeFromTelegram();
    s.clock.advance(CHANNEL_LINK_CODE_TTL_MS + 1_000);
    expect(await s.sayZalo('zalo-sinh', late)).toBe(t('kenh.code.expired', { minutes: 10 }));
    await unchanged();

    // A newer code retires the one asked for before.
    const older = await zaloCodeFromTelegram();
    const code = await zaloCodeFromTelegram();
    expect(await s.sayZalo('zalo-sinh', older)).toBe(t('kenh.code.unknown', { code: older, minutes: 10 }));
    expect(await s.sayZalo('zalo-sinh', 'ABCD-EFGH')).toBe(
      t('kenh.code.unknown', { code: 'ABCD-EFGH', minutes: 10 }),
    );
    await unchanged();

    // A Zalo code sent back on Telegram: it says where it works.
    expect((await s.sayTelegram(7001, code)).map((m) => m.text)).toEqual([
      t('kenh.code.wrongChannel', { channel: 'Zalo' }),
    ]);
    // Someone else's: Hoa's Zalo account is hers.
    expect(await s.sayZalo('zalo-hoa', code)).toBe(t('kenh.code.otherPerson', { channel: 'Zalo' }));
    await unchanged();

    // None of these used it up: Sinh's own Zalo still links with it, once.
    expect((await s.sayZalo('zalo-sinh', code)).split('\n')[0]).toBe(
      t('kenh.linked', { channel: 'Zalo', name: 'Lò Văn Sinh' }),
    );
    expect(await s.sayZalo('zalo-other', code)).toBe(t('kenh.code.used'));
    expect((await person(sinh.id))?.zaloId).toBe('zalo-sinh');
  });

  it('takes a linked member’s eight-letter word that is no code as words, not as a wrong code', async () => {
    const { sinhOnTelegram } = await setup();
    await sinhOnTelegram();
    const [reply] = await s.sayTelegram(7001, 'CHAYNHAN');
    expect(reply?.text.startsWith(t('help.member'))).toBe(true);
  });
});

describe('a member marked unreachable', () => {
  it('is reachable again on the channel they write from, Zalo or Telegram', async () => {
    const { person, sinhOnTelegram, zaloCodeFromTelegram } = await setup();
    const sinh = await sinhOnTelegram();
    await s.sayZalo('zalo-sinh', await zaloCodeFromTelegram());
    await s.sayZalo('zalo-sinh', '2');
    // Both refused him for good (he blocked the bot on both), as the outbox records it.
    const linked = await person(sinh.id);
    if (!linked) throw new Error('gone');
    await s.repos.people.save({ ...linked, unreachable: ['zalo', 'telegram'] });
    expect(deliveryChannel({ ...linked, unreachable: ['zalo', 'telegram'] })).toBeUndefined();

    // A sticker on Zalo is enough for Zalo, and only Zalo.
    await s.sayZalo('zalo-sinh', { sticker: 'sticker-hello' });
    expect((await person(sinh.id))?.unreachable).toEqual(['telegram']);

    // A word on Telegram, for Telegram.
    await s.sayTelegram(7001, '/lich');
    const back = await person(sinh.id);
    expect(back?.unreachable).toEqual([]);
    expect(back && deliveryChannel(back)).toBe('zalo');
  });
});

describe('commands typed as words', () => {
  it('work on Zalo with or without diacritics, and /trogiup mentions /kenh', async () => {
    const { khe } = await setup();
    await s.sayZalo('zalo-mai', khe.code('Hà Thị Mai'));
    const schedule = await s.sayZalo('zalo-mai', '/lich');
    expect(schedule.split('\n').slice(0, 2)).toEqual([
      t('lich.title'),
      '• Thứ Bảy, 05/12/2026, 19:30 — Chi bộ thôn Khe Lếch: chưa trả lời',
    ]);
    for (const typed of ['lịch', 'lich', 'LỊCH', 'Lịch họp', 'lich hop'])
      expect(await s.sayZalo('zalo-mai', typed)).toBe(schedule);

    const help = await s.sayZalo('zalo-mai', '/trogiup');
    expect(help).toContain('/kenh');
    expect(help).toContain(t('kenh.help'));
    expect(help).toContain(t('zalo.help.typing'));
    for (const typed of ['trợ giúp', 'tro giup', 'trogiup', 'giúp', 'hướng dẫn', 'help'])
      expect(await s.sayZalo('zalo-mai', typed)).toBe(help);

    const channel = await s.sayZalo('zalo-mai', '/kenh');
    for (const typed of ['kênh', 'kenh', 'Kênh']) expect(await s.sayZalo('zalo-mai', typed)).toBe(channel);

    // Secretaries' commands are typed the same way; a member is told they are not for her.
    const tally = await s.sayZalo('zalo-mai', '/diemdanh');
    for (const typed of ['điểm danh', 'diem danh']) expect(await s.sayZalo('zalo-mai', typed)).toBe(tally);
    const meeting = await s.sayZalo('zalo-mai', '/hop');
    for (const typed of ['họp', 'hop']) expect(await s.sayZalo('zalo-mai', typed)).toBe(meeting);
  });

  it('work on Telegram as a bare word too, where /trogiup mentions /kenh', async () => {
    const { khe } = await setup();
    await s.sayTelegram(7003, `/start ${khe.code('Lò Thị Hoa')}`);
    const [schedule] = await s.sayTelegram(7003, '/lich');
    expect((await s.sayTelegram(7003, 'lịch')).map((m) => m.text)).toEqual([schedule?.text]);
    const [help] = await s.sayTelegram(7003, 'trợ giúp');
    expect(help?.text).toContain(t('kenh.help'));
    expect(help?.text).not.toContain(t('zalo.help.typing'));
  });
});
