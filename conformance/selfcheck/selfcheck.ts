/**
 * The self-check: the suite must catch every bug planted in the reference
 * node, and pass the clean node. It runs the whole suite against the clean
 * node (no failure of any level, no harness error), then, for each fault,
 * starts the node with only that fault and runs the tests named for it: at
 * least one must fail. A fault with no named test, or a name that is not a
 * test, fails the check too.
 */
import { FAULTS } from '../../reference-node/faults/index.js';
import { Runner } from '../core/runner.js';
import type { ConformanceTest, Requirement } from '../core/test.js';
import { summarize, type Verdict } from '../core/verdict.js';
import type { Fixture } from '../fixture/fixture.js';
import { EXPECTATIONS } from './expectations/index.js';
import { ReferenceTargetProvider } from '../targets/reference.js';

export interface FaultResult {
  fault: string;
  /** Tests named for it that failed (the catch). */
  caughtBy: string[];
  /** Named tests and their verdicts. */
  verdicts: Verdict[];
  problem?: string;
}

export interface SelfcheckResult {
  clean: Verdict[];
  faults: FaultResult[];
  ok: boolean;
}

export interface SelfcheckOptions {
  tests: readonly ConformanceTest[];
  fixtures: readonly Fixture[];
  seed?: string;
  jobs?: number;
  /** Faults checked at once (each is one or two node processes). */
  faultJobs?: number;
  only?: readonly string[];
  /**
   * Run the whole suite against the clean node first (default). The test run
   * in CI leaves it out: cli/commands/conform.test.ts makes that same full
   * run and holds it to 0 failures of any level.
   */
  cleanRun?: boolean;
  log?: (line: string) => void;
}

/** What only one profile of the reference node offers (legacy: eth/66–68; modern: eth/68–70 and the Engine API). */
const ONLY_IN: Record<Fixture['profile'], readonly Requirement[]> = {
  legacy: ['profile:legacy', 'eth/66', 'eth/67'],
  modern: ['profile:modern', 'eth/69', 'eth/70', 'engine'],
};

/**
 * The fixtures the runner would place these tests on (the first that can
 * host each, as Runner's placement does): a fault's named tests usually need
 * one profile, so each fault starts one node instead of two.
 */
function fixturesFor(tests: readonly ConformanceTest[], fixtures: readonly Fixture[]): Fixture[] {
  const canHost = (f: Fixture, t: ConformanceTest) => !t.requires.some((r) => fixtures.some((o) => o.profile !== f.profile && ONLY_IN[o.profile].includes(r)));
  const used = new Set<Fixture>();
  for (const t of tests) {
    const host = fixtures.find((f) => canHost(f, t));
    if (!host) return [...fixtures];
    used.add(host);
  }
  return fixtures.filter((f) => used.has(f));
}

async function runAgainst(faults: string[], tests: readonly ConformanceTest[], options: SelfcheckOptions): Promise<Verdict[]> {
  const provider = new ReferenceTargetProvider({ faults });
  const runner = new Runner(
    fixturesFor(tests, options.fixtures).map((fixture) => ({ provider, fixture })),
    { seed: options.seed ?? 'devp2p-check', jobs: options.jobs ?? 8 },
  );
  await runner.start();
  try {
    return await runner.run(tests);
  } finally {
    await runner.stop();
  }
}

export async function selfcheck(options: SelfcheckOptions): Promise<SelfcheckResult> {
  const log = options.log ?? (() => undefined);
  const byId = new Map(options.tests.map((t) => [t.id, t]));
  const faults = FAULTS.filter((f) => !options.only || options.only.includes(f.name));

  let clean: Verdict[] = [];
  if (options.cleanRun ?? true) {
    log(`clean node: ${options.tests.length} tests`);
    clean = await runAgainst([], options.tests, options);
  }
  const cs = summarize(clean);
  if (options.cleanRun ?? true) log(`clean node: ${cs.passed} passed, ${cs.failed} failed, ${cs.skipped} skipped, ${cs.errors} errors`);

  const results: FaultResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < faults.length) {
      const f = faults[next++]!;
      const ids = EXPECTATIONS[f.name] ?? [];
      const missing = ids.filter((id) => !byId.has(id));
      if (ids.length === 0 || missing.length > 0) {
        results.push({ fault: f.name, caughtBy: [], verdicts: [], problem: ids.length === 0 ? 'no test is named to catch it' : `named tests do not exist: ${missing.join(', ')}` });
        log(`fault ${f.name}: NOT CHECKED (${results.at(-1)!.problem})`);
        continue;
      }
      const verdicts = await runAgainst([f.name], ids.map((id) => byId.get(id)!), options);
      const caughtBy = verdicts.filter((v) => v.status === 'fail').map((v) => v.id);
      results.push({ fault: f.name, caughtBy, verdicts, ...(caughtBy.length === 0 ? { problem: `none of ${ids.join(', ')} failed` } : {}) });
      log(`fault ${f.name}: ${caughtBy.length > 0 ? `caught by ${caughtBy.join(', ')}` : `NOT CAUGHT (${verdicts.map((v) => `${v.id} ${v.status}`).join(', ')})`}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.faultJobs ?? 2) }, worker));
  results.sort((a, b) => FAULTS.findIndex((f) => f.name === a.fault) - FAULTS.findIndex((f) => f.name === b.fault));
  const ok = cs.failed === 0 && cs.errors === 0 && results.every((r) => r.problem === undefined);
  return { clean, faults: results, ok };
}
