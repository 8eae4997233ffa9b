/**
 * Block propagation on a pre-merge (Clique) chain, caps/eth.md Block
 * Propagation: a new block received by NewBlock is checked, sent whole "to a
 * small fraction of connected peers (usually the square root ...)",
 * imported, and then announced by NewBlockHashes "to all peers which it
 * didn't notify earlier"; never back to the peer it came from; and a block
 * the target already had is not propagated again. Each test launches a
 * private target, since the new block changes its chain.
 */
import { bytesToHex } from '../../../reference-node/wire/bytes.js';
import type { TestContext } from '../../core/context.js';
import { check, fail } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import type { EthSim } from '../../sim/eth-sim.js';
import { connectPeers, directWindow, settle } from '../txpool-broadcast/support/fanout.js';
import { newestVersion } from '../txpool-broadcast/support/versions.js';
import { BlockWatch } from './support/block-watch.js';
import { baseStatus, baseView, blockAfterBase, launchAtBase } from './support/base.js';
import type { NewBlock } from './support/clique-block.js';
import { FULL_CHAIN_FRESH_TIMEOUT_MS } from './support/timeouts.js';

const LEGACY_VERSIONS = [66, 67, 68] as const;
/** One peer sends the block, eight may receive it (sqrt 8 is 2.8: 2 or 3 whole). */
const FANOUT_PEERS = 9;
/** Verifying a Clique header needs the signer snapshot: a just-started node may first rebuild it from the headers. */
const HEAR_WITHIN_MS = 8_000;
const SETTLE_MS = 500;
const QUIET_MS = 1_000;

interface Relay {
  block: NewBlock;
  origin: BlockWatch;
  others: BlockWatch[];
}

/** A private target with the fixture, `n` peers on it; the first sends the next block by NewBlock; waits until the others heard of it. */
async function relayNewBlock(ctx: TestContext, n: number): Promise<Relay> {
  const target = await launchAtBase(ctx);
  const version = newestVersion(target, LEGACY_VERSIONS);
  const sims: EthSim[] = await connectPeers(target, n, version, 'peer', baseStatus(ctx.fixture));
  const watches = sims.map((s) => new BlockWatch(s));
  const [origin, ...others] = watches;
  const block = blockAfterBase(ctx.fixture);
  origin!.sim.send({ kind: 'NewBlock', block: block.block, td: block.td });
  const all = await settle(ctx.signal, () => others.every((w) => w.heard(block.key)), HEAR_WITHIN_MS, SETTLE_MS);
  if (!all && !others.some((w) => w.heard(block.key))) {
    fail(`the target passed a valid new block (${block.number}) to none of the ${others.length} other peers within ${HEAR_WITHIN_MS} ms`, 'NewBlock to some peers, NewBlockHashes to the rest', 'nothing');
  }
  return { block, origin: origin!, others };
}

export const propagateTests: ConformanceTest[] = [
  {
    id: 'block-broadcast/propagate/sqrt-whole-rest-announced',
    title: `a new block from one of ${FANOUT_PEERS} peers goes whole to about the square root of the others, by NewBlockHashes to the rest, and not back to its sender`,
    spec: 'caps/eth.md#block-propagation',
    // "usually the square root": common practice; floor and ceil both pass, all or none does not.
    // "A node should never send a block announcement back to a peer which previously announced the same block."
    // One private target per test is the cost here, so the three SHOULDs of the one paragraph share a test.
    level: 'SHOULD',
    requires: ['profile:legacy'],
    isolation: 'fresh',
    timeoutMs: FULL_CHAIN_FRESH_TIMEOUT_MS,
    async run(ctx) {
      const { block, origin, others } = await relayNewBlock(ctx, FANOUT_PEERS);
      const bad = others.find((w) => w.malformed.length > 0);
      if (bad) fail(`the target sent ${bad.name} a block announcement that does not decode`, 'valid NewBlock / NewBlockHashes', bad.malformed[0]!);
      const whole = others.filter((w) => w.sighting(block.key).whole.length > 0);
      const hashOnly = others.filter((w) => w.sighting(block.key).whole.length === 0 && w.sighting(block.key).announced.length > 0);
      const unaware = others.filter((w) => !w.heard(block.key));
      const { min, max } = directWindow(others.length, FANOUT_PEERS);
      const summary = `${whole.length} got NewBlock, ${hashOnly.length} only NewBlockHashes, ${unaware.length} nothing`;
      check(whole.length >= min && whole.length <= max, `block ${block.number} went whole to ${whole.length} of ${others.length} peers, not about the square root`, `${min}..${max} peers get NewBlock`, summary);
      check(unaware.length === 0, `${unaware.length} peers heard nothing of block ${block.number}`, 'every other peer gets NewBlock or NewBlockHashes', summary);
      const back = origin.sighting(block.key);
      check(back.whole.length === 0 && back.announced.length === 0, `the target sent block ${block.number} back to the peer it came from`, 'nothing about the block to its sender', `${back.whole.length} NewBlock, ${back.announced.length} NewBlockHashes entries`);
    },
  },
  {
    id: 'block-broadcast/propagate/known-block-not-repropagated',
    title: 'a NewBlock for a block the target already holds is not propagated again (while a new block is)',
    spec: 'caps/eth.md#block-propagation',
    // Propagation is for "newly-mined blocks"; gossiping old ones only costs bandwidth. Geth's fetcher drops known blocks.
    level: 'SHOULD',
    requires: ['profile:legacy'],
    isolation: 'fresh',
    timeoutMs: FULL_CHAIN_FRESH_TIMEOUT_MS,
    async run(ctx) {
      const target = await launchAtBase(ctx);
      const version = newestVersion(target, LEGACY_VERSIONS);
      const watches = (await connectPeers(target, 4, version, 'peer', baseStatus(ctx.fixture))).map((s) => new BlockWatch(s));
      const [origin, ...others] = watches;
      const base = baseView(ctx.fixture);
      const head = base.blocks[base.head.number]!;
      const headKey = bytesToHex(base.head.hash);
      origin!.sim.send({ kind: 'NewBlock', block: head, td: base.head.td });
      // Then a new block: once the target has passed that on, it has dealt with the old one too,
      // and its silence about the old one means something.
      const block = blockAfterBase(ctx.fixture);
      origin!.sim.send({ kind: 'NewBlock', block: block.block, td: block.td });
      const relays = await settle(ctx.signal, () => others.some((w) => w.heard(block.key)), HEAR_WITHIN_MS, QUIET_MS);
      const echoed = others.filter((w) => w.heard(headKey));
      check(echoed.length === 0, `the target propagated its own head block ${base.head.number} again when a peer sent it`, 'no NewBlock / NewBlockHashes for a known block', `${echoed.map((w) => w.name).join(', ')} heard of it`);
      if (!relays) fail(`the target propagated no new block either (block ${block.number} reached none of ${others.length} peers within ${HEAR_WITHIN_MS} ms), so its silence about the old one proves nothing`, 'the new block is propagated', 'nothing');
    },
  },
];
