import cron from 'node-cron';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../src/content/policy.js';
import { createMetrics } from '../../../src/metrics.js';
import { storeRunCoordinator, whileLeader } from '../../../src/scheduler/coordination.js';
import { startScheduler } from '../../../src/scheduler/index.js';
import { keys } from '../../../src/store/keys.js';
import { quietLog, RecordingSender, seedCell, storeTargets } from '../../support/scheduler-fixtures.js';

const targets = await storeTargets(import.meta.filename);
afterAll(() => Promise.all(targets.map((t) => t.cleanup())));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Each test has a store of its own, and most of their time is waiting on real time (cron's seconds, store TTLs):
// they run side by side.
for (const target of targets) {
  describe.concurrent(`coordination on ${target.name}`, () => {
    it('lets one of several replicas run each slot of a distributed node-cron task', async () => {
      const store = await target.open();
      const runs: string[] = [];
      const tasks = ['a', 'b', 'c'].map((replica) =>
        cron.schedule('* * * * * *', (ctx) => void runs.push(ctx.date.toISOString()), {
          name: 'every-second',
          distributed: true,
          runCoordinator: storeRunCoordinator(store, replica),
          distributedLease: 10_000,
        }),
      );
      // Two slots run, and long enough after the second for a duplicate of it to show.
      for (let i = 0; i < 400 && runs.length < 2; i++) await sleep(10);
      await sleep(300);
      await Promise.all(tasks.map((task) => task.destroy()));
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(new Set(runs).size).toBe(runs.length);
      await store.close();
    });

    it('runs leader work on one replica at a time, and hands over when the leader stops', async () => {
      const store = await target.open();
      let running = 0;
      let most = 0;
      const ran: string[] = [];
      const work = (replica: string) => async (signal: AbortSignal) => {
        running++;
        most = Math.max(most, running);
        ran.push(replica);
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        running--;
      };
      const options = (replicaId: string) => ({ replicaId, ttlMs: 900, log: quietLog });
      const first = whileLeader(store, 'job', work('first'), options('first'));
      await sleep(100);
      const second = whileLeader(store, 'job', work('second'), options('second'));
      await sleep(1_000); // longer than a lease: the first renews it, the second keeps waiting
      expect(ran).toEqual(['first']);
      await first.stop();
      for (let i = 0; i < 100 && ran.length < 2; i++) await sleep(20);
      expect(ran).toEqual(['first', 'second']);
      expect(most).toBe(1);
      await second.stop();
      expect(await store.get(keys.lease('job'))).toBeUndefined();
      await store.close();
    });

    it('starts a scheduler that plans at once and sends through the elected outbox', async () => {
      const store = await target.open();
      const { cell, secretaries } = await seedCell(store);
      const sender = new RecordingSender();
      const scheduler = startScheduler({
        store,
        log: quietLog,
        metrics: createMetrics(),
        policy: loadPolicy('hai-cap-2025'),
        senders: [sender],
        rates: { telegram: 25 },
        timeZone: 'Asia/Ho_Chi_Minh',
      });
      const chat = String(secretaries[0]?.telegramId);
      await scheduler.outbox.enqueue([
        { key: 'hello', channel: 'telegram', chatId: chat, view: { text: 'Xin chào' } },
      ]);
      for (
        let i = 0;
        i < 100 && (sender.sent.length === 0 || (await store.zcard(keys.cellMeetings(cell.id))) === 0);
        i++
      )
        await sleep(20);
      await scheduler.stop();
      expect(sender.sent.map((s) => s.text)).toEqual(['Xin chào']);
      expect(await store.zcard(keys.cellMeetings(cell.id))).toBeGreaterThan(0);
      await store.close();
    });
  });
}
