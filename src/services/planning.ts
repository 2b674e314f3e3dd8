/**
 * How far ahead the planner materialises meetings. A cell meets once a month (a shift keeps consecutive meetings
 * within about 40 days of each other), so when no meeting of a window is left, the first meeting of each cell in
 * the next window is already planned: what a committee member at a window's end is offered.
 */
export const PLANNING_HORIZON_DAYS = 45;

/**
 * What services ask of the scheduler after they change something: re-plan a cell or a meeting, or send a
 * timeline step now. The scheduler starts after the channels (which need the services), so services hold
 * this port and the composition root binds it once the scheduler exists.
 */
export type SendNowResult =
  | { ok: true; occurrenceId: string }
  | { ok: false; reason: 'not_found' | 'not_open' | 'already_sent' | 'no_scheduler' };

export interface SendNowOptions {
  /** Only these people (e.g. a committee member who registered after the notice went out). */
  recipients?: string[];
  /**
   * Makes a repeatable send distinct (e.g. the minute of a "remind the unanswered" tap): the same tag twice is
   * the same send, so a double tap sends once. Without it, the step's planned occurrence is sent now (once).
   */
  tag?: string;
}

export interface Planning {
  replanCell(cellId: string): Promise<void>;
  replanMeeting(meetingId: string): Promise<void>;
  /** Queues the step for the meeting's current version now, and dispatches it at once. */
  sendNow(meetingId: string, stepId: string, options?: SendNowOptions): Promise<SendNowResult>;
}

/** The port services hold until the scheduler binds it; unbound, changes wait for the daily planning run. */
export class PlanningPort implements Planning {
  private target: Planning | undefined;

  bind(target: Planning): void {
    this.target = target;
  }

  async replanCell(cellId: string): Promise<void> {
    await this.target?.replanCell(cellId);
  }

  async replanMeeting(meetingId: string): Promise<void> {
    await this.target?.replanMeeting(meetingId);
  }

  sendNow(meetingId: string, stepId: string, options?: SendNowOptions): Promise<SendNowResult> {
    return this.target
      ? this.target.sendNow(meetingId, stepId, options)
      : Promise.resolve({ ok: false, reason: 'no_scheduler' });
  }
}
