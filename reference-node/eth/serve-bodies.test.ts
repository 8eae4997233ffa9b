/**
 * GetBlockBodies and GetPooledTransactions (and eth/66 GetNodeData) over
 * loopback. Bodies must equal the chain file's and hash to their headers'
 * roots, computed by @ethereumjs/mpt (transactions, withdrawals) and
 * keccak256 of the RLP ommer list.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bodyToRlp, type BlockBody } from '../wire/block.js';
import { bytesToHex } from '../wire/bytes.js';
import { ETH_VERSIONS } from '../wire/eth/types.js';
import { MAX_BODIES_SERVE, SOFT_RESPONSE_LIMIT } from '../wire/eth/limits.js';
import { encodeRlp } from '../wire/rlp.js';
import { transactionHash } from '../wire/tx/hash.js';
import type { Transaction } from '../wire/tx/types.js';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import type { ChainReader } from './chain-reader.js';
import { serveBodies } from './serve-bodies.js';
import {
  ethtestChainReader,
  ommersHashOf,
  syntheticReceiptsChain,
  transactionsRootOf,
  withdrawalsRootOf,
  type MemoryChainReader,
} from './test-chain.js';
import { handshaken } from './test-node.js';

const chain = loadEthtestChain();
const unknown = new Uint8Array(32).fill(0x5a);

let reader: MemoryChainReader;
beforeAll(async () => {
  reader = await ethtestChainReader();
});
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each(ETH_VERSIONS.map((v) => [v]))('eth/%i GetBlockBodies', (version) => {
  it('returns the chain\'s bodies in request order, an unknown hash skipped', async () => {
    const { them } = await handshaken(reader, version, cleanups);
    const wanted = [5, 1, 300, 600];
    them.send({ kind: 'GetBlockBodies', requestId: 21n, hashes: [chain.hashes[4]!, chain.hashes[0]!, unknown, chain.hashes[299]!, chain.hashes[599]!] });
    const reply = await them.next('BlockBodies');
    expect(reply.requestId).toBe(21n);
    expect(reply.bodies).toEqual(wanted.map((n) => bodyOf(n)));
  });

  it('all 600 bodies in one reply, each hashing to its header\'s transactions root, ommers hash and withdrawals root', async () => {
    const { them } = await handshaken(reader, version, cleanups);
    them.send({ kind: 'GetBlockBodies', requestId: 22n, hashes: chain.hashes });
    const { bodies } = await them.next('BlockBodies');
    expect(bodies).toHaveLength(600);
    for (let i = 0; i < 600; i++) {
      const header = chain.blocks[i]!.header;
      const body = bodies[i]!;
      expect(bytesToHex(await transactionsRootOf(body))).toBe(bytesToHex(header.transactionsRoot));
      expect(bytesToHex(ommersHashOf(body))).toBe(bytesToHex(header.ommersHash));
      expect(bytesToHex(await withdrawalsRootOf(body))).toBe(bytesToHex(header.withdrawalsRoot!));
    }
    // The chain has transactions to check at all.
    expect(bodies.reduce((n, b) => n + b.transactions.length, 0)).toBe(603);
  });
});

function bodyOf(n: number): BlockBody {
  const b = chain.blocks[n - 1]!;
  return { transactions: b.transactions, uncles: b.uncles, ...(b.withdrawals ? { withdrawals: b.withdrawals } : {}) };
}

describe('GetBlockBodies limits', () => {
  it(`serves at most ${MAX_BODIES_SERVE} bodies`, async () => {
    const long = await syntheticReceiptsChain(new Array(1100).fill(0));
    const { them } = await handshaken(long.reader, 69, cleanups);
    them.send({ kind: 'GetBlockBodies', requestId: 1n, hashes: long.blocks.map((b) => hashOf(long.reader, b.header.number)) });
    expect((await them.next('BlockBodies')).bodies).toHaveLength(MAX_BODIES_SERVE);
  });

  it('stops once the bodies reach 2 MiB, the crossing one included', () => {
    // A stub store whose every body holds one 300 KiB transaction.
    const tx = { ...firstLegacyTx(), data: new Uint8Array(300 * 1024).fill(1) } as Transaction;
    const body: BlockBody = { transactions: [tx], uncles: [] };
    const stub = { bodyByHash: () => body } as unknown as ChainReader;
    const size = encodeRlp(bodyToRlp(body)).length;
    const served = serveBodies(stub, Array.from({ length: 20 }, (_, i) => new Uint8Array(32).fill(i)));
    expect(served).toHaveLength(Math.ceil(SOFT_RESPONSE_LIMIT / size));
  });
});

function hashOf(r: ChainReader, n: bigint): Uint8Array {
  return r.hashByNumber(n)!;
}

function firstLegacyTx(): Transaction {
  const tx = chain.blocks.flatMap((b) => b.transactions).find((t) => t.type === 0);
  if (!tx) throw new Error('the ethtest chain has no legacy transaction');
  return tx;
}

describe('GetPooledTransactions', () => {
  const allTxs = chain.blocks.flatMap((b) => b.transactions);
  const pool = new Map(allTxs.map((tx) => [bytesToHex(transactionHash(tx)), tx]));
  const txPool = { get: (h: Uint8Array) => pool.get(bytesToHex(h)) };
  const hashes = allTxs.map(transactionHash);

  it.each(ETH_VERSIONS.map((v) => [v]))('eth/%i: the pool\'s transactions in request order, unknown hashes skipped', async (version) => {
    const { them } = await handshaken(reader, version, cleanups, { txPool });
    them.send({ kind: 'GetPooledTransactions', requestId: 31n, hashes: [hashes[7]!, unknown, hashes[2]!, hashes[100]!] });
    const reply = await them.next('PooledTransactions');
    expect(reply.requestId).toBe(31n);
    expect(reply.transactions.map((t) => bytesToHex(transactionHash(t)))).toEqual([7, 2, 100].map((i) => bytesToHex(hashes[i]!)));
    expect(reply.transactions).toEqual([allTxs[7], allTxs[2], allTxs[100]]);
  });

  it('at most 256 transactions for 300 known hashes', async () => {
    const { them } = await handshaken(reader, 68, cleanups, { txPool });
    them.send({ kind: 'GetPooledTransactions', requestId: 32n, hashes: hashes.slice(0, 300) });
    const reply = await them.next('PooledTransactions');
    expect(reply.transactions.map((t) => bytesToHex(transactionHash(t)))).toEqual(hashes.slice(0, 256).map(bytesToHex));
  });

  it('an empty list when the node has no pool', async () => {
    const { them } = await handshaken(reader, 68, cleanups);
    them.send({ kind: 'GetPooledTransactions', requestId: 33n, hashes: hashes.slice(0, 3) });
    expect(await them.next('PooledTransactions')).toEqual({ kind: 'PooledTransactions', requestId: 33n, transactions: [] });
  });
});

describe('eth/66 GetNodeData', () => {
  it('is answered with an empty NodeData (no state trie to serve)', async () => {
    const { them } = await handshaken(reader, 66, cleanups);
    them.send({ kind: 'GetNodeData', requestId: 41n, hashes: [chain.blocks[0]!.header.stateRoot] });
    expect(await them.next('NodeData')).toEqual({ kind: 'NodeData', requestId: 41n, values: [] });
  });
});
