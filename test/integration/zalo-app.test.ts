import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { t } from '../../src/i18n.js';
import { createLogger } from '../../src/logger.js';
import { FakeZalo, zaloUpdate } from '../support/fake-zalo.js';

describe('the service with ZALO_BOT_TOKEN', () => {
  it('polls the Zalo Bot API at ZALO_API_ROOT and links a member who sends their code', async () => {
    const fake = await FakeZalo.start();
    const app = await startApp(
      loadConfig({
        PORT: '0',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'chibo-zalo-')),
        ZALO_BOT_TOKEN: fake.token,
        ZALO_API_ROOT: fake.baseApiUrl,
        PUBLIC_URL: 'https://chibo.example.vn',
      }),
      { log: createLogger({ level: 'silent' }) },
    );
    try {
      const { repos, roster } = app.services;
      const org = await repos.cells.createOrg('Đảng bộ xã Tân An', Date.now());
      const created = await roster.createCell(
        { orgId: org.id, name: 'Chi bộ thôn Khe Lếch', kind: 'residential', timeZone: 'Asia/Ho_Chi_Minh' },
        'test',
      );
      if (!created.ok) throw new Error('cell');
      await roster.importRoster(created.cell, 'ho_ten\nHà Thị Mai\n', 'test');
      const [mai] = await roster.invites(created.cell.id);

      fake.queueUpdate(zaloUpdate({ text: mai?.code ?? '' }, { chatId: 'zalo-mai', fromId: 'zalo-mai' }));
      const reply = await fake.waitForSent((m) => m.chat_id === 'zalo-mai', 8000);
      expect(reply.text).toBe(t('start.welcome', { name: 'Hà Thị Mai' }));
      expect((await repos.people.byChannel('zalo', 'zalo-mai'))?.name).toBe('Hà Thị Mai');
    } finally {
      await app.stop();
      await fake.close();
    }
  });

  it('with ZALO_WEBHOOK_URL sets the webhook and its secret at start, refuses a wrong secret (401) and serves the rest', async () => {
    const fake = await FakeZalo.start();
    const secret = 'a-zalo-webhook-secret';
    const app = await startApp(
      loadConfig({
        PORT: '0',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'chibo-zalo-')),
        ZALO_BOT_TOKEN: fake.token,
        ZALO_API_ROOT: fake.baseApiUrl,
        ZALO_WEBHOOK_URL: 'https://chibo.example.vn/zalo/webhook',
        ZALO_WEBHOOK_SECRET: secret,
        PUBLIC_URL: 'https://chibo.example.vn',
      }),
      { log: createLogger({ level: 'silent' }) },
    );
    try {
      // Start-up does not wait for the Bot API: the channel connects in the background.
      expect(await app.channelsConnected).toBe(true);
      expect(fake.webhook).toMatchObject({
        url: 'https://chibo.example.vn/zalo/webhook',
        secret_token: secret,
      });
      expect(fake.calls.filter((c) => c.method === 'getUpdates')).toEqual([]);
      const post = (token: string, body: unknown) =>
        fetch(`http://127.0.0.1:${app.port}/zalo/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-bot-api-secret-token': token },
          body: JSON.stringify(body),
        });
      expect((await post(`${secret}!`, zaloUpdate({ text: 'trogiup' }, { chatId: 'zalo-x' }))).status).toBe(
        401,
      );
      const update = zaloUpdate({ text: 'trợ giúp' }, { chatId: 'zalo-y' });
      expect((await post(secret, update)).status).toBe(200);
      expect((await post(secret, { ok: true, result: update })).status).toBe(200);
      const reply = await fake.waitForSent((m) => m.chat_id === 'zalo-y', 8000);
      // Someone without a code is told how to get one, and may ask to join a cell instead (a numbered choice).
      expect(reply.text).toBe(
        `${t('start.noCode')}\n\nTrả lời bằng số:\n1 = 📝 Liên kết tài khoản với chi bộ`,
      );
      expect(fake.sent.map((m) => m.chat_id)).toEqual(['zalo-y']);
    } finally {
      await app.stop();
      await fake.close();
    }
  });
});
