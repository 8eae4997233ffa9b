/**
 * The initial tx sync (geth's txsyncLoop / syncTransactions): with stand-in
 * peers and a hand-driven clock, one pack at a time across peers taking
 * turns, packs within their limits, nothing twice; then over loopback, a new
 * peer of a node holding 300 pending txs gets all 300 announced, in packs.
 */
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { createTx } from '@ethereumjs/tx';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../wire/bytes.js';
import type { EthMessage, EthVersion } from '../wire/eth/types.js';
import { generatePrivateKey } from '../wire/keys.js';
import { transactionHash } from '../wire/tx/hash.js';
import type { Hash32, Transaction } from '../wire/tx/types.js';
import { KnownCache } from './known-cache.js';
import { announcedSize, MAX_TX_PACKET_SIZE, type TxAnnouncement } from './tx-packs.js';
import { TxSync, type TxSyncEntry, type TxSyncPeer } from './tx-sync.js';
import { afterStatus, sleep, startTxNode, until } from './tx-test-node.js';
import { dynamicFeeFields, FakeTxPool, signedBlobTx, signedTransfer } from './tx-test-pool.js';
import { ManualTimers } from './tx-timers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

class StandInPeer implements TxSyncPeer {
  readonly known = new KnownCache(32768);
  readonly packs: Array<{ kind: 'full' | 'ann'; hashes: string[] }> = [];
  connected = true;
  constructor(
    readonly id: string,
    readonly version: EthVersion = 68,
  ) {}
  knowsTransaction(hash: Uint8Array): boolean {
    return this.known.has(hash);
  }
  sendTransactions(_txs: Transaction[], hashes: readonly Hash32[]): boolean {
    this.known.add(...hashes);
    this.packs.push({ kind: 'full', hashes: hashes.map(bytesToHex) });
    return true;
  }
  sendPooledTransactionHashes(a: readonly TxAnnouncement[]): boolean {
    this.known.add(...a.map((x) => x.hash));
    this.packs.push({ kind: 'ann', hashes: a.map((x) => bytesToHex(x.hash)) });
    return true;
  }
}

const key = generatePrivateKey();
function entries(n: number, dataSize = 0): TxSyncEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const tx = signedTransfer(key, BigInt(i), dataSize);
    return { tx, hash: transactionHash(tx), size: announcedSize(tx), type: tx.type };
  });
}

describe('pacing and packing, with stand-in peers', () => {
  it('one pack in flight at a time, peers taking turns in arrival order; every tx once per peer', () => {
    const timers = new ManualTimers();
    const sync = new TxSync({ timers, maxAnnouncePack: 4, packIntervalMs: 50 });
    const a = new StandInPeer('a');
    const b = new StandInPeer('b');
    const list = entries(10);
    const log: string[] = [];
    const track = (p: StandInPeer) => {
      const send = p.sendPooledTransactionHashes.bind(p);
      p.sendPooledTransactionHashes = (x) => (log.push(`${p.id}@${timers.now()}`), send(x));
    };
    track(a);
    track(b);
    sync.addPeer(a, list);
    sync.addPeer(b, list);
    // The first pack goes at once, the next only after the pause; a was back in line before b came.
    expect(log).toEqual(['a@0']);
    timers.advance(49);
    expect(log).toEqual(['a@0']);
    timers.advance(1000);
    expect(log).toEqual(['a@0', 'a@50', 'b@100', 'a@150', 'b@200', 'b@250']);
    for (const p of [a, b]) {
      expect(p.packs.map((x) => x.hashes.length)).toEqual([4, 4, 2]);
      expect(p.packs.flatMap((x) => x.hashes)).toEqual(list.map((e) => bytesToHex(e.hash)));
    }
    expect(sync.pendingPeers).toBe(0);
    expect(timers.size).toBe(0);
  });

  it('skips what the peer already knows and what has left the pool; leaves blob txs out', () => {
    const list = entries(6);
    const blob = signedBlobTx(generatePrivateKey(), 0n);
    const gone = bytesToHex(list[1]!.hash);
    const sync = new TxSync({ timers: new ManualTimers(), isPooled: (h) => bytesToHex(h) !== gone });
    const p = new StandInPeer('p');
    p.known.add(list[0]!.hash, list[2]!.hash);
    sync.addPeer(p, [...list, { tx: blob, hash: transactionHash(blob), size: announcedSize(blob), type: 3 }]);
    expect(p.packs).toEqual([{ kind: 'ann', hashes: [3, 4, 5].map((i) => bytesToHex(list[i]!.hash)) }]);
  });

  it('eth/66-67 peers get the txs whole, in Transactions packs of at most 100 KiB', () => {
    const timers = new ManualTimers();
    const sync = new TxSync({ timers });
    const p = new StandInPeer('old', 67);
    const list = entries(100, 3000);
    sync.addPeer(p, list);
    timers.advance(100);
    expect(p.packs.every((x) => x.kind === 'full')).toBe(true);
    expect(p.packs.length).toBeGreaterThan(2);
    const common = createCustomCommon({ chainId: 1 }, Mainnet, { hardfork: Hardfork.Prague });
    const sizeOf = new Map(list.map((e) => [bytesToHex(e.hash), createTx(dynamicFeeFields(e.tx.nonce, 3000), { common }).sign(key).serialize().length]));
    for (const pack of p.packs) expect(pack.hashes.reduce((n, h) => n + sizeOf.get(h)!, 0)).toBeLessThanOrEqual(MAX_TX_PACKET_SIZE);
    expect(p.packs.flatMap((x) => x.hashes)).toEqual(list.map((e) => bytesToHex(e.hash)));
  });

  it('a peer that leaves mid-sync is dropped from the rotation; stop() ends everything', () => {
    const timers = new ManualTimers();
    const sync = new TxSync({ timers, maxAnnouncePack: 2 });
    const a = new StandInPeer('a');
    const b = new StandInPeer('b');
    sync.addPeer(a, entries(6));
    sync.addPeer(b, entries(6));
    sync.removePeer('a');
    timers.advance(100);
    expect([a.packs.length, b.packs.length]).toEqual([1, 3]);
    const c = new StandInPeer('c');
    sync.addPeer(c, entries(6));
    sync.stop();
    timers.advance(100);
    expect(c.packs.length).toBe(1);
  });
});

describe('over loopback', () => {
  const annHashes = (msgs: EthMessage[]) => msgs.flatMap((m) => (m.kind === 'NewPooledTransactionHashes' ? [m] : []));

  it.each([
    { pack: undefined, packs: 1 },
    { pack: 64, packs: 5 },
  ])('a new eth/68 peer of a node with 300 pending txs gets all 300 announced (pack limit $pack: $packs packs), nothing twice', async ({ pack, packs }) => {
    const pool = new FakeTxPool();
    const senders = Array.from({ length: 30 }, () => generatePrivateKey());
    const txs = senders.flatMap((k) => Array.from({ length: 10 }, (_, n) => signedTransfer(k, BigInt(n))));
    pool.preload(txs);
    const net = await startTxNode(cleanups, { pool, ...(pack ? { syncAnnouncePack: pack } : {}) });
    const { them } = await net.connect(68);
    await until(() => annHashes(afterStatus(them)).reduce((n, m) => n + m.hashes.length, 0) >= 300);
    await sleep(300);
    const anns = annHashes(afterStatus(them));
    expect(afterStatus(them).length).toBe(anns.length);
    expect(anns).toHaveLength(packs);
    const seen = anns.flatMap((m) => m.hashes.map(bytesToHex));
    expect(seen).toHaveLength(300);
    expect(new Set(seen).size).toBe(300);
    expect(new Set(seen)).toEqual(new Set(txs.map((t) => bytesToHex(transactionHash(t)))));
    const common = createCustomCommon({ chainId: 1 }, Mainnet, { hardfork: Hardfork.Prague });
    const one = createTx(dynamicFeeFields(0n), { common }).sign(senders[0]!);
    for (const m of anns) {
      if (m.form !== 'eth68') throw new Error('expected the eth/68 form');
      expect(m.hashes.length).toBeLessThanOrEqual(pack ?? 3200);
      expect(new Set(m.types)).toEqual(new Set([2]));
      // All are the same transfer shape; r and s may be a byte shorter now and then.
      for (const s of m.sizes) expect(Math.abs(s - one.serialize().length)).toBeLessThanOrEqual(2);
    }
  });

  it('a new eth/67 peer gets the 300 whole, in Transactions packs of at most 100 KiB, nothing twice', async () => {
    const pool = new FakeTxPool();
    const k = generatePrivateKey();
    const txs = Array.from({ length: 300 }, (_, n) => signedTransfer(k, BigInt(n), 1000));
    pool.preload(txs);
    const net = await startTxNode(cleanups, { pool });
    const { them } = await net.connect(67);
    const full = () => afterStatus(them).flatMap((m) => (m.kind === 'Transactions' ? [m] : []));
    await until(() => full().reduce((n, m) => n + m.transactions.length, 0) >= 300);
    await sleep(300);
    expect(full().length).toBeGreaterThanOrEqual(3);
    for (const m of full()) expect(m.transactions.reduce((n, t) => n + announcedSize(t), 0)).toBeLessThanOrEqual(MAX_TX_PACKET_SIZE);
    const seen = full().flatMap((m) => m.transactions.map((t) => bytesToHex(transactionHash(t))));
    expect(seen).toEqual(txs.map((t) => bytesToHex(transactionHash(t))));
  });

  it('two peers joining together both get everything; a tx the new peer announced first is not announced back', async () => {
    const pool = new FakeTxPool();
    const k = generatePrivateKey();
    const txs = Array.from({ length: 40 }, (_, n) => signedTransfer(k, BigInt(n)));
    pool.preload(txs);
    const net = await startTxNode(cleanups, { pool, syncAnnouncePack: 8, syncPackIntervalMs: 100 });
    const a = await net.connect(68);
    const b = await net.connect(68);
    const last = transactionHash(txs[39]!);
    b.them.send({ kind: 'NewPooledTransactionHashes', form: 'eth68', types: Uint8Array.of(2), sizes: [announcedSize(txs[39]!)], hashes: [last] });
    const hashesOf = (them: typeof a.them) => annHashes(afterStatus(them)).flatMap((m) => m.hashes.map(bytesToHex));
    await until(() => hashesOf(a.them).length >= 40 && hashesOf(b.them).length >= 39, 5_000);
    await sleep(300);
    expect(hashesOf(a.them)).toHaveLength(40);
    expect(hashesOf(b.them)).toHaveLength(39);
    expect(hashesOf(b.them)).not.toContain(bytesToHex(last));
    // The pool has it: nobody asked b for it.
    expect(afterStatus(b.them).some((m) => m.kind === 'GetPooledTransactions')).toBe(false);
  });
});
