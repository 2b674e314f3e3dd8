import type { Cell, Meeting } from '../store/records.js';
import type { Repos } from '../store/repositories/index.js';
import type { Clock } from './people.js';

/** How far ahead /lich and /hop look. */
const LOOKAHEAD_MS = 62 * 24 * 3600_000;

/** Reading meetings the way people ask for them: mine, and my cell's next one. */
export class MeetingsService {
  constructor(
    private readonly repos: Repos,
    private readonly clock: Clock,
  ) {}

  /** The planned meetings of every cell the person belongs to, from now on, earliest first. */
  async upcomingFor(personId: string): Promise<{ meeting: Meeting; cell: Cell }[]> {
    const now = this.clock.now();
    const cells = await this.repos.cells.getMany(await this.repos.cells.cellsOf(personId));
    const lists = await Promise.all(
      cells.map(async (cell) =>
        (await this.repos.meetings.ofCell(cell.id, now, now + LOOKAHEAD_MS))
          .filter((m) => m.state === 'planned')
          .map((meeting) => ({ meeting, cell })),
      ),
    );
    return lists.flat().sort((a, b) => a.meeting.startsAt - b.meeting.startsAt);
  }

  /**
   * The meeting a secretary means by "the meeting": one held in the last three days whose roll call is still
   * open (the day after, the roll call is what is left to do), else the next planned one.
   */
  async currentOf(cellId: string): Promise<Meeting | undefined> {
    const now = this.clock.now();
    const recent = await this.repos.meetings.ofCell(cellId, now - 3 * 24 * 3600_000, now + LOOKAHEAD_MS);
    const open = recent.filter((m) => m.state !== 'cancelled' && m.rollCallClosedAt === undefined);
    return open.filter((m) => m.startsAt < now).at(-1) ?? open.find((m) => m.startsAt >= now);
  }
}
