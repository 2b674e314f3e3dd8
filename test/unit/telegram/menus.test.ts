import { describe, expect, it } from 'vitest';
import { COMMAND_REGISTRY, type Role } from '../../../handlers/commands.js';
import { t } from '../../../src/i18n.js';
import { createLogger } from '../../../src/logger.js';
import { recordingBot, textUpdate, user } from '../../support/telegram.js';
import { world } from '../../support/world.js';

const log = createLogger({ level: process.env.TEST_LOG ?? 'silent' });

/** The menu of these roles as the command registry has it: every Telegram command of any of them. */
const menu = (roles: Role[]) =>
  COMMAND_REGISTRY.filter(
    (c) => c.channels.includes('telegram') && c.roles.some((r) => roles.includes(r)),
  ).map((c) => ({ command: c.name, description: t(c.description) }));
const MEMBERS = menu(['member']);
const SECRETARIES = menu(['member', 'secretary']);

async function setup() {
  const w = world();
  const khe = await w.cell('Chi bộ thôn Khe Lếch', 'ho_ten,vai_tro\nNguyễn Văn Tuấn,Bí thư\nLò Văn Sinh,\n');
  const tg = recordingBot({ services: w.services, store: w.store, log, now: w.clock.now });
  // As the composition root binds it (src/app.ts).
  w.ports.menus.bind(tg.menus);
  const send = (from: ReturnType<typeof user>, text: string) => tg.bot.handleUpdate(textUpdate(from, text));
  const menuCalls = () =>
    tg.calls.filter((c) => c.method === 'setMyCommands' || c.method === 'deleteMyCommands');
  return { ...w, khe, tg, send, menuCalls };
}

describe('Telegram command menus, scoped by role', () => {
  it('every private chat gets the members’ commands, described in Vietnamese', async () => {
    const s = await setup();
    await s.tg.setCommands();
    expect(s.menuCalls()).toEqual([
      { method: 'setMyCommands', payload: { commands: MEMBERS, scope: { type: 'all_private_chats' } } },
    ]);
    for (const c of MEMBERS) expect(c.description).not.toMatch(/^command\./);
    expect(MEMBERS.map((c) => c.command)).toEqual(['lich', 'kenh', 'trogiup']);
    expect(MEMBERS.map((c) => c.description)).toContain('Lịch họp sắp tới và trả lời của tôi');
  });

  it('every command of the registry has a Vietnamese menu description within Telegram’s limits', () => {
    for (const c of menu(['member', 'secretary', 'committee', 'admin'])) {
      expect(c.command).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(c.description).not.toMatch(/^command\./);
      expect(c.description.length).toBeLessThanOrEqual(256);
    }
  });

  it('a secretary who links gets all the secretaries’ commands in their own chat; a member who links does not', async () => {
    const s = await setup();
    const tuan = user(6101, 'Tuấn');
    const sinh = user(6102, 'Sinh');
    await s.send(tuan, `/start ${s.khe.code('Nguyễn Văn Tuấn')}`);
    await s.send(sinh, `/start ${s.khe.code('Lò Văn Sinh')}`);
    expect(s.menuCalls()).toEqual([
      {
        method: 'setMyCommands',
        payload: { commands: SECRETARIES, scope: { type: 'chat', chat_id: tuan.id } },
      },
      // A member's chat falls back to the members' default.
      { method: 'deleteMyCommands', payload: { scope: { type: 'chat', chat_id: sinh.id } } },
    ]);
  });

  it('an import that makes someone secretary (or no longer) changes their menu, and only theirs', async () => {
    const s = await setup();
    const tuan = user(6101, 'Tuấn');
    const sinh = user(6102, 'Sinh');
    await s.send(tuan, `/start ${s.khe.code('Nguyễn Văn Tuấn')}`);
    await s.send(sinh, `/start ${s.khe.code('Lò Văn Sinh')}`);
    const admin = user(6100, 'Hoa');
    await s.send(admin, `/start ${(await s.services.people.bootstrapCode())?.code}`);
    const before = s.menuCalls().length;

    await s.send(
      admin,
      '/nhapds 1\nho_ten,vai_tro\nNguyễn Văn Tuấn,Đảng viên\nLò Văn Sinh,Bí thư\nHà Thị Mai,\n',
    );
    expect(String(s.tg.calls.filter((c) => c.method === 'sendMessage').at(-1)?.payload.text)).toContain(
      'Đã nhập danh sách',
    );
    expect(
      s
        .menuCalls()
        .slice(before)
        .sort((a, b) => a.method.localeCompare(b.method)),
    ).toEqual([
      { method: 'deleteMyCommands', payload: { scope: { type: 'chat', chat_id: tuan.id } } },
      {
        method: 'setMyCommands',
        payload: { commands: SECRETARIES, scope: { type: 'chat', chat_id: sinh.id } },
      },
    ]);
  });

  it('the first admin gets the admins’ commands in their own chat, /chibo and /moi among them', async () => {
    const s = await setup();
    const admin = user(6100, 'Hoa');
    await s.send(admin, `/start ${(await s.services.people.bootstrapCode())?.code}`);
    const ADMINS = menu(['member', 'admin']);
    expect(ADMINS.map((c) => c.command)).toEqual(
      expect.arrayContaining(['chibo', 'moi', 'taodangbo', 'capuy']),
    );
    expect(s.menuCalls()).toEqual([
      { method: 'setMyCommands', payload: { commands: ADMINS, scope: { type: 'chat', chat_id: admin.id } } },
    ]);
  });

  it('a linked member made a committee member gets /nhiemvu in their own chat', async () => {
    const s = await setup();
    const sinh = user(6102, 'Sinh');
    await s.send(sinh, `/start ${s.khe.code('Lò Văn Sinh')}`);
    const admin = user(6100, 'Hoa');
    await s.send(admin, `/start ${(await s.services.people.bootstrapCode())?.code}`);
    const before = s.menuCalls().length;
    await s.send(admin, '/capuy Lò Văn Sinh | xã | 1');
    expect(s.menuCalls().slice(before)).toEqual([
      {
        method: 'setMyCommands',
        payload: { commands: menu(['member', 'committee']), scope: { type: 'chat', chat_id: sinh.id } },
      },
    ]);
    expect(menu(['member', 'committee']).map((c) => c.command)).toContain('nhiemvu');
  });
});
