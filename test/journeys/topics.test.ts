import { afterEach, describe, expect, it, vi } from 'vitest';
import { t } from '../../src/i18n.js';
import { keys } from '../../src/store/keys.js';
import type { Meeting } from '../../src/store/records.js';
import { AppHarness, buttonsOf, type ShownMessage, telegramUser } from '../support/app-harness.js';
import { type Commune, setUpCommune } from '../support/commune.js';

// A journey lives through weeks of simulated time and dozens of chat turns.
vi.setConfig({ testTimeout: 120_000 });

/**
 * Journey 6 of ../shared/journeys.md and the topic flow on both channels, end to end: the whole app, fake Bot
 * APIs, a simulated clock. Khe Lếch meets on the 5th at 19:30 (weekends too): Thứ Sáu 05/03/2027.
 */
const harnesses: AppHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
});
async function harness(zalo = false) {
  const h = await AppHarness.start({ start: '2027-02-24T02:00:00Z', zalo });
  harnesses.push(h);
  return h;
}

const MARCH_5 = Date.parse('2027-03-05T12:30:00Z');
const WHEN = 'Thứ Sáu, 05/03/2027, 19:30';
const WHY = /^ {4}Vì sao: phù hợp (mọi chi bộ|chi bộ thôn, bản, tổ dân phố)/;

async function marchMeeting(h: AppHarness, commune: Commune): Promise<Meeting> {
  const [meeting] = await h.services.repos.meetings.ofCell(commune.khelech.id, MARCH_5, MARCH_5);
  if (!meeting) throw new Error('the 05/03 meeting is not planned');
  return meeting;
}

/** Ông Lâm follows Khe Lếch and has registered to attend (the visits feature records it so). */
async function registerLam(h: AppHarness, commune: Commune, meeting: Meeting) {
  const { people } = h.services.repos;
  const { person, ops } = people.createOps('Lâm Văn Tỉnh', h.clock.now());
  await h.app.store.write([
    ...ops,
    { op: 'sadd', key: keys.cellCommittee(commune.khelech.id), members: [person.id] },
    {
      op: 'hset',
      key: keys.meetingGuests(meeting.id),
      fields: { [person.id]: JSON.stringify({ registeredAt: h.clock.now() }) },
    },
  ]);
}

/** The suggestions' titles and reason lines, as the text lists them. */
function suggestionsIn(text: string) {
  const lines = text.split('\n');
  return lines.flatMap((line, i) =>
    line.startsWith('📘 ') ? [{ title: line.slice(3), why: lines[i + 1] ?? '' }] : [],
  );
}

const lastShown = (reply: { messages: ShownMessage[]; edits: ShownMessage[] }) =>
  reply.edits.at(-1) ?? (reply.messages.at(-1) as ShownMessage);

describe('journey 6: choosing a thematic topic (Telegram)', () => {
  it('gets the checklist at T−7; on 1 March three suggestions with why; more; a topic; [Chọn]: 05/03 becomes combined, and the checklist and notice show it', async () => {
    const h = await harness();
    const commune = await setUpCommune(h);
    const tuan = telegramUser(2001, 'Tuấn');
    const sinh = telegramUser(2002, 'Sinh');
    await commune.join('Nguyễn Văn Tuấn', tuan);
    await commune.join('Lò Văn Sinh', sinh);
    const meeting = await marchMeeting(h, commune);
    expect(meeting.kind).toBe('regular');
    await registerLam(h, commune, meeting);

    // Seven days before (26/02 19:30): the preparation checklist with the agenda and this meeting's facts.
    await h.advanceTo('2027-02-26T13:00:00Z');
    const [first] = h.inbox(tuan, 'Danh sách chuẩn bị');
    const firstLines = first?.text.split('\n') ?? [];
    expect(firstLines[0]).toBe(
      `📋 Chuẩn bị buổi sinh hoạt chi bộ thường kỳ của Chi bộ thôn Khe Lếch (${WHEN}): đồng chí phân công người chuẩn bị nội dung và dự thảo nghị quyết (nếu cần).`,
    );
    expect(firstLines).toContain(`Thời gian: ${WHEN}`);
    expect(firstLines).toContain('Địa điểm: Nhà văn hóa thôn Khe Lếch');
    expect(firstLines).toContain(
      '⬜ 4. Đăng tài liệu lên Sổ tay đảng viên điện tử trước ngày họp ít nhất 1 ngày — hạn 04/03/2027',
    );
    expect(firstLines).toContain('Dự kiến dự họp: có mặt 0/21 · vắng 0 · chưa trả lời 21');
    expect(firstLines).toContain('Đại biểu cấp trên đã đăng ký dự (1): Lâm Văn Tỉnh');
    expect(first?.text).toContain('III. Bế mạc');
    expect(h.inbox(sinh, 'Danh sách chuẩn bị')).toEqual([]);
    // He ticks step 1 on the message itself.
    const ticked = await h.tap(tuan, first as ShownMessage, '✔ Xong bước 1');
    expect(ticked.toast).toBe('Đã đánh dấu xong: phân công chuẩn bị');

    // 1 March, 08:00: no thematic meeting this quarter — the reminder, with three suggestions and why.
    await h.advanceTo('2027-03-01T02:00:00Z');
    const reminders = h.inbox(tuan, 'chưa có buổi sinh hoạt chuyên đề');
    expect(reminders).toHaveLength(1);
    const reminder = reminders[0] as ShownMessage;
    const suggested = suggestionsIn(reminder.text);
    expect(suggested).toHaveLength(3);
    for (const s of suggested) expect(s.why).toMatch(WHY);
    const buttons = buttonsOf(reminder).map((b) => b.text);
    expect(buttons.slice(3)).toEqual([t('topics.button.more'), t('topics.button.own')]);
    for (const [i, s] of suggested.entries())
      expect(s.title.startsWith(buttons[i]?.replace(/…$/, '') ?? '?')).toBe(true);
    const fits = await h.services.topics.ranked(commune.khelech);
    for (const s of suggested) {
      const topic = fits.find((f) => f.topic.title === s.title)?.topic;
      expect(topic?.kinds, s.title).toContain('residential');
    }

    // Xem thêm: three more; he reads one, with its summary and discussion questions, and chooses it.
    const more = lastShown(await h.tap(tuan, reminder, t('topics.button.more')));
    const next = suggestionsIn(more.text);
    expect(next).toHaveLength(3);
    expect(next.map((s) => s.title)).not.toContain(suggested[0]?.title);
    const pageReply = await h.tap(tuan, more, buttonsOf(more)[1]?.text ?? '?');
    const page = lastShown(pageReply);
    const topic = fits.find((f) => f.topic.title === next[1]?.title)?.topic;
    expect(page.text.split('\n')[0]).toBe(`📘 ${topic?.title}`);
    expect(page.text).toContain(topic?.summary);
    for (const q of topic?.questions ?? []) expect(page.text).toContain(q);
    expect(page.text).toContain(`Khi chọn: buổi sinh hoạt thường kỳ ${WHEN} sẽ thành`);
    const chosen = lastShown(await h.tap(tuan, page, t('topics.button.choose')));
    expect(chosen.text.split('\n')[0]).toBe(
      `✅ Đã chọn chuyên đề «${topic?.title}». Buổi sinh hoạt thường kỳ ${WHEN} của Chi bộ thôn Khe Lếch chuyển thành buổi sinh hoạt thường kỳ kết hợp chuyên đề.`,
    );

    // The 05/03 meeting is now combined, with that topic; the checklist shows it (and the ticked step).
    expect(await h.services.repos.meetings.get(meeting.id)).toMatchObject({
      kind: 'combined',
      topicId: topic?.id,
      topicTitle: topic?.title,
    });
    const checklist = lastShown(await h.tap(tuan, chosen, t('checklist.button.open')));
    const lines = checklist.text.split('\n');
    expect(lines[0]).toBe(
      '📋 Danh sách chuẩn bị — Sinh hoạt thường kỳ kết hợp chuyên đề, Chi bộ thôn Khe Lếch',
    );
    expect(lines).toContain(`Chuyên đề: ${topic?.title}`);
    expect(lines).toContain(
      `    Chuyên đề «${topic?.title}»: đồng chí được phân công trình bày dự thảo → thảo luận → kết luận.`,
    );
    expect(lines.find((l) => l.includes(' 1. Phân công'))?.startsWith('✅')).toBe(true);

    // The notice members get three days before names the combined meeting and its topic…
    await h.advanceTo('2027-03-02T13:00:00Z');
    const [notice] = h.inbox(sinh, WHEN);
    expect(notice?.text).toContain(
      'Kính mời đồng chí dự buổi sinh hoạt thường kỳ kết hợp chuyên đề — Chi bộ thôn Khe Lếch',
    );
    expect(notice?.text).toContain(`Chuyên đề: ${topic?.title}`);
    // …and /chuanbi now shows the notice as sent.
    const [onDemand] = (await h.say(tuan, '/chuanbi')).messages;
    expect(onDemand?.text).toContain('✅ 3. Thông báo');
    // Only Tuấn and Sinh are linked, and ông Lâm has no channel yet: the count says so.
    expect(onDemand?.text).toContain('đã gửi đến 2 đảng viên, 0 cấp ủy viên');
    // The quarter has its thematic meeting: a second reminder for it would not come (and did not).
    expect(h.inbox(tuan, 'chưa có buổi sinh hoạt chuyên đề')).toHaveLength(1);
  });

  it('refuses a member’s /chuyende and forged or stale topic taps; nothing changes', async () => {
    const h = await harness();
    const commune = await setUpCommune(h);
    const tuan = telegramUser(2001, 'Tuấn');
    const sinh = telegramUser(2002, 'Sinh');
    const nga = telegramUser(2003, 'Nga');
    await commune.join('Nguyễn Văn Tuấn', tuan);
    await commune.join('Lò Văn Sinh', sinh);
    await commune.join('Trần Thị Nga', nga);
    const meeting = await marchMeeting(h, commune);

    expect((await h.say(sinh, '/chuyende')).messages[0]?.text).toBe(t('refuse.notSecretary'));
    const [list] = (await h.say(tuan, '/chuyende')).messages;
    const show = buttonsOf(list as ShownMessage)[0]?.callback_data ?? '';
    const choose = show.replace(/^t\|s\|/, 't|c|');
    // A member, and the school's secretary, replay Tuấn's buttons: refused on the tap itself.
    expect((await h.tapData(sinh, choose)).toast).toBe(t('refuse.notSecretary'));
    expect((await h.tapData(nga, choose)).toast).toBe(t('refuse.notSecretary'));
    // A forged topic id and a mangled button: refused.
    expect((await h.tapData(tuan, choose.replace(/[^|]+$/, 'khong-co-chu-de-nay'))).toast).toBe(
      t('topics.refuse.notOffered'),
    );
    expect((await h.tapData(tuan, 't|c|')).toast).toBe(t('refuse.invalid'));
    expect(await h.services.repos.meetings.get(meeting.id)).toEqual(meeting);
  });
});

describe('topics on Zalo: numbered replies through the fake Zalo API', () => {
  it('suggestions, more, a topic, choose, the checklist; members already notified hear the topic', async () => {
    const h = await harness(true);
    const commune = await setUpCommune(h);
    const sinhChat = 'zalo-sinh';
    const tuanChat = 'zalo-tuan';
    await h.zaloSay(tuanChat, commune.codes.get('Nguyễn Văn Tuấn') ?? '', 'Tuấn');
    await h.zaloSay(sinhChat, commune.codes.get('Lò Văn Sinh') ?? '', 'Sinh');
    const meeting = await marchMeeting(h, commune);

    // The notice goes out first (02/03), then the secretary picks the topic (03/03).
    await h.advanceTo('2027-03-03T02:00:00Z');
    expect(h.zaloInbox(sinhChat, WHEN)).not.toEqual([]);

    const list = (await h.zaloSay(tuanChat, 'chuyên đề')).join('\n');
    const suggested = suggestionsIn(list);
    expect(suggested).toHaveLength(3);
    for (const s of suggested) expect(s.why).toMatch(WHY);
    expect(list).toContain('Trả lời bằng số:');
    expect(list).toContain(`4 = ${t('topics.button.more')}`);
    expect(list).toContain(`5 = ${t('topics.button.own')}`);

    const more = (await h.zaloSay(tuanChat, '4')).join('\n');
    const next = suggestionsIn(more);
    expect(next).toHaveLength(3);
    expect(next.map((s) => s.title)).not.toContain(suggested[0]?.title);

    const page = (await h.zaloSay(tuanChat, '3')).join('\n');
    const topic = h.services.topics.library.topics.find((x) => x.title === next[2]?.title);
    expect(page).toContain(topic?.summary);
    for (const q of topic?.questions ?? []) expect(page).toContain(q);
    expect(page).toContain(`1 = ${t('topics.button.choose')}`);

    const chosen = (await h.zaloSay(tuanChat, '1')).join('\n');
    expect(chosen).toContain(`✅ Đã chọn chuyên đề «${topic?.title}»`);
    expect(chosen).toContain('đồng chí đã nhận thông báo sẽ được báo về thay đổi này');
    expect(await h.services.repos.meetings.get(meeting.id)).toMatchObject({
      kind: 'combined',
      topicTitle: topic?.title,
    });

    const checklist = (await h.zaloSay(tuanChat, '1')).join('\n');
    expect(checklist).toContain(
      '📋 Danh sách chuẩn bị — Sinh hoạt thường kỳ kết hợp chuyên đề, Chi bộ thôn Khe Lếch',
    );
    expect(checklist).toContain(`Chuyên đề: ${topic?.title}`);
    expect(checklist).toContain('✅ 3. Thông báo');

    // Bà Sinh, already notified, hears of the change with the topic.
    await h.deliver();
    const change = h.zaloInbox(sinhChat, 'có thay đổi').at(-1)?.text ?? '';
    expect(change).toContain(
      'Buổi sinh hoạt thường kỳ kết hợp chuyên đề của Chi bộ thôn Khe Lếch có thay đổi',
    );
    expect(change).toContain(`Chuyên đề: ${topic?.title}`);

    // A member typing the command is refused.
    expect((await h.zaloSay(sinhChat, '/chuyende')).join('\n')).toContain(t('refuse.notSecretary'));
  });

  it('takes a title of the secretary’s own as typed text', async () => {
    const h = await harness(true);
    const commune = await setUpCommune(h);
    const tuanChat = 'zalo-tuan';
    await h.zaloSay(tuanChat, commune.codes.get('Nguyễn Văn Tuấn') ?? '', 'Tuấn');
    const meeting = await marchMeeting(h, commune);
    await h.advanceTo('2027-03-01T02:00:00Z');
    // The quarterly reminder reached him on Zalo, with its numbered choices.
    const reminder = h.zaloInbox(tuanChat, 'chưa có buổi sinh hoạt chuyên đề').at(-1)?.text ?? '';
    expect(suggestionsIn(reminder)).toHaveLength(3);
    expect(reminder).toContain(`5 = ${t('topics.button.own')}`);
    // Hours after the reminder a number is asked back with the choices again; right after, it is taken.
    const again = (await h.zaloSay(tuanChat, '5')).join('\n');
    expect(again.split('\n')[0]).toBe(t('zalo.expired', { reply: '5' }));
    expect(again).toContain(`5 = ${t('topics.button.own')}`);
    expect((await h.zaloSay(tuanChat, '5')).join('\n')).toBe(t('topics.own.ask', { max: 120 }));
    const title = 'Giữ gìn đường làng sạch đẹp sau mùa mưa';
    expect((await h.zaloSay(tuanChat, title)).join('\n')).toContain(`«${title}»`);
    expect(await h.services.repos.meetings.get(meeting.id)).toMatchObject({
      kind: 'combined',
      topicTitle: title,
    });
  });
});
