import { answerLink, LinkSigner } from '../../src/channels/web/links.js';
import { DAY_MS } from '../../src/domain/time.js';
import type { Meeting } from '../../src/store/records.js';
import { LINK_SECRET, startWebhookApp, type WebhookApp } from '../../test/support/webhook-app.js';

/**
 * What the fuzzer aims at: the running service (src/app.ts on SQLite in a temporary DATA_DIR, both channels on
 * webhooks against the fake Bot APIs), with an admin, a cell whose secretary and members are linked on
 * Telegram and Zalo, and its planned meetings, so that generated updates reach real handlers and records
 * rather than stopping at "who are you?".
 */
export interface FuzzWorld {
  hooks: WebhookApp;
  port: number;
  /** Telegram user IDs of linked people (the first is the admin). */
  telegramUsers: number[];
  /** Telegram user IDs of the cell's secretaries (bí thư, phó bí thư, chi ủy viên). */
  secretaries: number[];
  /** The cell's people, for the roll call's buttons. */
  personIds: string[];
  zaloChats: string[];
  cellIds: string[];
  /** A cell of its own for roster and committee imports, which may rename and re-role its people. */
  scratchCellId: string;
  meetingIds: string[];
  /** A signed answer link's token for a linked member and an upcoming meeting. */
  token: string;
  signer: LinkSigner;
  /** Counts of log lines at error level or above, and the first few of them, for the report. */
  errors: { count: number; first: string[] };
  stop(): Promise<void>;
}

export const ADMIN_CODE = 'FUZZ-FIRST-ADMIN';
/** Enough people on Telegram that the bot's flood guard (5 updates a person in 2 s) lets most cases through. */
const MEMBERS = 400;
const SECRETARIES = 12;
const FIRST_TELEGRAM_ID = 7_000;

export async function fuzzWorld(): Promise<FuzzWorld> {
  const errors = { count: 0, first: [] as string[] };
  // Warnings are expected (refused updates) and only counted by pino's level check; errors are findings.
  const destination = {
    write(line: string) {
      const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 0);
      if (level < 50) return;
      errors.count += 1;
      if (errors.first.length < 5) errors.first.push(line.slice(0, 2_000));
    },
  };
  const hooks = await startWebhookApp({
    level: 'warn',
    env: { ADMIN_BOOTSTRAP_CODE: ADMIN_CODE },
    destination,
  });
  const { services } = hooks.app;
  const now = Date.now();

  const admin = FIRST_TELEGRAM_ID;
  const start = (id: number, text: string) =>
    hooks.postTelegram(
      JSON.stringify({
        update_id: id,
        message: {
          message_id: id,
          date: Math.floor(now / 1000),
          chat: { id, type: 'private', first_name: 'Admin' },
          from: { id, is_bot: false, first_name: 'Admin' },
          text,
        },
      }),
    );
  await start(admin, `/start ${ADMIN_CODE}`);

  const org = await services.repos.cells.createOrg('Đảng bộ xã Tân An', now);
  const created = await services.roster.createCell(
    {
      orgId: org.id,
      name: 'Chi bộ thôn Khe Lếch',
      kind: 'residential',
      timeZone: 'Asia/Ho_Chi_Minh',
      schedulePhrase: 'ngày 5 hằng tháng 19:30',
    },
    'fuzz',
  );
  if (!created.ok) throw new Error('the fuzz cell could not be created');
  const cell = created.cell;
  const scratch = await services.roster.createCell(
    { orgId: org.id, name: 'Chi bộ nháp', kind: 'residential', timeZone: 'Asia/Ho_Chi_Minh' },
    'fuzz',
  );
  if (!scratch.ok) throw new Error('the scratch cell could not be created');
  const names = Array.from({ length: MEMBERS }, (_, i) => `Đảng Viên Số ${i + 1}`);
  const role = (i: number) =>
    i === 0 ? 'bi_thu' : i === 1 ? 'pho_bi_thu' : i < SECRETARIES ? 'chi_uy_vien' : 'dang_vien';
  const roster = ['ho_ten,vai_tro', ...names.map((n, i) => `${n},${role(i)}`)].join('\n');
  const imported = await services.roster.importRoster(cell, roster, 'fuzz');
  if (!imported.ok) throw new Error('the fuzz roster could not be imported');
  const telegramUsers = [admin];
  const secretaries: number[] = [];
  const personIds: string[] = [];
  const zaloChats: string[] = [];
  for (const invite of await services.roster.invites(cell.id)) {
    const i = names.indexOf(invite.name);
    personIds.push(invite.personId);
    // Half on Telegram, half on Zalo, the secretaries too (a code links one account).
    if (i % 2 === 0) {
      const id = FIRST_TELEGRAM_ID + 1 + i;
      const linked = await services.people.linkWithCode(invite.code, 'telegram', id);
      if (!linked.ok) throw new Error(`the fuzz member could not be linked: ${linked.reason}`);
      telegramUsers.push(id);
      if (i < SECRETARIES) secretaries.push(id);
    } else {
      const chat = `zalo-fuzz-${i}`;
      const linked = await services.people.linkWithCode(invite.code, 'zalo', chat);
      if (!linked.ok) throw new Error(`the fuzz member could not be linked: ${linked.reason}`);
      zaloChats.push(chat);
    }
  }
  await hooks.app.scheduler.planner.planAll();
  const meetings: Meeting[] = await services.repos.meetings.ofCell(cell.id, now, now + 120 * DAY_MS);
  const meeting = meetings[0];
  if (!meeting) throw new Error('the fuzz cell has no planned meeting');
  const member = await services.repos.people.byChannel('telegram', telegramUsers.at(-1) ?? admin);
  if (!member) throw new Error('the fuzz member is not linked');
  const signer = new LinkSigner(LINK_SECRET);
  const link = await answerLink(signer, 'https://chibo.example.vn', member.id, meeting);
  return {
    hooks,
    port: hooks.app.port,
    telegramUsers,
    secretaries,
    personIds,
    zaloChats,
    cellIds: [cell.id, scratch.cell.id],
    scratchCellId: scratch.cell.id,
    meetingIds: meetings.map((m) => m.id),
    token: link.slice(link.lastIndexOf('/') + 1),
    signer,
    errors,
    stop: () => hooks.stop(),
  };
}
