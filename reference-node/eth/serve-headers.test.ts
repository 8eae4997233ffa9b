/**
 * GetBlockHeaders served from the ethtest chain at every version, over
 * loopback; expected headers are the chain file's (block n is blocks[n-1],
 * block 0 the genesis whose hash is block 1's parent). The caps use
 * synthetic chains longer than the ethtest chain's 600 blocks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBlockHeader, headerHash, type BlockHeader } from '../wire/block.js';
import { bytesToHex } from '../wire/bytes.js';
import { ETH_VERSIONS, type GetBlockHeaders, type HeaderOrigin } from '../wire/eth/types.js';
import { SOFT_RESPONSE_LIMIT } from '../wire/eth/limits.js';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import { serveHeaders } from './serve-headers.js';
import { ethtestChainReader, syntheticReceiptsChain, type MemoryChainReader } from './test-chain.js';
import { handshaken } from './test-node.js';
import type { ScriptedEthPeer } from './test-peer.js';

const chain = loadEthtestChain();
const MAX_UINT64 = (1n << 64n) - 1n;

/** Hex hashes of the chain file's blocks at these heights (0 is the genesis). */
function expectedHashes(...numbers: number[]): string[] {
  return numbers.map((n) => bytesToHex(n === 0 ? chain.genesisHash : chain.hashes[n - 1]!));
}

const hashesOf = (headers: BlockHeader[]) => headers.map((h) => bytesToHex(headerHash(h)));

let reader: MemoryChainReader;
beforeAll(async () => {
  reader = await ethtestChainReader();
});

describe.each(ETH_VERSIONS.map((v) => [v]))('eth/%i GetBlockHeaders', (version) => {
  const cleanups: Array<() => unknown> = [];
  let them: ScriptedEthPeer;
  let nextId = 100n;
  beforeAll(async () => {
    ({ them } = await handshaken(reader, version, cleanups));
  });
  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function ask(origin: HeaderOrigin, amount: bigint, skip = 0n, reverse = false): Promise<BlockHeader[]> {
    const requestId = nextId++;
    them.send({ kind: 'GetBlockHeaders', requestId, origin, amount, skip, reverse });
    const reply = await them.next('BlockHeaders');
    expect(reply.requestId).toBe(requestId);
    return reply.headers;
  }

  it('by number: 10..14', async () => {
    const headers = await ask({ number: 10n }, 5n);
    expect(hashesOf(headers)).toEqual(expectedHashes(10, 11, 12, 13, 14));
    // Whole headers equal the chain file's, field by field.
    expect(headers).toEqual(chain.blocks.slice(9, 14).map((b) => b.header));
  });

  it('by hash: 100..102', async () => {
    expect(hashesOf(await ask({ hash: chain.hashes[99]! }, 3n))).toEqual(expectedHashes(100, 101, 102));
  });

  it('with skip 9 from 1: 1, 11, 21, 31, 41', async () => {
    expect(hashesOf(await ask({ number: 1n }, 5n, 9n))).toEqual(expectedHashes(1, 11, 21, 31, 41));
  });

  it('reverse from the head: 600, 599, 598, 597', async () => {
    expect(hashesOf(await ask({ number: 600n }, 4n, 0n, true))).toEqual(expectedHashes(600, 599, 598, 597));
  });

  it('reverse by hash with skip 99: 500, 400, 300', async () => {
    expect(hashesOf(await ask({ hash: chain.hashes[499]! }, 3n, 99n, true))).toEqual(expectedHashes(500, 400, 300));
  });

  it('reverse down to the genesis and no further: 2, 1, 0', async () => {
    expect(hashesOf(await ask({ number: 2n }, 5n, 0n, true))).toEqual(expectedHashes(2, 1, 0));
  });

  it('amount 0: an empty list', async () => {
    expect(await ask({ number: 1n }, 0n)).toEqual([]);
    expect(await ask({ hash: chain.hashes[0]! }, 0n)).toEqual([]);
  });

  it('past the head: fewer headers, never an error', async () => {
    expect(hashesOf(await ask({ number: 598n }, 10n))).toEqual(expectedHashes(598, 599, 600));
    expect(hashesOf(await ask({ number: 590n }, 5n, 5n))).toEqual(expectedHashes(590, 596));
    expect(await ask({ number: 601n }, 10n)).toEqual([]);
    expect(await ask({ hash: new Uint8Array(32).fill(0x42) }, 10n)).toEqual([]);
  });

  it('a skip that would overflow uint64 stops after the origin (geth\'s overflow guard)', async () => {
    expect(hashesOf(await ask({ number: 1n }, 3n, MAX_UINT64))).toEqual(expectedHashes(1));
    expect(hashesOf(await ask({ hash: chain.hashes[0]! }, 3n, MAX_UINT64))).toEqual(expectedHashes(1));
    expect(hashesOf(await ask({ number: 600n }, 3n, MAX_UINT64, true))).toEqual(expectedHashes(600));
  });

  it('the whole chain in one reply: 0..600 by number', async () => {
    const headers = await ask({ number: 0n }, 601n);
    expect(hashesOf(headers)).toEqual(expectedHashes(...Array.from({ length: 601 }, (_, i) => i)));
  });
});

describe('GetBlockHeaders limits', () => {
  const cleanups: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('serves at most 1024 headers: 2000 asked from a 1100-block chain gives 0..1023', async () => {
    const long = await syntheticReceiptsChain(new Array(1100).fill(0));
    const { them } = await handshaken(long.reader, 68, cleanups);
    them.send({ kind: 'GetBlockHeaders', requestId: 7n, origin: { number: 0n }, amount: 2000n, skip: 0n, reverse: false });
    const reply = await them.next('BlockHeaders');
    expect(reply.headers).toHaveLength(1024);
    expect(reply.headers.map((h) => h.number)).toEqual(Array.from({ length: 1024 }, (_, i) => BigInt(i)));
    expect(hashesOf(reply.headers.slice(1))).toEqual(long.blocks.slice(0, 1023).map((b) => bytesToHex(headerHash(b.header))));
  });

  it('stops at the 2 MiB soft limit, the header that crosses it included', async () => {
    const big = await syntheticReceiptsChain(new Array(1100).fill(0), 16, 4096);
    const { them } = await handshaken(big.reader, 70, cleanups);
    them.send({ kind: 'GetBlockHeaders', requestId: 8n, origin: { number: 1n }, amount: 1024n, skip: 0n, reverse: false });
    const reply = await them.next('BlockHeaders');
    const sizes = reply.headers.map((h) => encodeBlockHeader(h).length);
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(reply.headers.length).toBeLessThan(1024);
    expect(total).toBeGreaterThanOrEqual(SOFT_RESPONSE_LIMIT);
    expect(total - sizes.at(-1)!).toBeLessThan(SOFT_RESPONSE_LIMIT);
    expect(reply.headers[0]!.number).toBe(1n);
  });
});

describe('serveHeaders (direct)', () => {
  async function withSideBlock() {
    const r = await ethtestChainReader();
    const parent = chain.blocks[98]!.header; // block 99
    const side: BlockHeader = { ...chain.blocks[99]!.header, extraData: new TextEncoder().encode('side'), parentHash: chain.hashes[98]! };
    const sideHash = r.addSideBlock({ header: side, transactions: [], uncles: [] });
    expect(side.number).toBe(parent.number + 1n);
    return { r, sideHash };
  }
  const query = (origin: HeaderOrigin, amount: bigint, skip = 0n, reverse = false): GetBlockHeaders => ({ kind: 'GetBlockHeaders', requestId: 0n, origin, amount, skip, reverse });

  it('forward from a side block: only the block itself (its descendants are not reachable by number)', async () => {
    const { r, sideHash } = await withSideBlock();
    expect(hashesOf(serveHeaders(r, query({ hash: sideHash }, 3n)))).toEqual([bytesToHex(sideHash)]);
    expect(hashesOf(serveHeaders(r, query({ hash: sideHash }, 3n, 4n)))).toEqual([bytesToHex(sideHash)]);
  });

  it('backward from a side block: through its parents onto the canonical chain', async () => {
    const { r, sideHash } = await withSideBlock();
    expect(hashesOf(serveHeaders(r, query({ hash: sideHash }, 3n, 0n, true)))).toEqual([bytesToHex(sideHash), ...expectedHashes(99, 98)]);
    expect(hashesOf(serveHeaders(r, query({ hash: sideHash }, 3n, 9n, true)))).toEqual([bytesToHex(sideHash), ...expectedHashes(90, 80)]);
  });

  it('applies a smaller size limit as it applies 2 MiB: it stops once the total reaches it, the crossing header included', () => {
    const three = chain.blocks.slice(0, 3).reduce((n, b) => n + encodeBlockHeader(b.header).length, 0);
    const served = (softBytes: number) => serveHeaders(reader, query({ number: 1n }, 100n), { maxHeaders: 1024, softBytes }).length;
    expect(served(three)).toBe(3);
    expect(served(three + 1)).toBe(4);
    expect(served(three - 1)).toBe(3);
  });
});
