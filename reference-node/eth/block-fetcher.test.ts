/**
 * The block fetcher over loopback: our node (a real Clique chain, the eth
 * protocols on a Server, a BlockFetcher and BlockPropagation wired as the
 * node does) and scripted peers that announce or send blocks built by a
 * second chain, as another Clique node would. Checks what our node asks
 * for, what it imports, whom it gossips the block to, and whom it drops.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Chain } from '../chain/chain.js';
import { CliqueEngine, sealHeader } from '../chain/clique.js';
import { calcBaseFee } from '../chain/eip1559.js';
import { parseGenesis, type Genesis } from '../chain/genesis.js';
import { cliqueLondonGenesis, SIGNER } from '../chain/test-fixtures.js';
import { headerHash, type Block } from '../wire/block.js';
import { bigIntToFixed, hexToBytes } from '../wire/bytes.js';
import type { EthMessage, EthVersion } from '../wire/eth/types.js';
import { DisconnectReason } from '../wire/p2p.js';
import { signTransaction } from '../wire/tx/signer.js';
import type { Transaction } from '../wire/tx/types.js';
import { BLOCK_LIMIT, BlockFetcher, MAX_QUEUE_DIST } from './block-fetcher.js';
import { BlockPropagation } from './block-propagation.js';
import type { EthPeer } from './eth-peer.js';
import { buildStatus } from './status.js';
import { startEthNode } from './test-node.js';
import { ScriptedEthPeer } from './test-peer.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const signerKey = bigIntToFixed(1n, 32);
const strangerKey = bigIntToFixed(2n, 32);
const signer = hexToBytes(SIGNER.slice(2));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let genesis: Genesis;
/** Blocks 1..3 of another node's chain: 1 and 3 empty, 2 with a transfer. */
let blocks: Block[];
let hashes: Uint8Array[];

beforeAll(async () => {
  genesis = await parseGenesis(cliqueLondonGenesis());
  const producer = await Chain.open({ genesis });
  const engine = new CliqueEngine(genesis.config.clique!);
  blocks = [];
  for (let i = 0; i < 3; i++) {
    const parentHash = producer.head().hash;
    const fields = engine.prepare(parentHash, producer, signer);
    const parent = producer.headerByHash(parentHash)!;
    const txs: Transaction[] = [];
    if (i === 1) {
      const fee = calcBaseFee(genesis.config, parent) * 2n;
      const transfer = { type: 2 as const, chainId: 1337n, nonce: 0n, maxPriorityFeePerGas: 1n, maxFeePerGas: fee, gasLimit: 21000n, to: new Uint8Array(20).fill(0xbb), value: 1000n, data: new Uint8Array(0), accessList: [] };
      txs.push(signTransaction(transfer, signerKey));
    }
    const block = await producer.buildBlock(
      { parentHash, timestamp: fields.minTimestamp, transactions: txs, difficulty: fields.difficulty, extraData: fields.extraData },
      (h) => sealHeader(h, signerKey),
    );
    await producer.importBlocks([block]);
    blocks.push(block);
  }
  hashes = blocks.map((b) => headerHash(b.header));
  await producer.close();
});

interface Harness {
  chain: Chain;
  fetcher: BlockFetcher;
  peers: Array<{ them: ScriptedEthPeer; peer: EthPeer }>;
}

/** Our node at the genesis with `n` scripted eth/68 peers (or the given versions); the fetcher sees every peer. */
async function setup(n: number | readonly EthVersion[], options: { isPostMerge?: () => boolean; now?: () => bigint } = {}): Promise<Harness> {
  const chain = await Chain.open({ genesis });
  cleanups.push(() => chain.close());
  let fetcher!: BlockFetcher;
  const node = await startEthNode({ chain, versions: [66, 67, 68], onPeer: (p) => fetcher.addPeer(p) }, cleanups);
  const propagation = new BlockPropagation({ peers: () => node.protocols.peers(), ...(options.isPostMerge ? { isPostMerge: options.isPostMerge } : {}) });
  fetcher = new BlockFetcher({
    chain,
    propagation,
    arriveTimeoutMs: 20,
    fetchTimeoutMs: 1_000,
    ...(options.isPostMerge ? { isPostMerge: options.isPostMerge } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  cleanups.push(() => fetcher.stop());
  const versions = typeof n === 'number' ? Array<EthVersion>(n).fill(68) : n;
  const peers: Harness['peers'] = [];
  for (const version of versions) {
    const them = await ScriptedEthPeer.dial({ port: node.server.port, publicKey: node.server.publicKey }, version);
    cleanups.push(() => them.close());
    await them.next('Status');
    them.send(buildStatus(chain, version));
    peers.push({ them, peer: await node.nextPeer() });
  }
  return { chain, fetcher, peers };
}

const GOSSIP = new Set<EthMessage['kind']>(['NewBlock', 'NewBlockHashes']);
const gossipOf = (them: ScriptedEthPeer): EthMessage[] => them.received.filter((m) => GOSSIP.has(m.kind));
const requestsOf = (them: ScriptedEthPeer): EthMessage['kind'][] => them.received.filter((m) => m.kind.startsWith('Get')).map((m) => m.kind);

async function until(cond: () => boolean, what: string, ms = 3_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 20) {
    if (waited >= ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Waits for each of `peers` to have some gossip, then a quiet spell so that a duplicate would show. */
async function settle(peers: ReadonlyArray<{ them: ScriptedEthPeer }>): Promise<void> {
  await until(() => peers.every(({ them }) => gossipOf(them).length > 0), 'gossip at every peer');
  await sleep(250);
}

/** Checks that `others` got block `i` exactly once each: `full` whole with `td`, the rest by hash. */
function expectSplit(others: ReadonlyArray<{ them: ScriptedEthPeer }>, i: number, full: number, td: bigint): void {
  const got = others.map(({ them }) => gossipOf(them));
  expect(got.map((m) => m.length)).toEqual(Array(others.length).fill(1));
  const whole = got.flat().filter((m) => m.kind === 'NewBlock');
  const byHash = got.flat().filter((m) => m.kind === 'NewBlockHashes');
  expect(whole).toHaveLength(full);
  expect(byHash).toHaveLength(others.length - full);
  for (const m of whole) {
    expect(headerHash(m.block.header)).toEqual(hashes[i]);
    expect(m.td).toBe(td);
  }
  for (const m of byHash) expect(m.announcements).toEqual([{ hash: hashes[i], number: BigInt(i + 1) }]);
}

/** Answers the scripted peer's next GetBlockHeaders / GetBlockBodies with `answer`. */
async function answerHeaders(them: ScriptedEthPeer, headers: Block['header'][]): Promise<EthMessage & { kind: 'GetBlockHeaders' }> {
  const req = await them.next('GetBlockHeaders');
  them.send({ kind: 'BlockHeaders', requestId: req.requestId, headers });
  return req;
}
async function answerBodies(them: ScriptedEthPeer, bodies: Array<Pick<Block, 'transactions' | 'uncles'>>): Promise<EthMessage & { kind: 'GetBlockBodies' }> {
  const req = await them.next('GetBlockBodies');
  them.send({ kind: 'BlockBodies', requestId: req.requestId, bodies });
  return req;
}

describe('NewBlockHashes: fetch, import, pass on', () => {
  it('fetches header then body from the announcer, imports, sends it whole to sqrt(n) of the others and by hash to the rest, never back', async () => {
    const { chain, peers } = await setup(4);
    const [a, ...others] = peers;
    // Our head is block 1 first, so that block 2 (with a transaction, hence a body to fetch) is next.
    await chain.importBlocks([blocks[0]!]);
    a!.them.send({ kind: 'NewBlockHashes', announcements: [{ hash: hashes[1]!, number: 2n }] });

    const headersReq = await answerHeaders(a!.them, [blocks[1]!.header]);
    expect(headersReq).toMatchObject({ origin: { hash: hashes[1] }, amount: 1n, skip: 0n, reverse: false });
    const bodiesReq = await answerBodies(a!.them, [blocks[1]!]);
    expect(bodiesReq.hashes).toEqual([hashes[1]]);

    await until(() => chain.head().number === 2n, 'the import of block 2');
    expect(chain.head().hash).toEqual(hashes[1]);
    expect(chain.bodyByHash(hashes[1]!)!.transactions).toHaveLength(1);
    await settle(others);
    // 3 peers lack it: floor(sqrt(3)) = 1 whole; TD = 1 (genesis) + 2 + 2.
    expectSplit(others, 1, 1, 5n);
    expect(gossipOf(a!.them)).toEqual([]);
  });

  it('a block whose header commits to an empty body needs no body request', async () => {
    const { chain, peers } = await setup(2);
    const [a, b] = peers;
    a!.them.send({ kind: 'NewBlockHashes', announcements: [{ hash: hashes[0]!, number: 1n }] });
    await answerHeaders(a!.them, [blocks[0]!.header]);
    await until(() => chain.head().number === 1n, 'the import of block 1');
    await settle([b!]);
    expect(requestsOf(a!.them)).toEqual(['GetBlockHeaders']);
    expectSplit([b!], 0, 1, 3n);
  });

  it('asks the next announcer when the first has nothing to give', async () => {
    const { chain, peers } = await setup(2);
    const [a, b] = peers;
    a!.them.send({ kind: 'NewBlockHashes', announcements: [{ hash: hashes[0]!, number: 1n }] });
    await until(() => a!.peer.knowsBlock(hashes[0]!), "a's announcement");
    b!.them.send({ kind: 'NewBlockHashes', announcements: [{ hash: hashes[0]!, number: 1n }] });
    await answerHeaders(a!.them, []);
    await answerHeaders(b!.them, [blocks[0]!.header]);
    await until(() => chain.head().number === 1n, 'the import of block 1');
    expect(a!.them.connected).toBe(true);
    // Both announced it, so neither gets it back.
    await sleep(200);
    expect([...gossipOf(a!.them), ...gossipOf(b!.them)]).toEqual([]);
  });

  it(`fetches announcements up to ${MAX_QUEUE_DIST} blocks ahead of our head (geth maxQueueDist) and ignores those further out`, async () => {
    const { peers } = await setup(1);
    const [a] = peers;
    const unknown = (b: number) => new Uint8Array(32).fill(b);
    a!.them.send({ kind: 'NewBlockHashes', announcements: [{ hash: unknown(1), number: MAX_QUEUE_DIST + 1n }] });
    a!.them.send({ kind: 'NewBlockHashes', announcements: [{ hash: unknown(2), number: MAX_QUEUE_DIST }] });
    const req = await answerHeaders(a!.them, []);
    expect(req.origin).toEqual({ hash: unknown(2) });
    await sleep(200);
    expect(requestsOf(a!.them)).toEqual(['GetBlockHeaders']);
  });

  it('drops the announcer (0x03) when its header contradicts the announced number', async () => {
    const { chain, peers } = await setup(1);
    const [a] = peers;
    a!.them.send({ kind: 'NewBlockHashes', announcements: [{ hash: hashes[0]!, number: 2n }] });
    await answerHeaders(a!.them, [blocks[0]!.header]);
    expect(await a!.them.disconnected()).toMatchObject({ reason: DisconnectReason.UselessPeer, byUs: false });
    expect(chain.head().number).toBe(0n);
  });

  it('drops the announcer (0x03) when the body does not match the header, and imports nothing', async () => {
    const { chain, fetcher, peers } = await setup(1);
    const [a] = peers;
    await chain.importBlocks([blocks[0]!]);
    a!.them.send({ kind: 'NewBlockHashes', announcements: [{ hash: hashes[1]!, number: 2n }] });
    await answerHeaders(a!.them, [blocks[1]!.header]);
    await answerBodies(a!.them, [{ transactions: [], uncles: [] }]);
    expect(await a!.them.disconnected()).toMatchObject({ reason: DisconnectReason.UselessPeer, byUs: false });
    await fetcher.idle();
    expect(chain.head().number).toBe(1n);
  });
});

describe('NewBlock: verify, propagate, import, announce', () => {
  it('10 peers: a block from one of them is imported, 3 of the other 9 get it whole and 6 by hash, the sender nothing', async () => {
    const { chain, peers } = await setup([66, 67, 68, 66, 67, 68, 66, 67, 68, 68]);
    const [a, ...others] = peers;
    a!.them.send({ kind: 'NewBlock', block: blocks[0]!, td: 3n });
    await until(() => chain.head().number === 1n, 'the import of block 1');
    await settle(others);
    expectSplit(others, 0, 3, 3n);
    expect(gossipOf(a!.them)).toEqual([]);
    // geth's trueHead/trueTD: the sender has at least the parent, with TD 3 - 2.
    expect(a!.peer.head).toEqual({ hash: genesis.hash, td: 1n });
  });

  it('a block whose parent is missing waits in the queue until the parent comes', async () => {
    const { chain, peers } = await setup(1);
    const [a] = peers;
    a!.them.send({ kind: 'NewBlock', block: blocks[1]!, td: 5n });
    await sleep(150);
    expect(chain.head().number).toBe(0n);
    a!.them.send({ kind: 'NewBlock', block: blocks[0]!, td: 3n });
    await until(() => chain.head().number === 2n, 'the import of blocks 1 and 2');
    expect(chain.head().hash).toEqual(hashes[1]);
    expect(a!.them.connected).toBe(true);
  });

  it('a bad seal drops the sender (0x03); nothing is imported and nobody hears of it', async () => {
    const { chain, fetcher, peers } = await setup(5);
    const [a, ...others] = peers;
    const forged: Block = { ...blocks[0]!, header: sealHeader(blocks[0]!.header, strangerKey) };
    a!.them.send({ kind: 'NewBlock', block: forged, td: 3n });
    expect(await a!.them.disconnected()).toMatchObject({ reason: DisconnectReason.UselessPeer, byUs: false });
    await fetcher.idle();
    await sleep(200);
    expect(chain.head().number).toBe(0n);
    expect(chain.headerByHash(headerHash(forged.header))).toBeUndefined();
    expect(others.map(({ them }) => gossipOf(them))).toEqual([[], [], [], []]);
    expect(others.every(({ them }) => them.connected)).toBe(true);
  });

  it('a body that does not match its header drops the sender (0x03) before anything is propagated', async () => {
    const { chain, fetcher, peers } = await setup(5);
    const [a, ...others] = peers;
    await chain.importBlocks([blocks[0]!]);
    a!.them.send({ kind: 'NewBlock', block: { ...blocks[1]!, transactions: [] }, td: 5n });
    expect(await a!.them.disconnected()).toMatchObject({ reason: DisconnectReason.UselessPeer, byUs: false });
    await fetcher.idle();
    await sleep(200);
    expect(chain.head().number).toBe(1n);
    expect(others.map(({ them }) => gossipOf(them))).toEqual([[], [], [], []]);
  });

  it('the same block from two peers is queued once, and neither gets it back', async () => {
    const { chain, fetcher, peers } = await setup(4);
    const [a, b, ...others] = peers;
    await chain.importBlocks([blocks[0]!]);
    // Block 3 waits for block 2, so both copies are in before anything is imported.
    a!.them.send({ kind: 'NewBlock', block: blocks[2]!, td: 7n });
    b!.them.send({ kind: 'NewBlock', block: blocks[2]!, td: 7n });
    await until(() => a!.peer.knowsBlock(hashes[2]!) && b!.peer.knowsBlock(hashes[2]!), 'both copies');
    await sleep(50);
    expect(fetcher.pending.queued).toBe(1);
    // Block 2 comes another way (the sync, say): the new head lets block 3 in.
    await chain.importBlocks([blocks[1]!]);
    await until(() => chain.head().number === 3n, 'the import of block 3');
    await settle(others);
    // 2 peers lack block 3: floor(sqrt(2)) = 1 gets it whole (TD 1 + 2 + 2 + 2), 1 by hash.
    expectSplit(others, 2, 1, 7n);
    expect([...gossipOf(a!.them), ...gossipOf(b!.them)]).toEqual([]);
  });

  it('a block from the future is discarded without punishing the sender (geth ErrFutureBlock) and is not gossiped', async () => {
    const { chain, fetcher, peers } = await setup(3, { now: () => genesis.block.header.timestamp });
    const [a, ...others] = peers;
    a!.them.send({ kind: 'NewBlock', block: blocks[0]!, td: 3n });
    await until(() => a!.peer.knowsBlock(hashes[0]!), 'the NewBlock');
    await sleep(100);
    await fetcher.idle();
    expect(chain.head().number).toBe(0n);
    expect(fetcher.pending.queued).toBe(0);
    expect(a!.them.connected).toBe(true);
    expect(others.map(({ them }) => gossipOf(them))).toEqual([[], []]);
  });

  it(`queues at most ${BLOCK_LIMIT} blocks per peer (geth blockLimit)`, async () => {
    const { fetcher, peers } = await setup(1);
    const [a] = peers;
    // Orphans (unknown parents) within reach of our head, each distinct by its extraData.
    for (let i = 0; i <= BLOCK_LIMIT; i++) {
      const header = { ...blocks[0]!.header, parentHash: new Uint8Array(32).fill(1), number: 2n, extraData: Uint8Array.of(i) };
      a!.them.send({ kind: 'NewBlock', block: { header, transactions: [], uncles: [] }, td: 5n });
    }
    await until(() => fetcher.pending.queued === BLOCK_LIMIT, `${BLOCK_LIMIT} queued blocks`);
    await sleep(100);
    expect(fetcher.pending.queued).toBe(BLOCK_LIMIT);
    expect(a!.them.connected).toBe(true);
  });

  it('after the merge the fetcher ignores block gossip: nothing imported, nothing sent', async () => {
    const { chain, fetcher, peers } = await setup(3, { isPostMerge: () => true });
    const [a, ...others] = peers;
    a!.them.send({ kind: 'NewBlock', block: blocks[0]!, td: 3n });
    a!.them.send({ kind: 'NewBlockHashes', announcements: [{ hash: hashes[0]!, number: 1n }] });
    await sleep(250);
    await fetcher.idle();
    expect(chain.head().number).toBe(0n);
    expect(requestsOf(a!.them)).toEqual([]);
    expect(others.map(({ them }) => gossipOf(them))).toEqual([[], []]);
  });
});
