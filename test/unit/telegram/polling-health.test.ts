import type { Transformer } from 'grammy';
import { describe, expect, it } from 'vitest';
import { pollingHealth } from '../../../src/channels/telegram/polling-health.js';
import { createLogger } from '../../../src/logger.js';
import type { ChannelState } from '../../../src/readiness.js';

type Prev = Parameters<Transformer>[0];

/** The watch over a Bot API that answers as `answer` says, with every state it reports. */
function watched() {
  let now = 1_000;
  const states: ChannelState[] = [];
  const health = pollingHealth({
    log: createLogger({ level: 'silent' }),
    now: () => now,
    reporter: { set: (state) => states.push(state) },
  });
  const call = (method: string, answer: 'ok' | 'refused' | 'unreachable', signal?: AbortSignal) => {
    const prev = (async () => {
      if (answer === 'unreachable') throw new Error(`Network request for '${method}' failed!`);
      return answer === 'ok'
        ? { ok: true, result: [] }
        : { ok: false, error_code: 502, description: 'Bad Gateway' };
    }) as unknown as Prev;
    return health.watch(prev, method as never, {} as never, signal as never);
  };
  return { health, states, call, later: (ms: number) => (now += ms) };
}

describe('polling health', () => {
  it('reports failing to receive from the first failed getUpdates, with its error, and receiving on the next success', async () => {
    const { states, call, later } = watched();
    await call('getUpdates', 'ok');
    expect(states).toEqual([]);
    await expect(call('getUpdates', 'unreachable')).rejects.toThrow('getUpdates');
    later(5_000);
    await call('getUpdates', 'refused');
    expect(states).toEqual([
      { state: 'receiving_failed', since: 1_000, lastError: "Network request for 'getUpdates' failed!" },
      { state: 'receiving_failed', since: 1_000, lastError: '502: Bad Gateway' },
    ]);
    later(1_000);
    await call('getUpdates', 'ok');
    expect(states.at(-1)).toEqual({ state: 'connected', since: 7_000 });
  });

  it('counts a failed deleteWebhook (the start of polling), and leaves every other method alone', async () => {
    const { states, call } = watched();
    await call('sendMessage', 'refused');
    await expect(call('answerCallbackQuery', 'unreachable')).rejects.toThrow();
    expect(states).toEqual([]);
    await call('deleteWebhook', 'refused');
    expect(states).toEqual([{ state: 'receiving_failed', since: 1_000, lastError: '502: Bad Gateway' }]);
    // A deleteWebhook that works says nothing of receiving yet: a getUpdates will.
    await call('deleteWebhook', 'ok');
    expect(states).toHaveLength(1);
  });

  it('takes an aborted getUpdates (polling stopped) for no failure', async () => {
    const { states, call } = watched();
    const stop = new AbortController();
    stop.abort();
    await expect(call('getUpdates', 'unreachable', stop.signal)).rejects.toThrow();
    expect(states).toEqual([]);
  });

  it('is connected again once polling moves off this replica, and says nothing if it was not failing', async () => {
    const { health, states, call } = watched();
    health.stopped();
    expect(states).toEqual([]);
    await expect(call('getUpdates', 'unreachable')).rejects.toThrow();
    health.stopped();
    expect(states.map((s) => s.state)).toEqual(['receiving_failed', 'connected']);
  });
});
