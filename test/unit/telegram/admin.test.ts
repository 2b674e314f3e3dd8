import { describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n.js';
import { createLogger } from '../../../src/logger.js';
import { recordingBot, tapUpdate, textUpdate, user } from '../../support/telegram.js';
import { world } from '../../support/world.js';

const log = createLogger({ level: 'silent' });

/** Journey 1's roster CSV: 22 members; line 14 (the 13th member) has lost its name. */
function khelechCsv(withEmptyName: boolean) {
  const names = Array.from({ length: 22 }, (_, i) => `Đảng viên Khe Lếch ${i + 1}`);
  names[0] = 'Nguyễn Văn Tuấn';
  const rows = names.map(
    (n, i) =>
      `${withEmptyName && i === 12 ? '' : n},${i === 0 ? 'Bí thư' : 'Đảng viên'},${i === 21 ? 'Miễn sinh hoạt' : 'Chính thức'}`,
  );
  return ['ho_ten,vai_tro,trang_thai', ...rows].join('\n');
}

async function setup() {
  const w = world();
  const tg = recordingBot({ services: w.services, store: w.store, log, now: w.clock.now });
  const send = (from: ReturnType<typeof user>, text: string) => tg.bot.handleUpdate(textUpdate(from, text));
  const last = (method: string) => tg.calls.filter((c) => c.method === method).at(-1)?.payload;
  const lastText = () => String(last('sendMessage')?.text);
  const tap = (from: ReturnType<typeof user>, data: string) => tg.bot.handleUpdate(tapUpdate(from, data));
  /** Hoa, the first admin, with the đảng bộ made. */
  const admin = async () => {
    const hoa = user(9001, 'Hoa');
    await send(hoa, `/start ${(await w.services.people.bootstrapCode())?.code ?? ''}`);
    await send(hoa, '/taodangbo Đảng ủy xã Tân An');
    return hoa;
  };
  type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };
  /** The buttons of the last message sent. */
  const keyboard = () => (last('sendMessage')?.reply_markup as Keyboard | undefined)?.inline_keyboard ?? [];
  return { ...w, tg, send, last, lastText, tap, admin, keyboard };
}

describe('an admin sets up a commune from nothing (journey 1)', () => {
  it('bootstraps, creates the đảng bộ and cells, imports a roster all-or-nothing, and lists invites', async () => {
    const s = await setup();
    const hoa = user(9001, 'Hoa');
    const code = (await s.services.people.bootstrapCode())?.code ?? '';
    await s.send(hoa, `/start ${code}`);
    expect(s.lastText()).toBe(t('start.admin', { name: 'Hoa' }));
    // The bootstrap code works once.
    await s.send(user(9002), `/start ${code}`);
    expect(s.lastText()).not.toBe(t('start.admin', { name: 'User 9002' }));
    expect(await s.services.people.bootstrapCode()).toBeUndefined();

    await s.send(hoa, '/taodangbo Đảng bộ xã Tân An');
    expect(s.lastText()).toBe(t('admin.org.created', { name: 'Đảng bộ xã Tân An' }));

    await s.send(hoa, '/taochibo Chi bộ thôn Khe Lếch | thôn | ngày Tám hằng tháng 19:30 | Nhà văn hóa thôn');
    expect(s.lastText()).toMatch(
      /^Không hiểu phần «ngày Tám»\. Lịch họp có thể viết theo một trong các cách: /,
    );
    expect(await s.services.repos.cells.allIds()).toEqual([]);

    await s.send(hoa, '/taochibo Chi bộ thôn Khe Lếch | thôn | ngày 5 hằng tháng 19:30 | Nhà văn hóa thôn');
    expect(s.lastText().split('\n')[0]).toBe(
      'Đã tạo chi bộ số 1: Chi bộ thôn Khe Lếch (thôn, bản, tổ dân phố). Nhập danh sách bằng /nhapds 1.',
    );
    s.clock.advance(1000);
    await s.send(
      hoa,
      '/taochibo Chi bộ Trường THCS Tân An | trường | thứ Sáu đầu tiên của tháng 16:30 | Phòng họp nhà trường',
    );
    expect(s.lastText()).toContain('Đã tạo chi bộ số 2');

    await s.send(hoa, `/nhapds 1\n${khelechCsv(true)}`);
    expect(s.lastText()).toBe(`${t('admin.import.failed')}\nDòng 14, cột ho_ten: không được để trống`);
    const [khe] = await s.services.repos.cells
      .getMany(await s.services.repos.cells.allIds())
      .then((cs) => cs.filter((c) => c.name.includes('Khe')));
    expect((await s.services.repos.cells.members(khe?.id ?? '')).size).toBe(0);

    await s.send(hoa, `/nhapds 1\n${khelechCsv(false)}`);
    expect(s.lastText()).toContain('thêm 22, cập nhật 0, giữ nguyên 0');
    // Re-importing updates instead of duplicating.
    await s.send(
      hoa,
      `/nhapds 1\n${khelechCsv(false).replace('Đảng viên Khe Lếch 2,Đảng viên', 'Đảng viên Khe Lếch 2,Phó bí thư')}`,
    );
    expect(s.lastText()).toContain('thêm 0, cập nhật 1, giữ nguyên 21');
    expect((await s.services.repos.cells.members(khe?.id ?? '')).size).toBe(22);

    await s.send(hoa, '/moi 1');
    const invites = s.lastText().split('\n');
    expect(invites[0]).toBe('Mã mời cá nhân — Chi bộ thôn Khe Lếch (mỗi mã dùng một lần):');
    expect(invites).toHaveLength(23);
    expect(invites.find((l) => l.startsWith('• Nguyễn Văn Tuấn:'))).toMatch(
      /^• Nguyễn Văn Tuấn: ([A-Z2-9]{6}) https:\/\/t\.me\/chibo_test_bot\?start=\1$/,
    );

    // The secretary named in the roster can use the code, and becomes the cell's secretary.
    const tuanCode = /: ([A-Z2-9]{6}) /.exec(
      invites.find((l) => l.startsWith('• Nguyễn Văn Tuấn:')) ?? '',
    )?.[1];
    await s.send(user(9100, 'Tuấn'), `/start ${tuanCode}`);
    await s.send(user(9100, 'Tuấn'), '/trogiup');
    expect(s.lastText()).toContain(`${t('help.section.secretary')}\n/hop — ${t('help.command.hop')}`);
  });

  it('answers a new schedule with its next three meetings, each moved one with why', async () => {
    const s = await setup();
    const hoa = await s.admin();
    await s.send(hoa, '/taochibo Chi bộ thôn Khe Lếch | thôn | ngày 5 hằng tháng 19:30 | Nhà văn hóa thôn');
    expect(s.lastText().split('\n').slice(1)).toEqual([
      'Lịch sinh hoạt thường kỳ: ngày 5 hằng tháng, 19:30; trùng ngày nghỉ thì dời sang ngày làm việc sau, trong cùng tháng.',
      'Ba kỳ sinh hoạt thường kỳ tới:',
      '• Thứ Hai, 07/12/2026, 19:30 — dời từ Thứ Bảy 05/12 vì trùng ngày nghỉ cuối tuần',
      '• Thứ Ba, 05/01/2027, 19:30',
      '• Thứ Năm, 11/02/2027, 19:30 — dời từ Thứ Sáu 05/02 vì Tết Nguyên đán Đinh Mùi (dự kiến)',
    ]);
  });

  it('asks back «2 giờ» before keeping it: a tap on 14:00 creates the cell, once', async () => {
    const s = await setup();
    const hoa = await s.admin();
    await s.send(hoa, '/taochibo Chi bộ thôn Nà Sang | thôn | ngày 5 hằng tháng 2 giờ | Nhà văn hóa');
    const question = s.last('sendMessage');
    expect(question?.text).toBe(
      'Đồng chí ghi giờ họp 02:00, ngoài khoảng 06:00–22:00 thường dùng cho sinh hoạt chi bộ. Xin đồng chí xác nhận giờ họp của Chi bộ thôn Nà Sang.',
    );
    const rows = s.keyboard();
    expect(rows.map((row) => row.map((b) => b.text))).toEqual([
      ['Họp lúc 14:00', 'Họp lúc 02:00'],
      ['Hủy, nhập lại lịch'],
    ]);
    // Nothing is kept until the admin answers.
    expect(await s.services.repos.cells.allIds()).toEqual([]);

    const afternoon = rows[0]?.[0]?.callback_data ?? '';
    await s.tap(hoa, afternoon);
    const created = String(s.last('editMessageText')?.text);
    expect(created).toContain('Đã tạo chi bộ số 1: Chi bộ thôn Nà Sang');
    expect(created).toContain('Lịch sinh hoạt thường kỳ: ngày 5 hằng tháng, 14:00;');
    const [cell] = await s.services.repos.cells.getMany(await s.services.repos.cells.allIds());
    expect(cell?.scheduleRule).toEqual({ kind: 'monthday', day: 5, time: { hour: 14, minute: 0 } });

    // A second tap (or someone else's) creates nothing more.
    await s.tap(hoa, afternoon);
    expect(s.last('answerCallbackQuery')?.text).toBe(t('admin.cell.hourExpired'));
    expect(await s.services.repos.cells.allIds()).toHaveLength(1);
  });

  it('drops the draft when the admin cancels, and keeps 02:00 only when chosen', async () => {
    const s = await setup();
    const hoa = await s.admin();
    await s.send(hoa, '/taochibo Chi bộ ca đêm | doanh nghiệp | ngày 5 hằng tháng 2 giờ | Xưởng');
    await s.tap(hoa, s.keyboard()[1]?.[0]?.callback_data ?? '');
    expect(s.last('editMessageText')?.text).toBe(t('admin.cell.hourCancelled'));
    expect(await s.services.repos.cells.allIds()).toEqual([]);

    await s.send(hoa, '/taochibo Chi bộ ca đêm | doanh nghiệp | ngày 5 hằng tháng 2 giờ | Xưởng');
    await s.tap(hoa, s.keyboard()[0]?.[1]?.callback_data ?? '');
    const [cell] = await s.services.repos.cells.getMany(await s.services.repos.cells.allIds());
    expect(cell?.scheduleRule).toEqual({ kind: 'monthday', day: 5, time: { hour: 2, minute: 0 } });
  });

  it('says what is read when a cell would meet twice a month', async () => {
    const s = await setup();
    const hoa = await s.admin();
    await s.send(
      hoa,
      '/taochibo Chi bộ thôn Khe Lếch | thôn | hai tuần một lần, thứ Bảy 8h | Nhà văn hóa thôn',
    );
    expect(s.lastText()).toMatch(
      /^Chi bộ sinh hoạt thường kỳ mỗi tháng một lần; «hai tuần một lần» không dùng được\. Lịch họp có thể viết theo/,
    );
    expect(await s.services.repos.cells.allIds()).toEqual([]);
  });

  it('refuses admin commands to anyone who is not an admin', async () => {
    const s = await setup();
    await s.send(user(9200), '/taodangbo Đảng bộ giả');
    expect(s.lastText()).toBe(t('refuse.notLinked'));
    expect(await s.services.repos.cells.listOrgs()).toEqual([]);
  });
});
