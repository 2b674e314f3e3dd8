import { describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n.js';
import { createLogger } from '../../../src/logger.js';
import { keys } from '../../../src/store/keys.js';
import {
  botMemberUpdate,
  groupChat,
  groupCommandUpdate,
  groupTapUpdate,
  migrateUpdate,
  recordingBot,
  tapUpdate,
  textUpdate,
  user,
} from '../../support/telegram.js';
import { world } from '../../support/world.js';

const log = createLogger({ level: process.env.TEST_LOG ?? 'silent' });
const ROSTER = 'ho_ten,vai_tro\nNguyễn Văn Tuấn,Bí thư\nLò Văn Sinh,Đảng viên\nHà Thị Mai,\n';
const KHE = 'Chi bộ thôn Khe Lếch';
const SCHOOL = 'Chi bộ Trường THCS Tân An';

type Keyboard = { inline_keyboard: { text: string; callback_data?: string }[][] };

async function setup() {
  const w = world();
  const khe = await w.cell(KHE, ROSTER);
  const school = await w.cell(SCHOOL, 'ho_ten,vai_tro\nPhạm Văn Giáo,Bí thư\n', { kind: 'public_service' });
  const meeting = await w.meeting(khe.cell, '2026-12-05T12:30:00Z');
  const tg = recordingBot({ services: w.services, store: w.store, log, now: w.clock.now });
  const send = (u: Parameters<typeof tg.bot.handleUpdate>[0]) => {
    w.clock.advance(1000);
    return tg.bot.handleUpdate(u);
  };
  const people = {
    tuan: user(6001, 'Tuấn'),
    sinh: user(6002, 'Sinh'),
    mai: user(6003, 'Mai'),
    giao: user(6004, 'Giáo'),
  };
  await send(textUpdate(people.tuan, `/start ${khe.code('Nguyễn Văn Tuấn')}`));
  await send(textUpdate(people.sinh, `/start ${khe.code('Lò Văn Sinh')}`));
  await send(textUpdate(people.mai, `/start ${khe.code('Hà Thị Mai')}`));
  await send(textUpdate(people.giao, `/start ${school.code('Phạm Văn Giáo')}`));
  const personId = async (u: { id: number }) =>
    (await w.services.repos.people.byChannel('telegram', u.id))?.id ?? '';
  const cell = async (id: string) => w.services.repos.cells.get(id);
  // Group entries only (the roster import has its own); the clock moves on each update so they keep their order.
  const audit = async (cellId: string) =>
    (await w.store.zrangeByScore(keys.cellAudit(cellId), 0, Number.POSITIVE_INFINITY))
      .map(
        (e) => JSON.parse(e.member) as { action: string; actorId: string; detail: Record<string, unknown> },
      )
      .filter((e) => e.action.startsWith('group.'));
  const callsAfter = (n: number) => tg.calls.slice(n);
  return { ...w, khe, school, meeting, tg, send, people, personId, cell, audit, callsAfter };
}

const group = groupChat(-1001234567890);

describe('binding a cell’s Telegram group', () => {
  it('binds on a secretary’s /nhom in the group, with an audit entry; others get a short refusal and change nothing', async () => {
    const s = await setup();
    let from = s.tg.calls.length;
    await s.send(groupCommandUpdate(s.people.sinh, group, '/nhom'));
    await s.send(groupCommandUpdate(user(6999), group, '/nhom@chibo_test_bot'));
    expect(s.callsAfter(from).map((c) => [c.method, c.payload.chat_id, c.payload.text])).toEqual([
      ['sendMessage', group.id, t('group.refuse.notSecretary')],
      ['sendMessage', group.id, t('group.refuse.notLinked')],
    ]);
    expect((await s.cell(s.khe.cell.id))?.telegramGroupId).toBeUndefined();
    expect(await s.audit(s.khe.cell.id)).toEqual([]);

    // Addressed to another bot: not ours to answer.
    from = s.tg.calls.length;
    await s.send(groupCommandUpdate(s.people.tuan, group, '/nhom@other_bot'));
    expect(s.callsAfter(from)).toEqual([]);

    await s.send(groupCommandUpdate(s.people.tuan, group, '/nhom'));
    expect(s.tg.calls.at(-1)?.payload).toMatchObject({
      chat_id: group.id,
      text: t('group.bound', { cell: KHE }),
    });
    const bound = await s.cell(s.khe.cell.id);
    expect(bound).toMatchObject({ telegramGroupId: group.id, telegramGroupTitle: group.title });
    expect((await s.services.groups.cellOfChat(group.id))?.id).toBe(s.khe.cell.id);
    expect(await s.audit(s.khe.cell.id)).toMatchObject([
      { action: 'group.bind', actorId: await s.personId(s.people.tuan), detail: { chatId: group.id } },
    ]);

    // One group, one cell: another cell's secretary cannot take it.
    await s.send(groupCommandUpdate(s.people.giao, group, '/nhom'));
    expect(s.tg.calls.at(-1)?.payload.text).toBe(t('group.refuse.taken', { cell: KHE }));
    expect((await s.cell(s.school.cell.id))?.telegramGroupId).toBeUndefined();
    await s.send(groupCommandUpdate(s.people.tuan, group, '/nhom'));
    expect(s.tg.calls.at(-1)?.payload.text).toBe(t('group.already', { cell: KHE }));
    expect(await s.audit(s.khe.cell.id)).toHaveLength(1);
  });

  it('lets a secretary of several cells pick one; the pick is re-authorized for whoever taps it', async () => {
    const s = await setup();
    await s.services.repos.cells.setMembership(s.school.cell.id, await s.personId(s.people.tuan), {
      role: 'deputy_secretary',
      status: 'official',
    });
    await s.send(groupCommandUpdate(s.people.tuan, group, '/nhom'));
    const picker = s.tg.calls.at(-1)?.payload;
    expect(picker?.text).toBe(t('group.pick'));
    const buttons = ((picker?.reply_markup as Keyboard | undefined)?.inline_keyboard ?? []).flat();
    expect(buttons.map((b) => b.text).sort()).toEqual([KHE, SCHOOL].sort());
    const school = buttons.find((b) => b.text === SCHOOL)?.callback_data ?? '';
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data ?? '')).toBeLessThanOrEqual(64);

    await s.send(groupTapUpdate(s.people.sinh, group, school));
    expect(s.tg.calls.at(-1)).toMatchObject({
      method: 'answerCallbackQuery',
      payload: { text: t('group.refuse.notSecretary') },
    });
    await s.send(groupTapUpdate(s.people.giao, group, `c|nhom|${s.khe.cell.id}`));
    expect(s.tg.calls.at(-1)?.payload.text).toBe(t('group.refuse.notSecretary'));
    expect((await s.cell(s.school.cell.id))?.telegramGroupId).toBeUndefined();
    expect((await s.cell(s.khe.cell.id))?.telegramGroupId).toBeUndefined();

    await s.send(groupTapUpdate(s.people.tuan, group, school));
    expect(s.tg.calls.at(-1)).toMatchObject({
      method: 'editMessageText',
      payload: { chat_id: group.id, text: t('group.bound', { cell: SCHOOL }) },
    });
    expect((await s.cell(s.school.cell.id))?.telegramGroupId).toBe(group.id);
    expect((await s.cell(s.khe.cell.id))?.telegramGroupId).toBeUndefined();
  });

  it('unbinds with /nhom huy in the group or a button in private, for the cell’s secretaries only', async () => {
    const s = await setup();
    await s.send(groupCommandUpdate(s.people.tuan, group, '/nhom'));
    await s.send(groupCommandUpdate(s.people.sinh, group, '/nhom huy'));
    expect(s.tg.calls.at(-1)?.payload.text).toBe(t('group.refuse.notSecretaryOf', { cell: KHE }));
    await s.send(groupCommandUpdate(s.people.giao, group, '/nhom hủy'));
    expect(s.tg.calls.at(-1)?.payload.text).toBe(t('group.refuse.notSecretaryOf', { cell: KHE }));
    expect((await s.cell(s.khe.cell.id))?.telegramGroupId).toBe(group.id);

    await s.send(groupCommandUpdate(s.people.tuan, group, '/nhom hủy'));
    expect(s.tg.calls.at(-1)?.payload.text).toBe(t('group.unbound', { cell: KHE }));
    expect((await s.cell(s.khe.cell.id))?.telegramGroupId).toBeUndefined();
    expect(await s.services.groups.cellOfChat(group.id)).toBeUndefined();

    // In private: the status, and a button per bound group.
    await s.send(groupCommandUpdate(s.people.tuan, group, '/nhom'));
    await s.send(textUpdate(s.people.tuan, '/nhom'));
    const status = s.tg.calls.at(-1)?.payload;
    expect(String(status?.text)).toContain(t('group.status.bound', { cell: KHE, group: group.title }));
    const unbind = ((status?.reply_markup as Keyboard | undefined)?.inline_keyboard ?? []).flat()[0];
    expect(unbind?.text).toBe(t('group.unbindButton', { cell: KHE }));
    await s.send(tapUpdate(s.people.giao, unbind?.callback_data ?? ''));
    expect(s.tg.calls.at(-1)?.payload.text).toBe(t('refuse.notSecretary'));
    expect((await s.cell(s.khe.cell.id))?.telegramGroupId).toBe(group.id);
    await s.send(tapUpdate(s.people.tuan, unbind?.callback_data ?? ''));
    expect((await s.cell(s.khe.cell.id))?.telegramGroupId).toBeUndefined();
    await s.send(textUpdate(s.people.sinh, '/nhom'));
    expect(s.tg.calls.at(-1)?.payload.text).toBe(t('refuse.notSecretary'));

    const tuan = await s.personId(s.people.tuan);
    expect((await s.audit(s.khe.cell.id)).map((e) => [e.action, e.actorId])).toEqual([
      ['group.bind', tuan],
      ['group.unbind', tuan],
      ['group.bind', tuan],
      ['group.unbind', tuan],
    ]);
  });

  it('follows the group when Telegram upgrades it to a supergroup, and forgets it when the bot is removed', async () => {
    const s = await setup();
    const basic = groupChat(-4001, 'Chi bộ Khe Lếch', 'group');
    const upgraded = groupChat(-1004001, 'Chi bộ Khe Lếch');
    await s.send(groupCommandUpdate(s.people.tuan, basic, '/nhom'));
    await s.send(migrateUpdate(s.people.tuan, basic, upgraded.id));
    expect((await s.cell(s.khe.cell.id))?.telegramGroupId).toBe(upgraded.id);
    expect(await s.services.groups.cellOfChat(basic.id)).toBeUndefined();
    expect((await s.services.groups.cellOfChat(upgraded.id))?.id).toBe(s.khe.cell.id);
    expect((await s.audit(s.khe.cell.id)).at(-1)).toMatchObject({
      action: 'group.migrate',
      actorId: 'telegram',
      detail: { from: basic.id, to: upgraded.id },
    });
    await s.send(groupCommandUpdate(s.people.tuan, upgraded, '/nhom'));
    expect(s.tg.calls.at(-1)?.payload.text).toBe(t('group.already', { cell: KHE }));

    await s.send(botMemberUpdate(s.people.tuan, upgraded, 'kicked'));
    expect((await s.cell(s.khe.cell.id))?.telegramGroupId).toBeUndefined();
    expect((await s.audit(s.khe.cell.id)).at(-1)).toMatchObject({ action: 'group.unbind.removed' });
  });
});

describe('answering from the group’s notice', () => {
  it('records each tapper’s own answer as a toast, refuses others, and never speaks in the group', async () => {
    const s = await setup();
    await s.send(groupCommandUpdate(s.people.tuan, group, '/nhom'));
    const from = s.tg.calls.length;
    const present = `a|${s.meeting.id}|p|`;

    await s.send(groupTapUpdate(s.people.sinh, group, present));
    await s.send(groupTapUpdate(s.people.giao, group, present));
    await s.send(groupTapUpdate(user(6999), group, present));
    await s.send(groupTapUpdate(s.people.sinh, group, 'a|../x|p|'));
    expect(s.callsAfter(from).map((c) => [c.method, c.payload.text])).toEqual([
      ['answerCallbackQuery', 'Đã ghi: Có mặt'],
      ['answerCallbackQuery', t('refuse.notMember')],
      ['answerCallbackQuery', t('refuse.notLinked')],
      ['answerCallbackQuery', t('refuse.invalid')],
    ]);
    const answers = await s.services.repos.meetings.answers(s.meeting.id);
    expect([...answers.keys()]).toEqual([await s.personId(s.people.sinh)]);

    // "Vắng" in the group: the reason is asked privately, and the group hears nothing.
    const before = s.tg.calls.length;
    await s.send(groupTapUpdate(s.people.mai, group, `r|${s.meeting.id}`));
    const [toast, asked, ...rest] = s.callsAfter(before);
    expect(toast).toMatchObject({
      method: 'answerCallbackQuery',
      payload: { text: t('group.reasonPrivately') },
    });
    expect(asked).toMatchObject({
      method: 'sendMessage',
      payload: { chat_id: s.people.mai.id, text: t('reason.ask') },
    });
    expect(rest).toEqual([]);
    const sick = ((asked?.payload.reply_markup as Keyboard | undefined)?.inline_keyboard ?? [])
      .flat()
      .find((b) => b.text === 'Ốm');
    await s.send(tapUpdate(s.people.mai, sick?.callback_data ?? ''));
    expect(
      (await s.services.repos.meetings.answer(s.meeting.id, await s.personId(s.people.mai)))?.reason,
    ).toBe('sick');
    expect(s.callsAfter(from).filter((c) => c.payload.chat_id === group.id)).toEqual([]);
  });
});
