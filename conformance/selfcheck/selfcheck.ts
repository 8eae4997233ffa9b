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
import type { ConformanceTest } from '../core/test.js';
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
  log?: (line: string) => void;
}

async function runAgainst(faults: string[], tests: readonly ConformanceTest[], options: SelfcheckOptions): Promise<Verdict[]> {
  const provider = new ReferenceTargetProvider({ faults });
  // Start only the profiles these tests can use: a fault's named tests usually need one.
  const runner = new Runner(
    options.fixtures.map((fixture) => ({ provider, fixture })),
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

  log(`clean node: ${options.tests.length} tests`);
  const clean = await runAgainst([], options.tests, options);
  const cs = summarize(clean);
  log(`clean node: ${cs.passed} passed, ${cs.failed} failed, ${cs.skipped} skipped, ${cs.errors} errors`);

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
