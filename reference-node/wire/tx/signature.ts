/**
 * Signature value rules applied while decoding, as geth does when it decodes a
 * transaction: r and s in [1, n), a typed y-parity of 0 or 1, and a legacy v of
 * 27/28 or an EIP-155 value (>= 35). The EIP-2 low-s rule is not a decoding
 * rule; it is checked when the sender is recovered (signer.ts).
 */
import { DecodeError } from '../errors.js';
import type { RlpItem } from '../rlp.js';
import { readU256 } from './fields.js';

export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
export const SECP256K1_HALF_N = SECP256K1_N >> 1n;

export function isValidScalar(value: bigint): boolean {
  return value >= 1n && value < SECP256K1_N;
}

export function readSignatureScalar(item: RlpItem | undefined, what: string): bigint {
  const value = readU256(item, what);
  if (!isValidScalar(value)) throw new DecodeError('signature', what, 'not in [1, secp256k1 n)');
  return value;
}

export function readYParity(item: RlpItem | undefined, what: string): 0 | 1 {
  const value = readU256(item, what);
  if (value > 1n) throw new DecodeError('signature', what, `y-parity must be 0 or 1, got ${value}`);
  return value === 1n ? 1 : 0;
}

export function readLegacyV(item: RlpItem | undefined, what: string): bigint {
  const v = readU256(item, what);
  if (v !== 27n && v !== 28n && v < 35n) {
    throw new DecodeError('signature', what, `v must be 27, 28 or >= 35 (EIP-155), got ${v}`);
  }
  return v;
}

/** The EIP-155 chain id carried in a legacy v, or null for an unprotected (27/28) signature. */
export function chainIdOfV(v: bigint): bigint | null {
  return v === 27n || v === 28n ? null : (v - 35n) >> 1n;
}

export function recoveryIdOfV(v: bigint): 0 | 1 {
  const id = v === 27n || v === 28n ? v - 27n : (v - 35n) & 1n;
  return id === 1n ? 1 : 0;
}
