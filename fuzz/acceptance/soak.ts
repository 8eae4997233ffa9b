/**
 * `npm run fuzz:soak -- [--target reference|ethereumjs] [--minutes N] [--campaigns a,b]
 *                       [--seed N] [--out DIR] [--max-runs N] [--shim-disconnect]`
 *
 * The issue-7 acceptance soak: each campaign, one at a time, for N minutes of
 * fuzzing through the built CLI (`dist/cli/bin.js fuzz`), against the
 * reference node (default, 10 minutes) or @ethereumjs/client (the cmd:
 * template of test-support/ethereumjs-command.ts with the legacy fixture,
 * 5 minutes). Prints a markdown table at the end and writes it, with each
 * run's log, to the output directory (default fuzz-corpus/soak/<target>/).
 *
 * Two things of the CLI shape how the time is spent:
 * - `--time` counts from before the target starts, and @ethereumjs/client
 *   needs about a minute to start (it imports the 1100-block fixture). The
 *   script watches the CLI's child processes itself: fuzzing time is from
 *   the moment the target is ready (it listens; a client with RPC, once it
 *   reports the fixture's head, as the engine waits for) to the first finding or to the end of
 *   `--time`, and each run gets `--time` = the fuzzing time left + the
 *   start-up it measured last.
 * - A run ends at its first finding (after shrinking it). Then the campaign
 *   runs again with the next seed for the time left, up to --max-runs runs.
 *
 * `--shim-disconnect` (ethereumjs only) preloads
 * ethereumjs-snappy-disconnect.mjs, which makes the client snappy-compress its
 * Disconnect after a v5 Hello: without it nearly every case that ends in a
 * Disconnect reports that one known EIP-706 bug, and the campaigns see
 * nothing behind it. The table says when the shim was on.
 *
 * discv4 against @ethereumjs/client is skipped: the client must run with
 * discv4 off on this machine (it pings any address it hears of; see
 * ../shared/notes), so there is no discv4 endpoint to fuzz.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ethereumjsCommandTemplate } from '../../test-support/ethereumjs-command.js';
import { listeningSockets, rssOf } from '../engine/rss.js';
import { cachedFixtureDir, DEFAULT_FIXTURES } from '../../conformance/fixture/default-fixtures.js';
import { loadFixture } from '../../conformance/fixture/fixture.js';

const ALL = ['handshake', 'frame', 'p2p', 'eth', 'discv4', 'session'];
const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(here, '../../cli/bin.js');
/** Not compiled: loaded from the source tree (dist/fuzz/acceptance -> fuzz/acceptance). */
const disconnectShim = resolve(here, '../../../fuzz/acceptance/ethereumjs-snappy-disconnect.mjs');

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

interface FindingLine {
  oracle: string;
  description: string;
  expected: string;
  observed: string;
  replays: boolean;
  file?: string;
}

interface RunResult {
  seed: number;
  exploreSec: number;
  startupSec: number;
  cases: number;
  harnessErrors: number;
  restarts: number;
  rssCli?: string;
  rssStart?: number;
  rssEnd?: number;
  findings: FindingLine[];
  exit: number | null;
}

/** Inodes of listening TCP sockets. */
function listeningInodes(): Set<string> {
  return new Set(listeningSockets().map((s) => s.inode));
}

/** Descendants of `root` (not root itself). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [pid, pp] of parent) if (pp === p) (out.push(pid), walk(pid));
  };
  walk(root);
  return out;
}

/** The CLI's child process that listens on TCP: the target. */
function targetPid(cli: number): number | undefined {
  const listening = listeningInodes();
  for (const pid of descendants(cli)) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && listening.has(m[1]!)) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

/** eth_blockNumber of a loopback RPC port, or undefined. */
async function headOf(port: number): Promise<number | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }), signal: AbortSignal.timeout(900) });
    const body = (await res.json()) as { result?: string };
    return body.result ? Number(body.result) : undefined;
  } catch {
    return undefined;
  }
}

function runCli(args: string[], logFile: string, timeSec: number, readyHead: number | undefined): Promise<RunResult & { lines: string[] }> {
  return new Promise((done) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [bin, 'fuzz', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buf = '';
    let tUp: number | undefined;
    let tFinding: number | undefined;
    let pid: number | undefined;
    let rssStart: number | undefined;
    let rssEnd: number | undefined;
    const onData = (chunk: Buffer) => {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(`[${((Date.now() - t0) / 1000).toFixed(1)}] ${line}`);
        if (tFinding === undefined && line.startsWith('finding after ')) tFinding = Date.now();
        console.log(`  ${line}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // Once a second: is the target up yet, and its RSS (the first sample after start-up, the last while it lives).
    let rpcPort: number | undefined;
    let asking = false;
    const poll = setInterval(() => {
      if (pid === undefined || rssOf(pid) === undefined) {
        pid = child.pid !== undefined ? targetPid(child.pid) : undefined;
        if (pid !== undefined && tUp === undefined) {
          // A target with RPC is ready (for the engine too) once it holds the fixture's head; without RPC, once it listens.
          const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
          const i = cmd.indexOf('--rpcPort');
          rpcPort = i >= 0 ? Number(cmd[i + 1]) : undefined;
          if (rpcPort === undefined || readyHead === undefined) tUp = Date.now();
        }
      }
      if (tUp === undefined && rpcPort !== undefined && readyHead !== undefined && !asking) {
        asking = true;
        void headOf(rpcPort)
          .then((h) => {
            if (h !== undefined && h >= readyHead && tUp === undefined) tUp = Date.now();
          })
          .finally(() => (asking = false));
      }
      const rss = pid !== undefined ? rssOf(pid) : undefined;
      if (rss !== undefined && tFinding === undefined && tUp !== undefined) {
        rssStart ??= rss;
        rssEnd = rss;
      }
    }, 1_000);
    child.on('exit', (code) => {
      clearInterval(poll);
      writeFileSync(logFile, lines.join('\n') + '\n', { flag: 'a' });
      const text = lines.map((l) => l.replace(/^\[[\d.]+\] /, '')).join('\n');
      const done_ = /done: (\d+) cases in [\d.]+ s \([\d.]+\/s\), (\d+) findings, (\d+) restarts, (\d+) harness errors(?:, rss baseline (\d+) MiB peak (\d+) MiB)?/.exec(text);
      const findings: FindingLine[] = [];
      for (const m of text.matchAll(/FINDING ([\w-]+): (.*)\n {2}expected: (.*)\n {2}observed: (.*)\n {2}(replays|did not replay)(?:; reproducer (.*))?/g)) {
        findings.push({ oracle: m[1]!, description: m[2]!, expected: m[3]!, observed: m[4]!, replays: m[5] === 'replays', ...(m[6] ? { file: m[6] } : {}) });
      }
      // Fuzzing time: from the target listening to the first finding, or to the end of --time.
      const up = tUp ?? Date.now();
      const end = tFinding ?? Math.min(Date.now(), t0 + timeSec * 1000);
      done({
        seed: Number(arg(args, 'seed')),
        exploreSec: Math.max(0, (end - up) / 1000),
        startupSec: (up - t0) / 1000,
        cases: done_ ? Number(done_[1]) : 0,
        restarts: done_ ? Number(done_[3]) : 0,
        harnessErrors: done_ ? Number(done_[4]) : 0,
        ...(done_?.[5] ? { rssCli: `${done_[5]}→${done_[6]}` } : {}),
        ...(rssStart !== undefined ? { rssStart } : {}),
        ...(rssEnd !== undefined ? { rssEnd } : {}),
        findings,
        exit: code,
        lines,
      });
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const targetName = arg(argv, 'target') ?? 'reference';
  const ethjs = targetName === 'ethereumjs';
  const minutes = Number(arg(argv, 'minutes') ?? (ethjs ? 5 : 10));
  const campaigns = (arg(argv, 'campaigns') ?? ALL.join(',')).split(',').filter((c) => c !== '');
  const seed = Number(arg(argv, 'seed') ?? 1);
  const maxRuns = Number(arg(argv, 'max-runs') ?? 6);
  const out = arg(argv, 'out') ?? join('fuzz-corpus/soak', targetName);
  mkdirSync(out, { recursive: true });
  const shim = argv.includes('--shim-disconnect');
  if (shim && !ethjs) throw new Error('--shim-disconnect is for --target ethereumjs');
  // The shim goes right after the preload that installs the resolve hook.
  const template = shim ? ethereumjsCommandTemplate().replace(' --require ', ` --import ${disconnectShim} --require `) : ethereumjsCommandTemplate();
  const target = ethjs ? `cmd:${template}` : targetName;
  const extra = ethjs ? ['--profile', 'legacy'] : [];
  // The engine starts fuzzing once a cmd: target's RPC reports the fixture's head (it imports the chain after it opens its port).
  const readyHead = ethjs ? (await loadFixture(await cachedFixtureDir(DEFAULT_FIXTURES.legacy))).head.number : undefined;
  const skip: Record<string, string> = ethjs ? { discv4: 'skipped: @ethereumjs/client runs with --discV4=false here (it pings any address it learns of; ../shared/notes), so it has no discv4 endpoint' } : {};
  const mib = (n?: number) => (n === undefined ? '?' : (n / 1048576).toFixed(0));
  const rows: string[] = [];
  const header = [
    `Soak against ${targetName}${shim ? ' (with the Disconnect snappy shim: ethereumjs-snappy-disconnect.mjs)' : ''}: ${minutes} min of fuzzing per campaign, seed ${seed}, output ${out}`,
    '',
    '| campaign | fuzzing minutes (runs) | cases | cases/s | findings (by oracle) | target RSS MiB start→end per run | reproducers |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const note =
    'Fuzzing time is measured by this script: from the target being ready (listening; for @ethereumjs/client, its RPC reports the fixture head) to the first finding or the end of --time (target start-up, shrinking and stopping excluded). RSS start→end is sampled here from /proc (first sample after start-up, last before the first finding); "cli" is the memory oracle\'s baseline→peak.';
  // Written after every campaign, so a stopped soak keeps what it did.
  const summary = () => [...header, ...rows, '', note].join('\n');
  for (const campaign of campaigns) {
    if (skip[campaign]) {
      console.log(`${campaign}: ${skip[campaign]}`);
      rows.push(`| ${campaign} | - | - | - | - | ${skip[campaign]} | - | - |`);
      continue;
    }
    let left = minutes * 60;
    let startup = ethjs ? 70 : 10;
    const runs: RunResult[] = [];
    const logFile = join(out, `${campaign}.log`);
    writeFileSync(logFile, '');
    for (let i = 0; i < maxRuns && left > 15; i++) {
      const time = Math.ceil(left + startup);
      const args = ['--campaign', campaign, '--time', `${time}s`, '--seed', String(seed + i), '--corpus', out, '--target', target, ...extra];
      console.log(`${campaign} run ${i + 1}: seed ${seed + i}, ${left.toFixed(0)} s of fuzzing left (--time ${time}s)`);
      const r = await runCli(args, logFile, time, readyHead);
      runs.push(r);
      console.log(`${campaign} run ${i + 1}: ${r.exploreSec.toFixed(0)} s of fuzzing after ${r.startupSec.toFixed(0)} s of start-up, ${r.cases} cases, ${r.findings.length} findings, exit ${r.exit}`);
      if (r.startupSec > 0) startup = r.startupSec + 5;
      left -= r.exploreSec;
      if (r.exit !== 0 && r.exit !== 1) {
        console.log(`${campaign}: the CLI exited ${r.exit}; see ${logFile}`);
        break;
      }
    }
    const sec = runs.reduce((a, r) => a + r.exploreSec, 0);
    const cases = runs.reduce((a, r) => a + r.cases, 0);
    const byOracle = new Map<string, { replays: number; not: number }>();
    for (const f of runs.flatMap((r) => r.findings)) {
      const o = byOracle.get(f.oracle) ?? { replays: 0, not: 0 };
      if (f.replays) o.replays++;
      else o.not++;
      byOracle.set(f.oracle, o);
    }
    const findings = byOracle.size === 0 ? '0' : [...byOracle].map(([o, n]) => `${o}: ${n.replays} replay${n.not ? `, ${n.not} did not` : ''}`).join('; ');
    const harness = runs.reduce((a, r) => a + r.harnessErrors, 0);
    const restarts = runs.reduce((a, r) => a + r.restarts, 0);
    const rss = runs.map((r) => `${mib(r.rssStart)}→${mib(r.rssEnd)}${r.rssCli ? ` (cli ${r.rssCli})` : ''}`).join(', ');
    const files = [...new Set(runs.flatMap((r) => r.findings.map((f) => f.file ?? '(not written)')))].join('<br>') || '-';
    const exits = runs.filter((r) => r.exit !== 0 && r.exit !== 1).map((r) => `exit ${r.exit}`);
    rows.push(
      `| ${campaign} | ${(sec / 60).toFixed(1)} (${runs.length} run${runs.length === 1 ? '' : 's'}, seeds ${seed}..${seed + runs.length - 1}) | ${cases} | ${(cases / Math.max(1, sec)).toFixed(1)} | ${findings}${harness ? `; ${harness} harness errors` : ''}${restarts ? `; ${restarts} restarts` : ''}${exits.length ? `; ${exits.join(', ')}` : ''} | ${rss} | ${files} |`,
    );
    writeFileSync(join(out, 'summary.md'), summary() + '\n');
  }
  const table = summary();
  console.log(`\n${table}`);
  writeFileSync(join(out, 'summary.md'), table + '\n');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
