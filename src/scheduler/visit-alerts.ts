import { addressOf } from '../delivery/address.js';
import type { OutboxMessage } from '../delivery/outbox.js';
import { DAY_MS, DEFAULT_TIME_ZONE } from '../domain/time.js';
import type { Policy } from '../domain/types.js';
import { visitAlerts, visitWindow } from '../domain/visits.js';
import type { Logger } from '../logger.js';
import { NotifierPort } from '../services/notifier.js';
import type { Clock } from '../services/people.js';
import { PlanningPort } from '../services/planning.js';
import { VisitsService } from '../services/visits.js';
import { keys } from '../store/keys.js';
import { firedOps, type Occurrence, pendingOps, visitAlertOccurrenceId } from '../store/occurrences.js';
import type { Store, WriteOp } from '../store/port.js';
import { type CommitteeAssignment, committeeAssignmentSchema, parseDoc } from '../store/records.js';
import type { Repos } from '../store/repositories/index.js';
import type { ReminderComposer } from './composer.js';

/**
 * Visit alerts as scheduler occurrences: one per committee member × window of their rule × alert step, planned by
 * the daily run (O(committee members)), and at dispatch sent only if the member is still short of the rule then —
 * otherwise dropped; past its grace, recorded as missed like any reminder. What they say is the composer's.
 */

/** An alert found late is still worth sending for this long, unless the next one is due sooner. */
const ALERT_GRACE_MS = 3 * DAY_MS;
/** Committee members read per batch on the daily walk. */
const MEMBER_BATCH = 500;

export interface VisitAlertDeps {
  store: Store;
  repos: Repos;
  policy: Policy;
  now: () => number;
  log: Logger;
}

export interface VisitAlertOutcome {
  ops: WriteOp[];
  messages: OutboxMessage[];
  sent: number;
  missed: number;
  dropped: number;
}

export class VisitAlerts {
  constructor(private readonly deps: VisitAlertDeps) {}

  /** A member's windows are in their first cell's zone, as in the visits service. */
  private async timeZones(assignments: readonly CommitteeAssignment[]): Promise<Map<string, string>> {
    const firstCells = [...new Set(assignments.flatMap((a) => a.cellIds.slice(0, 1)))];
    const cells = new Map((await this.deps.repos.cells.getMany(firstCells)).map((c) => [c.id, c.timeZone]));
    return new Map(
      assignments.map((a) => [a.personId, cells.get(a.cellIds[0] ?? '') ?? DEFAULT_TIME_ZONE] as const),
    );
  }

  /** The alerts of one member's current window and the next, each with its grace, as occurrences. */
  private occurrencesOf(assignment: CommitteeAssignment, timeZone: string, now: number): Occurrence[] {
    const { policy } = this.deps;
    const rule = policy.visits.find((r) => r.level === assignment.level);
    if (!rule) return [];
    const since = new Date(assignment.since);
    const current = visitWindow(rule, new Date(now), timeZone, since);
    const next = visitWindow(rule, current.end, timeZone, since);
    return [current, next].flatMap((window) => {
      const alerts = visitAlerts(rule, window, policy.alertTime);
      return alerts.map((alert, i) => {
        const dueAt = alert.dueAt.getTime();
        const nextDue = alerts[i + 1]?.dueAt.getTime() ?? Number.POSITIVE_INFINITY;
        return {
          id: visitAlertOccurrenceId(assignment.personId, window.start.getTime(), alert.id),
          kind: 'visit_alert' as const,
          cellId: '',
          personId: assignment.personId,
          period: { start: window.start.getTime(), end: window.end.getTime() },
          stepId: alert.id,
          audience: 'committee' as const,
          dueAt,
          graceEndsAt: Math.min(dueAt + ALERT_GRACE_MS, nextDue, window.end.getTime()),
          state: 'pending' as const,
        };
      });
    });
  }

  /** The daily run: every committee member's alerts within the horizon, each planned once (by its ID). */
  async plan(horizonMs: number, signal?: AbortSignal): Promise<{ members: number }> {
    const { store, now: clock } = this.deps;
    const now = clock();
    const ids = await store.smembers(keys.committeeMembers());
    for (let i = 0; i < ids.length && !signal?.aborted; i += MEMBER_BATCH) {
      const batch = ids.slice(i, i + MEMBER_BATCH);
      const raws = await store.getMany(batch.map(keys.committee));
      const assignments = raws.flatMap(
        (raw, j) => parseDoc(committeeAssignmentSchema, keys.committee(batch[j] as string), raw) ?? [],
      );
      const zones = await this.timeZones(assignments);
      const wanted = assignments
        .flatMap((a) => this.occurrencesOf(a, zones.get(a.personId) ?? DEFAULT_TIME_ZONE, now))
        .filter((o) => o.graceEndsAt > now && o.dueAt < now + horizonMs);
      if (wanted.length === 0) continue;
      const stored = await store.getMany(wanted.map((o) => keys.reminder(o.id)));
      const ops = wanted.filter((_, j) => stored[j] === undefined).flatMap(pendingOps);
      if (ops.length) await store.write(ops);
    }
    return { members: ids.length };
  }

  /**
   * Decides each claimed alert: dropped when the person is no longer on the committee, their rule changed window
   * or the rule is met (or its window is over); missed past its grace; otherwise composed and queued.
   */
  async dispatch(
    occurrences: readonly Occurrence[],
    composer: ReminderComposer,
    channels: Parameters<typeof addressOf>[1],
  ): Promise<VisitAlertOutcome> {
    const { store, repos, policy, now: clockNow, log } = this.deps;
    const now = clockNow();
    const clock: Clock = { now: () => now };
    const visits = new VisitsService(store, repos, clock, policy, new PlanningPort(), new NotifierPort());
    const outcome: VisitAlertOutcome = { ops: [], messages: [], sent: 0, missed: 0, dropped: 0 };
    for (const occurrence of occurrences) {
      const window = occurrence.period;
      const standing =
        occurrence.personId && window ? await visits.standing(occurrence.personId, { window }) : undefined;
      const stillItsWindow =
        standing &&
        window &&
        visitWindow(
          standing.rule,
          new Date(occurrence.dueAt),
          standing.current.window.timeZone,
          new Date(standing.assignment.since),
        ).start.getTime() === window.start;
      if (!standing || !stillItsWindow) {
        outcome.ops.push(...firedOps(occurrence, 'dropped'));
        outcome.dropped++;
        continue;
      }
      if (now > occurrence.graceEndsAt) {
        outcome.ops.push(...firedOps(occurrence, 'missed'));
        outcome.missed++;
        log.warn(
          { occurrenceId: occurrence.id, dueAt: occurrence.dueAt, graceEndsAt: occurrence.graceEndsAt },
          'Visit alert past its grace window: recorded as missed, not sent',
        );
        continue;
      }
      // A pace check is sent only to a member behind pace: fewer visits than the part's share of the rule.
      const pace = visitAlerts(standing.rule, standing.current.window, policy.alertTime).find(
        (alert) => alert.id === occurrence.stepId,
      )?.pace;
      const { status } = standing.current;
      if (status.state !== 'due' || (pace && status.done >= pace.expected)) {
        outcome.ops.push(...firedOps(occurrence, 'dropped'));
        outcome.dropped++;
        continue;
      }
      const view = await composer.visitAlert({ occurrence, standing, ...(pace ? { pace } : {}) });
      const address = addressOf(standing.person, channels);
      if (view && address)
        outcome.messages.push({
          key: `${occurrence.id}:${standing.person.id}`,
          ...address,
          personId: standing.person.id,
          view,
        });
      else if (!address)
        log.info(
          { personId: standing.person.id, occurrenceId: occurrence.id },
          'No channel reaches this person',
        );
      outcome.ops.push(...firedOps(occurrence, 'sent'));
      outcome.sent++;
    }
    return outcome;
  }
}
