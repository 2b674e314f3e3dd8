import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Candidate,
  clashes,
  type DueMember,
  greedyPlan,
  newCellsCovered,
  type Plan,
  proposePlan,
  rankMeetings,
} from '../../../src/domain/visit-planner.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const meeting = (meetingId: string, cellId: string, day: number, hour = 19): Candidate => ({
  meetingId,
  cellId,
  startsAt: day * DAY + hour * HOUR,
});

describe('rankMeetings', () => {
  const window = { start: 0, end: 90 * DAY };
  const candidates = [
    meeting('late-fresh', 'c3', 40),
    meeting('early-visited', 'c1', 5),
    meeting('early-fresh', 'c2', 12),
    meeting('started', 'c2', 1),
    meeting('after-window', 'c3', 95),
    meeting('clash', 'c4', 20, 18),
  ];

  it('keeps meetings not started, inside the window and clear of registrations; unvisited cells first, then earliest', () => {
    const ranked = rankMeetings({
      candidates,
      busy: [meeting('registered', 'c9', 20, 19).startsAt],
      visitedCells: new Set(['c1']),
      window,
      now: 2 * DAY,
    });
    expect(ranked.map((c) => c.meetingId)).toEqual(['early-fresh', 'late-fresh', 'early-visited']);
  });

  it('a meeting three hours after another does not clash with it; one an hour later does', () => {
    expect(clashes(0, 3 * HOUR)).toBe(false);
    expect(clashes(0, HOUR)).toBe(true);
  });
});

describe('proposePlan', () => {
  it('moves a member off a contested cell when that frees one for another (where greedy stops short)', () => {
    // Chi has one cell and goes first; Anh then takes A, his earliest, which leaves Bình nothing new: greedy
    // covers two cells. Moving Anh to B frees A for Bình: three.
    const members: DueMember[] = [
      { personId: 'anh', options: [meeting('a1', 'A', 3), meeting('b1', 'B', 9)] },
      { personId: 'binh', options: [meeting('a2', 'A', 4), meeting('c1', 'C', 5)] },
      { personId: 'chi', options: [meeting('c2', 'C', 6)] },
    ];
    expect(newCellsCovered(greedyPlan(members, new Set()), new Set())).toBe(2);
    const plan = proposePlan(members, new Set());
    expect(newCellsCovered(plan, new Set())).toBe(3);
    expect(plan.get('anh')?.cellId).toBe('B');
    expect(plan.get('binh')?.cellId).toBe('A');
    expect(plan.get('chi')?.cellId).toBe('C');
  });

  it('gives a member whose cells are all visited their best option anyway, and nothing to a member without options', () => {
    const members: DueMember[] = [
      { personId: 'lam', options: [meeting('k1', 'khe', 3), meeting('k2', 'khe', 33)] },
      { personId: 'thu', options: [] },
    ];
    const plan = proposePlan(members, new Set(['khe']));
    expect(plan.get('lam')?.meetingId).toBe('k1');
    expect(plan.has('thu')).toBe(false);
  });
});

// --- Generated cases against an exhaustive search ------------------------------------------------------------

interface Case {
  members: DueMember[];
  busy: Map<string, number[]>;
  visited: Set<string>;
}

/** Up to 5 members and 5 cells, meetings on a small calendar (so times collide), random eligibility. */
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    cells: fc.integer({ min: 1, max: 5 }),
    meetings: fc.array(
      fc.record({ cell: fc.nat(4), day: fc.integer({ min: 0, max: 20 }), hour: fc.constantFrom(8, 14, 19) }),
      { minLength: 1, maxLength: 10 },
    ),
    members: fc.array(
      fc.record({
        eligible: fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
        busy: fc.array(
          fc.record({ day: fc.integer({ min: 0, max: 20 }), hour: fc.constantFrom(8, 14, 19) }),
          {
            maxLength: 2,
          },
        ),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    visited: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  })
  .map(({ cells, meetings, members, visited }) => {
    const all = meetings.map((m, i) => meeting(`m${i}`, `c${m.cell % cells}`, m.day, m.hour));
    const busy = new Map<string, number[]>();
    const due = members.map((m, i) => {
      const personId = `p${i}`;
      busy.set(
        personId,
        m.busy.map((b) => b.day * DAY + b.hour * HOUR),
      );
      const options = rankMeetings({
        candidates: all.filter((_, j) => m.eligible[j]),
        busy: busy.get(personId) ?? [],
        visitedCells: new Set(),
        window: { start: 0, end: 30 * DAY },
        now: -1,
      }).slice(0, 5);
      return { personId, options };
    });
    return {
      members: due,
      busy,
      visited: new Set(visited.flatMap((v, i) => (v && i < cells ? [`c${i}`] : []))),
    };
  });

/** The most unvisited cells any choice of one option per member (every member with options choosing) covers. */
function exhaustiveBest(members: readonly DueMember[], visited: ReadonlySet<string>): number {
  const choosing = members.filter((m) => m.options.length > 0);
  let best = 0;
  const walk = (i: number, cells: string[]) => {
    if (i === choosing.length) {
      best = Math.max(best, new Set(cells.filter((c) => !visited.has(c))).size);
      return;
    }
    for (const o of choosing[i]?.options ?? []) walk(i + 1, [...cells, o.cellId]);
  };
  walk(0, []);
  return best;
}

/** Checked with node's assert: called on 2,400 plans, where vitest's expect would cost more than the planning. */
function checkPlan(c: Case, plan: Plan) {
  for (const m of c.members) {
    const choice = plan.get(m.personId);
    // Every due member with any feasible meeting gets one, and only one of their own options.
    if (m.options.length === 0) assert.equal(choice, undefined, `${m.personId} has no option`);
    else
      assert.ok(
        m.options.some((o) => isDeepStrictEqual(o, choice)),
        `${m.personId} got ${JSON.stringify(choice)}, not one of their options`,
      );
    // Never at the same time as something they already registered for.
    if (choice)
      for (const b of c.busy.get(m.personId) ?? [])
        assert.ok(!clashes(b, choice.startsAt), `${m.personId} placed at a time they are busy`);
  }
}

describe('the planner on generated cases', () => {
  it('never clashes, places every member who has an option, and covers as many cells as the exhaustive search', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const plan = proposePlan(c.members, c.visited);
        checkPlan(c, plan);
        expect(newCellsCovered(plan, c.visited)).toBe(exhaustiveBest(c.members, c.visited));
      }),
      { numRuns: 400, seed: 20261001 },
    );
  });

  it('greedy alone: valid plans, short of the best on some cases (by how much, on 2,000 fixed cases)', () => {
    const cases = fc.sample(caseArb, { numRuns: 2000, seed: 7 });
    let short = 0;
    let worstGap = 0;
    let greedyCells = 0;
    let bestCells = 0;
    for (const c of cases) {
      const greedy = greedyPlan(c.members, c.visited);
      checkPlan(c, greedy);
      const got = newCellsCovered(greedy, c.visited);
      const best = exhaustiveBest(c.members, c.visited);
      expect(got).toBeLessThanOrEqual(best);
      if (got < best) short++;
      worstGap = Math.max(worstGap, best - got);
      greedyCells += got;
      bestCells += best;
    }
    // The figures for the report (fixed seed): greedy alone reaches the best on all but 1 of 2,000 cases, one cell
    // short there; proposePlan (greedy + augmenting paths) always reaches it (test above).
    expect({ cases: cases.length, short, worstGap, greedyCells, bestCells }).toEqual({
      cases: 2000,
      short: 1,
      worstGap: 1,
      greedyCells: 1813,
      bestCells: 1814,
    });
  });
});
