import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bundled } from '../support/bundle.js';

/** `npm run calendar`, spawned as an admin runs it; its last line is the machine-readable plan. */
function calendar(...args: string[]) {
  const run = spawnSync(...bundled('calendar', ...args), {
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
  });
  const lines = run.stdout.trimEnd().split('\n');
  return { status: run.status, stderr: run.stderr, lines, json: JSON.parse(lines.at(-1) ?? '{}') };
}

describe('npm run calendar', () => {
  it('prints the meetings with each move and its reason, then one JSON object', () => {
    const out = calendar('ngày 5 hằng tháng 19:30', '--from', '2026-12', '--months', '3');
    expect(out.status).toBe(0);
    expect(out.lines.slice(0, -1)).toEqual([
      'Lịch sinh hoạt thường kỳ: ngày 5 hằng tháng, 19:30; trùng ngày nghỉ thì dời sang ngày làm việc sau, trong cùng tháng.',
      '• Thứ Hai, 07/12/2026, 19:30 — dời từ Thứ Bảy 05/12 vì trùng ngày nghỉ cuối tuần',
      '• Thứ Ba, 05/01/2027, 19:30',
      '• Thứ Năm, 11/02/2027, 19:30 — dời từ Thứ Sáu 05/02 vì Tết Nguyên đán Đinh Mùi (dự kiến)',
    ]);
    expect(out.json).toEqual({
      phrase: 'ngày 5 hằng tháng 19:30',
      occurrences: [
        {
          local: '2026-12-07 19:30',
          nominal: '2026-12-05',
          reason: 'dời từ Thứ Bảy 05/12 vì trùng ngày nghỉ cuối tuần',
        },
        { local: '2027-01-05 19:30', nominal: '2027-01-05', reason: null },
        {
          local: '2027-02-11 19:30',
          nominal: '2027-02-05',
          reason: 'dời từ Thứ Sáu 05/02 vì Tết Nguyên đán Đinh Mùi (dự kiến)',
        },
      ],
    });
  });

  it('follows --holiday and --weekends as a cell’s options would', () => {
    const keep = calendar(
      'ngày 5 hằng tháng 19:30',
      '--from',
      '2027-02',
      '--months',
      '1',
      '--holiday',
      'keep',
    );
    expect(keep.json.occurrences).toEqual([
      { local: '2027-02-05 19:30', nominal: '2027-02-05', reason: null },
    ]);
    const back = calendar(
      'ngày cuối tháng 16:00',
      '--from',
      '2027-01',
      '--months',
      '1',
      '--holiday',
      'previous',
    );
    expect(back.json.occurrences).toEqual([
      {
        local: '2027-01-29 16:00',
        nominal: '2027-01-31',
        reason: 'dời từ Chủ nhật 31/01 vì trùng ngày nghỉ cuối tuần',
      },
    ]);
    const weekends = calendar('ngày 5 hằng tháng 19:30', '--from', '2026-12', '--months', '1', '--weekends');
    expect(weekends.lines[0]).toContain('họp cả cuối tuần');
    expect(weekends.json.occurrences).toEqual([
      { local: '2026-12-05 19:30', nominal: '2026-12-05', reason: null },
    ]);
  });

  it('plans a lunar rule per lunar month, the leap month too, and notes an unusual hour', () => {
    const fullMoon = calendar('rằm hằng tháng 19h', '--from', '2028-06', '--months', '2');
    // 15/5 Mậu Thân, then 15/5 nhuận: the leap month has its own meeting.
    expect(fullMoon.json.occurrences.map((o: { nominal: string }) => o.nominal)).toEqual([
      '2028-06-07',
      '2028-07-07',
    ]);
    const early = calendar('ngày 5 hằng tháng 2 giờ', '--from', '2027-03', '--months', '1');
    expect(early.lines[1]).toBe(
      'Lưu ý: giờ họp 02:00 nằm ngoài khoảng 06:00–22:00; khi đặt lịch cho chi bộ, bot sẽ hỏi lại để xác nhận.',
    );
  });

  it('prints the bot’s message for a phrase it refuses, and exits 1; a bad flag exits 2', () => {
    const refused = calendar('hai tuần một lần');
    expect(refused.status).toBe(1);
    expect(refused.lines[0]).toMatch(
      /^Chi bộ sinh hoạt thường kỳ mỗi tháng một lần; «hai tuần một lần» không dùng được/,
    );
    expect(refused.json).toMatchObject({
      phrase: 'hai tuần một lần',
      error: { code: 'not_monthly' },
      occurrences: [],
    });
    const bad = spawnSync(...bundled('calendar', 'ngày 5 19h', '--holiday', 'soon'), {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--holiday must be keep, next or previous.');
  });
});
