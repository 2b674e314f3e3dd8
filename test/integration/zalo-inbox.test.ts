import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startApp } from '../../src/app.js';
import { ZALO_SECRET_HEADER } from '../../src/channels/zalo/webhook.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { keys } from '../../src/store/keys.js';
import { AppHarness } from '../support/app-harness.js';
import { kheLechOnly } from '../support/commune.js';
import { FakeZalo, zaloUpdate } from '../support/fake-zalo.js';

vi.setConfig({ testTimeout: 60_000 });

/**
 * The Zalo webhook stores an update before it says 200, and the service handles it from the store: an update
 * acknowledged by a service that stopped before handling it is handled by the next start, once.
 */
const SECRET = 'zalo-webhook-secret-inbox';
const WEBHOOK = { ZALO_WEBHOOK_URL: 'https://chibo.example.vn/zalo/hook', ZALO_WEBHOOK_SECRET: SECRET };
const ANSWER_LINE = 'Trả lời 1 = Có mặt, 2 = Vắng (kèm lý do, ví dụ: 2 ốm)';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function post(port: number, body: unknown) {
  return fetch(`http://127.0.0.1:${port}/zalo/hook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [ZALO_SECRET_HEADER]: SECRET },
    body: JSON.stringify(body),
  });
}

describe('the Zalo inbox', () => {
  it('keeps an acknowledged update across a stop before handling it: the next start records the answer once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chibo-inbox-'));
    const env = { ...WEBHOOK, DATA_DIR: dataDir };

    // First run: bà Mai links on Zalo and gets the notice of Saturday 05/12, her open question.
    const first = await AppHarness.start({ start: '2026-11-26T03:00:00Z', zalo: true, telegram: false, env });
    cleanups.push(() => first.stop());
    expect(await first.app.channelsConnected).toBe(true);
    const code = await kheLechOnly(first, ['Hà Thị Mai']);
    expect(
      (await post(first.app.port, zaloUpdate({ text: code('Hà Thị Mai') }, { chatId: 'zalo-mai' }))).status,
    ).toBe(200);
    await first.zalo?.waitForSent((m) => m.chat_id === 'zalo-mai');
    const mai = await first.services.repos.people.byChannel('zalo', 'zalo-mai');
    await first.advanceTo('2026-12-02T13:00:00Z');
    expect(first.zaloInbox('zalo-mai', ANSWER_LINE)).toHaveLength(1);
    await first.stop();

    // Second run: the Zalo API does not answer getMe, so nothing is handled; her "có mặt" comes twice (Zalo retries,
    // wrapped the second time), is acknowledged twice and stored once. Then the service stops.
    const answer = zaloUpdate({ text: 'có mặt' }, { chatId: 'zalo-mai', messageId: 'mai-answer-1' });
    const second = await AppHarness.start({
      start: '2026-12-02T14:00:00Z',
      zalo: true,
      telegram: false,
      env,
      prepare: ({ zalo }) => zalo?.failNext(10_000, 500, undefined, 'getMe'),
    });
    cleanups.push(() => second.stop());
    expect((await post(second.app.port, answer)).status).toBe(200);
    expect((await post(second.app.port, { ok: true, result: answer })).status).toBe(200);
    expect(Object.keys(await second.app.store.hgetall(keys.zaloInbox()))).toEqual(['zalo-mai:mai-answer-1']);
    const answerOf = async (h: AppHarness) => {
      const [next] = await h.services.meetings.upcomingFor(mai?.id ?? '');
      return next && (await h.services.repos.meetings.answers(next.meeting.id)).get(mai?.id ?? '');
    };
    expect(await answerOf(second)).toBeUndefined();
    await second.stop();

    // Third run: the update left in the store is handled at start: recorded, confirmed once.
    const third = await AppHarness.start({ start: '2026-12-02T14:05:00Z', zalo: true, telegram: false, env });
    cleanups.push(() => third.stop());
    const zalo = third.zalo as FakeZalo;
    await vi.waitFor(async () => expect(await answerOf(third)).toMatchObject({ choice: 'present' }));
    await zalo.waitForSent((m) => (m.text ?? '').startsWith('Đã ghi: Có mặt'));

    // Zalo delivers it once more: acknowledged, not handled again. A later message shows the chat moved on.
    expect((await post(third.app.port, answer)).status).toBe(200);
    expect((await post(third.app.port, zaloUpdate({ text: 'lịch' }, { chatId: 'zalo-mai' }))).status).toBe(
      200,
    );
    await zalo.waitForSent((m) =>
      (m.text ?? '').includes('Thứ Bảy, 05/12/2026, 19:30 — Chi bộ thôn Khe Lếch'),
    );
    expect(zalo.sent.filter((m) => (m.text ?? '').startsWith('Đã ghi:'))).toHaveLength(1);
    await vi.waitFor(async () => expect(await third.app.store.hgetall(keys.zaloInbox())).toEqual({}));
    expect(await answerOf(third)).toMatchObject({ choice: 'present' });
  });

  it('answers 503 while the store is down, so Zalo delivers the update again', async () => {
    const zalo = await FakeZalo.start();
    cleanups.push(() => zalo.close());
    const app = await startApp(
      loadConfig({
        PORT: '0',
        REDIS_URL: 'redis://127.0.0.1:1',
        ZALO_BOT_TOKEN: zalo.token,
        ZALO_API_ROOT: zalo.baseApiUrl,
        PUBLIC_URL: 'https://chibo.example.vn',
        ...WEBHOOK,
      }),
      { log: createLogger({ level: 'silent' }), zaloInbox: { storeTimeoutMs: 300 } },
    );
    cleanups.push(() => app.stop());

    const res = await post(app.port, zaloUpdate({ text: '1' }, { chatId: 'zalo-mai' }));

    expect(res.status).toBe(503);
    expect(zalo.sent).toEqual([]);
  });
});
