/**
 * `npm run fuzz [-- --cases 10000] [--seed 1] [--only name,name]`: generated input (fast-check, and raw bytes where
 * it fits) through every inbound boundary of the running service — raw HTTP request lines, headers, paths and
 * bytes at the socket, the Telegram and Zalo webhook bodies, callback data, Zalo texts, roster and committee
 * CSV, schedule and meeting-time phrases, signed link tokens, answer-page forms (scripts/fuzz/boundaries.ts).
 * Per boundary it prints cases, crashes (a throw where a refusal was due, an unhandled error, an error logged,
 * the service no longer answering), 5xx answers and RSS growth; the last line is the same as one JSON object.
 * Goals: 0 crashes, 0 server errors, RSS growth ≤ 50 MB per boundary. Run with --expose-gc (npm run fuzz does)
 * so RSS is measured after a collection.
 */
import { parseArgs } from 'node:util';
import { benchLine, runFuzz } from './fuzz/harness.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
  },
});
const cases = Number(values.cases);
const seed = Number(values.seed);
if (!Number.isSafeInteger(cases) || cases < 1 || !Number.isSafeInteger(seed)) {
  console.error('--cases must be a positive whole number and --seed a whole number');
  process.exit(2);
}

console.log(`fuzz: ${cases} cases per boundary, seed ${seed}`);
const started = Date.now();
const results = await runFuzz({
  cases,
  seed,
  ...(values.only ? { only: values.only.split(',') } : {}),
  onBoundary: (r) => {
    const unanswered = r.unanswered
      ? `, ${r.unanswered} without an answer (closed, as on CONNECT, or left incomplete)`
      : '';
    console.log(
      `${r.name.padEnd(24)} ${String(r.cases).padStart(6)} cases  ${r.crashes} crashes  ${r.serverErrors} 5xx  ` +
        `RSS +${r.rssGrowthMb} MB (heap +${r.heapGrowthMb} MB)${unanswered}`,
    );
    for (const finding of r.findings) console.log(`    ${finding}`);
  },
});
const failed = results.filter((r) => r.crashes > 0 || r.serverErrors > 0 || r.rssGrowthMb > 50);
console.log(
  `${failed.length === 0 ? 'all goals met' : `goals missed by ${failed.map((r) => r.name).join(', ')}`} in ` +
    `${Math.round((Date.now() - started) / 1000)} s (the machine is shared: times vary)`,
);
console.log(benchLine(results));
process.exitCode = failed.length === 0 ? 0 : 1;
