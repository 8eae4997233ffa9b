/**
 * The deviations table is read the way the interop runs read it, and it
 * only names tests that exist, each with the clause that test cites.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Verdict } from './core/verdict.js';
import { compareWithKnownDeviations, parseKnownDeviations, readKnownDeviations } from './known-deviations.js';
import { ALL_TESTS } from './suites/index.js';

const verdict = (id: string, status: Verdict['status']): Verdict => ({ id, title: id, spec: 'rlpx.md', level: 'MUST', target: 't', status, message: 'm', expected: 'e', actual: 'a', durationMs: 1, transcript: [] }) as Verdict;

describe('KNOWN-DEVIATIONS.md', () => {
  it('names only registered tests, with the level and clause each test declares', () => {
    const rows = readFileSync(resolve(import.meta.dirname, 'KNOWN-DEVIATIONS.md'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => l.split('|').map((c) => c.trim().replace(/`/g, '')));
    expect(rows.length).toBeGreaterThan(0);
    const byId = new Map(ALL_TESTS.map((t) => [t.id, t]));
    const wrong = rows.filter(([, id, level, spec]) => byId.get(id!)?.level !== level || byId.get(id!)?.spec !== spec).map((r) => r[1]);
    expect(wrong).toEqual([]);
    const known = readKnownDeviations();
    expect(known.fails.length + known.varies.length).toBe(rows.length);
  });

  it('flags an undocumented failure and a documented failure that passed, and lets a varying one go either way', () => {
    const known = parseKnownDeviations(['| test | level | clause | instead | outcome |', '|---|---|---|---|---|', '| `a/x` | MUST | `c` | drops | fails |', '| `a/y` | SHOULD | `c` | slow | varies |', '| `a/z` | SHOULD | `c` | slow | varies |'].join('\n'));
    expect(known).toEqual({ fails: ['a/x'], varies: ['a/y', 'a/z'] });
    expect(compareWithKnownDeviations([verdict('a/x', 'fail'), verdict('a/y', 'pass'), verdict('a/z', 'fail')], known)).toEqual({ undocumented: [], notFailing: [] });
    const off = compareWithKnownDeviations([verdict('a/x', 'pass'), verdict('b/new', 'fail')], known);
    expect(off.notFailing).toEqual(['a/x: pass']);
    expect(off.undocumented).toEqual(['b/new [MUST]: m (expected e, got a)']);
  });
});
