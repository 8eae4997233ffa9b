/**
 * The engine's loop with a fake campaign (cases are integers, the verdict of
 * each is written down here) against a fake UDP target (test-support/
 * fake-udp-target.ts: answers the discv4 canary, can be killed, starts
 * slowly): shrinking keeps a failure's signature, --keep-going explores on
 * after a finding and counts repeats without shrinking them, unconfirmed
 * findings are kept apart, known failures are suppressed, a dead target is
 * restarted, and fuzzing time leaves start-up and restarts out.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fixture } from '../../conformance/fixture/fixture.js';
import { FakeUdpTargetProvider } from '../../test-support/fake-udp-target.js';
import { loadKnownFailures } from './known.js';
import { REPRODUCER_FORMAT, type Reproducer } from './reproducer.js';
import { runFuzz, type FuzzRunOptions } from './runner.js';
import { failureSignature } from './signature.js';
import { fail, PASS, type Campaign, type RunMode, type Verdict } from './types.js';

/** The fake campaign and target never read the chain. */
const noFixture = {} as Fixture;
const BIG = 1024 ** 4;

/** Explores only values from 500 to 1000, shrinks like fc.integer over 0..1000 (towards 0). */
class HighThenLow extends fc.Arbitrary<number> {
  private readonly all = fc.integer({ min: 0, max: 1000 });
  generate(mrng: fc.Random): fc.Value<number> {
    return new fc.Value(mrng.nextInt(500, 1000), undefined);
  }
  canShrinkWithoutContext(value: unknown): value is number {
    return this.all.canShrinkWithoutContext(value);
  }
  shrink(value: number, context: unknown): fc.Stream<fc.Value<number>> {
    return this.all.shrink(value, context);
  }
}

interface FakeCampaign extends Campaign<number> {
  runs: Array<{ c: number; mode: RunMode }>;
  resets: number;
}

function fakeCampaign(verdictOf: (c: number, mode: RunMode) => Verdict, arb: fc.Arbitrary<number> = fc.integer({ min: 0, max: 999 }), onRun?: (c: number) => void): FakeCampaign {
  const campaign: FakeCampaign = {
    name: 'p2p',
    summary: 'fake',
    runs: [],
    resets: 0,
    cases: () => arb,
    async run(_ctx, c, mode) {
      campaign.runs.push({ c, mode });
      onRun?.(c);
      await new Promise((r) => setImmediate(r));
      return { verdict: verdictOf(c, mode), sent: [{ what: `case ${c}`, hex: '', length: 0 }] };
    },
    describe: (c) => `case ${c}`,
    async reset() {
      campaign.resets++;
    },
  };
  return campaign;
}

const bugA = (c: number) => fail('reply', `headers 1,2,…,${c} (${c})`, 'an empty BlockHeaders');
const bugB = (c: number) => fail('reply', 'at most 0 headers: blocks none', `${c} headers (0)`);
const bugC = (c: number) => fail('unexpected-disconnect', 'the session goes on (a valid Ping)', `Disconnect breach of protocol (0x02) after ${c} ms`);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fuzz-runner-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(campaign: FakeCampaign, extra: Partial<FuzzRunOptions<number>>, provider = new FakeUdpTargetProvider()) {
  const logs: string[] = [];
  const result = runFuzz({
    campaign,
    provider,
    fixture: noFixture,
    targetInfo: { spec: 'fake', faults: [], profile: 'modern' },
    seed: 42,
    rssBoundBytes: BIG,
    canaryIntervalMs: 60_000,
    onLog: (l) => logs.push(l),
    ...extra,
  });
  return { result, logs };
}

describe('shrinking keeps the failure signature', () => {
  it('a failure of bug A shrinks to A\'s smallest case, not into bug B of the same oracle', async () => {
    // A: 500 and up; B (same oracle, other words): 100..499. Shrinking 500..1000 towards 0 passes through B.
    const campaign = fakeCampaign((c) => (c >= 500 ? bugA(c) : c >= 100 ? bugB(c) : PASS), new HighThenLow());
    const { result, logs } = run(campaign, { runs: 50 });
    const r = await result;
    expect(r.findings, logs.join('\n')).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.reproducer.description).toBe('case 500');
    expect(f.reproducer.expected).toBe('headers 1,2,…,500 (500)');
    expect(f.signature).toBe(failureSignature(bugA(777)));
    expect(f.confirmed && f.replayed).toBe(true);
    // It did try B's cases (and refused them): the test would pass trivially otherwise.
    expect(campaign.runs.some((x) => x.mode === 'isolate' && x.c >= 100 && x.c < 500)).toBe(true);
    // Without --keep-going the run ends at the finding.
    expect(r.cases).toBeLessThan(50);
  }, 30_000);
});

describe('--keep-going', () => {
  it('explores on after each finding until --runs; repeats are counted, not shrunk', async () => {
    const campaign = fakeCampaign((c) => (c % 10 === 3 ? bugA(c) : c % 10 === 7 ? bugC(c) : PASS));
    const corpusDir = join(dir, 'keep-going');
    const { result, logs } = run(campaign, { runs: 300, keepGoing: true, corpusDir, maxShrinkSteps: 30 });
    const r = await result;
    expect(r.cases, logs.join('\n')).toBe(300);
    expect(r.findings.map((f) => f.signature).sort()).toEqual([failureSignature(bugA(3)), failureSignature(bugC(7))].sort());
    expect(r.findings.every((f) => f.confirmed)).toBe(true);
    // Every failure after the first of its kind is a repeat; about 1 case in 5 fails.
    expect(r.repeats).toBeGreaterThan(20);
    expect(r.findings.reduce((n, f) => n + f.repeats, 0)).toBe(r.repeats);
    // Exactly two shrinks, and no isolated run of a case except for those two (shrink steps and checks).
    expect(logs.filter((l) => l.startsWith('shrinking')).length).toBe(2);
    const explored = campaign.runs.filter((x) => x.mode === 'explore');
    expect(explored.length).toBe(300);
    // Sessions were reset after each finding (and once at the end).
    expect(campaign.resets).toBeGreaterThanOrEqual(3);
    const files = await readdir(corpusDir);
    expect(files).toHaveLength(2);
  }, 60_000);

  it('a finding that does not replay is unconfirmed: counted apart, said so in its reproducer, later ones are repeats', async () => {
    // Bug A shows only while exploring (on reused sessions, say): alone, the case passes.
    const campaign = fakeCampaign((c, mode) => (c % 10 === 3 && mode === 'explore' ? bugA(c) : PASS));
    const corpusDir = join(dir, 'unconfirmed');
    const { result, logs } = run(campaign, { runs: 200, keepGoing: true, corpusDir, maxShrinkSteps: 10 });
    const r = await result;
    expect(r.cases, logs.join('\n')).toBe(200);
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confirmed).toBe(false);
    expect(f.replayed).toBe(false);
    expect(f.repeats).toBeGreaterThan(5);
    expect(basename(f.file!)).toMatch(/^unconfirmed-p2p-reply-/);
    const written = JSON.parse(await readFile(f.file!, 'utf8')) as Reproducer;
    expect(written.replayed).toBe(false);
    expect(logs.some((l) => l.includes('DID NOT replay (unconfirmed)'))).toBe(true);
  }, 60_000);

  it('failures known from a reproducer directory are repeats; a known one marked fixed is not', async () => {
    const knownDir = join(dir, 'known');
    await mkdir(join(knownDir, 'p2p'), { recursive: true });
    const reproducer = (v: ReturnType<typeof fail>, extra: Partial<Reproducer> = {}): Reproducer => ({
      format: REPRODUCER_FORMAT,
      campaign: 'p2p',
      seed: 1,
      caseIndex: 1,
      target: { spec: 'fake', faults: [], description: 'fake', profile: 'modern' },
      case: 1,
      description: 'written by the test',
      sent: [],
      oracle: v.oracle,
      expected: v.expected,
      observed: v.observed,
      shrinkSteps: 0,
      foundAfterCases: 1,
      foundAfterMs: 1,
      createdAt: new Date(0).toISOString(),
      ...extra,
    });
    // Other numbers than any case here gives: the signature must match anyway.
    await writeFile(join(knownDir, 'p2p', 'a.json'), JSON.stringify(reproducer(bugA(123456))));
    await writeFile(join(knownDir, 'p2p', 'c-fixed.json'), JSON.stringify(reproducer(bugC(99999), { expect: 'fixed' })));
    const known = await loadKnownFailures(knownDir, { recursive: true, strict: true });
    expect([...known.keys()]).toEqual([failureSignature(bugA(1))]);

    const campaign = fakeCampaign((c) => (c % 10 === 3 ? bugA(c) : c % 10 === 7 ? bugC(c) : PASS));
    const { result, logs } = run(campaign, { runs: 200, keepGoing: true, known, maxShrinkSteps: 20 });
    const r = await result;
    expect(r.findings.map((f) => f.signature), logs.join('\n')).toEqual([failureSignature(bugC(7))]);
    expect(r.knownRepeats).toHaveLength(1);
    expect(r.knownRepeats[0]!.file).toBe(join(knownDir, 'p2p', 'a.json'));
    expect(r.knownRepeats[0]!.repeats).toBeGreaterThan(5);
    expect(logs.filter((l) => l.startsWith('shrinking')).length).toBe(1);

    // Without --keep-going, known failures are passed over too, and the run stops at the first new one.
    const plain = fakeCampaign((c) => (c % 10 === 3 ? bugA(c) : c % 10 === 7 ? bugC(c) : PASS));
    const r2 = await run(plain, { runs: 200, known, maxShrinkSteps: 20 }).result;
    expect(r2.findings.map((f) => f.signature)).toEqual([failureSignature(bugC(7))]);
    expect(r2.cases).toBeLessThan(200);
  }, 60_000);

  it('a dead target is restarted and exploring goes on; fuzzing time leaves start-up and restarts out', async () => {
    const provider = new FakeUdpTargetProvider(800);
    const campaign = fakeCampaign(
      () => PASS,
      undefined,
      (c) => {
        if (c % 40 === 13) provider.current!.kill();
      },
    );
    const { result, logs } = run(campaign, { runs: 150, keepGoing: true, maxShrinkSteps: 3 }, provider);
    const r = await result;
    expect(r.cases, logs.join('\n')).toBe(150);
    expect(r.findings.map((f) => f.reproducer.oracle)).toEqual(['crash']);
    // The cause is kept although the shutdown logged more than the last 8 lines after it.
    expect(r.findings[0]!.reproducer.observed).toMatch(/^it exited; last output: Uncaught error: killed by the test \| … \| stopping 2 \|.* \| Exiting\.$/);
    expect(r.repeats).toBeGreaterThanOrEqual(1);
    expect(r.restarts).toBeGreaterThanOrEqual(2);
    expect(provider.starts).toBe(r.restarts + 1);
    // Each start took at least 800 ms of wall time that is not fuzzing time.
    expect(r.ms - r.fuzzingMs).toBeGreaterThanOrEqual(provider.starts * 800 - 50);
  }, 60_000);

  it('--time as fuzzing time: the limit is reached in fuzzing time, start-up not counted', async () => {
    const campaign = fakeCampaign(() => PASS);
    const { result } = run(campaign, { fuzzTimeMs: 1_500, keepGoing: true }, new FakeUdpTargetProvider(1_000));
    const r = await result;
    expect(r.fuzzingMs).toBeGreaterThanOrEqual(1_500);
    expect(r.fuzzingMs).toBeLessThan(2_500);
    expect(r.ms).toBeGreaterThanOrEqual(2_500);
    expect(r.cases).toBeGreaterThan(0);
  }, 30_000);
});

describe('loadKnownFailures', () => {
  it('a corpus directory: top level only, other JSON skipped; --known: strict', async () => {
    const corpus = join(dir, 'corpus');
    await mkdir(join(corpus, 'soak'), { recursive: true });
    const r = { format: REPRODUCER_FORMAT, campaign: 'p2p', seed: 1, caseIndex: 1, target: { spec: 'x', faults: [], description: 'x', profile: 'modern' }, case: 1, description: 'd', sent: [], shrinkSteps: 0, foundAfterCases: 1, foundAfterMs: 1, createdAt: '' };
    await writeFile(join(corpus, 'a.json'), JSON.stringify({ ...r, oracle: 'reply', expected: 'x 1', observed: 'y' }));
    await writeFile(join(corpus, 'unconfirmed-b.json'), JSON.stringify({ ...r, oracle: 'hang', expected: 'x', observed: 'y', replayed: false }));
    await writeFile(join(corpus, 'soak', 'c.json'), JSON.stringify({ ...r, oracle: 'crash', expected: 'x', observed: 'y' }));
    await writeFile(join(corpus, 'report.json'), JSON.stringify({ campaign: 'p2p', cases: 3 }));
    const known = await loadKnownFailures(corpus, { recursive: false, strict: false });
    expect([...known.keys()]).toEqual(['reply | expected: x # | observed: y']);
    await expect(loadKnownFailures(corpus, { recursive: true, strict: true })).rejects.toThrow(/report\.json/);
    await expect(loadKnownFailures(join(dir, 'nope'), { recursive: true, strict: true })).rejects.toThrow(/not a directory/);
    expect((await loadKnownFailures(join(dir, 'nope'), { recursive: false, strict: false })).size).toBe(0);
  });
});
