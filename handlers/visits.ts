import { formatDate, instantAt, lastDayOf, MIDNIGHT, type Window } from '../src/domain/time.js';
import type { CommitteeLevel } from '../src/domain/types.js';
import { refusal, type View } from '../src/domain/view.js';
import { visitWindow } from '../src/domain/visits.js';
import { MAX_NAME_LENGTH } from '../src/services/csv.js';
import {
  type ComplianceReport,
  type MeetingRef,
  type MemberStanding,
  type RegistrationResult,
  resolveCells,
  type VisitRefusal,
  type WindowStanding,
} from '../src/services/visits.js';
import type { Cell } from '../src/store/records.js';
import {
  levelName,
  MAX_LISTED,
  meetingLine,
  periodText,
  registerChoice,
  ruleText,
  whenOf,
  windowEdgeLines,
  windowLabel,
  withdrawChoice,
} from '../src/views/visits.js';
import type { Words } from '../src/views/words.js';
import { describeRowProblem, numberedCells, requireAdmin } from './admin.js';
import type { HandlerContext } from './context.js';

/**
 * Upper-level committee members: their duty (/nhiemvu), registering for a meeting from an alert or the duty view
 * ([Đăng ký dự] is the command intent `dangky <meeting>`, re-authorized like any), and the admins' side: assigning
 * members to cells (/capuy, /nhapcapuy), the compliance report (/baocao) and a proposed plan (/kehoach).
 */

// --- Committee members ----------------------------------------------------------------------------------------

function stateText(ctx: Words, standing: WindowStanding): string {
  const { status } = standing;
  const counts = { done: status.done, required: status.required };
  if (status.state === 'due') return ctx.t('visits.state.due', { ...counts, days: status.daysLeft });
  return ctx.t(`visits.state.${status.state}`, counts);
}

/** /nhiemvu: the member's standing per window, visits counted, registrations and the next options, ranked. */
export async function handleVisitDuty(ctx: HandlerContext): Promise<View[]> {
  if (!ctx.actor) return [refusal(ctx.t('refuse.notLinked'))];
  const { visits } = ctx.services;
  const standing = await visits.standing(ctx.actor.id);
  if (!standing) return [refusal(ctx.t('visits.refuse.notCommittee'))];
  const options = (await visits.options(standing)).slice(0, MAX_LISTED);
  const nextOptions = (await visits.nextOptions(standing)).slice(0, MAX_LISTED);
  const cells = await ctx.services.repos.cells.getMany([...standing.assignment.cellIds]);
  const { current, previous } = standing;
  // A registration for a meeting of another window is shown with the window it counts in.
  const registeredLine = (ref: MeetingRef) => {
    const line = meetingLine(ctx, ref);
    const window = visitWindow(
      standing.rule,
      new Date(ref.meeting.startsAt),
      current.window.timeZone,
      new Date(standing.assignment.since),
    );
    return window.start.getTime() === current.window.start.getTime()
      ? line
      : ctx.t('visits.edge.countsIn', { line, window: windowLabel(ctx, window) });
  };
  const lines = [
    ctx.t('visits.status.title', { name: standing.person.name, level: levelName(ctx, standing.rule.level) }),
    ruleText(ctx, standing.rule),
    ctx.t('visits.status.cells', { cells: cells.map((c) => c.name).join(', ') }),
    '',
    ctx.t('visits.status.window', {
      window: windowLabel(ctx, current.window),
      state: stateText(ctx, current),
    }),
    ...(previous
      ? [
          ctx.t('visits.status.previous', {
            window: windowLabel(ctx, previous.window),
            state: stateText(ctx, previous),
          }),
        ]
      : []),
    ...(current.visits.length
      ? [
          '',
          ctx.t('visits.status.visits'),
          ...current.visits.map((ref) =>
            ctx.t('visits.status.visit', { when: whenOf(ctx, ref), cell: ref.cell.name }),
          ),
        ]
      : []),
    ...(standing.registered.length
      ? ['', ctx.t('visits.status.registered'), ...standing.registered.map(registeredLine)]
      : []),
    ...(standing.next
      ? ['', ...windowEdgeLines(ctx, standing, nextOptions)]
      : current.status.state === 'due'
        ? [
            '',
            ...(options.length
              ? [ctx.t('visits.status.options'), ...options.map((ref) => meetingLine(ctx, ref))]
              : [ctx.t('visits.status.noOptions')]),
          ]
        : []),
  ];
  const choices = [
    ...[...options, ...nextOptions].map((ref) => [registerChoice(ctx, ref)]),
    ...standing.registered.map((ref) => [withdrawChoice(ctx, ref)]),
  ];
  return [{ text: lines.join('\n'), ...(choices.length ? { choices } : {}) }];
}

function registrationRefusal(ctx: HandlerContext, result: Extract<RegistrationResult, { ok: false }>): View {
  const keys: Record<VisitRefusal, string> = {
    not_committee: 'visits.refuse.notCommittee',
    not_found: 'refuse.notFound',
    not_allowed: 'visits.refuse.notAllowed',
    not_open: 'visits.refuse.notOpen',
    clash: 'visits.refuse.clash',
    not_registered: 'visits.refuse.notRegistered',
  };
  const clash = result.clashWith;
  return refusal(
    ctx.t(keys[result.reason], clash ? { cell: clash.cell.name, when: whenOf(ctx, clash) } : {}),
  );
}

const kindWords = (ctx: Words, ref: MeetingRef) => ctx.t(`reminders.kind.${ref.meeting.kind}`);

/** [Đăng ký dự]: registers the actor as a guest of the meeting, after checking everything again. */
export async function handleRegister(ctx: HandlerContext, meetingId: string): Promise<View[]> {
  if (!ctx.actor) return [refusal(ctx.t('refuse.notLinked'))];
  const result = await ctx.services.visits.register(ctx.actor.id, meetingId.trim());
  if (!result.ok) return [registrationRefusal(ctx, result)];
  const params = { kind: kindWords(ctx, result), cell: result.cell.name, when: whenOf(ctx, result) };
  return [
    {
      text: ctx.t(
        result.changed
          ? result.noticed
            ? 'visits.registeredNoticed'
            : 'visits.registered'
          : 'visits.alreadyRegistered',
        params,
      ),
      choices: [[withdrawChoice(ctx, result)]],
    },
  ];
}

/** [Rút đăng ký]: withdraws the actor's registration; the secretaries are told. */
export async function handleWithdraw(ctx: HandlerContext, meetingId: string): Promise<View[]> {
  if (!ctx.actor) return [refusal(ctx.t('refuse.notLinked'))];
  const result = await ctx.services.visits.withdraw(ctx.actor.id, meetingId.trim());
  if (!result.ok) return [registrationRefusal(ctx, result)];
  const params = { kind: kindWords(ctx, result), cell: result.cell.name, when: whenOf(ctx, result) };
  return [{ text: ctx.t('visits.withdrawn', params), replace: true }];
}

// --- Admins ---------------------------------------------------------------------------------------------------

/** The word for a level as the policy's own texts name it (its label), else the locale's word. */
const levelWord = (ctx: HandlerContext, level: CommitteeLevel) =>
  ctx.services.policy.visits.find((r) => r.level === level)?.label ?? ctx.t(`visits.levelWord.${level}`);

const levelWords = (ctx: HandlerContext) =>
  ctx.services.policy.visits.map((r) => levelWord(ctx, r.level)).join(', ');

const cellNames = (cells: readonly Cell[], ids: readonly string[]) =>
  ids.map((id) => cells.find((c) => c.id === id)?.name ?? '?').join(', ');

/** /capuy: the committee members with their invites; /capuy Họ tên | cấp | chi bộ: adds or updates one. */
export async function handleCommittee(ctx: HandlerContext, args: string): Promise<View[]> {
  const denied = await requireAdmin(ctx);
  if (denied) return denied;
  const [org] = await ctx.services.repos.cells.listOrgs();
  if (!org) return [{ text: ctx.t('admin.org.missing') }];
  const cells = await numberedCells(ctx);
  if (!args.trim()) {
    const members = await ctx.services.visits.members(org.id);
    if (!members.length) return [{ text: ctx.t('visits.list.none') }];
    const lines = members.map(({ person, assignment }, i) => {
      const linked = person.telegramId !== undefined || person.zaloId !== undefined;
      const invite = linked
        ? ctx.t('visits.list.linked')
        : ctx
            .t('visits.list.code', {
              code: person.inviteCode,
              link: ctx.services.inviteLink?.(person.inviteCode) ?? '',
            })
            .trim();
      return ctx.t('visits.list.item', {
        number: i + 1,
        name: person.name,
        level: levelName(ctx, assignment.level),
        cells: cellNames(cells, assignment.cellIds),
        invite,
      });
    });
    return [{ text: [ctx.t('visits.list.title'), ...lines].join('\n') }];
  }
  const [name = '', levelWord = '', ...cellParts] = args.split('|').map((p) => p.trim());
  const cellWords = cellParts.filter(Boolean).join(',');
  const usage = [{ text: ctx.t('visits.assign.usage', { levels: levelWords(ctx) }) }];
  if (!name || !levelWord || !cellWords) return usage;
  const level = ctx.services.visits.levelOf(levelWord);
  if (!level)
    return [
      {
        text: ctx.t('visits.assign.unknownLevel', { level: levelWord.slice(0, 40), levels: levelWords(ctx) }),
      },
    ];
  const cellIds = resolveCells(cellWords, cells);
  if (!cellIds) return [{ text: ctx.t('visits.assign.unknownCells', { cells: cellWords.slice(0, 80) }) }];
  const result = await ctx.services.visits.assign(org.id, { name, level, cellIds }, ctx.actor?.id ?? '');
  if (!result.ok) {
    switch (result.problem) {
      case 'ambiguous':
        return [{ text: ctx.t('visits.assign.ambiguous', { name: name.slice(0, MAX_NAME_LENGTH) }) }];
      case 'bad_name':
        return [{ text: ctx.t('visits.assign.badName', { max: MAX_NAME_LENGTH }) }];
      default:
        return usage;
    }
  }
  const { person, assignment } = result;
  const linked = person.telegramId !== undefined || person.zaloId !== undefined;
  // A linked member who now sits on a committee gets /nhiemvu in their menu.
  if (linked && result.change === 'created') await ctx.services.menus.refresh([person.id]);
  const text = ctx.t(`visits.assign.${result.change}`, {
    name: person.name,
    level: levelName(ctx, assignment.level),
    cells: cellNames(cells, assignment.cellIds),
  });
  // A new committee member onboards like any member: with their personal invite code.
  const invite =
    result.change === 'created' && !linked
      ? ctx
          .t('visits.assign.invite', {
            code: person.inviteCode,
            link: ctx.services.inviteLink?.(person.inviteCode) ?? '',
          })
          .trim()
      : '';
  return [{ text: [text, invite].filter(Boolean).join('\n') }];
}

/** /nhapcapuy followed, on the next lines, by the CSV (ho_ten, cap, chi_bo): all rows or nothing. */
export async function handleImportCommittee(ctx: HandlerContext, args: string): Promise<View[]> {
  const denied = await requireAdmin(ctx);
  if (denied) return denied;
  const [org] = await ctx.services.repos.cells.listOrgs();
  if (!org) return [{ text: ctx.t('admin.org.missing') }];
  const csv = args.trim();
  if (!csv.includes('\n')) return [{ text: ctx.t('visits.import.usage') }];
  const result = await ctx.services.visits.importAssignments(
    org.id,
    await numberedCells(ctx),
    csv,
    ctx.actor?.id ?? '',
  );
  if (!result.ok)
    return [
      {
        text: [
          ctx.t('admin.import.failed'),
          ...result.problems
            .slice(0, 20)
            .map((p) =>
              p.problem === 'ambiguous'
                ? ctx.t('visits.import.ambiguous', { line: p.line, column: p.column })
                : describeRowProblem(ctx.t, p),
            ),
        ].join('\n'),
      },
    ];
  // Linked members who now sit on a committee get /nhiemvu in their menu.
  if (result.created > 0)
    await ctx.services.menus.refresh((await ctx.services.visits.members(org.id)).map((m) => m.person.id));
  const { created, updated, unchanged } = result;
  return [{ text: ctx.t('visits.import.done', { created, updated, unchanged }) }];
}

/** One CSV field, quoted when it must be. */
const csvField = (value: string | number) => {
  const text = String(value);
  return /[",\n\r;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
/** CSV with a byte-order mark, so spreadsheets read the Vietnamese letters as UTF-8. */
export const toCsv = (rows: readonly (readonly (string | number)[])[]) =>
  `\uFEFF${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;

function reportState(ctx: Words, standing: MemberStanding): string {
  const { status } = standing.current;
  const state =
    status.state === 'due'
      ? ctx.t('visits.report.state.due', { days: status.daysLeft })
      : ctx.t(`visits.report.state.${status.state}`);
  return standing.previous?.status.state === 'overdue'
    ? ctx.t('visits.report.previousOverdue', { state })
    : state;
}

/** The two CSV files of the report: by member and by cell; codes as headers, like the imports. */
function reportFiles(ctx: Words, report: ComplianceReport): View[] {
  const day = formatDate(new Date(report.at), report.timeZone).split('/').reverse().join('-');
  const lastDay = (w: Window) => formatDate(instantAt(lastDayOf(w), MIDNIGHT, w.timeZone), w.timeZone);
  const members = [
    [
      'ho_ten',
      'cap',
      'ky_tu',
      'ky_den',
      'yeu_cau',
      'da_du',
      'con_thieu',
      'so_ngay_con_lai',
      'trang_thai',
      'ky_truoc',
    ],
    ...report.members.map((m) => {
      const { status, window } = m.current;
      return [
        m.person.name,
        m.assignment.level,
        formatDate(window.start, window.timeZone),
        lastDay(window),
        status.required,
        status.done,
        Math.max(0, status.required - status.done),
        status.state === 'due' ? status.daysLeft : '',
        status.state,
        m.previous?.status.state ?? '',
      ];
    }),
  ];
  const cells = [
    ['chi_bo', 'ky_tu', 'ky_den', 'so_luot_du', 'nguoi_du'],
    ...report.cells.map((c) => [
      c.cell.name,
      formatDate(report.window.start, report.timeZone),
      lastDay(report.window),
      c.visits,
      c.visitors.join('; '),
    ]),
  ];
  return [
    {
      text: ctx.t('visits.report.csvMembers'),
      document: { filename: `baocao-capuy-${day}.csv`, content: toCsv(members) },
    },
    {
      text: ctx.t('visits.report.csvCells'),
      document: { filename: `baocao-chibo-${day}.csv`, content: toCsv(cells) },
    },
  ];
}

/** /baocao: compliance per level, per member and per cell, as a message and two CSV files. Admins only. */
export async function handleComplianceReport(ctx: HandlerContext): Promise<View[]> {
  const denied = await requireAdmin(ctx);
  if (denied) return denied;
  const [org] = await ctx.services.repos.cells.listOrgs();
  if (!org) return [{ text: ctx.t('admin.org.missing') }];
  const report = await ctx.services.visits.compliance(org.id);
  if (!report.members.length) return [{ text: ctx.t('visits.report.none') }];
  const unvisited = report.cells.filter((c) => c.visits === 0).map((c) => c.cell.name);
  const lines = [
    ctx.t('visits.report.title', { date: formatDate(new Date(report.at), report.timeZone) }),
    '',
    ctx.t('visits.report.levels'),
    ...report.byLevel.map((l) =>
      ctx.t('visits.report.level', {
        level: levelName(ctx, l.level),
        rule: ctx.t('visits.ruleShort', {
          minimum: l.rule.minimum,
          period: periodText(ctx, l.rule.windowMonths),
        }),
        members: l.members,
        met: l.met,
        due: l.due,
        overdue: l.overdue,
      }),
    ),
    '',
    ctx.t('visits.report.members'),
    ...report.members.map((m) =>
      ctx.t('visits.report.member', {
        name: m.person.name,
        level: levelWord(ctx, m.assignment.level),
        window: windowLabel(ctx, m.current.window),
        required: m.current.status.required,
        done: m.current.status.done,
        remaining: Math.max(0, m.current.status.required - m.current.status.done),
        state: reportState(ctx, m),
      }),
    ),
    '',
    ctx.t('visits.report.cells', { window: windowLabel(ctx, report.window) }),
    ...report.cells.map((c) => ctx.t('visits.report.cell', { cell: c.cell.name, visits: c.visits })),
    unvisited.length
      ? ctx.t('visits.report.unvisited', { cells: unvisited.join(', ') })
      : ctx.t('visits.report.allVisited'),
  ];
  return [{ text: lines.join('\n') }, ...reportFiles(ctx, report)];
}

/** /kehoach: a proposed meeting for every member still due, covering as many unvisited cells as possible. */
export async function handleVisitPlan(ctx: HandlerContext): Promise<View[]> {
  const denied = await requireAdmin(ctx);
  if (denied) return denied;
  const [org] = await ctx.services.repos.cells.listOrgs();
  if (!org) return [{ text: ctx.t('admin.org.missing') }];
  const plan = await ctx.services.visits.proposePlan(org.id);
  if (!plan.entries.length) return [{ text: ctx.t('visits.plan.none') }];
  const lines = [
    ctx.t('visits.plan.title', { window: windowLabel(ctx, plan.window) }),
    ...plan.entries.map(({ standing, choice, registered }) => {
      const who = {
        name: standing.person.name,
        level: levelWord(ctx, standing.assignment.level),
      };
      if (!choice) return ctx.t('visits.plan.noOption', who);
      const line = ctx.t('visits.plan.item', { ...who, when: whenOf(ctx, choice), cell: choice.cell.name });
      return registered ? ctx.t('visits.registeredMark', { line }) : line;
    }),
    '',
    ctx.t('visits.plan.summary', { count: plan.newCells }),
  ];
  return [{ text: lines.join('\n') }];
}
