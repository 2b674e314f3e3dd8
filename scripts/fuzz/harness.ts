import fc from 'fast-check';
import { rawRequest } from '../../test/support/raw-http.js';
import { BOUNDARIES, type Boundary } from './boundaries.js';
import { type FuzzWorld, fuzzWorld } from './world.js';

/** One boundary's figures; the last four are the closing JSON line's. */
export interface BoundaryResult {
  name: string;
  cases: number;
  /** Throws or rejections where a refusal was due, unhandled errors, error-level log lines, a dead server. */
  crashes: number;
  /** Answers of 500 or above. */
  serverErrors: number;
  /**
   * RSS the process keeps after the boundary, over what it kept before it: each measured after a collection and
   * once the process has idled (V8 and malloc hand memory back a few seconds after a burst), so what counts is
   * what the cases left behind, not how high the burst went.
   */
  rssGrowthMb: number;
  /** The same for V8's used heap: what is still referenced (RSS also keeps pages V8 freed but did not return). */
  heapGrowthMb: number;
  /** HTTP cases with no answer: the connection closed (CONNECT) or still open at the timeout (incomplete). */
  unanswered: number;
  /** A few findings, to reproduce them. */
  findings: string[];
}

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** Only these boundaries (all when absent). */
  only?: string[];
  /** Called as each boundary finishes. */
  onBoundary?(result: BoundaryResult): void;
  /** How long the process may idle for the RSS figure (default 8 s; 0 measures at once). */
  idleMs?: number;
}

/** Cases generated and held at once: enough to keep a pool busy, few enough not to weigh on the RSS figure. */
const BATCH = 100;

const gc = (globalThis as { gc?: () => void }).gc;
/** RSS and V8's used heap in MB, after a full collection when the process runs with --expose-gc. */
function memoryMb() {
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss: rss / 2 ** 20, heap: heapUsed / 2 ** 20 };
}
type Memory = ReturnType<typeof memoryMb>;

/**
 * Memory once the process has idled: the lowest RSS seen over `idleMs` (V8's memory reducer and malloc give
 * back what a burst took after a few seconds), or as soon as it is down to `target`.
 */
async function settledMemoryMb(idleMs: number, target = 0): Promise<Memory> {
  let lowest = memoryMb();
  for (const end = Date.now() + idleMs; Date.now() < end && lowest.rss > target; ) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = memoryMb();
    if (now.rss < lowest.rss) lowest = now;
  }
  return lowest;
}

/** A stable number per boundary name, so each boundary's cases depend on the seed and not on the others. */
const nameSeed = (name: string) => [...name].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 7);

const describe = (input: unknown) =>
  (input instanceof Uint8Array
    ? Buffer.from(input).toString('latin1')
    : (JSON.stringify(input) ?? String(input))
  ).slice(0, 300);

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** What the fakes recorded is the fuzzer's garbage, not the service's: dropped between batches. */
function forget(world: FuzzWorld) {
  const { telegram, zalo } = world.hooks;
  for (const list of [
    telegram.sent,
    telegram.attempts,
    telegram.edits,
    telegram.callbackAnswers,
    zalo.sent,
    zalo.calls,
  ])
    list.length = 0;
  telegram.commands.length = 0;
}

async function runBoundary(
  boundary: Boundary,
  world: FuzzWorld,
  options: FuzzOptions & { idleMs: number },
  before: Memory,
): Promise<{ result: BoundaryResult; after: Memory }> {
  const result: BoundaryResult = {
    name: boundary.name,
    cases: 0,
    crashes: 0,
    serverErrors: 0,
    rssGrowthMb: 0,
    heapGrowthMb: 0,
    unanswered: 0,
    findings: [],
  };
  const note = (what: string) => {
    if (result.findings.length < 5) result.findings.push(what);
  };
  const unhandled = (err: unknown) => {
    result.crashes += 1;
    note(`unhandled: ${err instanceof Error ? err.stack : String(err)}`);
  };
  process.on('unhandledRejection', unhandled);
  process.on('uncaughtException', unhandled);
  const errorsBefore = world.errors.count;
  const arbitrary = boundary.arbitrary(world);
  try {
    for (let batch = 0; result.cases < options.cases; batch++) {
      const size = Math.min(BATCH, options.cases - result.cases);
      const inputs = fc.sample(arbitrary, {
        numRuns: size,
        seed: (options.seed ^ nameSeed(boundary.name)) + batch,
      });
      await pool(inputs, boundary.concurrency ?? 1, async (input) => {
        try {
          const status = await boundary.run(input, world);
          if (boundary.overHttp && status === undefined) result.unanswered += 1;
          if (typeof status === 'number' && status >= 500) {
            result.serverErrors += 1;
            note(`${status} for ${describe(input)}`);
          }
        } catch (err) {
          result.crashes += 1;
          note(`threw ${err instanceof Error ? err.message : String(err)} for ${describe(input)}`);
        }
      });
      result.cases += size;
      forget(world);
    }
    await boundary.settle?.(world);
    // The service must still be serving.
    const health = await rawRequest(
      world.port,
      'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    if (health.status !== 200) {
      result.crashes += 1;
      note(`the service stopped answering: /healthz ${health.status}`);
    }
  } finally {
    process.off('unhandledRejection', unhandled);
    process.off('uncaughtException', unhandled);
  }
  const errors = world.errors.count - errorsBefore;
  if (errors > 0) {
    result.crashes += errors;
    for (const line of world.errors.first.splice(0)) note(`logged: ${line}`);
  }
  forget(world);
  const after = await settledMemoryMb(options.idleMs, before.rss);
  const growth = (mb: number) => Math.max(0, Math.round(mb * 10) / 10);
  result.rssGrowthMb = growth(after.rss - before.rss);
  result.heapGrowthMb = growth(after.heap - before.heap);
  return { result, after };
}

/** Drives every boundary (or `only` those) with `cases` generated inputs each, on one running service. */
export async function runFuzz(options: FuzzOptions): Promise<BoundaryResult[]> {
  const world = await fuzzWorld();
  const results: BoundaryResult[] = [];
  const idleMs = options.idleMs ?? 8_000;
  try {
    let memory = await settledMemoryMb(idleMs);
    for (const boundary of BOUNDARIES) {
      if (options.only && !options.only.includes(boundary.name)) continue;
      const { result, after } = await runBoundary(boundary, world, { ...options, idleMs }, memory);
      // Each boundary is measured from where the one before it left the process.
      memory = after;
      results.push(result);
      options.onBoundary?.(result);
    }
  } finally {
    await world.stop();
  }
  return results;
}

/** The closing line: exactly the figures machines compare run to run. */
export const benchLine = (results: BoundaryResult[]) =>
  JSON.stringify({
    bench: 'fuzz',
    boundaries: results.map(({ name, cases, crashes, serverErrors, rssGrowthMb }) => ({
      name,
      cases,
      crashes,
      serverErrors,
      rssGrowthMb,
    })),
  });
