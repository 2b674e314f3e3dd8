import type { Services } from '../src/services/index.js';
import type { ChannelName } from '../src/store/records.js';
import { foldKey } from './fold.js';

/**
 * Who a command is for. `guest` is someone not (yet) linked on the channel they write from; `member` is anyone
 * linked; the others are the roles a linked person may hold besides (a cell's secretary, an upper-level
 * committee member, an admin).
 */
export const ROLES = ['guest', 'member', 'secretary', 'committee', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const BOTH: readonly ChannelName[] = ['telegram', 'zalo'];

export interface CommandSpec {
  /** What follows the slash: ASCII, lower case, as Telegram's menu requires. */
  name: string;
  roles: readonly Role[];
  channels: readonly ChannelName[];
  /**
   * Words typed for it instead of "/name" (Zalo has no command menu; a bare word works on Telegram too), written
   * with their diacritics: they are compared folded (no diacritics, case, spaces or punctuation), so "lich",
   * "Lịch" and "lịch" are one, and the plain spelling needs no entry.
   */
  words: readonly string[];
  /** Locale key of its one-line description in the Telegram command menu. */
  description: string;
  /** Locale key of its line in /trogiup (after "/name — "). */
  help: string;
  /** Locale key of its argument, shown in /trogiup after the name ("/taodangbo <tên>"). */
  usage?: string;
}

const command = <const N extends string>(
  name: N,
  roles: readonly Role[],
  words: readonly string[],
  options: { usage?: string; channels?: readonly ChannelName[] } = {},
) =>
  ({
    name,
    roles,
    channels: options.channels ?? BOTH,
    words,
    description: `command.${name}`,
    help: `help.command.${name}`,
    ...(options.usage ? { usage: options.usage } : {}),
  }) satisfies CommandSpec;

/**
 * Every command people type, in the order /trogiup and the menus list them: the one table from which /trogiup,
 * the Telegram command menus and the typed words (Zalo) come, and which README.md's command table is checked
 * against. The Vietnamese names keep to ASCII; `start` stays English, since Telegram's deep links send it.
 */
export const COMMAND_REGISTRY = [
  command('start', ['guest'], ['bắt đầu']),
  command('lich', ['member'], ['lịch', 'lịch họp']),
  command('kenh', ['member'], ['kênh', 'chọn kênh']),
  command('trogiup', ['guest', 'member'], ['trợ giúp', 'giúp', 'hướng dẫn', 'help']),
  command('hop', ['secretary'], ['họp']),
  command('diemdanh', ['secretary'], ['điểm danh']),
  command('chuyende', ['secretary'], ['chuyên đề']),
  command('chuanbi', ['secretary'], ['chuẩn bị']),
  command('nhom', ['secretary'], ['nhóm']),
  command('nhiemvu', ['committee'], ['nhiệm vụ']),
  command('taodangbo', ['admin'], ['tạo đảng bộ'], { usage: 'help.usage.taodangbo' }),
  command('taochibo', ['admin'], ['tạo chi bộ']),
  command('chibo', ['admin'], ['chi bộ']),
  command('nhapds', ['admin'], ['nhập ds'], { usage: 'help.usage.nhapds' }),
  command('moi', ['admin'], ['mời'], { usage: 'help.usage.moi' }),
  command('capuy', ['admin'], ['cấp ủy']),
  command('nhapcapuy', ['admin'], ['nhập cấp ủy']),
  command('baocao', ['admin'], ['báo cáo']),
  command('kehoach', ['admin'], ['kế hoạch']),
] as const satisfies readonly CommandSpec[];

export type CommandName = (typeof COMMAND_REGISTRY)[number]['name'];
export const COMMANDS: readonly CommandName[] = COMMAND_REGISTRY.map((c) => c.name);

/** How typed command names and words are compared ("Lịch họp!" → "lichhop"). */
export const commandKey = foldKey;

const COMMAND_BY_KEY = new Map<string, CommandName>();
for (const spec of COMMAND_REGISTRY)
  for (const typed of [spec.name, ...spec.words]) {
    const key = commandKey(typed);
    const taken = COMMAND_BY_KEY.get(key);
    if (taken && taken !== spec.name)
      throw new Error(`Command word "${typed}" is both /${taken} and /${spec.name}`);
    COMMAND_BY_KEY.set(key, spec.name);
  }

/** The command a typed name or word stands for ("trợ giúp" → trogiup, "KÊNH" → kenh), if any. */
export const commandNamed = (typed: string): CommandName | undefined => COMMAND_BY_KEY.get(commandKey(typed));

/** The commands of any of these roles on this channel, in the registry's order. */
export const commandsFor = (roles: readonly Role[], channel: ChannelName) =>
  COMMAND_REGISTRY.filter((c) => c.channels.includes(channel) && c.roles.some((r) => roles.includes(r)));

/** The roles a person holds: `member` for anyone linked, and each further role found for them. */
export async function rolesOf(services: Services, personId: string): Promise<Role[]> {
  const [secretaryCells, assignment, admin] = await Promise.all([
    services.meetings.secretaryCells(personId),
    services.visits.assignment(personId),
    services.repos.people.isAdmin(personId),
  ]);
  return [
    'member',
    ...(secretaryCells.length > 0 ? (['secretary'] as const) : []),
    ...(assignment ? (['committee'] as const) : []),
    ...(admin ? (['admin'] as const) : []),
  ];
}
