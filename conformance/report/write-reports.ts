/** Writes every report the flags ask for. */
import type { Verdict } from '../core/verdict.js';
import { writeJsonReport } from './json.js';
import type { RunInfo } from './run-info.js';

export interface ReportPaths {
  junit?: string | undefined;
  json?: string | undefined;
  html?: string | undefined;
  hiveResults?: string | undefined;
}

export async function writeReports(paths: ReportPaths, info: RunInfo, verdicts: readonly Verdict[]): Promise<void> {
  if (paths.json) await writeJsonReport(paths.json, info, verdicts);
}
