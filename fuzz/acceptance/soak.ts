/**
 * `npm run fuzz:soak -- [--target reference|ethereumjs|ethereumjs-dpt] [--minutes N]
 *                       [--campaigns a,b] [--seed N] [--out DIR] [--known DIR]
 *                       [--shrink-time 90s] [--shim-disconnect]`
 *
 * The issue-7 acceptance soak: each campaign, one at a time, for N minutes of
 * fuzzing time through the built CLI (`dist/cli/bin.js fuzz --keep-going`),
 * against the reference node (default, 10 minutes), @ethereumjs/client (the
 * cmd: template of test-support/ethereumjs-command.ts with the legacy
 * fixture, 5 minutes) or an @ethereumjs/devp2p DPT (`ethereumjs-dpt`, discv4
 * only, 5 minutes). Prints a markdown summary at the end and writes it, with
 * each campaign's log and JSON report, to the output directory (default
 * fuzz-corpus/soak/<target>/; reproducers go there too).
 *
 * Fuzzing time is the engine's (`--time` of the CLI): exploring on a ready
 * target, so a client that needs a minute to start, restarts after a crash
 * and the shrinking of each new finding do not eat into it. A run keeps going
 * after each finding: a failure with a signature it has already found, or
 * one of `--known DIR` (e.g. fuzz/findings/ethereumjs for @ethereumjs/client)
 * is counted as a repeat and not shrunk. The wall time is bounded all the
 * same (3x the minutes, at least 30 minutes more): past it the CLI is
 * stopped with SIGINT and reports what it did.
 *
 * `--shim-disconnect` (ethereumjs only) preloads
 * ethereumjs-snappy-disconnect.mjs, which makes the client snappy-compress its
 * Disconnect after a v5 Hello: without it nearly every case that ends in a
 * Disconnect reports that one known EIP-706 bug. The summary says when the
 * shim was on.
 *
 * discv4 against @ethereumjs/client is skipped: the client must run with
 * discv4 off on this machine (it pings any address it hears of; see
 * ../shared/notes); `--target ethereumjs-dpt` fuzzes its discv4 (the DPT of
 * @ethereumjs/devp2p) instead, and only that campaign.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ethereumjsCommandTemplate } from '../../test-support/ethereumjs-command.js';
import { CAMPAIGN_NAMES } from '../engine/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(here, '../../cli/bin.js');
/** Not compiled: loaded from the source tree (dist/fuzz/acceptance -> fuzz/acceptance). */
const disconnectShim = resolve(here, '../../../fuzz/acceptance/ethereumjs-snappy-disconnect.mjs');

const TARGETS = ['reference', 'ethereumjs', 'ethereumjs-dpt'] as const;
type TargetName = (typeof TARGETS)[number];
const VALUE_FLAGS = ['target', 'minutes', 'campaigns', 'seed', 'out', 'known', 'shrink-time'];
const SWITCHES = ['shim-disconnect'];

class FlagError extends Error {}

function parseFlags(argv: string[]): Map<string, string | true> {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.startsWith('--') ? a.slice(2) : undefined;
    if (name === undefined) throw new FlagError(`unexpected argument "${a}"`);
    if (name === 'max-runs') throw new FlagError('--max-runs is gone: each campaign is one run that keeps going after findings (--minutes of fuzzing time)');
    if (SWITCHES.includes(name)) flags.set(name, true);
    else if (VALUE_FLAGS.includes(name)) {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new FlagError(`--${name} needs a value`);
      flags.set(name, v);
    } else throw new FlagError(`unknown flag --${name} (known: ${[...VALUE_FLAGS, ...SWITCHES].map((f) => `--${f}`).join(', ')})`);
  }
  return flags;
}

interface FindingJson {
  oracle: string;
  description: string;
  expected: string;
  observed: string;
  signature: string;
  repeats: number;
  replayed: boolean;
  file?: string;
}

/** The CLI's --json report (devp2p-check/fuzz-run/1). */
interface RunJson {
  cases: number;
  fuzzingMs: number;
  wallMs: number;
  casesPerSecond: number;
  restarts: number;
  harnessErrors: number;
  memory: { available: boolean; baseline?: number; peak?: number };
  findings: FindingJson[];
  unconfirmed: FindingJson[];
  repeats: number;
  knownRepeats: Array<{ signature: string; file: string; repeats: number }>;
}

interface CampaignRun {
  campaign: string;
  exit: number | null;
  wallSec: number;
  stoppedByGuard: boolean;
  report?: RunJson;
}

function runCli(campaign: string, args: string[], logFile: string, guardSec: number): Promise<Omit<CampaignRun, 'report'>> {
  return new Promise((done) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [bin, 'fuzz', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(`[${((Date.now() - t0) / 1000).toFixed(1)}] ${line}`);
        console.log(`  ${line}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let stoppedByGuard = false;
    // SIGINT: the CLI stops exploring, finishes what it is shrinking, and still writes its report.
    const guard = setTimeout(() => {
      stoppedByGuard = true;
      console.log(`  ${campaign}: ${guardSec} s of wall time, stopping the CLI (SIGINT)`);
      child.kill('SIGINT');
    }, guardSec * 1000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      writeFileSync(logFile, lines.join('\n') + '\n');
      done({ campaign, exit: code, wallSec: (Date.now() - t0) / 1000, stoppedByGuard });
    });
  });
}

const mib = (n?: number) => (n === undefined ? '?' : (n / 1048576).toFixed(0));
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function byOracle(fs: FindingJson[]): string {
  const counts = new Map<string, { n: number; repeats: number }>();
  for (const f of fs) {
    const c = counts.get(f.oracle) ?? { n: 0, repeats: 0 };
    c.n++;
    c.repeats += f.repeats;
    counts.set(f.oracle, c);
  }
  return [...counts].map(([o, c]) => `${o}: ${c.n} (+${c.repeats} repeats)`).join('; ') || '0';
}

function row(r: CampaignRun): string {
  const j = r.report;
  if (!j) return `| ${r.campaign} | - | - | - | no report (exit ${r.exit}; see ${r.campaign}.log) | - | - | - | - | - | ${(r.wallSec / 60).toFixed(1)} |`;
  const ownRepeats = j.findings.concat(j.unconfirmed).reduce((n, f) => n + f.repeats, 0);
  const knownRepeats = j.knownRepeats.reduce((n, k) => n + k.repeats, 0);
  const notes = [r.exit !== 0 && r.exit !== 1 ? `exit ${r.exit}` : '', r.stoppedByGuard ? 'stopped by the wall-time guard' : '', j.harnessErrors ? `${j.harnessErrors} harness errors` : ''].filter((x) => x).join('; ');
  return `| ${r.campaign} | ${(j.fuzzingMs / 60_000).toFixed(1)} | ${j.cases} | ${j.casesPerSecond.toFixed(1)} | ${j.findings.length}: ${byOracle(j.findings)} | ${j.unconfirmed.length} | ${j.repeats} (${ownRepeats} of this run's findings, ${knownRepeats} known) | ${j.restarts} | ${j.memory.available ? `${mib(j.memory.baseline)}→${mib(j.memory.peak)}` : 'n/a'} | ${notes || '-'} | ${(r.wallSec / 60).toFixed(1)} |`;
}

function details(r: CampaignRun): string[] {
  const j = r.report;
  if (!j || j.findings.length + j.unconfirmed.length + j.knownRepeats.length === 0) return [];
  const out = [`### ${r.campaign}`, ''];
  for (const [label, list] of [['finding', j.findings], ['unconfirmed (did not replay)', j.unconfirmed]] as const) {
    for (const f of list) out.push(`- ${label}, ${f.oracle}, ${f.repeats} repeats: ${cell(f.description)}; expected ${cell(f.expected)}; observed ${cell(f.observed)}${f.file ? ` (${f.file})` : ''}`);
  }
  for (const k of j.knownRepeats) out.push(`- known, ${k.repeats}x: \`${cell(k.signature)}\` (${k.file})`);
  out.push('');
  return out;
}

async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  const get = (name: string) => {
    const v = flags.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const targetName = (get('target') ?? 'reference') as TargetName;
  if (!TARGETS.includes(targetName)) throw new FlagError(`--target must be one of ${TARGETS.join(', ')}, got "${targetName}"`);
  const ethjs = targetName === 'ethereumjs';
  const dpt = targetName === 'ethereumjs-dpt';
  const minutes = Number(get('minutes') ?? (targetName === 'reference' ? 10 : 5));
  if (!(minutes > 0)) throw new FlagError(`--minutes must be a positive number, got "${get('minutes')}"`);
  const campaigns = (get('campaigns') ?? (dpt ? 'discv4' : CAMPAIGN_NAMES.join(','))).split(',').filter((c) => c !== '');
  const unknown = campaigns.filter((c) => !(CAMPAIGN_NAMES as readonly string[]).includes(c));
  if (unknown.length) throw new FlagError(`--campaigns: unknown campaign ${unknown.join(', ')} (known: ${CAMPAIGN_NAMES.join(', ')})`);
  const seed = Number(get('seed') ?? 1);
  if (!Number.isSafeInteger(seed)) throw new FlagError(`--seed must be an integer, got "${get('seed')}"`);
  const known = get('known');
  if (known !== undefined && !existsSync(known)) throw new FlagError(`--known ${known} does not exist`);
  const shim = flags.has('shim-disconnect');
  if (shim && !ethjs) throw new FlagError('--shim-disconnect is for --target ethereumjs');
  const out = get('out') ?? join('fuzz-corpus/soak', targetName);
  mkdirSync(join(out, 'reports'), { recursive: true });

  // The shim goes right after the preload that installs the resolve hook.
  const template = shim ? ethereumjsCommandTemplate().replace(' --require ', ` --import ${disconnectShim} --require `) : ethereumjsCommandTemplate();
  const target = ethjs ? `cmd:${template}` : targetName;
  const extra = [...(ethjs || dpt ? ['--profile', 'legacy'] : []), ...(known !== undefined ? ['--known', known] : []), ...(get('shrink-time') !== undefined ? ['--shrink-time', get('shrink-time')!] : [])];
  const skip = (c: string): string | undefined => {
    if (ethjs && c === 'discv4') return 'skipped: @ethereumjs/client runs with --discV4=false here (it pings any address it learns of; ../shared/notes); --target ethereumjs-dpt fuzzes its DPT';
    if (dpt && c !== 'discv4') return 'skipped: ethereumjs-dpt is a discv4-only node';
    return undefined;
  };
  const guardSec = Math.max(3 * minutes, minutes + 30) * 60;

  const rows: string[] = [];
  const more: string[] = [];
  let broken = 0;
  const header = [
    `Soak against ${targetName}${shim ? ' (with the Disconnect snappy shim: ethereumjs-snappy-disconnect.mjs)' : ''}: ${minutes} min of fuzzing time per campaign, --keep-going, seed ${seed}${known !== undefined ? `, known failures from ${known}` : ''}, output ${out}`,
    '',
    '| campaign | fuzzing min | cases | cases/s | distinct findings (by oracle, +repeats) | unconfirmed | repeats | restarts | target RSS MiB (oracle baseline→peak, last target) | notes | wall min |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const note =
    'Fuzzing time is the engine\'s: exploring on a ready target (start-up, restarts, shrinking and the replay check excluded). A repeat is a failure whose signature (oracle and wording, numbers masked) this run had already found or that is known; it is counted, not shrunk. Unconfirmed: shrunk, but the case did not fail the same way again alone on a healthy target; not a finding.';
  // Written after every campaign, so a stopped soak keeps what it did.
  const summary = () => [...header, ...rows, '', note, '', ...more].join('\n');
  for (const campaign of campaigns) {
    const why = skip(campaign);
    if (why) {
      console.log(`${campaign}: ${why}`);
      rows.push(`| ${campaign} | - | - | - | - | - | - | - | - | ${why} | - |`);
      continue;
    }
    const reportFile = join(out, 'reports', `${campaign}.json`);
    writeFileSync(reportFile, '');
    const args = ['--campaign', campaign, '--keep-going', '--time', `${minutes * 60}s`, '--seed', String(seed), '--corpus', out, '--json', reportFile, '--target', target, ...extra];
    console.log(`${campaign}: ${minutes} min of fuzzing time (wall-time guard ${guardSec / 60} min)`);
    const r: CampaignRun = await runCli(campaign, args, join(out, `${campaign}.log`), guardSec);
    try {
      r.report = JSON.parse(readFileSync(reportFile, 'utf8')) as RunJson;
    } catch {
      // no report: the CLI failed before the end (the row says so)
    }
    if (r.exit !== 0 && r.exit !== 1) broken++;
    const j = r.report;
    console.log(`${campaign}: ${j ? `${(j.fuzzingMs / 1000).toFixed(0)} s of fuzzing, ${j.cases} cases, ${j.findings.length} findings, ${j.unconfirmed.length} unconfirmed, ${j.repeats} repeats, ${j.restarts} restarts` : 'no report'}, exit ${r.exit}, ${(r.wallSec / 60).toFixed(1)} min wall`);
    rows.push(row(r));
    more.push(...details(r));
    writeFileSync(join(out, 'summary.md'), summary() + '\n');
  }
  const text = summary();
  console.log(`\n${text}`);
  writeFileSync(join(out, 'summary.md'), text + '\n');
  return broken > 0 ? 1 : 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof FlagError)) throw err;
  console.error(`fuzz:soak: ${err.message}`);
  process.exitCode = 2;
}
