import { describe, expect, it, vi } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { buttonsOf, harnessPerTest, type ShownMessage, telegramUser } from '../support/app-harness.js';
import { setUpCommune } from '../support/commune.js';

// Whole-app turns on a simulated clock: dozens of chat turns, each waiting for the bot to finish.
vi.setConfig({ testTimeout: 120_000 });

/**
 * Issue 15, point 7: at the roll call, those who never answered start "chưa điểm danh"; closing asks the secretary
 * to settle them (each, or all at once as absent without reason after one confirmation); the removal rule counts
 * settled states only. On Telegram (buttons) and Zalo (numbered replies).
 */
const start = harnessPerTest();
// Before the meeting of Thursday 05/11/2026 19:30, so the planner makes it.
const harness = (zalo = false) => start({ start: '2026-11-04T02:00:00Z', zalo });

const last = (reply: { messages: ShownMessage[]; edits: ShownMessage[] }) =>
  (reply.edits.at(-1) ?? reply.messages.at(-1)) as ShownMessage;
const label = (message: ShownMessage, part: string) =>
  buttonsOf(message).find((b) => b.text.includes(part))?.text ?? `(no button with ${part})`;

describe('the roll call settles those who never answered (Telegram)', () => {
  it('starts them "chưa điểm danh", asks to settle them at closing, marks all absent only after a confirmation, and never counts an unsettled member', async () => {
    const h = await harness();
    const c = await setUpCommune(h);
    const tuan = telegramUser(7001, 'Tuấn');
    await c.join('Nguyễn Văn Tuấn', tuan);

    // November: nobody answered the notice (only the secretary is linked).
    await h.advanceTo('2026-11-06T02:00:00Z');
    const sheet = (await h.say(tuan, '/diemdanh')).messages[0] as ShownMessage;
    expect(sheet.text.split('\n')).toContain('Còn 21 đồng chí chưa điểm danh.');
    expect(buttonsOf(sheet).map((b) => b.text)).toContain('Đinh Văn Quý: Chưa điểm danh');
    expect(buttonsOf(sheet).some((b) => b.text.includes('Vắng không lý do'))).toBe(false);

    // Closing does not close: it names who is left and offers each, or all at once.
    const settle = last(await h.tap(tuan, sheet, '✔ Chốt điểm danh'));
    expect(settle.text.split('\n')[0]).toMatch(
      /^Chưa chốt điểm danh: còn 21 đồng chí chưa điểm danh \(.*Đinh Văn Quý.*\)\.$/,
    );
    expect(settle.text).not.toContain('Lưu ý riêng');
    const november = (await h.services.repos.meetings.ofCell(c.khelech.id, 0, h.clock.now()))[0];
    const stillOpen = async (id: string) => {
      const meeting = await h.services.repos.meetings.get(id);
      expect(meeting?.state).toBe('planned');
      expect(meeting?.rollCallClosedAt).toBeUndefined();
      expect((await h.services.repos.meetings.rollCall(id)).size).toBe(0);
    };
    await stillOpen(november?.id ?? '');

    // All at once is a bulk change of records: one confirmation first, and going back changes nothing.
    const confirm = last(await h.tap(tuan, settle, 'Ghi 21 đồng chí là vắng không lý do'));
    expect(confirm.text).toMatch(
      /^Xác nhận ghi 21 đồng chí chưa điểm danh \(.*\) là «Vắng không lý do» và chốt điểm danh\?/,
    );
    expect(buttonsOf(confirm).map((b) => b.text)).toEqual([
      '✔ Xác nhận và chốt điểm danh',
      '↩️ Quay lại danh sách điểm danh',
    ]);
    const back = last(await h.tap(tuan, confirm, '↩️ Quay lại'));
    expect(back.text.split('\n')[0]).toBe(
      'Điểm danh — Sinh hoạt chi bộ thường kỳ, Thứ Năm, 05/11/2026, 19:30',
    );
    await stillOpen(november?.id ?? '');
    const closed = last(await h.tap(tuan, confirm, '✔ Xác nhận'));
    expect(closed.text).toMatch(/^Đã chốt điểm danh: có mặt 0\/21/);
    expect(closed.text).toContain('Đinh Văn Quý');
    const audit = await h.app.store.zrangeByScore(keys.cellAudit(c.khelech.id), 0, Number.POSITIVE_INFINITY);
    expect(audit.map((e) => JSON.parse(e.member).action)).toContain('rollcall.settle_all');

    // December: again nobody answered. Closing first warns nobody: the removal rule is not fed by members the
    // secretary has not settled, though each of them already has a month without reason this year.
    await h.advanceTo('2026-12-06T02:00:00Z');
    const december = (await h.say(tuan, '/diemdanh')).messages[0] as ShownMessage;
    const asked = last(await h.tap(tuan, december, '✔ Chốt điểm danh'));
    expect(asked.text).toMatch(/^Chưa chốt điểm danh: còn 21 đồng chí/);
    expect(asked.text).not.toContain('Lưu ý riêng');
    // Quý came after all: marked from the list of those left, one tap.
    const marked = last(await h.tap(tuan, asked, 'Đinh Văn Quý: Chưa điểm danh'));
    expect(buttonsOf(marked).map((b) => b.text)).toContain('Đinh Văn Quý: Có mặt');
    expect(marked.text).toContain('Còn 20 đồng chí chưa điểm danh.');
    const rest = last(await h.tap(tuan, marked, '✔ Chốt điểm danh'));
    const confirmRest = last(await h.tap(tuan, rest, label(rest, 'Ghi 20 đồng chí')));
    const done = last(await h.tap(tuan, confirmRest, '✔ Xác nhận'));
    expect(done.text).toMatch(/^Đã chốt điểm danh: có mặt 1\/21/);
    expect(done.text).toContain(
      'Lưu ý riêng: đồng chí Lò Văn Sinh đã có 2 tháng vắng không lý do trong năm 2026.',
    );
    expect(done.text).not.toContain('Đinh Văn Quý');
  });
});

describe('the roll call settles those who never answered (Zalo)', () => {
  it('a secretary on Zalo closes by numbered replies: the settle question, then the confirmation, then the close', async () => {
    const h = await harness(true);
    const c = await setUpCommune(h);
    await h.zaloSay('zalo-tuan', c.codes.get('Nguyễn Văn Tuấn') ?? '', 'Tuấn');
    await h.advanceTo('2026-11-06T02:00:00Z');

    /** The number a Zalo message gives the option containing `part`. */
    const numberOf = (text: string | undefined, part: string) => {
      const line = (text ?? '').split('\n').find((l) => /^\d+ = /.test(l) && l.includes(part));
      if (!line) throw new Error(`no numbered option "${part}" in:\n${text}`);
      return line.split(' ')[0] as string;
    };
    const [sheet] = await h.zaloSay('zalo-tuan', 'diem danh', 'Tuấn');
    expect(sheet).toContain('= Đinh Văn Quý: Chưa điểm danh');
    const [settle] = await h.zaloSay('zalo-tuan', numberOf(sheet, '✔ Chốt điểm danh'), 'Tuấn');
    expect(settle?.split('\n')[0]).toMatch(/^Chưa chốt điểm danh: còn 21 đồng chí chưa điểm danh/);
    const [confirm] = await h.zaloSay('zalo-tuan', numberOf(settle, 'Ghi 21 đồng chí'), 'Tuấn');
    expect(confirm?.split('\n').slice(-3)).toEqual([
      'Trả lời bằng số:',
      '1 = ✔ Xác nhận và chốt điểm danh',
      '2 = ↩️ Quay lại danh sách điểm danh',
    ]);
    const [november] = await h.services.repos.meetings.ofCell(c.khelech.id, 0, h.clock.now());
    expect((await h.services.repos.meetings.get(november?.id ?? ''))?.state).toBe('planned');
    const [closed] = await h.zaloSay('zalo-tuan', '1', 'Tuấn');
    expect(closed).toMatch(/^Đã chốt điểm danh: có mặt 0\/21/);
    expect((await h.services.repos.meetings.get(november?.id ?? ''))?.state).toBe('held');
  });
});
