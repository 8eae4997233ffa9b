import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSharedJson } from '../../test-support/shared.js';
import { bytesToHex, hexToBytes } from './bytes.js';
import { DecodeError } from './errors.js';
import {
  assertPublicKey,
  compressPublicKey,
  decompressPublicKey,
  ecdhX,
  keccak256,
  publicKeyOf,
  recoverPublicKey,
  signRecoverable,
  verifySignature,
} from './keys.js';

const privKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => k.some((b) => b !== 0) && k[0]! < 0xff);

describe('keys', () => {
  const keys = readSharedJson<{ keys: Record<string, string> }>('vectors-reference', 'rlpx-eip8-handshake.json');

  it('derives the EIP-8 public keys from the EIP-8 private keys', () => {
    for (const who of ['staticKeyA', 'staticKeyB', 'ephemeralKeyA', 'ephemeralKeyB']) {
      const pub = publicKeyOf(hexToBytes(keys.keys[who]!));
      expect(bytesToHex(pub)).toBe(keys.keys[who.replace('Key', 'Pub')]);
    }
  });

  it('ECDH is symmetric and matches the x coordinate width', () => {
    fc.assert(
      fc.property(privKey, privKey, (a, b) => {
        const ab = ecdhX(a, publicKeyOf(b));
        expect(ab).toEqual(ecdhX(b, publicKeyOf(a)));
        expect(ab.length).toBe(32);
      }),
      { numRuns: 30 },
    );
  });

  it('a recoverable signature recovers its signer and verifies', () => {
    fc.assert(
      fc.property(privKey, fc.uint8Array({ minLength: 32, maxLength: 32 }), (key, digest) => {
        const sig = signRecoverable(digest, key);
        expect(sig.length).toBe(65);
        expect(sig[64]! <= 1).toBe(true);
        expect(recoverPublicKey(digest, sig)).toEqual(publicKeyOf(key));
        expect(verifySignature(digest, sig.subarray(0, 64), publicKeyOf(key))).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('rejects bad recovery ids, bad lengths and off-curve points with DecodeError', () => {
    const digest = keccak256(new Uint8Array(1));
    const sig = signRecoverable(digest, hexToBytes('01'.repeat(32)));
    const badV = sig.slice();
    badV[64] = 27;
    expect(() => recoverPublicKey(digest, badV)).toThrow(DecodeError);
    expect(() => recoverPublicKey(digest, sig.subarray(0, 64))).toThrow(DecodeError);
    expect(() => assertPublicKey(new Uint8Array(64).fill(1))).toThrow(/not a point/);
    expect(() => decompressPublicKey(new Uint8Array(33).fill(5))).toThrow(DecodeError); // 0x05 is no SEC1 prefix
  });

  it('compress and decompress are inverse', () => {
    fc.assert(
      fc.property(privKey, (key) => {
        const pub = publicKeyOf(key);
        expect(decompressPublicKey(compressPublicKey(pub))).toEqual(pub);
      }),
      { numRuns: 30 },
    );
  });
});
