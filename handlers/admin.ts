import { scheduleErrorMessage } from '../src/domain/schedule.js';
import { t as translate } from '../src/i18n.js';
import type { RowProblem } from '../src/services/roster.js';
import { cellKindOf, cellOptionsOf } from '../src/services/roster.js';
import type { Cell } from '../src/store/records.js';
import { isSecretary } from '../src/store/repositories/cells.js';
import type { HandlerContext } from './context.js';
import { refusal, type View } from './views.js';

/** Admin commands: the đảng bộ, its cells, their rosters and invites. Every one checks the admin role first. */
export async function requireAdmin(ctx: HandlerContext): Promise<View[] | undefined> {
  if (!ctx.actor) return [refusal(ctx.t('refuse.notLinked'))];
  if (!(await ctx.services.repos.people.isAdmin(ctx.actor.id))) return [refusal(ctx.t('refuse.notAdmin'))];
  return undefined;
}

/** The đảng bộ's cells in a stable order, so "chi bộ số 2" means the same cell every time. */
export async function numberedCells(ctx: HandlerContext): Promise<Cell[]> {
  const [org] = await ctx.services.repos.cells.listOrgs();
  if (!org) return [];
  return (await ctx.services.repos.cells.ofOrg(org.id)).sort(
    (a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name, 'vi'),
  );
}

async function cellByNumber(ctx: HandlerContext, arg: string): Promise<Cell | undefined> {
  const n = Number.parseInt(arg, 10);
  return Number.isInteger(n) ? (await numberedCells(ctx))[n - 1] : undefined;
}

/** /taodangbo <tên>: the đảng bộ (one per deployment). */
export async function handleCreateOrg(ctx: HandlerContext, name: string): Promise<View[]> {
  const denied = await requireAdmin(ctx);
  if (denied) return denied;
  if (!name.trim()) return [{ text: ctx.t('admin.org.usage') }];
  if ((await ctx.services.repos.cells.listOrgs()).length) return [{ text: ctx.t('admin.org.exists') }];
  const org = await ctx.services.repos.cells.createOrg(name.trim().slice(0, 120), ctx.now);
  return [{ text: ctx.t('admin.org.created', { name: org.name }) }];
}

/** /taochibo Tên | loại | lịch | địa điểm */
export async function handleCreateCell(ctx: HandlerContext, args: string): Promise<View[]> {
  const denied = await requireAdmin(ctx);
  if (denied) return denied;
  const [org] = await ctx.services.repos.cells.listOrgs();
  if (!org) return [{ text: ctx.t('admin.org.missing') }];
  const [name = '', kindWord = '', phrase = '', place = '', optionWords = ''] = args
    .split('|')
    .map((p) => p.trim());
  if (!name || !kindWord) return [{ text: ctx.t('admin.cell.usage') }];
  const kind = cellKindOf(kindWord);
  if (!kind) return [{ text: ctx.t('admin.cell.unknownKind', { kind: kindWord.slice(0, 40) }) }];
  const options = cellOptionsOf(optionWords);
  if (!options) return [{ text: ctx.t('admin.cell.unknownOption', { option: optionWords.slice(0, 80) }) }];
  const result = await ctx.services.roster.createCell(
    {
      orgId: org.id,
      name: name.slice(0, 120),
      kind,
      schedulePhrase: phrase || undefined,
      place: place.slice(0, 120),
      timeZone: 'Asia/Ho_Chi_Minh',
      ...options,
    },
    ctx.actor?.id ?? '',
  );
  if (!result.ok) return [{ text: scheduleErrorMessage(result.schedule, ctx.locale, translate) }];
  const number = (await numberedCells(ctx)).findIndex((c) => c.id === result.cell.id) + 1;
  return [
    {
      text: ctx.t('admin.cell.created', { name: result.cell.name, number, kind: ctx.t(`cellKind.${kind}`) }),
    },
  ];
}

/** /chibo: the numbered list of cells. */
export async function handleListCells(ctx: HandlerContext): Promise<View[]> {
  const denied = await requireAdmin(ctx);
  if (denied) return denied;
  const cells = await numberedCells(ctx);
  if (!cells.length) return [{ text: ctx.t('admin.cell.none') }];
  return [
    {
      text: cells
        .map((c, i) =>
          ctx.t('admin.cell.item', { number: i + 1, name: c.name, kind: ctx.t(`cellKind.${c.kind}`) }),
        )
        .join('\n'),
    },
  ];
}

/** "Dòng 14, cột ho_ten: không được để trống": one line per problem, for the chat and the script alike. */
export function describeRowProblem(t: HandlerContext['t'], p: RowProblem): string {
  return t(`admin.import.problem.${p.problem}`, { line: p.line, column: p.column || '—' });
}

/** /nhapds <số chi bộ> followed, on the next lines, by the CSV (pasted, or a file's text). */
export async function handleImportRoster(ctx: HandlerContext, args: string): Promise<View[]> {
  const denied = await requireAdmin(ctx);
  if (denied) return denied;
  const [first = '', ...rest] = args.split('\n');
  const cell = await cellByNumber(ctx, first.trim());
  const csv = rest.join('\n').trim();
  if (!cell || !csv) return [{ text: ctx.t('admin.import.usage') }];
  const before = await ctx.services.repos.cells.members(cell.id);
  const result = await ctx.services.roster.importRoster(cell, csv, ctx.actor?.id ?? '');
  if (result.ok) {
    // Those made (or no longer) secretaries get their channel's command menu to match.
    const after = await ctx.services.repos.cells.members(cell.id);
    const changed = [...after].filter(([id, m]) => isSecretary(m) !== isSecretary(before.get(id)));
    await ctx.services.menus.refresh(changed.map(([id]) => id));
  }
  if (!result.ok) {
    return [
      {
        text: [
          ctx.t('admin.import.failed'),
          ...result.problems.slice(0, 20).map((p) => describeRowProblem(ctx.t, p)),
        ].join('\n'),
      },
    ];
  }
  return [
    {
      text: ctx.t('admin.import.done', {
        cell: cell.name,
        created: result.created,
        updated: result.updated,
        unchanged: result.unchanged,
      }),
    },
  ];
}

/** /moi <số chi bộ>: every member's personal invite, to hand out. */
export async function handleInvites(ctx: HandlerContext, arg: string): Promise<View[]> {
  const denied = await requireAdmin(ctx);
  if (denied) return denied;
  const cell = await cellByNumber(ctx, arg.trim());
  if (!cell) return [{ text: ctx.t('admin.invites.usage') }];
  const invites = await ctx.services.roster.invites(cell.id);
  const lines = invites.map((i) => {
    const link = ctx.services.inviteLink?.(i.code);
    return ctx
      .t(i.linked ? 'admin.invites.linked' : 'admin.invites.item', {
        name: i.name,
        code: i.code,
        link: link ?? '',
      })
      .trim();
  });
  return [{ text: [ctx.t('admin.invites.title', { cell: cell.name }), ...lines].join('\n') }];
}
