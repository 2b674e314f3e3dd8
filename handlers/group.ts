import { fold } from '../src/domain/text.js';
import { refusal, type View } from '../src/domain/view.js';
import type { HandlerContext } from './context.js';
import { chooseCell, commandCellQuestion, secretaryCellsOf } from './secretary-cells.js';

/** "huỷ", "hủy", "gỡ" and their plain spellings ask to unbind. */
const UNBIND_WORDS = new Set(['huy', 'go', 'bo']);

/**
 * /nhom — in a group: a secretary binds it to their cell (picking one when they lead several), or unbinds it
 * with "/nhom huy"; anyone else gets a short refusal. In private: which groups their cells have, with a button
 * to unbind each. Every choice is re-authorized against the cell it names.
 */
export async function handleGroupCommand(ctx: HandlerContext, args: string): Promise<View[]> {
  if (!ctx.actor)
    return [refusal(ctx.t(ctx.chatKind === 'group' ? 'group.refuse.notLinked' : 'refuse.notLinked'))];
  const [first = '', target = ''] = args.trim().split(/\s+/);
  const unbinding = UNBIND_WORDS.has(fold(first));
  return ctx.chatKind === 'group'
    ? inGroup(ctx, unbinding ? undefined : first, unbinding)
    : inPrivate(ctx, unbinding ? target : undefined);
}

async function inGroup(ctx: HandlerContext, wanted: string | undefined, unbinding: boolean): Promise<View[]> {
  const { groups } = ctx.services;
  const chatId = Number(ctx.chatId);
  if (!Number.isSafeInteger(chatId)) return [refusal(ctx.t('refuse.invalid'))];
  const mine = await secretaryCellsOf(ctx);
  const bound = await groups.cellOfChat(chatId);
  const leadsBound = bound !== undefined && mine.some((c) => c.id === bound.id);

  if (unbinding) {
    if (!bound) return [{ text: ctx.t('group.notBound') }];
    if (!leadsBound) return [refusal(ctx.t('group.refuse.notSecretaryOf', { cell: bound.name }))];
    await groups.unbind(bound, ctx.actor?.id ?? '');
    return [{ text: ctx.t('group.unbound', { cell: bound.name }), replace: true }];
  }

  if (mine.length === 0) return [refusal(ctx.t('group.refuse.notSecretary'))];
  if (bound) {
    // One group, one cell: another cell's group is that cell's secretaries' to unbind first.
    if (!leadsBound || (wanted && wanted !== bound.id))
      return [refusal(ctx.t('group.refuse.taken', { cell: bound.name }))];
    return [{ text: ctx.t('group.already', { cell: bound.name }), replace: true }];
  }
  const chosen = chooseCell(ctx, mine, wanted ?? '', {
    ...commandCellQuestion(ctx, 'nhom', ctx.t('group.pick')),
    refusal: ctx.t('group.refuse.notSecretary'),
  });
  if ('views' in chosen) return chosen.views;
  const { cell } = chosen;
  const result = await groups.bind(
    cell,
    { id: chatId, ...(ctx.chatTitle ? { title: ctx.chatTitle } : {}) },
    ctx.actor?.id ?? '',
  );
  if (!result.ok) return [refusal(ctx.t('group.refuse.taken', { cell: result.cell.name }))];
  return [
    { text: ctx.t(result.already ? 'group.already' : 'group.bound', { cell: cell.name }), replace: true },
  ];
}

async function inPrivate(ctx: HandlerContext, unbindCellId: string | undefined): Promise<View[]> {
  const mine = await secretaryCellsOf(ctx);
  if (mine.length === 0) return [refusal(ctx.t('refuse.notSecretary'))];
  if (unbindCellId !== undefined) {
    const cell = mine.find((c) => c.id === unbindCellId);
    if (!cell) return [refusal(ctx.t('refuse.notSecretary'))];
    if (!(await ctx.services.groups.unbind(cell, ctx.actor?.id ?? '')))
      return [refusal(ctx.t('group.notBoundCell', { cell: cell.name }))];
    return [{ text: ctx.t('group.unbound', { cell: cell.name }), replace: true }];
  }
  const lines = mine.map((c) =>
    c.telegramGroupId === undefined
      ? ctx.t('group.status.none', { cell: c.name })
      : ctx.t('group.status.bound', {
          cell: c.name,
          group: c.telegramGroupTitle ?? String(c.telegramGroupId),
        }),
  );
  const bound = mine.filter((c) => c.telegramGroupId !== undefined);
  return [
    {
      text: [ctx.t('group.status.title'), ...lines, '', ctx.t('group.howTo')].join('\n'),
      ...(bound.length
        ? {
            choices: bound.map((c) => [
              {
                label: ctx.t('group.unbindButton', { cell: c.name }),
                intent: { type: 'command', name: 'nhom', args: `huy ${c.id}` },
              },
            ]),
          }
        : {}),
    },
  ];
}
