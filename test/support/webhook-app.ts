import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { cellSchema, meetingSchema, newId } from '../../src/store/records.js';
import { FAKE_TOKEN, FakeTelegram, type FakeTelegramOptions } from './fake-telegram.js';
import { FAKE_ZALO_TOKEN, FakeZalo } from './fake-zalo.js';
import { LogLines } from './log-lines.js';

export const TELEGRAM_HOOK = '/hooks/telegram';
export const TELEGRAM_SECRET = 'telegram-hook-secret_0123';
export const ZALO_HOOK = '/hooks/zalo';
export const ZALO_SECRET = 'zalo-hook-secret-0123';
export const METRICS_TOKEN = 'metrics-token-0123456789';
export const LINK_SECRET = 'webhook-app-link-secret-0123456789abcdef';

export interface WebhookApp {
  app: App;
  telegram: FakeTelegram;
  zalo: FakeZalo;
  logs: LogLines;
  url(path: string): string;
  postTelegram(body: string | Uint8Array, secret?: string): Promise<Response>;
  postZalo(body: string | Uint8Array, secret?: string): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * The whole service (src/app.ts) on SQLite in a temporary DATA_DIR, with both channels on webhooks against the
 * fake Bot API servers, logging JSON lines at `level` (default warn) into `logs`.
 */
export async function startWebhookApp(
  options: {
    telegram?: FakeTelegramOptions;
    level?: string;
    env?: Record<string, string>;
    /** Where log lines go instead of `logs` (which then stays empty). */
    destination?: { write(line: string): void };
  } = {},
): Promise<WebhookApp> {
  const telegram = await FakeTelegram.start(options.telegram);
  const zalo = await FakeZalo.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'chibo-hooks-'));
  const logs = new LogLines();
  const log: Logger = createLogger({
    level: options.level ?? 'warn',
    destination: options.destination ?? logs,
  });
  const app = await startApp(
    loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      PUBLIC_URL: 'https://chibo.example.vn',
      LINK_SECRET,
      METRICS_TOKEN,
      TELEGRAM_BOT_TOKEN: FAKE_TOKEN,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_WEBHOOK_URL: `https://chibo.example.vn${TELEGRAM_HOOK}`,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      ZALO_BOT_TOKEN: FAKE_ZALO_TOKEN,
      ZALO_API_ROOT: zalo.baseApiUrl,
      ZALO_WEBHOOK_URL: `https://chibo.example.vn${ZALO_HOOK}`,
      ZALO_WEBHOOK_SECRET: ZALO_SECRET,
      ...options.env,
    }),
    { log },
  );
  // Start-up does not wait for the Bot APIs: the channels (and their webhooks) connect in the background.
  await app.channelsConnected;
  const url = (path: string) => `http://127.0.0.1:${app.port}${path}`;
  const post = (path: string, header: string, body: string | Uint8Array, secret: string) =>
    fetch(url(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [header]: secret },
      body,
    });
  return {
    app,
    telegram,
    zalo,
    logs,
    url,
    postTelegram: (body, secret = TELEGRAM_SECRET) =>
      post(TELEGRAM_HOOK, 'x-telegram-bot-api-secret-token', body, secret),
    postZalo: (body, secret = ZALO_SECRET) => post(ZALO_HOOK, 'x-bot-api-secret-token', body, secret),
    async stop() {
      await app.stop();
      await telegram.close();
      await zalo.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A cell with a secretary (Nguyễn Văn Tuấn) and a member (Lò Văn Sinh), and a meeting next week, written through
 * the running app's services: `code(name)` is a person's invite code.
 */
export async function aCellWithAMeeting(app: App) {
  const { repos, roster } = app.services;
  const org = await repos.cells.createOrg('Đảng bộ xã Tân An', Date.now());
  const cell = cellSchema.parse({
    id: newId(),
    orgId: org.id,
    name: 'Chi bộ thôn Khe Lếch',
    kind: 'residential',
    timeZone: 'Asia/Ho_Chi_Minh',
    createdAt: Date.now(),
  });
  await repos.cells.save(cell);
  await roster.importRoster(cell, 'ho_ten,vai_tro\nNguyễn Văn Tuấn,bi_thu\nLò Văn Sinh,dang_vien\n', 'test');
  const invites = await roster.invites(cell.id);
  const code = (name: string) => invites.find((i) => i.name === name)?.code ?? '';
  const meeting = meetingSchema.parse({
    id: newId(),
    cellId: cell.id,
    kind: 'regular',
    startsAt: Date.now() + 7 * 24 * 3600_000,
    state: 'planned',
    origin: 'manual',
    updatedAt: Date.now(),
  });
  await repos.meetings.save(meeting);
  return { cell, meeting, code };
}
