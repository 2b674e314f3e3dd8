import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPolicies, DEFAULT_POLICY, loadPolicy, POLICY_DIR } from '../../../src/content/policy.js';
import { ContentError } from '../../../src/content/problems.js';
import { formatTime } from '../../../src/domain/time.js';
import { PROJECT_ROOT } from '../../../src/paths.js';

const FIXTURES = join(PROJECT_ROOT, 'test/fixtures/policy');

const visitsOf = (name: string) =>
  loadPolicy(name).visits.map((v) => `${v.level}: ${v.minimum} per ${v.windowMonths} months`);

describe('policy presets', () => {
  it('are all valid', () => {
    expect(checkPolicies()).toEqual([]);
  });

  it('default to the two-tier preset', () => {
    expect(DEFAULT_POLICY).toBe('hai-cap-2025');
    expect(loadPolicy()).toEqual(loadPolicy('hai-cap-2025'));
  });

  it.each([
    ['laocai-2020', ['provincial: 1 per 6 months', 'district: 1 per 3 months', 'grassroots: 1 per 1 months']],
    ['hai-cap-2025', ['provincial: 1 per 6 months', 'commune: 1 per 1 months']],
    ['kontum-2023', ['provincial: 2 per 12 months', 'district: 6 per 12 months', 'commune: 6 per 12 months']],
  ])('%s carries its visit rules', (name, rules) => {
    expect(visitsOf(name)).toEqual(rules);
  });

  it('names the two-tier commune level as the 2025 texts do, and only there', () => {
    expect(loadPolicy('hai-cap-2025').visits.map((r) => r.label)).toEqual([
      undefined,
      'cấp xã (xã, phường, đặc khu)',
    ]);
    for (const name of ['laocai-2020', 'kontum-2023'])
      expect(
        loadPolicy(name).visits.every((r) => r.label === undefined),
        name,
      ).toBe(true);
  });

  it('carry the default timeline, thresholds and cadence of domain.md', () => {
    const policy = loadPolicy('hai-cap-2025');
    expect(
      policy.timeline.map((s) => `T${s.offsetDays >= 0 ? '+' : ''}${s.offsetDays} ${s.audience} ${s.id}`),
    ).toEqual([
      'T-7 secretaries assign_drafting',
      'T-5 secretaries committee_preparation',
      'T-3 members notice',
      'T-3 committee committee_notice',
      'T-1 secretaries documents_on_stdvdt',
      'T-1 members_unanswered follow_up',
      'T+0 secretaries tally',
      'T+1 secretaries roll_call',
      'T+2 secretaries final_documents',
    ]);
    // Every step has its local hour: the documents reminder at 08:00 the day before, not the meeting's hour.
    expect(Object.fromEntries(policy.timeline.map((s) => [s.id, formatTime(s.at)]))).toEqual({
      assign_drafting: '08:00',
      committee_preparation: '08:00',
      notice: '08:00',
      committee_notice: '08:00',
      documents_on_stdvdt: '08:00',
      follow_up: '17:00',
      tally: '07:00',
      roll_call: '08:00',
      final_documents: '08:00',
    });
    expect(policy.daytime).toEqual({ from: { hour: 7, minute: 0 }, to: { hour: 21, minute: 0 } });
    expect(policy.attendance).toEqual({
      goodRateAbove: 0.85,
      maxAbsencesWithReasonInARow: 3,
      removalWarnAtMonths: 2,
      removalFlagAtMonths: 3,
    });
    expect(policy.thematicEveryMonths).toBe(3);
    expect(policy.defaultShift).toBe('next_working_day');
    expect(policy.visits[0]?.alertOffsets).toEqual([
      { id: 'half_window', atFraction: 0.5 },
      { id: 'days_21', daysBeforeEnd: 21 },
      { id: 'days_7', daysBeforeEnd: 7 },
    ]);
  });
});

describe('loadPolicy', () => {
  it("reads a deployment's own file by path", () => {
    const policy = loadPolicy(join(FIXTURES, 'deployment/own-policy.json'));
    expect(policy.defaultShift).toBe('none');
    expect(policy.visits).toEqual([
      {
        level: 'commune',
        minimum: 2,
        windowMonths: 4,
        counts: 'regular',
        alignment: 'rolling',
        scope: 'area',
        alertOffsets: [{ id: 'days_10', daysBeforeEnd: 10 }],
      },
    ]);
  });

  it('names the presets when asked for one that does not exist', () => {
    expect(() => loadPolicy('hanoi-2030')).toThrow(/no policy preset "hanoi-2030"; presets: .*hai-cap-2025/);
  });

  it('stops start-up on a bad file, naming the file, the path inside it and the problem', () => {
    let error: unknown;
    try {
      loadPolicy(join(FIXTURES, 'negative-window.json'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContentError);
    expect((error as ContentError).problems).toEqual([
      {
        file: 'test/fixtures/policy/negative-window.json',
        path: 'visits[1].windowMonths',
        message: 'must be positive',
      },
    ]);
    expect((error as Error).message).toContain(
      'test/fixtures/policy/negative-window.json at visits[1].windowMonths: must be positive',
    );
  });
});

describe('checkPolicies (content:check)', () => {
  it('rejects a missing field, an unknown level and a negative window, naming file and path', () => {
    expect(checkPolicies(FIXTURES)).toEqual([
      { file: 'test/fixtures/policy/missing-field.json', path: 'attendance', message: 'is required' },
      {
        file: 'test/fixtures/policy/negative-window.json',
        path: 'visits[1].windowMonths',
        message: 'must be positive',
      },
      {
        file: 'test/fixtures/policy/unknown-level.json',
        path: 'visits[1].level',
        message: 'Invalid option: expected one of "provincial"|"district"|"commune"|"grassroots"',
      },
    ]);
  });
});

describe('policy validation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chibo-policy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const preset = () => JSON.parse(readFileSync(join(POLICY_DIR, 'laocai-2020.json'), 'utf8'));

  it.each<[string, (p: ReturnType<typeof preset>) => void, string]>([
    [
      'a calendar window that does not tile the year',
      (p) => (p.visits[0].windowMonths = 5),
      'visits[0].windowMonths: a calendar-aligned window must divide the year: 1, 2, 3, 4, 6 or 12 months',
    ],
    [
      'a level listed twice',
      (p) => (p.visits[2].level = 'provincial'),
      'visits[2].level: "provincial" appears twice',
    ],
    [
      'a timeline step listed twice',
      (p) => (p.timeline[1].id = 'assign_drafting'),
      'timeline[1].id: "assign_drafting" appears twice',
    ],
    [
      'a time that is not HH:MM',
      (p) => (p.timeline[6].at = '7h'),
      'timeline[6].at: must be a time HH:MM such as 07:00',
    ],
    ['a step without its hour', (p) => delete p.timeline[4].at, 'timeline[4].at: is required'],
    [
      'a step outside the daytime hours',
      (p) => (p.timeline[5].at = '22:30'),
      'timeline[5].at: must be inside the daytime hours 07:00–21:00',
    ],
    [
      'daytime that ends before it starts',
      (p) => (p.daytime = { from: '21:00', to: '07:00' }),
      'daytime.to: must be after daytime.from',
    ],
    [
      'an unknown audience',
      (p) => (p.timeline[0].audience = 'everyone'),
      'timeline[0].audience: Invalid option: expected one of "secretaries"|"members"|"members_unanswered"|"committee"',
    ],
    [
      'a warning not below the flag',
      (p) => (p.attendance.removalWarnAtMonths = 3),
      'attendance.removalWarnAtMonths: must be below removalFlagAtMonths',
    ],
    [
      'a rate given in percent',
      (p) => (p.attendance.goodRateAbove = 85),
      'attendance.goodRateAbove: must be between 0 and 1',
    ],
    [
      'an alert with both offsets',
      (p) => (p.visits[0].alertOffsets[0].daysBeforeEnd = 3),
      'visits[0].alertOffsets[0]: needs exactly one of atFraction and daysBeforeEnd',
    ],
    [
      'a thematic cadence that does not tile the year',
      (p) => (p.thematicEveryMonths = 5),
      'thematicEveryMonths: must divide the year: 1, 2, 3, 4, 6 or 12',
    ],
    ['a misspelt key', (p) => (p.visits[0].minimun = 1), 'visits[0]: Unrecognized key: "minimun"'],
  ])('rejects %s', (_, change, problem) => {
    const policy = preset();
    change(policy);
    writeFileSync(join(dir, 'p.json'), JSON.stringify(policy));
    expect(checkPolicies(dir).map((p) => `${p.path}: ${p.message}`)).toEqual([problem]);
  });

  it('rejects a file that is not JSON', () => {
    writeFileSync(join(dir, 'p.json'), '{ "title": ');
    expect(checkPolicies(dir)).toEqual([
      { file: join(dir, 'p.json'), path: '', message: expect.stringMatching(/^cannot be read: /) },
    ]);
  });
});
