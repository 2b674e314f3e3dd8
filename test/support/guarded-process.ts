import { createLogger } from '../../src/logger.js';
import { guardProcess } from '../../src/process-guards.js';

/**
 * A process guarded as src/main.ts guards the service (run by test/integration/process-guards.test.ts): a
 * background task's promise rejects with nobody listening, the process keeps going; later something throws
 * past every stack frame. Its own lines go through the same logger, so their order against the guard's is the
 * order they were written in (pino writes asynchronously; console.log would overtake it).
 */
const log = createLogger({ level: 'info', format: 'json' });
guardProcess(log, async () => {
  log.info('STOPPED GRACEFULLY');
});
// Kept alive, as a listening server keeps the service.
setInterval(() => {}, 1_000);
void Promise.reject(new Error('a background task failed'));
setTimeout(() => {
  log.info('STILL SERVING');
  setTimeout(() => {
    throw new Error('thrown past every frame');
  }, 10);
}, 100);
