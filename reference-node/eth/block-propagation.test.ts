/**
 * Block propagation (geth's BroadcastBlock): the split rule on its own with
 * stand-in peers, then the acceptance case over loopback: a block our node
 * sealed and imported reaches 9 (then 10) scripted peers as NewBlock for
 * floor(sqrt(n)) of them and NewBlockHashes for the others, once each.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Chain } from '../chain/chain.js';
import { CliqueEngine, sealHeader } from '../chain/clique.js';
import { parseGenesis, type Genesis } from '../chain/genesis.js';
import { cliqueLondonGenesis, SIGNER } from '../chain/test-fixtures.js';
import { headerHash, type Block } from '../wire/block.js';
import { bigIntToFixed, hexToBytes } from '../wire/bytes.js';
import type { EthMessage, EthVersion } from '../wire/eth/types.js';
import { BlockPropagation, type BlockGossipPeer } from './block-propagation.js';
import type { EthPeer } from './eth-peer.js';
import { KnownCache } from './known-cache.js';
import { buildStatus } from './status.js';
import { startEthNode, type TestNode } from './test-node.js';
import { ScriptedEthPeer } from './test-peer.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A peer that records what it is sent and marks it known, as EthPeer does. */
class StandInPeer implements BlockGossipPeer {
  readonly known = new KnownCache(1024);
  readonly sent: Array<'full' | 'hash'> = [];
  connected = true;
  knowsBlock(hash: Uint8Array): boolean {
    return this.known.has(hash);
  }
  sendNewBlock(_block: Block, _td: bigint, hash: Uint8Array): boolean {
    this.known.add(hash);
    this.sent.push('full');
    return true;
  }
  sendNewBlockHashes(a: { hash: Uint8Array; number: bigint }[]): boolean {
    for (const x of a) this.known.add(x.hash);
    this.sent.push('hash');
    return true;
  }
}

describe('the split rule, with stand-in peers', () => {
  // floor(sqrt(n)) written out, not computed: n -> full sends.
  const table: Array<[number, number]> = [[0, 0], [1, 1], [2, 1], [3, 1], [4, 2], [8, 2], [9, 3], [10, 3], [15, 3], [16, 4], [24, 4], [25, 5], [100, 10]];
  const block = { header: { number: 7n } } as Block;
  const hash = new Uint8Array(32).fill(7);

  it.each(table)('%i peers without the block: %i get it whole, the rest its hash, each exactly once', (n, full) => {
    const peers = Array.from({ length: n }, () => new StandInPeer());
    const gossip = new BlockPropagation({ peers: () => peers });
    expect(gossip.broadcastBlock(block, 99n, hash)).toEqual({ full, announced: 0 });
    expect(gossip.announceBlock(hash, 7n)).toEqual({ full: 0, announced: n - full });
    expect(peers.filter((p) => p.sent.join() === 'full')).toHaveLength(full);
    expect(peers.filter((p) => p.sent.join() === 'hash')).toHaveLength(n - full);
    // A second round finds everyone knowing the block.
    expect(gossip.broadcastBlock(block, 99n, hash)).toEqual({ full: 0, announced: 0 });
    expect(gossip.announceBlock(hash, 7n)).toEqual({ full: 0, announced: 0 });
  });

  it('n counts only the peers without the block; those that have it, and disconnected peers, get nothing', () => {
    const peers = Array.from({ length: 13 }, () => new StandInPeer());
    for (const p of peers.slice(0, 3)) p.known.add(hash);
    peers[3]!.connected = false;
    const gossip = new BlockPropagation({ peers: () => peers });
    // 9 peers lack it: 3 whole, 6 hashes.
    expect(gossip.broadcastBlock(block, 1n, hash)).toEqual({ full: 3, announced: 0 });
    expect(gossip.announceBlock(hash, 7n)).toEqual({ full: 0, announced: 6 });
    expect(peers.slice(0, 4).every((p) => p.sent.length === 0)).toBe(true);
  });

  it('which peers get the whole block varies, as with geth', () => {
    const peers = Array.from({ length: 9 }, () => new StandInPeer());
    const gossip = new BlockPropagation({ peers: () => peers });
    const firstFull = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const h = new Uint8Array(32).fill(i + 1);
      gossip.broadcastBlock(block, 1n, h);
      peers.forEach((p, j) => p.known.has(h) && firstFull.add(j));
    }
    // With a fixed order only peers 0..2 would ever be chosen.
    expect(firstFull.size).toBeGreaterThan(3);
  });

  it('after the merge nothing is sent', () => {
    const peers = Array.from({ length: 9 }, () => new StandInPeer());
    const gossip = new BlockPropagation({ peers: () => peers, isPostMerge: () => true });
    expect(gossip.broadcastBlock(block, 1n, hash)).toEqual({ full: 0, announced: 0 });
    expect(gossip.announceBlock(hash, 7n)).toEqual({ full: 0, announced: 0 });
    expect(peers.every((p) => p.sent.length === 0)).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// Over loopback

const signerKey = bigIntToFixed(1n, 32);
const signer = hexToBytes(SIGNER.slice(2));
let genesis: Genesis;
beforeAll(async () => {
  genesis = await parseGenesis(cliqueLondonGenesis());
});

/** An empty block on the head of `chain`, built and sealed as our miner would. */
async function sealedChild(chain: Chain, engine: CliqueEngine): Promise<Block> {
  const parentHash = chain.head().hash;
  const fields = engine.prepare(parentHash, chain, signer);
  return chain.buildBlock(
    { parentHash, timestamp: fields.minTimestamp, transactions: [], difficulty: fields.difficulty, extraData: fields.extraData },
    (h) => sealHeader(h, signerKey),
  );
}

async function connect(node: TestNode, chain: Chain, versions: readonly EthVersion[]): Promise<Array<{ them: ScriptedEthPeer; peer: EthPeer }>> {
  const out: Array<{ them: ScriptedEthPeer; peer: EthPeer }> = [];
  for (const version of versions) {
    const them = await ScriptedEthPeer.dial({ port: node.server.port, publicKey: node.server.publicKey }, version);
    cleanups.push(() => them.close());
    await them.next('Status');
    them.send(buildStatus(chain, version));
    out.push({ them, peer: await node.nextPeer() });
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Gossip a scripted peer got after the handshake. */
const gossipOf = (them: ScriptedEthPeer): EthMessage[] => them.received.filter((m) => m.kind !== 'Status');

async function setup(versions: readonly EthVersion[], isPostMerge?: () => boolean) {
  const chain = await Chain.open({ genesis });
  cleanups.push(() => chain.close());
  const engine = new CliqueEngine(genesis.config.clique!);
  const node = await startEthNode({ chain, versions: [66, 67, 68] }, cleanups);
  const peers = await connect(node, chain, versions);
  const gossip = new BlockPropagation({ peers: () => node.protocols.peers(), ...(isPostMerge ? { isPostMerge } : {}) });
  return { chain, engine, peers, gossip };
}

/** Waits until every scripted peer has some gossip, then a quiet spell so that a duplicate would show. */
async function settle(peers: ReadonlyArray<{ them: ScriptedEthPeer }>): Promise<void> {
  for (let waited = 0; waited < 3_000 && peers.some(({ them }) => gossipOf(them).length === 0); waited += 20) await sleep(20);
  await sleep(250);
}

describe('a mined block over loopback', () => {
  it.each([
    { name: '9 eth/68 peers', versions: Array<EthVersion>(9).fill(68), full: 3, hashes: 6 },
    { name: '10 peers of eth/66, 67 and 68', versions: [66, 67, 68, 66, 67, 68, 66, 67, 68, 68] as EthVersion[], full: 3, hashes: 7 },
  ])('$name: $full get NewBlock with the right TD, $hashes NewBlockHashes; nobody gets both or anything twice', async ({ versions, full, hashes }) => {
    const { chain, engine, peers, gossip } = await setup(versions);
    const block = await sealedChild(chain, engine);
    await chain.importBlocks([block]);
    const hash = headerHash(block.header);
    // Genesis difficulty 1 + an in-turn Clique block 2 (the only signer is always in turn).
    const td = chain.tdByHash(hash)!;
    expect(td).toBe(3n);

    expect(gossip.publishMinedBlock(block, td)).toEqual({ full, announced: hashes });
    await settle(peers);

    const got = peers.map(({ them }) => gossipOf(them));
    expect(got.every((msgs) => msgs.length === 1)).toBe(true);
    const fullMsgs = got.flat().filter((m) => m.kind === 'NewBlock');
    const hashMsgs = got.flat().filter((m) => m.kind === 'NewBlockHashes');
    expect(fullMsgs).toHaveLength(full);
    expect(hashMsgs).toHaveLength(hashes);
    for (const m of fullMsgs) {
      expect(headerHash(m.block.header)).toEqual(hash);
      expect(m.td).toBe(3n);
      expect(m.block.transactions).toEqual([]);
    }
    for (const m of hashMsgs) expect(m.announcements).toEqual([{ hash, number: 1n }]);
    // Every peer is now known to have it: another round sends nothing.
    expect(gossip.publishMinedBlock(block, td)).toEqual({ full: 0, announced: 0 });
  });

  it('a peer that announced the block to us does not get it back', async () => {
    const { chain, engine, peers, gossip } = await setup(Array<EthVersion>(10).fill(68));
    const block = await sealedChild(chain, engine);
    const hash = headerHash(block.header);
    const [announcer, sender] = peers;
    announcer!.them.send({ kind: 'NewBlockHashes', announcements: [{ hash, number: 1n }] });
    sender!.them.send({ kind: 'NewBlock', block, td: 3n });
    for (let i = 0; i < 150 && !(announcer!.peer.knowsBlock(hash) && sender!.peer.knowsBlock(hash)); i++) await sleep(20);
    await chain.importBlocks([block]);

    // 8 peers lack it: floor(sqrt(8)) = 2 whole, 6 hashes; the two that told us get nothing.
    expect(gossip.publishMinedBlock(block, 3n)).toEqual({ full: 2, announced: 6 });
    await settle(peers.slice(2));
    expect(gossipOf(announcer!.them)).toEqual([]);
    expect(gossipOf(sender!.them)).toEqual([]);
    expect(peers.slice(2).map(({ them }) => gossipOf(them).length)).toEqual(Array(8).fill(1));
  });

  it('after the merge a mined block is not gossiped', async () => {
    const { chain, engine, peers, gossip } = await setup([68, 68, 68, 68], () => true);
    const block = await sealedChild(chain, engine);
    await chain.importBlocks([block]);
    expect(gossip.publishMinedBlock(block, 3n)).toEqual({ full: 0, announced: 0 });
    await sleep(250);
    expect(peers.map(({ them }) => gossipOf(them))).toEqual([[], [], [], []]);
  });
});
