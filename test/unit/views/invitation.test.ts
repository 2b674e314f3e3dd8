import { describe, expect, it } from 'vitest';
import { translate } from '../../../src/channels/conversation.js';
import type { Locale } from '../../../src/i18n.js';
import type { Answer, Cell, Meeting } from '../../../src/store/records.js';
import { invitationView } from '../../../src/views/attendance.js';

const cell: Cell = {
  id: 'c1',
  orgId: 'o1',
  name: 'Chi bộ thôn Khe Lếch',
  kind: 'residential',
  shift: 'next_working_day',
  meetsOnWeekends: false,
  place: 'Nhà văn hóa thôn',
  timeZone: 'Asia/Ho_Chi_Minh',
  createdAt: 0,
};
const meeting: Meeting = {
  id: 'm1',
  cellId: 'c1',
  kind: 'regular',
  startsAt: Date.UTC(2026, 11, 5, 12, 30),
  place: '',
  state: 'planned',
  origin: 'manual',
  version: 1,
  updatedAt: 0,
};
const words = (locale: Locale) => ({ locale, t: translate[locale] });

describe('the invitation’s text', () => {
  it('says each of its facts, whatever was worded before it (its texts are remembered)', () => {
    const variants: [string, Locale, Meeting, Cell, Answer | undefined, string[]][] = [
      [
        'asked',
        'vi',
        meeting,
        cell,
        undefined,
        ['Khe Lếch', 'Thứ Bảy, 05/12/2026, 19:30', 'Nhà văn hóa thôn'],
      ],
      ['present', 'vi', meeting, cell, { choice: 'present', at: 1 }, ['Có mặt']],
      ['absent, sick', 'vi', meeting, cell, { choice: 'absent', at: 1, reason: 'sick' }, ['Vắng — Ốm']],
      [
        'absent, own words',
        'vi',
        meeting,
        cell,
        { choice: 'absent', at: 1, reason: 'đi xa' },
        ['Vắng — đi xa'],
      ],
      ['in English', 'en', meeting, cell, undefined, ['Khe Lếch', 'Saturday']],
      ['its own place', 'vi', { ...meeting, place: 'Hội trường' }, cell, undefined, ['Hội trường']],
      ['a topic', 'vi', { ...meeting, topicTitle: 'Chuyên đề số 1' }, cell, undefined, ['Chuyên đề số 1']],
      ['later', 'vi', { ...meeting, startsAt: meeting.startsAt + 3_600_000 }, cell, undefined, ['20:30']],
      ['thematic', 'vi', { ...meeting, kind: 'thematic' }, cell, undefined, ['chuyên đề']],
      ['another cell', 'vi', meeting, { ...cell, name: 'Chi bộ thôn Nà Cọ' }, undefined, ['Nà Cọ']],
      // Free texts that would run together in a key made by joining them.
      ['name with a bar', 'vi', meeting, { ...cell, name: 'A|5:B', place: 'C' }, undefined, ['A|5:B', ': C']],
      [
        'place with a bar',
        'vi',
        meeting,
        { ...cell, name: 'A', place: '5:B|C' },
        undefined,
        ['— A\n', '5:B|C'],
      ],
    ];
    const texts = new Map<string, string>();
    for (const round of [0, 1])
      for (const [name, locale, m, c, answer, says] of round ? [...variants].reverse() : variants) {
        const text = invitationView(words(locale), m, c, answer).text;
        for (const fact of says) expect(text, name).toContain(fact);
        if (round) expect(text, name).toBe(texts.get(name));
        texts.set(name, text);
      }
    expect(new Set(texts.values()).size).toBe(variants.length);
  });
});
