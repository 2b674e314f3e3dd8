/** The updates of one chat still to finish: the last one's task, and how many are in flight. */
interface Line {
  last: Promise<unknown>;
  inFlight: number;
}

/**
 * Updates of one chat handled one after another, in the order they came; different chats at once (the runner
 * is concurrent). An update waits for the one before it in its chat to finish, whether that succeeded or
 * failed, and one with no chat does not wait. This is @grammyjs/runner's `sequentialize` for a single key, at
 * about a third of its cost per update (no arrays, no Promise.all, no wait when its chat has nothing in
 * flight), and called directly rather than as one more grammY middleware layer (scripts/bench/taps.ts).
 */
export function chatOrder() {
  const lines = new Map<number, Line>();

  async function after<A, B>(
    before: Promise<unknown>,
    handle: (a: A, b: B) => Promise<unknown>,
    a: A,
    b: B,
  ): Promise<unknown> {
    try {
      await before;
    } catch {
      // The update before failed: its own caller has it; this one goes on.
    }
    return handle(a, b);
  }

  /** Runs `handle(a, b)` once the chat's earlier updates are done; settles as it does. */
  return async function inOrder<A, B>(
    chat: number | undefined,
    handle: (a: A, b: B) => Promise<unknown>,
    a: A,
    b: B,
  ): Promise<unknown> {
    if (chat === undefined) return handle(a, b);
    let line = lines.get(chat);
    let task: Promise<unknown>;
    if (line === undefined) {
      task = handle(a, b);
      line = { last: task, inFlight: 1 };
      lines.set(chat, line);
    } else {
      task = after(line.last, handle, a, b);
      line.last = task;
      line.inFlight++;
    }
    try {
      return await task;
    } finally {
      if (--line.inFlight === 0) lines.delete(chat);
    }
  };
}
