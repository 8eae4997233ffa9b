/**
 * Checks vector files against our implementation: a valid vector must produce
 * exactly its expected output (both directions where the codec has two), an
 * invalid one must be rejected with its DecodeError code and `what`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Family } from './family.js';
import { FAMILIES } from './families.js';
import { rejectionOf, VectorFormatError, type Vector, type VectorFile } from './format.js';

export interface VectorFailure {
  name: string;
  problems: string[];
}

export interface FamilyReport {
  family: string;
  source: string;
  passed: number;
  failures: VectorFailure[];
  /** Behaviour worth telling that is not a failure, e.g. how an implementation-defined case was decided. */
  notes?: string[];
}

export function verifyVector(family: Family, vector: Vector): string[] {
  try {
    if (vector.error) {
      const got = rejectionOf(() => family.decodeInvalid(vector));
      if (!got) return ['accepted, expected a rejection'];
      const problems: string[] = [];
      if (got.code !== vector.error.code) problems.push(`rejected with code "${got.code}", expected "${vector.error.code}"`);
      if (got.what !== vector.error.what) problems.push(`rejected as "${got.what}", expected "${vector.error.what}"`);
      return problems;
    }
    if (!vector.expected) return ['neither expected nor error'];
    return family.checkValid(vector);
  } catch (err) {
    // A valid vector that our decoder rejects, or a malformed vector: a mismatch, never a crash.
    const e = err as Error;
    return [err instanceof VectorFormatError ? `malformed vector: ${e.message}` : `${e.name}: ${e.message}`];
  }
}

export function verifyVectorFile(family: Family, file: VectorFile, source: string): FamilyReport {
  const report: FamilyReport = { family: family.name, source, passed: 0, failures: [] };
  if (file.family !== family.name) {
    report.failures.push({ name: '(file)', problems: [`family is "${file.family}", expected "${family.name}"`] });
  }
  if (!Array.isArray(file.vectors) || file.vectors.length === 0) {
    report.failures.push({ name: '(file)', problems: ['no vectors'] });
    return report;
  }
  for (const vector of file.vectors) {
    const problems = verifyVector(family, vector);
    if (problems.length === 0) report.passed++;
    else report.failures.push({ name: String(vector.name), problems });
  }
  return report;
}

/** Every family's file in `dir`; a missing or unreadable file is a failure. */
export function verifyVectorDir(dir: string, families: readonly Family[] = FAMILIES): FamilyReport[] {
  return families.map((family) => {
    const path = join(dir, `${family.name}.json`);
    if (!existsSync(path)) {
      return { family: family.name, source: path, passed: 0, failures: [{ name: '(file)', problems: ['missing'] }] };
    }
    let file: VectorFile;
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as VectorFile;
    } catch (err) {
      return { family: family.name, source: path, passed: 0, failures: [{ name: '(file)', problems: [(err as Error).message] }] };
    }
    return verifyVectorFile(family, file, path);
  });
}
