import { describe, expect, it } from 'vitest';
import { type BoundaryResult, benchLine, runFuzz } from '../../scripts/fuzz/harness.js';

/**
 * The fuzzer of `npm run fuzz` (scripts/fuzz/), seeded and shortened to 300 cases per boundary: every inbound
 * boundary of the running service takes generated input without a crash or a 5xx. The full run (10,000 cases)
 * also reports RSS growth; a test does not, as a shared worker's RSS says little.
 */
describe('generated input through every inbound boundary', () => {
  it('crashes nothing and answers no 5xx (300 seeded cases per boundary)', { timeout: 120_000 }, async () => {
    const results: BoundaryResult[] = await runFuzz({ cases: 300, seed: 20_261_205, idleMs: 0 });
    expect(results.map((r) => r.name)).toEqual([
      'http-request-lines',
      'http-headers',
      'http-paths',
      'http-raw-bytes',
      'telegram-webhook',
      'zalo-webhook',
      'telegram-callback-data',
      'zalo-texts',
      'roster-csv',
      'schedule-phrases',
      'meeting-time-phrases',
      'link-tokens',
      'answer-forms',
    ]);
    for (const r of results) {
      expect(r.cases, r.name).toBe(300);
      expect({
        name: r.name,
        crashes: r.crashes,
        serverErrors: r.serverErrors,
        findings: r.findings,
      }).toEqual({
        name: r.name,
        crashes: 0,
        serverErrors: 0,
        findings: [],
      });
    }
    // The machines' line has exactly the figures it promises.
    expect(Object.keys(JSON.parse(benchLine(results)).boundaries[0])).toEqual([
      'name',
      'cases',
      'crashes',
      'serverErrors',
      'rssGrowthMb',
    ]);
  });
});
