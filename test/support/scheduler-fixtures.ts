import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHolidays } from '../../src/content/holidays.js';
import { loadPolicy } from '../../src/content/policy.js';
import { Outbox, type OutboxOptions } from '../../src/delivery/outbox.js';
import type { Sender } from '../../src/delivery/sender.js';
import type { Policy } from '../../src/domain/types.js';
import type { View } from '../../src/domain/view.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { TextComposer } from '../../src/scheduler/composer.js';
import { Dispatcher } from '../../src/scheduler/dispatcher.js';
import { schedulerPlanning } from '../../src/scheduler/index.js';
import { Planner } from '../../src/scheduler/planner.js';
import type { Services } from '../../src/services/index.js';
import { createServices } from '../../src/services/index.js';
import { NotifierPort } from '../../src/services/notifier.js';
import { PlanningPort } from '../../src/services/planning.js';
import { keys } from '../../src/store/keys.js';
import type { Store } from '../../src/store/port.js';
import { type Cell, cellSchema, type Membership, newId, type Person } from '../../src/store/records.js';
import { CellsRepo } from '../../src/store/repositories/cells.js';
import { createRepos } from '../../src/store/repositories/index.js';
import { PeopleRepo } from '../../src/store/repositories/people.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { deletePrefixed, redisAvailable, redisStore, uniquePrefix } from './redis.js';

export const quietLog = createLogger({ level: 'silent' });

/** Real time shifted by an offset the test moves, so TTLs and timers stay consistent with the logic's clock. */
export function offsetClock(start = Date.now()) {
  let offset = start - Date.now();
  return {
    now: () => Date.now() + offset,
    advance(ms: number) {
      offset += ms;
    },
  };
}

/** A Sender that records each send, and fails the ones `fail` returns an error for. */
export class RecordingSender implements Sender {
  readonly sent: { chatId: string; text: string; at: number; view: View }[] = [];
  readonly attempts: { chatId: string; at: number }[] = [];
  fail: (chatId: string, attempt: number) => Error | undefined = () => undefined;
  chatIntervalMs?: (chatId: string) => number | undefined;

  constructor(readonly channel: 'telegram' | 'zalo' = 'telegram') {}

  async send(chatId: string, view: View): Promise<void> {
    const at = Date.now();
    this.attempts.push({ chatId, at });
    const error = this.fail(chatId, this.attempts.filter((a) => a.chatId === chatId).length);
    if (error) throw error;
    this.sent.push({ chatId, text: view.text, at, view });
  }
}

export interface StoreTarget {
  name: 'sqlite' | 'redis';
  /** A store over an empty key space of its own. */
  open(): Promise<Store>;
  /** Removes everything this target created. */
  cleanup(): Promise<void>;
}

/** SQLite always; Redis when it answers (see redisAvailable). Each test gets fresh key space. */
export async function storeTargets(testFile: string): Promise<StoreTarget[]> {
  const dir = mkdtempSync(join(tmpdir(), 'chibo-scheduler-'));
  let n = 0;
  const targets: StoreTarget[] = [
    {
      name: 'sqlite',
      open: async () => new SqliteStore(join(dir, `${n++}.sqlite`)),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    },
  ];
  if (await redisAvailable()) {
    const prefix = uniquePrefix(testFile);
    targets.push({
      name: 'redis',
      open: async () => redisStore(`${prefix}${n++}:`),
      cleanup: () => deletePrefixed(prefix),
    });
  }
  return targets;
}

export interface SeededCell {
  cell: Cell;
  secretaries: Person[];
  members: Person[];
  committee: Person[];
  /** Secretaries first, then members: everyone with a membership. */
  everyone: Person[];
}

/**
 * A cell with secretaries, plain members and assigned committee members, each reachable on Telegram at a
 * chat ID derived from `chatBase`.
 */
export async function seedCell(
  store: Store,
  options: {
    secretaries?: number;
    members?: number;
    committee?: number;
    chatBase?: number;
    now?: number;
  } = {},
): Promise<SeededCell> {
  const { secretaries = 1, members = 3, committee = 0, chatBase = 1000, now = Date.now() } = options;
  const cells = new CellsRepo(store);
  const people = new PeopleRepo(store);
  const cell = cellSchema.parse({
    id: newId(),
    orgId: 'org',
    name: 'Chi bộ Khe Lếch',
    kind: 'residential',
    scheduleRule: { kind: 'nth_weekday', weekday: 6, nth: 1, time: { hour: 19, minute: 30 } },
    timeZone: 'Asia/Ho_Chi_Minh',
    createdAt: now,
  });
  await cells.save(cell);
  let chat = chatBase;
  const make = async (name: string, membership?: Membership) => {
    const { person, ops } = people.createOps(name, now);
    const linked: Person = { ...person, telegramId: chat++, preferredChannel: 'telegram' };
    await store.write([
      ...ops,
      people.saveOp(linked),
      ...(membership ? cells.membershipOps(cell.id, linked.id, membership) : []),
    ]);
    return linked;
  };
  const seeded: SeededCell = { cell, secretaries: [], members: [], committee: [], everyone: [] };
  for (let i = 0; i < secretaries; i++)
    seeded.secretaries.push(await make(`Bí thư ${i + 1}`, { role: 'secretary', status: 'official' }));
  for (let i = 0; i < members; i++)
    seeded.members.push(await make(`Đảng viên ${i + 1}`, { role: 'member', status: 'official' }));
  for (let i = 0; i < committee; i++) {
    const person = await make(`Cấp ủy ${i + 1}`);
    await store.sadd(keys.cellCommittee(cell.id), person.id);
    seeded.committee.push(person);
  }
  seeded.everyone = [...seeded.secretaries, ...seeded.members];
  return seeded;
}

/**
 * Outbox, planner and dispatcher over one store, sending through a recording Telegram sender, on the given
 * clock; `planning` is what the composition root binds the services' planning port to.
 */
export function schedulerParts(
  store: Store,
  now: () => number,
  policy: Policy,
  options: Partial<OutboxOptions> = {},
  composer = new TextComposer(),
) {
  const sender = new RecordingSender();
  const metrics = createMetrics();
  const repos = createRepos(store);
  const outbox = new Outbox(
    { store, people: repos.people, cells: repos.cells, senders: [sender], now, log: quietLog, metrics },
    { rates: { telegram: 1000 }, chatIntervalMs: 0, pollMs: 10, ...options },
  );
  const planner = new Planner({
    store,
    repos,
    policy,
    holidays: loadHolidays(),
    outbox,
    composer,
    now,
    log: quietLog,
  });
  const dispatcher = new Dispatcher({ store, repos, outbox, composer, now, log: quietLog, metrics, policy });
  const planning = schedulerPlanning({ planner, dispatcher, log: quietLog });
  return { sender, metrics, repos, outbox, planner, dispatcher, planning };
}

/**
 * schedulerParts on a clock the test moves, and the services over the same store and clock, their planning
 * and notifier ports bound to them. With `topicSteps`, the composer is the app's: the thematic check carries
 * suggestions and the first step the checklist.
 */
export function schedulerWorld(
  store: Store,
  start: number,
  options: Partial<OutboxOptions> = {},
  extras: { topicSteps?: boolean; policy?: string } = {},
) {
  const clock = offsetClock(start);
  const policy = loadPolicy(extras.policy ?? 'hai-cap-2025');
  const planning = new PlanningPort();
  const notifier = new NotifierPort();
  const services: Services = createServices(store, clock, policy, planning, { notifier });
  const composer = new TextComposer(
    extras.topicSteps ? { topics: { topics: services.topics, checklist: services.checklist } } : {},
  );
  const parts = schedulerParts(store, clock.now, policy, options, composer);
  notifier.bind(parts.outbox);
  planning.bind(parts.planning);
  const { sender, metrics, repos, outbox, planner, dispatcher } = parts;
  return { clock, sender, metrics, repos, outbox, planner, dispatcher, services, policy };
}
