import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bundled } from '../support/bundle.js';

describe('the service process', () => {
  it('logs an unhandled rejection and keeps going; on an uncaught exception it stops gracefully and exits 1', async () => {
    const child = spawn(...bundled('guarded-process'), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    const lines = out.split('\n');
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    expect(at('Unhandled promise rejection; the service keeps serving')).toBeGreaterThanOrEqual(0);
    expect(out).toContain('a background task failed');
    // Kept serving after the rejection, then stopped through the graceful path after the exception.
    expect(at('STILL SERVING')).toBeGreaterThan(at('Unhandled promise rejection'));
    expect(at('Uncaught exception; stopping the service to be restarted')).toBeGreaterThan(
      at('STILL SERVING'),
    );
    expect(at('STOPPED GRACEFULLY')).toBeGreaterThan(at('Uncaught exception'));
  });
});
