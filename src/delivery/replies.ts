import type { OutboxMessage } from './outbox.js';
import type { SendError } from './sender.js';

/**
 * How a channel sends its replies at once. Plain functions over the channel's own reply records rather than a
 * closure per reply: a tap's reply is the hot path, and its outbox form is built only if it is handed over.
 */
export interface DirectSender<R> {
  send(reply: R): Promise<unknown>;
  /**
   * Its outbox form, should it fail: its idempotency key is the update's (e.g. `reply:zalo:<chat>:<message>:00`),
   * so handling again sends once.
   */
  message(reply: R): OutboxMessage;
  classify(err: unknown): SendError;
}

/** What replies need of the outbox (src/delivery/outbox.ts): it takes over a failed reply and those behind it. */
export interface ReplyHandOver {
  handOver(messages: readonly OutboxMessage[], err: SendError): Promise<void>;
}

/**
 * The port channels hold until the composition root binds the scheduler's outbox (it is made after them).
 * Unbound, a failed reply's error is thrown, as if there were no outbox.
 */
export class ReplyPort implements ReplyHandOver {
  private outbox: ReplyHandOver | undefined;

  bind(outbox: ReplyHandOver): void {
    this.outbox = outbox;
  }

  async handOver(messages: readonly OutboxMessage[], err: SendError): Promise<void> {
    if (!this.outbox) throw err;
    await this.outbox.handOver(messages, err);
  }
}

/**
 * Sends replies in order, each at once: a person waiting for "Đã ghi" should not wait for a queue. The first one
 * that fails goes to the outbox with every reply behind it, so there is one retry logic for everything a person
 * receives: after `retry_after`, backing off on server errors, bounded, and counted when given up (the outbox's
 * dead letters). Whatever the handler stored stands either way. Only a failure to hand over (the store is down)
 * is thrown.
 */
export async function sendReplies<R>(
  replies: readonly R[],
  sender: DirectSender<R>,
  outbox: ReplyHandOver,
): Promise<void> {
  for (let i = 0; i < replies.length; i++) {
    try {
      await sender.send(replies[i] as R);
    } catch (err) {
      const rest: OutboxMessage[] = [];
      for (let j = i; j < replies.length; j++) rest.push(sender.message(replies[j] as R));
      await outbox.handOver(rest, sender.classify(err));
      return;
    }
  }
}

/** Reply keys sort in the order they were sent (the outbox orders by key among equals). */
export const replyKey = (base: string, index: number) => `${base}:${String(index).padStart(2, '0')}`;
