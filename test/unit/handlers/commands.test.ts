import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMAND_REGISTRY, type CommandSpec, commandNamed, type Role } from '../../../handlers/commands.js';
import { handle } from '../../../handlers/index.js';
import { t } from '../../../src/i18n.js';
import type { ChannelName, Person } from '../../../src/store/records.js';
import { world } from '../../support/world.js';

const ROSTER = 'ho_ten,vai_tro\nNguyễn Văn Tuấn,Bí thư\nLò Văn Sinh,\nHà Thị Mai,\n';

/** The registry's commands for these roles on a channel, by name: what /trogiup and the menus must list. */
const registryNames = (roles: Role[], channel: ChannelName) =>
  COMMAND_REGISTRY.filter((c) => c.channels.includes(channel) && c.roles.some((r) => roles.includes(r))).map(
    (c) => c.name,
  );

async function setup() {
  const w = world();
  const khe = await w.cell('Chi bộ thôn Khe Lếch', ROSTER);
  const person = async (name: string) => {
    const members = await w.services.repos.cells.members(khe.cell.id);
    const found = (await w.services.repos.people.getMany([...members.keys()])).find((p) => p.name === name);
    if (!found) throw new Error(`no ${name}`);
    return found;
  };
  const admin = await w.services.people.redeemBootstrap(
    (await w.services.people.bootstrapCode())?.code ?? '',
    'telegram',
    9000,
    'Hoa',
  );
  if (!admin) throw new Error('no admin');
  const level = w.services.visits.levelOf('xã');
  if (!level) throw new Error('no level');
  const assigned = await w.services.visits.assign(
    khe.cell.orgId,
    { name: 'Lò Văn Sinh', level, cellIds: [khe.cell.id] },
    admin.id,
  );
  expect(assigned.ok).toBe(true);
  /** The commands /trogiup lists to this person on this channel, in its order. */
  const helpCommands = async (actor: Person, channel: ChannelName) => {
    const [view] = await handle(w.contextFor(actor, channel), { type: 'command', name: 'trogiup', args: '' });
    return [...(view?.text ?? '').matchAll(/^\/([a-z]+)/gm)].map((m) => m[1]);
  };
  return { w, admin, person, helpCommands };
}

describe('/trogiup lists exactly the registry’s commands for the roles one holds', () => {
  it.each(['telegram', 'zalo'] as const)(
    'on %s, for a member, a secretary, a committee member and an admin',
    async (channel) => {
      const s = await setup();
      const cases: [Person, Role[]][] = [
        [await s.person('Hà Thị Mai'), ['member']],
        [await s.person('Nguyễn Văn Tuấn'), ['member', 'secretary']],
        [await s.person('Lò Văn Sinh'), ['member', 'committee']],
        [s.admin, ['member', 'admin']],
      ];
      for (const [actor, roles] of cases)
        expect(await s.helpCommands(actor, channel), `${roles.join('+')} on ${channel}`).toEqual(
          registryNames(roles, channel),
        );
    },
  );

  it('the admin’s help has /chibo and /moi; the secretary’s has /chuyende, /chuanbi and /nhom', async () => {
    const s = await setup();
    expect(await s.helpCommands(s.admin, 'telegram')).toEqual(expect.arrayContaining(['chibo', 'moi']));
    expect(await s.helpCommands(await s.person('Nguyễn Văn Tuấn'), 'telegram')).toEqual(
      expect.arrayContaining(['chuyende', 'chuanbi', 'nhom']),
    );
  });
});

describe('the command registry', () => {
  it('reads every command’s name and typed words, with and without diacritics, as that command', () => {
    const plain = (word: string) =>
      word.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
    for (const c of COMMAND_REGISTRY)
      for (const typed of [c.name, ...c.words, ...c.words.map(plain)])
        expect(commandNamed(typed), typed).toBe(c.name);
    expect(commandNamed('Điểm Danh')).toBe('diemdanh');
    expect(commandNamed('chuyen de')).toBe('chuyende');
    expect(commandNamed('dangky')).toBeUndefined();
  });

  it('has a menu description and a help line in both locales for every command', () => {
    const specs: readonly CommandSpec[] = COMMAND_REGISTRY;
    for (const c of specs)
      for (const locale of ['vi', 'en'] as const)
        for (const key of [c.description, c.help, ...(c.usage ? [c.usage] : [])])
          expect(t(key, {}, locale), `${key} (${locale})`).not.toBe(key);
  });
});

describe('README.md’s command table', () => {
  /** What the table's "who" column says, as the registry's roles. */
  const WHO: Record<string, Role[]> = {
    everyone: ['guest', 'member'],
    'anyone not linked yet': ['guest'],
    members: ['member'],
    secretaries: ['secretary'],
    'committee members': ['committee'],
    admins: ['admin'],
  };

  function table(): Map<string, string> {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.split(/^### Commands$/m)[1]?.split(/^#/m)[0] ?? '';
    const rows = section.split('\n').filter((line) => /^\| `\//.test(line));
    expect(rows.length).toBeGreaterThan(5);
    const who = new Map<string, string>();
    for (const row of rows) {
      const [commands = '', role = ''] = row.split('|').slice(1, 3);
      const names = [...commands.matchAll(/`\/([a-z]+)/g)].map((m) => m[1] ?? '');
      expect(names.length, row).toBeGreaterThan(0);
      for (const name of names) {
        expect(who.has(name), `/${name} appears twice`).toBe(false);
        who.set(name, role.trim());
      }
    }
    return who;
  }

  it('has every registry command with who it is for, and no row without a registry command', () => {
    const rows = table();
    for (const c of COMMAND_REGISTRY) {
      const who = rows.get(c.name);
      expect(who, `/${c.name} is missing from README.md`).toBeDefined();
      expect(WHO[who ?? ''], `/${c.name}: "${who}"`).toEqual([...c.roles]);
    }
    const registered = new Set<string>(COMMAND_REGISTRY.map((c) => c.name));
    for (const name of rows.keys()) expect(registered.has(name), `/${name} is not a command`).toBe(true);
  });
});
