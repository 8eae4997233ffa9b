/**
 * RLP mutations: an empty plan is canonical RLP (checked against
 * @ethereumjs/rlp), the size bound holds for any mutated tree, and no plan,
 * however it stacks copies, builds a message past MAX_MUTATED_BYTES (a 10-min
 * eth soak once tried to build 5 GB).
 */
import { RLP } from '@ethereumjs/rlp';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rlpItemArb } from '../arbitraries/rlp.js';
import { rlpMutationArb } from '../arbitraries/mutations.js';
import { applyRlpMutation, MAX_MUTATED_BYTES, mutateTree } from './rlp-mutations.js';
import { cloneRaw, encodedSizeBound, encodeRaw, rawFromItem } from './raw-rlp.js';

describe('rlp mutations', () => {
  it('an empty plan encodes as @ethereumjs/rlp does', () => {
    fc.assert(
      fc.property(rlpItemArb(), (item) => {
        expect(mutateTree(rawFromItem(item), [])).toEqual(RLP.encode(item));
      }),
      { numRuns: 300 },
    );
  });

  it('encodedSizeBound is never below the encoded length of a mutated tree', () => {
    fc.assert(
      fc.property(rlpItemArb(), fc.array(rlpMutationArb(), { maxLength: 6 }), (item, plan) => {
        let root = rawFromItem(item);
        for (const m of plan) root = applyRlpMutation(root, m);
        expect(encodeRaw(cloneRaw(root)).length).toBeLessThanOrEqual(encodedSizeBound(root));
      }),
      { numRuns: 300 },
    );
  });

  it('stacked duplicates and count overflows of a 1 MiB item stop at MAX_MUTATED_BYTES', () => {
    const big = new Uint8Array(1 << 20).fill(7);
    const tree = rawFromItem([[big], Uint8Array.of(1)]);
    // Unbounded, this plan asks for 20,000 x 64 copies of 1 MiB.
    const out = mutateTree(tree, [
      { op: 'duplicate', node: 1, times: 64 },
      { op: 'count-overflow', node: 0, count: 20_000 },
      { op: 'duplicate', node: 1, times: 64 },
    ]);
    expect(out.length).toBeGreaterThan(16 * 1024 * 1024);
    expect(out.length).toBeLessThanOrEqual(MAX_MUTATED_BYTES);
  });
});
