/**
 * `--html F`: a self-contained certification report. The verdict per spec
 * clause comes first (a clause passes only if every test citing it passed),
 * then MUST/SHOULD counts, the target and suite version, and every failure
 * with expected / got and its transcript. No scripts, no external assets, so
 * it can be archived as a CI artifact and opened anywhere.
 */
import { writeFile } from 'node:fs/promises';
import { summarize, type Verdict } from '../core/verdict.js';
import type { RunInfo } from './run-info.js';
import { formatTranscript } from './transcript-text.js';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

type ClauseStatus = 'pass' | 'fail' | 'partial' | 'skip';

export interface ClauseRow {
  spec: string;
  level: 'MUST' | 'SHOULD';
  status: ClauseStatus;
  tests: Verdict[];
}

/** Groups verdicts by spec clause; a clause is MUST if any test of it is. */
export function clauseRows(verdicts: readonly Verdict[]): ClauseRow[] {
  const bySpec = new Map<string, Verdict[]>();
  for (const v of verdicts) bySpec.set(v.spec, [...(bySpec.get(v.spec) ?? []), v]);
  return [...bySpec.entries()]
    .map(([spec, tests]) => {
      const ran = tests.filter((t) => t.status !== 'skip');
      const failed = ran.some((t) => t.status === 'fail' || t.status === 'error');
      const status: ClauseStatus = ran.length === 0 ? 'skip' : failed ? 'fail' : ran.length < tests.length ? 'partial' : 'pass';
      return { spec, level: tests.some((t) => t.level === 'MUST') ? ('MUST' as const) : ('SHOULD' as const), status, tests };
    })
    .sort((a, b) => (a.spec < b.spec ? -1 : 1));
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}
.pass{color:#176b2c}.fail,.error{color:#b3261e;font-weight:bold}.skip,.partial{color:#8a6d00}
pre{background:#f7f7f7;padding:8px;overflow-x:auto;font-size:12px}h2{margin-top:1.6em}.big{font-size:1.3em}`;

export function buildHtml(info: RunInfo, verdicts: readonly Verdict[]): string {
  const s = summarize(verdicts);
  const must = verdicts.filter((v) => v.level === 'MUST');
  const should = verdicts.filter((v) => v.level === 'SHOULD');
  const count = (vs: readonly Verdict[], st: Verdict['status']) => vs.filter((v) => v.status === st).length;
  const certified = s.mustFailed === 0 && s.errors === 0;
  const clauses = clauseRows(verdicts);
  const failures = verdicts.filter((v) => v.status === 'fail' || v.status === 'error');
  const out: string[] = [];
  out.push(`<!doctype html><html><head><meta charset="utf-8"><title>devp2p-check conformance report</title><style>${STYLE}</style></head><body>`);
  out.push(`<h1>devp2p-check conformance report</h1>`);
  out.push(`<p class="big ${certified ? 'pass' : 'fail'}">${certified ? 'All MUST clauses passed' : `${s.mustFailed} MUST failure(s)${s.errors ? `, ${s.errors} harness error(s)` : ''}`}</p>`);
  out.push('<table>');
  out.push(`<tr><th>suite version</th><td>${esc(info.tool)} ${esc(info.version)}</td></tr>`);
  out.push(`<tr><th>started</th><td>${esc(info.startedAt)} (${(info.wallMs / 1000).toFixed(1)} s)</td></tr>`);
  out.push(`<tr><th>seed</th><td>${esc(info.seed)}</td></tr>`);
  if (info.selection) out.push(`<tr><th>selection</th><td>${esc(info.selection)}</td></tr>`);
  for (const t of info.targets) {
    out.push(`<tr><th>target</th><td>${esc(t.description)}<br><code>${esc(t.enode)}</code><br>caps ${esc(t.announcedCaps.join(', '))}; ${esc(t.profile)} fixture ${esc(t.fixture)}</td></tr>`);
  }
  out.push('</table>');
  out.push('<table><tr><th></th><th>tests</th><th>passed</th><th>failed</th><th>skipped</th><th>errors</th></tr>');
  for (const [name, vs] of [['MUST', must], ['SHOULD', should], ['all', [...verdicts]]] as const) {
    out.push(`<tr><th>${name}</th><td>${vs.length}</td><td class="pass">${count(vs, 'pass')}</td><td class="fail">${count(vs, 'fail')}</td><td class="skip">${count(vs, 'skip')}</td><td class="error">${count(vs, 'error')}</td></tr>`);
  }
  out.push('</table>');
  out.push(`<h2>By spec clause (${clauses.length})</h2><table><tr><th>clause</th><th>level</th><th>verdict</th><th>tests</th></tr>`);
  for (const c of clauses) {
    const tests = c.tests.map((t) => `<span class="${t.status}" title="${esc(t.message ?? t.title)}">${esc(t.id)}</span>`).join('<br>');
    out.push(`<tr><td><code>${esc(c.spec)}</code></td><td>${c.level}</td><td class="${c.status}">${c.status}</td><td>${tests}</td></tr>`);
  }
  out.push('</table>');
  out.push(`<h2>Failures (${failures.length})</h2>`);
  for (const v of failures) {
    out.push(`<h3 id="${esc(v.id)}" class="fail">${esc(v.id)} <small>[${v.level}] ${esc(v.spec)}</small></h3>`);
    out.push(`<p>${esc(v.title)}</p><p><b>${esc(v.message ?? '')}</b></p>`);
    if (v.expected !== undefined) out.push(`<p>expected: <code>${esc(v.expected)}</code><br>got: <code>${esc(v.actual ?? '')}</code></p>`);
    out.push(`<pre>${esc(formatTranscript(v.transcript))}</pre>`);
    if (v.targetLog) out.push(`<p>target output:</p><pre>${esc(v.targetLog)}</pre>`);
  }
  const skipped = verdicts.filter((v) => v.status === 'skip');
  out.push(`<h2>Skipped (${skipped.length})</h2><table><tr><th>test</th><th>reason</th></tr>`);
  for (const v of skipped) out.push(`<tr><td>${esc(v.id)}</td><td>${esc(v.message ?? '')}</td></tr>`);
  out.push('</table></body></html>');
  return out.join('\n');
}

export async function writeHtmlReport(path: string, info: RunInfo, verdicts: readonly Verdict[]): Promise<void> {
  await writeFile(path, buildHtml(info, verdicts));
}
