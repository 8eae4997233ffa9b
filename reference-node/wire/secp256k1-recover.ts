/**
 * secp256k1 public-key recovery (ECDSA, as Ethereum's ecrecover), fast in
 * plain JavaScript. A node spends most of its import time recovering
 * transaction senders, and @noble/curves does field arithmetic on BigInt,
 * which allocates on every operation; here the field is twelve 22-bit limbs
 * in a Float64Array, where every product and every sum of a row of products
 * is exact (22 + 22 bits, times 12, stays below 2^53). Recovery is on public
 * data, so nothing here needs to be constant-time.
 *
 * Semantics are noble's Signature.recoverPublicKey for recovery ids 0 and 1
 * (keys.ts keeps the checks on the input bytes): r and s in [1, n), R the
 * curve point with x = r and y of the id's parity, Q = r⁻¹(sR − hG), which
 * must not be the point at infinity. The tests compare it with noble on random
 * and edge-case inputs. Points are Jacobian (x = X/Z², y = Y/Z³); u2·R uses a
 * width-5 NAF, u1·G a table of 8-bit windows of G built on first use, and
 * square roots and inverses use libsecp256k1's addition chains.
 */

type Fe = Float64Array;

const LIMBS = 12;
const RADIX = 4194304; // 2^22
const INV_RADIX = 1 / RADIX;
/** 2^264 ≡ 2^40 + 977·2^8 (mod p): folding the limbs above 264 bits. */
const FOLD_LOW = 977 * 256;
const FOLD_HIGH = 262144; // 2^18: 2^40 is limb 1, bit 18

const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const GX = 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n;
const GY = 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n;

const fe = (): Fe => new Float64Array(LIMBS);

function feFromBigInt(x: bigint, out: Fe = fe()): Fe {
  for (let i = 0; i < LIMBS; i++) {
    out[i] = Number(x & 0x3fffffn);
    x >>= 22n;
  }
  return out;
}

const P_LIMBS = feFromBigInt(P);

// ---------------------------------------------------------------------------
// Field arithmetic mod p. Values are "loose": limbs 0..10 in [0, 2^22), the
// top limb signed and a little wider; canon() gives the unique form in [0, p).

/** Carries limbs 0..last-1 into the next; floor keeps the low ones in [0, 2^22) for negative values too. */
function carry(t: Float64Array, last: number): void {
  for (let i = 0; i < last; i++) {
    const c = Math.floor(t[i]! * INV_RADIX);
    t[i]! -= c * RADIX;
    t[i + 1]! += c;
  }
}

/*
 * Multiply and square are written out limb by limb (a loop costs three times
 * as much here): the 23 column sums of products, then carries; the columns
 * from 12 up are multiples of 2^264 ≡ 2^40 + 977·2^8 (mod p) and are folded
 * into the low ones from the top down (limbs 12 and 13 are carried before
 * they are folded, so no fold multiplies more than ~2^23 by 2^18); finally
 * normalize(): carry, fold what overflows the top limb, carry again. Afterwards
 * limbs 0..10 are in [0, 2^22) and the top one within a carry of it, the
 * invariant that keeps every column sum below 2^53.
 *
 * normalize() does the last step for sums, differences and small multiples,
 * whatever the signs of the limbs (floor carries negative values correctly).
 */
// ---- generated: 12×22-bit limb multiply, square and normalize, fully unrolled ----
function normalize(t: Float64Array): void {
  let t0 = t[0]!;
  let t1 = t[1]!;
  let t2 = t[2]!;
  let t3 = t[3]!;
  let t4 = t[4]!;
  let t5 = t[5]!;
  let t6 = t[6]!;
  let t7 = t[7]!;
  let t8 = t[8]!;
  let t9 = t[9]!;
  let t10 = t[10]!;
  let t11 = t[11]!;
  let c: number;
  c = Math.floor(t0 * INV_RADIX); t0 -= c * RADIX; t1 += c;
  c = Math.floor(t1 * INV_RADIX); t1 -= c * RADIX; t2 += c;
  c = Math.floor(t2 * INV_RADIX); t2 -= c * RADIX; t3 += c;
  c = Math.floor(t3 * INV_RADIX); t3 -= c * RADIX; t4 += c;
  c = Math.floor(t4 * INV_RADIX); t4 -= c * RADIX; t5 += c;
  c = Math.floor(t5 * INV_RADIX); t5 -= c * RADIX; t6 += c;
  c = Math.floor(t6 * INV_RADIX); t6 -= c * RADIX; t7 += c;
  c = Math.floor(t7 * INV_RADIX); t7 -= c * RADIX; t8 += c;
  c = Math.floor(t8 * INV_RADIX); t8 -= c * RADIX; t9 += c;
  c = Math.floor(t9 * INV_RADIX); t9 -= c * RADIX; t10 += c;
  c = Math.floor(t10 * INV_RADIX); t10 -= c * RADIX; t11 += c;
  c = Math.floor(t11 * INV_RADIX); t11 -= c * RADIX; t0 += c * FOLD_LOW; t1 += c * FOLD_HIGH;
  c = Math.floor(t0 * INV_RADIX); t0 -= c * RADIX; t1 += c;
  c = Math.floor(t1 * INV_RADIX); t1 -= c * RADIX; t2 += c;
  c = Math.floor(t2 * INV_RADIX); t2 -= c * RADIX; t3 += c;
  c = Math.floor(t3 * INV_RADIX); t3 -= c * RADIX; t4 += c;
  c = Math.floor(t4 * INV_RADIX); t4 -= c * RADIX; t5 += c;
  c = Math.floor(t5 * INV_RADIX); t5 -= c * RADIX; t6 += c;
  c = Math.floor(t6 * INV_RADIX); t6 -= c * RADIX; t7 += c;
  c = Math.floor(t7 * INV_RADIX); t7 -= c * RADIX; t8 += c;
  c = Math.floor(t8 * INV_RADIX); t8 -= c * RADIX; t9 += c;
  c = Math.floor(t9 * INV_RADIX); t9 -= c * RADIX; t10 += c;
  c = Math.floor(t10 * INV_RADIX); t10 -= c * RADIX; t11 += c;
  t[0] = t0;
  t[1] = t1;
  t[2] = t2;
  t[3] = t3;
  t[4] = t4;
  t[5] = t5;
  t[6] = t6;
  t[7] = t7;
  t[8] = t8;
  t[9] = t9;
  t[10] = t10;
  t[11] = t11;
}

function carryLow(t: Float64Array): void {
  let t0 = t[0]!;
  let t1 = t[1]!;
  let t2 = t[2]!;
  let t3 = t[3]!;
  let t4 = t[4]!;
  let t5 = t[5]!;
  let t6 = t[6]!;
  let t7 = t[7]!;
  let t8 = t[8]!;
  let t9 = t[9]!;
  let t10 = t[10]!;
  let t11 = t[11]!;
  let c: number;
  c = Math.floor(t0 * INV_RADIX); t0 -= c * RADIX; t1 += c;
  c = Math.floor(t1 * INV_RADIX); t1 -= c * RADIX; t2 += c;
  c = Math.floor(t2 * INV_RADIX); t2 -= c * RADIX; t3 += c;
  c = Math.floor(t3 * INV_RADIX); t3 -= c * RADIX; t4 += c;
  c = Math.floor(t4 * INV_RADIX); t4 -= c * RADIX; t5 += c;
  c = Math.floor(t5 * INV_RADIX); t5 -= c * RADIX; t6 += c;
  c = Math.floor(t6 * INV_RADIX); t6 -= c * RADIX; t7 += c;
  c = Math.floor(t7 * INV_RADIX); t7 -= c * RADIX; t8 += c;
  c = Math.floor(t8 * INV_RADIX); t8 -= c * RADIX; t9 += c;
  c = Math.floor(t9 * INV_RADIX); t9 -= c * RADIX; t10 += c;
  c = Math.floor(t10 * INV_RADIX); t10 -= c * RADIX; t11 += c;
  t[0] = t0;
  t[1] = t1;
  t[2] = t2;
  t[3] = t3;
  t[4] = t4;
  t[5] = t5;
  t[6] = t6;
  t[7] = t7;
  t[8] = t8;
  t[9] = t9;
  t[10] = t10;
  t[11] = t11;
}

function mul(out: Fe, a: Fe, b: Fe): void {
  const a0 = a[0]!;
  const a1 = a[1]!;
  const a2 = a[2]!;
  const a3 = a[3]!;
  const a4 = a[4]!;
  const a5 = a[5]!;
  const a6 = a[6]!;
  const a7 = a[7]!;
  const a8 = a[8]!;
  const a9 = a[9]!;
  const a10 = a[10]!;
  const a11 = a[11]!;
  const b0 = b[0]!;
  const b1 = b[1]!;
  const b2 = b[2]!;
  const b3 = b[3]!;
  const b4 = b[4]!;
  const b5 = b[5]!;
  const b6 = b[6]!;
  const b7 = b[7]!;
  const b8 = b[8]!;
  const b9 = b[9]!;
  const b10 = b[10]!;
  const b11 = b[11]!;
  let t0 = a0 * b0;
  let t1 = a0 * b1 + a1 * b0;
  let t2 = a0 * b2 + a1 * b1 + a2 * b0;
  let t3 = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  let t4 = a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0;
  let t5 = a0 * b5 + a1 * b4 + a2 * b3 + a3 * b2 + a4 * b1 + a5 * b0;
  let t6 = a0 * b6 + a1 * b5 + a2 * b4 + a3 * b3 + a4 * b2 + a5 * b1 + a6 * b0;
  let t7 = a0 * b7 + a1 * b6 + a2 * b5 + a3 * b4 + a4 * b3 + a5 * b2 + a6 * b1 + a7 * b0;
  let t8 = a0 * b8 + a1 * b7 + a2 * b6 + a3 * b5 + a4 * b4 + a5 * b3 + a6 * b2 + a7 * b1 + a8 * b0;
  let t9 = a0 * b9 + a1 * b8 + a2 * b7 + a3 * b6 + a4 * b5 + a5 * b4 + a6 * b3 + a7 * b2 + a8 * b1 + a9 * b0;
  let t10 = a0 * b10 + a1 * b9 + a2 * b8 + a3 * b7 + a4 * b6 + a5 * b5 + a6 * b4 + a7 * b3 + a8 * b2 + a9 * b1 + a10 * b0;
  let t11 = a0 * b11 + a1 * b10 + a2 * b9 + a3 * b8 + a4 * b7 + a5 * b6 + a6 * b5 + a7 * b4 + a8 * b3 + a9 * b2 + a10 * b1 + a11 * b0;
  let t12 = a1 * b11 + a2 * b10 + a3 * b9 + a4 * b8 + a5 * b7 + a6 * b6 + a7 * b5 + a8 * b4 + a9 * b3 + a10 * b2 + a11 * b1;
  let t13 = a2 * b11 + a3 * b10 + a4 * b9 + a5 * b8 + a6 * b7 + a7 * b6 + a8 * b5 + a9 * b4 + a10 * b3 + a11 * b2;
  let t14 = a3 * b11 + a4 * b10 + a5 * b9 + a6 * b8 + a7 * b7 + a8 * b6 + a9 * b5 + a10 * b4 + a11 * b3;
  let t15 = a4 * b11 + a5 * b10 + a6 * b9 + a7 * b8 + a8 * b7 + a9 * b6 + a10 * b5 + a11 * b4;
  let t16 = a5 * b11 + a6 * b10 + a7 * b9 + a8 * b8 + a9 * b7 + a10 * b6 + a11 * b5;
  let t17 = a6 * b11 + a7 * b10 + a8 * b9 + a9 * b8 + a10 * b7 + a11 * b6;
  let t18 = a7 * b11 + a8 * b10 + a9 * b9 + a10 * b8 + a11 * b7;
  let t19 = a8 * b11 + a9 * b10 + a10 * b9 + a11 * b8;
  let t20 = a9 * b11 + a10 * b10 + a11 * b9;
  let t21 = a10 * b11 + a11 * b10;
  let t22 = a11 * b11;
  let t23 = 0;
  let c: number;
  c = Math.floor(t0 * INV_RADIX); t0 -= c * RADIX; t1 += c;
  c = Math.floor(t1 * INV_RADIX); t1 -= c * RADIX; t2 += c;
  c = Math.floor(t2 * INV_RADIX); t2 -= c * RADIX; t3 += c;
  c = Math.floor(t3 * INV_RADIX); t3 -= c * RADIX; t4 += c;
  c = Math.floor(t4 * INV_RADIX); t4 -= c * RADIX; t5 += c;
  c = Math.floor(t5 * INV_RADIX); t5 -= c * RADIX; t6 += c;
  c = Math.floor(t6 * INV_RADIX); t6 -= c * RADIX; t7 += c;
  c = Math.floor(t7 * INV_RADIX); t7 -= c * RADIX; t8 += c;
  c = Math.floor(t8 * INV_RADIX); t8 -= c * RADIX; t9 += c;
  c = Math.floor(t9 * INV_RADIX); t9 -= c * RADIX; t10 += c;
  c = Math.floor(t10 * INV_RADIX); t10 -= c * RADIX; t11 += c;
  c = Math.floor(t11 * INV_RADIX); t11 -= c * RADIX; t12 += c;
  c = Math.floor(t12 * INV_RADIX); t12 -= c * RADIX; t13 += c;
  c = Math.floor(t13 * INV_RADIX); t13 -= c * RADIX; t14 += c;
  c = Math.floor(t14 * INV_RADIX); t14 -= c * RADIX; t15 += c;
  c = Math.floor(t15 * INV_RADIX); t15 -= c * RADIX; t16 += c;
  c = Math.floor(t16 * INV_RADIX); t16 -= c * RADIX; t17 += c;
  c = Math.floor(t17 * INV_RADIX); t17 -= c * RADIX; t18 += c;
  c = Math.floor(t18 * INV_RADIX); t18 -= c * RADIX; t19 += c;
  c = Math.floor(t19 * INV_RADIX); t19 -= c * RADIX; t20 += c;
  c = Math.floor(t20 * INV_RADIX); t20 -= c * RADIX; t21 += c;
  c = Math.floor(t21 * INV_RADIX); t21 -= c * RADIX; t22 += c;
  c = Math.floor(t22 * INV_RADIX); t22 -= c * RADIX; t23 += c;
  c = Math.floor(t23 * INV_RADIX); t23 -= c * RADIX; const t24 = c;
  t12 += t24 * FOLD_LOW; t13 += t24 * FOLD_HIGH;
  t11 += t23 * FOLD_LOW; t12 += t23 * FOLD_HIGH;
  t10 += t22 * FOLD_LOW; t11 += t22 * FOLD_HIGH;
  t9 += t21 * FOLD_LOW; t10 += t21 * FOLD_HIGH;
  t8 += t20 * FOLD_LOW; t9 += t20 * FOLD_HIGH;
  t7 += t19 * FOLD_LOW; t8 += t19 * FOLD_HIGH;
  t6 += t18 * FOLD_LOW; t7 += t18 * FOLD_HIGH;
  t5 += t17 * FOLD_LOW; t6 += t17 * FOLD_HIGH;
  t4 += t16 * FOLD_LOW; t5 += t16 * FOLD_HIGH;
  t3 += t15 * FOLD_LOW; t4 += t15 * FOLD_HIGH;
  t2 += t14 * FOLD_LOW; t3 += t14 * FOLD_HIGH;
  c = Math.floor(t0 * INV_RADIX); t0 -= c * RADIX; t1 += c;
  c = Math.floor(t1 * INV_RADIX); t1 -= c * RADIX; t2 += c;
  c = Math.floor(t2 * INV_RADIX); t2 -= c * RADIX; t3 += c;
  c = Math.floor(t3 * INV_RADIX); t3 -= c * RADIX; t4 += c;
  c = Math.floor(t4 * INV_RADIX); t4 -= c * RADIX; t5 += c;
  c = Math.floor(t5 * INV_RADIX); t5 -= c * RADIX; t6 += c;
  c = Math.floor(t6 * INV_RADIX); t6 -= c * RADIX; t7 += c;
  c = Math.floor(t7 * INV_RADIX); t7 -= c * RADIX; t8 += c;
  c = Math.floor(t8 * INV_RADIX); t8 -= c * RADIX; t9 += c;
  c = Math.floor(t9 * INV_RADIX); t9 -= c * RADIX; t10 += c;
  c = Math.floor(t10 * INV_RADIX); t10 -= c * RADIX; t11 += c;
  c = Math.floor(t11 * INV_RADIX); t11 -= c * RADIX; t12 += c;
  c = Math.floor(t12 * INV_RADIX); t12 -= c * RADIX; t13 += c;
  t1 += t13 * FOLD_LOW; t2 += t13 * FOLD_HIGH;
  t0 += t12 * FOLD_LOW; t1 += t12 * FOLD_HIGH;
  c = Math.floor(t0 * INV_RADIX); t0 -= c * RADIX; t1 += c;
  c = Math.floor(t1 * INV_RADIX); t1 -= c * RADIX; t2 += c;
  c = Math.floor(t2 * INV_RADIX); t2 -= c * RADIX; t3 += c;
  c = Math.floor(t3 * INV_RADIX); t3 -= c * RADIX; t4 += c;
  c = Math.floor(t4 * INV_RADIX); t4 -= c * RADIX; t5 += c;
  c = Math.floor(t5 * INV_RADIX); t5 -= c * RADIX; t6 += c;
  c = Math.floor(t6 * INV_RADIX); t6 -= c * RADIX; t7 += c;
  c = Math.floor(t7 * INV_RADIX); t7 -= c * RADIX; t8 += c;
  c = Math.floor(t8 * INV_RADIX); t8 -= c * RADIX; t9 += c;
  c = Math.floor(t9 * INV_RADIX); t9 -= c * RADIX; t10 += c;
  c = Math.floor(t10 * INV_RADIX); t10 -= c * RADIX; t11 += c;
  c = Math.floor(t11 * INV_RADIX); t11 -= c * RADIX; t0 += c * FOLD_LOW; t1 += c * FOLD_HIGH;
  c = Math.floor(t0 * INV_RADIX); t0 -= c * RADIX; t1 += c;
  c = Math.floor(t1 * INV_RADIX); t1 -= c * RADIX; t2 += c;
  out[0] = t0;
  out[1] = t1;
  out[2] = t2;
  out[3] = t3;
  out[4] = t4;
  out[5] = t5;
  out[6] = t6;
  out[7] = t7;
  out[8] = t8;
  out[9] = t9;
  out[10] = t10;
  out[11] = t11;
}

function sqr(out: Fe, a: Fe): void {
  const a0 = a[0]!;
  const a1 = a[1]!;
  const a2 = a[2]!;
  const a3 = a[3]!;
  const a4 = a[4]!;
  const a5 = a[5]!;
  const a6 = a[6]!;
  const a7 = a[7]!;
  const a8 = a[8]!;
  const a9 = a[9]!;
  const a10 = a[10]!;
  const a11 = a[11]!;
  let t0 = a0 * a0;
  let t1 = 2 * a0 * a1;
  let t2 = 2 * a0 * a2 + a1 * a1;
  let t3 = 2 * a0 * a3 + 2 * a1 * a2;
  let t4 = 2 * a0 * a4 + 2 * a1 * a3 + a2 * a2;
  let t5 = 2 * a0 * a5 + 2 * a1 * a4 + 2 * a2 * a3;
  let t6 = 2 * a0 * a6 + 2 * a1 * a5 + 2 * a2 * a4 + a3 * a3;
  let t7 = 2 * a0 * a7 + 2 * a1 * a6 + 2 * a2 * a5 + 2 * a3 * a4;
  let t8 = 2 * a0 * a8 + 2 * a1 * a7 + 2 * a2 * a6 + 2 * a3 * a5 + a4 * a4;
  let t9 = 2 * a0 * a9 + 2 * a1 * a8 + 2 * a2 * a7 + 2 * a3 * a6 + 2 * a4 * a5;
  let t10 = 2 * a0 * a10 + 2 * a1 * a9 + 2 * a2 * a8 + 2 * a3 * a7 + 2 * a4 * a6 + a5 * a5;
  let t11 = 2 * a0 * a11 + 2 * a1 * a10 + 2 * a2 * a9 + 2 * a3 * a8 + 2 * a4 * a7 + 2 * a5 * a6;
  let t12 = 2 * a1 * a11 + 2 * a2 * a10 + 2 * a3 * a9 + 2 * a4 * a8 + 2 * a5 * a7 + a6 * a6;
  let t13 = 2 * a2 * a11 + 2 * a3 * a10 + 2 * a4 * a9 + 2 * a5 * a8 + 2 * a6 * a7;
  let t14 = 2 * a3 * a11 + 2 * a4 * a10 + 2 * a5 * a9 + 2 * a6 * a8 + a7 * a7;
  let t15 = 2 * a4 * a11 + 2 * a5 * a10 + 2 * a6 * a9 + 2 * a7 * a8;
  let t16 = 2 * a5 * a11 + 2 * a6 * a10 + 2 * a7 * a9 + a8 * a8;
  let t17 = 2 * a6 * a11 + 2 * a7 * a10 + 2 * a8 * a9;
  let t18 = 2 * a7 * a11 + 2 * a8 * a10 + a9 * a9;
  let t19 = 2 * a8 * a11 + 2 * a9 * a10;
  let t20 = 2 * a9 * a11 + a10 * a10;
  let t21 = 2 * a10 * a11;
  let t22 = a11 * a11;
  let t23 = 0;
  let c: number;
  c = Math.floor(t0 * INV_RADIX); t0 -= c * RADIX; t1 += c;
  c = Math.floor(t1 * INV_RADIX); t1 -= c * RADIX; t2 += c;
  c = Math.floor(t2 * INV_RADIX); t2 -= c * RADIX; t3 += c;
  c = Math.floor(t3 * INV_RADIX); t3 -= c * RADIX; t4 += c;
  c = Math.floor(t4 * INV_RADIX); t4 -= c * RADIX; t5 += c;
  c = Math.floor(t5 * INV_RADIX); t5 -= c * RADIX; t6 += c;
  c = Math.floor(t6 * INV_RADIX); t6 -= c * RADIX; t7 += c;
  c = Math.floor(t7 * INV_RADIX); t7 -= c * RADIX; t8 += c;
  c = Math.floor(t8 * INV_RADIX); t8 -= c * RADIX; t9 += c;
  c = Math.floor(t9 * INV_RADIX); t9 -= c * RADIX; t10 += c;
  c = Math.floor(t10 * INV_RADIX); t10 -= c * RADIX; t11 += c;
  c = Math.floor(t11 * INV_RADIX); t11 -= c * RADIX; t12 += c;
  c = Math.floor(t12 * INV_RADIX); t12 -= c * RADIX; t13 += c;
  c = Math.floor(t13 * INV_RADIX); t13 -= c * RADIX; t14 += c;
  c = Math.floor(t14 * INV_RADIX); t14 -= c * RADIX; t15 += c;
  c = Math.floor(t15 * INV_RADIX); t15 -= c * RADIX; t16 += c;
  c = Math.floor(t16 * INV_RADIX); t16 -= c * RADIX; t17 += c;
  c = Math.floor(t17 * INV_RADIX); t17 -= c * RADIX; t18 += c;
  c = Math.floor(t18 * INV_RADIX); t18 -= c * RADIX; t19 += c;
  c = Math.floor(t19 * INV_RADIX); t19 -= c * RADIX; t20 += c;
  c = Math.floor(t20 * INV_RADIX); t20 -= c * RADIX; t21 += c;
  c = Math.floor(t21 * INV_RADIX); t21 -= c * RADIX; t22 += c;
  c = Math.floor(t22 * INV_RADIX); t22 -= c * RADIX; t23 += c;
  c = Math.floor(t23 * INV_RADIX); t23 -= c * RADIX; const t24 = c;
  t12 += t24 * FOLD_LOW; t13 += t24 * FOLD_HIGH;
  t11 += t23 * FOLD_LOW; t12 += t23 * FOLD_HIGH;
  t10 += t22 * FOLD_LOW; t11 += t22 * FOLD_HIGH;
  t9 += t21 * FOLD_LOW; t10 += t21 * FOLD_HIGH;
  t8 += t20 * FOLD_LOW; t9 += t20 * FOLD_HIGH;
  t7 += t19 * FOLD_LOW; t8 += t19 * FOLD_HIGH;
  t6 += t18 * FOLD_LOW; t7 += t18 * FOLD_HIGH;
  t5 += t17 * FOLD_LOW; t6 += t17 * FOLD_HIGH;
  t4 += t16 * FOLD_LOW; t5 += t16 * FOLD_HIGH;
  t3 += t15 * FOLD_LOW; t4 += t15 * FOLD_HIGH;
  t2 += t14 * FOLD_LOW; t3 += t14 * FOLD_HIGH;
  c = Math.floor(t0 * INV_RADIX); t0 -= c * RADIX; t1 += c;
  c = Math.floor(t1 * INV_RADIX); t1 -= c * RADIX; t2 += c;
  c = Math.floor(t2 * INV_RADIX); t2 -= c * RADIX; t3 += c;
  c = Math.floor(t3 * INV_RADIX); t3 -= c * RADIX; t4 += c;
  c = Math.floor(t4 * INV_RADIX); t4 -= c * RADIX; t5 += c;
  c = Math.floor(t5 * INV_RADIX); t5 -= c * RADIX; t6 += c;
  c = Math.floor(t6 * INV_RADIX); t6 -= c * RADIX; t7 += c;
  c = Math.floor(t7 * INV_RADIX); t7 -= c * RADIX; t8 += c;
  c = Math.floor(t8 * INV_RADIX); t8 -= c * RADIX; t9 += c;
  c = Math.floor(t9 * INV_RADIX); t9 -= c * RADIX; t10 += c;
  c = Math.floor(t10 * INV_RADIX); t10 -= c * RADIX; t11 += c;
  c = Math.floor(t11 * INV_RADIX); t11 -= c * RADIX; t12 += c;
  c = Math.floor(t12 * INV_RADIX); t12 -= c * RADIX; t13 += c;
  t1 += t13 * FOLD_LOW; t2 += t13 * FOLD_HIGH;
  t0 += t12 * FOLD_LOW; t1 += t12 * FOLD_HIGH;
  c = Math.floor(t0 * INV_RADIX); t0 -= c * RADIX; t1 += c;
  c = Math.floor(t1 * INV_RADIX); t1 -= c * RADIX; t2 += c;
  c = Math.floor(t2 * INV_RADIX); t2 -= c * RADIX; t3 += c;
  c = Math.floor(t3 * INV_RADIX); t3 -= c * RADIX; t4 += c;
  c = Math.floor(t4 * INV_RADIX); t4 -= c * RADIX; t5 += c;
  c = Math.floor(t5 * INV_RADIX); t5 -= c * RADIX; t6 += c;
  c = Math.floor(t6 * INV_RADIX); t6 -= c * RADIX; t7 += c;
  c = Math.floor(t7 * INV_RADIX); t7 -= c * RADIX; t8 += c;
  c = Math.floor(t8 * INV_RADIX); t8 -= c * RADIX; t9 += c;
  c = Math.floor(t9 * INV_RADIX); t9 -= c * RADIX; t10 += c;
  c = Math.floor(t10 * INV_RADIX); t10 -= c * RADIX; t11 += c;
  c = Math.floor(t11 * INV_RADIX); t11 -= c * RADIX; t0 += c * FOLD_LOW; t1 += c * FOLD_HIGH;
  c = Math.floor(t0 * INV_RADIX); t0 -= c * RADIX; t1 += c;
  c = Math.floor(t1 * INV_RADIX); t1 -= c * RADIX; t2 += c;
  out[0] = t0;
  out[1] = t1;
  out[2] = t2;
  out[3] = t3;
  out[4] = t4;
  out[5] = t5;
  out[6] = t6;
  out[7] = t7;
  out[8] = t8;
  out[9] = t9;
  out[10] = t10;
  out[11] = t11;
}
// ---- end of generated code ----


function sqrN(out: Fe, a: Fe, n: number): void {
  sqr(out, a);
  for (let i = 1; i < n; i++) sqr(out, out);
}

// Sums and differences only carry: their top limb grows by a few bits at most before the next product
// normalizes it, and the point formulas never chain more than a few of them (a top limb up to 2^26
// keeps every column below 2^53: it meets at most two terms of a column, and itself only in the last).
function add(out: Fe, a: Fe, b: Fe): void {
  for (let i = 0; i < LIMBS; i++) out[i] = a[i]! + b[i]!;
  carryLow(out);
}

function sub(out: Fe, a: Fe, b: Fe): void {
  for (let i = 0; i < LIMBS; i++) out[i] = a[i]! - b[i]!;
  carryLow(out);
}

/** out = a·k for k ≤ 8 (the formulas' constants): the top limb may grow to ~14·2^22 before a product normalizes it. */
function mulSmall(out: Fe, a: Fe, k: number): void {
  for (let i = 0; i < LIMBS; i++) out[i] = a[i]! * k;
  carryLow(out);
}

function copy(out: Fe, a: Fe): void {
  out.set(a);
}

/** The unique representative in [0, p), limbs all in [0, 2^22). */
function canon(out: Fe, a: Fe): void {
  out.set(a);
  for (;;) {
    carry(out, LIMBS - 1);
    // Bits from 256 up sit in the top limb above its 14 low bits; 2^256 ≡ 2^32 + 977.
    const hi = Math.floor(out[LIMBS - 1]! / 16384);
    if (hi === 0) break;
    out[LIMBS - 1]! -= hi * 16384;
    out[0]! += hi * 977;
    out[1]! += hi * 1024; // 2^32 = limb 1, bit 10
  }
  // Now in [0, 2^256): at most one p too many.
  for (let i = LIMBS - 1; i >= 0; i--) {
    if (out[i]! > P_LIMBS[i]!) break;
    if (out[i]! < P_LIMBS[i]!) return;
  }
  for (let i = 0; i < LIMBS; i++) out[i]! -= P_LIMBS[i]!;
  carry(out, LIMBS - 1);
}

const CANON = fe();
function isZero(a: Fe): boolean {
  canon(CANON, a);
  for (let i = 0; i < LIMBS; i++) if (CANON[i] !== 0) return false;
  return true;
}

function feToBigInt(a: Fe): bigint {
  canon(CANON, a);
  let x = 0n;
  for (let i = LIMBS - 1; i >= 0; i--) x = (x << 22n) | BigInt(CANON[i]!);
  return x;
}

// libsecp256k1's chain for 2^223 − 1 and friends, shared by sqrt and inverse.
const X2 = fe();
const X3 = fe();
const X6 = fe();
const X9 = fe();
const X11 = fe();
const X22 = fe();
const X44 = fe();
const X88 = fe();
const X176 = fe();
const X220 = fe();
const X223 = fe();
function chain223(a: Fe): void {
  sqr(X2, a);
  mul(X2, X2, a);
  sqr(X3, X2);
  mul(X3, X3, a);
  sqrN(X6, X3, 3);
  mul(X6, X6, X3);
  sqrN(X9, X6, 3);
  mul(X9, X9, X3);
  sqrN(X11, X9, 2);
  mul(X11, X11, X2);
  sqrN(X22, X11, 11);
  mul(X22, X22, X11);
  sqrN(X44, X22, 22);
  mul(X44, X44, X22);
  sqrN(X88, X44, 44);
  mul(X88, X88, X44);
  sqrN(X176, X88, 88);
  mul(X176, X176, X88);
  sqrN(X220, X176, 44);
  mul(X220, X220, X44);
  sqrN(X223, X220, 3);
  mul(X223, X223, X3);
}

const T1 = fe();
/** a^(p−2) = a⁻¹ (for a ≢ 0). */
function inv(out: Fe, a: Fe): void {
  chain223(a);
  sqrN(T1, X223, 23);
  mul(T1, T1, X22);
  sqrN(T1, T1, 5);
  mul(T1, T1, a);
  sqrN(T1, T1, 3);
  mul(T1, T1, X2);
  sqrN(T1, T1, 2);
  mul(out, T1, a);
}

const SQRT_CHECK = fe();
/** a^((p+1)/4), a square root of a if a has one; returns false if it does not. */
function sqrt(out: Fe, a: Fe): boolean {
  chain223(a);
  sqrN(T1, X223, 23);
  mul(T1, T1, X22);
  sqrN(T1, T1, 6);
  mul(T1, T1, X2);
  sqrN(out, T1, 2);
  sqr(SQRT_CHECK, out);
  sub(SQRT_CHECK, SQRT_CHECK, a);
  return isZero(SQRT_CHECK);
}

// ---------------------------------------------------------------------------
// Points, Jacobian, on y² = x³ + 7.

interface Jacobian {
  X: Fe;
  Y: Fe;
  Z: Fe;
  infinity: boolean;
}

const jacobian = (): Jacobian => ({ X: fe(), Y: fe(), Z: fe(), infinity: true });

function setJ(out: Jacobian, p: Jacobian): void {
  copy(out.X, p.X);
  copy(out.Y, p.Y);
  copy(out.Z, p.Z);
  out.infinity = p.infinity;
}

const ONE = feFromBigInt(1n);
const dA = fe();
const dB = fe();
const dC = fe();
const dD = fe();
const dE = fe();
const dF = fe();
const dT = fe();

/** out = 2p (dbl-2009-l); out may be p. There is no point of order 2, so only infinity doubles to infinity. */
function double(out: Jacobian, p: Jacobian): void {
  if (p.infinity) {
    out.infinity = true;
    return;
  }
  sqr(dA, p.X);
  sqr(dB, p.Y);
  sqr(dC, dB);
  add(dT, p.X, dB);
  sqr(dT, dT);
  sub(dT, dT, dA);
  sub(dT, dT, dC);
  mulSmall(dD, dT, 2);
  mulSmall(dE, dA, 3);
  sqr(dF, dE);
  // Z3 first: it reads Y1, which out may share.
  mul(out.Z, p.Y, p.Z);
  mulSmall(out.Z, out.Z, 2);
  mulSmall(dT, dD, 2);
  sub(out.X, dF, dT);
  sub(dT, dD, out.X);
  mul(dT, dE, dT);
  mulSmall(dC, dC, 8);
  sub(out.Y, dT, dC);
  out.infinity = false;
}

const aZ1Z1 = fe();
const aZ2Z2 = fe();
const aU1 = fe();
const aU2 = fe();
const aS1 = fe();
const aS2 = fe();
const aH = fe();
const aI = fe();
const aJ = fe();
const aR = fe();
const aV = fe();
const aT = fe();
const aDouble = jacobian();

/** out = p + q with q affine (x, y) (madd-2007-bl); out may be p. */
function addAffine(out: Jacobian, p: Jacobian, x: Fe, y: Fe): void {
  if (p.infinity) {
    copy(out.X, x);
    copy(out.Y, y);
    copy(out.Z, ONE);
    out.infinity = false;
    return;
  }
  sqr(aZ1Z1, p.Z);
  mul(aU2, x, aZ1Z1);
  mul(aS2, y, p.Z);
  mul(aS2, aS2, aZ1Z1);
  sub(aH, aU2, p.X);
  sub(aR, aS2, p.Y);
  if (isZero(aH)) {
    // Same x: the same point (double it) or its negation (infinity).
    if (isZero(aR)) {
      copy(aDouble.X, x);
      copy(aDouble.Y, y);
      copy(aDouble.Z, ONE);
      aDouble.infinity = false;
      double(out, aDouble);
    } else {
      out.infinity = true;
    }
    return;
  }
  mulSmall(aR, aR, 2);
  sqr(aI, aH); // HH
  copy(aT, aI);
  mulSmall(aI, aI, 4);
  mul(aJ, aH, aI);
  mul(aV, p.X, aI);
  // Z3 = (Z1 + H)² − Z1Z1 − HH
  add(aZ2Z2, p.Z, aH);
  sqr(aZ2Z2, aZ2Z2);
  sub(aZ2Z2, aZ2Z2, aZ1Z1);
  sub(out.Z, aZ2Z2, aT);
  // Y1·J before out.Y is written (out may be p).
  mul(aS1, p.Y, aJ);
  mulSmall(aS1, aS1, 2);
  sqr(aU1, aR);
  sub(aU1, aU1, aJ);
  mulSmall(aT, aV, 2);
  sub(out.X, aU1, aT);
  sub(aT, aV, out.X);
  mul(aT, aR, aT);
  sub(out.Y, aT, aS1);
  out.infinity = false;
}

/** out = p + q, both Jacobian (add-2007-bl); out may be p. */
function addJacobian(out: Jacobian, p: Jacobian, q: Jacobian): void {
  if (q.infinity) {
    if (out !== p) setJ(out, p);
    return;
  }
  if (p.infinity) {
    setJ(out, q);
    return;
  }
  sqr(aZ1Z1, p.Z);
  sqr(aZ2Z2, q.Z);
  mul(aU1, p.X, aZ2Z2);
  mul(aU2, q.X, aZ1Z1);
  mul(aS1, p.Y, q.Z);
  mul(aS1, aS1, aZ2Z2);
  mul(aS2, q.Y, p.Z);
  mul(aS2, aS2, aZ1Z1);
  sub(aH, aU2, aU1);
  sub(aR, aS2, aS1);
  if (isZero(aH)) {
    if (isZero(aR)) double(out, q);
    else out.infinity = true;
    return;
  }
  mulSmall(aR, aR, 2);
  mulSmall(aI, aH, 2);
  sqr(aI, aI);
  mul(aJ, aH, aI);
  mul(aV, aU1, aI);
  // Z3 = ((Z1 + Z2)² − Z1Z1 − Z2Z2)·H
  add(aT, p.Z, q.Z);
  sqr(aT, aT);
  sub(aT, aT, aZ1Z1);
  sub(aT, aT, aZ2Z2);
  mul(out.Z, aT, aH);
  sqr(aU2, aR);
  sub(aU2, aU2, aJ);
  mulSmall(aT, aV, 2);
  sub(out.X, aU2, aT);
  sub(aT, aV, out.X);
  mul(aT, aR, aT);
  mul(aS1, aS1, aJ);
  mulSmall(aS1, aS1, 2);
  sub(out.Y, aT, aS1);
  out.infinity = false;
}

function negateInto(out: Jacobian, p: Jacobian): void {
  copy(out.X, p.X);
  copy(out.Z, p.Z);
  for (let i = 0; i < LIMBS; i++) out.Y[i] = -p.Y[i]!;
  carryLow(out.Y);
  out.infinity = p.infinity;
}

// ---------------------------------------------------------------------------
// u1·G from a table: for each byte position i, j·2^(8i)·G for j = 1..255, affine.

const WINDOWS = 32;
let gTable: { x: Fe; y: Fe }[][] | undefined;

function baseTable(): { x: Fe; y: Fe }[][] {
  if (gTable !== undefined) return gTable;
  const count = WINDOWS * 255;
  const points: Jacobian[] = [];
  let bx = feFromBigInt(GX);
  let by = feFromBigInt(GY);
  const acc = jacobian();
  const zInv = fe();
  const zInv2 = fe();
  for (let w = 0; w < WINDOWS; w++) {
    acc.infinity = true;
    for (let j = 1; j <= 255; j++) {
      addAffine(acc, acc, bx, by);
      const p = jacobian();
      setJ(p, acc);
      points.push(p);
    }
    // The next window's base is 256 times this one's.
    addAffine(acc, acc, bx, by);
    inv(zInv, acc.Z);
    sqr(zInv2, zInv);
    bx = fe();
    by = fe();
    mul(bx, acc.X, zInv2);
    mul(by, acc.Y, zInv2);
    mul(by, by, zInv);
    canon(bx, bx);
    canon(by, by);
  }
  // Montgomery's trick: one inversion for all the Z coordinates.
  const prefix: Fe[] = new Array(count);
  let run = feFromBigInt(1n);
  for (let i = 0; i < count; i++) {
    const next = fe();
    mul(next, run, points[i]!.Z);
    prefix[i] = next;
    run = next;
  }
  let invRun = fe();
  inv(invRun, run);
  const table: { x: Fe; y: Fe }[][] = Array.from({ length: WINDOWS }, () => []);
  const zi = fe();
  for (let i = count - 1; i >= 0; i--) {
    const p = points[i]!;
    if (i > 0) mul(zi, invRun, prefix[i - 1]!);
    else copy(zi, invRun);
    const nextInvRun = fe();
    mul(nextInvRun, invRun, p.Z);
    invRun = nextInvRun;
    sqr(zInv2, zi);
    const x = fe();
    const y = fe();
    mul(x, p.X, zInv2);
    mul(y, p.Y, zInv2);
    mul(y, y, zi);
    canon(x, x);
    canon(y, y);
    table[Math.floor(i / 255)]![i % 255] = { x, y };
  }
  gTable = table;
  return table;
}

// ---------------------------------------------------------------------------
// Scalars mod n (BigInt: a handful of operations per recovery).

function invModN(a: bigint): bigint {
  // Extended Euclid; a in [1, n).
  let [r0, r1] = [N, a];
  let [t0, t1] = [0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return t0 < 0n ? t0 + N : t0;
}

const NAF_LENGTH = 258;
/** Width-5 NAF digits of k (< 2^256), least significant first: odd digits in [−15, 15], each followed by at least four zeros (libsecp256k1's ecmult_wnaf). */
function wnaf5(k: bigint): Int8Array {
  const hex = k.toString(16).padStart(64, '0');
  const bits = new Uint8Array(NAF_LENGTH + 5);
  for (let i = 0; i < 64; i++) {
    const nibble = parseInt(hex[63 - i]!, 16);
    for (let j = 0; j < 4; j++) bits[4 * i + j] = (nibble >> j) & 1;
  }
  const digits = new Int8Array(NAF_LENGTH);
  let carryBit = 0;
  for (let bit = 0; bit < NAF_LENGTH; ) {
    if (bits[bit] === carryBit) {
      bit++;
      continue;
    }
    let word = carryBit;
    for (let j = 0; j < 5; j++) word += bits[bit + j]! << j;
    carryBit = (word >> 4) & 1;
    digits[bit] = word - (carryBit << 5);
    bit += 5;
  }
  return digits;
}

const rTable: Jacobian[] = Array.from({ length: 8 }, jacobian);
const psiTable: Jacobian[] = Array.from({ length: 8 }, jacobian);
const rNeg = jacobian();
const acc = jacobian();
const rx = fe();
const ry = fe();
const ty = fe();
const zInv = fe();
const zInv2 = fe();
const ax = fe();
const ay = fe();

const ZERO = fe();
const BETA = feFromBigInt(0x7ae96a2b657c07106e64479eac3434e99cf0497512f58995c1396c28719501een);
// The GLV basis (as @noble/curves and libsecp256k1): k ≡ k1 + k2·λ (mod n) with |k1|, |k2| < 2^128.
const A1 = 0x3086d221a7d46bcde86c90e49284eb15n;
const B1 = -0xe4437ed6010e88286f547fa90abfe4c3n;
const A2 = 0x114ca50f7a8e2f3f657c1108d9d44cfd8n;
const B2 = A1;
const HALF_BITS = 1n << 128n;

const divNearest = (num: bigint, den: bigint): bigint => (num + (num >= 0n ? den : -den) / 2n) / den;

function splitScalar(k: bigint): { k1neg: boolean; k1: bigint; k2neg: boolean; k2: bigint } {
  const c1 = divNearest(B2 * k, N);
  const c2 = divNearest(-B1 * k, N);
  let k1 = k - c1 * A1 - c2 * A2;
  let k2 = -c1 * B1 - c2 * B2;
  const k1neg = k1 < 0n;
  const k2neg = k2 < 0n;
  if (k1neg) k1 = -k1;
  if (k2neg) k2 = -k2;
  if (k1 >= HALF_BITS || k2 >= HALF_BITS) throw new Error('secp256k1: GLV split out of range');
  return { k1neg, k1, k2neg, k2 };
}

function addDigit(acc: Jacobian, table: readonly Jacobian[], d: number): void {
  if (d > 0) addJacobian(acc, acc, table[(d - 1) >> 1]!);
  else if (d < 0) {
    negateInto(rNeg, table[(-d - 1) >> 1]!);
    addJacobian(acc, acc, rNeg);
  }
}

/** Thrown for a signature that does not recover; callers map it to their own error. */
export class RecoveryError extends Error {
  override readonly name = 'RecoveryError';
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  return x;
}

/**
 * The 65-byte uncompressed public key (0x04 || x || y) that signed `digest`
 * (32 bytes) with (r, s) and recovery id 0 or 1. Throws RecoveryError when
 * there is none: r or s out of [1, n), no curve point with x = r, or the
 * point at infinity.
 */
export function recoverUncompressed(digest: Uint8Array, r: bigint, s: bigint, recoveryId: 0 | 1): Uint8Array {
  if (digest.length !== 32) throw new RecoveryError('digest must be 32 bytes');
  if (r <= 0n || r >= N || s <= 0n || s >= N) throw new RecoveryError('r or s is out of range');
  // R: x = r (ids 0 and 1 do not add n), y of the id's parity.
  feFromBigInt(r, rx);
  sqr(ty, rx);
  mul(ty, ty, rx);
  ty[0]! += 7;
  if (!sqrt(ry, ty)) throw new RecoveryError('r is not the x of a curve point');
  canon(ry, ry);
  if ((ry[0]! & 1) !== recoveryId) sub(ry, P_LIMBS, ry);
  const h = bytesToBigInt(digest) % N;
  const rInv = invModN(r);
  const u1 = (((N - h) % N) * rInv) % N;
  const u2 = (s * rInv) % N;

  // u2·R = k1·R + k2·ψ(R), with ψ(x, y) = (βx, y) = λ·(x, y) and k1, k2 of half the length (GLV):
  // one chain of ~130 doublings for both. Odd multiples ±R, ±3R, ..., ±15R and their images under ψ.
  const { k1neg, k1, k2neg, k2 } = splitScalar(u2);
  const one = rTable[0]!;
  copy(one.X, rx);
  if (k1neg) sub(one.Y, ZERO, ry);
  else copy(one.Y, ry);
  copy(one.Z, ONE);
  one.infinity = false;
  const twoR = acc;
  double(twoR, one);
  for (let i = 1; i < 8; i++) addJacobian(rTable[i]!, rTable[i - 1]!, twoR);
  for (let i = 0; i < 8; i++) {
    const src = rTable[i]!;
    const dst = psiTable[i]!;
    mul(dst.X, src.X, BETA);
    if (k1neg !== k2neg) sub(dst.Y, ZERO, src.Y);
    else copy(dst.Y, src.Y);
    copy(dst.Z, src.Z);
    dst.infinity = false;
  }

  const digits1 = wnaf5(k1);
  const digits2 = wnaf5(k2);
  acc.infinity = true;
  for (let i = NAF_LENGTH - 1; i >= 0; i--) {
    double(acc, acc);
    addDigit(acc, rTable, digits1[i]!);
    addDigit(acc, psiTable, digits2[i]!);
  }
  if (u1 !== 0n) {
    const table = baseTable();
    let k = u1;
    for (let w = 0; w < WINDOWS; w++) {
      const byte = Number(k & 0xffn);
      k >>= 8n;
      if (byte !== 0) {
        const p = table[w]![byte - 1]!;
        addAffine(acc, acc, p.x, p.y);
      }
    }
  }
  if (acc.infinity) throw new RecoveryError('the recovered point is at infinity');
  inv(zInv, acc.Z);
  sqr(zInv2, zInv);
  mul(ax, acc.X, zInv2);
  mul(ay, acc.Y, zInv2);
  mul(ay, ay, zInv);
  // A self-check that costs three multiplications: the result is on the curve.
  sqr(ty, ax);
  mul(ty, ty, ax);
  ty[0]! += 7;
  sqr(zInv2, ay);
  sub(ty, ty, zInv2);
  if (!isZero(ty)) throw new Error('secp256k1 recovery produced a point off the curve');
  const out = new Uint8Array(65);
  out[0] = 4;
  writeBigInt(out, 1, feToBigInt(ax));
  writeBigInt(out, 33, feToBigInt(ay));
  return out;
}

function writeBigInt(out: Uint8Array, offset: number, x: bigint): void {
  for (let i = 31; i >= 0; i--) {
    out[offset + i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

/** For tests: field and NAF internals against BigInt. */
export const __internals = { feFromBigInt, feToBigInt, mul, sqr, add, sub, inv, sqrt, wnaf5, splitScalar, P, N, fe };
