/**
 * Arbitrary RLP items, biased toward the encoding boundaries: empty, one
 * byte (below and at 0x80), 55 and 56 bytes (short and long form), and
 * nested lists.
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import type { RlpItem } from '../../reference-node/wire/rlp.js';

export function rlpBytesArb(): Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.constantFrom(0, 1, 55, 56, 57, 255, 256).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
    fc.uint8Array({ minLength: 1, maxLength: 1 }),
    fc.uint8Array({ maxLength: 64 }),
  );
}

export function rlpItemArb(maxDepth = 3): Arbitrary<RlpItem> {
  const { item } = fc.letrec<{ item: RlpItem; list: RlpItem[] }>((tie) => ({
    item: fc.oneof({ depthSize: 'small', maxDepth, withCrossShrink: true }, rlpBytesArb(), tie('list')),
    list: fc.array(tie('item'), { maxLength: 6 }),
  }));
  return item;
}
