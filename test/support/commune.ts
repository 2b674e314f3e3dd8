import type { Cell } from '../../src/store/records.js';
import { type AppHarness, BOOTSTRAP_CODE, type TelegramUser, telegramUser } from './app-harness.js';

/**
 * Journey 1's commune (../shared/journeys.md), set up the way chị Hoa does it: through the bot's chat, from an
 * empty service. Other journeys start from it.
 */
export const KHE_LECH_MEMBERS = [
  'Lò Văn Sinh',
  'Hà Thị Mai',
  'Đinh Văn Quý',
  'Lò Thị Xuân',
  'Hoàng Văn Chiến',
  'Vàng A Páo',
  'Nguyễn Thị Hằng',
  'Trần Văn Bình',
  'Phạm Thị Lan',
  'Lê Văn Hùng',
  'Đỗ Thị Thu',
  'Bùi Văn Khánh',
  'Vũ Thị Ngọc',
  'Ngô Văn Phúc',
  'Đặng Thị Quyên',
  'Lý Văn Sơn',
  'Mai Thị Tâm',
  'Tạ Văn Út',
  'Chu Thị Vân',
  'Hồ Văn Long',
] as const;

/** 22 rows: the secretary, 20 members and one elderly member exempt from meetings (not counted). */
export const KHE_LECH_CSV = [
  'ho_ten,vai_tro,trang_thai',
  'Nguyễn Văn Tuấn,bí thư,chính thức',
  ...KHE_LECH_MEMBERS.map((name) => `${name},đảng viên,chính thức`),
  'Lò Văn Cụ,đảng viên,miễn sinh hoạt',
].join('\n');

export const SCHOOL_CSV = [
  'ho_ten,vai_tro,trang_thai',
  'Trần Thị Nga,bí thư,chính thức',
  'Nguyễn Văn Dũng,phó bí thư,chính thức',
  ...['Lê Thị Hoa', 'Phạm Văn Hải', 'Đỗ Thị Liên', 'Vũ Văn Minh', 'Bùi Thị Nhung', 'Hoàng Văn Toàn'].map(
    (name) => `${name},đảng viên,chính thức`,
  ),
  ...['Ngô Thị Yến', 'Đặng Văn Quang', 'Lý Thị Thảo'].map((name) => `${name},đảng viên,dự bị`),
].join('\n');

export const COMPANY_CSV = [
  'ho_ten,vai_tro,trang_thai',
  'Hà Văn Thắng,bí thư,chính thức',
  ...['Lương Thị Mơ', 'Sầm Văn Kiên', 'Lò Thị Hương', 'Quàng Văn Dương'].map(
    (n) => `${n},đảng viên,chính thức`,
  ),
  ...['Cầm Thị Hiền', 'Điêu Văn Hòa', 'Lừ Thị Ánh', 'Tòng Văn Lực'].map((n) => `${n},đảng viên,chính thức`),
].join('\n');

/** The end of journey 1: the admin registers ông Lâm (cấp tỉnh: Khe Lếch, the school) and bà Thu (cấp xã: all). */
export async function registerCommittee(h: AppHarness, commune: Commune): Promise<Map<string, string>> {
  await h.say(commune.hoa, '/capuy Hoàng Văn Lâm | tỉnh | 1, 2');
  await h.say(commune.hoa, '/capuy Lê Thị Thu | xã | 1, 2, 3');
  const list = (await h.say(commune.hoa, '/capuy')).messages[0]?.text ?? '';
  const codes = new Map<string, string>();
  for (const match of list.matchAll(/\d+\. (.+?) — .* — mã mời ([A-Z0-9]{6})/g))
    codes.set(match[1] as string, match[2] as string);
  return codes;
}

export interface Commune {
  hoa: TelegramUser;
  khelech: Cell;
  school: Cell;
  company: Cell;
  /** Invite codes by person name, as /moi lists them. */
  codes: Map<string, string>;
  /** Links a roster person to a Telegram user through their invite code, as they would. */
  join(name: string, user: TelegramUser): Promise<void>;
}

/** Runs journey 1 through the chat; returns the cells and every invite code. */
export async function setUpCommune(h: AppHarness): Promise<Commune> {
  const hoa = telegramUser(1001, 'Hoa');
  await h.say(hoa, `/start ${BOOTSTRAP_CODE}`);
  await h.say(hoa, '/taodangbo Đảng bộ xã Tân An');
  await h.say(
    hoa,
    '/taochibo Chi bộ thôn Khe Lếch | thôn | ngày 5 hằng tháng 19:30 | Nhà văn hóa thôn Khe Lếch | họp cả cuối tuần, giữ ngày',
  );
  await h.say(
    hoa,
    '/taochibo Chi bộ Trường THCS Tân An | trường | thứ Sáu đầu tiên của tháng 16:30 | Phòng họp nhà trường',
  );
  await h.say(
    hoa,
    '/taochibo Chi bộ Công ty chè Tân An | doanh nghiệp | ngày 10 hằng tháng 17:00 | Văn phòng công ty',
  );
  await h.say(hoa, `/nhapds 1\n${KHE_LECH_CSV}`);
  await h.say(hoa, `/nhapds 2\n${SCHOOL_CSV}`);
  await h.say(hoa, `/nhapds 3\n${COMPANY_CSV}`);

  const codes = new Map<string, string>();
  for (const number of [1, 2, 3]) {
    const [list] = (await h.say(hoa, `/moi ${number}`)).messages;
    for (const match of (list?.text ?? '').matchAll(/• (.+?): ([A-Z0-9]{6})/g))
      codes.set(match[1] as string, match[2] as string);
  }
  const [org] = await h.services.repos.cells.listOrgs();
  const cells = (await h.services.repos.cells.ofOrg(org?.id ?? '')).sort((a, b) => a.createdAt - b.createdAt);
  const [khelech, school, company] = cells as [Cell, Cell, Cell];
  return {
    hoa,
    khelech,
    school,
    company,
    codes,
    async join(name, user) {
      const code = codes.get(name);
      if (!code) throw new Error(`no invite code for ${name}`);
      await h.say(user, `/start ${code}`);
    },
  };
}

/**
 * Chi bộ thôn Khe Lếch alone, made through the services rather than the chat (for tests about something else):
 * meeting on the 5th at 19:30, weekends included, with `names` as its members. Resolves with each one's invite code.
 */
export async function kheLechOnly(
  h: AppHarness,
  names: readonly string[],
): Promise<(name: string) => string> {
  const { repos, roster } = h.services;
  const org = await repos.cells.createOrg('Đảng ủy xã Tân An', h.clock.now());
  const created = await roster.createCell(
    {
      orgId: org.id,
      name: 'Chi bộ thôn Khe Lếch',
      kind: 'residential',
      schedulePhrase: 'ngày 5 hằng tháng 19:30',
      place: 'Nhà văn hóa thôn',
      meetsOnWeekends: true,
      timeZone: 'Asia/Ho_Chi_Minh',
    },
    'test',
  );
  if (!created.ok) throw new Error('the cell fixture failed');
  await roster.importRoster(created.cell, ['ho_ten', ...names].join('\n'), 'test');
  const invites = await roster.invites(created.cell.id);
  return (name) => invites.find((i) => i.name === name)?.code ?? '';
}
