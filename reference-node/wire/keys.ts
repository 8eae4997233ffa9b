/**
 * secp256k1 keys as devp2p uses them: public keys are 64-byte uncompressed
 * points without the 0x04 prefix, node IDs are keccak256 of that, and
 * recoverable signatures are r || s || v with v in {0, 1}.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, concatBytes, hexToBytes } from './bytes.js';
import { DecodeError } from './errors.js';
import { recoverUncompressed } from './secp256k1-recover.js';

export type PrivateKey = Uint8Array; // 32 bytes
export type PublicKey = Uint8Array; // 64 bytes, no 0x04 prefix
export type NodeId = Uint8Array; // 32 bytes, keccak256(PublicKey)

export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

export function generatePrivateKey(): PrivateKey {
  return secp256k1.utils.randomSecretKey();
}

export function isValidPrivateKey(key: Uint8Array): boolean {
  return key.length === 32 && secp256k1.utils.isValidSecretKey(key);
}

export function parsePrivateKeyHex(hex: string): PrivateKey {
  let key: Uint8Array;
  try {
    key = hexToBytes(hex.trim());
  } catch {
    throw new DecodeError('value', 'private key', 'not a hex string');
  }
  if (!isValidPrivateKey(key)) {
    throw new DecodeError('value', 'private key', 'must be 32 bytes (64 hex digits) and a valid secp256k1 scalar');
  }
  return key;
}

export function publicKeyOf(privateKey: PrivateKey): PublicKey {
  return secp256k1.getPublicKey(privateKey, false).subarray(1);
}

export function nodeIdOf(publicKey: PublicKey): NodeId {
  return keccak256(publicKey);
}

/** Throws DecodeError('crypto') unless the 64 bytes are a point on the curve. */
export function assertPublicKey(publicKey: Uint8Array, what = 'public key'): PublicKey {
  if (publicKey.length !== 64) {
    throw new DecodeError('length', what, `expected 64 bytes, got ${publicKey.length}`);
  }
  if (!secp256k1.utils.isValidPublicKey(concatBytes(Uint8Array.of(4), publicKey), false)) {
    throw new DecodeError('crypto', what, 'not a point on secp256k1');
  }
  return publicKey;
}

export function compressPublicKey(publicKey: PublicKey): Uint8Array {
  return secp256k1.Point.fromBytes(concatBytes(Uint8Array.of(4), publicKey)).toBytes(true);
}

export function decompressPublicKey(compressed: Uint8Array, what = 'compressed public key'): PublicKey {
  if (compressed.length !== 33) {
    throw new DecodeError('length', what, `expected 33 bytes, got ${compressed.length}`);
  }
  try {
    return secp256k1.Point.fromBytes(compressed).toBytes(false).subarray(1);
  } catch {
    throw new DecodeError('crypto', what, 'not a point on secp256k1');
  }
}

/** Signs a 32-byte digest; returns r || s || v (v = recovery id 0 or 1). */
export function signRecoverable(digest: Uint8Array, privateKey: PrivateKey): Uint8Array {
  const recovered = secp256k1.sign(digest, privateKey, { prehash: false, format: 'recovered' });
  return concatBytes(recovered.subarray(1), recovered.subarray(0, 1));
}

/** Recovers the signer of a 32-byte digest from r || s || v; throws DecodeError('signature'). */
export function recoverPublicKey(digest: Uint8Array, signature: Uint8Array, what = 'signature'): PublicKey {
  if (signature.length !== 65) {
    throw new DecodeError('length', what, `expected 65 bytes, got ${signature.length}`);
  }
  const v = signature[64]!;
  if (v > 1) throw new DecodeError('signature', what, `recovery id ${v} is not 0 or 1`);
  try {
    // Same result as noble's Signature.recoverPublicKey, about three times faster (secp256k1-recover.ts).
    const r = BigInt(`0x${bytesToHex(signature.subarray(0, 32))}`);
    const s = BigInt(`0x${bytesToHex(signature.subarray(32, 64))}`);
    return recoverUncompressed(digest, r, s, v === 1 ? 1 : 0).subarray(1);
  } catch {
    throw new DecodeError('signature', what, 'signature does not recover to a public key');
  }
}

/** Verifies a 64-byte r || s signature over a digest against a public key (low-s not required). */
export function verifySignature(digest: Uint8Array, signature64: Uint8Array, publicKey: PublicKey): boolean {
  try {
    return secp256k1.verify(signature64, digest, concatBytes(Uint8Array.of(4), publicKey), {
      prehash: false,
      lowS: false,
    });
  } catch {
    return false;
  }
}

/** ECDH as devp2p uses it: the 32-byte x coordinate of the shared point. */
export function ecdhX(privateKey: PrivateKey, publicKey: PublicKey): Uint8Array {
  try {
    return secp256k1.getSharedSecret(privateKey, concatBytes(Uint8Array.of(4), publicKey), true).subarray(1);
  } catch {
    throw new DecodeError('crypto', 'ecdh', 'remote public key is not a valid curve point');
  }
}
