import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Files share one Redis server but never a key prefix, so they may run in parallel.
    pool: 'forks',
    // Most of the time is spent waiting (fake servers, simulated journeys), not computing: more files at once
    // than the 2 cores of CI finish sooner.
    maxWorkers: 4,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
