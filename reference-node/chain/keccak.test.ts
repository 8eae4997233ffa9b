import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../wire/bytes.js';
import { keccak256 } from './keccak.js';

describe('keccak256', () => {
  it('gives the published digests of "" and "abc"', () => {
    expect(bytesToHex(keccak256(new Uint8Array(0)))).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(bytesToHex(keccak256(new TextEncoder().encode('abc')))).toBe('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  });

  it('equals @noble/hashes at every length up to four blocks and a bit (padding in the same byte, block edges)', () => {
    for (let n = 0; n <= 4 * 136 + 3; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n * 7) & 0xff);
      expect(keccak256(data), `length ${n}`).toEqual(keccak_256(data));
    }
  });

  it('equals @noble/hashes on subarrays of a larger buffer (offsets are honoured)', () => {
    const big = Uint8Array.from({ length: 1000 }, (_, i) => (i * 17) & 0xff);
    for (const [from, to] of [[1, 2], [3, 140], [136, 700], [999, 1000]] as const) {
      expect(keccak256(big.subarray(from, to))).toEqual(keccak_256(big.subarray(from, to)));
    }
  });
});
