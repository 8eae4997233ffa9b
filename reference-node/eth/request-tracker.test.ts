/**
 * Our own requests: the tracker alone, then EthPeer.request over loopback
 * against a scripted peer that answers, stays silent, or answers wrongly.
 * Violations drop the peer with 0x10, as geth's tracker errors do.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { headerHash } from '../wire/block.js';
import { bytesToHex } from '../wire/bytes.js';
import type { EthMessage } from '../wire/eth/types.js';
import { DisconnectReason } from '../wire/p2p.js';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import { RequestAbortedError, RequestTimeoutError, RequestTracker } from './request-tracker.js';
import { ethtestChainReader, syntheticReceiptsChain, type MemoryChainReader } from './test-chain.js';
import { handshaken } from './test-node.js';

const chain = loadEthtestChain();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
let reader: MemoryChainReader;
beforeAll(async () => {
  reader = await ethtestChainReader();
});

const headersOf = (from: number, n: number) => chain.blocks.slice(from - 1, from - 1 + n).map((b) => b.header);

describe('RequestTracker', () => {
  function sent() {
    const ids: bigint[] = [];
    return { ids, send: (id: bigint) => (ids.push(id), true) };
  }

  it('resolves a request with the response carrying its id, whatever the order', async () => {
    const t = new RequestTracker(1_000);
    const s = sent();
    const a = t.track('GetBlockHeaders', 2n, s.send);
    const b = t.track('GetBlockBodies', 1n, s.send);
    expect(s.ids[1]).not.toBe(s.ids[0]);
    expect(t.fulfil({ kind: 'BlockBodies', requestId: s.ids[1]!, bodies: [] })).toEqual({ ok: true });
    expect(t.fulfil({ kind: 'BlockHeaders', requestId: s.ids[0]!, headers: headersOf(1, 2) })).toEqual({ ok: true });
    expect((await a).headers).toHaveLength(2);
    expect((await b).bodies).toEqual([]);
    expect(t.size).toBe(0);
  });

  it('calls an answer to an id never sent, or already answered, unsolicited', async () => {
    const t = new RequestTracker(1_000);
    const s = sent();
    const p = t.track('GetBlockHeaders', 1n, s.send);
    expect(t.fulfil({ kind: 'BlockHeaders', requestId: s.ids[0]! + 1000n, headers: [] })).toMatchObject({ ok: false, violation: 'unsolicitedResponse' });
    expect(t.fulfil({ kind: 'BlockHeaders', requestId: s.ids[0]!, headers: [] })).toEqual({ ok: true });
    await p;
    expect(t.fulfil({ kind: 'BlockHeaders', requestId: s.ids[0]!, headers: [] })).toMatchObject({ ok: false, violation: 'unsolicitedResponse' });
  });

  it('rejects an answer of the wrong kind, and one with more items than asked', () => {
    const t = new RequestTracker(1_000);
    const s = sent();
    void t.track('GetBlockHeaders', 2n, s.send).catch(() => undefined);
    void t.track('GetReceipts', 1n, s.send).catch(() => undefined);
    void t.track('GetPooledTransactions', 1n, s.send).catch(() => undefined);
    expect(t.fulfil({ kind: 'BlockBodies', requestId: s.ids[0]!, bodies: [] })).toMatchObject({ ok: false, violation: 'responseKindMismatch' });
    expect(t.fulfil({ kind: 'BlockHeaders', requestId: s.ids[0]!, headers: headersOf(1, 3) })).toMatchObject({ ok: false, violation: 'responseTooLarge' });
    expect(t.fulfil({ kind: 'Receipts', form: 'eth69', requestId: s.ids[1]!, receipts: [[], []] })).toMatchObject({ ok: false, violation: 'responseTooLarge' });
    const tx = chain.blocks[0]!.transactions[0]!;
    expect(t.fulfil({ kind: 'PooledTransactions', requestId: s.ids[2]!, transactions: [tx, tx] })).toMatchObject({ ok: false, violation: 'responseTooLarge' });
    // Fewer items than asked is allowed (a node may serve less).
    expect(t.fulfil({ kind: 'BlockHeaders', requestId: s.ids[0]!, headers: headersOf(1, 1) })).toEqual({ ok: true });
    t.abortAll('test over');
  });

  it('times out, and then drops a late answer quietly instead of calling it unsolicited', async () => {
    const t = new RequestTracker(1_000);
    const s = sent();
    const started = Date.now();
    await expect(t.track('GetBlockHeaders', 1n, s.send, 50)).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    const late = t.fulfil({ kind: 'BlockHeaders', requestId: s.ids[0]!, headers: [] });
    expect(late).toMatchObject({ ok: false, violation: undefined });
    // Only once: a second copy is unsolicited.
    expect(t.fulfil({ kind: 'BlockHeaders', requestId: s.ids[0]!, headers: [] })).toMatchObject({ ok: false, violation: 'unsolicitedResponse' });
  });

  it('rejects pending requests when the peer goes, and a request that cannot be sent', async () => {
    const t = new RequestTracker(1_000);
    const p = t.track('GetBlockBodies', 1n, () => true);
    t.abortAll('peer gone');
    await expect(p).rejects.toBeInstanceOf(RequestAbortedError);
    await expect(t.track('GetBlockBodies', 1n, () => false)).rejects.toBeInstanceOf(RequestAbortedError);
    expect(t.size).toBe(0);
  });
});

describe('EthPeer.request over loopback', () => {
  it('gets the headers the peer sends back for its id', async () => {
    const { them, peer } = await handshaken(reader, 68, cleanups);
    const pending = peer.request({ kind: 'GetBlockHeaders', origin: { number: 5n }, amount: 2n, skip: 0n, reverse: false });
    const asked = await them.next('GetBlockHeaders');
    expect(asked).toMatchObject({ origin: { number: 5n }, amount: 2n, skip: 0n, reverse: false });
    them.send({ kind: 'BlockHeaders', requestId: asked.requestId, headers: headersOf(5, 2) });
    const reply = await pending;
    expect(reply.requestId).toBe(asked.requestId);
    expect(reply.headers.map((h) => bytesToHex(headerHash(h)))).toEqual(chain.hashes.slice(4, 6).map(bytesToHex));
    expect(peer.pendingRequests).toBe(0);
  });

  it('matches two answers sent in reverse order (eth/66 bodies)', async () => {
    const { them, peer } = await handshaken(reader, 66, cleanups);
    const a = peer.request({ kind: 'GetBlockBodies', hashes: [chain.hashes[0]!] });
    const b = peer.request({ kind: 'GetBlockBodies', hashes: [chain.hashes[1]!] });
    const qa = await them.next('GetBlockBodies');
    const qb = await them.next('GetBlockBodies');
    them.send({ kind: 'BlockBodies', requestId: qb.requestId, bodies: [{ transactions: chain.blocks[1]!.transactions, uncles: [], withdrawals: chain.blocks[1]!.withdrawals! }] });
    them.send({ kind: 'BlockBodies', requestId: qa.requestId, bodies: [{ transactions: chain.blocks[0]!.transactions, uncles: [], withdrawals: chain.blocks[0]!.withdrawals! }] });
    expect((await a).bodies[0]!.transactions).toEqual(chain.blocks[0]!.transactions);
    expect((await b).bodies[0]!.transactions).toEqual(chain.blocks[1]!.transactions);
  });

  it('eth/70 receipts: the request carries firstBlockReceiptIndex and the answer its flag', async () => {
    const syn = await syntheticReceiptsChain([2, 3]);
    const { them, peer } = await handshaken(syn.reader, 70, cleanups);
    const hashes = syn.blocks.map((b) => headerHash(b.header));
    const pending = peer.request({ kind: 'GetReceipts', form: 'eth70', firstBlockReceiptIndex: 1n, hashes });
    const asked = await them.next('GetReceipts');
    expect(asked).toMatchObject({ form: 'eth70', firstBlockReceiptIndex: 1n, hashes });
    them.send({ kind: 'Receipts', form: 'eth70', requestId: asked.requestId, lastBlockIncomplete: true, receipts: [syn.receipts[0]!.slice(1), syn.receipts[1]!.slice(0, 1)] });
    const reply = await pending;
    expect(reply).toMatchObject({ form: 'eth70', lastBlockIncomplete: true });
    expect(reply.receipts.map((l) => l.length)).toEqual([1, 1]);
  });

  const violations: Array<[string, (id: bigint) => EthMessage]> = [
    ['an answer to an id we never used', (id) => ({ kind: 'BlockHeaders', requestId: id + 99n, headers: [] })],
    ['more headers than the amount', (id) => ({ kind: 'BlockHeaders', requestId: id, headers: headersOf(5, 3) })],
    ['an answer of another kind', (id) => ({ kind: 'BlockBodies', requestId: id, bodies: [] })],
  ];
  it.each(violations)('drops the peer with 0x10 (as geth) on %s, and the request fails', async (_what, answer) => {
    const { them, peer } = await handshaken(reader, 68, cleanups);
    // Settled now so its rejection is observed before the disconnect causes it.
    const outcome = peer.request({ kind: 'GetBlockHeaders', origin: { number: 5n }, amount: 2n, skip: 0n, reverse: false }).then(
      () => 'resolved',
      (err: unknown) => err,
    );
    const asked = await them.next('GetBlockHeaders');
    them.send(answer(asked.requestId));
    expect(await them.disconnected()).toMatchObject({ reason: DisconnectReason.SubprotocolError, byUs: false });
    expect(await outcome).toBeInstanceOf(RequestAbortedError);
    expect(peer.connected).toBe(false);
  });

  it('drops the peer with 0x10 on an answer when nothing was asked', async () => {
    const { them } = await handshaken(reader, 69, cleanups);
    them.send({ kind: 'BlockHeaders', requestId: 1n, headers: headersOf(1, 1) });
    expect(await them.disconnected()).toMatchObject({ reason: DisconnectReason.SubprotocolError, byUs: false });
  });

  it('rejects after the timeout, keeps the peer, and ignores the late answer', async () => {
    const { them, peer } = await handshaken(reader, 68, cleanups);
    const pending = peer.request({ kind: 'GetBlockHeaders', origin: { number: 5n }, amount: 1n, skip: 0n, reverse: false }, { timeoutMs: 200 });
    const asked = await them.next('GetBlockHeaders');
    await expect(pending).rejects.toBeInstanceOf(RequestTimeoutError);
    them.send({ kind: 'BlockHeaders', requestId: asked.requestId, headers: headersOf(5, 1) });
    expect(await them.stillConnectedAfter(300)).toBe(true);
    expect(peer.connected).toBe(true);
  });
});
