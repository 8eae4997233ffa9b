/**
 * `devp2p-check fuzz`: property-based wire fuzzing of a target.
 *
 *   fuzz --campaign NAME [--target T] [--fault F] [--seed N] [--runs N | --time 60s]
 *        [--keep-going] [--known DIR] [--json FILE]
 *        [--corpus DIR] [--jobs N] [--profile legacy|modern] [--chain DIR]
 *        [--shrink-time 60s] [--rss-bound MB] [--quiet]
 *   fuzz replay FILE|DIR [--target T] [--fault F] [--profile ...] [--chain DIR]
 *   fuzz --list
 *
 * --time is fuzzing time: exploring on a ready target (start-up, restarts,
 * shrinking and checks are not counted). --keep-going explores on after each
 * finding until --time/--runs (libFuzzer's -keep_going / fork-mode
 * -ignore_crashes, Go's proposed -fuzzcontinue); a failure with the
 * signature of one found before in the run, of a reproducer in --known DIR,
 * or (with --keep-going) of one already in the corpus directory is a repeat:
 * counted, not shrunk or written. A finding that does not replay is
 * "unconfirmed" and not counted as a finding.
 *
 * Exit codes: 0 no confirmed finding (replay: nothing reproduced), 1 a
 * confirmed finding (replay: a finding reproduced, or a corpus entry marked
 * fixed failed), 2 usage, 3 the target could not be reached.
 */
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cachedFixtureDir, DEFAULT_FIXTURES } from '../../conformance/fixture/default-fixtures.js';
import { FixtureError, loadFixture, type Fixture } from '../../conformance/fixture/fixture.js';
import { parseTargetSpec, TargetSpecError } from '../../conformance/targets/parse.js';
import type { TargetProvider } from '../../conformance/targets/target.js';
import { ReproducerFormatError } from '../../fuzz/json.js';
import { createCampaign, CAMPAIGN_SUMMARIES } from '../../fuzz/campaigns/index.js';
import { EthereumjsDptTargetProvider, ETHEREUMJS_DPT_TARGET } from '../../fuzz/acceptance/ethereumjs-dpt-target.js';
import { loadKnownFailures, type KnownFailures } from '../../fuzz/engine/known.js';
import { readReproducer, type Reproducer } from '../../fuzz/engine/reproducer.js';
import { replayReproducer } from '../../fuzz/engine/replay.js';
import { runFuzz, TargetStartError, type Finding, type FuzzRunResult, type Progress } from '../../fuzz/engine/runner.js';
import { CAMPAIGN_NAMES, type CampaignName } from '../../fuzz/engine/types.js';
import { flagInt, flagString, parseArgs, type ParsedArgs } from '../args.js';
import { EXIT_FAILED, EXIT_OK, UnreachableError, UsageError } from '../errors.js';

export const FUZZ_USAGE =
  'fuzz --campaign handshake|frame|p2p|eth|discv4|session [--target reference|enode://..|cmd:"..."|docker:IMAGE|ethereumjs-dpt] [--fault NAMES] [--seed N] [--runs N | --time 60s] [--keep-going] [--known DIR] [--json FILE] [--corpus DIR] [--jobs N] [--profile legacy|modern] [--chain DIR] [--shrink-time 60s] [--rss-bound MB] | fuzz replay FILE|DIR | fuzz --list';

const VALUES = ['campaign', 'target', 'fault', 'seed', 'runs', 'time', 'corpus', 'jobs', 'profile', 'chain', 'shrink-time', 'rss-bound', 'known', 'json'];
const SWITCHES = ['list', 'quiet', 'keep-going'];

/** What `--json FILE` holds. */
export const FUZZ_RUN_FORMAT = 'devp2p-check/fuzz-run/1';

/** "90s", "10m", "500ms", or plain seconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--${flag} must be a duration like 60s, 10m or 500ms, got "${text}"`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * (unit === 'ms' ? 1 : unit === 's' ? 1_000 : unit === 'm' ? 60_000 : 3_600_000));
}

function providerFrom(args: ParsedArgs, fallback?: { spec: string; faults: string[] }): { provider: TargetProvider; spec: string; faults: string[] } {
  const spec = flagString(args, 'target') ?? fallback?.spec ?? 'reference';
  const faultFlag = flagString(args, 'fault');
  const faults = faultFlag !== undefined ? faultFlag.split(',').filter((f) => f !== '') : flagString(args, 'target') === undefined ? (fallback?.faults ?? []) : [];
  if (spec === ETHEREUMJS_DPT_TARGET) {
    if (faults.length) throw new UsageError(`--fault plants bugs in the reference node; --target ${ETHEREUMJS_DPT_TARGET} has none`);
    return { provider: new EthereumjsDptTargetProvider(), spec, faults };
  }
  try {
    return { provider: parseTargetSpec(spec, faults.length ? { faults } : {}), spec, faults };
  } catch (err) {
    if (err instanceof TargetSpecError) throw new UsageError(err.message);
    throw err;
  }
}

async function fixtureFrom(args: ParsedArgs, fallbackProfile: 'legacy' | 'modern', log: (l: string) => void): Promise<Fixture> {
  const profile = flagString(args, 'profile') ?? fallbackProfile;
  if (profile !== 'legacy' && profile !== 'modern') throw new UsageError(`--profile must be legacy or modern, got "${profile}"`);
  try {
    const chain = flagString(args, 'chain');
    return await loadFixture(chain ?? (await cachedFixtureDir(DEFAULT_FIXTURES[profile], log)));
  } catch (err) {
    if (err instanceof FixtureError) throw new UsageError(`--chain: ${err.message}`);
    throw err;
  }
}

function unreachable(err: unknown): never {
  throw new UnreachableError(`target unreachable: ${(err as Error).message.split('\n')[0]}`);
}

function progressLine(name: string, p: Progress): string {
  const rss = p.rss !== undefined ? `, rss ${(p.rss / 1048576).toFixed(0)} MiB${p.rssBaseline ? ` (baseline ${(p.rssBaseline / 1048576).toFixed(0)})` : ''}` : '';
  return `fuzz ${name}: ${p.cases} cases, ${p.casesPerSecond.toFixed(1)}/s, ${p.findings} findings, ${p.repeats} repeats${p.unconfirmed ? `, ${p.unconfirmed} unconfirmed` : ''}, ${(p.fuzzingMs / 1000).toFixed(0)} s fuzzing (${(p.elapsedMs / 1000).toFixed(0)} s elapsed)${rss}${p.restarts ? `, ${p.restarts} restarts` : ''}${p.phase !== 'explore' ? ` [${p.phase}]` : ''}`;
}

/** --known DIR (recursive, reproducers only) and, with --keep-going, the corpus directory's reproducers. */
async function knownFrom(knownDir: string | undefined, corpusDir: string, keepGoing: boolean): Promise<KnownFailures> {
  const known: KnownFailures = new Map();
  if (knownDir !== undefined) {
    try {
      await loadKnownFailures(knownDir, { recursive: true, strict: true }, known);
    } catch (err) {
      if (err instanceof ReproducerFormatError) throw new UsageError(`--known: ${err.message}`);
      throw err;
    }
  }
  if (keepGoing) await loadKnownFailures(corpusDir, { recursive: false, strict: false }, known);
  return known;
}

function findingJson(f: Finding) {
  const r = f.reproducer;
  return { oracle: r.oracle, description: r.description, expected: r.expected, observed: r.observed, signature: f.signature, repeats: f.repeats, replayed: f.replayed, foundAfterCases: r.foundAfterCases, ...(f.file ? { file: f.file } : {}) };
}

/** The run as JSON: each distinct finding once, with its repeat count. */
function runJson(result: FuzzRunResult, meta: { campaign: string; target: string; seed: number; keepGoing: boolean }) {
  return {
    format: FUZZ_RUN_FORMAT,
    ...meta,
    cases: result.cases,
    fuzzingMs: result.fuzzingMs,
    wallMs: result.ms,
    casesPerSecond: result.cases / Math.max(0.001, result.fuzzingMs / 1000),
    restarts: result.restarts,
    harnessErrors: result.harnessErrors,
    memory: result.memory,
    findings: result.findings.filter((f) => f.confirmed).map(findingJson),
    unconfirmed: result.findings.filter((f) => !f.confirmed).map(findingJson),
    repeats: result.repeats,
    knownRepeats: result.knownRepeats,
  };
}

async function runCampaign(args: ParsedArgs): Promise<number> {
  const name = flagString(args, 'campaign');
  if (!name) throw new UsageError(`--campaign is required (usage: ${FUZZ_USAGE})`);
  if (!(CAMPAIGN_NAMES as readonly string[]).includes(name)) throw new UsageError(`--campaign must be one of ${CAMPAIGN_NAMES.join(', ')}, got "${name}"`);
  if (flagString(args, 'runs') !== undefined && flagString(args, 'time') !== undefined) throw new UsageError('give --runs or --time, not both');
  const quiet = args.flags.has('quiet');
  const log = (line: string) => {
    if (!quiet) console.log(line);
  };
  const { provider, spec, faults } = providerFrom(args);
  if (spec === ETHEREUMJS_DPT_TARGET && name !== 'discv4') throw new UsageError(`--target ${ETHEREUMJS_DPT_TARGET} is a discv4-only node (an @ethereumjs/devp2p DPT, no RLPx): it takes --campaign discv4, not ${name}`);
  const keepGoing = args.flags.has('keep-going');
  const profile = (flagString(args, 'profile') ?? 'modern') as 'legacy' | 'modern';
  const fixture = await fixtureFrom(args, 'modern', log);
  const seedText = flagString(args, 'seed');
  const seed = seedText === undefined ? Date.now() % 2 ** 31 : Number(seedText);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer, got "${seedText}"`);
  const runs = flagInt(args, 'runs', 1, 1e9);
  const timeText = flagString(args, 'time');
  const timeMs = timeText !== undefined ? parseDuration(timeText, 'time') : runs === undefined ? 60_000 : undefined;
  const shrinkText = flagString(args, 'shrink-time');
  const corpusDir = flagString(args, 'corpus') ?? 'fuzz-corpus';
  const rssMb = flagInt(args, 'rss-bound', 1, 1e6);
  const jsonFile = flagString(args, 'json');
  const knownDir = flagString(args, 'known');
  const known = await knownFrom(knownDir, corpusDir, keepGoing);
  const campaign = createCampaign(name as CampaignName);
  log(`devp2p-check fuzz: campaign ${name} (${campaign.summary}) against ${provider.description}, ${fixture.profile} fixture, seed ${seed}, ${runs !== undefined ? `${runs} cases` : `${Math.round(timeMs! / 1000)} s of fuzzing`}${keepGoing ? ', keeping going after findings' : ''}`);
  if (known.size > 0) log(`${known.size} known failure signatures (${[knownDir !== undefined ? `--known ${knownDir}` : '', keepGoing ? `the corpus ${corpusDir}` : ''].filter((x) => x).join(' and ')}): repeats, not findings`);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let lastLen = 0;
  const tty = process.stdout.isTTY && !quiet;
  try {
    const jobs = flagInt(args, 'jobs', 1, 64);
    const result = await runFuzz({
      campaign,
      provider,
      fixture,
      targetInfo: { spec, faults, profile: fixture.profile ?? profile },
      seed,
      ...(runs !== undefined ? { runs } : {}),
      ...(timeMs !== undefined ? { fuzzTimeMs: timeMs } : {}),
      keepGoing,
      known,
      ...(shrinkText !== undefined ? { shrinkTimeMs: parseDuration(shrinkText, 'shrink-time') } : {}),
      ...(jobs !== undefined ? { jobs } : {}),
      corpusDir,
      ...(rssMb !== undefined ? { rssBoundBytes: rssMb * 1024 * 1024 } : {}),
      signal: stop.signal,
      onLog: (line) => {
        if (tty && lastLen) process.stdout.write('\n');
        lastLen = 0;
        log(line);
      },
      onProgress: (p) => {
        if (quiet) return;
        const line = progressLine(name, p);
        if (tty) {
          process.stdout.write(`\r${line}${' '.repeat(Math.max(0, lastLen - line.length))}`);
          lastLen = line.length;
        } else if (p.phase === 'done' || Math.floor(p.elapsedMs / 1000) % 10 === 0) log(line);
      },
    }).catch((err: unknown) => {
      if (err instanceof TargetStartError) unreachable(err);
      throw err;
    });
    if (tty && lastLen) process.stdout.write('\n');
    const confirmed = result.findings.filter((f) => f.confirmed);
    const unconfirmed = result.findings.filter((f) => !f.confirmed);
    log(
      `done: ${result.cases} cases in ${(result.fuzzingMs / 1000).toFixed(1)} s of fuzzing (${(result.cases / Math.max(0.001, result.fuzzingMs / 1000)).toFixed(1)}/s; ${(result.ms / 1000).toFixed(1)} s in all), ${confirmed.length} findings, ${unconfirmed.length} unconfirmed, ${result.repeats} repeats, ${result.restarts} restarts, ${result.harnessErrors} harness errors${result.memory.available ? `, ${result.memory.source === 'container' ? 'container memory (docker stats)' : 'rss'} baseline ${((result.memory.baseline ?? 0) / 1048576).toFixed(0)} MiB peak ${((result.memory.peak ?? 0) / 1048576).toFixed(0)} MiB` : ', memory oracle unavailable (target process not visible)'}`,
    );
    for (const f of result.findings) {
      const r = f.reproducer;
      const label = f.confirmed ? 'FINDING' : 'UNCONFIRMED';
      const status = r.oracle === 'memory' ? 'over the bound on consecutive samples' : f.replayed ? 'replays' : 'did not replay: not counted as a finding; confirm it with `fuzz replay`';
      console.log(`${label} ${r.oracle}: ${r.description}\n  expected: ${r.expected}\n  observed: ${r.observed}\n  ${status}; ${f.repeats} repeats${f.file ? `; reproducer ${f.file}` : ''}`);
    }
    for (const k of result.knownRepeats) console.log(`KNOWN ${k.repeats}x ${k.signature}\n  known from ${k.file}`);
    if (jsonFile !== undefined) await writeFile(jsonFile, `${JSON.stringify(runJson(result, { campaign: name, target: spec, seed, keepGoing }), null, 1)}\n`);
    return confirmed.length > 0 ? EXIT_FAILED : EXIT_OK;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function reproducerFiles(path: string): Promise<string[]> {
  const s = await stat(path).catch(() => undefined);
  if (!s) throw new UsageError(`${path} does not exist`);
  if (!s.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await reproducerFiles(p)));
    else if (entry.name.endsWith('.json')) out.push(p);
  }
  return out;
}

async function replay(args: ParsedArgs): Promise<number> {
  const path = args.positional[1];
  if (!path) throw new UsageError(`fuzz replay needs a reproducer file or a directory (usage: ${FUZZ_USAGE})`);
  const files = await reproducerFiles(path);
  let bad = 0;
  for (const file of files) {
    let r: Reproducer;
    try {
      r = await readReproducer(file);
    } catch (err) {
      if (err instanceof ReproducerFormatError) throw new UsageError(err.message);
      throw err;
    }
    const { provider } = providerFrom(args, { spec: r.target.spec, faults: r.target.faults });
    const fixture = await fixtureFrom(args, r.target.profile, () => undefined);
    const result = await replayReproducer(r, provider, fixture).catch((err: unknown) => {
      if (err instanceof TargetStartError) unreachable(err);
      throw err;
    });
    const expect = r.expect ?? 'finding';
    const ok = expect === 'finding' ? result.reproduced : result.verdict.ok;
    const verdict = result.verdict.ok ? 'pass' : `${result.verdict.oracle}: expected ${result.verdict.expected}; observed ${result.verdict.observed}`;
    const how = result.sameFailure ? 'REPRODUCED' : result.reproduced ? 'REPRODUCED (same oracle, other wording than recorded)' : 'not reproduced';
    console.log(`${how} ${file} (${r.campaign}, recorded ${r.oracle}${expect === 'fixed' ? ', marked fixed' : ''}): ${verdict}`);
    if (files.length === 1) {
      // A single file: exit 1 when the finding is there (a test failed), 0 when it is gone.
      return result.reproduced || !result.verdict.ok ? EXIT_FAILED : EXIT_OK;
    }
    if (!ok) bad++;
  }
  // A corpus: every 'finding' entry must still reproduce and every 'fixed' one must pass.
  console.log(`${files.length - bad} of ${files.length} corpus entries as recorded`);
  return bad > 0 ? EXIT_FAILED : EXIT_OK;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: VALUES, switches: SWITCHES });
  if (args.flags.has('list')) {
    for (const n of CAMPAIGN_NAMES) console.log(`${n.padEnd(10)} ${CAMPAIGN_SUMMARIES[n]}`);
    return EXIT_OK;
  }
  if (args.positional[0] === 'replay') return replay(args);
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}" (usage: ${FUZZ_USAGE})`);
  return runCampaign(args);
}
