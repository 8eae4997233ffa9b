/**
 * Deterministic key material for vectors: keccak256(seed || label), so that
 * every key, nonce and IV in a vector set follows from the seed and the
 * vector's role, and anyone can re-derive them.
 */
import { bytesToHex, concatBytes, hexToBytes, utf8 } from '../../reference-node/wire/bytes.js';
import { isValidPrivateKey, keccak256 } from '../../reference-node/wire/keys.js';

export function seededBytes(seed: string, label: string): Uint8Array {
  return keccak256(concatBytes(utf8(seed), utf8(label)));
}

/** A private key for `label`; re-hashes in the (2^-128) case the hash is not a valid scalar. */
export function seededKey(seed: string, label: string): Uint8Array {
  let key = seededBytes(seed, label);
  while (!isValidPrivateKey(key)) key = keccak256(key);
  return key;
}

export function hex(bytes: Uint8Array): string {
  return `0x${bytesToHex(bytes)}`;
}

export function unhex(text: string): Uint8Array {
  return hexToBytes(text);
}
