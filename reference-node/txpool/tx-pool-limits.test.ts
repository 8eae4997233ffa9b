/**
 * The pool's limits, as geth's legacypool applies them (TestPendingLimiting,
 * TestPendingGlobalLimiting, TestPendingMinimumAllowance, TestQueueAccountLimiting,
 * TestQueueGlobalLimiting, TestUnderpricing, TestQueueTimeLimiting). Small
 * limits stand in for the defaults; the expected survivors follow from geth's
 * truncatePending/truncateQueue/Discard rules worked through by hand in each
 * test's comments.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { transactionHash } from '../wire/tx/hash.js';
import type { Transaction } from '../wire/tx/types.js';
import { DEFAULT_TX_POOL_CONFIG, type TxPool } from './tx-pool.js';
import { ETHER, GWEI, key, openPool, rejectionOf, transfer } from './test-fixtures.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const [A, B, C, D, E, L] = [key(100), key(101), key(102), key(103), key(104), key(105)];
const funded = (): Array<[Uint8Array, { balance: bigint }]> => [A, B, C, D, E, L].map((k) => [k, { balance: ETHER }]);
const HOUR = 60 * 60_000;

async function addAll(pool: TxPool, txs: Transaction[], local = false): Promise<void> {
  for (const tx of txs) await pool.add(tx, { local });
}
const run = (k: Uint8Array, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => transfer(k, BigInt(from + i)));
const nonces = (pool: TxPool, k: Uint8Array, upTo = 10) =>
  Array.from({ length: upTo + 1 }, (_, n) => BigInt(n)).filter((n) => pool.has(transactionHash(transfer(k, n))));

describe('executable (pending) limits', () => {
  it('lets one account hold more than 16 executable txs while the pool is not full', async () => {
    expect(DEFAULT_TX_POOL_CONFIG).toMatchObject({ accountSlots: 16, globalSlots: 5120, accountQueue: 64, globalQueue: 1024, lifetimeMs: 3 * HOUR });
    const { pool } = await openPool({ alloc: funded() }, {}, cleanups);
    await addAll(pool, run(A, 0, 19), false);
    expect(pool.status()).toEqual({ pending: 20, queued: 0 });
  });

  it('over globalSlots, trims the biggest accounts first, evenly, by their highest nonces', async () => {
    const { pool } = await openPool({ alloc: funded() }, { globalSlots: 8, accountSlots: 2, globalQueue: 100 }, cleanups);
    await addAll(pool, run(A, 0, 5));
    // B's third tx makes 9 > 8: offenders A (6) then B (3); A is cut down toward B's 3 until 8 remain: A loses nonce 5 only.
    await addAll(pool, run(B, 0, 2));
    expect(nonces(pool, A)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(nonces(pool, B)).toEqual([0n, 1n, 2n]);
    expect(pool.status()).toEqual({ pending: 8, queued: 0 });
  });

  it('never trims local accounts, and refuses a tx the trimming takes straight back out', async () => {
    const { pool, added } = await openPool({ alloc: funded() }, { globalSlots: 8, accountSlots: 2, globalQueue: 100 }, cleanups);
    await addAll(pool, run(L, 0, 5), true);
    await addAll(pool, run(A, 0, 1));
    // 9 > 8 and the only remote account over 2 is A (3): its highest nonce, the new tx, goes.
    const e = await rejectionOf(pool.add(transfer(A, 2n), { local: false }));
    expect(e.reason).toBe('accountLimit');
    expect(nonces(pool, L)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    expect(nonces(pool, A)).toEqual([0n, 1n]);
    expect(added.filter((x) => !x.local).map((x) => x.tx.nonce)).toEqual([0n, 1n]);
  });

  it('keeps accountSlots per account even when that leaves more than globalSlots (minimum allowance)', async () => {
    const { pool } = await openPool({ alloc: funded() }, { globalSlots: 4, accountSlots: 2, globalQueue: 100 }, cleanups);
    await addAll(pool, run(A, 0, 2)); // 3
    await addAll(pool, run(B, 0, 1)); // 5 > 4: A (3 > 2) drops nonce 2
    expect((await rejectionOf(pool.add(transfer(B, 2n), { local: false }))).reason).toBe('accountLimit'); // B (3) drops its new nonce 2
    await addAll(pool, run(C, 0, 1)); // 6 > 4, but nobody holds more than 2
    expect([nonces(pool, A), nonces(pool, B), nonces(pool, C)]).toEqual([
      [0n, 1n],
      [0n, 1n],
      [0n, 1n],
    ]);
    expect(pool.status().pending).toBe(6);
  });
});

describe('queued limits', () => {
  it('keeps the lowest accountQueue queued nonces of a remote account; local accounts keep all', async () => {
    const { pool } = await openPool({ alloc: funded() }, { accountQueue: 4 }, cleanups);
    await addAll(pool, run(A, 2, 5));
    for (const n of [6n, 7n]) {
      const e = await rejectionOf(pool.add(transfer(A, n), { local: false }));
      expect([e.reason, e.message]).toEqual(['accountLimit', 'account limit exceeded: 4 queued txs']);
    }
    // A lower nonce still gets in; the highest queued one makes room.
    await pool.add(transfer(A, 1n), { local: false });
    expect(nonces(pool, A)).toEqual([1n, 2n, 3n, 4n]);
    await addAll(pool, run(L, 1, 6), true);
    expect(nonces(pool, L)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(pool.status()).toEqual({ pending: 0, queued: 10 });
  });

  it('over globalQueue, drops queued txs of the least recently active remote accounts first; local ones stay', async () => {
    const { pool, clock } = await openPool({ alloc: funded() }, { globalQueue: 4 }, cleanups);
    await addAll(pool, run(A, 1, 3));
    clock.advance(1000);
    // Each B tx past 4 queued costs A (the older heartbeat) its highest queued tx.
    await addAll(pool, run(B, 1, 3));
    expect([nonces(pool, A), nonces(pool, B)]).toEqual([[1n], [1n, 2n, 3n]]);
    // Local txs count toward the limit but are never dropped: A goes first, then B's highest.
    await addAll(pool, run(L, 1, 2), true);
    expect([nonces(pool, A), nonces(pool, B), nonces(pool, L)]).toEqual([[], [1n, 2n], [1n, 2n]]);
    expect(pool.status()).toEqual({ pending: 0, queued: 4 });
  });
});

describe('a full pool', () => {
  // Capacity: globalSlots + globalQueue = 4 slots, one per small tx.
  const small = { globalSlots: 3, globalQueue: 1 };

  it('refuses a remote tx no better than the cheapest remote one, and evicts the cheapest for a better one', async () => {
    const { pool } = await openPool({ alloc: funded() }, small, cleanups);
    const held = [A, B, C, D].map((k, i) => transfer(k, 0n, { maxPriorityFeePerGas: BigInt(i + 1) * GWEI }));
    await addAll(pool, held);
    const cheap = transfer(E, 0n, { maxPriorityFeePerGas: GWEI });
    const e = await rejectionOf(pool.add(cheap, { local: false }));
    expect([e.reason, e.message]).toEqual(['underpriced', 'transaction underpriced']);
    expect(pool.recentlyRejected(transactionHash(cheap))).toBe(true);
    const better = transfer(E, 0n, { maxPriorityFeePerGas: 5n * GWEI });
    await pool.add(better, { local: false });
    expect(held.map((tx) => pool.has(transactionHash(tx)))).toEqual([false, true, true, true]);
    // A local tx is never underpriced: it takes the place of the cheapest remote one (tip 2).
    await pool.add(transfer(L, 0n, { maxPriorityFeePerGas: GWEI }), { local: true });
    expect(held.map((tx) => pool.has(transactionHash(tx)))).toEqual([false, false, true, true]);
    expect(pool.status()).toEqual({ pending: 4, queued: 0 });
  });

  it('prices by the tip at the next base fee: a high tip with a fee cap near the base fee is cheap', async () => {
    const { pool } = await openPool({ alloc: funded() }, small, cleanups);
    // Genesis base fee 1 gwei, no gas used: the next is 0.875 gwei (EIP-1559: -1/8).
    // X pays tip 1.5 gwei but fee cap 1.5 gwei: 0.625 gwei of tip is all it can give.
    const x = transfer(A, 0n, { maxFeePerGas: (3n * GWEI) / 2n, maxPriorityFeePerGas: (3n * GWEI) / 2n });
    await addAll(pool, [x, ...[B, C, D].map((k, i) => transfer(k, 0n, { maxPriorityFeePerGas: BigInt(i + 2) * GWEI }))]);
    await pool.add(transfer(E, 0n, { maxPriorityFeePerGas: GWEI }), { local: false });
    expect(pool.has(transactionHash(x))).toBe(false);
  });

  it('says "txpool is full" when only local txs hold the slots', async () => {
    const { pool } = await openPool({ alloc: funded() }, { globalSlots: 1, globalQueue: 1 }, cleanups);
    await addAll(pool, run(L, 0, 1), true);
    const e = await rejectionOf(pool.add(transfer(A, 0n, { maxPriorityFeePerGas: 9n * GWEI }), { local: false }));
    expect([e.reason, e.message]).toEqual(['poolFull', 'txpool is full']);
  });

  it('never lets a tx behind a nonce gap evict an executable one', async () => {
    const { pool } = await openPool({ alloc: funded() }, { globalSlots: 1, globalQueue: 1 }, cleanups);
    const a0 = transfer(A, 0n, { maxPriorityFeePerGas: GWEI });
    await addAll(pool, [a0, transfer(B, 0n, { maxPriorityFeePerGas: 2n * GWEI })]);
    const e = await rejectionOf(pool.add(transfer(C, 3n, { maxPriorityFeePerGas: 5n * GWEI }), { local: false }));
    expect([e.reason, e.message]).toEqual(['futureReplacePending', 'future transaction tries to replace pending']);
    expect(pool.has(transactionHash(a0))).toBe(true);
    // The same price with no gap may evict it.
    await pool.add(transfer(C, 0n, { maxPriorityFeePerGas: 5n * GWEI }), { local: false });
    expect(pool.has(transactionHash(a0))).toBe(false);
  });
});

describe('lifetime', () => {
  it('evicts the queued txs of a remote account 3 h after its last promotion; local ones stay', async () => {
    const { pool, clock } = await openPool({ alloc: funded() }, {}, cleanups);
    await pool.add(transfer(A, 1n), { local: false });
    await pool.add(transfer(L, 1n), { local: true });
    await pool.add(transfer(B, 2n), { local: false });
    clock.advance(2 * HOUR);
    // B's nonce 0 is promoted: its heartbeat restarts; nonce 2 still waits for nonce 1.
    await pool.add(transfer(B, 0n), { local: false });
    clock.advance(HOUR);
    expect(await pool.expireQueued()).toBe(0); // exactly 3 h: not yet
    clock.advance(1);
    expect(await pool.expireQueued()).toBe(1); // A's
    expect([nonces(pool, A), nonces(pool, L), nonces(pool, B)]).toEqual([[], [1n], [0n, 2n]]);
    clock.advance(2 * HOUR);
    expect(await pool.expireQueued()).toBe(1); // B's nonce 2, 3 h after the promotion
    expect(pool.status()).toEqual({ pending: 1, queued: 1 });
  });
});
