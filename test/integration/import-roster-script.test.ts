import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/content/policy.js';
import { openStore } from '../../src/open-store.js';
import { createServices } from '../../src/services/index.js';
import { bundled } from '../support/bundle.js';

describe('scripts/import-roster', () => {
  it('imports a CSV file, and with a bad row writes nothing and names the row and column', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chibo-import-'));
    let store = openStore({ DATA_DIR: dataDir, REDIS_KEY_PREFIX: '', REDIS_URL: undefined });
    const services = createServices(store, { now: () => Date.now() }, loadPolicy());
    const org = await services.repos.cells.createOrg('Đảng bộ xã Tân An', Date.now());
    const created = await services.roster.createCell(
      {
        orgId: org.id,
        name: 'Chi bộ Công ty chè Tân An',
        kind: 'private_enterprise',
        timeZone: 'Asia/Ho_Chi_Minh',
      },
      'test',
    );
    const cellId = created.ok ? created.cell.id : '';
    await store.close();

    const run = (csv: string) => {
      const file = join(dataDir, 'roster.csv');
      writeFileSync(file, csv);
      return spawnSync(...bundled('import-roster', '1', file), {
        env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir },
        encoding: 'utf8',
      });
    };
    const bad = run('ho_ten;vai_tro\nTrần Văn Chè;Bí thư\n;Đảng viên\nLê Thị Búp;Thủ quỹ\n');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('Dòng 3, cột ho_ten: không được để trống');
    expect(bad.stderr).toContain('Dòng 4, cột vai_tro: giá trị không hợp lệ');

    store = openStore({ DATA_DIR: dataDir, REDIS_KEY_PREFIX: '', REDIS_URL: undefined });
    expect(
      (await createServices(store, { now: () => Date.now() }, loadPolicy()).repos.cells.members(cellId)).size,
    ).toBe(0);
    await store.close();

    const good = run('ho_ten;vai_tro\nTrần Văn Chè;Bí thư\nLê Thị Búp;Đảng viên\n');
    expect(good.stderr).toBe('');
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('thêm 2, cập nhật 0, giữ nguyên 0');
  });
});
