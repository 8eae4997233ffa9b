/**
 * Fuzz benchmark (npm run bench:fuzz): cases per second of the `eth`
 * campaign (reused sessions) and the `handshake` campaign (fresh connections)
 * against the reference node, through the whole engine (model, canary every
 * 200 cases or 2 s, alive and RSS oracles). Goals (issue 7): >= 2,000 eth and
 * >= 50 handshake cases/s.
 *
 * Baseline (house rule): the same handshake cases, driven by the same loop
 * without the engine's canary, against the reference node and against an
 * @ethereumjs/devp2p RLPx listener on 127.0.0.1 in the same run. The ratio
 * ours/ethjs says how fast our node's RLPx absorbs the campaign compared with
 * ethereumjs's (the harness's cost is the same on both sides); above 1 means
 * ours answers or closes faster. There is no ethjs baseline for `eth`: a bare
 * @ethereumjs/devp2p peer holds no chain, so it cannot pass the fixture's
 * Status and serve the campaign's requests.
 */
import fc from 'fast-check';
import { cachedFixtureDir, DEFAULT_FIXTURES } from '../conformance/fixture/default-fixtures.js';
import { loadFixture, type Fixture } from '../conformance/fixture/fixture.js';
import { ReferenceTargetProvider } from '../conformance/targets/reference.js';
import type { RunningTarget } from '../conformance/targets/target.js';
import { HandshakeCampaign, type HandshakeCase } from '../fuzz/campaigns/handshake.js';
import { createCampaign } from '../fuzz/campaigns/index.js';
import { CampaignContext } from '../fuzz/engine/context.js';
import { runFuzz } from '../fuzz/engine/runner.js';
import type { CampaignName } from '../fuzz/engine/types.js';
import { generatePrivateKey } from '../reference-node/wire/keys.js';
import { loadEthtestChain } from '../test-support/ethtest-chain.js';
import { startEthjsNode } from '../test-support/ethereumjs-rlpx.js';

const SECONDS = Number(process.env.BENCH_FUZZ_SECONDS ?? 20);
const SEED = 424242;

async function engineRate(fixture: Fixture, name: CampaignName, jobs: number): Promise<{ rate: number; cases: number; findings: number }> {
  const r = await runFuzz({
    campaign: createCampaign(name),
    provider: new ReferenceTargetProvider(),
    fixture,
    targetInfo: { spec: 'reference', faults: [], profile: fixture.profile },
    seed: SEED,
    timeMs: SECONDS * 1000,
    jobs,
  });
  return { rate: r.casesPerSecond, cases: r.cases, findings: r.findings.length };
}

/** A target the handshake campaign can reach: it only needs host, port and public key. */
function bareTarget(description: string, port: number, publicKey: Uint8Array, fixture: Fixture): RunningTarget {
  return {
    description,
    host: '127.0.0.1',
    port,
    udpPort: 0,
    publicKey,
    enode: '',
    capabilities: new Set(),
    fixture,
    announcedCaps: [],
    alive: () => true,
    logTail: () => '',
    stop: async () => undefined,
  };
}

/** The same sampled handshake cases, `concurrency` at a time, for SECONDS: cases/s. */
async function directHandshakeRate(target: RunningTarget, fixture: Fixture, cases: HandshakeCase[], concurrency: number): Promise<number> {
  const campaign = new HandshakeCampaign();
  const stop = new AbortController();
  const ctx = new CampaignContext(target, fixture, stop.signal);
  const deadline = Date.now() + SECONDS * 1000;
  let next = 0;
  let done = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const c = cases[next++ % cases.length]!;
        await campaign.run(ctx, c);
        done++;
      }
    }),
  );
  ctx.abortConnections();
  return done / ((Date.now() - started) / 1000);
}

async function main(): Promise<void> {
  const fixture = await loadFixture(await cachedFixtureDir(DEFAULT_FIXTURES.modern));
  console.log(`bench:fuzz: ${SECONDS} s per measurement, seed ${SEED}, reference node with the modern fixture`);

  const rows: string[] = [];
  for (const [name, jobs] of [['eth', 1], ['eth', 4], ['handshake', 1], ['handshake', 8]] as const) {
    const r = await engineRate(fixture, name, jobs);
    const goal = name === 'eth' ? 2000 : 50;
    rows.push(`| ${name} (engine) | ${jobs} | ${r.cases} | ${r.rate.toFixed(1)} | ${goal} | ${r.findings} |`);
    console.log(rows.at(-1));
  }

  // Like-for-like handshake baseline: the engine's own sampled cases, no canary, both targets in this run.
  const ours = await new ReferenceTargetProvider().start(fixture);
  const ethjs = await startEthjsNode(loadEthtestChain(), generatePrivateKey(), true);
  const campaign = new HandshakeCampaign();
  const cases = fc.sample(campaign.cases(), { seed: SEED, numRuns: 2000 });
  const results: string[] = [];
  try {
    for (const concurrency of [1, 8]) {
      const a = await directHandshakeRate(ours, fixture, cases, concurrency);
      const b = await directHandshakeRate(bareTarget('@ethereumjs/devp2p RLPx', ethjs.port, ethjs.rlpx.id, fixture), fixture, cases, concurrency);
      results.push(`| handshake cases, ${concurrency} at a time | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)} |`);
      console.log(results.at(-1));
    }
  } finally {
    ethjs.close();
    await ours.stop();
  }

  console.log('\n| campaign | jobs | cases | cases/s | goal | findings |\n| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
  console.log('\n| same cases, no canary | reference node cases/s | @ethereumjs/devp2p cases/s | ratio ours/ethjs |\n| --- | --- | --- | --- |');
  for (const r of results) console.log(r);
  console.log('\nratio > 1: our node absorbs the handshake campaign faster than @ethereumjs/devp2p (same cases, same harness).');
}

await main();
process.exit(0);
