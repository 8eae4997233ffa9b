/**
 * `--junit F`: one <testsuite> per suite, one <testcase> per test, with the
 * spec clause and level as properties so CI dashboards can group by clause.
 * Failures carry expected / got and the transcript; skips keep their reason
 * in system-out; harness errors are <error>, apart from target failures.
 */
import junitModule, { type Builder } from 'junit-report-builder';
import { suiteOf } from '../core/test.js';
import type { Verdict } from '../core/verdict.js';
import { formatTranscript } from './transcript-text.js';
import type { RunInfo } from './run-info.js';

// The package's types describe an ES default export, but Node loads its CommonJS build, whose module.exports is the builder itself.
const rootBuilder = ((junitModule as unknown as { default?: Builder }).default ?? junitModule) as unknown as Builder;

export function buildJunit(info: RunInfo, verdicts: readonly Verdict[]): string {
  const builder = rootBuilder.newBuilder();
  builder.name(`devp2p-check ${info.version} conform`);
  const suites = new Map<string, ReturnType<typeof builder.testSuite>>();
  for (const v of verdicts) {
    const suiteName = suiteOf(v);
    let suite = suites.get(suiteName);
    if (!suite) {
      suite = builder.testSuite().name(suiteName).property('target', info.targets.map((t) => t.description).join('; ')).property('seed', info.seed);
      suites.set(suiteName, suite);
    }
    const tc = suite
      .testCase()
      .className(suiteName)
      .name(v.id)
      .time(v.durationMs / 1000)
      .property('spec', v.spec)
      .property('level', v.level)
      .property('title', v.title)
      .property('target', v.target);
    if (v.status === 'fail') {
      tc.failure(`[${v.level}] ${v.message ?? 'failed'}`, v.level);
      tc.stacktrace(`spec: ${v.spec}\nexpected: ${v.expected ?? ''}\ngot: ${v.actual ?? ''}\n\ntranscript:\n${formatTranscript(v.transcript)}${v.targetLog ? `\n\ntarget output:\n${v.targetLog}` : ''}`);
    } else if (v.status === 'error') {
      tc.error(v.message ?? 'harness error', 'harness');
    } else if (v.status === 'skip') {
      tc.skipped().standardOutput(`skipped: ${v.message ?? ''}`);
    }
  }
  return builder.build();
}
