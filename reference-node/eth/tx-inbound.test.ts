/**
 * Inbound Transactions checks (geth's handleTransactions and its handler's
 * TransactionsPacket case): over 5000 txs, a blob tx, or one hash twice drop
 * the sender with 0x10; a good message reaches the pool with the sender as
 * origin and its txs are known to the sender from then on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DisconnectReason } from '../wire/p2p.js';
import { generatePrivateKey } from '../wire/keys.js';
import { transactionHash } from '../wire/tx/hash.js';
import { EthDisconnectReasons, EthProtocolError } from './reasons.js';
import { checkInboundTransactions, MAX_TRANSACTIONS_PER_MESSAGE } from './tx-inbound.js';
import { afterStatus, sleep, startTxNode, until } from './tx-test-node.js';
import { signedBlobTx, signedTransfer, unsignedLookingTx } from './tx-test-pool.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const many = (n: number) => Array.from({ length: n }, (_, i) => unsignedLookingTx(BigInt(i)));
const { sidecar: _sidecar, ...blobWithoutSidecar } = signedBlobTx(generatePrivateKey(), 0n);

describe('checkInboundTransactions', () => {
  it('geth\'s limit is 5000', () => expect(MAX_TRANSACTIONS_PER_MESSAGE).toBe(5000));

  it.each([
    ['5001 txs', () => many(5001), 'tooManyTransactions'],
    ['a blob tx', () => [signedTransfer(generatePrivateKey(), 0n), blobWithoutSidecar], 'blobTxBroadcast'],
    ['a hash twice', () => [...many(3), unsignedLookingTx(1n)], 'duplicateTransaction'],
  ] as const)('%s: EthProtocolError %s', (_what, make, cause) => {
    let caught: unknown;
    try {
      checkInboundTransactions(make());
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EthProtocolError);
    expect((caught as EthProtocolError).ethCause).toBe(cause);
    expect((caught as EthProtocolError).reason).toBe(DisconnectReason.SubprotocolError);
  });

  it('5000 distinct txs pass, hashes in order', () => {
    const txs = many(5000);
    const hashes = checkInboundTransactions(txs);
    expect(hashes).toHaveLength(5000);
    expect(hashes[4999]).toEqual(transactionHash(txs[4999]!));
  });

  it('the announcement mismatch reason is geth\'s removePeer one, 0x03', () => {
    expect(EthDisconnectReasons.announcementMismatch).toBe(DisconnectReason.UselessPeer);
  });
});

describe('over loopback', () => {
  it.each([
    ['5001 txs', () => many(5001)],
    ['a blob tx', () => [signedTransfer(generatePrivateKey(), 0n), blobWithoutSidecar]],
    ['a duplicate hash', () => [...many(3), unsignedLookingTx(2n)]],
  ])('%s: the sender is dropped with 0x10, nothing reaches the pool, the other peer stays', async (_what, make) => {
    const net = await startTxNode(cleanups);
    const bad = await net.connect(68);
    const good = await net.connect(68);
    bad.them.send({ kind: 'Transactions', transactions: make() });
    expect(await bad.them.disconnected()).toMatchObject({ reason: DisconnectReason.SubprotocolError, byUs: false });
    expect(net.pool.remoteCalls).toEqual([]);
    expect(good.them.connected).toBe(true);
    const tx = signedTransfer(generatePrivateKey(), 0n);
    good.them.send({ kind: 'Transactions', transactions: [tx] });
    await until(() => net.pool.has(transactionHash(tx)));
  });

  it('5000 txs are taken: to the pool with the sender as origin, known to the sender, not echoed', async () => {
    const net = await startTxNode(cleanups);
    const { them, peer } = await net.connect(68);
    const txs = many(5000);
    them.send({ kind: 'Transactions', transactions: txs });
    await until(() => net.pool.remoteCalls.length > 0);
    expect(net.pool.remoteCalls).toHaveLength(1);
    expect(net.pool.remoteCalls[0]!.origin).toBe(peer.id);
    expect(net.pool.remoteCalls[0]!.txs).toHaveLength(5000);
    expect(peer.knowsTransaction(transactionHash(txs[0]!))).toBe(true);
    expect(peer.knowsTransaction(transactionHash(txs[4999]!))).toBe(true);
    await sleep(300);
    expect(afterStatus(them)).toEqual([]);
    expect(them.connected).toBe(true);
  });
});
