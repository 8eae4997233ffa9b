/** The fast recovery against BigInt arithmetic and @noble/curves, an independent implementation. */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { __internals as I, RecoveryError, recoverUncompressed } from './secp256k1-recover.js';

const { P, N } = I;
const LAMBDA = 0x5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72n;
const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;
const bytes32 = (x: bigint) => Uint8Array.from(Buffer.from(x.toString(16).padStart(64, '0'), 'hex'));
const big = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString('hex')}`);

const fieldValue = fc.oneof(
  fc.bigInt({ min: 0n, max: P - 1n }),
  fc.constantFrom(0n, 1n, 2n, P - 1n, P - 2n, (1n << 255n) - 1n, 0x3fffffn, 1n << 233n),
);

function noble(digest: Uint8Array, r: bigint, s: bigint, id: number): Uint8Array | 'throws' {
  try {
    return new secp256k1.Signature(r, s, id).recoverPublicKey(digest).toBytes(false);
  } catch {
    return 'throws';
  }
}

function ours(digest: Uint8Array, r: bigint, s: bigint, id: 0 | 1): Uint8Array | 'throws' {
  try {
    return recoverUncompressed(digest, r, s, id);
  } catch (err) {
    expect(err).toBeInstanceOf(RecoveryError);
    return 'throws';
  }
}

describe('field arithmetic mod p (12 limbs of 22 bits)', () => {
  it('multiplies, squares, adds, subtracts and inverts as BigInt does, also after long chains', () => {
    fc.assert(
      fc.property(fieldValue, fieldValue, (a, b) => {
        const A = I.feFromBigInt(a);
        const B = I.feFromBigInt(b);
        const C = I.fe();
        I.mul(C, A, B);
        expect(I.feToBigInt(C)).toBe(mod(a * b, P));
        I.sqr(C, A);
        expect(I.feToBigInt(C)).toBe(mod(a * a, P));
        I.sub(C, A, B);
        expect(I.feToBigInt(C)).toBe(mod(a - b, P));
        I.add(C, A, B);
        expect(I.feToBigInt(C)).toBe(mod(a + b, P));
        // 300 squarings in place: errors in the loose representation would accumulate.
        let x = a;
        I.sqr(C, A);
        x = mod(x * x, P);
        for (let i = 0; i < 300; i++) {
          I.sqr(C, C);
          x = mod(x * x, P);
        }
        expect(I.feToBigInt(C)).toBe(x);
        if (a !== 0n) {
          I.inv(C, A);
          expect(mod(I.feToBigInt(C) * a, P)).toBe(1n);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('finds square roots exactly for squares', () => {
    fc.assert(
      fc.property(fieldValue, (a) => {
        const sq = I.feFromBigInt(mod(a * a, P));
        const root = I.fe();
        expect(I.sqrt(root, sq)).toBe(true);
        const r = I.feToBigInt(root);
        expect(r === a || r === mod(-a, P)).toBe(true);
      }),
      { numRuns: 100 },
    );
    // -1 is not a square mod p (p ≡ 3 mod 4).
    expect(I.sqrt(I.fe(), I.feFromBigInt(P - 1n))).toBe(false);
  });
});

describe('scalar recoding', () => {
  it('NAF digits sum back to the scalar; the GLV split satisfies k ≡ k1 + k2·λ (mod n)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: N - 1n }), (k) => {
        const digits = I.wnaf5(k);
        let v = 0n;
        for (let i = digits.length - 1; i >= 0; i--) {
          const d = digits[i]!;
          expect(d === 0 || (Math.abs(d) % 2 === 1 && Math.abs(d) <= 15)).toBe(true);
          v = v * 2n + BigInt(d);
        }
        expect(v).toBe(k);
        const { k1neg, k1, k2neg, k2 } = I.splitScalar(k);
        expect(mod((k1neg ? -k1 : k1) + (k2neg ? -k2 : k2) * LAMBDA, N)).toBe(k);
      }),
      { numRuns: 200 },
    );
  });
});

describe('recoverUncompressed', () => {
  it('recovers what noble recovers for signatures over random digests', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (key, digest) => {
        fc.pre(secp256k1.utils.isValidSecretKey(key));
        const sig = secp256k1.sign(digest, key, { prehash: false, format: 'recovered' });
        const r = big(sig.subarray(1, 33));
        const s = big(sig.subarray(33));
        const id = sig[0] === 1 ? 1 : 0;
        expect(ours(digest, r, s, id)).toEqual(secp256k1.getPublicKey(key, false));
        // The other recovery id gives another key, or none, as in noble.
        const other = id === 1 ? 0 : 1;
        expect(ours(digest, r, s, other)).toEqual(noble(digest, r, s, other));
        // High s (the negated signature) recovers as well: the low-s rule is the caller's.
        expect(ours(digest, r, N - s, other)).toEqual(noble(digest, r, N - s, other));
      }),
      { numRuns: 120 },
    );
  });

  it('agrees with noble on arbitrary (r, s, digest), most of which recover some key', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: N - 1n }),
        fc.bigInt({ min: 1n, max: N - 1n }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.constantFrom(0 as const, 1 as const),
        (r, s, digest, id) => {
          expect(ours(digest, r, s, id)).toEqual(noble(digest, r, s, id));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('refuses what noble refuses: r or s out of range, an r that is no x on the curve, the point at infinity', () => {
    const digest = new Uint8Array(32).fill(7);
    for (const [r, s] of [
      [0n, 1n],
      [N, 1n],
      [1n, 0n],
      [1n, N],
      [5n, 1n], // x = 5 gives x³ + 7 = 132, not a square mod p
    ] as const) {
      expect(ours(digest, r, s, 0)).toBe('throws');
      expect(noble(digest, r, s, 0)).toBe('throws');
    }
    // Q = r⁻¹(sR − hG) is infinity when sR = hG: R = kG, s = 1, h = k.
    const k = 0x1234567890abcdefn;
    const R = secp256k1.Point.BASE.multiply(k);
    const { x, y } = R.toAffine();
    expect(x < N).toBe(true);
    const id = Number(y & 1n) as 0 | 1;
    expect(ours(bytes32(k), x, 1n, id)).toBe('throws');
    expect(noble(bytes32(k), x, 1n, id)).toBe('throws');
    // h ≡ 0 (mod n): no G term at all; a digest of n itself and of all ones (h reduced mod n).
    for (const d of [new Uint8Array(32), bytes32(N), new Uint8Array(32).fill(0xff)]) {
      expect(ours(d, x, 3n, id)).toEqual(noble(d, x, 3n, id));
    }
    expect(() => recoverUncompressed(new Uint8Array(31), 1n, 1n, 0)).toThrow(RecoveryError);
  });
});
