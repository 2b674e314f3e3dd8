import { type App, startApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { ContentError } from './content/problems.js';
import { storeConnection } from './open-store.js';
import { guardProcess, stopWithin } from './process-guards.js';
import { fileClock } from './test-clock.js';

/**
 * Entry point: a bad environment exits before anything starts; SIGINT/SIGTERM stop gracefully, from the first
 * moment (the handlers come before start-up, which never waits on the outside world: channels connect in the
 * background). `npm start` execs this process, so a signal sent to npm reaches it (package.json).
 */
async function main() {
  let app: App | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Before the app exists there is nothing to finish; once it does, it stops in order.
    if (!app) process.exit(0);
    app.log.info({ signal }, 'Signal received');
    void stopWithin(app.log, app.stop).then((outcome) => process.exit(outcome === 'stopped' ? 0 : 1));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
  const clock = config.TEST_CLOCK_FILE ? fileClock(config.TEST_CLOCK_FILE) : undefined;
  const started = await startApp(config, clock ? { clock } : {});
  app = started;
  guardProcess(started.log, started.stop);
  // Tests only (NODE_ENV=test): when the test moves the clock, plan and tick as the schedule would then.
  clock?.onJump(async () => {
    try {
      await started.scheduler.planner.planAll();
      await started.scheduler.dispatcher.tick();
    } catch (err) {
      started.log.error({ err }, 'Planning or ticking after a clock jump failed');
    }
  });
  // A store that can never work (a Redis Cluster node) stops the service; the log has said why.
  const connection = storeConnection(started.store);
  const refuse = () => void started.stop().finally(() => process.exit(2));
  if (connection.state().state === 'refused') refuse();
  else connection.onStateChange(({ state }) => state === 'refused' && refuse());
}

main().catch((err) => {
  if (err instanceof ContentError) console.error(err.message);
  else console.error('chibo failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
