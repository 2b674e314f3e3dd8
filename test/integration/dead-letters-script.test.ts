import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/delivery/outbox.js';
import { SendError } from '../../src/delivery/sender.js';
import { createMetrics } from '../../src/metrics.js';
import { openStore } from '../../src/open-store.js';
import { createRepos } from '../../src/store/repositories/index.js';
import { bundled } from '../support/bundle.js';
import { quietLog, RecordingSender } from '../support/scheduler-fixtures.js';

describe('scripts/dead-letters', () => {
  it('lists what the outbox gave up on, with the error, never the message text', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chibo-dead-'));
    const store = openStore({ DATA_DIR: dataDir, REDIS_KEY_PREFIX: '', REDIS_URL: undefined });
    const repos = createRepos(store);
    const sender = new RecordingSender();
    sender.fail = () => new SendError('Forbidden: bot was blocked by the user', { kind: 'permanent' });
    const outbox = new Outbox(
      {
        store,
        people: repos.people,
        cells: repos.cells,
        senders: [sender],
        now: Date.now,
        log: quietLog,
        metrics: createMetrics(),
      },
      { rates: { telegram: 100 }, chatIntervalMs: 0 },
    );
    await outbox.enqueue([
      {
        key: 'meeting1.notice.v1:person7',
        channel: 'telegram',
        chatId: '4242',
        personId: 'person7',
        view: { text: 'Vắng: Lò Văn Sinh' },
      },
    ]);
    await outbox.drain('telegram');
    await sleep(20);
    await store.close();

    const run = (...args: string[]) =>
      spawnSync(...bundled('dead-letters', ...args), {
        env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir },
        encoding: 'utf8',
      });
    const listed = run();
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(
      /telegram {2}chat 4242 {2}person person7 {2}1 attempt\(s\) {2}key meeting1\.notice\.v1:person7 {2}error: Forbidden: bot was blocked by the user/,
    );
    expect(listed.stdout).not.toContain('Lò Văn Sinh');
    expect(run('--offset', '1').stdout).toBe('No dead letters.\n');
    const bad = run('--limit', 'many');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('Usage: npm run dead-letters');
  });
});
