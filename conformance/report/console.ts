/**
 * The live console report: one line per verdict as it arrives, then a table
 * per suite and the totals. Failures print the expectation and what arrived,
 * so a CI log alone says what broke.
 */
import { suiteOf } from '../core/test.js';
import { summarize, type Verdict } from '../core/verdict.js';

const MARK: Record<Verdict['status'], string> = { pass: 'PASS ', fail: 'FAIL ', skip: 'SKIP ', error: 'ERROR' };

export class ConsoleReporter {
  private done = 0;

  constructor(
    private readonly total: number,
    private readonly write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  ) {}

  verdict(v: Verdict): void {
    this.done++;
    const progress = `[${String(this.done).padStart(String(this.total).length)}/${this.total}]`;
    const level = v.status === 'fail' ? ` ${v.level}` : '';
    this.write(`${progress} ${MARK[v.status]}${level} ${v.id} (${v.durationMs} ms)${v.status === 'pass' ? '' : `: ${firstLine(v.message)}`}`);
    if (v.status === 'fail') {
      this.write(`        spec: ${v.spec}`);
      if (v.expected !== undefined) this.write(`        expected: ${v.expected}`);
      if (v.actual !== undefined) this.write(`        got:      ${v.actual}`);
    }
  }

  summary(verdicts: readonly Verdict[], wallMs: number): void {
    const suites = [...new Set(verdicts.map((v) => suiteOf(v)))];
    this.write('');
    this.write(`${'suite'.padEnd(18)} ${'pass'.padStart(5)} ${'fail'.padStart(5)} ${'skip'.padStart(5)} ${'error'.padStart(5)}`);
    for (const suite of suites) {
      const s = summarize(verdicts.filter((v) => suiteOf(v) === suite));
      this.write(`${suite.padEnd(18)} ${String(s.passed).padStart(5)} ${String(s.failed).padStart(5)} ${String(s.skipped).padStart(5)} ${String(s.errors).padStart(5)}`);
    }
    const s = summarize(verdicts);
    this.write('');
    this.write(`${s.total} tests in ${(wallMs / 1000).toFixed(1)} s: ${s.passed} passed, ${s.failed} failed (${s.mustFailed} MUST, ${s.shouldFailed} SHOULD), ${s.skipped} skipped, ${s.errors} harness errors`);
  }
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!;
}
