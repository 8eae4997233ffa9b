/** Writes every report the flags ask for. */
import { writeFile } from 'node:fs/promises';
import type { Verdict } from '../core/verdict.js';
import { writeHiveResults } from './hive.js';
import { writeHtmlReport } from './html.js';
import { writeJsonReport } from './json.js';
import { buildJunit } from './junit.js';
import type { RunInfo } from './run-info.js';

export interface ReportPaths {
  junit?: string | undefined;
  json?: string | undefined;
  html?: string | undefined;
  hiveResults?: string | undefined;
}

export async function writeReports(paths: ReportPaths, info: RunInfo, verdicts: readonly Verdict[]): Promise<void> {
  if (paths.json) await writeJsonReport(paths.json, info, verdicts);
  if (paths.junit) await writeFile(paths.junit, buildJunit(info, verdicts));
  if (paths.html) await writeHtmlReport(paths.html, info, verdicts);
  if (paths.hiveResults) await writeHiveResults(paths.hiveResults, info, verdicts);
}
