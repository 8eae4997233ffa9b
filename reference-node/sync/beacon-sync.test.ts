/**
 * Post-merge sync over loopback: node A builds blocks on a post-merge genesis
 * (no seal), node B with only the genesis is told A's head hash (as an
 * engine_forkchoiceUpdated would) and must make it its head. Also: a target
 * nobody has, targets replacing each other, and lying peers.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Chain } from '../chain/chain.js';
import type { Genesis } from '../chain/genesis.js';
import type { ChainReader } from '../chain/reader.js';
import type { Block } from '../wire/block.js';
import { equalBytes } from '../wire/bytes.js';
import { DisconnectReason } from '../wire/p2p.js';
import { BeaconSync, type BeaconAttemptResult } from './beacon-sync.js';
import { blockListReader, buildPostMerge, canonicalBlocks, postMergeGenesis } from './test-chains.js';
import { connect, nodeIdHex, startNode, waitFor, type TestEthNode } from './test-network.js';
import type { SyncProgress } from './types.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let genesis: Genesis;
let chainA: Chain;
let blocks: Block[];

beforeAll(async () => {
  genesis = await postMergeGenesis();
  chainA = await Chain.open({ genesis });
  await buildPostMerge(chainA, 30, { txsPerBlock: 2 });
  blocks = canonicalBlocks(chainA);
}, 30_000);

async function beaconNode(options: { retryMs?: number } = {}) {
  const chain = await Chain.open({ genesis });
  const node = await startNode(chain, cleanups, { postMerge: true });
  const sync = new BeaconSync({ chain, peers: () => node.protocols.peers(), retryMs: options.retryMs ?? 60_000 });
  const attempts: BeaconAttemptResult[] = [];
  const synced: bigint[] = [];
  sync.on('attemptFinished', (r) => attempts.push(r));
  sync.onSynced((head) => synced.push(head.number));
  node.onPeer = (peer) => sync.addPeer(peer);
  cleanups.push(() => sync.stop());
  return { chain, node, sync, attempts, synced };
}

const hashOf = (n: number) => chainA.hashByNumber(BigInt(n))!;

describe('beacon sync', () => {
  it('B, with only the genesis, makes A head its head', async () => {
    const a = await startNode(chainA, cleanups, { postMerge: true });
    const b = await beaconNode();
    await connect(b.node, a);
    const seen: SyncProgress[] = [];
    expect(b.sync.progress()).toBeUndefined();
    b.sync.syncTo(hashOf(30));
    expect(b.sync.progress()).toEqual({ startingBlock: 0n, currentBlock: 0n, highestBlock: 0n });
    const poll = setInterval(() => {
      const p = b.sync.progress();
      if (p) seen.push(p);
    }, 5);
    await waitFor(() => b.synced.length > 0, 15_000, 'synced');
    clearInterval(poll);
    await b.sync.whenIdle();
    expect(b.synced).toEqual([30n]);
    expect(b.chain.head().hash).toEqual(chainA.head().hash);
    for (let n = 0n; n <= 30n; n++) expect(b.chain.hashByNumber(n), `block ${n}`).toEqual(chainA.hashByNumber(n));
    expect(b.attempts.map((r) => [r.outcome, r.imported])).toEqual([['synced', 30]]);
    expect(b.sync.progress()).toBeUndefined();
    // Once the target header was in, progress named it as the highest block.
    expect(seen.some((p) => p.highestBlock === 30n)).toBe(true);
    expect(seen.every((p) => p.startingBlock === 0n && p.currentBlock <= p.highestBlock)).toBe(true);

    // A known target (an older block) only moves the head, as a forkchoice update does; then back.
    b.sync.syncTo(hashOf(20));
    await b.sync.whenIdle();
    expect(b.chain.head().number).toBe(20n);
    b.sync.syncTo(hashOf(30));
    await b.sync.whenIdle();
    expect(b.chain.head().hash).toEqual(chainA.head().hash);
    expect(b.synced).toEqual([30n, 20n, 30n]);
  }, 30_000);

  it('a target no peer has: reported, kept pending, and replaced by a good one', async () => {
    const a = await startNode(chainA, cleanups, { postMerge: true });
    const b = await beaconNode();
    await connect(b.node, a);
    const nowhere = new Uint8Array(32).fill(0xab);
    b.sync.syncTo(nowhere);
    await waitFor(() => b.attempts.length > 0, 5_000, 'first attempt');
    await b.sync.whenIdle();
    expect(b.attempts.map((r) => r.outcome)).toEqual(['target-unknown']);
    expect(b.sync.pendingTarget()).toEqual(nowhere);
    // Still syncing as far as eth_syncing goes, with nothing known beyond our head.
    expect(b.sync.progress()).toEqual({ startingBlock: 0n, currentBlock: 0n, highestBlock: 0n });
    expect(b.node.protocols.peers()).toHaveLength(1); // not having a block is no fault

    b.sync.syncTo(hashOf(30));
    await waitFor(() => b.synced.length > 0, 15_000, 'synced');
    expect(b.chain.head().hash).toEqual(chainA.head().hash);
    expect(b.sync.pendingTarget()).toBeUndefined();
  }, 30_000);

  it('a newer target replaces the one in progress', async () => {
    const a = await startNode(chainA, cleanups, { postMerge: true });
    const b = await beaconNode();
    await connect(b.node, a);
    b.sync.syncTo(hashOf(15));
    b.sync.syncTo(hashOf(30));
    await waitFor(() => b.synced.length > 0, 15_000, 'synced');
    await b.sync.whenIdle();
    expect(b.synced).toEqual([30n]);
    expect(b.attempts.map((r) => r.outcome)).toEqual(['superseded', 'synced']);
    expect(b.chain.head().hash).toEqual(chainA.head().hash);
  }, 30_000);

  it('a target unknown at first is found when a peer that has it arrives', async () => {
    const b = await beaconNode();
    b.sync.syncTo(hashOf(30));
    await waitFor(() => b.attempts.length > 0, 5_000, 'first attempt');
    expect(b.attempts[0]!.outcome).toBe('target-unknown');
    const a = await startNode(chainA, cleanups, { postMerge: true });
    await connect(b.node, a);
    await waitFor(() => b.synced.length > 0, 15_000, 'synced');
    expect(b.chain.head().hash).toEqual(chainA.head().hash);
  }, 30_000);

  it('drops a peer that answers with another header, and one that withholds bodies; syncs from the honest one', async () => {
    const target = hashOf(30);
    // Liar 1 answers the target's hash with block 29's header.
    const honestReader = blockListReader(chainA, blocks);
    const wrongHeader: ChainReader = { ...honestReader, headerByHash: (h) => (equalBytes(h, target) ? blocks[29]!.header : honestReader.headerByHash(h)) };
    const liar1 = await startNode(wrongHeader, cleanups, { postMerge: true });
    // Liar 2 has the headers but no bodies above block 12.
    const liar2 = await startNode(blockListReader(chainA, blocks, { withholdBodies: (n) => n > 12n }), cleanups, { postMerge: true });
    const honest = await startNode(chainA, cleanups, { postMerge: true });
    const b = await beaconNode();
    for (const peer of [liar1, liar2, honest]) await connect(b.node, peer);

    b.sync.syncTo(target);
    await waitFor(() => b.synced.length > 0, 15_000, 'synced');
    expect(b.chain.head().hash).toEqual(chainA.head().hash);
    const [attempt] = b.attempts;
    expect(attempt?.outcome).toBe('synced');
    expect(attempt?.dropped.map((d) => [d.peerId, d.fault.kind])).toEqual([
      [nodeIdHex(liar1), 'bad-header'],
      [nodeIdHex(liar2), 'withheld'],
    ]);
    const endSeen = (liar: TestEthNode) => liar.ended.get(nodeIdHex(b.node));
    await waitFor(() => endSeen(liar1) !== undefined && endSeen(liar2) !== undefined, 3_000, 'liars disconnected');
    expect(endSeen(liar1)?.reason).toBe(DisconnectReason.UselessPeer);
    expect(endSeen(liar2)?.reason).toBe(DisconnectReason.UselessPeer);
    expect(attempt?.imported).toBe(30);
    expect(b.node.protocols.peers().map((p) => p.id)).toEqual([nodeIdHex(honest)]);
  }, 30_000);
});
