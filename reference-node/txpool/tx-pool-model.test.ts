/**
 * Random add sequences against small limits (so eviction, trimming and queue
 * caps all happen), checking after every step the invariants any correct
 * pool keeps whatever it decides to evict: pending is the gap-free run from
 * the account nonce (0 here), queued txs sit behind a gap, counts agree with
 * the contents, each accepted tx was announced once and rejected ones never.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chain } from '../chain/chain.js';
import { bytesToHex } from '../wire/bytes.js';
import { transactionHash } from '../wire/tx/hash.js';
import type { DynamicFeeTx } from '../wire/tx/types.js';
import { ETHER, GWEI, key, openChain, transfer } from './test-fixtures.js';
import { TxPool } from './tx-pool.js';
import { TxPoolError } from './validation.js';

const KEYS = [0, 1, 2, 3].map((i) => key(400 + i));
const NONCES = 5;
const TIPS = [1n, 2n, 3n, 4n];
/** Signed once: txs[k][nonce][tip]. */
const txs: DynamicFeeTx[][][] = KEYS.map((k) =>
  Array.from({ length: NONCES }, (_, n) => TIPS.map((t) => transfer(k, BigInt(n), { maxPriorityFeePerGas: t * GWEI, maxFeePerGas: 10n * t * GWEI }))),
);

let chain: Chain;
beforeAll(async () => {
  chain = await openChain({ alloc: KEYS.map((k) => [k, { balance: ETHER }]) });
});
afterAll(async () => {
  await chain.close();
});

const op = fc.record({ k: fc.nat(KEYS.length - 1), nonce: fc.nat(NONCES - 1), tip: fc.nat(TIPS.length - 1), local: fc.boolean() });

describe('TxPool invariants under random adds', () => {
  it('keeps pending gap-free, queued behind a gap, counts exact, and announces each accepted tx once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const pool = new TxPool(chain, { globalSlots: 5, globalQueue: 2, accountSlots: 1, accountQueue: 2 });
        const announced = new Map<string, number>();
        pool.on('added', (e) => announced.set(bytesToHex(e.hash), (announced.get(bytesToHex(e.hash)) ?? 0) + 1));
        const accepted = new Set<string>();
        try {
          for (const { k, nonce, tip, local } of ops) {
            const tx = txs[k]![nonce]![tip]!;
            const h = bytesToHex(transactionHash(tx));
            const before = announced.get(h) ?? 0;
            const result = await pool.add(tx, { local }).catch((e: unknown) => e);
            if (result instanceof TxPoolError) {
              expect(announced.get(h) ?? 0).toBe(before);
            } else {
              expect(result).toBeInstanceOf(Uint8Array);
              expect(announced.get(h)).toBe(before + 1);
              accepted.add(h);
            }
            let pending = 0;
            let queued = 0;
            for (const c of pool.content()) {
              expect(c.pending.map((t) => t.nonce)).toEqual(c.pending.map((_, i) => BigInt(i)));
              for (const t of c.queued) expect(t.nonce).toBeGreaterThan(BigInt(c.pending.length));
              expect(c.pending.length + c.queued.length).toBeGreaterThan(0);
              for (const t of [...c.pending, ...c.queued]) {
                expect(pool.has(transactionHash(t))).toBe(true);
                expect(accepted.has(bytesToHex(transactionHash(t)))).toBe(true);
              }
              pending += c.pending.length;
              queued += c.queued.length;
            }
            expect(pool.status()).toEqual({ pending, queued });
            expect(pool.pending()).toHaveLength(pending);
          }
        } finally {
          pool.close();
        }
      }),
      { numRuns: 100, seed: 20250601 },
    );
  });
});
