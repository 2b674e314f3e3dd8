import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that wait longest on the world in real time (service processes starting and being killed, a Sentinel
 * failover, a year simulated on two stores, 3,900 fuzz cases over sockets), longest first. They start before the
 * rest, so the others compute while these wait, and no run ends on one of them alone. Vitest would order them by
 * the timings of the last run, which a fresh clone (CI) does not have: there, by file size, the suite took 45-46 s
 * of wall time on this 2-core VM where this order takes 39-42 s.
 */
export const LONG_FILES = [
  'test/integration/three-replicas.test.ts',
  'test/integration/scheduler-processes.test.ts',
  'test/integration/visit-alerts-year.test.ts',
  'test/integration/startup.test.ts',
  'test/integration/redis-connection.test.ts',
  'test/integration/redis-sentinel.test.ts',
  'test/integration/service.test.ts',
  'test/fuzz/boundaries.test.ts',
  'test/contract/redis.test.ts',
];

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The long files first, in the order above; then vitest's own order. */
export default class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // A renamed file would silently fall back to the end: say so instead.
    for (const path of LONG_FILES) if (!existsSync(ROOT + path)) throw new Error(`${path} is gone`);
    const rank = (spec: TestSpecification) => {
      const i = LONG_FILES.findIndex((path) => spec.moduleId === ROOT + path);
      return i === -1 ? LONG_FILES.length : i;
    };
    const sorted = await super.sort(files);
    return sorted
      .map((spec, i) => ({ spec, i, rank: rank(spec) }))
      .sort((a, b) => a.rank - b.rank || a.i - b.i)
      .map(({ spec }) => spec);
  }
}
