import { createMPT } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import { describe, expect, it } from 'vitest';
import { keccak256 } from '../wire/keys.js';
import { EMPTY_TRIE_ROOT, orderedTrieRoot } from './roots.js';

describe('orderedTrieRoot', () => {
  it('equals the root @ethereumjs/mpt gives values[i] at rlp(i), across the one-byte key boundary at 128', async () => {
    for (const n of [1, 2, 3, 16, 17, 127, 128, 129, 300]) {
      // Lengths from 1 to 100 bytes: short values give embedded nodes, long ones hashed nodes.
      const values = Array.from({ length: n }, (_, i) => keccak256(Uint8Array.of(i >> 8, i, n)).subarray(0, 1 + ((i * 7) % 32)));
      values.forEach((v, i) => i % 5 === 0 && (values[i] = new Uint8Array(100).fill(i)));
      const reference = await createMPT();
      for (let i = 0; i < n; i++) await reference.put(RLP.encode(i), values[i]!);
      expect(await orderedTrieRoot(values), `${n} values`).toEqual(reference.root());
    }
    expect(await orderedTrieRoot([])).toEqual(EMPTY_TRIE_ROOT);
  });
});
