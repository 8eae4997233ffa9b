/**
 * The campaign loop. fast-check drives it: seeded chunks of cases (so a run
 * can stop at a time limit, and `--jobs` loops run side by side), and on a
 * failure fast-check's own shrinking, bounded here by time and steps, where a
 * smaller case only counts if the same oracle fails again. Every shrink step
 * runs on fresh connections, on a restarted target if the last one broke.
 * The shrunk case is run once more on a healthy target before it is
 * written as a reproducer, and the reproducer says whether it replayed.
 */
import fc from 'fast-check';
import type { Fixture } from '../../conformance/fixture/fixture.js';
import type { RunningTarget, TargetProvider } from '../../conformance/targets/target.js';
import { caseJson, writeReproducer, type Reproducer, REPRODUCER_FORMAT } from './reproducer.js';
import { CampaignContext } from './context.js';
import { HarnessError, judgeCase, type Judged } from './judge.js';
import { MemoryWatch } from './rss.js';
import type { Campaign, CaseRun, OracleName, Verdict } from './types.js';

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
  /** Stop exploring after this long. */
  timeMs?: number;
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
  casesPerSecond: number;
  findings: number;
  phase: 'explore' | 'shrink' | 'verify' | 'done';
  rss?: number;
  rssBaseline?: number;
  restarts: number;
}

export interface Finding {
  reproducer: Reproducer;
  file?: string;
  /** The shrunk case failed again, alone, on a healthy target. */
  replayed: boolean;
}

export interface FuzzRunResult {
  campaign: string;
  cases: number;
  ms: number;
  casesPerSecond: number;
  findings: Finding[];
  restarts: number;
  harnessErrors: number;
  memory: { available: boolean; baseline?: number; peak?: number };
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

function oracleOf(v: Verdict): OracleName | undefined {
  return v.ok ? undefined : v.oracle;
}

interface Failure<C> {
  c: C;
  judged: Judged;
  caseIndex: number;
  atMs: number;
}

export async function runFuzz<C>(options: FuzzRunOptions<C>): Promise<FuzzRunResult> {
  const { campaign, provider, fixture } = options;
  const log = options.onLog ?? (() => undefined);
  const started = Date.now();
  const stop = new AbortController();
  options.signal?.addEventListener('abort', () => stop.abort(), { once: true });
  const ctx = new CampaignContext(await startTarget(provider, fixture), fixture, stop.signal);
  let restarts = 0;
  let needsRestart = false;
  let cases = 0;
  let harnessErrors = 0;
  let sinceCanary = 0;
  let lastCanary = Date.now();
  let phase: Progress['phase'] = 'explore';
  let claimed = 0;
  const findings: Finding[] = [];
  let memory = new MemoryWatch(ctx.target.port, options.rssBoundBytes ?? 100 * 1024 * 1024);
  const memoryAvailable = memory.available;
  let memoryStrikes = 0;
  let memoryFinding: { rss: number; growth: number; allowed: number } | undefined;

  const restart = async () => {
    ctx.abortConnections();
    await campaign.reset();
    await ctx.target.stop().catch(() => undefined);
    ctx.target = await startTarget(provider, fixture);
    memory = new MemoryWatch(ctx.target.port, options.rssBoundBytes ?? 100 * 1024 * 1024);
    restarts++;
    needsRestart = false;
    log(`restarted the target (${restarts})`);
  };
  // With --jobs, several loops can see a broken target at once: one restart serves them all
  // (each starting its own would leave all but the last target running, unowned).
  let restarting: Promise<void> | undefined;
  const ensureHealthy = async () => {
    while (restarting) await restarting;
    if (!needsRestart && ctx.target.alive()) return;
    restarting = restart().finally(() => (restarting = undefined));
    await restarting;
  };
  // Counted by claims, not completions: a job that kept looping while others finish the last
  // cases would call the property in a microtask loop and starve their sockets.
  const exploring = () => phase === 'explore' && !stop.signal.aborted && !memoryFinding && (options.runs === undefined || claimed < options.runs) && (options.timeMs === undefined || Date.now() - started < options.timeMs);

  const memoryTimer = setInterval(() => {
    if (phase !== 'explore') return;
    const over = memory.sample(cases);
    memoryStrikes = over ? memoryStrikes + 1 : 0;
    if (over && memoryStrikes >= MEMORY_STRIKES) memoryFinding = over;
  }, MEMORY_SAMPLE_MS);
  const progressTimer = setInterval(() => options.onProgress?.(progress()), 1_000);
  const progress = (): Progress => {
    const elapsedMs = Date.now() - started;
    return { cases, elapsedMs, casesPerSecond: cases / Math.max(0.001, elapsedMs / 1000), findings: findings.length, phase, ...(memory.peak ? { rss: memory.peak } : {}), ...(memory.baselineRss ? { rssBaseline: memory.baselineRss } : {}), restarts };
  };

  let failure: Failure<C> | undefined;
  let shrinkDeadline = 0;
  let shrinkSteps = 0;
  const maxShrinkSteps = options.maxShrinkSteps ?? DEFAULT_SHRINK_STEPS;

  const property = async (c: C): Promise<boolean> => {
    if (phase === 'explore' && !exploring()) return true;
    if (phase === 'shrink' && (Date.now() > shrinkDeadline || shrinkSteps >= maxShrinkSteps || stop.signal.aborted)) return true;
    if (phase !== 'explore' && phase !== 'shrink') return true;
    const shrinking = phase === 'shrink';
    // With --jobs, claim the case before running it, so --runs N runs exactly N.
    if (!shrinking) claimed++;
    await ensureHealthy();
    const withCanary = shrinking || sinceCanary >= (options.canaryEvery ?? 200) || Date.now() - lastCanary >= (options.canaryIntervalMs ?? 2_000);
    // Claimed before the case runs: with --jobs, every job finishing a case during a canary would otherwise start its own.
    if (withCanary) {
      sinceCanary = 0;
      lastCanary = Date.now();
    }
    let judged: Judged;
    try {
      judged = await judgeCase(ctx, campaign, c, shrinking ? 'isolate' : 'explore', withCanary);
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
      harnessErrors++;
      if (harnessErrors <= 3) log(err.message.split('\n').slice(0, 4).join(' '));
      if (!shrinking) claimed--;
      return true;
    }
    if (!withCanary) sinceCanary++;
    // Another job found a failure while this case ran (and may be restarting the target): this result is moot.
    if (!shrinking && phase !== 'explore') {
      claimed--;
      return true;
    }
    if (shrinking) shrinkSteps++;
    else cases++;
    if (judged.broken) needsRestart = true;
    if (judged.verdict.ok) return true;
    if (shrinking && judged.verdict.oracle !== oracleOf(failure!.judged.verdict)) return true;
    if (!shrinking) {
      phase = 'shrink';
      shrinkDeadline = Date.now() + (options.shrinkTimeMs ?? DEFAULT_SHRINK_MS);
      log(`finding after ${cases} cases: ${judged.verdict.oracle}: expected ${judged.verdict.expected}; observed ${judged.verdict.observed}`);
      log(`shrinking (up to ${Math.round((options.shrinkTimeMs ?? DEFAULT_SHRINK_MS) / 1000)} s, ${maxShrinkSteps} steps)`);
      failure = { c, judged, caseIndex: cases, atMs: Date.now() - started };
    } else {
      failure = { ...failure!, c, judged };
    }
    return false;
  };

  const jobs = Math.max(1, options.jobs ?? campaign.defaultJobs ?? 1);
  try {
    await Promise.all(
      Array.from({ length: jobs }, async (_, job) => {
        for (let chunk = 0; exploring(); chunk++) {
          const seed = (options.seed + job * 1_000_003 + chunk * 7_919) | 0;
          const details = await fc.check(fc.asyncProperty(campaign.cases(ctx), property), { seed, numRuns: CHUNK });
          if (details.failed && failure && phase === 'shrink') {
            phase = 'verify';
            findings.push(await finish(failure, seed, details.counterexamplePath ?? undefined));
            return;
          }
          if (details.failed && details.errorInstance && !failure) throw details.errorInstance;
        }
      }),
    );
    if (memoryFinding) findings.push(await memoryReport(memoryFinding));
  } finally {
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
    casesPerSecond: cases / Math.max(0.001, ms / 1000),
    findings,
    restarts,
    harnessErrors,
    memory: { available: memoryAvailable, ...(memory.baselineRss ? { baseline: memory.baselineRss } : {}), ...(memory.peak ? { peak: memory.peak } : {}) },
  };

  async function finish(f: Failure<C>, seed: number, path: string | undefined): Promise<Finding> {
    // Replay the shrunk case alone on a healthy target: a finding that does not replay is reported as such.
    await ensureHealthy();
    let again: Judged | undefined;
    try {
      again = await judgeCase(ctx, campaign, f.c, 'isolate', true);
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
    }
    if (again?.broken) needsRestart = true;
    const replayed = again !== undefined && !again.verdict.ok && again.verdict.oracle === oracleOf(f.judged.verdict);
    const verdict = f.judged.verdict as Exclude<Verdict, { ok: true }>;
    const reproducer = makeReproducer(f.c, f.judged.run, verdict.oracle, verdict.expected, verdict.observed, seed, f.caseIndex, f.atMs, path);
    const file = options.corpusDir ? await writeReproducer(options.corpusDir, reproducer) : undefined;
    log(`${replayed ? 'replayed' : 'DID NOT replay'} after ${shrinkSteps} shrink steps${file ? `; reproducer: ${file}` : ''}`);
    return { reproducer, ...(file ? { file } : {}), replayed };
  }

  async function memoryReport(m: { rss: number; growth: number; allowed: number }): Promise<Finding> {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    const reproducer = makeReproducer(null, { verdict: { ok: true }, sent: [] }, 'memory', `RSS growth of at most ${mb(m.allowed)} after ${cases} cases`, `RSS ${mb(m.rss)}, ${mb(m.growth)} above the baseline`, options.seed, cases, Date.now() - started, undefined);
    const file = options.corpusDir ? await writeReproducer(options.corpusDir, reproducer) : undefined;
    return { reproducer, ...(file ? { file } : {}), replayed: false };
  }

  function makeReproducer(c: C | null, run: CaseRun, oracle: OracleName, expected: string, observed: string, seed: number, caseIndex: number, atMs: number, path: string | undefined): Reproducer {
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
      oracle,
      expected,
      observed,
      shrinkSteps,
      foundAfterCases: caseIndex,
      foundAfterMs: atMs,
      createdAt: new Date().toISOString(),
    };
  }
}
