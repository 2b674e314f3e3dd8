import { describe, expect, it } from 'vitest';
import { chatOrder } from '../../../src/channels/telegram/chat-order.js';

/** A task that finishes when told to, recording when it started and ended. */
function gate(log: string[], name: string) {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const run = async (fail: boolean, _: unknown) => {
    log.push(`${name} starts`);
    await opened;
    log.push(`${name} ends`);
    if (fail) throw new Error(`${name} failed`);
    return name;
  };
  return { run, open };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the chat order', () => {
  it('runs a chat’s updates one after another, even past a failure, and other chats at once', async () => {
    const inOrder = chatOrder();
    const log: string[] = [];
    const a1 = gate(log, 'a1');
    const a2 = gate(log, 'a2');
    const a3 = gate(log, 'a3');
    const b1 = gate(log, 'b1');
    const first = inOrder(1, a1.run, true, undefined);
    const second = inOrder(1, a2.run, false, undefined);
    const other = inOrder(2, b1.run, false, undefined);
    const third = inOrder(1, a3.run, false, undefined);
    await settle();
    expect(log).toEqual(['a1 starts', 'b1 starts']);

    a1.open();
    await expect(first).rejects.toThrow('a1 failed');
    await settle();
    expect(log).toEqual(['a1 starts', 'b1 starts', 'a1 ends', 'a2 starts']);
    b1.open();
    expect(await other).toBe('b1');
    a3.open();
    await settle();
    expect(log.at(-1)).toBe('b1 ends');
    a2.open();
    expect(await second).toBe('a2');
    expect(await third).toBe('a3');
    expect(log.slice(4)).toEqual(['b1 ends', 'a2 ends', 'a3 starts', 'a3 ends']);
  });

  it('does not hold an update with no chat, and forgets a chat once its updates are done', async () => {
    const inOrder = chatOrder();
    const log: string[] = [];
    const held = gate(log, 'held');
    const free = gate(log, 'free');
    const pending = inOrder(undefined, held.run, false, undefined);
    const alone = inOrder(undefined, free.run, false, undefined);
    free.open();
    expect(await alone).toBe('free');
    held.open();
    expect(await pending).toBe('held');

    // A chat whose updates are all done starts the next one at once, not after anything left over.
    const later = gate(log, 'later');
    const done = inOrder(3, later.run, false, undefined);
    await settle();
    expect(log.at(-1)).toBe('later starts');
    later.open();
    await done;
    const again = gate(log, 'again');
    const next = inOrder(3, again.run, false, undefined);
    expect(log.at(-1)).toBe('again starts');
    again.open();
    await next;
  });
});
