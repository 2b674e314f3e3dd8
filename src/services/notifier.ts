import { type Address, addressOf } from '../delivery/address.js';
import type { OutboxMessage } from '../delivery/outbox.js';
import type { View } from '../domain/view.js';
import type { WriteOp } from '../store/port.js';
import type { ChannelName, Person } from '../store/records.js';

/** A message for someone outside the conversation: a person on their channel, or a bare channel account. */
export interface Notice {
  /** Idempotency key: the same key queued twice is sent once. */
  key: string;
  to: Person | Address;
  view: View;
  /** The cell it concerns, so a person found unreachable is reported to its secretaries. */
  cellId?: string;
}

/**
 * How services tell third parties (a cell's secretaries of a join request, the requester of the answer): the
 * writes that queue the notices in the outbox, so they land in the caller's atomic batch with the change they
 * announce.
 */
export interface Notifier {
  /** The outbox writes for these notices; `queued` counts those a channel of this service can reach. */
  notifyOps(notices: readonly Notice[]): { ops: WriteOp[]; queued: number };
}

/** What the notifier needs of the outbox (src/delivery/outbox.ts). */
export interface OutboxTarget {
  readonly channels: ChannelName[];
  enqueueOps(messages: readonly OutboxMessage[]): WriteOp[];
}

const isPerson = (to: Person | Address): to is Person => 'id' in to;

/**
 * The port services hold until the composition root binds the scheduler's outbox (it is made after the
 * channels). Unbound, nobody is reachable: callers see `queued: 0` and say so.
 */
export class NotifierPort implements Notifier {
  private outbox: OutboxTarget | undefined;

  bind(outbox: OutboxTarget): void {
    this.outbox = outbox;
  }

  notifyOps(notices: readonly Notice[]): { ops: WriteOp[]; queued: number } {
    const outbox = this.outbox;
    if (!outbox) return { ops: [], queued: 0 };
    const messages: OutboxMessage[] = notices.flatMap((notice) => {
      const address = isPerson(notice.to)
        ? addressOf(notice.to, outbox.channels)
        : outbox.channels.includes(notice.to.channel)
          ? notice.to
          : undefined;
      if (!address) return [];
      return [
        {
          key: notice.key,
          channel: address.channel,
          chatId: address.chatId,
          ...(isPerson(notice.to) ? { personId: notice.to.id } : {}),
          ...(notice.cellId ? { cellId: notice.cellId } : {}),
          view: notice.view,
        },
      ];
    });
    return { ops: outbox.enqueueOps(messages), queued: messages.length };
  }
}
