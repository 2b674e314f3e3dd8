import { defineConfig } from 'vitest/config';
import LongFilesFirst from './test/support/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Files share one Redis server but never a key prefix, so they may run in parallel.
    pool: 'forks',
    // More files at once than the 2 cores of CI: a few still wait on the world in real time (a Sentinel failover,
    // processes starting, store TTLs), and others compute meanwhile. 4 against 2: 75 s against 114 s.
    maxWorkers: 4,
    // A worker's modules are imported once for all its files, not once per file: importing them again per file
    // cost more CPU than the tests themselves. Nothing global is changed by a file (metrics have one registry
    // per app; each file has its own store prefix or file).
    isolate: false,
    // The service, the scripts and the helper processes, bundled once for the tests that start them as
    // processes (test/support/bundle.ts).
    globalSetup: ['test/support/bundle.ts'],
    // The files that wait longest on the world start first, in a fresh clone too.
    sequence: { sequencer: LongFilesFirst },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts', 'handlers/**/*.ts'],
      reporter: ['text-summary', 'html'],
      reportsDirectory: 'coverage',
      thresholds: { lines: 85 },
    },
  },
});
