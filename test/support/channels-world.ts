import type { Services } from '../../handlers/context.js';
import { createTelegramBot } from '../../src/channels/telegram/bot.js';
import { LinkSigner } from '../../src/channels/web/links.js';
import { registerAnswerPages } from '../../src/channels/web/pages.js';
import { createZaloChannel } from '../../src/channels/zalo/adapter.js';
import { ZaloBot } from '../../src/channels/zalo/client.js';
import { loadHolidays } from '../../src/content/holidays.js';
import { loadPolicy } from '../../src/content/policy.js';
import { Outbox } from '../../src/delivery/outbox.js';
import { TelegramSender } from '../../src/delivery/sender.js';
import { HttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { TextComposer } from '../../src/scheduler/composer.js';
import { Dispatcher } from '../../src/scheduler/dispatcher.js';
import { Planner } from '../../src/scheduler/planner.js';
import { createServices } from '../../src/services/index.js';
import { PlanningPort } from '../../src/services/planning.js';
import type { Store } from '../../src/store/port.js';
import type { Cell } from '../../src/store/records.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FakeTelegram, type FakeTelegramOptions, type RecordedMessage } from './fake-telegram.js';
import { FakeZalo, zaloUpdate } from './fake-zalo.js';
import { BOT_INFO, tapUpdate, textUpdate, user } from './telegram.js';
import { sqliteFile, TestClock } from './world.js';

const log = createLogger({ level: process.env.TEST_LOG ?? 'silent' });
export const LINK_SECRET = 'a-link-secret-for-tests-only-0123456789';

/**
 * The service as a member meets it, on a clock the test moves: real services and store; the Zalo adapter on a
 * polling ZaloBot against the fake Zalo Bot API; the Telegram adapter whose Bot API calls go to the fake Telegram
 * server; the signed answer pages; and the scheduler's planner, dispatcher and outbox sending on both channels
 * (no cron: the test dispatches through `services.planning.sendNow` or `tick`).
 */
export async function channelsWorld(
  options: { store?: Store; start?: string; telegram?: FakeTelegramOptions } = {},
) {
  const store = options.store ?? new SqliteStore(sqliteFile());
  const clock = new TestClock(Date.parse(options.start ?? '2026-11-26T03:00:00Z'));
  const policy = loadPolicy();
  const planning = new PlanningPort();
  const services: Services = createServices(store, clock, policy, planning);
  const { repos } = services;
  const cleanups: (() => Promise<unknown>)[] = [];

  const zaloFake = await FakeZalo.start();
  cleanups.push(() => zaloFake.close());
  const telegramFake = await FakeTelegram.start(options.telegram);
  cleanups.push(() => telegramFake.close());

  const signer = new LinkSigner(LINK_SECRET);
  const http = registerAnswerPages(new HttpServer(log), { services, signer, now: clock.now });
  const publicUrl = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
  cleanups.push(() => http.close());

  const zaloBot = new ZaloBot(zaloFake.token, {
    baseApiUrl: zaloFake.baseApiUrl,
    polling: { params: { timeout: 1 } },
  });
  cleanups.push(() => zaloBot.stopPolling());
  const zalo = createZaloChannel({
    bot: zaloBot,
    services,
    store,
    log,
    now: clock.now,
    publicUrl,
    linkSigner: signer,
  });
  const telegram = createTelegramBot({
    token: telegramFake.token,
    apiRoot: telegramFake.apiRoot,
    services,
    store,
    log,
    now: clock.now,
    botInfo: BOT_INFO,
    floodGuard: { limit: 1000, timeFrameMs: 1000 },
  });

  const metrics = createMetrics();
  const composer = new TextComposer();
  const outbox = new Outbox(
    {
      store,
      people: repos.people,
      cells: repos.cells,
      senders: [new TelegramSender(telegramFake.token, { apiRoot: telegramFake.apiRoot }), zalo],
      now: clock.now,
      log,
      metrics,
    },
    { rates: { telegram: 1000, zalo: 1000 }, chatIntervalMs: 0, pollMs: 10, backoffMs: 50 },
  );
  const planner = new Planner({
    store,
    repos,
    policy,
    holidays: loadHolidays(),
    outbox,
    composer,
    now: clock.now,
    log,
  });
  const dispatcher = new Dispatcher({ store, repos, outbox, composer, now: clock.now, log, metrics });
  // Bound as the composition root binds it (src/scheduler/index.ts): a step sent now is dispatched at once.
  planning.bind({
    replanCell: (cellId) => planner.replanCell(cellId),
    replanMeeting: (meetingId) => planner.replanMeeting(meetingId),
    async sendNow(meetingId, stepId, sendOptions) {
      const result = await planner.sendNow(meetingId, stepId, sendOptions);
      if (result.ok) await dispatcher.tick();
      return result;
    },
  });
  const stopSending = new AbortController();
  const sending = Promise.all(outbox.channels.map((channel) => outbox.run(channel, stopSending.signal)));
  cleanups.push(async () => {
    stopSending.abort();
    await sending;
  });

  /** A cell made as an admin makes it (its schedule planned at once), with its roster imported from CSV. */
  async function cell(
    name: string,
    csv: string,
    extra: { schedulePhrase?: string; shift?: Cell['shift'] } = {},
  ) {
    const org =
      (await repos.cells.listOrgs())[0] ?? (await repos.cells.createOrg('Đảng ủy xã Tân An', clock.now()));
    const created = await services.roster.createCell(
      {
        orgId: org.id,
        name,
        kind: 'residential',
        place: 'Nhà văn hóa thôn',
        timeZone: 'Asia/Ho_Chi_Minh',
        ...extra,
      },
      'admin',
    );
    if (!created.ok) throw new Error(`cell fixture failed: ${JSON.stringify(created.schedule)}`);
    const imported = await services.roster.importRoster(created.cell, csv, 'admin');
    if (!imported.ok) throw new Error(`roster fixture failed: ${JSON.stringify(imported.problems)}`);
    const invites = await services.roster.invites(created.cell.id);
    const code = (person: string) => invites.find((i) => i.name === person)?.code ?? '';
    return { cell: created.cell, code };
  }

  /** A member writes on Zalo; resolves with the texts of the next `count` messages the bot sends that chat. */
  async function sayZalo(chatId: string, message: string | Parameters<typeof zaloUpdate>[0], count = 1) {
    const before = zaloFake.sent.length;
    zaloFake.queueUpdate(zaloUpdate(typeof message === 'string' ? { text: message } : message, { chatId }));
    await zaloFake.waitForSent(before + count);
    return zaloFake.sent
      .slice(before)
      .filter((m) => m.chat_id === chatId)
      .map((m) => m.text ?? '')
      .join('\n');
  }

  /** A member writes (or taps `data`) on Telegram; resolves with what the bot sent that chat meanwhile. */
  async function sayTelegram(userId: number, message: string | { tap: string }): Promise<RecordedMessage[]> {
    const before = telegramFake.sent.length;
    const from = user(userId);
    await telegram.bot.handleUpdate(
      typeof message === 'string' ? textUpdate(from, message) : tapUpdate(from, message.tap),
    );
    return telegramFake.sent.slice(before).filter((m) => m.chat_id === String(userId));
  }

  return {
    store,
    clock,
    services,
    repos,
    zaloFake,
    telegramFake,
    zalo,
    telegram,
    outbox,
    dispatcher,
    publicUrl,
    cell,
    sayZalo,
    sayTelegram,
    async close() {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    },
  };
}

export type ChannelsWorld = Awaited<ReturnType<typeof channelsWorld>>;

/** The texts of a Telegram message's inline keyboard, row by row. */
export function buttonsOf(message: RecordedMessage | undefined): { text: string; data: string }[][] {
  const markup = message?.reply_markup as
    | { inline_keyboard?: { text: string; callback_data: string }[][] }
    | undefined;
  return (markup?.inline_keyboard ?? []).map((row) =>
    row.map((b) => ({ text: b.text, data: b.callback_data })),
  );
}
