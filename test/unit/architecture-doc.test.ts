import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';

/**
 * ARCHITECTURE.md tells where changes go: each path it names must exist, or the page sends the next person to
 * a file that moved. `{a,b}` names both; `*.ext` a file of that kind in the folder; `<name>` any folder there.
 */
function expand(path: string): string[] {
  const [whole, inside] = /\{([^}]+)\}/.exec(path) ?? [];
  if (whole === undefined || inside === undefined) return [path];
  return inside.split(',').flatMap((part) => expand(path.replace(whole, part)));
}

function exists(path: string): boolean {
  if (path.includes('<')) return existsSync(join(PROJECT_ROOT, path.slice(0, path.indexOf('<'))));
  if (path.includes('*')) {
    const dir = join(PROJECT_ROOT, dirname(path));
    const ext = path.slice(path.lastIndexOf('*') + 1);
    return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith(ext));
  }
  return existsSync(join(PROJECT_ROOT, path));
}

describe('ARCHITECTURE.md', () => {
  const text = readFileSync(join(PROJECT_ROOT, 'ARCHITECTURE.md'), 'utf8');
  const named = [...text.matchAll(/`((?:src|handlers|content|test|scripts)\/[^`\s]*)`/g)].map(
    (m) => m[1] ?? '',
  );

  it('names only paths that exist', () => {
    expect(named.length).toBeGreaterThan(30);
    expect(named.flatMap(expand).filter((p) => !exists(p))).toEqual([]);
  });
});
