import fc from 'fast-check';
import { RLP } from '@ethereumjs/rlp';
import { describe, expect, it } from 'vitest';
import { rlpItemArb } from '../../fuzz/arbitraries/rlp.js';
import { equalBytes, hexToBytes } from './bytes.js';
import { DecodeError } from './errors.js';
import { rlpListItems } from './rlp-view.js';

describe('rlpListItems', () => {
  it('gives, for any list, exactly the encodings @ethereumjs/rlp makes of its elements', () => {
    fc.assert(
      fc.property(fc.array(rlpItemArb(3), { maxLength: 8 }), (list) => {
        const items = rlpListItems(RLP.encode(list), 'list');
        expect(items.length).toBe(list.length);
        items.forEach((raw, i) => expect(equalBytes(raw, RLP.encode(list[i]!))).toBe(true));
      }),
      { numRuns: 500 },
    );
  });

  it('handles the long forms of the list and its items (56+ bytes)', () => {
    const big = new Uint8Array(300).fill(7);
    const list = [big, [big, new Uint8Array(56)], new Uint8Array(0)];
    const items = rlpListItems(RLP.encode(list), 'list');
    expect(items.map((i) => i.length)).toEqual([303, RLP.encode(list[1]!).length, 1]);
  });

  it.each([
    ['bytes, not a list', '83616263'],
    ['input ends inside the list', 'c3010203'.slice(0, 6)],
    ['bytes after the list', 'c20102ff'],
    ['an item runs past the end of its list', 'c28301'],
    ['a single byte below 0x80 with a prefix', 'c28101'],
    ['long form for a short list', 'f80101'],
    ['long form for a short item', 'c4b8020102'],
    ['a length with a leading zero', 'f9000101'],
    ['empty input', ''],
  ])('refuses %s with a DecodeError, as the strict decoder does', (_why, hex) => {
    const bytes = hexToBytes(hex);
    expect(() => rlpListItems(bytes, 'list')).toThrow(DecodeError);
  });

  it('on random lists agrees with @ethereumjs/rlp: what it decodes is framed the same, what we refuse it refuses', () => {
    const listish = fc.uint8Array({ maxLength: 24 }).map((b) => Uint8Array.of(0xc0 + b.length, ...b));
    fc.assert(
      fc.property(fc.oneof(listish, fc.uint8Array({ minLength: 1, maxLength: 24 })), (bytes) => {
        let decoded: unknown;
        try {
          decoded = RLP.decode(bytes);
        } catch {
          decoded = undefined;
        }
        let items: Uint8Array[] | undefined;
        try {
          items = rlpListItems(bytes, 'list');
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError);
        }
        if (items === undefined) {
          // We check the framing of the list and its elements only; the full decoder checks at least that.
          expect(Array.isArray(decoded)).toBe(false);
          return;
        }
        if (Array.isArray(decoded)) {
          expect(items.length).toBe(decoded.length);
          items.forEach((raw, i) => expect(equalBytes(raw, RLP.encode(decoded[i] as Uint8Array))).toBe(true));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
