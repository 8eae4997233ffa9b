/**
 * The tx fetcher over loopback, on real time, with scripted eth/68 peers:
 * an announcer that stays silent is given up after about 5 s and another is
 * asked; announcement lies cost the liar its connection (0x03, as geth's
 * removePeer); a broadcast inside the 500 ms wait cancels the fetch;
 * PooledTransactions nobody asked for cost the sender its connection (0x10);
 * known and recently rejected hashes are not fetched.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../wire/bytes.js';
import type { EthMessage } from '../wire/eth/types.js';
import { DisconnectReason } from '../wire/p2p.js';
import { generatePrivateKey } from '../wire/keys.js';
import { transactionHash } from '../wire/tx/hash.js';
import type { Transaction } from '../wire/tx/types.js';
import type { ScriptedEthPeer } from './test-peer.js';
import { announcedSize } from './tx-packs.js';
import { afterStatus, sleep, startTxNode, until } from './tx-test-node.js';
import { signedTransfer } from './tx-test-pool.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const announce = (tx: Transaction, lie: { type?: number; sizeDelta?: number } = {}): EthMessage => ({
  kind: 'NewPooledTransactionHashes',
  form: 'eth68',
  types: Uint8Array.of(lie.type ?? tx.type),
  sizes: [announcedSize(tx) + (lie.sizeDelta ?? 0)],
  hashes: [transactionHash(tx)],
});
const requestsTo = (them: ScriptedEthPeer) => afterStatus(them).filter((m) => m.kind === 'GetPooledTransactions');

/** Answers the next GetPooledTransactions of `them` with `txs`. */
async function serve(them: ScriptedEthPeer, txs: Transaction[], timeoutMs?: number): Promise<string[]> {
  const req = await them.next('GetPooledTransactions', timeoutMs);
  them.send({ kind: 'PooledTransactions', requestId: req.requestId, transactions: txs });
  return req.hashes.map(bytesToHex);
}

describe('the tx fetcher over loopback', () => {
  it('an announcer that stays silent is given up after ~5 s and the other announcer is asked', async () => {
    const net = await startTxNode(cleanups);
    const a = await net.connect(68);
    const b = await net.connect(68);
    const tx = signedTransfer(generatePrivateKey(), 0n);
    const announcedAt = performance.now();
    a.them.send(announce(tx));
    b.them.send(announce(tx));
    // Whichever is asked first stays silent.
    await until(() => requestsTo(a.them).length + requestsTo(b.them).length > 0, 2_000);
    const firstAt = performance.now();
    const [silent, other] = requestsTo(a.them).length > 0 ? [a, b] : [b, a];
    expect(firstAt - announcedAt).toBeGreaterThanOrEqual(450);
    expect(firstAt - announcedAt).toBeLessThan(1_500);
    expect(requestsTo(other.them)).toEqual([]);
    const hashes = await serve(other.them, [tx], 8_000).then((h) => ({ h, at: performance.now() }));
    const waited = hashes.at - firstAt;
    expect(hashes.h).toEqual([bytesToHex(transactionHash(tx))]);
    expect(waited).toBeGreaterThan(4_700);
    expect(waited).toBeLessThan(6_500);
    await until(() => net.pool.has(transactionHash(tx)));
    expect(net.pool.remoteCalls.map((c) => c.origin)).toEqual([other.peer.id]);
    // Slow is not hostile: the silent peer is still connected.
    expect(silent.them.connected).toBe(true);
    expect(requestsTo(silent.them)).toHaveLength(1);
  });

  it.each([
    ['a type lie', { type: 1 }],
    ['a size lie of 9 bytes', { sizeDelta: 9 }],
  ])('%s: the announcer is dropped with 0x03 once the tx arrives', async (_what, lie) => {
    const net = await startTxNode(cleanups);
    const { them } = await net.connect(68);
    const tx = signedTransfer(generatePrivateKey(), 0n);
    them.send(announce(tx, lie));
    await serve(them, [tx]);
    expect(await them.disconnected()).toMatchObject({ reason: DisconnectReason.UselessPeer, byUs: false });
  });

  it('a size within 8 bytes is tolerated and the tx reaches the pool', async () => {
    const net = await startTxNode(cleanups);
    const { them, peer } = await net.connect(68);
    const tx = signedTransfer(generatePrivateKey(), 0n);
    them.send(announce(tx, { sizeDelta: -8 }));
    await serve(them, [tx]);
    await until(() => net.pool.has(transactionHash(tx)));
    expect(net.pool.remoteCalls).toEqual([{ txs: [tx], origin: peer.id }]);
    expect(await them.stillConnectedAfter(300)).toBe(true);
    // What it delivered is known to it: the tx is not announced back.
    expect(afterStatus(them).filter((m) => m.kind === 'NewPooledTransactionHashes' || m.kind === 'Transactions')).toEqual([]);
  });

  it('a broadcast within 500 ms cancels the fetch', async () => {
    const net = await startTxNode(cleanups);
    const a = await net.connect(68);
    const b = await net.connect(68);
    const tx = signedTransfer(generatePrivateKey(), 0n);
    a.them.send(announce(tx));
    await sleep(150);
    b.them.send({ kind: 'Transactions', transactions: [tx] });
    await until(() => net.pool.has(transactionHash(tx)));
    await sleep(1_200);
    expect(requestsTo(a.them)).toEqual([]);
    expect(requestsTo(b.them)).toEqual([]);
    expect(net.pool.remoteCalls.map((c) => c.origin)).toEqual([b.peer.id]);
  });

  it('PooledTransactions nobody asked for: disconnect with 0x10', async () => {
    const net = await startTxNode(cleanups);
    const { them } = await net.connect(68);
    them.send({ kind: 'PooledTransactions', requestId: 4242n, transactions: [signedTransfer(generatePrivateKey(), 0n)] });
    expect(await them.disconnected()).toMatchObject({ reason: DisconnectReason.SubprotocolError, byUs: false });
    expect(net.pool.remoteCalls).toEqual([]);
  });

  it('hashes the pool holds or recently rejected are not fetched; the rest are', async () => {
    const net = await startTxNode(cleanups);
    const { them } = await net.connect(68);
    const key = generatePrivateKey();
    const [held, rejected, wanted] = [0n, 1n, 2n].map((n) => signedTransfer(key, n)) as [Transaction, Transaction, Transaction];
    net.pool.preload([held]);
    net.pool.rejected.add(bytesToHex(transactionHash(rejected)));
    them.send({
      kind: 'NewPooledTransactionHashes',
      form: 'eth68',
      types: Uint8Array.of(2, 2, 2),
      sizes: [held, rejected, wanted].map(announcedSize),
      hashes: [held, rejected, wanted].map(transactionHash),
    });
    expect(await serve(them, [wanted])).toEqual([bytesToHex(transactionHash(wanted))]);
    await sleep(700);
    expect(requestsTo(them)).toHaveLength(1);
  });
});
