import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeIntent, encodeIntent, TOPIC_ACTIONS, type TopicAction } from '../../../handlers/intents.js';
import { loadCalendar, readCalendar } from '../../../src/content/anniversaries.js';
import { ContentError } from '../../../src/content/problems.js';
import {
  checkCoverage,
  checkTopicLibrary,
  loadTopics,
  MIN_ELIGIBLE,
  readTopics,
  TOPIC_LIMITS,
} from '../../../src/content/topics.js';
import { eligibleTopics, TOPIC_CATEGORIES } from '../../../src/domain/topics.js';
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

  it('holds at least 60 topics over every category', () => {
    expect(topics.length).toBeGreaterThanOrEqual(60);
    expect(new Set(topics.map((t) => t.category))).toEqual(new Set(TOPIC_CATEGORIES));
  });

  it('keeps every topic within one Zalo message', () => {
    for (const t of topics) {
      const page = [t.title, t.summary, ...t.questions].join('\n\n');
      expect(page.length, t.id).toBeLessThanOrEqual(TOPIC_LIMITS.whole);
    }
  });

  it.each([{ today: { year: 2026, month: 11, day: 26 } }, { today: { year: 2027, month: 1, day: 1 } }])(
    'offers every kind of cell at least 3 topics in every month from $today',
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
    ['one-sentence-summary', 'topics.yaml', 'topics[0] (mot-cau).summary', /2 to 4 sentences/],
    ['impossible-date', 'topics.yaml', 'topics[0] (ngay-sai).validFrom', /not a real date/],
    ['not-nfc', 'topics.yaml', 'topics[0] (to-hop-dau).title', /NFC/],
    ['duplicate-key', 'topics.yaml', '', /not valid YAML: Map keys must be unique/],
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

  it('refuses to load such a library at start-up', () => {
    expect(() => loadTopics(join(FIXTURES, 'duplicate-id'), calendar)).toThrow(ContentError);
  });

  it('reports each kind and month left with fewer than 3 topics', () => {
    const dir = join(FIXTURES, 'coverage-gap');
    const { topics, problems } = readTopics(dir, calendar);
    expect(problems).toEqual([]);
    const gaps = checkCoverage(topics, calendar, { year: 2026, month: 11, day: 26 }, dir);
    expect(gaps).toHaveLength(CELL_KINDS.length * 12);
    expect(gaps).toContainEqual({
      file: 'test/fixtures/topics/coverage-gap',
      path: 'coverage residential 2027-03',
      message: 'only 2 topic(s) offered (chi-cho-thon, cung-chi-cho-thon), needs 3',
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
