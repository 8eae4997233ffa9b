/**
 * `--run` patterns: comma-separated globs over test ids, where `*` matches
 * within one path segment and `**` across segments; a pattern without a
 * wildcard also selects every test under it (`eth/68` selects eth/68/...).
 * A pattern that selects nothing is a usage error, so a typo never turns a
 * run into an empty pass.
 */
import type { ConformanceTest } from './test.js';

export class SelectionError extends Error {
  override readonly name = 'SelectionError';
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const prefix = /[*?]/.test(glob) ? '' : '(/.*)?';
  return new RegExp(`^${re}${prefix}$`);
}

export function selectTests<T extends Pick<ConformanceTest, 'id'>>(tests: readonly T[], patterns: string | undefined): T[] {
  if (patterns === undefined || patterns.trim() === '') return [...tests];
  const globs = patterns.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const chosen = new Set<T>();
  for (const glob of globs) {
    const re = globToRegExp(glob);
    const hits = tests.filter((t) => re.test(t.id));
    if (hits.length === 0) throw new SelectionError(`--run pattern "${glob}" matches no test (try "devp2p-check conform --list")`);
    for (const t of hits) chosen.add(t);
  }
  return tests.filter((t) => chosen.has(t));
}

/** `--shard i/n`: the i-th of n stable slices (by position in the id-sorted list). */
export function shardTests<T extends Pick<ConformanceTest, 'id'>>(tests: readonly T[], index: number, count: number): T[] {
  return [...tests].sort((a, b) => (a.id < b.id ? -1 : 1)).filter((_, i) => i % count === index - 1);
}
