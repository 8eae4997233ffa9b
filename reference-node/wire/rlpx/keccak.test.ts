import fc from 'fast-check';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8 } from '../bytes.js';
import { KeccakState, keccak256Wasm } from './keccak.js';

const hex = bytesToHex;

describe('wasm keccak256', () => {
  it('matches known digests', () => {
    // keccak256("") and keccak256("abc") as used throughout Ethereum.
    expect(hex(keccak256Wasm(new Uint8Array(0)))).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(hex(keccak256Wasm(utf8('abc')))).toBe('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  });

  it('matches @noble/hashes at every length around the 136-byte rate', () => {
    for (let n = 0; n <= 3 * 136 + 2; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(hex(keccak256Wasm(data)), `length ${n}`).toBe(hex(keccak_256(data)));
    }
  });

  it('matches @noble/hashes for large inputs crossing the 65280-byte absorb chunk', () => {
    const data = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7) & 0xff);
    expect(hex(keccak256Wasm(data))).toBe(hex(keccak_256(data)));
  });

  it('property: any chunking gives the same running digests as @noble/hashes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 8 }), (chunks) => {
        const state = new KeccakState();
        const reference = keccak_256.create();
        for (const chunk of chunks) {
          state.update(chunk);
          reference.update(chunk);
          // digest() must not disturb the running state
          expect(hex(state.digest())).toBe(hex(reference.clone().digest()));
        }
        expect(hex(state.digest())).toBe(hex(reference.digest()));
      }),
      { numRuns: 200 },
    );
  });

  it('independent states do not interfere', () => {
    const a = new KeccakState().update(utf8('a'.repeat(150)));
    const b = new KeccakState().update(utf8('b'.repeat(10)));
    a.update(utf8('x'));
    b.update(utf8('y'.repeat(300)));
    expect(hex(a.digest())).toBe(hex(keccak_256(utf8('a'.repeat(150) + 'x'))));
    expect(hex(b.digest())).toBe(hex(keccak_256(utf8('b'.repeat(10) + 'y'.repeat(300)))));
  });
});
