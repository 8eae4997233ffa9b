/**
 * The round logic without sockets: a DirectPeer answers from a ChainReader
 * through the eth serving code, and can be made to lie. Checks geth's
 * ancestor span vectors, the binary search on a fork, skeleton-and-fill over
 * many small segments, and the fault each kind of bad answer is blamed as.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Chain } from '../chain/chain.js';
import { sealHeader } from '../chain/clique.js';
import type { Genesis } from '../chain/genesis.js';
import { headerHash, type Block } from '../wire/block.js';
import { bigIntToFixed, bytesToHex } from '../wire/bytes.js';
import { findAncestor, requestSpan } from './ancestor.js';
import type { EthPeer } from '../eth/eth-peer.js';
import { PeerFault } from './errors.js';
import { RequestSlots } from './fetch.js';
import { LegacySync, type SyncRoundResult } from './legacy-sync.js';
import { DEFAULT_ROUND_TUNING, runLegacyRound, type RoundTuning } from './legacy-round.js';
import { blockListReader, canonicalBlocks, chainWith, cliqueGenesis, mineClique, relinkedBlocks, SIGNER_KEY } from './test-chains.js';
import { DirectPeer, type Answer } from './test-network.js';
import type { SyncChain } from './types.js';

let genesis: Genesis;
/** Genesis and 24 Clique blocks with one transfer each. */
let blocks: Block[];
let remote: Chain;

beforeAll(async () => {
  genesis = await cliqueGenesis();
  remote = await Chain.open({ genesis });
  await mineClique(remote, 24, { txsPerBlock: 1 });
  blocks = canonicalBlocks(remote);
}, 30_000);

const SMALL: RoundTuning = { segmentSize: 4, skeletonSize: 3, window: 2, maxImportBatch: 6 };
const noProgress = { onAncestor: () => undefined, onImported: () => undefined };

function run(chain: SyncChain, peer: DirectPeer, tuning: RoundTuning = SMALL) {
  return runLegacyRound({ peer, signal: new AbortController().signal }, chain, noProgress, tuning);
}

async function faultOf(promise: Promise<unknown>): Promise<PeerFault> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PeerFault);
  return err as PeerFault;
}

describe('requestSpan (geth TestRemoteHeaderRequestSpan vectors)', () => {
  const cases: [remote: number, local: number, expected: number[]][] = [
    [1500, 1000, [1323, 1339, 1355, 1371, 1387, 1403, 1419, 1435, 1451, 1467, 1483, 1499]],
    [15000, 13006, [14823, 14839, 14855, 14871, 14887, 14903, 14919, 14935, 14951, 14967, 14983, 14999]],
    [1200, 1150, [1149, 1154, 1159, 1164, 1169, 1174, 1179, 1184, 1189, 1194, 1199]],
    [1500, 1500, [1497, 1499]],
    [1000, 1500, [997, 999]],
    [0, 1500, [0, 2]],
    [6000000, 0, [5999823, 5999839, 5999855, 5999871, 5999887, 5999903, 5999919, 5999935, 5999951, 5999967, 5999983, 5999999]],
    [0, 0, [0, 2]],
  ];
  it.each(cases)('remote %i, local %i', (remoteHeight, localHeight, expected) => {
    const span = requestSpan(BigInt(remoteHeight), BigInt(localHeight));
    const numbers = Array.from({ length: span.count }, (_, i) => Number(span.from) + i * (span.skip + 1));
    expect(numbers).toEqual(expected);
    expect(Number(span.max)).toBe(expected[expected.length - 1]);
  });
});

describe('findAncestor', () => {
  it('finds the fork point by binary search when the span holds no known header', async () => {
    // Local: the remote's blocks 1..10, then 10 blocks of its own.
    const local = await chainWith(genesis, blocks.slice(1, 11));
    await mineClique(local, 10, { txsPerBlock: 1, salt: 7 });
    const peer = new DirectPeer(remote);
    const ancestor = await findAncestor({ peer, signal: new AbortController().signal }, local, 24n);
    expect(ancestor.number).toBe(10n);
    expect(ancestor.hash).toEqual(headerHash(blocks[10]!.header));
    // One span request (local 20, remote 24: 19, 21, 23), then one header per halving of [0, 24).
    const shapes = peer.requests.map((r) => (r.kind === 'GetBlockHeaders' && 'number' in r.origin ? [Number(r.origin.number), Number(r.amount), Number(r.skip)] : []));
    expect(shapes).toEqual([[19, 3, 1], [12, 1, 0], [6, 1, 0], [9, 1, 0], [10, 1, 0], [11, 1, 0]]);

    // The round then reorgs onto the heavier remote chain.
    await run(local, peer);
    expect(local.head().hash).toEqual(remote.head().hash);
  }, 20_000);

  it('takes the highest known header of the span', async () => {
    const local = await chainWith(genesis, blocks.slice(1, 21));
    const peer = new DirectPeer(remote);
    const ancestor = await findAncestor({ peer, signal: new AbortController().signal }, local, 24n);
    expect(ancestor.number).toBe(19n); // the span is 19, 21, 23
    expect(peer.requests).toHaveLength(1);
  });
});

describe('runLegacyRound', () => {
  it('downloads a skeleton with fills over many segments and imports everything in order', async () => {
    const local = await chainWith(genesis, blocks.slice(1, 3));
    const peer = new DirectPeer(remote);
    const imported: number[] = [];
    const out = await runLegacyRound({ peer, signal: new AbortController().signal }, local, { onAncestor: () => undefined, onImported: (n) => imported.push(n) }, SMALL);
    expect(local.head().hash).toEqual(remote.head().hash);
    expect(out.remoteHead.td).toBe(remote.head().td);
    expect(imported.reduce((a, b) => a + b, 0)).toBe(22);
    expect(imported.every((n) => n <= SMALL.maxImportBatch)).toBe(true);
    // The span (local 2, remote 24: 1, 3, ..., 23) finds block 1; skeleton anchors every 4th block after it,
    // three per request, strictly below the head: 5, 9, 13 then 17, 21 (the head closes the last gap).
    const skeleton = peer.requests.filter((r) => r.kind === 'GetBlockHeaders' && r.skip === 3n).map((r) => (r.kind === 'GetBlockHeaders' && 'number' in r.origin ? [Number(r.origin.number), Number(r.amount)] : []));
    expect(skeleton).toEqual([[5, 3], [17, 2]]);
    // Bodies of blocks 2..24 asked for by hash, none twice.
    const asked = peer.requests.flatMap((r) => (r.kind === 'GetBlockBodies' ? r.hashes.map((h) => bytesToHex(h)) : []));
    expect(asked).toHaveLength(23);
    expect(new Set(asked).size).toBe(23);
  }, 20_000);

  it('with geth sizes, no skeleton is needed below 192 blocks', async () => {
    const local = await Chain.open({ genesis });
    const peer = new DirectPeer(remote);
    await run(local, peer, DEFAULT_ROUND_TUNING);
    expect(local.head().hash).toEqual(remote.head().hash);
    expect(peer.requests.filter((r) => r.kind === 'GetBlockHeaders' && r.skip === 191n)).toEqual([]);
  }, 20_000);

  const short = () => blockListReader(remote, blocks.slice(0, 13));

  it('blames a skeleton header with the wrong number', async () => {
    const answer: Answer = (req, honest) => {
      const res = honest();
      if (req.kind === 'GetBlockHeaders' && req.skip === 3n && res.kind === 'BlockHeaders') return { ...res, headers: [blocks[5]!.header] };
      return undefined;
    };
    const fault = await faultOf(run(await Chain.open({ genesis }), new DirectPeer(short(), answer)));
    expect(fault.kind).toBe('bad-header');
  });

  it('blames fill headers that do not link to their anchor', async () => {
    // The peer's own chain has a header swapped for one of another branch with the same number.
    const other = relinkedBlocks(blocks.slice(0, 13), 6, (h) => ({ ...h, extraData: h.extraData.slice(), gasLimit: h.gasLimit + 1n }));
    const honestReader = short();
    const answer: Answer = (req, honest) => {
      const res = honest();
      if (req.kind === 'GetBlockHeaders' && req.skip === 0n && res.kind === 'BlockHeaders') return { ...res, headers: res.headers.map((h) => (h.number === 7n ? other[7]!.header : h)) };
      return undefined;
    };
    const fault = await faultOf(run(await Chain.open({ genesis }), new DirectPeer(honestReader, answer)));
    expect(fault.kind).toBe('bad-header');
    expect(fault.detail).toMatch(/does not link|end at/);
  });

  it('blames bodies that match no requested header, and withheld bodies', async () => {
    const swap: Answer = (req, honest) => {
      const res = honest();
      if (res.kind === 'BlockBodies' && res.bodies.length > 1) return { ...res, bodies: [res.bodies[1]!, res.bodies[0]!, ...res.bodies.slice(2)] };
      return undefined;
    };
    const swapped = await faultOf(run(await Chain.open({ genesis }), new DirectPeer(short(), swap)));
    expect(swapped.kind).toBe('bad-body');

    const withheld = await faultOf(run(await Chain.open({ genesis }), new DirectPeer(blockListReader(remote, blocks.slice(0, 13), { withholdBodies: (n) => n >= 9n }))));
    expect(withheld.kind).toBe('withheld');
  });

  it('takes partial body answers (a server stopping early or skipping what it lacks)', async () => {
    let calls = 0;
    const partial: Answer = (req, honest) => {
      const res = honest();
      calls++;
      // Every answer leaves out its first body and stops after three.
      if (res.kind === 'BlockBodies' && res.bodies.length > 1) return { ...res, bodies: res.bodies.slice(1, 4) };
      return undefined;
    };
    const local = await Chain.open({ genesis });
    await run(local, new DirectPeer(short(), partial));
    expect(local.head().number).toBe(12n);
    expect(calls).toBeGreaterThan(6);
  }, 20_000);

  it('blames a peer that does not answer, and one whose blocks fail validation', async () => {
    const silent: Answer = (req) => (req.kind === 'GetBlockBodies' ? 'silent' : undefined);
    expect((await faultOf(run(await Chain.open({ genesis }), new DirectPeer(short(), silent)))).kind).toBe('timeout');

    // Block 6 sealed by a key that is not a signer; the blocks after it re-linked and sealed properly.
    const stranger = bigIntToFixed(2n, 32);
    const bad = relinkedBlocks(blocks.slice(0, 13), 6, (h, i) => sealHeader(h, i === 6 ? stranger : SIGNER_KEY));
    const local = await Chain.open({ genesis });
    const fault = await faultOf(run(local, new DirectPeer(blockListReader(remote, bad)), { ...SMALL, maxImportBatch: 4 }));
    expect(fault.kind).toBe('invalid-chain');
    expect(fault.detail).toMatch(/block 6 .*consensus/);
    expect(local.head().number).toBe(4n); // the batch 1..4 before it was fine; 5..8 is refused whole
  }, 20_000);

  it('blames a peer whose head is lighter than the TD it claimed, after importing it', async () => {
    const local = await Chain.open({ genesis });
    const reader = short();
    const fault = await faultOf(run(local, new DirectPeer(reader, undefined, { td: reader.head().td + 1n })));
    expect(fault.kind).toBe('false-td');
    expect(local.head().number).toBe(12n);
  }, 20_000);
});

describe('RequestSlots', () => {
  it('runs at most `size` tasks at once, in order', async () => {
    const slots = new RequestSlots(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      order.push(i);
      active--;
      return i;
    };
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => slots.run(task(i))));
    expect(results).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('LegacySync scheduling', () => {
  it('stop() ends a running round as aborted, and no round starts after it', async () => {
    const local = await Chain.open({ genesis });
    const peer = new DirectPeer(remote, undefined, { id: 'remote' });
    const sync = new LegacySync({ chain: local, peers: () => [peer as unknown as EthPeer], intervalMs: 60_000 });
    const rounds: SyncRoundResult[] = [];
    sync.onRoundFinished((r) => rounds.push(r));
    sync.start();
    expect(sync.progress()).toEqual({ startingBlock: 0n, currentBlock: 0n, highestBlock: 0n });
    await sync.stop();
    expect(rounds.map((r) => [r.peerId, r.outcome])).toEqual([['remote', 'aborted']]);
    expect(sync.progress()).toBeUndefined();
    expect(peer.connected).toBe(true);
    sync.addPeer(peer as unknown as EthPeer);
    await sync.whenIdle();
    expect(rounds).toHaveLength(1);
  });
});
