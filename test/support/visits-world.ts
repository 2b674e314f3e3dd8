import type { CommitteeLevel } from '../../src/domain/types.js';
import type { Store } from '../../src/store/port.js';
import type { Cell, Person } from '../../src/store/records.js';
import { schedulerWorld } from './scheduler-fixtures.js';

/**
 * Real services bound to a real scheduler (planner, dispatcher, outbox with a recording sender) over one store, on
 * a clock the test moves; the Lào Cai 2020 policy by default, which has all three levels of visit rules.
 */
export async function visitsWorld(store: Store, start: number, policyName = 'laocai-2020') {
  const world = schedulerWorld(store, start, {}, { policy: policyName });
  /** Everything due now dispatched and delivered. */
  const flush = async () => {
    await world.dispatcher.tick();
    await world.outbox.drain('telegram');
  };
  /**
   * A cell of the đảng bộ `orgId` meeting by `phrase` on whatever weekday it falls (no holiday shift), with its
   * roster imported: `roster` is the CSV's lines after the header `ho_ten,vai_tro`.
   */
  const cell = async (orgId: string, name: string, phrase: string, roster: string): Promise<Cell> => {
    const created = await world.services.roster.createCell(
      {
        orgId,
        name,
        kind: 'residential',
        schedulePhrase: phrase,
        place: 'Nhà văn hóa',
        timeZone: 'Asia/Ho_Chi_Minh',
        shift: 'none',
        meetsOnWeekends: true,
      },
      'admin',
    );
    if (!created.ok) throw new Error(`cell fixture failed: ${phrase}`);
    await world.services.roster.importRoster(created.cell, `ho_ten,vai_tro\n${roster}`, 'admin');
    return created.cell;
  };
  /** A committee member of the đảng bộ following these cells, linked on Telegram to `chat`. */
  const committeeMember = async (
    orgId: string,
    name: string,
    level: CommitteeLevel,
    cellIds: string[],
    chat: number,
  ): Promise<Person> => {
    const result = await world.services.visits.assign(orgId, { name, level, cellIds }, 'admin');
    if (!result.ok) throw new Error(`committee fixture failed: ${result.problem}`);
    return world.repos.people.link(result.person, 'telegram', chat);
  };
  return { ...world, flush, cell, committeeMember };
}
