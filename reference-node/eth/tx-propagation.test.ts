/**
 * Transaction exchange wired to the real TxPool (createTxPropagation): a tx
 * submitted locally reaches 9 scripted eth/68 peers as geth's rule says; a
 * tx behind a nonce gap goes out only once the gap is filled; a tx a peer
 * sends is validated by the pool, credited to that peer and relayed to the
 * others only.
 */
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { createTx } from '@ethereumjs/tx';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../wire/bytes.js';
import type { EthMessage } from '../wire/eth/types.js';
import { transactionHash } from '../wire/tx/hash.js';
import type { Transaction } from '../wire/tx/types.js';
import { CHAIN_ID, ETHER, GWEI, key, openPool, TO, transfer } from '../txpool/test-fixtures.js';
import type { ScriptedEthPeer } from './test-peer.js';
import type { TxPropagationPool } from './tx-propagation.js';
import { afterStatus, sleep, startTxNode, until } from './tx-test-node.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const funded = key(0);

async function realPoolNode(peerCount: number) {
  const { pool } = await openPool({ alloc: [[funded, { balance: ETHER }]] }, {}, cleanups);
  // The pool satisfies the contract the tx exchange is written against (a compile-time check).
  const contract: TxPropagationPool = pool;
  void contract;
  const net = await startTxNode(cleanups, { pool });
  const peers: Array<{ them: ScriptedEthPeer; id: string }> = [];
  for (let i = 0; i < peerCount; i++) {
    const { them, peer } = await net.connect(68);
    peers.push({ them, id: peer.id });
  }
  return { pool, net, peers };
}

const txMessages = (them: ScriptedEthPeer) =>
  afterStatus(them).filter((m): m is Extract<EthMessage, { kind: 'Transactions' | 'NewPooledTransactionHashes' }> => m.kind === 'Transactions' || m.kind === 'NewPooledTransactionHashes');
const hashesIn = (m: EthMessage) => (m.kind === 'Transactions' ? m.transactions.map((t) => bytesToHex(transactionHash(t))) : m.kind === 'NewPooledTransactionHashes' ? m.hashes.map(bytesToHex) : []);

/** The same transfer as the pool fixtures build, encoded by @ethereumjs/tx. */
function ethereumjsSize(nonce: bigint): number {
  const common = createCustomCommon({ chainId: Number(CHAIN_ID) }, Mainnet, { hardfork: Hardfork.Prague });
  const fields = { type: 2, chainId: CHAIN_ID, nonce, maxPriorityFeePerGas: GWEI, maxFeePerGas: 10n * GWEI, gasLimit: 21_000n, to: TO, value: 1n, data: new Uint8Array(0), accessList: [] };
  return createTx(fields, { common }).sign(funded).serialize().length;
}

describe('with the real TxPool', () => {
  it('a locally submitted tx: 3 of 9 peers get it whole, 6 get (type 2, its @ethereumjs/tx size, hash)', async () => {
    const { pool, peers } = await realPoolNode(9);
    const tx = transfer(funded, 0n);
    await pool.add(tx);
    await until(() => peers.every((p) => txMessages(p.them).length > 0));
    await sleep(300);
    const msgs = peers.map((p) => txMessages(p.them));
    expect(msgs.map((m) => m.length)).toEqual(Array(9).fill(1));
    const flat = msgs.flat();
    expect(flat.filter((m) => m.kind === 'Transactions')).toHaveLength(3);
    const anns = flat.filter((m) => m.kind === 'NewPooledTransactionHashes');
    expect(anns).toHaveLength(6);
    for (const m of anns) {
      if (m.kind !== 'NewPooledTransactionHashes' || m.form !== 'eth68') throw new Error('expected eth/68 announcements');
      expect([...m.types]).toEqual([2]);
      expect(m.sizes).toEqual([ethereumjsSize(0n)]);
    }
    for (const m of flat) expect(hashesIn(m)).toEqual([bytesToHex(transactionHash(tx))]);
  });

  it('a tx behind a nonce gap is not relayed until the gap fills; then both go out', async () => {
    const { pool, peers } = await realPoolNode(2);
    const gapped = transfer(funded, 1n);
    await pool.add(gapped);
    await sleep(400);
    expect(peers.map((p) => txMessages(p.them))).toEqual([[], []]);
    const filler = transfer(funded, 0n);
    await pool.add(filler);
    const seen = (p: { them: ScriptedEthPeer }) => txMessages(p.them).flatMap(hashesIn);
    await until(() => peers.every((p) => seen(p).length >= 2));
    await sleep(200);
    for (const p of peers) expect(new Set(seen(p))).toEqual(new Set([filler, gapped].map((t: Transaction) => bytesToHex(transactionHash(t)))));
    for (const p of peers) expect(seen(p)).toHaveLength(2);
  });

  it('a tx a peer sends is validated by the pool, credited to that peer, relayed to the others and never back', async () => {
    const { pool, peers } = await realPoolNode(5);
    const tx = transfer(funded, 0n);
    const [origin, ...others] = peers;
    origin!.them.send({ kind: 'Transactions', transactions: [tx] });
    await until(() => pool.has(transactionHash(tx)));
    await until(() => others.every((p) => txMessages(p.them).length > 0));
    await sleep(300);
    expect(txMessages(origin!.them)).toEqual([]);
    // 4 peers lack it: ceil(sqrt(4)) = 2 whole, 2 announced.
    const flat = others.flatMap((p) => txMessages(p.them));
    expect(flat.filter((m) => m.kind === 'Transactions')).toHaveLength(2);
    expect(flat.filter((m) => m.kind === 'NewPooledTransactionHashes')).toHaveLength(2);
  });

  it('an invalid tx from a peer is not relayed (the pool refuses it)', async () => {
    const { pool, peers } = await realPoolNode(3);
    const wrongChain = transfer(funded, 0n, { chainId: 1n });
    peers[0]!.them.send({ kind: 'Transactions', transactions: [wrongChain] });
    await sleep(500);
    expect(pool.has(transactionHash(wrongChain))).toBe(false);
    expect(peers.map((p) => txMessages(p.them))).toEqual([[], [], []]);
    expect(peers.every((p) => p.them.connected)).toBe(true);
  });
});
