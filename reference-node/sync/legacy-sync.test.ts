/**
 * Pre-merge full sync between real nodes on loopback: Chain instances, our
 * eth protocols (eth/66-68, TD in Status) on Servers, LegacySync on the
 * syncing side. Node A holds a Clique chain with transactions, mined here.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Chain } from '../chain/chain.js';
import type { Genesis } from '../chain/genesis.js';
import { bytesToHex } from '../wire/bytes.js';
import type { Block } from '../wire/block.js';
import { LegacySync, type SyncRoundResult } from './legacy-sync.js';
import { canonicalBlocks, chainWith, cliqueGenesis, mineClique, SIGNER_ADDRESS } from './test-chains.js';
import { connect, nodeIdHex, startNode, waitFor, type TestEthNode } from './test-network.js';
import type { SyncChain, SyncProgress } from './types.js';

const LEGACY = [66, 67, 68] as const;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let genesis: Genesis;
/** Node A's chain: 32 blocks of 2 transfers each, then 8 more in the "joins later" test. */
let chainA: Chain;
let first32: Block[];

beforeAll(async () => {
  genesis = await cliqueGenesis();
  chainA = await Chain.open({ genesis });
  first32 = await mineClique(chainA, 32, { txsPerBlock: 2 });
}, 30_000);

interface SyncingNode {
  chain: Chain;
  node: TestEthNode;
  sync: LegacySync;
  rounds: SyncRoundResult[];
}

async function syncingNode(chain: Chain, options: { start?: boolean } = {}): Promise<SyncingNode> {
  const node = await startNode(chain, cleanups, { versions: LEGACY });
  const sync = new LegacySync({ chain, peers: () => node.protocols.peers(), intervalMs: 60_000 });
  const rounds: SyncRoundResult[] = [];
  sync.onRoundFinished((r) => rounds.push(r));
  node.onPeer = (peer) => sync.addPeer(peer);
  cleanups.push(() => sync.stop());
  if (options.start !== false) sync.start();
  return { chain, node, sync, rounds };
}

/** Both chains have the same canonical hashes up to `b`'s head, which is `a`'s head. */
function expectSameChain(a: Chain, b: Chain): void {
  expect(bytesToHex(b.head().hash)).toBe(bytesToHex(a.head().hash));
  expect(b.head().td).toBe(a.head().td);
  for (let n = 0n; n <= a.head().number; n++) expect(b.hashByNumber(n), `block ${n}`).toEqual(a.hashByNumber(n));
}

it('Chain satisfies SyncChain', () => {
  const asSyncChain: SyncChain = chainA;
  expect(asSyncChain.head().number).toBe(32n);
});

describe('legacy full sync', () => {
  it('B syncs A from scratch; C joins after A mined more and syncs from the best peer', async () => {
    const a = await startNode(chainA, cleanups, { versions: LEGACY });
    const b = await syncingNode(await Chain.open({ genesis }));
    const seen: SyncProgress[] = [];
    b.chain.onNewHead(() => {
      const p = b.sync.progress();
      if (p) seen.push(p);
    });
    expect(b.sync.progress()).toBeUndefined();

    await connect(b.node, a);
    await waitFor(() => b.rounds.length > 0, 15_000, 'B round');
    await b.sync.whenIdle();
    expect(b.rounds.map((r) => r.outcome)).toEqual(['synced']);
    expect(b.rounds[0]!.peerId).toBe(nodeIdHex(a));
    expect(b.rounds[0]!.imported).toBe(32);
    expectSameChain(chainA, b.chain);
    // The transactions were executed: the sender's nonce is 2 per block.
    expect((await b.chain.accountAt(SIGNER_ADDRESS))?.nonce).toBe(64n);
    // Progress while importing: from the ancestor (genesis) to A's head; none once idle.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((p) => p.startingBlock === 0n && p.highestBlock === 32n)).toBe(true);
    expect(seen[seen.length - 1]!.currentBlock).toBe(32n);
    expect(b.sync.progress()).toBeUndefined();
    // The peer's recorded head is A's head with the TD we computed.
    const peerA = b.node.protocols.peers()[0]!;
    expect(peerA.head.td).toBe(chainA.head().td);

    // A mines 8 more; C connects to B (32 blocks) and to A (40): C ends at A's head.
    await mineClique(chainA, 8, { txsPerBlock: 2 });
    const c = await syncingNode(await Chain.open({ genesis }));
    await connect(c.node, b.node);
    await connect(c.node, a);
    await waitFor(() => c.chain.head().number === 40n, 15_000, 'C at 40');
    await c.sync.whenIdle();
    expectSameChain(chainA, c.chain);
    expect(c.rounds.every((r) => r.outcome === 'synced')).toBe(true);
    expect(c.rounds[c.rounds.length - 1]!.peerId).toBe(nodeIdHex(a));
  }, 30_000);

  it('follows the peer with the higher total difficulty', async () => {
    const low = await startNode(await chainWith(genesis, first32.slice(0, 20)), cleanups, { versions: LEGACY });
    const high = await startNode(chainA, cleanups, { versions: LEGACY });
    const e = await syncingNode(await Chain.open({ genesis }), { start: false });
    await connect(e.node, low);
    await connect(e.node, high);
    expect(e.sync.bestPeer()?.id).toBe(nodeIdHex(high));
    e.sync.start();
    await waitFor(() => e.rounds.length > 0, 15_000, 'E round');
    await e.sync.whenIdle();
    expect(e.rounds.map((r) => [r.outcome, r.peerId])).toEqual([['synced', nodeIdHex(high)]]);
    expectSameChain(chainA, e.chain);
  }, 30_000);

  it('does nothing when no peer is ahead, and skips peers without a TD (eth/69+)', async () => {
    const a69 = await startNode(chainA, cleanups, { versions: [69, 70] });
    const e = await syncingNode(await Chain.open({ genesis }), { start: false });
    const n = await startNode(await Chain.open({ genesis }), cleanups, { versions: LEGACY });
    await connect(e.node, n);
    expect(e.sync.bestPeer()).toBeUndefined(); // same TD as ours
    e.sync.start();
    await e.sync.whenIdle();
    // eth/69 needs its own protocol list on our side.
    const fChain = await Chain.open({ genesis });
    const f = await startNode(fChain, cleanups, { versions: [69, 70] });
    const fSync = new LegacySync({ chain: fChain, peers: () => f.protocols.peers() });
    await connect(f, a69);
    expect(f.protocols.peers()[0]!.head.td).toBeUndefined();
    expect(fSync.bestPeer()).toBeUndefined();
    expect(e.rounds).toEqual([]);
  }, 30_000);
});
