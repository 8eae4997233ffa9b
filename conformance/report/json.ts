/** `--json F`: the whole run as one JSON document (verdicts with transcripts), for tools. */
import { writeFile } from 'node:fs/promises';
import { summarize, type Verdict } from '../core/verdict.js';
import type { RunInfo } from './run-info.js';

export async function writeJsonReport(path: string, info: RunInfo, verdicts: readonly Verdict[]): Promise<void> {
  await writeFile(path, `${JSON.stringify({ ...info, summary: summarize(verdicts), verdicts }, null, 2)}\n`);
}
