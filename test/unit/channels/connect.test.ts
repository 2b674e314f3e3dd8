import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { connectInBackground } from '../../../src/channels/connect.js';
import { createLogger } from '../../../src/logger.js';
import type { ChannelState } from '../../../src/readiness.js';
import { TestClock } from '../../support/world.js';

/** A logger whose JSON lines the test reads. */
function recordingLog() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: createLogger({ level: 'debug', format: 'json', destination }), lines };
}

/**
 * Timers the test drives: each pause is recorded, moves the injected clock by its length and resolves at once,
 * so a whole sequence of retries runs without sleeping.
 */
function drivenTimers(clock: TestClock) {
  const pauses: number[] = [];
  const sleep = async (ms: number, signal?: AbortSignal) => {
    signal?.throwIfAborted();
    pauses.push(ms);
    clock.advance(ms);
  };
  return { pauses, sleep };
}

describe('connecting a channel in the background', () => {
  it('retries with exponential backoff up to its cap, reports each state, and logs each change once', async () => {
    const start = Date.parse('2026-11-26T03:00:00Z');
    const clock = new TestClock(start);
    const { pauses, sleep } = drivenTimers(clock);
    const { log, lines } = recordingLog();
    const states: ChannelState[] = [];
    let calls = 0;
    const connection = connectInBackground({
      channel: 'telegram',
      connect: async () => {
        calls += 1;
        if (calls <= 5) throw new Error("Network request for 'getMe' failed!");
        if (calls === 6) throw new Error('Call to getMe failed! (401: Unauthorized)');
      },
      reporter: { set: (state) => states.push(state) },
      log,
      now: clock.now,
      sleep,
      backoff: { initialMs: 1_000, maxMs: 8_000 },
    });

    expect(await connection.connected).toBe(true);
    expect(pauses).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(states.map((s) => s.state)).toEqual(['starting', ...Array(6).fill('retrying'), 'connected']);
    expect(states[3]).toEqual({
      state: 'retrying',
      attempts: 3,
      lastError: "Network request for 'getMe' failed!",
      // After the pauses of 1 s and 2 s, the third failure asks for 4 s more.
      nextAttemptAt: start + 1_000 + 2_000 + 4_000,
    });
    expect(states.at(-1)).toEqual({ state: 'connected', since: clock.current });
    // Once when it could not connect, once more when the reason changed, once when connected.
    expect(lines.filter((l) => l.level === 40).map((l) => [l.msg, l.error])).toEqual([
      ['Channel unreachable; retrying', "Network request for 'getMe' failed!"],
      ['Channel unreachable; retrying', 'Call to getMe failed! (401: Unauthorized)'],
    ]);
    expect(lines.filter((l) => l.level === 30).map((l) => l.msg)).toEqual([
      'Connecting the channel in the background',
      'Channel connected',
    ]);
  });

  it('stops between attempts when the service stops, never having connected', async () => {
    const clock = new TestClock(0);
    const { log } = recordingLog();
    let waiting: (() => void) | undefined;
    const connection = connectInBackground({
      channel: 'zalo',
      connect: async () => {
        throw new Error('EFATAL: getMe: connect ECONNREFUSED');
      },
      reporter: { set: () => undefined },
      log,
      now: clock.now,
      // A pause that only the stop ends.
      sleep: (_ms, signal) =>
        new Promise((_, reject) => {
          waiting = () => reject(signal?.reason);
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(waiting).toBeDefined();
    await connection.stop();
    expect(await connection.connected).toBe(false);
  });
});
