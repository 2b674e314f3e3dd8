import { describeSchedule, isScheduleRule, scheduleErrorMessage } from '../src/domain/schedule.js';
import { refusal, type View } from '../src/domain/view.js';
import { t as translate } from '../src/i18n.js';
import type { CreateCellResult, RowProblem } from '../src/services/roster.js';
import { cellKindOf, cellOptionsOf } from '../src/services/roster.js';
import type { Cell, Meeting } from '../src/store/records.js';
import { isSecretary } from '../src/store/repositories/cells.js';
import { hhmm, shiftReason, whenAt } from '../src/views/format.js';
import type { HandlerContext } from './context.js';

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

/** The answer buttons of an unusual hour carry this: "!ok <draft> 14:00" or "!no <draft>". */
const CONFIRM = /^!(ok|no) ([0-9a-z]{1,16})(?: (\d{2}:\d{2}))?$/;

/**
 * /taochibo Tên | loại | lịch | địa điểm | tùy chọn. An hour before 06:00 or after 22:00 is asked back with a
 * button per likely hour ("Họp lúc 14:00", "Họp lúc 02:00") and one to cancel; the tap comes back here.
 */
export async function handleCreateCell(ctx: HandlerContext, args: string): Promise<View[]> {
  const denied = await requireAdmin(ctx);
  if (denied) return denied;
  const confirm = CONFIRM.exec(args.trim());
  if (confirm) return confirmCell(ctx, confirm[1] === 'ok', confirm[2] ?? '', confirm[3] ?? '');
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
  const cellName = name.slice(0, 120);
  const result = await ctx.services.roster.createCell(
    {
      orgId: org.id,
      name: cellName,
      kind,
      schedulePhrase: phrase || undefined,
      place: place.slice(0, 120),
      timeZone: 'Asia/Ho_Chi_Minh',
      ...options,
    },
    ctx.actor?.id ?? '',
  );
  return cellCreated(ctx, result, cellName);
}

async function confirmCell(ctx: HandlerContext, ok: boolean, draftId: string, time: string): Promise<View[]> {
  const actorId = ctx.actor?.id ?? '';
  if (!ok) {
    const dropped = await ctx.services.roster.dropDraft(draftId, actorId);
    return [{ text: ctx.t(dropped ? 'admin.cell.hourCancelled' : 'admin.cell.hourExpired'), replace: true }];
  }
  const result = await ctx.services.roster.confirmCell(draftId, actorId, time);
  if ('expired' in result) return [refusal(ctx.t('admin.cell.hourExpired'))];
  return (await cellCreated(ctx, result, '')).map((view) => ({ ...view, replace: true }));
}

/**
 * A schedule read back with its regular meetings, each with why it moved: "Lịch sinh hoạt thường kỳ: …", then
 * "• Thứ Năm, 11/02/2027, 19:30 (dời từ Thứ Sáu 05/02 vì Tết Nguyên đán Đinh Mùi)". Shared with `npm run
 * calendar`, so the preview reads as the bot does.
 */
export function scheduleLines(
  ctx: Pick<HandlerContext, 't' | 'locale'>,
  calendar: Pick<Cell, 'timeZone' | 'shift' | 'meetsOnWeekends'>,
  rule: Parameters<typeof describeSchedule>[0],
  meetings: readonly { at: Date; shift?: Meeting['shift'] }[],
): string[] {
  return [
    ctx.t('admin.cell.schedule', {
      rule: describeSchedule(rule, ctx.locale, translate),
      shift: ctx.t(`calendar.shift.${calendar.shift}`),
      weekends: calendar.meetsOnWeekends ? ctx.t('calendar.weekends') : '',
    }),
    ctx.t('admin.cell.next'),
    ...meetings.map((m) => {
      const reason = shiftReason(ctx, m.shift);
      const when = whenAt(ctx, m.at, calendar.timeZone);
      return reason
        ? ctx.t('admin.cell.nextItemShifted', { when, reason })
        : ctx.t('admin.cell.nextItem', { when });
    }),
  ];
}

/** The cell made, its schedule read back and its next three regular meetings; or what to fix; or the question. */
async function cellCreated(ctx: HandlerContext, result: CreateCellResult, name: string): Promise<View[]> {
  if ('schedule' in result) return [{ text: scheduleErrorMessage(result.schedule, ctx.locale, translate) }];
  if ('confirmHour' in result) {
    const { draftId, time, alternative } = result.confirmHour;
    const button = (t: { hour: number; minute: number }) => ({
      label: ctx.t('admin.cell.hourButton', { time: hhmm(t) }),
      intent: { type: 'command' as const, name: 'taochibo', args: `!ok ${draftId} ${hhmm(t)}` },
    });
    return [
      {
        text: ctx.t('admin.cell.askHour', { time: hhmm(time), name }),
        choices: [
          [...(alternative ? [button(alternative)] : []), button(time)],
          [
            {
              label: ctx.t('admin.cell.hourCancel'),
              intent: { type: 'command', name: 'taochibo', args: `!no ${draftId}` },
            },
          ],
        ],
      },
    ];
  }
  const { cell, next } = result;
  const number = (await numberedCells(ctx)).findIndex((c) => c.id === cell.id) + 1;
  const lines = [
    ctx.t('admin.cell.created', { name: cell.name, number, kind: ctx.t(`cellKind.${cell.kind}`) }),
  ];
  if (isScheduleRule(cell.scheduleRule)) lines.push(...scheduleLines(ctx, cell, cell.scheduleRule, next));
  return [{ text: lines.join('\n') }];
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
