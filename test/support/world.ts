import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HandlerContext } from '../../handlers/context.js';
import { ManualClock } from '../../src/clock.js';
import { loadPolicy } from '../../src/content/policy.js';
import { t } from '../../src/i18n.js';
import type { Services } from '../../src/services/index.js';
import { createServices } from '../../src/services/index.js';
import { CommandMenusPort } from '../../src/services/menus.js';
import { NotifierPort } from '../../src/services/notifier.js';
import { PlanningPort } from '../../src/services/planning.js';
import type { Store } from '../../src/store/port.js';
import {
  type Cell,
  type ChannelName,
  cellSchema,
  type Meeting,
  meetingSchema,
  newId,
  type Person,
} from '../../src/store/records.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { schedulerParts } from './scheduler-fixtures.js';

/** A clock tests move by hand; whatever sleeps on it wakes when it is moved past its time. */
export class TestClock extends ManualClock {
  get current(): number {
    return this.now();
  }
}

/** What a channel hands the handlers for a linked person writing privately, at `now`, in Vietnamese. */
export const handlerContext = (
  services: Services,
  now: number,
  actor: Person,
  channel: ChannelName = 'telegram',
): HandlerContext => ({
  channel,
  userId: String((channel === 'telegram' ? actor.telegramId : actor.zaloId) ?? actor.id),
  displayName: actor.name,
  chatKind: 'private',
  actor,
  locale: 'vi',
  now,
  services,
  t: (key, params) => t(key, params, 'vi'),
});

export const sqliteFile = () => join(mkdtempSync(join(tmpdir(), 'chibo-world-')), 'chibo.sqlite');

/**
 * A real scheduler on the world's clock (schedulerParts), bound to the services' planning and notifier ports
 * as the composition root binds them. `deliver()` sends what the outbox holds now and returns what went out
 * since the last call.
 */
function realScheduler(store: Store, clock: TestClock) {
  const parts = schedulerParts(store, clock.now, loadPolicy());
  const { sender, outbox } = parts;
  let seen = 0;
  async function deliver() {
    await outbox.drain('telegram');
    const fresh = sender.sent.slice(seen);
    seen = sender.sent.length;
    return fresh;
  }
  const { planner, dispatcher, planning } = parts;
  return { planner, dispatcher, outbox, sender, planning, deliver };
}

/**
 * Real services over a real store, with a movable clock. With `scheduler`, a real planner, dispatcher and
 * outbox serve the services' planning and notifier ports; without, sends answer `no_scheduler` and nobody is
 * reachable for third-party notices. `ports.menus` may be bound to a bot's command menus.
 */
export function world(
  store: Store = new SqliteStore(sqliteFile()),
  start = '2026-11-26T03:00:00Z',
  options: { scheduler?: boolean } = {},
) {
  const clock = new TestClock(Date.parse(start));
  const ports = { planning: new PlanningPort(), notifier: new NotifierPort(), menus: new CommandMenusPort() };
  const services: Services = createServices(store, clock, loadPolicy(), ports.planning, ports);
  const scheduler = options.scheduler ? realScheduler(store, clock) : undefined;
  if (scheduler) {
    ports.planning.bind(scheduler.planning);
    ports.notifier.bind(scheduler.outbox);
  }
  const roster = services.roster;

  async function cell(name: string, csv: string, extra: Partial<Cell> = {}) {
    const org =
      (await services.repos.cells.listOrgs())[0] ??
      (await services.repos.cells.createOrg('Đảng bộ xã Tân An', clock.now()));
    const c = cellSchema.parse({
      id: newId(),
      orgId: org.id,
      name,
      kind: 'residential',
      place: 'Nhà văn hóa thôn',
      timeZone: 'Asia/Ho_Chi_Minh',
      createdAt: clock.now(),
      ...extra,
    });
    await services.repos.cells.save(c);
    const imported = await roster.importRoster(c, csv, 'test');
    if (!imported.ok) throw new Error(`roster fixture failed: ${JSON.stringify(imported.problems)}`);
    const invites = await roster.invites(c.id);
    const code = (name: string) => invites.find((i) => i.name === name)?.code ?? '';
    return { cell: c, code };
  }

  async function meeting(cell: Cell, startsAtIso: string, extra: Partial<Meeting> = {}) {
    const m = meetingSchema.parse({
      id: newId(),
      cellId: cell.id,
      kind: 'regular',
      startsAt: Date.parse(startsAtIso),
      state: 'planned',
      origin: 'manual',
      updatedAt: clock.now(),
      ...extra,
    });
    await services.repos.meetings.save(m);
    return m;
  }

  const contextFor = (actor: Person, channel: ChannelName = 'telegram') =>
    handlerContext(services, clock.now(), actor, channel);

  return { store, clock, services, roster, cell, meeting, ports, scheduler, contextFor };
}
