import { rmSync } from 'node:fs';
import { execPath } from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { forgetChildren, killLeftChildren } from './children.js';

/**
 * The service, the operators' scripts and the tests' helper processes, bundled once per run (vitest's
 * globalSetup) into plain JavaScript: the tests that start them as processes run `node` on the bundle instead of
 * compiling TypeScript in every process through tsx, and load a few files instead of resolving hundreds in
 * node_modules (a service process starts on 0.85 s of CPU instead of 1.15 s). The bundle lives under the project
 * (node_modules/.cache), so better-sqlite3 and the project root (src/paths.ts) resolve as from the sources.
 * The startup test still runs the real `npm start`, and CI's image check the built dist/.
 */
const ENTRIES = {
  main: 'src/main.ts',
  'dead-letters': 'scripts/dead-letters.ts',
  'import-roster': 'scripts/import-roster.ts',
  calendar: 'scripts/calendar.ts',
  'guarded-process': 'test/support/guarded-process.ts',
  'scheduler-worker': 'test/support/scheduler-worker.ts',
} as const;

const BUNDLE_DIR = fileURLToPath(new URL('../../node_modules/.cache/chibo-test-bundle/', import.meta.url));

/** `node` and its arguments to run one entry of the bundle. */
export const bundled = (entry: keyof typeof ENTRIES, ...args: string[]): [string, string[]] => [
  execPath,
  [`${BUNDLE_DIR}${entry}.mjs`, ...args],
];

export default async function bundle(): Promise<() => void> {
  forgetChildren();
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  await build({
    entryPoints: ENTRIES,
    outdir: BUNDLE_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The packages go into the bundle too, but the native better-sqlite3: one file to load instead of hundreds
    // to resolve. `require` is for the CommonJS packages inside.
    external: ['better-sqlite3'],
    // node-fetch (under grammY) knows an AbortSignal by its class name, which esbuild would rename.
    keepNames: true,
    banner: {
      js: "import { createRequire as __chiboRequire } from 'node:module'; const require = __chiboRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  // The run's teardown: processes a timed-out test left behind go with the run (test/support/children.ts).
  return () => {
    const killed = killLeftChildren();
    if (killed > 0) console.warn(`killed ${killed} process(es) a test left running`);
  };
}
