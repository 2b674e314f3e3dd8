/**
 * The visit planner: which meetings best suit a committee member still short of their rule, and, for an admin,
 * one proposed meeting for every such member so that as many cells as possible get a visit. Pure: meetings,
 * members and what is already visited come in, choices come out.
 */

/** A meeting a member could attend: inside their window, of a cell they may visit. Times are epoch ms. */
export interface Candidate {
  meetingId: string;
  cellId: string;
  startsAt: number;
}

/** How long a meeting is taken to last when deciding whether two of them clash for one person. */
export const MEETING_LENGTH_MS = 3 * 3_600_000;

/** Two meetings clash for one person when one starts before the other is over. */
export const clashes = (a: number, b: number, length: number = MEETING_LENGTH_MS): boolean =>
  Math.abs(a - b) < length;

export interface RankInput {
  /** Meetings of the cells the member may visit (any time: the window and `now` filter them). */
  candidates: readonly Candidate[];
  /** Start times of meetings the member is already registered for: nothing may clash with them. */
  busy: readonly number[];
  /** Cells someone has already visited (or registered to visit) this window. */
  visitedCells: ReadonlySet<string>;
  window: { start: number; end: number };
  now: number;
}

/**
 * The member's options, best first: only meetings not yet started, inside the window, clashing with none of their
 * registrations; cells nobody has visited this window first, then the earliest (a visit done early leaves room
 * for a second try). Ties break on the meeting ID, so the order is the same every time.
 */
export function rankMeetings(input: RankInput): Candidate[] {
  const { window, now, busy, visitedCells } = input;
  return input.candidates
    .filter(
      (c) =>
        c.startsAt > now &&
        c.startsAt >= window.start &&
        c.startsAt < window.end &&
        !busy.some((b) => clashes(b, c.startsAt)),
    )
    .sort(
      (a, b) =>
        Number(visitedCells.has(a.cellId)) - Number(visitedCells.has(b.cellId)) ||
        a.startsAt - b.startsAt ||
        a.meetingId.localeCompare(b.meetingId),
    );
}

/** A member due for a visit and their feasible options (from rankMeetings: filtered, best first). */
export interface DueMember {
  personId: string;
  options: readonly Candidate[];
}

export type Plan = Map<string, Candidate>;

/** Cells a plan brings a visit to that had none this window. */
export function newCellsCovered(plan: Plan, visitedCells: ReadonlySet<string>): number {
  return new Set([...plan.values()].map((c) => c.cellId).filter((id) => !visitedCells.has(id))).size;
}

const earliestIn = (options: readonly Candidate[], cellId: string) =>
  options
    .filter((o) => o.cellId === cellId)
    .reduce<Candidate | undefined>((best, o) => (!best || o.startsAt < best.startsAt ? o : best), undefined);

/** Members with something to choose from, those with the fewest unvisited cells first (they are hardest to place). */
function ordered(members: readonly DueMember[], visitedCells: ReadonlySet<string>): DueMember[] {
  const freshCells = (m: DueMember) =>
    new Set(m.options.filter((o) => !visitedCells.has(o.cellId)).map((o) => o.cellId)).size;
  return members
    .filter((m) => m.options.length > 0)
    .sort((a, b) => freshCells(a) - freshCells(b) || a.personId.localeCompare(b.personId));
}

/** Members left without a new cell take their best option: every member with any option gets a meeting. */
function completed(members: readonly DueMember[], cellOf: Map<string, string>): Plan {
  const plan: Plan = new Map();
  for (const m of members) {
    const cellId = cellOf.get(m.personId);
    const choice = (cellId && earliestIn(m.options, cellId)) || m.options[0];
    if (choice) plan.set(m.personId, choice);
  }
  return plan;
}

/**
 * Greedy alone: each member in turn takes a cell not yet visited or taken, else their best option. Kept to show
 * (in the tests) how far it falls short of the best; the planner improves on it.
 */
export function greedyPlan(members: readonly DueMember[], visitedCells: ReadonlySet<string>): Plan {
  const taken = new Set(visitedCells);
  const cellOf = new Map<string, string>();
  for (const m of ordered(members, visitedCells)) {
    const fresh = m.options.find((o) => !taken.has(o.cellId));
    if (!fresh) continue;
    taken.add(fresh.cellId);
    cellOf.set(m.personId, fresh.cellId);
  }
  return completed(members, cellOf);
}

/**
 * The proposed plan: one meeting for every due member who has any, covering as many unvisited cells as possible.
 * Each member brings at most one new cell, so the best coverage is a maximum matching between members and
 * unvisited cells: greedy first, then augmenting paths (Kuhn) until none is left, which makes it optimal. Within a
 * cell a member goes to its earliest meeting. One meeting per member: a plan never gives anyone two at once.
 */
export function proposePlan(members: readonly DueMember[], visitedCells: ReadonlySet<string>): Plan {
  const candidates = ordered(members, visitedCells);
  const freshCells = new Map(
    candidates.map((m) => [
      m.personId,
      [...new Set(m.options.filter((o) => !visitedCells.has(o.cellId)).map((o) => o.cellId))],
    ]),
  );
  const greedy = greedyPlan(candidates, visitedCells);
  const cellOf = new Map<string, string>();
  const memberOf = new Map<string, string>();
  for (const [personId, choice] of greedy)
    if (!visitedCells.has(choice.cellId) && !memberOf.has(choice.cellId)) {
      cellOf.set(personId, choice.cellId);
      memberOf.set(choice.cellId, personId);
    }

  const augment = (personId: string, seen: Set<string>): boolean => {
    for (const cellId of freshCells.get(personId) ?? []) {
      if (seen.has(cellId)) continue;
      seen.add(cellId);
      const holder = memberOf.get(cellId);
      if (holder === undefined || augment(holder, seen)) {
        cellOf.set(personId, cellId);
        memberOf.set(cellId, personId);
        return true;
      }
    }
    return false;
  };
  for (const m of candidates) if (!cellOf.has(m.personId)) augment(m.personId, new Set());
  return completed(candidates, cellOf);
}
