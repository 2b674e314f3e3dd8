import { afterEach, describe, expect, it, vi } from 'vitest';
import { answerLink, LinkSigner } from '../../src/channels/web/links.js';
import type { Meeting } from '../../src/store/records.js';
import { AppHarness, buttonsOf, HARNESS_LINK_SECRET, telegramUser } from '../support/app-harness.js';
import { KHE_LECH_CSV, setUpCommune } from '../support/commune.js';

// A journey lives through weeks of simulated time and dozens of chat turns.
vi.setConfig({ testTimeout: 120_000 });

/** Journeys of ../shared/journeys.md, end to end: the whole app, a fake Bot API, a simulated clock. */
const harnesses: AppHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
});
async function harness(start: string) {
  const h = await AppHarness.start({ start });
  harnesses.push(h);
  return h;
}

const local = (meeting: Meeting | undefined) =>
  meeting && new Date(meeting.startsAt + 7 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('journey 1: an admin sets up a commune from nothing', () => {
  it('bootstraps the first admin, creates the cells, refuses a bad roster whole, and hands out invites', async () => {
    const h = await harness('2026-11-20T02:00:00Z');
    const hoa = telegramUser(1001, 'Hoa');
    const [welcome] = (await h.say(hoa, '/start TANAN-FIRST-ADMIN')).messages;
    expect(welcome?.text).toContain('quản trị viên đầu tiên');
    // The bootstrap code works once.
    const [again] = (await h.say(telegramUser(1002, 'Kẻ lạ'), '/start TANAN-FIRST-ADMIN')).messages;
    expect(again?.text).not.toContain('quản trị viên đầu tiên');

    expect((await h.say(hoa, '/taodangbo Đảng bộ xã Tân An')).messages[0]?.text).toContain('Đã tạo đảng bộ');
    const created = await h.say(
      hoa,
      '/taochibo Chi bộ thôn Khe Lếch | thôn | ngày 5 hằng tháng 19:30 | Nhà văn hóa thôn | họp cả cuối tuần, giữ ngày',
    );
    // Read back with its next three meetings: Khe Lếch meets on weekends and keeps its date on holidays.
    expect(created.messages[0]?.text).toBe(
      [
        'Đã tạo chi bộ số 1: Chi bộ thôn Khe Lếch (thôn, bản, tổ dân phố). Nhập danh sách bằng /nhapds 1.',
        'Lịch sinh hoạt thường kỳ: ngày 5 hằng tháng, 19:30; trùng ngày nghỉ vẫn giữ ngày, họp cả cuối tuần.',
        'Ba kỳ sinh hoạt thường kỳ tới:',
        '• Thứ Bảy, 05/12/2026, 19:30',
        '• Thứ Ba, 05/01/2027, 19:30',
        '• Thứ Sáu, 05/02/2027, 19:30',
      ].join('\n'),
    );
    // A phrase that is not a schedule, and an option nobody knows, create nothing.
    const badPhrase = await h.say(hoa, '/taochibo Chi bộ X | thôn | họp khi nào rảnh | Nhà văn hóa');
    expect(badPhrase.messages[0]?.text).not.toContain('Đã tạo');
    const badOption = await h.say(
      hoa,
      '/taochibo Chi bộ Y | thôn | ngày 5 hằng tháng 19:30 | Nhà văn hóa | họp online',
    );
    expect(badOption.messages[0]?.text).toContain('Không hiểu tùy chọn «họp online»');
    await h.say(
      hoa,
      '/taochibo Chi bộ Trường THCS Tân An | trường | thứ Sáu đầu tiên của tháng 16:30 | Phòng họp',
    );
    await h.say(
      hoa,
      '/taochibo Chi bộ Công ty chè Tân An | doanh nghiệp | ngày 10 hằng tháng 17:00 | Văn phòng',
    );
    const list = (await h.say(hoa, '/chibo')).messages[0]?.text;
    expect(list?.split('\n')).toEqual([
      '1. Chi bộ thôn Khe Lếch (thôn, bản, tổ dân phố)',
      '2. Chi bộ Trường THCS Tân An (đơn vị sự nghiệp)',
      '3. Chi bộ Công ty chè Tân An (doanh nghiệp ngoài nhà nước)',
    ]);

    // Each new cell has its meetings at once, not at the next night's planning run: Khe Lếch meets on
    // Saturday 05/12 (it meets on weekends), the school on Friday 04/12.
    const [org] = await h.services.repos.cells.listOrgs();
    const [khelech, school] = (await h.services.repos.cells.ofOrg(org?.id ?? '')).sort(
      (a, b) => a.createdAt - b.createdAt,
    );
    const next = async (cellId: string) =>
      (await h.services.repos.meetings.ofCell(cellId, h.clock.now(), h.clock.now() + 20 * 86_400_000))[0];
    expect(local(await next(khelech?.id ?? ''))).toBe('2026-12-05 19:30');
    expect(local(await next(school?.id ?? ''))).toBe('2026-12-04 16:30');

    // Row 14 of the spreadsheet has no name: the whole import is refused with the row and column.
    const lines = KHE_LECH_CSV.split('\n');
    lines[13] = `,đảng viên,chính thức`;
    const refused = await h.say(hoa, `/nhapds 1\n${lines.join('\n')}`);
    expect(refused.messages[0]?.text).toContain('Dòng 14, cột ho_ten: không được để trống');
    expect((await h.services.repos.cells.members(khelech?.id ?? '')).size).toBe(0);
    const imported = await h.say(hoa, `/nhapds 1\n${KHE_LECH_CSV}`);
    expect(imported.messages[0]?.text).toContain('thêm 22');
    // Importing the same file again updates in place: nobody is duplicated.
    expect((await h.say(hoa, `/nhapds 1\n${KHE_LECH_CSV}`)).messages[0]?.text).toContain('thêm 0');
    expect((await h.services.repos.cells.members(khelech?.id ?? '')).size).toBe(22);

    // Per cell, the personal invites: a t.me deep link and the bare code for each person.
    const invites = (await h.say(hoa, '/moi 1')).messages[0]?.text ?? '';
    const entries = [...invites.matchAll(/• (.+?): ([A-Z0-9]{6}) (https:\/\/t\.me\/\S+)/g)];
    expect(entries).toHaveLength(22);
    expect(entries[0]?.[3]).toBe(`https://t.me/chibo_test_bot?start=${entries[0]?.[2]}`);
    // The secretary named in the roster links with his code and is recognised as secretary.
    const tuan = telegramUser(2001, 'Tuấn');
    const code = entries.find((e) => e[1] === 'Nguyễn Văn Tuấn')?.[2];
    await h.say(tuan, `/start ${code}`);
    const tally = (await h.say(tuan, '/diemdanh')).messages[0]?.text;
    expect(tally).toContain('Có mặt 0/21');

    // She registers the two committee members who follow the cells, each with an invite code of their own.
    const lam = await h.say(hoa, '/capuy Hoàng Văn Lâm | tỉnh | 1, 2');
    expect(lam.messages[0]?.text).toContain('Hoàng Văn Lâm');
    await h.say(hoa, '/capuy Lê Thị Thu | xã | 1, 2, 3');
    const committee = (await h.say(hoa, '/capuy')).messages[0]?.text ?? '';
    expect(committee).toContain(
      'Hoàng Văn Lâm — cấp ủy viên cấp tỉnh — theo dõi: Chi bộ thôn Khe Lếch, Chi bộ Trường THCS Tân An — mã mời',
    );
    expect(committee).toMatch(
      /Lê Thị Thu — .* — theo dõi: Chi bộ thôn Khe Lếch, Chi bộ Trường THCS Tân An, Chi bộ Công ty chè Tân An — mã mời [A-Z0-9]{6}/,
    );
  });
});

describe('journey 3: a member on Telegram', () => {
  it('answers the notice with taps, changes the answer, is refused after the start, and sees /lich', async () => {
    const h = await harness('2026-11-26T03:00:00Z');
    const commune = await setUpCommune(h);
    const sinh = telegramUser(3001, 'Sinh');
    await commune.join('Lò Văn Sinh', sinh);

    // Three days before Saturday 05/12/2026 19:30 the notice arrives, with the two answer buttons.
    await h.advanceTo('2026-12-02T13:00:00Z');
    const [notice] = h.inbox(sinh, 'Thứ Bảy, 05/12/2026, 19:30');
    expect(notice?.text).toContain('Chi bộ thôn Khe Lếch');
    expect(notice?.text).toContain('Nhà văn hóa thôn Khe Lếch');
    expect(buttonsOf(notice as NonNullable<typeof notice>).map((b) => b.text)).toEqual([
      '✅ Có mặt',
      '❌ Vắng',
    ]);

    const asked = await h.tap(sinh, notice as NonNullable<typeof notice>, '❌ Vắng');
    const question = asked.edits.at(-1);
    expect(question?.text).toBe('Đồng chí vắng vì lý do gì?');
    const sick = await h.tap(sinh, question as NonNullable<typeof question>, 'Ốm');
    expect(sick.toast).toBe('Đã ghi: Vắng — Ốm');
    expect(sick.edits.at(-1)?.text).toContain(
      'Trả lời của đồng chí: Vắng — Ốm. Có thể đổi đến khi bắt đầu họp.',
    );
    const sinhId = (await h.services.repos.people.byChannel('telegram', sinh.id))?.id ?? '';
    const meeting = (await h.services.meetings.upcomingFor(sinhId))[0]?.meeting;

    // The next day he changes it to "Có mặt".
    await h.advanceTo('2026-12-03T02:00:00Z');
    const present = await h.tap(sinh, notice as NonNullable<typeof notice>, '✅ Có mặt');
    expect(present.toast).toBe('Đã ghi: Có mặt');
    expect((await h.services.repos.meetings.answers(meeting?.id ?? '')).get(sinhId)).toMatchObject({
      choice: 'present',
    });

    // /lich: his next meetings with his answers.
    const lich = (await h.say(sinh, '/lich')).messages[0]?.text;
    expect(lich).toContain('• Thứ Bảy, 05/12/2026, 19:30 — Chi bộ thôn Khe Lếch: Có mặt');

    // Once the meeting has started, the old message's buttons change nothing.
    await h.advanceTo('2026-12-05T12:31:00Z');
    const late = await h.tap(sinh, notice as NonNullable<typeof notice>, '❌ Vắng');
    expect(late.toast).toBe('Cuộc họp đã bắt đầu nên đã hết hạn trả lời; câu trả lời này chưa được ghi.');
    const lateAbsent = await h.tapData(sinh, `a|${meeting?.id}|x|sick`, notice);
    expect(lateAbsent.toast).toBe(
      'Cuộc họp đã bắt đầu nên đã hết hạn trả lời; câu trả lời này chưa được ghi.',
    );
    expect((await h.services.repos.meetings.answers(meeting?.id ?? '')).get(sinhId)).toMatchObject({
      choice: 'present',
    });
  });
});

describe('journey 7: changes and holidays', () => {
  it('moves the school’s Tết meeting to the same weekday after the break while Khe Lếch keeps its date', async () => {
    const h = await harness('2026-11-26T03:00:00Z');
    const commune = await setUpCommune(h);
    // By late January the nightly planning has materialised February's meetings.
    await h.advanceTo('2027-01-20T03:00:00Z');
    const february = async (cellId: string) =>
      (
        await h.services.repos.meetings.ofCell(
          cellId,
          Date.parse('2027-02-01T00:00:00+07:00'),
          Date.parse('2027-02-28T23:59:00+07:00'),
        )
      )
        .filter((m) => m.state === 'planned')
        .map(local);
    // The first Friday is 05/02, inside the Tết break (04–10/02/2027): a weekday rule keeps its weekday, so the
    // school meets the Friday after, 12/02, and the meeting says why.
    expect(await february(commune.school.id)).toEqual(['2027-02-12 16:30']);
    // Khe Lếch keeps the 5th by its own policy ("giữ ngày").
    expect(await february(commune.khelech.id)).toEqual(['2027-02-05 19:30']);
  });
});

describe('journey 7: a secretary moves one meeting and cancels another', () => {
  /** The whole app living through days of a month: more than the default per-test ceiling on a busy machine. */
  const DAYS = { timeout: 90_000 };

  async function commune(start: string) {
    const h = await harness(start);
    const c = await setUpCommune(h);
    const tuan = telegramUser(2001, 'Tuấn');
    const sinh = telegramUser(3001, 'Sinh');
    const mai = telegramUser(3002, 'Mai');
    await c.join('Nguyễn Văn Tuấn', tuan);
    await c.join('Lò Văn Sinh', sinh);
    await c.join('Hà Thị Mai', mai);
    return { h, khelech: c.khelech, tuan, sinh, mai };
  }

  it(
    'moves one meeting from 19:30 to 20:00: everyone notified gets the new time, reminders move with it',
    DAYS,
    async () => {
      const { h, tuan, sinh, mai } = await commune('2026-11-26T03:00:00Z');
      // The notice of Saturday 05/12 19:30 reaches them three days before; Sinh answers at once.
      await h.advanceTo('2026-12-02T13:00:00Z');
      const [notice] = h.inbox(sinh, 'Thứ Bảy, 05/12/2026, 19:30');
      await h.tap(sinh, notice as NonNullable<typeof notice>, '✅ Có mặt');

      // Anh Tuấn moves it to 20:00 with /hop.
      const [hop] = (await h.say(tuan, '/hop')).messages;
      expect(hop?.text).toContain('Thời gian: Thứ Bảy, 05/12/2026, 19:30');
      expect(hop?.text).toContain('Thông báo: đã gửi (3 đồng chí)');
      const ask = await h.tap(tuan, hop as NonNullable<typeof hop>, '🕗 Đổi giờ');
      expect(ask.messages[0]?.text).toContain('Nhập thời gian họp mới');
      const moved = (await h.say(tuan, '20:00')).messages[0]?.text;
      expect(moved).toContain('Đã đổi thời gian họp sang Thứ Bảy, 05/12/2026, 20:00.');
      expect(moved).toContain('3 đồng chí đã nhận thông báo sẽ được báo.');
      await h.deliver();
      for (const member of [sinh, mai]) {
        const [change] = h.inbox(member, 'có thay đổi');
        expect(change?.text).toContain('Thời gian: Thứ Bảy, 05/12/2026, 20:00');
      }
      const movedAt = new Map([tuan, sinh, mai].map((u) => [u.id, h.inbox(u).length]));

      // The eve's follow-up comes at its hour, 17:00, to Mai who has not answered, and names 20:00; nothing
      // about 19:30 goes out any more.
      await h.advanceTo('2026-12-04T09:55:00Z');
      expect(h.inbox(mai, '⏰ Kính nhắc')).toEqual([]);
      await h.advanceTo('2026-12-04T10:05:00Z');
      const followUps = h.inbox(mai, '⏰ Kính nhắc');
      expect(followUps).toHaveLength(1);
      expect(followUps[0]?.text).toContain('Thứ Bảy, 05/12/2026, 20:00');
      expect(h.inbox(sinh, '⏰ Kính nhắc')).toEqual([]);
      for (const u of [tuan, sinh, mai])
        expect(
          h
            .inbox(u)
            .slice(movedAt.get(u.id))
            .filter((m) => m.text.includes('05/12/2026, 19:30')),
        ).toEqual([]);
    },
  );

  it(
    'cancels another month’s meeting: all who were notified are told, no further reminder for it goes out',
    DAYS,
    async () => {
      const { h, khelech, tuan, sinh, mai } = await commune('2026-12-24T03:00:00Z');
      // The January meeting's notice goes out three days before, then anh Tuấn cancels it.
      await h.advanceTo('2027-01-02T13:00:00Z');
      expect(h.inbox(mai, 'Thứ Ba, 05/01/2027, 19:30')).toHaveLength(1);
      const [january] = (await h.say(tuan, '/hop')).messages;
      expect(january?.text).toContain('Thời gian: Thứ Ba, 05/01/2027, 19:30');
      const confirm = (await h.tap(tuan, january as NonNullable<typeof january>, '❌ Hủy buổi họp')).edits.at(
        -1,
      );
      expect(confirm?.text).toContain('Hủy buổi họp Thứ Ba, 05/01/2027, 19:30?');
      const cancelled = await h.tap(tuan, confirm as NonNullable<typeof confirm>, 'Xác nhận hủy');
      expect(cancelled.edits.at(-1)?.text).toContain('Đã hủy buổi họp Thứ Ba, 05/01/2027, 19:30.');
      await h.deliver();
      for (const member of [sinh, mai])
        expect(h.inbox(member, 'đã bị hủy').map((m) => m.text)).toEqual([
          '❌ Buổi sinh hoạt chi bộ thường kỳ của Chi bộ thôn Khe Lếch (Thứ Ba, 05/01/2027, 19:30) đã bị hủy.',
        ]);
      const cancelledAt = new Map([tuan, sinh, mai].map((u) => [u.id, h.inbox(u).length]));

      // Through the days before and after it: nothing more about that meeting, to anyone, and the nightly
      // planning does not bring it back.
      await h.advanceTo('2027-01-07T03:00:00Z');
      for (const u of [tuan, sinh, mai])
        expect(
          h
            .inbox(u)
            .slice(cancelledAt.get(u.id))
            .filter((m) => m.text.includes('05/01/2027')),
        ).toEqual([]);
      const onTheFifth = await h.services.repos.meetings.ofCell(
        khelech.id,
        Date.parse('2027-01-05T00:00:00+07:00'),
        Date.parse('2027-01-05T23:59:00+07:00'),
      );
      expect(onTheFifth.map((m) => m.state)).toEqual(['cancelled']);
    },
  );
});

describe('journey 8: what must be refused', () => {
  it('refuses a forwarded notice, /diemdanh from a member, a second use of a code, and forged data', async () => {
    const h = await harness('2026-11-26T03:00:00Z');
    const commune = await setUpCommune(h);
    const sinh = telegramUser(3001, 'Sinh');
    const hoaSchool = telegramUser(4001, 'Hoa (trường)');
    await commune.join('Lò Văn Sinh', sinh);
    await commune.join('Lê Thị Hoa', hoaSchool);
    await h.advanceTo('2026-12-02T13:00:00Z');
    const [notice] = h.inbox(sinh, 'Chi bộ thôn Khe Lếch');
    const meetingId = buttonsOf(notice as NonNullable<typeof notice>)[0]?.callback_data.split('|')[1] ?? '';

    // A member of the school taps a notice forwarded from Khe Lếch: refused, nothing recorded.
    const forwarded = await h.tap(hoaSchool, notice as NonNullable<typeof notice>, '✅ Có mặt');
    expect(forwarded.toast).toBe(
      'Đồng chí không thuộc chi bộ của cuộc họp này nên câu trả lời chưa được ghi.',
    );
    expect((await h.services.repos.meetings.answers(meetingId)).size).toBe(0);

    // A member sends /diemdanh: told it is for secretaries.
    expect((await h.say(sinh, '/diemdanh')).messages[0]?.text).toBe(
      'Lệnh này chỉ dành cho bí thư, phó bí thư và chi ủy viên của chi bộ.',
    );

    // An invite code used twice: the second use is refused and links nobody.
    const stranger = telegramUser(4999, 'Người lạ');
    const reuse = await h.say(stranger, `/start ${commune.codes.get('Lò Văn Sinh')}`);
    expect(reuse.messages[0]?.text).toBe(
      'Mã mời này đã được dùng. Mỗi mã chỉ dùng được một lần; nếu cần, hãy hỏi bí thư chi bộ.',
    );
    expect(await h.services.repos.people.byChannel('telegram', stranger.id)).toBeUndefined();

    // Forged callback data: a meeting that does not exist, a choice that is not one.
    expect((await h.tapData(sinh, 'a|zzzzzz|p|')).toast).toBe(
      'Không tìm thấy cuộc họp này. Nút bấm có thể đã cũ hoặc không hợp lệ.',
    );
    expect((await h.tapData(sinh, `a|${meetingId}|maybe|`)).toast).toBe(
      'Nút bấm không hợp lệ nên yêu cầu chưa được thực hiện.',
    );
    expect((await h.services.repos.meetings.answers(meetingId)).size).toBe(0);

    // Sinh's own one-tap link, altered by one character: a clear page, nothing changed.
    const sinhId = (await h.services.repos.people.byChannel('telegram', sinh.id))?.id ?? '';
    const meeting = await h.services.repos.meetings.get(meetingId);
    const signer = LinkSigner.shared(h.app.store, HARNESS_LINK_SECRET);
    const url = new URL(await answerLink(signer, 'https://chibo.example.vn', sinhId, meeting as Meeting));
    const token = url.pathname.split('/').at(-1) ?? '';
    // Someone edits the token: a different meeting ID in the same shape would change its signature's match.
    const altered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const page = await fetch(`http://127.0.0.1:${h.app.port}/r/${altered}`);
    expect(page.status).toBe(403);
    expect(await page.text()).toContain(
      'Đường liên kết này đã bị sửa hoặc không phải do bot gửi nên câu trả lời chưa được ghi.',
    );
    expect((await h.services.repos.meetings.answers(meetingId)).size).toBe(0);
    // The untouched link works for him, once the page's form is posted.
    expect((await fetch(`http://127.0.0.1:${h.app.port}${url.pathname}`)).status).toBe(200);
  });
});
