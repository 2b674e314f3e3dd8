import { describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n.js';
import { createLogger } from '../../../src/logger.js';
import { keys } from '../../../src/store/keys.js';
import { auditOf } from '../../support/audit.js';
import { recordingBot, tapUpdate, textUpdate, user } from '../../support/telegram.js';
import { world } from '../../support/world.js';

const log = createLogger({ level: process.env.TEST_LOG ?? 'silent' });

const ROSTER = [
  'ho_ten;vai_tro;trang_thai',
  'Nguyễn Văn Tuấn;Bí thư;Chính thức',
  'Hoàng Thị Lan;Phó bí thư;Chính thức',
  'Lò Văn Sinh;;',
  'Hà Thị Mai;;',
  'Đinh Văn Quý;;',
  'Lò Thị Cụ;;Miễn sinh hoạt',
].join('\n');

type Keyboard = { inline_keyboard: { text: string; callback_data?: string }[][] };
const buttons = (markup: unknown) => (markup as Keyboard | undefined)?.inline_keyboard.flat() ?? [];
const button = (markup: unknown, label: string) => buttons(markup).find((b) => b.text.startsWith(label));

/** Khe Lếch with two secretaries and three members, all linked; the school with its own secretary. */
async function setup() {
  const w = world(undefined, '2026-11-26T03:00:00Z', { scheduler: true });
  const khe = await w.cell('Chi bộ thôn Khe Lếch', ROSTER);
  const school = await w.cell('Chi bộ Trường THCS Tân An', 'ho_ten,vai_tro\nPhạm Văn Giáo,Bí thư\n', {
    kind: 'public_service',
    place: 'Phòng họp nhà trường',
  });
  // Thứ Bảy 05/12/2026 19:30 in Hà Nội.
  const meeting = await w.meeting(khe.cell, '2026-12-05T12:30:00Z', { place: 'Nhà văn hóa thôn' });
  const tg = recordingBot({ services: w.services, store: w.store, log, now: w.clock.now });
  const send = (u: Parameters<typeof tg.bot.handleUpdate>[0]) => tg.bot.handleUpdate(u);
  const last = (method: string) => tg.calls.filter((c) => c.method === method).at(-1)?.payload;
  const people: Record<string, ReturnType<typeof user>> = {};
  let id = 6000;
  const link = async (name: string, code: string) => {
    people[name] = user(++id, name);
    await send(textUpdate(people[name], `/start ${code}`));
  };
  for (const name of ['Nguyễn Văn Tuấn', 'Hoàng Thị Lan', 'Lò Văn Sinh', 'Hà Thị Mai', 'Đinh Văn Quý'])
    await link(name, khe.code(name));
  await link('Phạm Văn Giáo', school.code('Phạm Văn Giáo'));
  const who = (name: string) => people[name] ?? user(0);
  const stored = async () => (await w.services.repos.meetings.get(meeting.id)) ?? meeting;
  return { ...w, addMeeting: w.meeting, khe, school, meeting, tg, send, last, who, stored };
}

describe('/hop: the next meeting for its secretaries', () => {
  it('shows kind, date and time, place and whether the notice went out, with the five choices', async () => {
    const s = await setup();
    await s.send(textUpdate(s.who('Nguyễn Văn Tuấn'), '/hop'));
    const view = s.last('sendMessage');
    expect(view?.text).toBe(
      [
        '📋 Cuộc họp tới — Chi bộ thôn Khe Lếch',
        'Loại: Sinh hoạt chi bộ thường kỳ',
        'Thời gian: Thứ Bảy, 05/12/2026, 19:30',
        'Địa điểm: Nhà văn hóa thôn',
        'Thông báo: chưa gửi',
      ].join('\n'),
    );
    expect(buttons(view?.reply_markup).map((b) => b.text)).toEqual([
      t('hop.button.time'),
      t('hop.button.place'),
      t('hop.button.kind'),
      t('hop.button.cancel'),
      t('hop.button.notice'),
    ]);
    for (const b of buttons(view?.reply_markup))
      expect(Buffer.byteLength(b.callback_data ?? '')).toBeLessThanOrEqual(64);
  });

  it('shows a secretary why a scheduled meeting is not on its rule’s day, in /hop and the tally', async () => {
    const s = await setup();
    // The school's first Friday, 05/02/2027, falls in the Tết break: its meeting is a week later.
    await s.addMeeting(s.school.cell, '2027-02-12T09:30:00Z', {
      origin: 'schedule',
      slot: Date.parse('2027-02-12T09:30:00Z'),
      shift: { from: '2027-02-05', holiday: 'Tết Nguyên đán Đinh Mùi', provisional: true },
    });
    const giao = s.who('Phạm Văn Giáo');
    const note = 'Ghi chú: dời từ Thứ Sáu 05/02 vì Tết Nguyên đán Đinh Mùi (dự kiến)';
    s.clock.set('2027-02-08T02:00:00Z');
    await s.send(textUpdate(giao, '/hop'));
    expect(String(s.last('sendMessage')?.text).split('\n').slice(2, 4)).toEqual([
      'Thời gian: Thứ Sáu, 12/02/2027, 16:30',
      note,
    ]);
    await s.send(textUpdate(giao, '/diemdanh'));
    expect(String(s.last('sendMessage')?.text).split('\n')[1]).toBe(note);
    await s.send(textUpdate(giao, '/chuanbi'));
    expect(String(s.last('sendMessage')?.text)).toContain(note);
    // Moved by hand, the meeting is no longer where the schedule put it: the note goes.
    const [meeting] = await s.services.repos.meetings.ofCell(s.school.cell.id, 0, Number.POSITIVE_INFINITY);
    const moved = await s.services.meetings.change(
      (await s.services.repos.people.byChannel('telegram', giao.id))?.id ?? '',
      meeting?.id ?? '',
      meeting?.version ?? 1,
      { kind: 'time', startsAt: Date.parse('2027-02-12T10:30:00Z') },
    );
    expect(moved.ok && moved.meeting.shift).toBe(undefined);
  });

  it('moves the meeting to a typed time; a phrase it cannot read or a past time changes nothing', async () => {
    const s = await setup();
    const tuan = s.who('Nguyễn Văn Tuấn');
    await s.send(textUpdate(tuan, '/hop'));
    await s.send(
      tapUpdate(tuan, button(s.last('sendMessage')?.reply_markup, t('hop.button.time'))?.callback_data ?? ''),
    );
    expect(s.last('sendMessage')?.text).toBe(t('hop.askTime'));

    await s.send(textUpdate(tuan, 'tối mai'));
    expect(s.last('sendMessage')?.text).toBe(
      [t('hop.error.unreadable', { text: 'tối mai' }), t('hop.askTime')].join('\n'),
    );
    await s.send(textUpdate(tuan, '25/11/2026 20:00'));
    expect(String(s.last('sendMessage')?.text)).toContain(t('hop.error.past', { text: '25/11/2026 20:00' }));
    await s.send(textUpdate(tuan, '31/11 20:00'));
    expect(String(s.last('sendMessage')?.text)).toContain(
      t('hop.error.no_such_day', { text: '31/11 20:00' }),
    );
    expect((await s.stored()).startsAt).toBe(s.meeting.startsAt);
    expect((await s.stored()).version).toBe(1);

    // The question stays open after a mistake: the corrected time needs no new tap.
    await s.send(textUpdate(tuan, '20:00'));
    const moved = await s.stored();
    expect(moved.startsAt).toBe(Date.parse('2026-12-05T13:00:00Z'));
    expect(moved.version).toBe(2);
    const reply = String(s.last('sendMessage')?.text);
    expect(reply).toContain('Đã đổi thời gian họp sang Thứ Bảy, 05/12/2026, 20:00.');
    expect(reply).toContain('Thời gian: Thứ Bảy, 05/12/2026, 20:00');
    const audit = await auditOf(s.store, s.khe.cell.id);
    expect(audit.filter((a) => a.action === 'meeting.move')).toEqual([
      expect.objectContaining({
        subject: s.meeting.id,
        actorId: (await s.services.repos.people.byChannel('telegram', tuan.id))?.id,
      }),
    ]);

    // Dates with and without the year, as typed.
    const v = (await s.stored()).version;
    await s.send(tapUpdate(tuan, `m|htime|${s.meeting.id}|${v}`));
    await s.send(textUpdate(tuan, '06/12 08:00'));
    expect((await s.stored()).startsAt).toBe(Date.parse('2026-12-06T01:00:00Z'));
    await s.send(tapUpdate(tuan, `m|htime|${s.meeting.id}|${v + 1}`));
    await s.send(textUpdate(tuan, '05/12/2026 19:30'));
    expect((await s.stored()).startsAt).toBe(s.meeting.startsAt);
  });

  it('changes the place from typed text; empty or over-long text is refused with the limit', async () => {
    const s = await setup();
    const tuan = s.who('Nguyễn Văn Tuấn');
    await s.send(tapUpdate(tuan, `m|hplace|${s.meeting.id}|1`));
    expect(s.last('sendMessage')?.text).toBe(t('hop.askPlace', { max: 120 }));
    await s.send(textUpdate(tuan, 'Hội trường '.repeat(12)));
    expect(String(s.last('sendMessage')?.text)).toContain(t('refuse.tooLong', { max: 120 }));
    expect((await s.stored()).place).toBe('Nhà văn hóa thôn');
    await s.send(textUpdate(tuan, '  Hội trường   UBND xã  '));
    expect((await s.stored()).place).toBe('Hội trường UBND xã');
    expect((await s.stored()).version).toBe(2);
    expect(String(s.last('sendMessage')?.text)).toContain('Địa điểm: Hội trường UBND xã');
    expect((await auditOf(s.store, s.khe.cell.id)).map((a) => a.action)).toContain('meeting.place');
  });

  it('changes the kind from three choices', async () => {
    const s = await setup();
    const lan = s.who('Hoàng Thị Lan'); // a deputy secretary may too
    await s.send(tapUpdate(lan, `m|hkind|${s.meeting.id}|1`));
    const choices = s.last('editMessageText');
    expect(choices?.text).toBe(t('hop.askKind'));
    expect(buttons(choices?.reply_markup).map((b) => b.text)).toEqual([
      `✓ ${t('meeting.kind.regular')}`,
      t('meeting.kind.thematic'),
      t('meeting.kind.combined'),
      t('hop.button.back'),
    ]);
    // "Quay lại" shows the meeting again, unchanged.
    await s.send(tapUpdate(lan, button(choices?.reply_markup, t('hop.button.back'))?.callback_data ?? ''));
    expect(String(s.last('editMessageText')?.text)).toContain(`Loại: ${t('meeting.kind.regular')}`);
    expect((await s.stored()).version).toBe(1);
    await s.send(
      tapUpdate(lan, button(choices?.reply_markup, t('meeting.kind.combined'))?.callback_data ?? ''),
    );
    expect((await s.stored()).kind).toBe('combined');
    expect(s.last('answerCallbackQuery')?.text).toBe(
      t('hop.kindChanged', { kind: t('meeting.kind.combined') }),
    );
    expect(String(s.last('editMessageText')?.text)).toContain(`Loại: ${t('meeting.kind.combined')}`);
  });

  it('cancels after a confirming tap, and audits it', async () => {
    const s = await setup();
    const tuan = s.who('Nguyễn Văn Tuấn');
    await s.send(tapUpdate(tuan, `m|hcancel|${s.meeting.id}|1`));
    const confirm = s.last('editMessageText');
    expect(confirm?.text).toBe(t('hop.confirmCancel', { when: 'Thứ Bảy, 05/12/2026, 19:30' }));
    expect((await s.stored()).state).toBe('planned');
    await s.send(
      tapUpdate(tuan, button(confirm?.reply_markup, t('hop.button.confirmCancel'))?.callback_data ?? ''),
    );
    expect((await s.stored()).state).toBe('cancelled');
    expect(s.last('editMessageText')?.text).toBe(
      [t('hop.cancelled', { when: 'Thứ Bảy, 05/12/2026, 19:30' }), t('hop.toldNobody')].join('\n'),
    );
    expect((await auditOf(s.store, s.khe.cell.id)).map((a) => a.action)).toContain('meeting.cancel');
    // The next /hop no longer offers the cancelled meeting.
    await s.send(textUpdate(tuan, '/hop'));
    expect(s.last('sendMessage')?.text).toBe(t('hop.none', { cell: 'Chi bộ thôn Khe Lếch' }));
  });

  it('sends the notice now, once, and says how many it reached', async () => {
    const s = await setup();
    const tuan = s.who('Nguyễn Văn Tuấn');
    await s.send(tapUpdate(tuan, `m|hnotice|${s.meeting.id}|`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('hop.notice.sent', { count: 5 }));
    const sent = (await s.scheduler?.deliver()) ?? [];
    expect(sent).toHaveLength(5); // the exempt elder has no account to reach
    expect(sent[0]?.text).toContain('Thời gian: Thứ Bảy, 05/12/2026, 19:30');
    await s.send(tapUpdate(tuan, `m|hnotice|${s.meeting.id}|`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('hop.notice.already_sent'));
    expect(await s.scheduler?.deliver()).toHaveLength(0);
    await s.send(textUpdate(tuan, '/hop'));
    expect(String(s.last('sendMessage')?.text)).toContain('Thông báo: đã gửi (5 đồng chí)');

    s.clock.set('2026-12-05T12:31:00Z');
    await s.send(tapUpdate(tuan, `m|hnotice|${s.meeting.id}|`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('hop.notice.not_open'));
  });

  it('lets a secretary of two cells pick the cell first', async () => {
    const s = await setup();
    // Anh Giáo is also Khe Lếch's secretary now.
    const giao = await s.services.repos.people.byChannel('telegram', s.who('Phạm Văn Giáo').id);
    await s.services.repos.cells.setMembership(s.khe.cell.id, giao?.id ?? '', {
      role: 'secretary',
      status: 'official',
    });
    await s.send(textUpdate(s.who('Phạm Văn Giáo'), '/hop'));
    const pick = s.last('sendMessage');
    expect(pick?.text).toBe(t('hop.pickCell'));
    expect(buttons(pick?.reply_markup).map((b) => b.text)).toEqual([
      'Chi bộ thôn Khe Lếch',
      'Chi bộ Trường THCS Tân An',
    ]);
    await s.send(
      tapUpdate(
        s.who('Phạm Văn Giáo'),
        button(pick?.reply_markup, 'Chi bộ thôn Khe Lếch')?.callback_data ?? '',
      ),
    );
    expect(String(s.last('sendMessage')?.text)).toContain('Thời gian: Thứ Bảy, 05/12/2026, 19:30');
    await s.send(
      tapUpdate(s.who('Phạm Văn Giáo'), button(pick?.reply_markup, 'Chi bộ Trường')?.callback_data ?? ''),
    );
    expect(s.last('sendMessage')?.text).toBe(t('hop.none', { cell: 'Chi bộ Trường THCS Tân An' }));
  });
});

describe('/hop refuses, changing nothing', () => {
  it('a member, an unlinked account, and another cell’s secretary with forged taps', async () => {
    const s = await setup();
    await s.send(textUpdate(s.who('Lò Văn Sinh'), '/hop'));
    expect(s.last('sendMessage')?.text).toBe(t('refuse.notSecretary'));
    await s.send(tapUpdate(s.who('Lò Văn Sinh'), `m|hcancelok|${s.meeting.id}|1`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.notSecretary'));
    await s.send(tapUpdate(user(9999), `m|hcancelok|${s.meeting.id}|1`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.notLinked'));

    const giao = s.who('Phạm Văn Giáo');
    await s.send(tapUpdate(giao, `m|htime|${s.meeting.id}|1`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.notSecretary'));
    await s.send(tapUpdate(giao, `m|hcancelok|${s.meeting.id}|1`));
    await s.send(tapUpdate(giao, `m|hnotice|${s.meeting.id}|`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.notSecretary'));
    // Naming Khe Lếch's cell in a forged /hop pick is refused too.
    await s.send(tapUpdate(giao, `c|hop|${s.khe.cell.id}`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.notSecretary'));

    const m = await s.stored();
    expect(m.state).toBe('planned');
    expect(m.version).toBe(1);
    expect(await auditOf(s.store, s.khe.cell.id)).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ action: expect.stringMatching(/^meeting\./) })]),
    );
    expect(await s.scheduler?.deliver()).toHaveLength(0);
  });

  it('forged callback data: a bad version, an unknown kind, an unknown action, another meeting ID', async () => {
    const s = await setup();
    const tuan = s.who('Nguyễn Văn Tuấn');
    for (const data of [
      `m|htime|${s.meeting.id}|x`,
      `m|hkind|${s.meeting.id}|1.party`,
      `m|hdrop|${s.meeting.id}|1`,
      `m|hcancelok|${s.meeting.id}|`,
    ]) {
      await s.send(tapUpdate(tuan, data));
      expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.invalid'));
    }
    await s.send(tapUpdate(tuan, 'm|hcancelok|nosuchmeeting|1'));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.notFound'));
    await s.send(tapUpdate(tuan, `m|hcancelok|${s.meeting.id}|1|extra|fields|${'x'.repeat(40)}`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.invalid'));
    expect(await s.stored()).toEqual(s.meeting);
  });

  it('stale buttons and a stale typed time after another secretary changed the meeting', async () => {
    const s = await setup();
    const tuan = s.who('Nguyễn Văn Tuấn');
    const lan = s.who('Hoàng Thị Lan');
    await s.send(tapUpdate(tuan, `m|htime|${s.meeting.id}|1`)); // Tuấn is asked for a time…
    await s.send(tapUpdate(lan, `m|hkind|${s.meeting.id}|1.thematic`)); // …while Lan changes the kind
    expect((await s.stored()).version).toBe(2);

    await s.send(textUpdate(tuan, '20:00'));
    expect(s.last('sendMessage')?.text).toBe(t('hop.refuse.stale'));
    await s.send(tapUpdate(tuan, `m|hcancelok|${s.meeting.id}|1`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('hop.refuse.stale'));
    await s.send(tapUpdate(lan, `m|hkind|${s.meeting.id}|1.combined`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('hop.refuse.stale'));
    const m = await s.stored();
    expect([m.kind, m.state, m.startsAt, m.version]).toEqual(['thematic', 'planned', s.meeting.startsAt, 2]);
  });

  it('two secretaries confirming at once: one change lands', async () => {
    const s = await setup();
    const [tuan, lan] = await Promise.all(
      ['Nguyễn Văn Tuấn', 'Hoàng Thị Lan'].map((n) =>
        s.services.repos.people.byChannel('telegram', s.who(n).id),
      ),
    );
    const results = await Promise.all([
      s.services.meetings.change(tuan?.id ?? '', s.meeting.id, 1, { kind: 'kind', meetingKind: 'thematic' }),
      s.services.meetings.change(lan?.id ?? '', s.meeting.id, 1, { kind: 'cancel' }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(['stale']);
    expect((await s.stored()).version).toBe(2);
  });

  it('a meeting that has started cannot be changed', async () => {
    const s = await setup();
    s.clock.set('2026-12-05T12:45:00Z');
    await s.send(textUpdate(s.who('Nguyễn Văn Tuấn'), '/hop'));
    const view = s.last('sendMessage');
    expect(String(view?.text)).toContain(t('hop.started'));
    expect(view?.reply_markup).toBeUndefined();
    await s.send(tapUpdate(s.who('Nguyễn Văn Tuấn'), `m|hcancelok|${s.meeting.id}|1`));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('hop.refuse.notOpen'));
    expect((await s.stored()).state).toBe('planned');
  });
});

describe('[Nhắc người chưa trả lời] in the tally', () => {
  it('reminds the convened members who have not answered, once per minute, and not after the start', async () => {
    const s = await setup();
    const tuan = s.who('Nguyễn Văn Tuấn');
    for (const name of ['Nguyễn Văn Tuấn', 'Hoàng Thị Lan', 'Lò Văn Sinh'])
      await s.send(tapUpdate(s.who(name), `a|${s.meeting.id}|p|`));
    await s.send(textUpdate(tuan, '/diemdanh'));
    const remind = button(s.last('sendMessage')?.reply_markup, t('tally.remind'));
    expect(remind?.callback_data).toBe(`m|remind|${s.meeting.id}|`);

    await s.send(tapUpdate(tuan, remind?.callback_data ?? ''));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('tally.reminded', { count: 2 }));
    const sent = (await s.scheduler?.deliver()) ?? [];
    expect(sent.map((m) => Number(m.chatId)).sort()).toEqual(
      [s.who('Hà Thị Mai').id, s.who('Đinh Văn Quý').id].sort(),
    );
    expect(sent[0]?.text).toContain(t('reminders.lead.follow_up'));

    // A double tap in the same minute sends nothing more.
    await s.send(tapUpdate(tuan, remind?.callback_data ?? ''));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('tally.remindAlready'));
    expect(await s.scheduler?.deliver()).toHaveLength(0);
    // A member cannot trigger it.
    await s.send(tapUpdate(s.who('Lò Văn Sinh'), remind?.callback_data ?? ''));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('refuse.notSecretary'));
    // Later, once more: only to whoever still has not answered.
    s.clock.advance(5 * 60_000);
    await s.send(tapUpdate(s.who('Hà Thị Mai'), `a|${s.meeting.id}|x|sick`));
    await s.send(tapUpdate(tuan, remind?.callback_data ?? ''));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('tally.reminded', { count: 1 }));
    expect((await s.scheduler?.deliver())?.map((m) => Number(m.chatId))).toEqual([s.who('Đinh Văn Quý').id]);

    s.clock.set('2026-12-05T12:31:00Z');
    await s.send(tapUpdate(tuan, remind?.callback_data ?? ''));
    expect(s.last('answerCallbackQuery')?.text).toBe(t('tally.remindClosed'));
    expect(await s.scheduler?.deliver()).toHaveLength(0);
  });
});

describe('/hop with the real scheduler (journey 7)', () => {
  const pendingOf = async (s: Awaited<ReturnType<typeof setup>>, meetingId: string) =>
    (await s.store.zrangeByScore(keys.remindersDue(), 0, Number.POSITIVE_INFINITY)).filter((e) =>
      e.member.startsWith(`${meetingId}.`),
    );

  it('moves a meeting from 19:30 to 20:00: the notified get the new time, and the reminders move with it', async () => {
    const s = await setup();
    await s.scheduler?.planner.replanMeeting(s.meeting.id);
    expect((await pendingOf(s, s.meeting.id)).every((e) => e.member.endsWith('.v1'))).toBe(true);
    // The notice goes out three days before.
    s.clock.set('2026-12-02T12:31:00Z');
    await s.scheduler?.dispatcher.tick();
    const notices = (await s.scheduler?.deliver()) ?? [];
    expect(notices).toHaveLength(5);

    const tuan = s.who('Nguyễn Văn Tuấn');
    await s.send(tapUpdate(tuan, `m|htime|${s.meeting.id}|1`));
    await s.send(textUpdate(tuan, '20:00'));
    expect(String(s.last('sendMessage')?.text)).toContain(t('hop.told', { count: 5 }));

    const changes = (await s.scheduler?.deliver()) ?? [];
    expect(changes.map((m) => m.chatId).sort()).toEqual(notices.map((m) => m.chatId).sort());
    for (const m of changes) {
      expect(m.text).toContain('có thay đổi');
      expect(m.text).toContain('Thời gian: Thứ Bảy, 05/12/2026, 20:00');
    }
    // No reminder of the old version is left; the follow-up keeps its hour, 17:00 the day before.
    const pending = await pendingOf(s, s.meeting.id);
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((e) => e.member.endsWith('.v2'))).toBe(true);
    expect(pending.find((e) => e.member.includes('.follow_up.'))?.score).toBe(
      Date.parse('2026-12-04T10:00:00Z'),
    );

    // At 17:00 the follow-up goes out naming 20:00, and nothing names 19:30 any more.
    s.clock.set('2026-12-04T10:01:00Z');
    await s.scheduler?.dispatcher.tick();
    const sent = (await s.scheduler?.deliver()) ?? [];
    expect(sent.filter((m) => m.text.includes('19:30'))).toEqual([]);
    const followUps = sent.filter((m) => m.text.includes(t('reminders.lead.follow_up')));
    expect(followUps).toHaveLength(5);
    expect(followUps[0]?.text).toContain('Thời gian: Thứ Bảy, 05/12/2026, 20:00');
  });

  it('cancels another month’s meeting: all who were notified are told, and no reminder for it goes out', async () => {
    const s = await setup();
    const january = await s.addMeeting(s.khe.cell, '2027-01-05T12:30:00Z');
    await s.scheduler?.planner.replanMeeting(january.id);
    const tuan = s.who('Nguyễn Văn Tuấn');
    await s.send(tapUpdate(tuan, `m|hnotice|${january.id}|`));
    const notified = (await s.scheduler?.deliver()) ?? [];
    expect(notified).toHaveLength(5);

    await s.send(tapUpdate(tuan, `m|hcancel|${january.id}|1`));
    await s.send(tapUpdate(tuan, `m|hcancelok|${january.id}|1`));
    expect(String(s.last('editMessageText')?.text)).toContain(t('hop.told', { count: 5 }));
    const told = (await s.scheduler?.deliver()) ?? [];
    expect(told.map((m) => m.chatId).sort()).toEqual(notified.map((m) => m.chatId).sort());
    for (const m of told)
      expect(m.text).toBe(
        '❌ Buổi sinh hoạt chi bộ thường kỳ của Chi bộ thôn Khe Lếch (Thứ Ba, 05/01/2027, 19:30) đã bị hủy.',
      );
    expect(await pendingOf(s, january.id)).toEqual([]);

    // Through the month and past the meeting: nothing more about it.
    for (const day of ['2026-12-29', '2027-01-02', '2027-01-04', '2027-01-05', '2027-01-06']) {
      s.clock.set(`${day}T12:00:00Z`);
      await s.scheduler?.dispatcher.tick();
      const sent = (await s.scheduler?.deliver()) ?? [];
      expect(sent.filter((m) => m.text.includes('05/01/2027'))).toEqual([]);
    }
  });
});
