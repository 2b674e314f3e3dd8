import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Processes the tests start, killed at the end of the run if they are still running. A test that times out
 * never reaches its `finally`, and vitest ends its worker with a signal that runs no handler: its service
 * replicas or scheduler workers would live on, sending to fake servers that are gone and taking CPU from every
 * later run on the machine. Each is listed in a file as it starts and marked when it exits; the run's teardown
 * (test/support/bundle.ts) kills what is listed and unmarked.
 */
const REGISTRY = fileURLToPath(new URL('../../node_modules/.cache/chibo-test-children', import.meta.url));

/** Lists `child` (with its process group when it was spawned `detached`) and returns it. */
export function killedAtEnd<T extends ChildProcess>(child: T, options: { group?: boolean } = {}): T {
  const pid = child.pid;
  if (pid === undefined) return child;
  appendFileSync(REGISTRY, `start ${pid} ${options.group ? 'group' : 'alone'}\n`);
  child.once('exit', () => appendFileSync(REGISTRY, `exit ${pid}\n`));
  return child;
}

/** Empties the list (at the start of a run). */
export function forgetChildren(): void {
  mkdirSync(dirname(REGISTRY), { recursive: true });
  writeFileSync(REGISTRY, '');
}

/** Kills every listed process that never exited; returns how many. */
export function killLeftChildren(): number {
  if (!existsSync(REGISTRY)) return 0;
  const left = new Map<number, boolean>();
  for (const line of readFileSync(REGISTRY, 'utf8').split('\n')) {
    const [what, pid, group] = line.split(' ');
    if (what === 'start') left.set(Number(pid), group === 'group');
    else if (what === 'exit') left.delete(Number(pid));
  }
  let killed = 0;
  for (const [pid, group] of left)
    try {
      process.kill(group ? -pid : pid, 'SIGKILL');
      killed++;
    } catch {}
  return killed;
}
