import fc from 'fast-check';
import { ECIES as EjsEcies } from '@ethereumjs/devp2p';
import { describe, expect, it } from 'vitest';
import { expectDecodeError } from '../../../test-support/decode-errors.js';
import { bytesToHex, utf8 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { ecdhX, generatePrivateKey, publicKeyOf } from '../keys.js';
import { EcdhKey, staticEcdhKey } from './ecdh.js';
import { ECIES_OVERHEAD, eciesDecrypt, eciesEncrypt } from './ecies.js';

const hex = bytesToHex;
const alice = generatePrivateKey();
const bob = generatePrivateKey();
const bobPub = publicKeyOf(bob);

describe('node:crypto ECDH', () => {
  it('agrees with keys.ts (noble) for public keys and shared x', () => {
    for (let i = 0; i < 5; i++) {
      const a = generatePrivateKey();
      const b = generatePrivateKey();
      const key = new EcdhKey(a);
      expect(hex(key.publicKey)).toBe(hex(publicKeyOf(a)));
      expect(hex(key.agree(publicKeyOf(b)))).toBe(hex(ecdhX(a, publicKeyOf(b))));
      expect(hex(staticEcdhKey(a).agree(publicKeyOf(b)))).toBe(hex(ecdhX(b, publicKeyOf(a))));
    }
  });

  it('remembered static agreement equals a fresh one and never remembers failures', () => {
    const key = new EcdhKey(alice);
    const b = publicKeyOf(generatePrivateKey());
    expect(hex(key.agreeRemembered(b))).toBe(hex(ecdhX(alice, b)));
    expect(hex(key.agreeRemembered(b))).toBe(hex(ecdhX(alice, b)));
    const off = b.slice();
    off[63]! ^= 1;
    expectDecodeError(() => key.agreeRemembered(off), 'crypto');
    expectDecodeError(() => key.agreeRemembered(off), 'crypto');
  });

  it('rejects points off the curve with DecodeError(crypto) and bad lengths with DecodeError(length)', () => {
    const key = new EcdhKey(alice);
    const off = bobPub.slice();
    off[63]! ^= 1;
    expectDecodeError(() => key.agree(off), 'crypto');
    expectDecodeError(() => key.agree(new Uint8Array(64)), 'crypto');
    expectDecodeError(() => key.agree(bobPub.subarray(1)), 'length');
  });
});

describe('ECIES', () => {
  it('round-trips with and without auth data; the overhead is 113 bytes', () => {
    const msg = utf8('attack at dawn');
    const sealed = eciesEncrypt(bobPub, msg);
    expect(sealed.length).toBe(msg.length + ECIES_OVERHEAD);
    expect(sealed[0]).toBe(4);
    expect(eciesDecrypt(bob, sealed)).toEqual(msg);
    const authed = eciesEncrypt(bobPub, msg, Uint8Array.of(1, 2));
    expect(eciesDecrypt(bob, authed, Uint8Array.of(1, 2))).toEqual(msg);
    expectDecodeError(() => eciesDecrypt(bob, authed, Uint8Array.of(1, 3)), 'mac');
    expectDecodeError(() => eciesDecrypt(bob, authed), 'mac');
    expectDecodeError(() => eciesDecrypt(alice, sealed), 'mac');
  });

  it('injected randomness makes the output deterministic', () => {
    const randomness = { ephemeralPrivateKey: generatePrivateKey(), iv: new Uint8Array(16).fill(9) };
    const a = eciesEncrypt(bobPub, utf8('x'), undefined, randomness);
    const b = eciesEncrypt(bobPub, utf8('x'), undefined, randomness);
    expect(hex(a)).toBe(hex(b));
    expect(hex(a.subarray(1, 65))).toBe(hex(publicKeyOf(randomness.ephemeralPrivateKey)));
    expect(hex(a.subarray(65, 81))).toBe('09'.repeat(16));
  });

  it('interoperates with @ethereumjs/devp2p ECIES both ways', () => {
    const theirsBob = new EjsEcies(bob, bobPub, null as unknown as Uint8Array);
    const theirsAlice = new EjsEcies(alice, publicKeyOf(alice), bobPub);
    const msg = utf8('hello from the other implementation');
    const prefix = Uint8Array.of(0x01, 0x99);
    expect(theirsBob._decryptMessage(eciesEncrypt(bobPub, msg, prefix), prefix)).toEqual(msg);
    expect(eciesDecrypt(bob, theirsAlice._encryptMessage(msg, prefix)!, prefix)).toEqual(msg);
  });

  it('rejects short input, compressed or invalid ephemeral keys', () => {
    expectDecodeError(() => eciesDecrypt(bob, new Uint8Array(112)), 'length');
    const sealed = eciesEncrypt(bobPub, utf8('x'));
    const compressed = sealed.slice();
    compressed[0] = 0x02;
    expectDecodeError(() => eciesDecrypt(bob, compressed), 'crypto');
    const offCurve = sealed.slice();
    offCurve[64]! ^= 0x01;
    expectDecodeError(() => eciesDecrypt(bob, offCurve), 'crypto');
  });

  it('property: any single bit flip is rejected (mac, or crypto when it hits the key)', () => {
    const msg = utf8('sixteen byte msg and then some');
    const sealed = eciesEncrypt(bobPub, msg, Uint8Array.of(0, 200));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sealed.length * 8 - 1 }), (bit) => {
        const bad = sealed.slice();
        bad[bit >> 3]! ^= 1 << (bit & 7);
        try {
          eciesDecrypt(bob, bad, Uint8Array.of(0, 200));
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError);
          expect(['mac', 'crypto']).toContain((err as DecodeError).code);
          return;
        }
        throw new Error(`bit ${bit} flip accepted`);
      }),
      { numRuns: 300 },
    );
  });

  it('property: arbitrary bytes only ever produce DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, prefix04) => {
        if (prefix04 && bytes.length > 0) bytes[0] = 4;
        expectDecodeError(() => eciesDecrypt(bob, bytes));
      }),
      { numRuns: 200 },
    );
  });

  it('property: decrypt(encrypt(m, ad), ad) = m', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ maxLength: 4 }), (m, ad) => {
        expect(eciesDecrypt(bob, eciesEncrypt(bobPub, m, ad), ad)).toEqual(m);
      }),
      { numRuns: 50 },
    );
  });
});
