/**
 * `--hive-results DIR`: one file per suite in hive's suite-result JSON
 * (testCases keyed by number, each with start/end and summaryResult.pass and
 * details), so hiveview can list and show a devp2p-check run next to hive's.
 * Skipped tests are left out, as hive has no skip state and a skip is not a pass.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suiteOf } from '../core/test.js';
import type { Verdict } from '../core/verdict.js';
import type { RunInfo } from './run-info.js';
import { formatTranscript } from './transcript-text.js';

interface HiveTestCase {
  name: string;
  description: string;
  start: string;
  end: string;
  summaryResult: { pass: boolean; details: string };
  clientInfo: Record<string, never>;
}

export function hiveSuites(info: RunInfo, verdicts: readonly Verdict[]): Array<{ file: string; json: unknown }> {
  const stamp = info.startedAt.replace(/[:.]/g, '-');
  const suites = [...new Set(verdicts.map((v) => suiteOf(v)))];
  return suites.map((suite, index) => {
    let clock = Date.parse(info.startedAt);
    const testCases: Record<string, HiveTestCase> = {};
    let n = 0;
    for (const v of verdicts.filter((x) => suiteOf(x) === suite && x.status !== 'skip')) {
      const start = new Date(clock).toISOString();
      clock += v.durationMs;
      const details =
        v.status === 'pass'
          ? `spec ${v.spec} (${v.level})`
          : `${v.status === 'error' ? 'harness error' : `[${v.level}] failed`}: ${v.message ?? ''}\nspec: ${v.spec}\nexpected: ${v.expected ?? ''}\ngot: ${v.actual ?? ''}\n\n${formatTranscript(v.transcript, 80)}`;
      testCases[String(++n)] = { name: v.id, description: `${v.title} (${v.spec}, ${v.level})`, start, end: new Date(clock).toISOString(), summaryResult: { pass: v.status === 'pass', details }, clientInfo: {} };
    }
    return {
      file: `${stamp}-devp2p-check-${suite}.json`,
      json: {
        id: index,
        name: `devp2p-check/${suite}`,
        description: `devp2p-check ${info.version} ${suite} conformance against ${info.targets.map((t) => t.description).join('; ')}`,
        clientVersions: Object.fromEntries(info.targets.map((t) => [t.description, t.announcedCaps.join(',')])),
        testCases,
        simLog: '',
      },
    };
  });
}

export async function writeHiveResults(dir: string, info: RunInfo, verdicts: readonly Verdict[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const { file, json } of hiveSuites(info, verdicts)) await writeFile(join(dir, file), `${JSON.stringify(json, null, 2)}\n`);
}
