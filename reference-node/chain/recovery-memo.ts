/**
 * A memo of secp256k1 public-key recoveries: (digest, r || s || v) → key.
 * Recovery is a pure function of those bytes, so a key recovered once (here,
 * by the worker pool ahead of execution, or by an earlier execution of the
 * same block) stands for every later recovery of the same signature, whoever
 * asks: the Clique seal check and the VM's sender recovery both read it.
 * Only successful recoveries are kept; a signature that does not recover is
 * recovered again by the caller, which then fails as it always did. Shared by
 * every chain in the process, which is sound for a pure function and bounded.
 */
import { bytesToHex } from '../wire/bytes.js';
import { recoverPublicKey, type PublicKey } from '../wire/keys.js';
import { Lru } from './lru.js';

/** Room for a few import batches of 2000 blocks of ~5 transactions. */
const CAPACITY = 65_536;
const memo = new Lru<string, PublicKey>(CAPACITY);

const keyOf = (digest: Uint8Array, signature: Uint8Array): string => bytesToHex(digest) + bytesToHex(signature);

/** Records a key recovered from `signature` (65 bytes, r || s || v with v in {0, 1}) over `digest`. */
export function rememberRecovered(digest: Uint8Array, signature: Uint8Array, publicKey: PublicKey): void {
  memo.set(keyOf(digest, signature), publicKey);
}

export function recallRecovered(digest: Uint8Array, signature: Uint8Array): PublicKey | undefined {
  return memo.get(keyOf(digest, signature));
}

/** Empties the memo (benchmarks compare runs from cold). */
export function forgetRecovered(): void {
  memo.clear();
}

/** keys.ts's recoverPublicKey through the memo: the same result, the same DecodeError. */
export function recoverPublicKeyMemo(digest: Uint8Array, signature: Uint8Array, what?: string): PublicKey {
  const known = recallRecovered(digest, signature);
  if (known !== undefined) return known;
  const publicKey = recoverPublicKey(digest, signature, what);
  rememberRecovered(digest, signature, publicKey);
  return publicKey;
}
