import { describe, expect, it, vi } from 'vitest';
import { t } from '../../src/i18n.js';
import { buttonsOf, harnessPerTest, type ShownMessage, telegramUser } from '../support/app-harness.js';
import { registerCommittee, setUpCommune } from '../support/commune.js';

// Whole-app turns on a simulated clock: dozens of chat turns, each waiting for the bot to finish.
vi.setConfig({ testTimeout: 180_000 });

/**
 * Issue 15, point 6: the notices reach who HD 42 names. The committee members assigned to a cell receive each of
 * its notices with [Đăng ký dự] (a numbered reply on Zalo); a meeting moved inside its notice window is announced
 * at once; a follow-up never reaches someone who did not receive the notice.
 */
const start = harnessPerTest();
const harness = (at: string, zalo = false) => start({ start: at, zalo });

const KHE_LECH_DEC = 'Thứ Bảy, 05/12/2026, 19:30';
/** The follow-up's lead, above the notice it repeats. */
const FOLLOW_UP = '⏰ Kính nhắc đồng chí: chi bộ chưa nhận được trả lời';

describe('the notice reaches the committee members who follow the cell', () => {
  it('on Telegram and Zalo, each with [Đăng ký dự]; and a follow-up only for those whose notice arrived', async () => {
    const h = await harness('2026-11-26T03:00:00Z', true);
    const c = await setUpCommune(h);
    const codes = await registerCommittee(h, c);
    const lam = telegramUser(8001, 'Lâm');
    await h.say(lam, `/start ${codes.get('Hoàng Văn Lâm')}`);
    await h.zaloSay('zalo-thu', codes.get('Lê Thị Thu') ?? '', 'Thu');
    const tuan = telegramUser(8002, 'Tuấn');
    await c.join('Nguyễn Văn Tuấn', tuan);
    const sinh = telegramUser(8003, 'Sinh');
    await c.join('Lò Văn Sinh', sinh);

    // Three days before: neither has registered, and both receive the notice, with a way to register.
    await h.advanceTo('2026-12-02T13:00:00Z');
    const [toLam, ...moreToLam] = h.inbox(lam, KHE_LECH_DEC);
    expect(moreToLam).toEqual([]);
    expect(toLam?.text.split('\n')).toEqual([
      '📅 Thông báo buổi sinh hoạt chi bộ thường kỳ của Chi bộ thôn Khe Lếch. Kính mời đồng chí đến dự.',
      `Thời gian: ${KHE_LECH_DEC}`,
      'Địa điểm: Nhà văn hóa thôn Khe Lếch',
      '',
      'Nếu đồng chí đến dự, xin bấm «Đăng ký dự» để bí thư chi bộ được báo trước.',
    ]);
    expect(buttonsOf(toLam as ShownMessage).map((b) => b.text)).toEqual([
      '📝 Đăng ký dự 05/12 — Chi bộ thôn Khe Lếch',
    ]);
    const toThu = h.zaloInbox('zalo-thu', KHE_LECH_DEC);
    expect(toThu).toHaveLength(1);
    expect(toThu[0]?.text?.split('\n').slice(-2)).toEqual([
      'Trả lời bằng số:',
      '1 = 📝 Đăng ký dự 05/12 — Chi bộ thôn Khe Lếch',
    ]);

    // He registers from the notice: anh Tuấn is told at once, and the notice is not sent to him again.
    const registered = await h.tap(lam, toLam as ShownMessage, '📝 Đăng ký dự 05/12');
    expect(registered.messages[0]?.text).toBe(
      `✅ Đã đăng ký dự buổi sinh hoạt chi bộ thường kỳ của Chi bộ thôn Khe Lếch, ${KHE_LECH_DEC}. Bí thư chi bộ đã được báo.`,
    );
    // She answers "1" on Zalo, hours after the notice came: asked back (a number answers for a few minutes only),
    // then "1" again.
    expect((await h.zaloSay('zalo-thu', '1', 'Thu'))[0]?.split('\n')[0]).toBe(
      t('zalo.expired', { reply: '1' }),
    );
    const [thuRegistered] = await h.zaloSay('zalo-thu', '1', 'Thu');
    expect(thuRegistered).toMatch(
      /^✅ Đã đăng ký dự buổi sinh hoạt chi bộ thường kỳ của Chi bộ thôn Khe Lếch/,
    );
    await h.deliver();
    expect(
      h
        .inbox(tuan, 'Khi điểm danh, tên đồng chí có trong mục đại biểu.')
        .map((m) => /Đồng chí (.+?) \(/.exec(m.text)?.[1])
        .sort(),
    ).toEqual(['Hoàng Văn Lâm', 'Lê Thị Thu']);
    expect(h.inbox(lam, '📅 Thông báo').filter((m) => m.text.includes(KHE_LECH_DEC))).toHaveLength(1);
    const [december] = await h.services.repos.meetings.ofCell(
      c.khelech.id,
      Date.parse('2026-12-05T00:00:00+07:00'),
      Date.parse('2026-12-06T00:00:00+07:00'),
    );
    expect((await h.services.repos.meetings.guests(december?.id ?? '')).size).toBe(2);

    // Bà Mai links only after the notice went out. The day before, at 17:00, the follow-up "Kính nhắc đồng chí"
    // goes to Sinh, who had the notice and never answered; she had none, so what reaches her is the notice itself.
    const mai = telegramUser(8004, 'Mai');
    await h.advanceTo('2026-12-03T03:00:00Z');
    await c.join('Hà Thị Mai', mai);
    const welcomed = h.inbox(mai).length;
    await h.advanceTo('2026-12-04T13:00:00Z');
    const [maiFirst, ...maiMore] = h.inbox(mai).slice(welcomed);
    expect(maiMore).toEqual([]);
    expect(maiFirst?.text.split('\n')[0]).toBe(
      '📅 Kính mời đồng chí dự buổi sinh hoạt chi bộ thường kỳ — Chi bộ thôn Khe Lếch',
    );
    expect(maiFirst?.text).not.toContain(FOLLOW_UP);
    expect(buttonsOf(maiFirst as ShownMessage).map((b) => b.text)).toEqual(['✅ Có mặt', '❌ Vắng']);
    const sinhReminded = h.inbox(sinh, FOLLOW_UP);
    expect(sinhReminded).toHaveLength(1);
    expect(sinhReminded[0]?.text).toContain(KHE_LECH_DEC);
    // The committee members owe no answer: no follow-up for them.
    expect(h.inbox(lam, FOLLOW_UP)).toEqual([]);
    expect(h.zaloInbox('zalo-thu', FOLLOW_UP)).toEqual([]);
  });
});

describe('a meeting moved inside its notice window', () => {
  it('is announced at once to the members and the committee members, who had not been told of it', async () => {
    const h = await harness('2026-11-26T03:00:00Z');
    const c = await setUpCommune(h);
    const codes = await registerCommittee(h, c);
    const lam = telegramUser(8101, 'Lâm');
    await h.say(lam, `/start ${codes.get('Hoàng Văn Lâm')}`);
    const tuan = telegramUser(8102, 'Tuấn');
    await c.join('Nguyễn Văn Tuấn', tuan);
    const sinh = telegramUser(8103, 'Sinh');
    await c.join('Lò Văn Sinh', sinh);

    // Thursday 26/11, 21:00: anh Tuấn brings the December meeting forward to tomorrow evening. Its notice was due
    // on 24/11 at 08:00 and would have been late by its own grace since 08:00 today.
    await h.advanceTo('2026-11-26T14:00:00Z');
    const hop = (await h.say(tuan, '/hop')).messages[0] as ShownMessage;
    expect(hop.text).toContain('Thông báo: chưa gửi');
    await h.tap(tuan, hop, '🕗 Đổi giờ');
    const moved = await h.say(tuan, '27/11 19:30');
    expect(moved.messages.at(-1)?.text ?? moved.edits.at(-1)?.text).toContain('Thứ Sáu, 27/11/2026, 19:30');
    await h.deliver();

    // Without the clock moving, the notice is out: members with their answer buttons, the committee member with
    // [Đăng ký dự].
    const [toSinh] = h.inbox(sinh, 'Thứ Sáu, 27/11/2026, 19:30');
    expect(toSinh?.text.split('\n')[0]).toBe(
      '📅 Kính mời đồng chí dự buổi sinh hoạt chi bộ thường kỳ — Chi bộ thôn Khe Lếch',
    );
    expect(buttonsOf(toSinh as ShownMessage).map((b) => b.text)).toEqual(['✅ Có mặt', '❌ Vắng']);
    const [toLam] = h.inbox(lam, 'Thứ Sáu, 27/11/2026, 19:30');
    expect(toLam?.text).toMatch(/^📅 Thông báo buổi sinh hoạt chi bộ thường kỳ của Chi bộ thôn Khe Lếch/);
    expect(buttonsOf(toLam as ShownMessage).map((b) => b.text)).toEqual([
      '📝 Đăng ký dự 27/11 — Chi bộ thôn Khe Lếch',
    ]);
    const hopAgain = (await h.say(tuan, '/hop')).messages[0];
    expect(hopAgain?.text).toMatch(/Thông báo: đã gửi \(\d+ đồng chí\)/);

    // Once: the next morning's planning and ticks send it to nobody again.
    await h.advanceTo('2026-11-27T03:00:00Z');
    expect(h.inbox(sinh, '📅 Kính mời đồng chí dự buổi sinh hoạt chi bộ thường kỳ')).toHaveLength(1);
    expect(h.inbox(lam, '📅 Thông báo')).toHaveLength(1);
  });
});
