/**
 * Transaction broadcast (geth's BroadcastTransactions): the choice of direct
 * peers and the split rule with stand-in peers, then over loopback with
 * scripted eth/68 peers: 3 of 9 get a new tx whole, 6 get its type, size and
 * hash; sizes are checked against @ethereumjs/tx; large and blob txs are only
 * announced; a tx never goes back to the peer it came from.
 */
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { RLP } from '@ethereumjs/rlp';
import { createTx } from '@ethereumjs/tx';
import { afterEach, describe, expect, it } from 'vitest';
import { bigIntToFixed, bytesToHex } from '../wire/bytes.js';
import type { EthMessage, EthVersion } from '../wire/eth/types.js';
import { generatePrivateKey, publicKeyOf, type PrivateKey } from '../wire/keys.js';
import { transactionHash } from '../wire/tx/hash.js';
import { addressOf } from '../wire/tx/signer.js';
import type { BlobTx, Hash32, Transaction } from '../wire/tx/types.js';
import { KnownCache } from './known-cache.js';
import { chooseDirectPeers, TX_MAX_BROADCAST_SIZE, TxBroadcaster, type TxBroadcastPeer } from './tx-broadcast.js';
import { announcedSize, MAX_TX_PACKET_SIZE, type TxAnnouncement } from './tx-packs.js';
import { afterStatus, sleep, startTxNode, until } from './tx-test-node.js';
import { dynamicFeeFields, signedBlobTx, signedTransfer } from './tx-test-pool.js';
import type { ScriptedEthPeer } from './test-peer.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const common = createCustomCommon({ chainId: 1 }, Mainnet, { hardfork: Hardfork.Prague });
/** Size and hash of the same transfer as @ethereumjs/tx builds and encodes it. */
function ethereumjsTransfer(key: PrivateKey, nonce: bigint, dataSize = 0): { size: number; hash: string } {
  const tx = createTx(dynamicFeeFields(nonce, dataSize), { common }).sign(key);
  return { size: tx.serialize().length, hash: bytesToHex(tx.hash()) };
}

/** A peer that records what it is sent and marks it known, as EthPeer does. */
class StandInPeer implements TxBroadcastPeer {
  readonly known = new KnownCache(32768);
  readonly full: Transaction[][] = [];
  readonly announced: TxAnnouncement[][] = [];
  connected = true;
  constructor(
    readonly id: string,
    readonly version: EthVersion = 68,
  ) {}
  knowsTransaction(hash: Uint8Array): boolean {
    return this.known.has(hash);
  }
  sendTransactions(txs: Transaction[], hashes: readonly Hash32[]): boolean {
    this.known.add(...hashes);
    this.full.push(txs);
    return true;
  }
  sendPooledTransactionHashes(a: readonly TxAnnouncement[]): boolean {
    this.known.add(...a.map((x) => x.hash));
    this.announced.push([...a]);
    return true;
  }
}

const standIns = (n: number) => Array.from({ length: n }, (_, i) => new StandInPeer(`peer-${i}`));
const key1 = bigIntToFixed(1n, 32);
const key2 = bigIntToFixed(2n, 32);
const sender1 = addressOf(publicKeyOf(key1));
const sender2 = addressOf(publicKeyOf(key2));
const entry = (tx: Transaction, sender: Uint8Array, origin?: string) => ({ tx, hash: transactionHash(tx), sender, origin });

describe('choosing the direct peers', () => {
  // ceil(sqrt(n)) written out: n -> direct peers.
  const table: Array<[number, number]> = [[0, 0], [1, 1], [2, 2], [3, 2], [4, 2], [5, 3], [8, 3], [9, 3], [10, 4], [16, 4], [17, 5], [50, 8]];
  it.each(table)('%i peers: %i of them', (n, want) => {
    expect(chooseDirectPeers(standIns(n), sender1, new Uint8Array(32)).size).toBe(want);
  });

  it('is the same for one sender under one key, differs across senders and keys', () => {
    const peers = standIns(25);
    const key = crypto.getRandomValues(new Uint8Array(32));
    const ids = (s: Set<StandInPeer>) => [...s].map((p) => p.id).sort();
    const a = ids(chooseDirectPeers(peers, sender1, key));
    expect(ids(chooseDirectPeers([...peers].reverse(), sender1, key))).toEqual(a);
    // 5 of 25: two random 5-sets agree with probability 1/53130; across 5 other senders or keys at least one differs.
    const others = [2n, 3n, 4n, 5n, 6n].map((k) => ids(chooseDirectPeers(peers, addressOf(publicKeyOf(bigIntToFixed(k, 32))), key)));
    expect(others.some((o) => o.join() !== a.join())).toBe(true);
    const otherKeys = [1, 2, 3, 4, 5].map(() => ids(chooseDirectPeers(peers, sender1, crypto.getRandomValues(new Uint8Array(32)))));
    expect(otherKeys.some((o) => o.join() !== a.join())).toBe(true);
  });
});

describe('the split rule, with stand-in peers', () => {
  const kinds = (peers: StandInPeer[]) => peers.map((p) => (p.full.length > 0 ? 'full' : '') + (p.announced.length > 0 ? 'ann' : ''));

  it('9 peers lacking a tx: 3 get it whole, 6 its announcement, each once; a second round sends nothing', () => {
    const peers = standIns(9);
    const b = new TxBroadcaster({ peers: () => peers });
    const tx = signedTransfer(key1, 0n);
    expect(b.broadcast([entry(tx, sender1)])).toEqual({ direct: 3, announced: 6 });
    expect(kinds(peers).filter((k) => k === 'full')).toHaveLength(3);
    expect(kinds(peers).filter((k) => k === 'ann')).toHaveLength(6);
    expect(b.broadcast([entry(tx, sender1)])).toEqual({ direct: 0, announced: 0 });
  });

  it('n counts the peers that lack the tx: not its origin, not those that know it, not disconnected ones', () => {
    const peers = standIns(13);
    const tx = signedTransfer(key1, 0n);
    peers[0]!.known.add(transactionHash(tx));
    peers[1]!.connected = false;
    const b = new TxBroadcaster({ peers: () => peers });
    // 13 - origin - knower - disconnected = 10 lacking: ceil(sqrt(10)) = 4 whole, 6 announced.
    expect(b.broadcast([entry(tx, sender1, 'peer-2')])).toEqual({ direct: 4, announced: 6 });
    expect(kinds(peers.slice(0, 3))).toEqual(['', '', '']);
  });

  it("all of one sender's txs take the same path; another sender's may differ", () => {
    const peers = standIns(16);
    const b = new TxBroadcaster({ peers: () => peers });
    b.broadcast([0n, 1n, 2n, 3n].map((n) => entry(signedTransfer(key1, n), sender1)));
    const got = peers.filter((p) => p.full.length > 0);
    expect(got).toHaveLength(4);
    for (const p of got) expect(p.full.flat().map((t) => t.nonce)).toEqual([0n, 1n, 2n, 3n]);
    for (const p of peers.filter((x) => x.full.length === 0)) expect(p.announced.flat()).toHaveLength(4);
  });

  it(`a tx over ${TX_MAX_BROADCAST_SIZE} bytes and a blob tx are announced to everyone, sent whole to no one`, () => {
    const peers = standIns(9);
    const b = new TxBroadcaster({ peers: () => peers });
    const big = signedTransfer(key1, 0n, 5 * 1024);
    const blob = signedBlobTx(key2, 0n);
    expect(b.broadcast([entry(big, sender1), entry(blob, sender2)])).toEqual({ direct: 0, announced: 18 });
    for (const p of peers) {
      expect(p.full).toEqual([]);
      expect(p.announced.flat().map((a) => a.type)).toEqual([2, 3]);
    }
  });

  it('the size limit is inclusive: 4096 bytes go whole, 4097 do not', () => {
    // Find calldata lengths that make the encoded tx exactly 4096 and 4097 bytes.
    // The calldata length is searched with our encoder (r and s vary in length), the result checked with @ethereumjs/tx.
    const sized = (target: number) => {
      for (let d = target - 130; d < target; d++) {
        if (announcedSize(signedTransfer(key1, 0n, d)) !== target) continue;
        expect(ethereumjsTransfer(key1, 0n, d).size).toBe(target);
        return signedTransfer(key1, 0n, d);
      }
      throw new Error(`no calldata length gives ${target} bytes`);
    };
    const peers = standIns(4);
    const b = new TxBroadcaster({ peers: () => peers });
    expect(b.broadcast([entry(sized(4096), sender1)])).toEqual({ direct: 2, announced: 2 });
    expect(b.broadcast([entry(sized(4097), sender1)])).toEqual({ direct: 0, announced: 4 });
  });

  it('a batch is cut into Transactions packs of at most 100 KiB', () => {
    const peer = new StandInPeer('only');
    const b = new TxBroadcaster({ peers: () => [peer] });
    // 60 txs of ~3 KiB to the one peer (ceil(sqrt(1)) = 1: it gets them whole).
    const txs = Array.from({ length: 60 }, (_, i) => signedTransfer(key1, BigInt(i), 3000));
    expect(b.broadcast(txs.map((t) => entry(t, sender1)))).toEqual({ direct: 60, announced: 0 });
    expect(peer.full.length).toBeGreaterThan(1);
    for (const pack of peer.full) {
      const bytes = pack.reduce((n, t) => n + createTx(dynamicFeeFields(t.nonce, 3000), { common }).sign(key1).serialize().length, 0);
      expect(bytes).toBeLessThanOrEqual(MAX_TX_PACKET_SIZE);
    }
    expect(peer.full.flat().map((t) => t.nonce)).toEqual(txs.map((t) => t.nonce));
  });

  it('txs that left the pool before the batch went out are not sent', () => {
    const peers = standIns(4);
    const gone = signedTransfer(key1, 0n);
    const b = new TxBroadcaster({ peers: () => peers, isPooled: (h) => bytesToHex(h) !== bytesToHex(transactionHash(gone)) });
    expect(b.broadcast([entry(gone, sender1), entry(signedTransfer(key1, 1n), sender1)])).toEqual({ direct: 2, announced: 2 });
  });

  it('enqueue batches what arrives in one turn into one round', async () => {
    const peers = standIns(1);
    const b = new TxBroadcaster({ peers: () => peers });
    for (let n = 0n; n < 5n; n++) b.enqueue(entry(signedTransfer(key1, n), sender1));
    expect(peers[0]!.full).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(peers[0]!.full.map((p) => p.length)).toEqual([5]);
  });
});

// ---------------------------------------------------------------------------
// Over loopback

async function nineScriptedPeers(versions: EthVersion[] = Array<EthVersion>(9).fill(68)) {
  const net = await startTxNode(cleanups);
  const peers: ScriptedEthPeer[] = [];
  for (const v of versions) peers.push((await net.connect(v)).them);
  return { ...net, peers };
}

/** Waits until every scripted peer in `peers` has something, then a quiet spell in which a duplicate would show. */
async function settle(peers: readonly ScriptedEthPeer[]): Promise<void> {
  await until(() => peers.every((p) => afterStatus(p).length > 0));
  await sleep(300);
}

const fullOf = (msgs: EthMessage[]) => msgs.filter((m) => m.kind === 'Transactions');
const annOf = (msgs: EthMessage[]) => msgs.filter((m): m is Extract<EthMessage, { kind: 'NewPooledTransactionHashes' }> => m.kind === 'NewPooledTransactionHashes');

describe('over loopback with 9 scripted eth/68 peers', () => {
  it('a tx added to the pool reaches exactly 3 whole and 6 as (type, size, hash), once each', async () => {
    const { pool, peers } = await nineScriptedPeers();
    const key = generatePrivateKey();
    const tx = signedTransfer(key, 0n);
    const theirs = ethereumjsTransfer(key, 0n);
    pool.addLocal(tx);
    await settle(peers);

    const got = peers.map(afterStatus);
    expect(got.map((m) => m.length)).toEqual(Array(9).fill(1));
    const full = fullOf(got.flat());
    const ann = annOf(got.flat());
    expect(full).toHaveLength(3);
    expect(ann).toHaveLength(6);
    for (const m of full) {
      expect(m.transactions).toHaveLength(1);
      expect(bytesToHex(transactionHash(m.transactions[0]!))).toBe(theirs.hash);
    }
    for (const m of ann) {
      expect(m.form).toBe('eth68');
      if (m.form !== 'eth68') continue;
      expect([...m.types]).toEqual([2]);
      expect(m.sizes).toEqual([theirs.size]);
      expect(m.hashes.map(bytesToHex)).toEqual([theirs.hash]);
    }
  });

  it("the same sender's next txs go to the same 3 peers", async () => {
    const { pool, peers } = await nineScriptedPeers();
    const key = generatePrivateKey();
    pool.addLocal(signedTransfer(key, 0n));
    await settle(peers);
    const firstFull = peers.map((p) => fullOf(afterStatus(p)).length > 0);
    pool.addLocal(signedTransfer(key, 1n));
    pool.addLocal(signedTransfer(key, 2n));
    await until(() => peers.every((p) => afterStatus(p).length > 1));
    await sleep(300);
    for (const [i, p] of peers.entries()) {
      const msgs = afterStatus(p);
      const kinds = new Set(msgs.map((m) => m.kind));
      expect(kinds.size).toBe(1);
      expect(kinds.has('Transactions')).toBe(firstFull[i]);
      const nonces = msgs.flatMap((m) => (m.kind === 'Transactions' ? m.transactions.map((t) => t.nonce) : []));
      if (firstFull[i]) expect(nonces).toEqual([0n, 1n, 2n]);
    }
  });

  it('a tx a peer sent us never goes back to it; the 8 others get it (3 whole, 5 announced)', async () => {
    const { pool, peers } = await nineScriptedPeers();
    const tx = signedTransfer(generatePrivateKey(), 0n);
    const [origin, ...others] = peers;
    origin!.send({ kind: 'Transactions', transactions: [tx] });
    await until(() => pool.has(transactionHash(tx)));
    await settle(others);
    expect(afterStatus(origin!)).toEqual([]);
    const got = others.map(afterStatus).flat();
    expect(fullOf(got)).toHaveLength(3);
    expect(annOf(got)).toHaveLength(5);
    expect(pool.remoteCalls.map((c) => c.txs.length)).toEqual([1]);
  });

  it('a 5 KiB tx and a blob tx are only announced, with their sizes', async () => {
    const { pool, peers } = await nineScriptedPeers();
    const key = generatePrivateKey();
    const big = signedTransfer(key, 0n, 5 * 1024);
    const blob = signedBlobTx(generatePrivateKey(), 0n);
    const bigTheirs = ethereumjsTransfer(key, 0n, 5 * 1024);
    pool.addLocal(big);
    pool.addLocal(blob);
    await settle(peers);
    for (const p of peers) {
      const msgs = afterStatus(p);
      expect(fullOf(msgs)).toEqual([]);
      const anns = annOf(msgs);
      const flat = anns.flatMap((m) => (m.form === 'eth68' ? m.hashes.map((h, i) => ({ hash: bytesToHex(h), type: m.types[i], size: m.sizes[i] })) : []));
      expect(flat).toEqual([
        { hash: bigTheirs.hash, type: 2, size: bigTheirs.size },
        { hash: bytesToHex(transactionHash(blob)), type: 3, size: blobNetworkSize(blob) },
      ]);
    }
    expect(bigTheirs.size).toBeGreaterThan(5 * 1024);
  });

  it('eth/66 and eth/67 peers get hash-only announcements', async () => {
    const { pool, peers } = await nineScriptedPeers([66, 67, 66, 67, 66, 67, 66, 67, 66]);
    const tx = signedTransfer(generatePrivateKey(), 0n);
    pool.addLocal(tx);
    await settle(peers);
    const got = peers.map(afterStatus).flat();
    expect(fullOf(got)).toHaveLength(3);
    const anns = annOf(got);
    expect(anns).toHaveLength(6);
    for (const m of anns) expect(m).toEqual({ kind: 'NewPooledTransactionHashes', form: 'eth66', hashes: [transactionHash(tx)] });
  });
});

/** The EIP-4844 network form's length, encoded with @ethereumjs/rlp: 0x03 || rlp([tx fields, blobs, commitments, proofs]). */
function blobNetworkSize(tx: BlobTx): number {
  const fields = [
    tx.chainId,
    tx.nonce,
    tx.maxPriorityFeePerGas,
    tx.maxFeePerGas,
    tx.gasLimit,
    tx.to,
    tx.value,
    tx.data,
    [],
    tx.maxFeePerBlobGas,
    tx.blobVersionedHashes,
    BigInt(tx.yParity),
    tx.r,
    tx.s,
  ];
  const sc = tx.sidecar!;
  return 1 + RLP.encode([fields, sc.blobs, sc.commitments, sc.proofs]).length;
}
