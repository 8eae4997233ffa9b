/**
 * ECIES as RLPx uses it (rlpx.md "ECIES Encryption"): secp256k1, the NIST
 * SP 800-56 concatenation KDF over SHA-256, AES-128-CTR and HMAC-SHA256 keyed
 * with sha256(kM). Wire form: R (65 bytes, 0x04-prefixed) || iv (16) || c || d (32).
 * EIP-8 handshake packets pass their 2-byte size prefix as `authData`, which
 * the tag covers after the ciphertext.
 */
import { createCipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { concatBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';
import type { PrivateKey, PublicKey } from '../keys.js';
import { EcdhKey, staticEcdhKey } from './ecdh.js';

/** Bytes ECIES adds to a plaintext: R (65) + iv (16) + tag (32). */
export const ECIES_OVERHEAD = 113;

/** Per-message randomness, injectable so vectors and fuzz cases replay byte for byte. */
export interface EciesRandomness {
  ephemeralPrivateKey?: PrivateKey;
  iv?: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** NIST SP 800-56A §5.8.1 concatenation KDF with SHA-256 and empty OtherInfo. */
export function concatKdf(z: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(length / 32) * 32);
  const counter = new Uint8Array(4);
  for (let i = 0, off = 0; off < length; i++, off += 32) {
    new DataView(counter.buffer).setUint32(0, i + 1);
    out.set(createHash('sha256').update(counter).update(z).digest(), off);
  }
  return out.subarray(0, length);
}

function deriveKeys(z: Uint8Array): { encKey: Uint8Array; macKey: Uint8Array } {
  const k = concatKdf(z, 32);
  return { encKey: k.subarray(0, 16), macKey: createHash('sha256').update(k.subarray(16, 32)).digest() };
}

function tag(macKey: Uint8Array, ivAndCiphertext: Uint8Array, authData: Uint8Array): Uint8Array {
  return createHmac('sha256', macKey).update(ivAndCiphertext).update(authData).digest();
}

export function eciesEncrypt(
  remotePublicKey: PublicKey,
  plaintext: Uint8Array,
  authData: Uint8Array = EMPTY,
  randomness: EciesRandomness = {},
): Uint8Array {
  const ephemeral = new EcdhKey(randomness.ephemeralPrivateKey);
  const { encKey, macKey } = deriveKeys(ephemeral.agree(remotePublicKey, 'ecies remote public key'));
  const iv = randomness.iv ?? randomBytes(16);
  if (iv.length !== 16) throw new RangeError('ECIES iv must be 16 bytes');

  const out = new Uint8Array(ECIES_OVERHEAD + plaintext.length);
  out[0] = 0x04;
  out.set(ephemeral.publicKey, 1);
  out.set(iv, 65);
  out.set(createCipheriv('aes-128-ctr', encKey, iv).update(plaintext), 81);
  out.set(tag(macKey, out.subarray(65, 81 + plaintext.length), authData), 81 + plaintext.length);
  return out;
}

/**
 * Decrypts and authenticates; throws DecodeError: 'length' (too short),
 * 'crypto' (R is not an uncompressed curve point), 'mac' (tag mismatch).
 */
export function eciesDecrypt(
  privateKey: PrivateKey,
  message: Uint8Array,
  authData: Uint8Array = EMPTY,
  what = 'ecies',
): Uint8Array {
  if (message.length < ECIES_OVERHEAD) {
    throw new DecodeError('length', what, `ECIES message of ${message.length} bytes is shorter than the ${ECIES_OVERHEAD}-byte overhead`);
  }
  if (message[0] !== 0x04) throw new DecodeError('crypto', what, 'ECIES ephemeral key is not an uncompressed point');
  const z = staticEcdhKey(privateKey).agree(message.subarray(1, 65), what);
  const { encKey, macKey } = deriveKeys(z);
  const body = message.subarray(65, message.length - 32);
  const expected = tag(macKey, body, authData);
  if (!timingSafeEqual(expected, message.subarray(message.length - 32))) {
    throw new DecodeError('mac', what, 'ECIES tag mismatch');
  }
  const plain = createCipheriv('aes-128-ctr', encKey, body.subarray(0, 16)).update(body.subarray(16));
  return concatBytes(plain);
}
