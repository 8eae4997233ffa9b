/**
 * Runs tests against targets. Each test gets fresh seeded keys, fresh
 * connections and a deadline; it is placed on the first target that meets
 * its requirements (or skipped with the reason). Shared tests run in
 * parallel, exclusive tests one at a time, fresh tests on private instances.
 * A target that dies during a test makes that test fail with the target's
 * output, and is restarted for the rest of the run when its provider can.
 */
import { setMaxListeners } from 'node:events';
import { ConnectionClosedError, HandshakeTimeoutError } from '../../reference-node/p2p/handshake-reader.js';
import { DecodeError } from '../../reference-node/wire/errors.js';
import type { Fixture } from '../fixture/fixture.js';
import { Transcript } from '../sim/transcript.js';
import type { RunningTarget, TargetProvider } from '../targets/target.js';
import { TestContext } from './context.js';
import { TestFailure, TestSkip } from './failure.js';
import { SeededSource } from './seeded.js';
import { DEFAULT_TEST_TIMEOUT_MS, type ConformanceTest, type Requirement } from './test.js';
import { skipVerdict, type Verdict } from './verdict.js';

export interface TargetPlan {
  provider: TargetProvider;
  fixture: Fixture;
}

export interface RunOptions {
  seed: string;
  /** Shared tests in flight at once. */
  jobs: number;
  /** Private instances at once (each is a process). */
  freshJobs?: number;
  onStart?(test: ConformanceTest): void;
  onVerdict?(verdict: Verdict): void;
}

export class TargetUnreachableError extends Error {
  override readonly name = 'TargetUnreachableError';
}

interface Slot {
  plan: TargetPlan;
  target: RunningTarget;
  /** Set while the target is being restarted; tests wait on it. */
  restarting?: Promise<void>;
  down?: string;
}

/** What the first target meeting `test`'s needs is, or why none does. */
function place(test: ConformanceTest, slots: readonly Slot[]): { slot: Slot } | { reason: string } {
  const needs: Requirement[] = [...test.requires];
  if (test.isolation === 'fresh' && !needs.includes('fresh-target')) needs.push('fresh-target');
  let best: { missing: Requirement[] } | undefined;
  for (const slot of slots) {
    const missing = needs.filter((r) => (r === 'fresh-target' ? !slot.plan.provider.canLaunchFresh : !slot.target.capabilities.has(r)));
    if (missing.length === 0) return { slot };
    if (!best || missing.length < best.missing.length) best = { missing };
  }
  return { reason: `the target lacks ${best?.missing.join(', ') ?? 'everything'}` };
}

export class Runner {
  private slots: Slot[] = [];

  constructor(
    private readonly plans: readonly TargetPlan[],
    private readonly options: RunOptions,
  ) {}

  /** Starts every target; throws TargetUnreachableError if one cannot be reached. */
  async start(): Promise<RunningTarget[]> {
    this.slots = await Promise.all(
      this.plans.map(async (plan) => {
        try {
          return { plan, target: await plan.provider.start(plan.fixture) };
        } catch (err) {
          throw new TargetUnreachableError(`${plan.provider.description}: ${(err as Error).message}`);
        }
      }),
    );
    return this.slots.map((s) => s.target);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.slots.map((s) => s.target.stop()));
  }

  async run(tests: readonly ConformanceTest[]): Promise<Verdict[]> {
    const verdicts = new Map<string, Verdict>();
    const emit = (v: Verdict) => {
      verdicts.set(v.id, v);
      this.options.onVerdict?.(v);
    };
    const placed: Array<{ test: ConformanceTest; slot: Slot }> = [];
    for (const test of tests) {
      const p = place(test, this.slots);
      if ('reason' in p) emit(skipVerdict(test, p.reason, this.slots[0]?.target.description ?? 'none'));
      else placed.push({ test, slot: p.slot });
    }
    const shared = placed.filter((p) => (p.test.isolation ?? 'shared') === 'shared');
    const exclusive = placed.filter((p) => p.test.isolation === 'exclusive');
    const fresh = placed.filter((p) => p.test.isolation === 'fresh');
    await Promise.all([
      inPool(shared, this.options.jobs, (p) => this.runOne(p.test, p.slot).then(emit)).then(() =>
        inPool(exclusive, 1, (p) => this.runOne(p.test, p.slot).then(emit)),
      ),
      inPool(fresh, this.options.freshJobs ?? 1, (p) => this.runOne(p.test, p.slot).then(emit)),
    ]);
    return tests.map((t) => verdicts.get(t.id)!);
  }

  private async runOne(test: ConformanceTest, slot: Slot): Promise<Verdict> {
    if (slot.restarting) await slot.restarting;
    const description = slot.target.description;
    if (slot.down) return { ...skipVerdict(test, `not run: ${slot.down}`, description), status: 'error' };
    this.options.onStart?.(test);
    const transcript = new Transcript();
    const controller = new AbortController();
    // Every pending wait of every sim peer listens on the test's signal; dozens at once are normal, not a leak.
    setMaxListeners(0, controller.signal);
    const cleanups: Array<() => unknown> = [];
    const timeoutMs = test.timeoutMs ?? DEFAULT_TEST_TIMEOUT_MS;
    const launcher = test.isolation === 'fresh' ? (o: Parameters<TargetProvider['launch']>[1]) => slot.plan.provider.launch(slot.plan.fixture, o) : undefined;
    const ctx = new TestContext(test.id, slot.target, slot.plan.fixture, transcript, new SeededSource(this.options.seed, test.id), controller.signal, cleanups, launcher);
    const started = Date.now();
    const base = { id: test.id, title: test.title, spec: test.spec, level: test.level, target: description };
    let verdict: Omit<Verdict, 'durationMs' | 'transcript' | keyof typeof base>;
    let timer: NodeJS.Timeout | undefined;
    try {
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeadlineError(timeoutMs)), timeoutMs);
      });
      await Promise.race([test.run(ctx), deadline]);
      verdict = { status: 'pass' };
    } catch (err) {
      verdict = classify(err);
    } finally {
      clearTimeout(timer);
      controller.abort();
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch {
          // cleanup of a test's own peers and instances; the verdict already stands
        }
      }
    }
    const result: Verdict = { ...base, ...verdict, durationMs: Date.now() - started, transcript: transcript.entries };
    if (!slot.target.alive()) {
      result.status = 'fail';
      result.message = `the target died during this test${verdict.message ? ` (the test saw: ${verdict.message})` : ''}`;
      result.expected = 'the target keeps running';
      result.actual = 'process exited';
      result.targetLog = slot.target.logTail();
      await this.restart(slot);
    }
    return result;
  }

  private async restart(slot: Slot): Promise<void> {
    if (slot.restarting) return slot.restarting;
    slot.restarting = (async () => {
      try {
        await slot.target.stop();
        slot.target = await slot.plan.provider.start(slot.plan.fixture);
      } catch (err) {
        slot.down = `the target could not be restarted after a crash: ${(err as Error).message}`;
      } finally {
        slot.restarting = undefined;
      }
    })();
    return slot.restarting;
  }
}

class DeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`no verdict within the ${ms} ms deadline`);
  }
}

function classify(err: unknown): Pick<Verdict, 'status' | 'message' | 'expected' | 'actual'> {
  if (err instanceof TestFailure) return { status: 'fail', message: err.message, expected: err.expected, actual: err.actual };
  if (err instanceof TestSkip) return { status: 'skip', message: err.message };
  if (err instanceof DeadlineError) return { status: 'fail', message: `${err.message}: the target kept the test waiting`, expected: 'an answer before the deadline', actual: 'none' };
  // An honest dial that the target refuses or breaks off is the target's failure, not ours.
  if (err instanceof ConnectionClosedError || err instanceof HandshakeTimeoutError || err instanceof DecodeError) {
    return { status: 'fail', message: `the target did not complete an honest RLPx handshake: ${err.message}`, expected: 'an ack', actual: err.message };
  }
  return { status: 'error', message: `harness error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` };
}

async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
}
