import { describe, expect, it } from 'vitest';
import {
  type Anniversary,
  addMonths,
  type CalendarDate,
  describeReasons,
  isWithinMonths,
  rankTopics,
  type SuggestInput,
  suggestTopics,
  type Topic,
  type TopicUse,
  type YearTheme,
} from '../../../src/domain/topics.js';
import { CELL_KINDS } from '../../../src/domain/types.js';
import { Translator } from '../../../src/i18n.js';

const anniversaries: Anniversary[] = [
  {
    id: 'party-founding',
    name: 'ngày thành lập Đảng Cộng sản Việt Nam',
    day: 3,
    month: 2,
    year: 1930,
    major: true,
  },
  { id: 'labour-day', name: 'ngày Quốc tế Lao động', day: 1, month: 5, year: 1886, major: false },
  {
    id: 'ho-chi-minh-birthday',
    name: 'ngày sinh Chủ tịch Hồ Chí Minh',
    day: 19,
    month: 5,
    year: 1890,
    major: true,
  },
  { id: 'hung-kings', name: 'Giỗ Tổ Hùng Vương', month: 4, lunar: { day: 10, month: 3 }, major: false },
];
const themes: YearTheme[] = [
  { id: 'old', title: 'Chủ đề cũ', fromYear: 2021, toYear: 2025, official: true },
  { id: 'practice', title: 'Thực hành', fromYear: 2026, official: true },
  { id: 'written-here', title: 'Định hướng ghi lại ở đây', fromYear: 2026, official: false },
];

function topic(id: string, fields: Partial<Topic> = {}): Topic {
  return {
    id,
    title: `Chủ đề ${id}`,
    category: 'party_building',
    kinds: CELL_KINDS,
    months: [],
    anniversaries: [],
    themes: [],
    validFrom: '2020-01-01',
    summary: 'Câu một. Câu hai.',
    questions: ['Một?', 'Hai?', 'Ba?'],
    references: [{ title: 'Văn bản', issuer: 'Bộ Chính trị', date: '2020-01-01' }],
    ...fields,
  };
}

const may2027: CalendarDate = { year: 2027, month: 5, day: 10 };
const input = (topics: Topic[], fields: Partial<SuggestInput> = {}): SuggestInput => ({
  topics,
  cell: { kind: 'residential' },
  date: may2027,
  history: [],
  anniversaries,
  themes,
  ...fields,
});
const ids = (input: SuggestInput) => rankTopics(input).map((s) => s.topic.id);

describe('hard filters', () => {
  it('offers only topics written for the cell’s kind', () => {
    const topics = [
      topic('thon', { kinds: ['residential'] }),
      topic('truong', { kinds: ['public_service'] }),
    ];
    expect(ids(input(topics))).toEqual(['thon']);
    expect(ids(input(topics, { cell: { kind: 'public_service' } }))).toEqual(['truong']);
  });

  it('never offers a topic before its document exists or after it lapses', () => {
    const topics = [
      topic('chua-co', { validFrom: '2027-05-11' }),
      topic('vua-co', { validFrom: '2027-05-10' }),
      topic('het-han', { validUntil: '2027-05-09' }),
      topic('con-han', { validUntil: '2027-05-10' }),
    ];
    expect(ids(input(topics)).sort()).toEqual(['con-han', 'vua-co']);
  });

  it('never repeats a topic within 24 months, either side of the date', () => {
    const topics = [topic('a'), topic('b', { category: 'tradition' })];
    const used = (date: CalendarDate): TopicUse[] => [{ topicId: 'a', date }];
    expect(ids(input(topics, { history: used({ year: 2025, month: 5, day: 11 }) }))).toEqual(['b']);
    expect(ids(input(topics, { history: used({ year: 2027, month: 6, day: 1 }) }))).toEqual(['b']);
    expect(ids(input(topics, { history: used({ year: 2025, month: 5, day: 10 }) }))).toContain('a');
  });

  it('offers a seasonal topic only in the quarter of its months or anniversaries', () => {
    const topics = [
      topic('thang-5', { anniversaries: ['ho-chi-minh-birthday'] }),
      topic('gio-to', { anniversaries: ['hung-kings'] }),
      topic('mua-bao', { months: [7, 8] }),
      topic('quanh-nam'),
    ];
    expect(ids(input(topics)).sort()).toEqual(['gio-to', 'quanh-nam', 'thang-5']);
    expect(ids(input(topics, { date: { year: 2027, month: 9, day: 1 } })).sort()).toEqual([
      'mua-bao',
      'quanh-nam',
    ]);
  });

  it('offers a topic marked all year in every month, its anniversary only ranking it in its season', () => {
    const topics = [
      topic('nghi-quyet', { category: 'law_administration', anniversaries: ['labour-day'], allYear: true }),
      topic('mua-vu', { category: 'tradition', anniversaries: ['labour-day'] }),
    ];
    for (let month = 1; month <= 12; month++)
      expect(ids(input(topics, { date: { year: 2027, month, day: 10 } })), `month ${month}`).toContain(
        'nghi-quyet',
      );
    expect(ids(input(topics, { date: { year: 2027, month: 11, day: 10 } }))).toEqual(['nghi-quyet']);
    const score = (month: number) =>
      rankTopics(input(topics, { date: { year: 2027, month, day: 10 } })).find(
        (s) => s.topic.id === 'nghi-quyet',
      )?.score;
    expect(score(5)).toBe(4);
    expect(score(11)).toBe(0);
  });
});

describe('ranking', () => {
  it('puts a category the cell used within 12 months after every other category', () => {
    const topics = [
      topic('bac', {
        category: 'ho_chi_minh',
        anniversaries: ['ho-chi-minh-birthday'],
        themes: ['practice'],
      }),
      topic('chung', { category: 'tradition' }),
    ];
    const history: TopicUse[] = [
      { topicId: 'khac', category: 'ho_chi_minh', date: { year: 2026, month: 8, day: 1 } },
    ];
    expect(ids(input(topics, { history }))).toEqual(['chung', 'bac']);
    // …but still offers it when no other category is left
    expect(ids(input([topics[0] as Topic], { history }))).toEqual(['bac']);
    // and a year to the day later it is rested
    expect(ids(input(topics, { history, date: { year: 2027, month: 8, day: 1 } }))).toEqual(['chung']);
  });

  it('takes a used topic’s category from the library when the history does not say', () => {
    const topics = [topic('a', { category: 'tradition' }), topic('b', { category: 'tradition' }), topic('c')];
    const history: TopicUse[] = [{ topicId: 'a', date: { year: 2027, month: 2, day: 1 } }];
    expect(ids(input(topics, { history }))).toEqual(['c', 'b']);
  });

  it('scores the month’s anniversary above the quarter’s, and a great national day above others', () => {
    const topics = [
      topic('gio-to', { category: 'tradition', anniversaries: ['hung-kings'] }),
      topic('lao-dong', { category: 'culture_society', anniversaries: ['labour-day'] }),
      topic('sinh-nhat-bac', { category: 'ho_chi_minh', anniversaries: ['ho-chi-minh-birthday'] }),
      topic('quanh-nam', { category: 'environment' }),
    ];
    const ranked = rankTopics(input(topics));
    expect(ranked.map((s) => [s.topic.id, s.score])).toEqual([
      ['sinh-nhat-bac', 6],
      ['lao-dong', 4],
      ['gio-to', 2],
      ['quanh-nam', 0],
    ]);
  });

  it('prefers a topic written for the kind, and one serving this year’s theme', () => {
    const topics = [
      topic('chung', { category: 'tradition' }),
      topic('cho-thon', { category: 'environment', kinds: ['residential'] }),
      topic('chu-de-nam', { category: 'ideology', themes: ['practice'] }),
      topic('chu-de-cu', { category: 'law_administration', themes: ['old'] }),
    ];
    expect(ids(input(topics))).toEqual(['chu-de-nam', 'cho-thon', 'chu-de-cu', 'chung']);
  });

  it('neither ranks by nor names as the year’s theme one that is not official', () => {
    const topics = [
      topic('dinh-huong', { category: 'ideology', themes: ['written-here'] }),
      topic('chung', { category: 'tradition' }),
    ];
    const ranked = rankTopics(input(topics));
    expect(ranked.map((s) => [s.topic.id, s.score])).toEqual([
      ['chung', 0],
      ['dinh-huong', 0],
    ]);
    expect(ranked.flatMap((s) => s.reasons).filter((r) => r.code === 'theme')).toEqual([]);
  });

  it('gives every suggestion its reasons: the kind, then the weightiest anniversary first', () => {
    const [best] = rankTopics(
      input([
        topic('bac', {
          kinds: ['residential'],
          anniversaries: ['ho-chi-minh-birthday', 'labour-day'],
          themes: ['practice'],
        }),
      ]),
    );
    expect(best?.reasons).toEqual([
      { code: 'kind', kind: 'residential', targeted: true },
      { code: 'anniversary', id: 'ho-chi-minh-birthday', month: 5, inMonth: true, years: 137 },
      { code: 'anniversary', id: 'labour-day', month: 5, inMonth: true, years: 141 },
      { code: 'theme', id: 'practice', year: 2027 },
    ]);
  });

  it('breaks ties the same way whatever the order of its input', () => {
    const topics = ['e', 'a', 'd', 'b', 'c'].map((id, i) =>
      topic(id, {
        category: i % 2 ? 'tradition' : 'environment',
        validFrom: i < 2 ? '2024-01-01' : '2020-01-01',
      }),
    );
    const history: TopicUse[] = [
      { topicId: 'x', category: 'tradition', date: { year: 2024, month: 1, day: 1 } },
    ];
    const once = ids(input(topics, { history }));
    expect(ids(input([...topics].reverse(), { history }))).toEqual(once);
    // never-used category first, then newer documents, then id — but a page of three shows two categories
    expect(once).toEqual(['e', 'a', 'c', 'd', 'b']);
  });

  it('shows different categories on a page when the same tier has them, keeping rested ones behind', () => {
    const topics = [
      topic('bac-1', { category: 'ho_chi_minh', anniversaries: ['ho-chi-minh-birthday'] }),
      topic('bac-2', { category: 'ho_chi_minh', anniversaries: ['ho-chi-minh-birthday'] }),
      topic('bac-3', { category: 'ho_chi_minh', anniversaries: ['ho-chi-minh-birthday'] }),
      topic('lao-dong', { category: 'culture_society', anniversaries: ['labour-day'] }),
      topic('nghi', { category: 'tradition', themes: ['practice'] }),
    ];
    // Without history: the three best are all about Bác, yet the page shows one of each category first.
    expect(ids(input(topics))).toEqual(['bac-1', 'lao-dong', 'nghi', 'bac-2', 'bac-3']);
    // A category used within 12 months never moves ahead of a rested one to vary the page.
    const history: TopicUse[] = [
      { topicId: 'khac', category: 'tradition', date: { year: 2027, month: 1, day: 1 } },
    ];
    expect(ids(input(topics, { history }))).toEqual(['bac-1', 'lao-dong', 'bac-2', 'bac-3', 'nghi']);
  });
});

describe('suggestTopics', () => {
  const topics = ['a', 'b', 'c', 'd', 'e'].map((id) => topic(id));
  it('returns the top 3, then the next 3 for [Xem thêm]', () => {
    const first = suggestTopics(input(topics));
    expect(first.suggestions.map((s) => s.topic.id)).toEqual(['a', 'b', 'c']);
    expect(first.hasMore).toBe(true);
    const more = suggestTopics(input(topics, { offset: 3 }));
    expect(more.suggestions.map((s) => s.topic.id)).toEqual(['d', 'e']);
    expect(more.hasMore).toBe(false);
  });
});

describe('describeReasons', () => {
  const translator = new Translator();
  const vi = (key: string, params?: Record<string, string | number>) => translator.t(key, params, 'vi');

  it('renders one Vietnamese line', () => {
    const [best] = rankTopics(
      input([topic('bac', { kinds: ['residential'], anniversaries: ['ho-chi-minh-birthday'] })]),
    );
    expect(describeReasons(best?.reasons ?? [], anniversaries, vi)).toBe(
      'phù hợp chi bộ thôn, bản, tổ dân phố; tháng 5 kỷ niệm 137 năm ngày sinh Chủ tịch Hồ Chí Minh',
    );
  });

  it('says the quarter for an anniversary in another month, and the theme’s year', () => {
    expect(
      describeReasons(
        [
          { code: 'kind', kind: 'student', targeted: false },
          { code: 'anniversary', id: 'party-founding', month: 2, inMonth: false, years: 97 },
          { code: 'anniversary', id: 'hung-kings', month: 4, inMonth: true },
          { code: 'month', month: 7 },
          { code: 'theme', id: 'practice', year: 2027 },
        ],
        anniversaries,
        vi,
      ),
    ).toBe(
      'phù hợp mọi chi bộ; quý I kỷ niệm 97 năm ngày thành lập Đảng Cộng sản Việt Nam; tháng 4 kỷ niệm Giỗ Tổ Hùng Vương; ' +
        'hợp với công việc tháng 7; gắn với chủ đề học tập và làm theo Bác năm 2027',
    );
  });
});

describe('calendar arithmetic', () => {
  it('adds months, keeping the day within the month', () => {
    expect(addMonths({ year: 2027, month: 1, day: 31 }, 1)).toEqual({ year: 2027, month: 2, day: 28 });
    expect(addMonths({ year: 2027, month: 11, day: 30 }, 3)).toEqual({ year: 2028, month: 2, day: 29 });
    expect(addMonths({ year: 2027, month: 5, day: 10 }, -24)).toEqual({ year: 2025, month: 5, day: 10 });
  });

  it('counts "within N months" strictly, in either order', () => {
    const a = { year: 2026, month: 5, day: 10 };
    expect(isWithinMonths(a, { year: 2027, month: 5, day: 9 }, 12)).toBe(true);
    expect(isWithinMonths(a, { year: 2027, month: 5, day: 10 }, 12)).toBe(false);
    expect(isWithinMonths({ year: 2027, month: 5, day: 9 }, a, 12)).toBe(true);
  });
});
