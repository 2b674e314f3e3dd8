import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCalendar, readCalendar } from '../../../src/content/anniversaries.js';
import { ContentError } from '../../../src/content/problems.js';
import {
  checkCoverage,
  checkTopicLibrary,
  loadTopics,
  MIN_ELIGIBLE,
  MIN_TOPICS,
  MIN_WRITTEN_FOR_KIND,
  readTopics,
  TOPIC_LIMITS,
} from '../../../src/content/topics.js';
import { decodeIntent, encodeIntent, TOPIC_ACTIONS, type TopicAction } from '../../../src/domain/intents.js';
import { eligibleTopics, TOPIC_CATEGORIES, type Topic } from '../../../src/domain/topics.js';
import { CELL_KINDS } from '../../../src/domain/types.js';
import { Translator } from '../../../src/i18n.js';
import { PROJECT_ROOT } from '../../../src/paths.js';

const FIXTURES = join(PROJECT_ROOT, 'test/fixtures/topics');
const calendar = loadCalendar();

describe('the shipped topic library', () => {
  const { topics, problems } = readTopics(undefined, calendar);

  it('passes the schema and the cross-entry rules', () => {
    expect(problems).toEqual([]);
  });

  it(`holds at least ${MIN_TOPICS} topics over every category`, () => {
    expect(topics.length).toBeGreaterThanOrEqual(MIN_TOPICS);
    expect(new Set(topics.map((t) => t.category))).toEqual(new Set(TOPIC_CATEGORIES));
  });

  it(`writes at least ${MIN_WRITTEN_FOR_KIND} topics for each kind of cell, not only topics for every kind`, () => {
    for (const kind of CELL_KINDS) {
      const written = topics.filter((t) => t.kinds.length < CELL_KINDS.length && t.kinds.includes(kind));
      expect(written.length, kind).toBeGreaterThanOrEqual(MIN_WRITTEN_FOR_KIND);
    }
  });

  it('names, for every reference, the public pages its number, date and title were checked against', () => {
    for (const t of topics)
      for (const ref of t.references) {
        expect(ref.sources?.length, `${t.id}: ${ref.number ?? ref.title}`).toBeGreaterThan(0);
        for (const url of ref.sources ?? []) expect(url).toMatch(/^https?:\/\//);
      }
  });

  // The Congress resolution and the central resolutions in force: a cell may take them up in any month.
  const cites = (t: Topic, number: string) =>
    t.references.some((r) => (r.number ?? r.title).includes(number));
  it.each([
    'Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV',
    '57-NQ/TW',
    '59-NQ/TW',
    '66-NQ/TW',
    '68-NQ/TW',
    '70-NQ/TW',
    '71-NQ/TW',
    '72-NQ/TW',
    '79-NQ/TW',
    '80-NQ/TW',
  ])('offers a topic on %s to its cells in every month of the year', (number) => {
    const onIt = topics.filter((t) => cites(t, number));
    expect(onIt.length, number).toBeGreaterThan(0);
    const allYear = onIt.filter((t) =>
      t.kinds.every((kind) =>
        Array.from({ length: 12 }, (_, i) => ({ year: 2027, month: i + 1, day: 1 })).every((date) =>
          eligibleTopics([t], kind, date, calendar.anniversaries).includes(t),
        ),
      ),
    );
    expect(
      allYear.map((t) => t.id),
      number,
    ).not.toEqual([]);
  });

  it('cites the laws in force, not the ones they replaced, and no law before it takes effect', () => {
    const numbers = topics.flatMap((t) => t.references.map((r) => r.number ?? ''));
    expect(numbers).not.toContain('13/2023/NĐ-CP');
    expect(numbers).not.toContain('29/2018/QH14');
    const ai = topics.filter((t) => /trí tuệ nhân tạo/i.test(t.title));
    expect(ai.length).toBeGreaterThan(0);
    for (const t of ai)
      expect(
        t.references.map((r) => r.number),
        t.id,
      ).toContain('134/2025/QH15');
    // Luật An ninh mạng 116/2025/QH15 takes effect on 1/7/2026: a topic citing it says so.
    for (const t of topics.filter((t) => t.references.some((r) => r.number === '116/2025/QH15')))
      expect(t.summary, t.id).toContain('1/7/2026');
  });

  it('quotes the five standards of Quy định 144-QĐ/TW exactly where it lists them', () => {
    const standards = [
      'yêu nước, tôn trọng Nhân dân, tuyệt đối trung thành với Đảng, với Tổ quốc',
      'bản lĩnh, đổi mới, sáng tạo, hội nhập',
      'cần, kiệm, liêm, chính, chí công vô tư',
      'đoàn kết, kỷ cương, tình thương, trách nhiệm',
      'gương mẫu, khiêm tốn, tu dưỡng rèn luyện, học tập suốt đời',
    ];
    const [listing] = topics.filter((t) => t.id === 'chuan-muc-dao-duc-quy-dinh-144');
    for (const standard of standards) expect(listing?.summary).toContain(standard);
  });

  it('keeps every topic within one Zalo message', () => {
    for (const t of topics) {
      const page = [t.title, t.summary, ...t.questions].join('\n\n');
      expect(page.length, t.id).toBeLessThanOrEqual(TOPIC_LIMITS.whole);
    }
  });

  it.each([{ today: { year: 2026, month: 11, day: 26 } }, { today: { year: 2027, month: 1, day: 1 } }])(
    `offers every kind of cell at least ${MIN_ELIGIBLE} topics in every month from $today`,
    ({ today }) => {
      expect(checkCoverage(topics, calendar, today)).toEqual([]);
      for (let month = 1; month <= 12; month++)
        for (const kind of CELL_KINDS)
          expect(
            eligibleTopics(topics, kind, { year: 2027, month, day: 1 }, calendar.anniversaries).length,
            `${kind} in 2027-${month}`,
          ).toBeGreaterThanOrEqual(MIN_ELIGIBLE);
    },
  );

  it('is what content:check validates, with no problem today', () => {
    expect(checkTopicLibrary(undefined, { year: 2026, month: 11, day: 26 })).toEqual([]);
  });

  it('gives every topic an id that fits a button: any action, the longest cell id, within 64 bytes', () => {
    const cellId = 'z'.repeat(16);
    for (const topic of topics)
      for (const action of Object.keys(TOPIC_ACTIONS) as TopicAction[]) {
        const intent = { type: 'topic', action, cellId, arg: topic.id } as const;
        const data = encodeIntent(intent);
        expect(Buffer.byteLength(data), `${topic.id} ${action}`).toBeLessThanOrEqual(64);
        expect(decodeIntent(data)).toEqual(intent);
      }
  });

  it('ties several categories to 19/5, so May always has one the cell has rested', () => {
    const may = topics.filter(
      (t) => t.anniversaries.includes('ho-chi-minh-birthday') && t.kinds.length === 7,
    );
    expect(new Set(may.map((t) => t.category)).size).toBeGreaterThanOrEqual(5);
  });
});

describe('the anniversary calendar and themes', () => {
  it('loads without problems', () => {
    expect(readCalendar().problems).toEqual([]);
  });

  it('carries the anniversaries of domain.md', () => {
    const ids = calendar.anniversaries.map((a) => a.id);
    for (const id of [
      'first-general-election',
      'party-founding',
      'womens-day',
      'youth-union-founding',
      'hung-kings',
      'southern-liberation',
      'labour-day',
      'dien-bien-phu-victory',
      'ho-chi-minh-birthday',
      'ho-chi-minh-departure',
      'revolutionary-press-day',
      'war-invalids-martyrs-day',
      'trade-union-founding',
      'august-revolution',
      'public-security-day',
      'national-day',
      'ho-chi-minh-testament',
      'party-sector-days',
      'womens-union-founding',
      'national-unity-day',
      'teachers-day',
      'people-army-day',
      'national-defence-day',
    ])
      expect(ids).toContain(id);
    expect(calendar.anniversaries.find((a) => a.id === 'ho-chi-minh-birthday')).toMatchObject({
      day: 19,
      month: 5,
      year: 1890,
      major: true,
    });
  });

  it('has a "học tập và làm theo Bác" theme for every year from 2021 on', () => {
    for (let year = 2021; year <= 2030; year++)
      expect(
        calendar.themes.some((t) => t.fromYear <= year && (t.toYear ?? Infinity) >= year),
        String(year),
      ).toBe(true);
  });

  it('says of every theme whether it is official, with the page that says so, and calls none written here official', () => {
    for (const theme of calendar.themes) {
      expect(typeof theme.official, theme.id).toBe('boolean');
      expect(theme.source, theme.id).toMatch(/^https?:\/\//);
    }
    // From 2026 only an orientation is known, not a theme of the year: nothing ranks topics as «the theme».
    const current = calendar.themes.filter((t) => t.fromYear <= 2027 && (t.toYear ?? Infinity) >= 2027);
    expect(current.map((t) => [t.id, t.official])).toEqual([['practice-from-2026', false]]);
  });

  it('names the file and entry of each broken one', () => {
    const { problems } = readCalendar(join(FIXTURES, 'calendar-broken'));
    expect(problems).toEqual([
      {
        file: 'test/fixtures/topics/calendar-broken/anniversaries.json',
        path: '[1] (ngay-a).id',
        message: 'duplicate id, first at [0]',
      },
      {
        file: 'test/fixtures/topics/calendar-broken/anniversaries.json',
        path: '[2] (khong-co-ngay)',
        message: expect.stringContaining('needs a day'),
      },
      {
        file: 'test/fixtures/topics/calendar-broken/themes.json',
        path: '[0] (nam-nguoc).toYear',
        message: 'toYear is before fromYear',
      },
    ]);
  });
});

describe('a broken library is rejected, naming the file and the entry', () => {
  it.each([
    ['duplicate-id', 'b.yaml', 'topics[0] (trung-id).id', /duplicate id, first in .*a\.yaml at topics\[0\]/],
    ['duplicate-title', 'topics.yaml', 'topics[1] (thu-hai).title', /duplicate title/],
    ['unknown-kind', 'topics.yaml', 'topics[0] (sai-loai-chi-bo).kinds[1]', /residential/],
    ['unknown-category', 'topics.yaml', 'category', /ho_chi_minh/],
    [
      'unknown-anniversary',
      'topics.yaml',
      'topics[0] (ngay-khong-co).anniversaries[0]',
      /unknown anniversary/,
    ],
    ['unknown-theme', 'topics.yaml', 'topics[0] (chu-de-nam-la).themes[0]', /unknown theme/],
    ['missing-field', 'topics.yaml', 'topics[0] (thieu-tom-tat).summary', /is required/],
    ['too-long', 'topics.yaml', 'topics[0] (qua-dai).title', /at most 120/],
    ['too-long', 'topics.yaml', 'topics[0] (qua-dai).questions[1]', /at most 200/],
    [
      'reference-without-date',
      'topics.yaml',
      'topics[0] (van-ban-khong-ngay).references[0].date',
      /is required/,
    ],
    [
      'reference-after-valid-from',
      'topics.yaml',
      'topics[0] (truoc-van-ban).references[0].date',
      /after validFrom/,
    ],
    ['wrong-question-count', 'topics.yaml', 'topics[0] (hai-cau-hoi).questions', /3 to 5 questions/],
    [
      'reference-without-source',
      'topics.yaml',
      'topics[0] (van-ban-khong-nguon).references[0].sources',
      /is required/,
    ],
    ['one-sentence-summary', 'topics.yaml', 'topics[0] (mot-cau).summary', /2 to 4 sentences/],
    ['impossible-date', 'topics.yaml', 'topics[0] (ngay-sai).validFrom', /not a real date/],
    ['not-nfc', 'topics.yaml', 'topics[0] (to-hop-dau).title', /NFC/],
    ['duplicate-key', 'topics.yaml', '', /not valid YAML: duplicated mapping key at line 3, column 1/],
    [
      'long-id',
      'topics.yaml',
      'topics[0] (mot-ma-chu-de-qua-dai-khong-vua-nut-bam-telegram).id',
      /at most 40 characters, to fit in a button/,
    ],
  ])('%s: %s at %s', (fixture, file, path, message) => {
    const { problems } = readTopics(join(FIXTURES, fixture), calendar);
    expect(problems).toContainEqual({
      file: `test/fixtures/topics/${fixture}/${file}`,
      path,
      message: expect.stringMatching(message),
    });
  });

  it("reads a đảng bộ's own topics from local/ and holds them to the same rules, naming the local file", () => {
    const dir = join(FIXTURES, 'local-bad');
    const { topics, problems } = readTopics(dir, calendar);
    const local = 'test/fixtures/topics/local-bad/local/dang-bo-tan-an.yaml';
    expect(problems).toContainEqual({
      file: local,
      path: 'topics[0] (chu-de-cua-dang-bo).kinds[1]',
      message: expect.stringMatching(/residential/),
    });
    expect(problems).toContainEqual({
      file: local,
      path: 'topics[0] (chu-de-cua-dang-bo).references[0].sources',
      message: 'is required',
    });
    expect(problems).toContainEqual({
      file: local,
      path: 'topics[1] (chu-de-thu-vien).id',
      message: expect.stringMatching(/duplicate id, first in .*library\.yaml/),
    });
    expect(topics.map((t) => t.id)).toContain('chu-de-thu-vien');
  });

  it('fails content:check on a bad local topic, with its file and path', () => {
    const problems = checkTopicLibrary(join(PROJECT_ROOT, 'test/fixtures/content-local'), {
      year: 2027,
      month: 1,
      day: 1,
    });
    expect(problems).toContainEqual({
      file: 'test/fixtures/content-local/topics/local/rieng.yaml',
      path: 'topics[0] (chu-de-rieng).summary',
      message: 'must be 2 to 4 sentences',
    });
  });

  it('refuses to load such a library at start-up', () => {
    expect(() => loadTopics(join(FIXTURES, 'duplicate-id'), calendar)).toThrow(ContentError);
  });

  it(`reports a library below ${MIN_TOPICS} topics, each kind with fewer than ${MIN_WRITTEN_FOR_KIND} written for it, and each kind and month with fewer than ${MIN_ELIGIBLE}`, () => {
    const dir = join(FIXTURES, 'coverage-gap');
    const { topics, problems } = readTopics(dir, calendar);
    expect(problems).toEqual([]);
    const gaps = checkCoverage(topics, calendar, { year: 2026, month: 11, day: 26 }, dir);
    expect(gaps).toHaveLength(1 + CELL_KINDS.length + CELL_KINDS.length * 12);
    expect(gaps).toContainEqual({
      file: 'test/fixtures/topics/coverage-gap',
      path: 'coverage',
      message: `only 2 topic(s) current on 2026-11-26, the library needs at least ${MIN_TOPICS}`,
    });
    expect(gaps).toContainEqual({
      file: 'test/fixtures/topics/coverage-gap',
      path: 'coverage residential',
      message: `only 2 topic(s) written for this kind of cell (listing it, not every kind), needs ${MIN_WRITTEN_FOR_KIND}`,
    });
    expect(gaps).toContainEqual({
      file: 'test/fixtures/topics/coverage-gap',
      path: 'coverage residential 2027-03',
      message: `only 2 topic(s) offered (chi-cho-thon, cung-chi-cho-thon), needs ${MIN_ELIGIBLE}`,
    });
    expect(gaps).toContainEqual(
      expect.objectContaining({ path: 'coverage student 2026-11', message: expect.stringContaining('none') }),
    );
  });
});

describe('topic labels', () => {
  const translator = new Translator();
  it.each(['vi', 'en'] as const)('names every category and cell kind in %s', (locale) => {
    for (const category of TOPIC_CATEGORIES)
      expect(translator.has(`topics.category.${category}`, locale)).toBe(true);
    for (const kind of CELL_KINDS) expect(translator.has(`cellKind.${kind}`, locale)).toBe(true);
  });
});
