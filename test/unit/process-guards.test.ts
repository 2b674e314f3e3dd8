import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import { STOP_GRACE_MS, stopWithin } from '../../src/process-guards.js';
import { LogLines } from '../support/log-lines.js';

describe('a stop against its deadline', () => {
  const setup = () => {
    const logs = new LogLines();
    return { logs, log: createLogger({ level: 'info', destination: logs }), clock: new ManualClock(0) };
  };

  it('gives up on a stop that hangs once the grace has passed, and says so', async () => {
    const { logs, log, clock } = setup();
    const outcome = stopWithin(log, () => new Promise<void>(() => {}), { clock });
    clock.advance(STOP_GRACE_MS - 1);
    await Promise.resolve();
    expect(logs.lines).toEqual([]);
    clock.advance(1);
    expect(await outcome).toBe('late');
    expect(logs.lines).toMatchObject([
      { level: 50, graceMs: STOP_GRACE_MS, msg: 'Shutdown did not finish in time; exiting anyway' },
    ]);
  });

  it('reports a stop that finishes, or fails, as it ends', async () => {
    const { logs, log, clock } = setup();
    expect(await stopWithin(log, async () => {}, { clock })).toBe('stopped');
    expect(
      await stopWithin(
        log,
        async () => {
          throw new Error('the store would not close');
        },
        { clock },
      ),
    ).toBe('failed');
    expect(logs.lines).toMatchObject([{ level: 50, msg: 'Shutdown failed' }]);
  });
});
