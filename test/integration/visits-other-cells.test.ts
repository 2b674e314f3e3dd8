import { afterAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n.js';
import { ruleText } from '../../src/views/visits.js';
import { storeTargets } from '../support/scheduler-fixtures.js';
import { visitsWorld } from '../support/visits-world.js';

const target = (await storeTargets(import.meta.filename))[0] as NonNullable<
  Awaited<ReturnType<typeof storeTargets>>[number]
>;
afterAll(() => target.cleanup());

const VN = 'Asia/Ho_Chi_Minh';
const words = {
  locale: 'vi' as const,
  t: (key: string, params?: Record<string, string | number>) => t(key, params, 'vi'),
};

/**
 * Kon Tum (QĐ 776-QĐ/TU) wants a commune committee member's visits at a cell other than their own; Lào Cai does
 * not say so. The condition is policy data: the same member, assigned the same cells, is offered her own cell's
 * meetings under one policy and not under the other.
 */
describe('a visit rule that counts only cells other than the member’s own', () => {
  async function offeredCells(policy: string, level: 'commune' | 'grassroots') {
    const store = await target.open();
    const w = await visitsWorld(store, Date.parse('2026-10-01T09:00:00+07:00'), policy);
    const org = await w.repos.cells.createOrg('Đảng bộ xã Tân An', w.clock.now());
    const cell = async (name: string, roster: string) => {
      const created = await w.services.roster.createCell(
        { orgId: org.id, name, kind: 'residential', schedulePhrase: 'ngày 5 hằng tháng 19:30', timeZone: VN },
        'admin',
      );
      if (!created.ok) throw new Error(name);
      await w.services.roster.importRoster(created.cell, `ho_ten,vai_tro\n${roster}`, 'admin');
      w.clock.advance(1_000);
      return created.cell;
    };
    const home = await cell('Chi bộ thôn Khe Lếch', 'Nguyễn Văn Tuấn,bi_thu\nLê Thị Thu,dang_vien\n');
    const other = await cell('Chi bộ thôn Nà Phát', 'Lò Văn Dũng,bi_thu\n');
    const assigned = await w.services.visits.assign(
      org.id,
      { name: 'Lê Thị Thu', level, cellIds: [home.id, other.id] },
      'admin',
    );
    if (!assigned.ok) throw new Error(assigned.problem);
    const standing = await w.services.visits.standing(assigned.person.id);
    await store.close();
    const names = new Map([
      [home.id, home.name],
      [other.id, other.name],
    ]);
    return {
      cells: [...new Set(standing?.upcoming.map((u) => names.get(u.cell.id)))],
      rule: standing ? ruleText(words, standing.rule) : '',
    };
  }

  it('offers only the other cell under Kon Tum, and says why in the rule', async () => {
    const kontum = await offeredCells('kontum-2023', 'commune');
    expect(kontum.cells).toEqual(['Chi bộ thôn Nà Phát']);
    expect(kontum.rule).toContain('(không tính chi bộ nơi đồng chí sinh hoạt)');
  });

  it('offers both under Lào Cai, whose rule has no such condition', async () => {
    const laocai = await offeredCells('laocai-2020', 'grassroots');
    expect(laocai.cells).toEqual(['Chi bộ thôn Khe Lếch', 'Chi bộ thôn Nà Phát']);
    expect(laocai.rule).not.toContain('không tính chi bộ');
  });
});
