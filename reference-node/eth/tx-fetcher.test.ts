/**
 * The tx fetcher's rules on a hand-driven clock (geth's tx_fetcher_test.go
 * style): the 500 ms wait and what cancels it, the request caps, one request
 * per peer, the 5 s timeout and the move to another announcer, announcement
 * lies, and what is never fetched.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../wire/bytes.js';
import { generatePrivateKey } from '../wire/keys.js';
import { transactionHash } from '../wire/tx/hash.js';
import type { Transaction } from '../wire/tx/types.js';
import { MAX_TX_ANNOUNCES, TxFetcher, type TxAnnounceBatch } from './tx-fetcher.js';
import { announcedSize } from './tx-packs.js';
import { signedBlobTx, signedTransfer, unsignedLookingTx } from './tx-test-pool.js';
import { ManualTimers } from './tx-timers.js';

interface Sent {
  peer: string;
  hashes: string[];
  resolve(txs: Transaction[]): void;
  reject(err: Error): void;
}

function harness() {
  const timers = new ManualTimers();
  const known = new Set<string>();
  const requests: Sent[] = [];
  const drops: Array<{ peer: string; detail: string }> = [];
  const added: Array<{ origin: string; hashes: string[] }> = [];
  const fetcher = new TxFetcher({
    isKnown: (h) => known.has(bytesToHex(h)),
    addTxs: async (txs, origin) => void added.push({ origin, hashes: txs.map((t) => bytesToHex(transactionHash(t))) }),
    fetchTxs: (peer, hashes) =>
      new Promise((resolve, reject) => requests.push({ peer, hashes: hashes.map(bytesToHex), resolve, reject })),
    dropPeer: (peer, detail) => void drops.push({ peer, detail }),
    timers,
  });
  /** Lets promise callbacks run. */
  const flush = () => new Promise<void>((r) => setImmediate(r));
  return { timers, known, requests, drops, added, fetcher, flush };
}

const hex = (tx: Transaction) => bytesToHex(transactionHash(tx));
/** An honest eth/68 announcement of `txs`. */
const ann = (txs: readonly Transaction[], lie: { type?: number; sizeDelta?: number } = {}): TxAnnounceBatch => ({
  hashes: txs.map(transactionHash),
  types: Uint8Array.from(txs, (t) => lie.type ?? t.type),
  sizes: txs.map((t) => announcedSize(t) + (lie.sizeDelta ?? 0)),
});
const key = generatePrivateKey();
const txs = Array.from({ length: 4 }, (_, i) => signedTransfer(key, BigInt(i)));

describe('waiting for a broadcast', () => {
  it('asks only after 500 ms', () => {
    const h = harness();
    h.fetcher.notify('A', ann([txs[0]!]));
    h.timers.advance(499);
    expect(h.requests).toEqual([]);
    h.timers.advance(1);
    expect(h.requests.map((r) => [r.peer, r.hashes])).toEqual([['A', [hex(txs[0]!)]]]);
  });

  it('a broadcast within the 500 ms ends it: no request, the tx goes to the pool from the broadcaster', async () => {
    const h = harness();
    h.fetcher.notify('A', ann([txs[0]!]));
    h.timers.advance(300);
    await h.fetcher.enqueue('B', [txs[0]!]);
    h.timers.advance(5_000);
    expect(h.requests).toEqual([]);
    expect(h.added).toEqual([{ origin: 'B', hashes: [hex(txs[0]!)] }]);
    expect(h.fetcher.stats()).toEqual({ waiting: 0, queued: 0, fetching: 0, requests: 0 });
  });

  it('announcements within the same few ms are asked for together', () => {
    const h = harness();
    h.fetcher.notify('A', ann([txs[0]!]));
    h.timers.advance(5);
    h.fetcher.notify('A', ann([txs[1]!]));
    h.timers.advance(500);
    expect(h.requests.map((r) => r.hashes)).toEqual([[hex(txs[0]!), hex(txs[1]!)]]);
  });

  it('blob txs are not waited for (nobody broadcasts them)', () => {
    const h = harness();
    const blob = signedBlobTx(generatePrivateKey(), 0n);
    h.fetcher.notify('A', ann([blob]));
    expect(h.requests.map((r) => r.hashes)).toEqual([[hex(blob)]]);
  });
});

describe('what is never fetched', () => {
  it('hashes the pool has or recently rejected, and unknown tx types', () => {
    const h = harness();
    h.known.add(hex(txs[0]!)); // isKnown covers both the pool and its recent rejections
    h.known.add(hex(txs[1]!));
    h.fetcher.notify('A', ann([txs[0]!, txs[1]!]));
    h.fetcher.notify('A', { hashes: [transactionHash(txs[2]!)], types: Uint8Array.of(7), sizes: [100] });
    h.timers.advance(1_000);
    expect(h.requests).toEqual([]);
    expect(h.fetcher.stats()).toEqual({ waiting: 0, queued: 0, fetching: 0, requests: 0 });
  });

  it(`more than ${MAX_TX_ANNOUNCES} hashes from one peer: the rest are ignored`, () => {
    const h = harness();
    const many = Array.from({ length: MAX_TX_ANNOUNCES + 100 }, (_, i) => unsignedLookingTx(BigInt(i)));
    h.fetcher.notify('A', { hashes: many.map(transactionHash) });
    expect(h.fetcher.stats().waiting).toBe(MAX_TX_ANNOUNCES);
  });
});

describe('requests', () => {
  it('at most 256 hashes per request, in announcement order; the rest once the first is answered', async () => {
    const h = harness();
    const many = Array.from({ length: 300 }, (_, i) => unsignedLookingTx(BigInt(i)));
    h.fetcher.notify('A', ann(many));
    h.timers.advance(500);
    expect(h.requests).toHaveLength(1);
    expect(h.requests[0]!.hashes).toEqual(many.slice(0, 256).map(hex));
    h.requests[0]!.resolve(many.slice(0, 256));
    await h.flush();
    expect(h.requests).toHaveLength(2);
    expect(h.requests[1]!.hashes).toEqual(many.slice(256).map(hex));
  });

  it('at most 128 KiB of announced size per request', () => {
    const h = harness();
    const ten = Array.from({ length: 10 }, (_, i) => unsignedLookingTx(BigInt(i)));
    // Claimed 20 KiB each: 6 make 120 KiB, a 7th would make 140.
    h.fetcher.notify('A', { hashes: ten.map(transactionHash), types: Uint8Array.from(ten, () => 2), sizes: ten.map(() => 20 * 1024) });
    h.timers.advance(500);
    expect(h.requests.map((r) => r.hashes.length)).toEqual([6]);
  });

  it('one request in flight per peer; other announcers are asked in parallel', async () => {
    const h = harness();
    h.fetcher.notify('A', ann([txs[0]!]));
    h.timers.advance(500);
    h.fetcher.notify('A', ann([txs[1]!]));
    h.fetcher.notify('B', ann([txs[2]!]));
    h.timers.advance(500);
    expect(h.requests.map((r) => [r.peer, r.hashes])).toEqual([
      ['A', [hex(txs[0]!)]],
      ['B', [hex(txs[2]!)]],
    ]);
    h.requests[0]!.resolve([txs[0]!]);
    await h.flush();
    expect(h.requests.map((r) => r.peer)).toEqual(['A', 'B', 'A']);
    expect(h.requests[2]!.hashes).toEqual([hex(txs[1]!)]);
    expect(h.added).toEqual([{ origin: 'A', hashes: [hex(txs[0]!)] }]);
  });

  it('a hash asked of one announcer is not asked of another at the same time', () => {
    const h = harness();
    h.fetcher.notify('A', ann([txs[0]!]));
    h.fetcher.notify('B', ann([txs[0]!]));
    h.timers.advance(500);
    expect(h.requests.map((r) => r.peer)).toEqual(['A']);
  });

  it('hashes skipped before the last delivered one are not available there; later ones are asked again', async () => {
    const h = harness();
    h.fetcher.notify('A', ann(txs.slice(0, 3)));
    h.fetcher.notify('B', ann([txs[0]!]));
    h.timers.advance(500);
    h.requests[0]!.resolve([txs[1]!]);
    await h.flush();
    // txs[0] moves to B (A skipped it), txs[2] is asked of A again.
    expect(h.requests.slice(1).map((r) => [r.peer, r.hashes])).toEqual([
      ['A', [hex(txs[2]!)]],
      ['B', [hex(txs[0]!)]],
    ]);
  });

  it('txs in a reply that were not asked for are ignored', async () => {
    const h = harness();
    h.fetcher.notify('A', ann([txs[0]!]));
    h.timers.advance(500);
    h.requests[0]!.resolve([txs[0]!, txs[3]!]);
    await h.flush();
    expect(h.added).toEqual([{ origin: 'A', hashes: [hex(txs[0]!)] }]);
  });
});

describe('timeouts and departures', () => {
  it('no answer in 5 s: another announcer is asked; the slow peer stays busy until it settles', async () => {
    const h = harness();
    h.fetcher.notify('A', ann([txs[0]!]));
    h.fetcher.notify('B', ann([txs[0]!]));
    h.timers.advance(500);
    expect(h.requests.map((r) => r.peer)).toEqual(['A']);
    h.timers.advance(4_999);
    expect(h.requests.map((r) => r.peer)).toEqual(['A']);
    h.timers.advance(1);
    expect(h.requests.map((r) => [r.peer, r.hashes])).toEqual([
      ['A', [hex(txs[0]!)]],
      ['B', [hex(txs[0]!)]],
    ]);
    // A is still busy: its new announcement waits.
    h.fetcher.notify('A', ann([txs[1]!]));
    h.timers.advance(500);
    expect(h.requests).toHaveLength(2);
    // A's late answer still counts, and frees it.
    h.requests[0]!.resolve([txs[0]!]);
    await h.flush();
    expect(h.added).toEqual([{ origin: 'A', hashes: [hex(txs[0]!)] }]);
    expect(h.requests.map((r) => r.peer)).toEqual(['A', 'B', 'A']);
    expect(h.requests[2]!.hashes).toEqual([hex(txs[1]!)]);
  });

  it('no answer and no other announcer: the hash is forgotten', () => {
    const h = harness();
    h.fetcher.notify('A', ann([txs[0]!]));
    h.timers.advance(5_500);
    expect(h.fetcher.stats()).toEqual({ waiting: 0, queued: 0, fetching: 0, requests: 1 });
  });

  it('a peer that leaves mid-request: its hashes go to the other announcer at once', () => {
    const h = harness();
    h.fetcher.notify('A', ann([txs[0]!]));
    h.fetcher.notify('B', ann([txs[0]!]));
    h.timers.advance(500);
    h.fetcher.drop('A');
    expect(h.requests.map((r) => r.peer)).toEqual(['A', 'B']);
  });

  it('a failed request (peer gone, timeout of the request tracker) frees the peer and requeues', async () => {
    const h = harness();
    h.fetcher.notify('A', ann([txs[0]!]));
    h.fetcher.notify('B', ann([txs[0]!]));
    h.timers.advance(500);
    h.requests[0]!.reject(new Error('session closed'));
    await h.flush();
    expect(h.requests.map((r) => r.peer)).toEqual(['A', 'B']);
  });
});

describe('announcement lies', () => {
  it('a delivered type other than announced drops the announcer', async () => {
    const h = harness();
    h.fetcher.notify('A', ann([txs[0]!], { type: 1 }));
    h.timers.advance(500);
    h.requests[0]!.resolve([txs[0]!]);
    await h.flush();
    expect(h.drops.map((d) => d.peer)).toEqual(['A']);
    expect(h.drops[0]!.detail).toMatch(/type 1, it is type 2/);
  });

  it.each([
    [9, true],
    [-9, true],
    [8, false],
    [-8, false],
  ])('a size off by %i bytes: dropped = %s', async (delta, dropped) => {
    const h = harness();
    h.fetcher.notify('A', ann([txs[0]!], { sizeDelta: delta }));
    h.timers.advance(500);
    h.requests[0]!.resolve([txs[0]!]);
    await h.flush();
    expect(h.drops.length > 0).toBe(dropped);
    expect(h.added).toHaveLength(1);
  });

  it('a broadcast from someone else exposes the lie too', async () => {
    const h = harness();
    h.fetcher.notify('A', ann([txs[0]!], { sizeDelta: 100 }));
    h.fetcher.notify('B', ann([txs[0]!]));
    await h.fetcher.enqueue('C', [txs[0]!]);
    expect(h.drops.map((d) => d.peer)).toEqual(['A']);
  });

  it('eth/66-67 announcements carry no type or size: nothing to check', async () => {
    const h = harness();
    h.fetcher.notify('A', { hashes: [transactionHash(txs[0]!)] });
    h.timers.advance(500);
    h.requests[0]!.resolve([txs[0]!]);
    await h.flush();
    expect(h.drops).toEqual([]);
    expect(h.added).toHaveLength(1);
  });

  it('a repeated announcement cannot change the first claim', async () => {
    const h = harness();
    h.fetcher.notify('A', ann([txs[0]!], { type: 1 }));
    h.fetcher.notify('A', ann([txs[0]!]));
    h.timers.advance(500);
    h.requests[0]!.resolve([txs[0]!]);
    await h.flush();
    expect(h.drops.map((d) => d.peer)).toEqual(['A']);
  });
});

describe('stop', () => {
  it('cancels the timers and ignores late replies', async () => {
    const h = harness();
    h.fetcher.notify('A', ann([txs[0]!]));
    h.timers.advance(500);
    h.fetcher.stop();
    expect(h.timers.size).toBe(0);
    h.requests[0]!.resolve([txs[0]!]);
    await h.flush();
    expect(h.added).toEqual([]);
    h.fetcher.notify('A', ann([txs[1]!]));
    h.timers.advance(1_000);
    expect(h.requests).toHaveLength(1);
  });
});
