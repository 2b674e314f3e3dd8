import { describe, expect, it } from 'vitest';
import { encodeIntent } from '../../../src/domain/intents.js';
import type { View } from '../../../src/domain/view.js';
import { t } from '../../../src/i18n.js';
import { createLogger } from '../../../src/logger.js';
import { keys } from '../../../src/store/keys.js';
import { auditOf } from '../../support/audit.js';
import { recordingBot, tapUpdate, textUpdate, user } from '../../support/telegram.js';
import { world } from '../../support/world.js';

const log = createLogger({ level: process.env.TEST_LOG ?? 'silent' });

type Keyboard = { inline_keyboard: { text: string; callback_data?: string }[][] };
const buttons = (markup: unknown) => (markup as Keyboard | undefined)?.inline_keyboard.flat() ?? [];
const button = (markup: unknown, label: string) => buttons(markup).find((b) => b.text.startsWith(label));
/** The callback data of a choice in a view the outbox sent. */
const choiceData = (view: View | undefined, label: string) =>
  encodeIntent(view?.choices?.flat().find((c) => c.label === label)?.intent ?? { type: 'join' });

async function setup(options: { scheduler?: boolean } = { scheduler: true }) {
  const w = world(undefined, '2026-11-26T03:00:00Z', options);
  const khe = await w.cell(
    'Chi bộ thôn Khe Lếch',
    'ho_ten,vai_tro\nNguyễn Văn Tuấn,Bí thư\nHoàng Thị Lan,Phó bí thư\nLò Văn Sinh,\n',
  );
  const school = await w.cell('Chi bộ Trường THCS Tân An', 'ho_ten,vai_tro\nPhạm Văn Giáo,Bí thư\n');
  const company = await w.cell('Chi bộ Công ty chè Tân An', 'ho_ten,vai_tro\nTrần Văn Chè,Bí thư\n');
  const tg = recordingBot({ services: w.services, store: w.store, log, now: w.clock.now });
  const send = (u: Parameters<typeof tg.bot.handleUpdate>[0]) => tg.bot.handleUpdate(u);
  const last = (method: string) => tg.calls.filter((c) => c.method === method).at(-1)?.payload;
  const people: Record<string, ReturnType<typeof user>> = {};
  let id = 7000;
  for (const [name, cell] of [
    ['Nguyễn Văn Tuấn', khe],
    ['Hoàng Thị Lan', khe],
    ['Lò Văn Sinh', khe],
    ['Phạm Văn Giáo', school],
  ] as const) {
    people[name] = user(++id, name);
    await send(textUpdate(people[name], `/start ${cell.code(name)}`));
  }
  const who = (name: string) => people[name] ?? user(0);
  const deliver = async () => (await w.scheduler?.deliver()) ?? [];
  /** A stranger's three steps: the offer, the cell, the name. */
  async function ask(from: ReturnType<typeof user>, cellName: string, name: string) {
    await send(textUpdate(from, '/start'));
    await send(
      tapUpdate(from, button(last('sendMessage')?.reply_markup, t('join.button.ask'))?.callback_data ?? ''),
    );
    await send(tapUpdate(from, button(last('editMessageText')?.reply_markup, cellName)?.callback_data ?? ''));
    await send(textUpdate(from, name));
  }
  return { ...w, khe, school, company, tg, send, last, who, deliver, ask };
}

describe('joining a cell without a code', () => {
  it('picks the cell by name, gives the full name; each secretary is asked; the first to accept makes a member', async () => {
    const s = await setup();
    const hang = user(8001, 'Hằng');
    await s.send(textUpdate(hang, '/start'));
    expect(s.last('sendMessage')?.text).toBe(t('start.noCode'));
    const offer = button(s.last('sendMessage')?.reply_markup, t('join.button.ask'));
    expect(offer?.callback_data).toBe('j|');

    await s.send(tapUpdate(hang, offer?.callback_data ?? ''));
    const list = s.last('editMessageText');
    expect(list?.text).toBe(t('join.pickCell'));
    // Cell names only, in Vietnamese order.
    expect(buttons(list?.reply_markup).map((b) => b.text)).toEqual([
      'Chi bộ Công ty chè Tân An',
      'Chi bộ thôn Khe Lếch',
      'Chi bộ Trường THCS Tân An',
    ]);
    await s.send(tapUpdate(hang, button(list?.reply_markup, 'Chi bộ thôn Khe Lếch')?.callback_data ?? ''));
    expect(s.last('editMessageText')?.text).toBe(
      t('join.askName', { cell: 'Chi bộ thôn Khe Lếch', max: 80 }),
    );
    await s.send(textUpdate(hang, '  Vũ   Thị  Hằng '));
    expect(s.last('sendMessage')?.text).toBe(
      t('join.sent', { name: 'Vũ Thị Hằng', cell: 'Chi bộ thôn Khe Lếch' }),
    );

    // Both of Khe Lếch's secretaries are asked, privately; nobody else.
    const asked = await s.deliver();
    expect(asked.map((m) => Number(m.chatId)).sort()).toEqual([
      s.who('Nguyễn Văn Tuấn').id,
      s.who('Hoàng Thị Lan').id,
    ]);
    const question = asked[0]?.view;
    expect(question?.text).toBe(
      t('join.secretary.ask', { name: 'Vũ Thị Hằng', cell: 'Chi bộ thôn Khe Lếch', channel: 'Telegram' }),
    );
    const approve = choiceData(question, t('join.button.approve'));
    const refuse = choiceData(question, t('join.button.refuse'));

    await s.send(tapUpdate(s.who('Hoàng Thị Lan'), approve));
    expect(s.last('editMessageText')?.text).toBe(
      t('join.done.approved', { name: 'Vũ Thị Hằng', cell: 'Chi bộ thôn Khe Lếch' }),
    );
    const person = await s.services.repos.people.byChannel('telegram', hang.id);
    expect(person?.name).toBe('Vũ Thị Hằng');
    expect(await s.services.repos.cells.membership(s.khe.cell.id, person?.id ?? '')).toEqual({
      role: 'member',
      status: 'official',
    });
    const audit = await auditOf(s.store, s.khe.cell.id);
    expect(audit.filter((a) => a.action === 'join.approve')).toEqual([
      expect.objectContaining({ detail: { personId: person?.id } }),
    ]);
    expect(await s.deliver()).toEqual([
      expect.objectContaining({
        chatId: String(hang.id),
        text: t('join.requester.approved', { name: 'Vũ Thị Hằng', cell: 'Chi bộ thôn Khe Lếch' }),
      }),
    ]);

    // The other secretary's tap comes second: told, nothing changes, nobody is messaged.
    await s.send(tapUpdate(s.who('Nguyễn Văn Tuấn'), refuse));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('join.decided.approved', { name: 'Vũ Thị Hằng' }));
    expect(await s.services.repos.cells.membership(s.khe.cell.id, person?.id ?? '')).toBeDefined();
    expect(await s.deliver()).toEqual([]);

    // She is a member now: her own invite code cannot link anyone else.
    const stranger = user(8002);
    await s.send(textUpdate(stranger, `/start ${person?.inviteCode}`));
    expect(s.last('sendMessage')?.text).toBe(t('start.usedCode'));
    await s.send(textUpdate(hang, '/trogiup'));
    expect(s.last('sendMessage')?.text).toBe(
      [
        t('help.section.member'),
        `/lich — ${t('help.command.lich')}`,
        `/kenh — ${t('help.command.kenh')}`,
        `/trogiup — ${t('help.command.trogiup')}`,
      ].join('\n'),
    );
  });

  it('a refusal tells the requester; one open request per account, and a pause after a refusal', async () => {
    const s = await setup();
    const hang = user(8001, 'Hằng');
    await s.ask(hang, 'Chi bộ thôn Khe Lếch', 'Vũ Thị Hằng');
    expect(s.last('sendMessage')?.text).toBe(
      t('join.sent', { name: 'Vũ Thị Hằng', cell: 'Chi bộ thôn Khe Lếch' }),
    );
    const question = (await s.deliver())[0]?.view;

    // A second request while the first is open is refused at the first tap.
    await s.send(tapUpdate(hang, 'j|'));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('join.refuse.pending'));
    await s.send(tapUpdate(hang, `j|${s.school.cell.id}`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('join.refuse.pending'));
    expect(await s.deliver()).toEqual([]);

    await s.send(tapUpdate(s.who('Nguyễn Văn Tuấn'), choiceData(question, t('join.button.refuse'))));
    expect(s.last('editMessageText')?.text).toBe(t('join.done.refused', { name: 'Vũ Thị Hằng' }));
    expect(await s.deliver()).toEqual([
      expect.objectContaining({
        chatId: String(hang.id),
        text: t('join.requester.refused', { name: 'Vũ Thị Hằng', cell: 'Chi bộ thôn Khe Lếch' }),
      }),
    ]);
    expect(await s.services.repos.people.byChannel('telegram', hang.id)).toBeUndefined();
    expect((await auditOf(s.store, s.khe.cell.id)).map((a) => a.action)).toContain('join.refuse');
    // An approval after the refusal is "already decided".
    await s.send(tapUpdate(s.who('Hoàng Thị Lan'), choiceData(question, t('join.button.approve'))));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('join.decided.refused', { name: 'Vũ Thị Hằng' }));
    expect(await s.services.repos.people.byChannel('telegram', hang.id)).toBeUndefined();

    await s.send(tapUpdate(hang, 'j|'));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('join.refuse.refusedRecently'));
  });

  it('two secretaries deciding at once: one decision holds', async () => {
    const s = await setup();
    const hang = user(8001, 'Hằng');
    await s.ask(hang, 'Chi bộ thôn Khe Lếch', 'Vũ Thị Hằng');
    const question = (await s.deliver())[0]?.view;
    const [tuan, lan] = await Promise.all(
      ['Nguyễn Văn Tuấn', 'Hoàng Thị Lan'].map((n) =>
        s.services.repos.people.byChannel('telegram', s.who(n).id),
      ),
    );
    const requestId = choiceData(question, t('join.button.approve')).split('|')[1] ?? '';
    const compose = { answerRequester: () => ({ text: 'answer' }) };
    const results = await Promise.all([
      s.services.joins.decide(tuan ?? ({} as never), requestId, true, compose),
      s.services.joins.decide(lan ?? ({} as never), requestId, false, compose),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => r.reason)).toEqual(['decided']);
    expect(await s.deliver()).toHaveLength(1);
  });

  it('refuses forged, foreign and stale taps, over-long and empty names, changing nothing', async () => {
    const s = await setup();
    const hang = user(8001, 'Hằng');
    // A cell ID that is not one.
    await s.send(tapUpdate(hang, 'j|nosuchcell'));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.invalid'));
    // A name too long, then one with no letters: asked again each time, nothing sent.
    await s.send(tapUpdate(hang, `j|${s.khe.cell.id}`));
    await s.send(textUpdate(hang, 'Vũ Thị Hằng '.repeat(8)));
    expect(s.last('sendMessage')?.text).toBe(
      [t('refuse.tooLong', { max: 80 }), t('join.askName', { cell: 'Chi bộ thôn Khe Lếch', max: 80 })].join(
        '\n',
      ),
    );
    await s.send(textUpdate(hang, '??'));
    expect(String(s.last('sendMessage')?.text)).toContain(t('join.badName', { min: 2 }));
    expect(await s.deliver()).toEqual([]);
    expect(await s.store.get(keys.joinOpen('telegram', String(hang.id)))).toBeUndefined();
    await s.send(textUpdate(hang, 'Vũ Thị Hằng'));
    const question = (await s.deliver())[0]?.view;
    const approve = choiceData(question, t('join.button.approve'));

    // Not a secretary of that cell: a member of it, and another cell's secretary.
    await s.send(tapUpdate(s.who('Lò Văn Sinh'), approve));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.notSecretary'));
    await s.send(tapUpdate(s.who('Phạm Văn Giáo'), approve));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.notSecretary'));
    // The requester approving their own request has no account to do it with.
    await s.send(tapUpdate(hang, approve));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.notLinked'));
    // Forged request IDs and data.
    await s.send(tapUpdate(s.who('Nguyễn Văn Tuấn'), 'jd|nosuchrequest|y'));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('join.notFound'));
    await s.send(tapUpdate(s.who('Nguyễn Văn Tuấn'), `${approve.slice(0, -1)}maybe`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.invalid'));
    expect(await s.services.repos.people.byChannel('telegram', hang.id)).toBeUndefined();
    expect(await s.deliver()).toEqual([]);

    // Someone already linked has nothing to ask.
    await s.send(tapUpdate(s.who('Lò Văn Sinh'), 'j|'));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('join.refuse.linked'));
  });

  it('a requester who links with a code meanwhile: the approval lapses, no second person', async () => {
    const s = await setup();
    const hang = user(8001, 'Hằng');
    await s.ask(hang, 'Chi bộ thôn Khe Lếch', 'Vũ Thị Hằng');
    const question = (await s.deliver())[0]?.view;
    // Meanwhile the admin puts her on the roster and she links with her own code.
    await s.roster.importRoster(s.khe.cell, 'ho_ten\nVũ Thị Hằng\n', 'test');
    const code = (await s.roster.invites(s.khe.cell.id)).find((i) => i.name === 'Vũ Thị Hằng')?.code;
    await s.send(textUpdate(hang, `/start ${code}`));
    expect(s.last('sendMessage')?.text).toBe(t('start.welcome', { name: 'Vũ Thị Hằng' }));
    const linked = await s.services.repos.people.byChannel('telegram', hang.id);
    const members = (await s.services.repos.cells.members(s.khe.cell.id)).size;

    await s.send(tapUpdate(s.who('Nguyễn Văn Tuấn'), choiceData(question, t('join.button.approve'))));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('join.decided.lapsed', { name: 'Vũ Thị Hằng' }));
    expect((await s.services.repos.cells.members(s.khe.cell.id)).size).toBe(members);
    expect((await s.services.repos.people.byChannel('telegram', hang.id))?.id).toBe(linked?.id);
    expect(await s.deliver()).toEqual([]);
  });

  it('a cell whose secretaries the bot cannot reach: told to go in person; no request is left open', async () => {
    const s = await setup();
    const hang = user(8001, 'Hằng');
    await s.ask(hang, 'Chi bộ Công ty chè Tân An', 'Vũ Thị Hằng');
    expect(s.last('sendMessage')?.text).toBe(t('join.noSecretary', { cell: 'Chi bộ Công ty chè Tân An' }));
    expect(await s.deliver()).toEqual([]);
    await s.ask(hang, 'Chi bộ thôn Khe Lếch', 'Vũ Thị Hằng');
    expect(s.last('sendMessage')?.text).toBe(
      t('join.sent', { name: 'Vũ Thị Hằng', cell: 'Chi bộ thôn Khe Lếch' }),
    );
  });

  it('typing anything without a code offers to join, on help', async () => {
    const s = await setup({});
    await s.send(textUpdate(user(8003), 'xin chào'));
    expect(s.last('sendMessage')?.text).toBe(t('start.noCode'));
    expect(button(s.last('sendMessage')?.reply_markup, t('join.button.ask'))?.callback_data).toBe('j|');
  });
});
