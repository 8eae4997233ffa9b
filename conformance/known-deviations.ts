/**
 * KNOWN-DEVIATIONS.md as data: the table of tests @ethereumjs/client fails,
 * and a comparison of a run's verdicts against it. Both interop runs (cmd:
 * and docker:) hold the client to the same table, so the rules live here.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Verdict } from './core/verdict.js';

export interface KnownDeviations {
  /** Tests that failed in every recorded run: passing now is a change to explain. */
  fails: string[];
  /** Tests whose verdict changed between recorded runs: either outcome is accepted. */
  varies: string[];
}

/** Rows are `| \`test id\` | level | clause | what it does instead | fails or varies |`. */
export function parseKnownDeviations(markdown: string): KnownDeviations {
  const known: KnownDeviations = { fails: [], varies: [] };
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*`([^`]+)`\s*\|.*\|\s*(fails|varies)\s*\|\s*$/.exec(line);
    if (m) known[m[2] as keyof KnownDeviations].push(m[1]!);
  }
  return known;
}

export function readKnownDeviations(): KnownDeviations {
  return parseKnownDeviations(readFileSync(resolve(import.meta.dirname, 'KNOWN-DEVIATIONS.md'), 'utf8'));
}

export interface DeviationMismatch {
  /** Failures the table does not list, with what went wrong. */
  undocumented: string[];
  /** Rows marked `fails` whose test did not fail. */
  notFailing: string[];
}

export function compareWithKnownDeviations(verdicts: readonly Verdict[], known: KnownDeviations): DeviationMismatch {
  const listed = new Set([...known.fails, ...known.varies]);
  const failed = new Set(verdicts.filter((v) => v.status === 'fail').map((v) => v.id));
  return {
    undocumented: verdicts.filter((v) => v.status === 'fail' && !listed.has(v.id)).map((v) => `${v.id} [${v.level}]: ${v.message} (expected ${v.expected}, got ${v.actual})`),
    notFailing: known.fails.filter((id) => !failed.has(id)).map((id) => `${id}: ${verdicts.find((v) => v.id === id)?.status ?? 'did not run'}`),
  };
}
