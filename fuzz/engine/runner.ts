/**
 * The campaign loop. fast-check drives it: seeded chunks of cases (so a run
 * can stop at a limit, and `--jobs` loops run side by side), and on a
 * failure fast-check's own shrinking, bounded here by time and steps, where a
 * smaller case only counts if it fails with the same signature (signature.ts:
 * the oracle and the wording of expected and observed). Every shrink step
 * runs alone, on fresh connections, on a restarted target if the last one
 * broke. The shrunk case is run once more on a healthy target before it is
 * written as a reproducer; one that does not fail the same way again is an
 * unconfirmed finding, and says so.
 *
 * By default a run ends at its first finding. With keepGoing it explores on
 * after each one (sessions reset, the target restarted if it broke) until
 * its limits; a failure whose signature this run already has, or one of the
 * `known` ones, is a repeat: counted, neither shrunk nor written.
 *
 * Limits: runs (explored cases), timeMs (wall time from the start) and
 * fuzzTimeMs (fuzzing time, clock.ts: exploring on a ready target; start-up,
 * restarts, shrinking and checks are not counted).
 */
import fc from 'fast-check';
import type { Fixture } from '../../conformance/fixture/fixture.js';
import type { RunningTarget, TargetProvider } from '../../conformance/targets/target.js';
import { caseJson, writeReproducer, type Reproducer, REPRODUCER_FORMAT } from './reproducer.js';
import { FuzzClock } from './clock.js';
import { CampaignContext } from './context.js';
import { canaryFor, HarnessError, judgeCase, type Judged } from './judge.js';
import type { KnownFailures } from './known.js';
import { MemoryWatch, type MemorySource } from './rss.js';
import { failureSignature } from './signature.js';
import type { Campaign, CaseRun, Failed } from './types.js';

export interface TargetInfo {
  spec: string;
  faults: string[];
  profile: 'legacy' | 'modern';
}

export interface FuzzRunOptions<C> {
  campaign: Campaign<C>;
  provider: TargetProvider;
  fixture: Fixture;
  targetInfo: TargetInfo;
  seed: number;
  /** Stop after this many cases (explored, not counting shrink steps). */
  runs?: number;
  /** Stop exploring this long after the start (wall time, target start-up included). */
  timeMs?: number;
  /** Stop exploring after this much fuzzing time (exploring on a ready target only). */
  fuzzTimeMs?: number;
  /** Explore on after each finding until the limits; default: stop at the first. */
  keepGoing?: boolean;
  /** Failures known before the run (by signature): repeats, never shrunk or written. */
  known?: KnownFailures;
  /** Time and step budget for shrinking one finding. */
  shrinkTimeMs?: number;
  maxShrinkSteps?: number;
  /** Concurrent case loops; default: the campaign's defaultJobs, else 1. */
  jobs?: number;
  corpusDir?: string;
  /** Run the canary after this many cases, and at least every canaryIntervalMs. */
  canaryEvery?: number;
  canaryIntervalMs?: number;
  /** Memory bound: RSS growth allowed per 10k cases. */
  rssBoundBytes?: number;
  onProgress?: (p: Progress) => void;
  onLog?: (line: string) => void;
  signal?: AbortSignal;
}

export interface Progress {
  cases: number;
  elapsedMs: number;
  fuzzingMs: number;
  /** Over fuzzing time. */
  casesPerSecond: number;
  /** Confirmed findings (distinct). */
  findings: number;
  /** Distinct findings that did not replay. */
  unconfirmed: number;
  /** Failures that repeated a finding of this run or a known one. */
  repeats: number;
  phase: 'explore' | 'shrink' | 'verify' | 'done';
  rss?: number;
  rssBaseline?: number;
  restarts: number;
}

export interface Finding {
  reproducer: Reproducer;
  file?: string;
  /** The shrunk case failed again with the same signature, alone, on a healthy target. */
  replayed: boolean;
  /** It counts as a finding: it replayed, or (memory) the bound was exceeded on consecutive samples. Otherwise: unconfirmed. */
  confirmed: boolean;
  signature: string;
  /** Later failures of this run with the same signature. */
  repeats: number;
}

export interface KnownRepeat {
  signature: string;
  /** The reproducer that made it known. */
  file: string;
  description: string;
  repeats: number;
}

export interface FuzzRunResult {
  campaign: string;
  cases: number;
  /** Wall time of the whole run. */
  ms: number;
  fuzzingMs: number;
  /** Over wall time. */
  casesPerSecond: number;
  /** Every distinct failure, shrunk and checked; `confirmed` tells findings from unconfirmed ones. */
  findings: Finding[];
  /** Failures of known signatures (`known`), by signature. */
  knownRepeats: KnownRepeat[];
  /** All repeats: of this run's findings and of known failures. */
  repeats: number;
  restarts: number;
  harnessErrors: number;
  /** source: 'container' is docker stats' figure for a docker: target, 'rss' the RSS of the process owning the target's port. */
  memory: { available: boolean; source: MemorySource; baseline?: number; peak?: number };
}

/** The target could not be started or reached (exit code 3 in the CLI). */
export class TargetStartError extends Error {
  override readonly name = 'TargetStartError';
}

export async function startTarget(provider: TargetProvider, fixture: Fixture): Promise<RunningTarget> {
  try {
    return await provider.start(fixture);
  } catch (err) {
    throw new TargetStartError(`${provider.description}: ${(err as Error).message.split('\n')[0]}`);
  }
}

const CHUNK = 500;
const DEFAULT_SHRINK_MS = 90_000;
const DEFAULT_SHRINK_STEPS = 400;
const MEMORY_SAMPLE_MS = 2_000;
/** Consecutive samples over the bound before memory growth is a finding (GC lag is not a leak). */
const MEMORY_STRIKES = 3;
/** How often jobs waiting for another job's shrink, or for cases in flight, look again. */
const WAIT_POLL_MS = 25;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Failure<C> {
  /** The job whose fast-check run is shrinking it. */
  job: number;
  c: C;
  judged: Judged;
  verdict: Failed;
  signature: string;
  caseIndex: number;
  atMs: number;
}

type MemoryOver = { rss: number; growth: number; allowed: number };

export async function runFuzz<C>(options: FuzzRunOptions<C>): Promise<FuzzRunResult> {
  const { campaign, provider, fixture } = options;
  const keepGoing = options.keepGoing ?? false;
  const known = options.known ?? new Map();
  const log = options.onLog ?? (() => undefined);
  const started = Date.now();
  const stop = new AbortController();
  options.signal?.addEventListener('abort', () => stop.abort(), { once: true });
  const ctx = new CampaignContext(await startTarget(provider, fixture), fixture, stop.signal);
  const clock = new FuzzClock();
  clock.release();
  const rssBound = options.rssBoundBytes ?? 100 * 1024 * 1024;
  let restarts = 0;
  let needsRestart = false;
  let cases = 0;
  let harnessErrors = 0;
  let sinceCanary = 0;
  let lastCanary = Date.now();
  let phase: Progress['phase'] = 'explore';
  let claimed = 0;
  /** Explored cases running now: shrink steps, checks and restarts wait until there are none. */
  let inFlight = 0;
  /** An error that is not a verdict (the target could not be restarted, a bug here): ends the run. */
  let fatal: { error: unknown } | undefined;
  const findings: Finding[] = [];
  const bySignature = new Map<string, Finding>();
  const knownRepeats = new Map<string, KnownRepeat>();
  let repeats = 0;
  let memory = new MemoryWatch(ctx.target, rssBound);
  const memoryAvailable = memory.available;
  let memoryStrikes = 0;
  let memoryFinding: MemoryOver | undefined;

  const quiet = async () => {
    while (inFlight > 0) await sleep(WAIT_POLL_MS);
  };
  const restart = async () => {
    clock.hold();
    try {
      ctx.abortConnections();
      await campaign.reset();
      await ctx.target.stop().catch(() => undefined);
      ctx.target = await startTarget(provider, fixture);
      memory = new MemoryWatch(ctx.target, rssBound);
      memoryStrikes = 0;
      restarts++;
      needsRestart = false;
      log(`restarted the target (${restarts})`);
    } finally {
      clock.release();
    }
  };
  // With --jobs, several loops can see a broken target at once: one restart serves them all
  // (each starting its own would leave all but the last target running, unowned). It waits for
  // the cases in flight, which would otherwise fail on the aborted connections.
  let restarting: Promise<void> | undefined;
  const ensureHealthy = async () => {
    for (;;) {
      if (restarting) {
        await restarting;
        continue;
      }
      if (!needsRestart && ctx.target.alive()) return;
      restarting = quiet()
        .then(restart)
        .finally(() => (restarting = undefined));
    }
  };
  const limitReached = () =>
    (options.runs !== undefined && claimed >= options.runs) || (options.timeMs !== undefined && Date.now() - started >= options.timeMs) || (options.fuzzTimeMs !== undefined && clock.ms >= options.fuzzTimeMs);
  const ended = () => stop.signal.aborted || fatal !== undefined || limitReached() || (!keepGoing && (findings.length > 0 || memoryFinding !== undefined));
  // Counted by claims, not completions: a job that kept looping while others finish the last
  // cases would call the property in a microtask loop and starve their sockets.
  const exploring = () => phase === 'explore' && !ended();

  let sampling = false;
  const memoryTimer = setInterval(() => {
    if (phase !== 'explore' || memoryFinding || sampling) return;
    sampling = true;
    const watch = memory;
    void watch
      .sample(cases)
      .then((over) => {
        // A sample of a target that has since been restarted says nothing about the new one.
        if (watch !== memory) return;
        memoryStrikes = over ? memoryStrikes + 1 : 0;
        if (over && memoryStrikes >= MEMORY_STRIKES) memoryFinding = over;
      })
      .finally(() => (sampling = false));
  }, MEMORY_SAMPLE_MS);
  const progressTimer = setInterval(() => options.onProgress?.(progress()), 1_000);
  const progress = (): Progress => {
    const elapsedMs = Date.now() - started;
    const fuzzingMs = clock.ms;
    const confirmed = findings.filter((f) => f.confirmed).length;
    return {
      cases,
      elapsedMs,
      fuzzingMs,
      casesPerSecond: cases / Math.max(0.001, fuzzingMs / 1000),
      findings: confirmed,
      unconfirmed: findings.length - confirmed,
      repeats,
      phase,
      ...(memory.peak ? { rss: memory.peak } : {}),
      ...(memory.baselineRss ? { rssBaseline: memory.baselineRss } : {}),
      restarts,
    };
  };

  /** A repeat of this run's finding or of a known failure? Counts it and says so. */
  const isRepeat = (signature: string): boolean => {
    const seen = bySignature.get(signature);
    if (seen) {
      seen.repeats++;
      repeats++;
      return true;
    }
    const k = known.get(signature);
    if (!k) return false;
    const entry = knownRepeats.get(signature);
    if (entry) entry.repeats++;
    else {
      knownRepeats.set(signature, { ...k, repeats: 1 });
      log(`known failure (not shrunk): ${signature} (${k.file})`);
    }
    repeats++;
    return true;
  };
  const record = (f: Finding) => {
    findings.push(f);
    bySignature.set(f.signature, f);
  };

  let failure: Failure<C> | undefined;
  let shrinkDeadline = 0;
  let shrinkSteps = 0;
  const maxShrinkSteps = options.maxShrinkSteps ?? DEFAULT_SHRINK_STEPS;
  const shrinkMs = options.shrinkTimeMs ?? DEFAULT_SHRINK_MS;

  // With keepGoing, memory growth is reported like any finding and the target restarted (a fresh
  // baseline); one job does it while the others wait in ensureHealthy.
  let memoryReporting: Promise<void> | undefined;
  const reportMemory = () =>
    (memoryReporting ??= (async () => {
      const over = memoryFinding!;
      const report = memoryReport(over);
      memoryFinding = undefined;
      if (!isRepeat(report.signature)) record(await writeFinding(report));
      needsRestart = true;
    })().finally(() => (memoryReporting = undefined)));

  const property =
    (job: number) =>
    async (c: C): Promise<boolean> => {
      const shrinking = phase === 'shrink' && failure?.job === job;
      if (shrinking) {
        if (Date.now() > shrinkDeadline || shrinkSteps >= maxShrinkSteps || stop.signal.aborted || fatal) return true;
      } else {
        if (keepGoing && memoryFinding && phase === 'explore') await reportMemory();
        if (!exploring()) return true;
        // With --jobs, claim the case before running it, so --runs N runs exactly N.
        claimed++;
      }
      try {
        // Explored cases still running when the failure was found end first: a shrink step is judged alone.
        if (shrinking) await quiet();
        await ensureHealthy();
        if (!shrinking) inFlight++;
        let judged: Judged;
        try {
          const withCanary = shrinking || sinceCanary >= (options.canaryEvery ?? 200) || Date.now() - lastCanary >= (options.canaryIntervalMs ?? 2_000);
          // Claimed before the case runs: with --jobs, every job finishing a case during a canary would otherwise start its own.
          if (withCanary) {
            sinceCanary = 0;
            lastCanary = Date.now();
          } else sinceCanary++;
          judged = await judgeCase(ctx, campaign, c, shrinking ? 'isolate' : 'explore', withCanary);
        } finally {
          if (!shrinking) inFlight--;
        }
        // Even a moot case can leave the target broken for whatever runs next.
        if (judged.broken) needsRestart = true;
        // Another job found a failure while this case ran: this result is moot.
        if (!shrinking && phase !== 'explore') {
          claimed--;
          return true;
        }
        if (shrinking) shrinkSteps++;
        else cases++;
        if (judged.verdict.ok) return true;
        const signature = failureSignature(judged.verdict);
        if (shrinking) {
          if (signature !== failure!.signature) return true;
          failure = { ...failure!, c, judged, verdict: judged.verdict };
          return false;
        }
        if (isRepeat(signature)) return true;
        phase = 'shrink';
        clock.hold();
        shrinkDeadline = Date.now() + shrinkMs;
        shrinkSteps = 0;
        log(`finding after ${cases} cases: ${judged.verdict.oracle}: expected ${judged.verdict.expected}; observed ${judged.verdict.observed}`);
        log(`shrinking (up to ${Math.round(shrinkMs / 1000)} s, ${maxShrinkSteps} steps)`);
        failure = { job, c, judged, verdict: judged.verdict, signature, caseIndex: cases, atMs: Date.now() - started };
        return false;
      } catch (err) {
        if (err instanceof HarnessError) {
          harnessErrors++;
          if (harnessErrors <= 3) log(err.message.split('\n').slice(0, 4).join(' '));
          if (!shrinking) claimed--;
          return true;
        }
        // Thrown out of fast-check it would be taken for a counterexample and shrunk (restarting the target each time).
        fatal ??= { error: err };
        return true;
      }
    };

  const jobs = Math.max(1, options.jobs ?? campaign.defaultJobs ?? 1);
  try {
    await Promise.all(
      Array.from({ length: jobs }, async (_, job) => {
        for (let chunk = 0; ; chunk++) {
          // Another job's finding is being shrunk and checked.
          while (phase !== 'explore' && !ended()) await sleep(WAIT_POLL_MS);
          if (ended()) return;
          const seed = (options.seed + job * 1_000_003 + chunk * 7_919) | 0;
          const details = await fc.check(fc.asyncProperty(campaign.cases(ctx), property(job)), { seed, numRuns: CHUNK });
          if (fatal) return;
          if (!(details.failed && failure?.job === job && phase === 'shrink')) {
            if (details.failed && details.errorInstance) throw details.errorInstance;
            continue;
          }
          phase = 'verify';
          record(await finish(failure, seed, details.counterexamplePath ?? undefined));
          failure = undefined;
          if (keepGoing && !ended()) {
            // Sessions the campaign reuses may be in any state after the shrink: start afresh.
            ctx.abortConnections();
            await campaign.reset();
            phase = 'explore';
            clock.release();
            log('exploring on (--keep-going)');
          }
        }
      }),
    );
    if (fatal) throw fatal.error;
    if (memoryFinding) {
      const report = memoryReport(memoryFinding);
      if (!isRepeat(report.signature)) record(await writeFinding(report));
    }
  } finally {
    // Stopping is not fuzzing.
    clock.hold();
    // A job that threw leaves the others waiting for the explore phase: the stop ends their loops.
    stop.abort();
    clearInterval(memoryTimer);
    clearInterval(progressTimer);
    phase = 'done';
    options.onProgress?.(progress());
    ctx.abortConnections();
    await campaign.reset();
    await ctx.target.stop().catch(() => undefined);
  }
  const ms = Date.now() - started;
  return {
    campaign: campaign.name,
    cases,
    ms,
    fuzzingMs: clock.ms,
    casesPerSecond: cases / Math.max(0.001, ms / 1000),
    findings,
    knownRepeats: [...knownRepeats.values()],
    repeats,
    restarts,
    harnessErrors,
    memory: { available: memoryAvailable, source: memory.source, ...(memory.baselineRss ? { baseline: memory.baselineRss } : {}), ...(memory.peak ? { peak: memory.peak } : {}) },
  };

  async function finish(f: Failure<C>, seed: number, path: string | undefined): Promise<Finding> {
    // Replay the shrunk case alone on a healthy target: a finding that does not fail the same way again is unconfirmed.
    // Healthy means serving, not only running: a target that passes no canary is restarted first, or a
    // failure that only says it stopped serving would "replay" on the same broken target.
    await quiet();
    await ensureHealthy();
    if (!(await canaryFor(ctx, campaign)).ok) {
      needsRestart = true;
      await ensureHealthy();
    }
    let again: Judged | undefined;
    try {
      again = await judgeCase(ctx, campaign, f.c, 'isolate', true);
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
    }
    if (again?.broken) needsRestart = true;
    const replayed = again !== undefined && !again.verdict.ok && failureSignature(again.verdict) === f.signature;
    const reproducer = makeReproducer(f.c, f.judged.run, f.verdict, seed, f.caseIndex, f.atMs, path, replayed);
    const finding = await writeFinding({ reproducer, replayed, confirmed: replayed, signature: f.signature, repeats: 0 });
    log(`${replayed ? 'replayed' : 'DID NOT replay (unconfirmed)'} after ${shrinkSteps} shrink steps${finding.file ? `; reproducer: ${finding.file}` : ''}`);
    return finding;
  }

  async function writeFinding(f: Finding): Promise<Finding> {
    return options.corpusDir ? { ...f, file: await writeReproducer(options.corpusDir, f.reproducer) } : f;
  }

  function memoryReport(m: MemoryOver): Finding {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    const verdict: Failed = { ok: false, oracle: 'memory', expected: `RSS growth of at most ${mb(m.allowed)} after ${cases} cases`, observed: `RSS ${mb(m.rss)}, ${mb(m.growth)} above the baseline` };
    const reproducer = makeReproducer(null, { verdict: { ok: true }, sent: [] }, verdict, options.seed, cases, Date.now() - started, undefined, undefined);
    // Over the bound on consecutive samples: there is no single case to replay, and it is a finding.
    return { reproducer, replayed: false, confirmed: true, signature: failureSignature(verdict), repeats: 0 };
  }

  function makeReproducer(c: C | null, run: CaseRun, verdict: Failed, seed: number, caseIndex: number, atMs: number, path: string | undefined, replayed: boolean | undefined): Reproducer {
    return {
      format: REPRODUCER_FORMAT,
      campaign: campaign.name,
      seed,
      caseIndex,
      ...(path ? { path } : {}),
      target: { ...options.targetInfo, description: ctx.target.description },
      case: c === null ? null : caseJson(campaign.encodeCase ? campaign.encodeCase(c) : c),
      description: c === null ? `${caseIndex} cases of campaign ${campaign.name} from seed ${seed}` : campaign.describe(c),
      sent: run.sent,
      oracle: verdict.oracle,
      expected: verdict.expected,
      observed: verdict.observed,
      shrinkSteps: c === null ? 0 : shrinkSteps,
      ...(replayed !== undefined ? { replayed } : {}),
      foundAfterCases: caseIndex,
      foundAfterMs: atMs,
      createdAt: new Date().toISOString(),
    };
  }
}
