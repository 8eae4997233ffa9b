/**
 * The outcome of one test, with everything a report needs: what was
 * expected, what arrived, and the transcript of the test's connections.
 */
import type { TranscriptEntry } from '../sim/transcript.js';
import type { ConformanceTest, Level } from './test.js';

/**
 * - pass / fail: the target's behaviour met / broke the clause;
 * - skip: the test could not apply (the reason says why); never counted as a pass;
 * - error: the harness itself failed (a bug here, not in the target).
 */
export type VerdictStatus = 'pass' | 'fail' | 'skip' | 'error';

export interface Verdict {
  id: string;
  title: string;
  spec: string;
  level: Level;
  status: VerdictStatus;
  /** One sentence: the failure, the skip reason or the harness error. */
  message?: string;
  expected?: string;
  actual?: string;
  durationMs: number;
  /** Which target instance ran it. */
  target: string;
  transcript: TranscriptEntry[];
  /** The target's recent output, when it crashed during the test. */
  targetLog?: string;
}

export interface VerdictSummary {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  errors: number;
  mustFailed: number;
  shouldFailed: number;
}

export function summarize(verdicts: readonly Verdict[]): VerdictSummary {
  const s: VerdictSummary = { total: verdicts.length, passed: 0, failed: 0, skipped: 0, errors: 0, mustFailed: 0, shouldFailed: 0 };
  for (const v of verdicts) {
    if (v.status === 'pass') s.passed++;
    else if (v.status === 'skip') s.skipped++;
    else if (v.status === 'error') s.errors++;
    else {
      s.failed++;
      if (v.level === 'MUST') s.mustFailed++;
      else s.shouldFailed++;
    }
  }
  return s;
}

export function skipVerdict(test: ConformanceTest, reason: string, target: string): Verdict {
  return { id: test.id, title: test.title, spec: test.spec, level: test.level, status: 'skip', message: reason, durationMs: 0, target, transcript: [] };
}
