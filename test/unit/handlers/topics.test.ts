import { describe, expect, it } from 'vitest';
import type { HandlerContext } from '../../../handlers/context.js';
import { handle } from '../../../handlers/index.js';
import { decodeIntent, encodeIntent, type Intent } from '../../../src/domain/intents.js';
import type { View } from '../../../src/domain/view.js';
import { t } from '../../../src/i18n.js';
import { keys } from '../../../src/store/keys.js';
import type { Cell, Person } from '../../../src/store/records.js';
import { world } from '../../support/world.js';

/** 1 March 2027, 08:00 in Hà Nội: the first day of the quarter's last month (journey 6). */
const MARCH_1 = '2027-03-01T01:00:00Z';
const ROSTER =
  'ho_ten,vai_tro,trang_thai\nNguyễn Văn Tuấn,Bí thư,Chính thức\nLò Văn Sinh,,\nHà Thị Mai,,\nLò Thị Cụ,,Miễn sinh hoạt\n';

async function setup(start = MARCH_1) {
  const w = world(undefined, start);
  const khe = await w.cell('Chi bộ thôn Khe Lếch', ROSTER);
  const school = await w.cell(
    'Chi bộ Trường THCS Tân An',
    'ho_ten,vai_tro\nPhạm Văn Giáo,Bí thư\nLò Văn Sinh,\n',
    { kind: 'public_service' },
  );
  // Thứ Sáu 05/03/2027 19:30 and Thứ Hai 05/04/2027 19:30 in Hà Nội.
  const march = await w.meeting(khe.cell, '2027-03-05T12:30:00Z', { place: 'Nhà văn hóa thôn' });
  const april = await w.meeting(khe.cell, '2027-04-05T12:30:00Z');
  const person = async (cell: Cell, name: string) => {
    const members = await w.services.repos.cells.members(cell.id);
    const people = await w.services.repos.people.getMany([...members.keys()]);
    const found = people.find((p) => p.name === name);
    if (!found) throw new Error(`${name} is not in ${cell.name}`);
    return found;
  };
  const tuan = await person(khe.cell, 'Nguyễn Văn Tuấn');
  const sinh = await person(khe.cell, 'Lò Văn Sinh');
  const giao = await person(school.cell, 'Phạm Văn Giáo');

  /** What a channel does: the intent in, views out; button intents travel through their 64-byte encoding. */
  async function as(actor: Person, intent: Intent, chatKind: 'private' | 'group' = 'private') {
    const travelled =
      intent.type === 'command' || intent.type === 'text' || 'note' in intent
        ? intent
        : decodeIntent(encodeIntent(intent));
    if (!travelled) throw new Error(`intent does not survive its encoding: ${JSON.stringify(intent)}`);
    const ctx: HandlerContext = {
      channel: 'telegram',
      userId: actor.id,
      displayName: actor.name,
      chatKind,
      actor,
      locale: 'vi',
      now: w.clock.now(),
      services: w.services,
      t: (key, params) => t(key, params, 'vi'),
    };
    return handle(ctx, travelled);
  }
  const command = (actor: Person, name: string, chatKind?: 'private' | 'group') =>
    as(actor, { type: 'command', name, args: '' }, chatKind);
  /** The audit entries of topic and checklist changes (the roster import has its own). */
  const audit = async (cellId: string) =>
    (await w.store.zrangeByScore(keys.cellAudit(cellId), 0, Number.MAX_SAFE_INTEGER))
      .map((e) => JSON.parse(e.member))
      .filter((e) => !String(e.action).startsWith('roster.'));
  return { ...w, khe, school, march, april, tuan, sinh, giao, as, command, audit };
}

const choicesOf = (view: View | undefined) => (view?.choices ?? []).flat();
const topicIntents = (view: View | undefined, action: string) =>
  choicesOf(view).flatMap((c) => (c.intent.type === 'topic' && c.intent.action === action ? [c.intent] : []));

describe('/chuyende: suggestions for a secretary’s cell', () => {
  it('offers three topics fitting a residential cell in March, each with why; more; a topic’s page; [Chọn]', async () => {
    const s = await setup();
    const [list] = await s.command(s.tuan, 'chuyende');
    expect(list?.text.split('\n')[0]).toBe('💡 Gợi ý chuyên đề cho Chi bộ thôn Khe Lếch (tháng 3/2027):');
    const shown = topicIntents(list, 'show').map((i) => i.arg ?? '');
    expect(shown).toHaveLength(3);
    const why = list?.text.split('\n').filter((l) => l.trim().startsWith('Vì sao:')) ?? [];
    expect(why).toHaveLength(3);
    for (const line of why) expect(line).toMatch(/phù hợp (mọi chi bộ|chi bộ thôn, bản, tổ dân phố)/);
    // March is in the first quarter: a seasonal reason names March or the quarter.
    expect(why.some((l) => /tháng 3|quý I\b/.test(l))).toBe(true);
    for (const id of shown) {
      const topic = s.services.topics.topic(id);
      expect(topic?.kinds).toContain('residential');
      expect(list?.text).toContain(topic?.title);
    }
    expect(new Set(shown.map((id) => s.services.topics.topic(id)?.category)).size).toBe(3);

    const [more] = topicIntents(list, 'more');
    const [next] = await s.as(s.tuan, more as Intent);
    const nextShown = topicIntents(next, 'show').map((i) => i.arg);
    expect(nextShown).toHaveLength(3);
    expect(nextShown.filter((id) => shown.includes(id ?? ''))).toEqual([]);

    const [page] = await s.as(s.tuan, topicIntents(next, 'show')[1] as Intent);
    const topic = s.services.topics.topic(nextShown[1] ?? '');
    expect(page?.text).toContain(topic?.summary);
    for (const q of topic?.questions ?? []) expect(page?.text).toContain(q);
    expect(topic?.questions.length).toBeGreaterThanOrEqual(3);
    expect(page?.text).toContain(
      'Khi chọn: buổi sinh hoạt thường kỳ Thứ Sáu, 05/03/2027, 19:30 sẽ thành buổi sinh hoạt thường kỳ kết hợp chuyên đề.',
    );
    const [choose] = topicIntents(page, 'choose');
    expect(choose?.arg).toBe(topic?.id);

    const [chosen] = await s.as(s.tuan, choose as Intent);
    expect(chosen?.text.split('\n')[0]).toBe(
      `✅ Đã chọn chuyên đề «${topic?.title}». Buổi sinh hoạt thường kỳ Thứ Sáu, 05/03/2027, 19:30 của Chi bộ thôn Khe Lếch chuyển thành buổi sinh hoạt thường kỳ kết hợp chuyên đề.`,
    );
    const meeting = await s.services.repos.meetings.get(s.march.id);
    expect(meeting).toMatchObject({
      kind: 'combined',
      topicId: topic?.id,
      topicTitle: topic?.title,
      version: s.march.version + 1,
    });
    // Recorded as used: the topic is no longer suggested, and its page is refused to a stale tap.
    expect((await s.services.topics.history(s.khe.cell.id)).map((u) => u.topicId)).toEqual([topic?.id]);
    const ranked = await s.services.topics.ranked(s.khe.cell);
    expect(ranked.map((r) => r.topic.id)).not.toContain(topic?.id);
    // Audited, with what changed.
    expect(await s.audit(s.khe.cell.id)).toContainEqual(
      expect.objectContaining({
        actorId: s.tuan.id,
        action: 'meeting.topic',
        subject: s.march.id,
        detail: expect.objectContaining({ topicId: topic?.id, kind: { from: 'regular', to: 'combined' } }),
      }),
    );
    // The same tap again changes nothing: no version bump, nobody told twice.
    const [again] = await s.as(s.tuan, choose as Intent);
    expect(again?.text).toContain('từ trước; không cần chọn lại');
    expect((await s.services.repos.meetings.get(s.march.id))?.version).toBe(s.march.version + 1);
    expect((await s.audit(s.khe.cell.id)).filter((e) => e.action === 'meeting.topic')).toHaveLength(1);
  });

  it('asks a secretary of several cells which cell first', async () => {
    const s = await setup();
    await s.services.repos.cells.setMembership(s.school.cell.id, s.tuan.id, {
      role: 'deputy_secretary',
      status: 'official',
    });
    const [pick] = await s.command(s.tuan, 'chuyende');
    expect(pick?.text).toBe(t('topics.pickCell'));
    expect(choicesOf(pick).map((c) => c.label)).toEqual([
      'Chi bộ thôn Khe Lếch',
      'Chi bộ Trường THCS Tân An',
    ]);
    const [schoolList] = await s.as(s.tuan, choicesOf(pick)[1]?.intent as Intent);
    expect(schoolList?.text.split('\n')[0]).toContain('Chi bộ Trường THCS Tân An');
    for (const i of topicIntents(schoolList, 'show'))
      expect(s.services.topics.topic(i.arg ?? '')?.kinds).toContain('public_service');
  });

  it('takes a title of the secretary’s own, and asks again when it is too long', async () => {
    const s = await setup();
    const [list] = await s.command(s.tuan, 'chuyende');
    const [own] = topicIntents(list, 'own');
    const [ask] = await s.as(s.tuan, own as Intent);
    expect(ask?.text).toBe(t('topics.own.ask', { max: 120 }));
    expect(ask?.awaitText).toEqual({ type: 'topic', action: 'own', cellId: s.khe.cell.id });

    const [tooLong] = await s.as(s.tuan, { ...(ask?.awaitText as Intent), note: 'x'.repeat(121) } as Intent);
    expect(tooLong?.text).toBe(t('topics.own.tooLong', { max: 120 }));
    expect(tooLong?.awaitText).toEqual(ask?.awaitText);
    expect((await s.services.repos.meetings.get(s.march.id))?.kind).toBe('regular');

    const title = 'Giữ gìn vệ sinh môi trường thôn sau mùa lũ';
    const [done] = await s.as(s.tuan, { ...(ask?.awaitText as Intent), note: title } as Intent);
    expect(done?.text).toContain(`«${title}»`);
    const meeting = await s.services.repos.meetings.get(s.march.id);
    expect(meeting).toMatchObject({ kind: 'combined', topicTitle: title });
    expect(meeting?.topicId).toBeUndefined();
    // A title of one's own is outside the library: it rests no category and blocks no topic.
    expect(await s.services.topics.history(s.khe.cell.id)).toEqual([]);
  });

  it('creates the thematic meeting at the day and time typed when the quarter has no meeting left', async () => {
    const s = await setup();
    await s.services.repos.meetings.save({ ...s.march, state: 'cancelled', version: 2 });
    const [list] = await s.command(s.tuan, 'chuyende');
    const [show] = topicIntents(list, 'show');
    const [page] = await s.as(s.tuan, show as Intent);
    expect(page?.text).toContain(t('topics.page.target.none'));
    const [ask] = await s.as(s.tuan, topicIntents(page, 'choose')[0] as Intent);
    expect(ask?.text).toBe(`${t('topics.date.noMeeting')}\n${t('topics.date.ask')}`);
    const waiting = ask?.awaitText as Intent;
    expect(waiting).toEqual({ type: 'topic', action: 'date', cellId: s.khe.cell.id, arg: show?.arg });

    for (const [words, error] of [
      ['hôm nay', 'missing_date'],
      ['20/3', 'missing_time'],
      ['30/2 19:30', 'no_such_day'],
      ['20/3 25:00', 'no_such_time'],
      ['20/3/2026 19:30', 'past'],
      ['20/3/2029 19:30', 'too_far'],
      ['20/3 19:30 hoặc 21:00', 'unreadable'],
    ] as const) {
      const [bad] = await s.as(s.tuan, { ...waiting, note: words } as Intent);
      expect(bad?.text.split('\n')[0], words).toBe(t(`topics.date.error.${error}`));
      expect(bad?.awaitText).toEqual(waiting);
    }
    const before = await s.services.repos.meetings.ofCell(s.khe.cell.id, 0, Number.MAX_SAFE_INTEGER);
    expect(before).toHaveLength(2);

    const [created] = await s.as(s.tuan, { ...waiting, note: '19 giờ 30 ngày 20/3' } as Intent);
    expect(created?.text.split('\n')[0]).toBe(
      `✅ Đã tạo buổi sinh hoạt chuyên đề của Chi bộ thôn Khe Lếch: Thứ Bảy, 20/03/2027, 19:30, tại Nhà văn hóa thôn, chuyên đề «${s.services.topics.topic(show?.arg ?? '')?.title}».`,
    );
    const meetings = await s.services.repos.meetings.ofCell(s.khe.cell.id, 0, Number.MAX_SAFE_INTEGER);
    const thematic = meetings.find((m) => m.kind === 'thematic');
    expect(thematic).toMatchObject({
      startsAt: Date.parse('2027-03-20T12:30:00Z'),
      state: 'planned',
      origin: 'manual',
      topicId: show?.arg,
    });
    expect(await s.audit(s.khe.cell.id)).toContainEqual(
      expect.objectContaining({ action: 'meeting.create_thematic', subject: thematic?.id }),
    );
    // Now the quarter has its thematic meeting: a next choice goes to it.
    expect((await s.services.topics.target(s.khe.cell)).kind).toBe('thematic');
  });

  it('asks the day and time for a title of one’s own too, keeping the title while it waits', async () => {
    const s = await setup();
    await s.services.repos.meetings.save({ ...s.march, state: 'cancelled', version: 2 });
    const title = 'Giữ gìn đường làng sạch đẹp';
    const [ask] = await s.as(s.tuan, { type: 'topic', action: 'own', cellId: s.khe.cell.id, note: title });
    expect(ask?.text).toBe(`${t('topics.date.noMeeting')}\n${t('topics.date.ask')}`);
    expect(ask?.awaitText).toEqual({ type: 'topic', action: 'date', cellId: s.khe.cell.id, title });
    const [created] = await s.as(s.tuan, { ...(ask?.awaitText as Intent), note: '27/3 8:00' } as Intent);
    expect(created?.text).toContain(`Thứ Bảy, 27/03/2027, 08:00, tại Nhà văn hóa thôn, chuyên đề «${title}»`);
    const meetings = await s.services.repos.meetings.ofCell(s.khe.cell.id, 0, Number.MAX_SAFE_INTEGER);
    expect(meetings.find((m) => m.kind === 'thematic')).toMatchObject({
      topicTitle: title,
      state: 'planned',
    });
  });

  it('refuses members, other cells’ secretaries, forged and stale taps, and group chats; nothing changes', async () => {
    const s = await setup();
    const [list] = await s.command(s.tuan, 'chuyende');
    const [show] = topicIntents(list, 'show');
    const choose: Intent = { ...(show as Extract<Intent, { type: 'topic' }>), action: 'choose' };

    expect(await s.command(s.sinh, 'chuyende')).toEqual([
      expect.objectContaining({ text: t('refuse.notSecretary') }),
    ]);
    expect(await s.as(s.sinh, choose)).toEqual([expect.objectContaining({ text: t('refuse.notSecretary') })]);
    // The school's secretary forges a tap naming Khe Lếch.
    expect(await s.as(s.giao, choose)).toEqual([expect.objectContaining({ text: t('refuse.notSecretary') })]);
    expect(await s.as(s.tuan, { ...choose, cellId: 'khongcochibo' })).toEqual([
      expect.objectContaining({ text: t('topics.refuse.noCell') }),
    ]);
    // A topic that does not exist, one for schools only, one out of season (19/5 in March): refused.
    for (const arg of ['khong-co-chu-de-nay', 'truong-hoc-an-toan-than-thien', 'thang-nam-nho-bac'])
      expect(await s.as(s.tuan, { ...choose, arg }), arg).toEqual([
        expect.objectContaining({ text: t('topics.refuse.notOffered') }),
      ]);
    expect(await s.as(s.tuan, { ...choose, action: 'more', arg: 'abc' })).toEqual([
      expect.objectContaining({ text: t('refuse.invalid') }),
    ]);
    expect(await s.command(s.tuan, 'chuyende', 'group')).toEqual([
      expect.objectContaining({ text: t('refuse.privateOnly') }),
    ]);
    expect(decodeIntent(`t|c|${s.khe.cell.id}|Chủ-đề`)).toBeUndefined();
    expect(decodeIntent(`t|x|${s.khe.cell.id}|a`)).toBeUndefined();
    expect(await s.services.repos.meetings.get(s.march.id)).toEqual(s.march);
    expect(await s.audit(s.khe.cell.id)).toEqual([]);
  });
});

describe('/chuanbi: the preparation checklist', () => {
  it('lists the HD 42 steps with what is done, and the agenda with the meeting’s facts', async () => {
    const s = await setup('2027-02-26T01:00:00Z');
    const { repos } = s.services;
    // Ông Lâm follows the cell and has registered to attend; one member answered; the notice reached three.
    const lam = repos.people.createOps('Lâm Văn Tỉnh', s.clock.now()).person;
    await s.store.write([
      repos.people.saveOp(lam),
      { op: 'sadd', key: keys.cellCommittee(s.khe.cell.id), members: [lam.id] },
      {
        op: 'hset',
        key: keys.meetingGuests(s.march.id),
        fields: { [lam.id]: JSON.stringify({ registeredAt: 1 }) },
      },
    ]);
    await s.services.attendance.recordAnswer(s.sinh.id, s.march.id, 'present');

    const [view] = await s.command(s.tuan, 'chuanbi');
    const lines = view?.text.split('\n') ?? [];
    expect(lines.slice(0, 3)).toEqual([
      '📋 Danh sách chuẩn bị — Sinh hoạt chi bộ thường kỳ, Chi bộ thôn Khe Lếch',
      'Thời gian: Thứ Sáu, 05/03/2027, 19:30',
      'Địa điểm: Nhà văn hóa thôn',
    ]);
    expect(lines).toContain(
      '⬜ 1. Phân công người chuẩn bị nội dung, dự thảo nghị quyết (nếu cần) — hạn 26/02/2027',
    );
    expect(lines).toContain(
      '⬜ 2. Chi ủy (hoặc bí thư, phó bí thư) họp thống nhất nội dung — hạn 28/02/2027',
    );
    expect(lines).toContain(
      '⬜ 3. Thông báo thời gian, địa điểm, nội dung đến đảng viên và cấp ủy viên cấp trên được phân công (Lâm Văn Tỉnh) — hạn 02/03/2027',
    );
    expect(lines).toContain(
      '⬜ 4. Đăng tài liệu lên Sổ tay đảng viên điện tử trước ngày họp ít nhất 1 ngày — hạn 04/03/2027',
    );
    // The exempt member is not expected; names of who answered are not here.
    expect(lines).toContain('Dự kiến dự họp: có mặt 1/3 · vắng 0 · chưa trả lời 2');
    expect(lines).toContain('Đại biểu cấp trên đã đăng ký dự (1): Lâm Văn Tỉnh');
    expect(view?.text).toContain('I. Khai mạc: tuyên bố lý do, giới thiệu đại biểu (Lâm Văn Tỉnh);');
    expect(view?.text).toContain('III. Bế mạc');
    expect(view?.text).not.toContain('Lò Văn Sinh');

    // The secretary ticks step 1; the notice goes out; a topic is chosen: the checklist shows all three.
    const [tick] = choicesOf(view);
    expect(tick?.label).toBe('✔ Xong bước 1: phân công chuẩn bị');
    const [ticked] = await s.as(s.tuan, tick?.intent as Intent);
    expect(ticked?.toast).toBe('Đã đánh dấu xong: phân công chuẩn bị');
    expect(ticked?.text).toContain(
      '✅ 1. Phân công người chuẩn bị nội dung, dự thảo nghị quyết (nếu cần) — xong ngày 26/02/2027',
    );
    expect(choicesOf(ticked)[0]?.label).toBe('↩ Bỏ đánh dấu bước 1: phân công chuẩn bị');
    await s.store.sadd(keys.meetingNotified(s.march.id), s.tuan.id, s.sinh.id, lam.id);
    s.clock.set(MARCH_1);
    const [list] = await s.command(s.tuan, 'chuyende');
    const [page] = await s.as(s.tuan, topicIntents(list, 'show')[0] as Intent);
    const [chosen] = await s.as(s.tuan, topicIntents(page, 'choose')[0] as Intent);
    const title = (await s.services.repos.meetings.get(s.march.id))?.topicTitle;
    const [fromChoice] = await s.as(s.tuan, choicesOf(chosen)[0]?.intent as Intent);
    const after = fromChoice?.text.split('\n') ?? [];
    expect(after[0]).toBe(
      '📋 Danh sách chuẩn bị — Sinh hoạt thường kỳ kết hợp chuyên đề, Chi bộ thôn Khe Lếch',
    );
    expect(after).toContain(`Chuyên đề: ${title}`);
    expect(after).toContain(
      '✅ 3. Thông báo thời gian, địa điểm, nội dung đến đảng viên và cấp ủy viên cấp trên được phân công (Lâm Văn Tỉnh) — đã gửi đến 2 đảng viên, 1 cấp ủy viên',
    );
    expect(after).toContain(
      '⚠️ 2. Chi ủy (hoặc bí thư, phó bí thư) họp thống nhất nội dung — quá hạn 28/02/2027, chưa đánh dấu xong',
    );
    expect(after).toContain(
      `    Chuyên đề «${title}»: đồng chí được phân công trình bày dự thảo → thảo luận → kết luận.`,
    );
    expect(await s.audit(s.khe.cell.id)).toContainEqual(
      expect.objectContaining({
        action: 'checklist.done',
        subject: s.march.id,
        detail: { step: 'assign_drafting' },
      }),
    );
  });

  it('the day after a meeting, prepares the next one (the roll call is /diemdanh’s)', async () => {
    const s = await setup('2027-03-06T02:00:00Z');
    const [view] = await s.command(s.tuan, 'chuanbi');
    expect(view?.text.split('\n')[1]).toBe('Thời gian: Thứ Hai, 05/04/2027, 19:30');
  });

  it('refuses a member, a forged tick from another cell’s secretary, and a malformed tick', async () => {
    const s = await setup();
    const tick: Intent = { type: 'checklist', meetingId: s.march.id, step: 'assign_drafting', done: true };
    expect(await s.command(s.sinh, 'chuanbi')).toEqual([
      expect.objectContaining({ text: t('refuse.notSecretary') }),
    ]);
    expect(await s.as(s.sinh, tick)).toEqual([expect.objectContaining({ text: t('refuse.notSecretary') })]);
    expect(await s.as(s.giao, tick)).toEqual([expect.objectContaining({ text: t('refuse.notSecretary') })]);
    expect(decodeIntent(`k|${s.march.id}|assign_drafting|x`)).toBeUndefined();
    expect(decodeIntent(`k|${s.march.id}|notice|1`)).toBeUndefined();
    expect(decodeIntent(`k|${s.march.id}|assign_drafting`)).toBeUndefined();
    expect(decodeIntent(`k|${s.march.id}||1`)).toBeUndefined();
    expect(await s.store.hgetall(keys.meetingChecklist(s.march.id))).toEqual({});
    expect(await s.audit(s.khe.cell.id)).toEqual([]);
  });
});
