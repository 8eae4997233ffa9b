/**
 * A small harness for checking one official vector file: named checks, each
 * returning its mismatches, gathered into the same FamilyReport our own
 * families produce. A check that throws is a mismatch (with the error), never
 * a crash of the verifier.
 */
import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '../../../reference-node/wire/bytes.js';
import { DecodeError } from '../../../reference-node/wire/errors.js';
import type { FamilyReport } from '../verify.js';

/** Returns its mismatches; [] when the vector holds. */
export type Check = () => string[];

export class Problems {
  readonly list: string[] = [];
  /** Records a mismatch unless got equals want (compared as JSON text, bigints as decimal). */
  same(label: string, got: unknown, want: unknown): void {
    const a = show(got);
    const b = show(want);
    if (a !== b) this.list.push(`${label}: got ${a}, expected ${b}`);
  }
  add(problem: string): void {
    this.list.push(problem);
  }
}

function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? bytesToHex(v) : v)) ?? 'undefined';
}

export function runChecks(family: string, source: string, checks: [string, Check][], notes: string[] = []): FamilyReport {
  const report: FamilyReport = { family, source, passed: 0, failures: [], notes };
  if (checks.length === 0) report.failures.push({ name: '(file)', problems: ['no vectors found'] });
  for (const [name, check] of checks) {
    let problems: string[];
    try {
      problems = check();
    } catch (err) {
      const e = err as Error;
      problems = [`${e.name}: ${e.message}`];
    }
    if (problems.length === 0) report.passed++;
    else report.failures.push({ name, problems });
  }
  return report;
}

/** A file that cannot be read or parsed is one failure for its family. */
export function fileFailure(family: string, source: string, err: unknown): FamilyReport {
  return { family, source, passed: 0, failures: [{ name: '(file)', problems: [(err as Error).message] }] };
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The reference files write hex without 0x, sometimes with it, sometimes in upper case. */
export function bytes(text: string): Uint8Array {
  return hexToBytes(text.replace(/^0x/i, '').toLowerCase());
}

export function hexOf(b: Uint8Array): string {
  return bytesToHex(b);
}

/** The DecodeError a decoder throws, or undefined when it accepts. Other errors propagate. */
export function rejection(fn: () => unknown): DecodeError | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err;
  }
  return undefined;
}
