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
import { EthSim } from '../conformance/sim/eth-sim.js';
import { SimPeer, type SimEnv } from '../conformance/sim/sim-peer.js';
import { Transcript } from '../conformance/sim/transcript.js';
import { CampaignContext } from '../fuzz/engine/context.js';
import { runFuzz } from '../fuzz/engine/runner.js';
import type { CampaignName } from '../fuzz/engine/types.js';
import { generatePrivateKey } from '../reference-node/wire/keys.js';
import { loadEthtestChain } from '../test-support/ethtest-chain.js';
import { startEthjsNode } from '../test-support/ethereumjs-rlpx.js';

const SECONDS = Number(process.env.BENCH_FUZZ_SECONDS ?? 20);
const SEED = 424242;

async function engineRate(fixture: Fixture, name: CampaignName, jobs: number | undefined): Promise<{ rate: number; cases: number; findings: number }> {
  const r = await runFuzz({
    campaign: createCampaign(name),
    provider: new ReferenceTargetProvider(),
    fixture,
    targetInfo: { spec: 'reference', faults: [], profile: fixture.profile },
    seed: SEED,
    timeMs: SECONDS * 1000,
    ...(jobs !== undefined ? { jobs } : {}),
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

function simEnvFor(target: { host: string; port: number; publicKey: Uint8Array }): SimEnv {
  return { host: target.host, port: target.port, publicKey: target.publicKey, transcript: new Transcript(), nextKey: generatePrivateKey, signal: new AbortController().signal };
}

/** RLPx handshake + Hello, then close, `concurrency` at a time for half the measurement time: sessions/s. */
async function sessionRate(target: { host: string; port: number; publicKey: Uint8Array }, concurrency: number): Promise<number> {
  const deadline = Date.now() + (SECONDS * 1000) / 2;
  const started = Date.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const peer = await SimPeer.dial(simEnvFor(target), { name: 'bench' });
        const hello = await peer.exchangeHello([{ name: 'eth', version: 68 }]);
        peer.close();
        if (!hello.ok) throw new Error(`no Hello from ${target.host}:${target.port}`);
        done++;
      }
    }),
  );
  return done / ((Date.now() - started) / 1000);
}

/**
 * The cheapest eth traffic there is: GetBlockHeaders for one header, 256 in
 * flight on one session, no model, no mutation, no fast-check. What our own
 * wire stack on both sides can do per second on this machine, an upper bound
 * for any eth campaign built on it.
 */
async function pipelinedRequestRate(target: RunningTarget, fixture: Fixture): Promise<number> {
  const stop = new AbortController();
  const ctx = new CampaignContext(target, fixture, stop.signal);
  const sim = await EthSim.connect(ctx.simEnv(), fixture, { version: ctx.ethVersion, timeoutMs: 5_000, name: 'bench' });
  const deadline = Date.now() + (SECONDS * 1000) / 2;
  const started = Date.now();
  let done = 0;
  for (let id = 1n; Date.now() < deadline; ) {
    const window: bigint[] = [];
    for (let i = 0; i < 256; i++, id++) {
      window.push(id);
      sim.send({ kind: 'GetBlockHeaders', requestId: id, origin: { number: id % BigInt(fixture.head.number) }, amount: 1n, skip: 0n, reverse: false });
    }
    for (const _ of window) {
      const w = await sim.next('BlockHeaders', 5_000);
      if (!w.ok) throw new Error(`pipelined request: ${w.why}`);
      done++;
    }
  }
  sim.close();
  return done / ((Date.now() - started) / 1000);
}

async function main(): Promise<void> {
  const fixture = await loadFixture(await cachedFixtureDir(DEFAULT_FIXTURES.modern));
  console.log(`bench:fuzz: ${SECONDS} s per measurement, seed ${SEED}, reference node with the modern fixture`);

  const rows: string[] = [];
  // undefined: the campaign's own default (eth 24, handshake 16), what `devp2p-check fuzz` runs.
  for (const [name, jobs] of [['eth', undefined], ['eth', 1], ['handshake', undefined], ['handshake', 1]] as const) {
    const r = await engineRate(fixture, name, jobs);
    const goal = name === 'eth' ? 2000 : 50;
    rows.push(`| ${name} (engine) | ${jobs ?? `${createCampaign(name).defaultJobs} (default)`} | ${r.cases} | ${r.rate.toFixed(1)} | ${goal} | ${r.findings} |`);
    console.log(rows.at(-1));
  }

  // Like-for-like handshake baseline: the engine's own sampled cases, no canary, both targets in this run.
  const ours = await new ReferenceTargetProvider().start(fixture);
  const ethjs = await startEthjsNode(loadEthtestChain(), generatePrivateKey(), true);
  const campaign = new HandshakeCampaign();
  const cases = fc.sample(campaign.cases(), { seed: SEED, numRuns: 2000 });
  const results: string[] = [];
  const ceilings: string[] = [];
  try {
    const pipelined = await pipelinedRequestRate(ours, fixture);
    ceilings.push(`| eth requests pipelined on one session (GetBlockHeaders for 1 header, no model) | ${pipelined.toFixed(0)} | - | - |`);
    console.log(ceilings.at(-1));
    const ethjsTarget = { host: '127.0.0.1', port: ethjs.port, publicKey: ethjs.rlpx.id };
    const a = await sessionRate(ours, 8);
    const b = await sessionRate(ethjsTarget, 8);
    ceilings.push(`| new sessions (RLPx handshake + Hello, 8 at a time) | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)} |`);
    console.log(ceilings.at(-1));
    for (const concurrency of [1, 16]) {
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
  console.log('\n| ceiling of the eth campaign on this machine | reference node /s | @ethereumjs/devp2p /s | ratio ours/ethjs |\n| --- | --- | --- | --- |');
  for (const r of ceilings) console.log(r);
  console.log('\nAn eth case that ends its session costs a new session; one that keeps it costs one to three requests.');
}

await main();
process.exit(0);
