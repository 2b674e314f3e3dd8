import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundled } from '../support/bundle.js';

/** The configuration as an operator meets it: the service's entry point started with a given environment. */
const dir = mkdtempSync(join(tmpdir(), 'chibo-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runMain(env: Record<string, string>) {
  const child = spawn(...bundled('main'), {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

describe('configuration at start', () => {
  it('an unknown POLICY exits 2 with one line, in the same format as every other bad variable', async () => {
    const run = runMain({ POLICY: 'hai-cap-2052', PORT: '70000' });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toBe(
      [
        'Invalid environment:',
        '  PORT: must be between 0 and 65535 (0 picks a free port)',
        '  POLICY: must be a preset (hai-cap-2025, kontum-2023, laocai-2020) or the path of a policy JSON file',
        '',
      ].join('\n'),
    );
    expect(run.stdout()).toBe('');
  });

  it('JSON log lines carry the replica that wrote them', async () => {
    const run = runMain({ PORT: '0', LOG_FORMAT: 'json' });
    const deadline = Date.now() + 15_000;
    while (!run.stdout().includes('chibo is running') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    run.child.kill('SIGTERM');
    await run.exited;
    const lines = run
      .stdout()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { replica?: string; msg: string });
    expect(lines.map((l) => l.msg)).toContain('Stopped');
    const replica = lines[0]?.replica ?? '';
    expect(replica.startsWith(`${hostname()}:${run.child.pid}:`)).toBe(true);
    expect(lines.every((l) => l.replica === replica)).toBe(true);
  });
});
