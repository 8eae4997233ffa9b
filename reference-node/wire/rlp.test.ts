import fc from 'fast-check';
import { RLP } from '@ethereumjs/rlp';
import { describe, expect, it } from 'vitest';
import { readSharedJson } from '../../test-support/shared.js';
import { bytesToHex, hexToBytes, utf8 } from './bytes.js';
import { DecodeError } from './errors.js';
import { asBigInt, asExactList, asFixedBytes, decodeRlp, decodeRlpPrefix, encodeRlp, encodeRlpListOfEncoded, type RlpInput, type RlpItem } from './rlp.js';

type VectorIn = string | number | VectorIn[];
type Vectors = Record<string, { in: VectorIn; out: string }>;

/** ethereum/tests RLP format: strings are UTF-8 bytes, "#<decimal>" is a bigint, numbers are integers. */
function toInput(value: VectorIn): RlpInput {
  if (Array.isArray(value)) return value.map(toInput);
  if (typeof value === 'number') return BigInt(value);
  if (value.startsWith('#')) return BigInt(value.slice(1));
  return utf8(value);
}

const normHex = (out: string) => out.replace(/^0x/i, '').toLowerCase();

describe('RLP against ethereum/tests RLPTests', () => {
  const valid = readSharedJson<Vectors>('vectors-reference', 'rlp', 'rlptest.json');
  const invalid = readSharedJson<Vectors>('vectors-reference', 'rlp', 'invalidRLPTest.json');
  const random = readSharedJson<Vectors>('vectors-reference', 'rlp', 'RandomRLPTests', 'example.json');

  it('has the expected number of cases', () => {
    expect(Object.keys(valid).length).toBe(28);
    expect(Object.keys(invalid).length).toBe(26);
  });

  it.each(Object.entries(valid))('valid %s encodes exactly and round-trips', (_name, { in: input, out }) => {
    const encoded = encodeRlp(toInput(input));
    expect(bytesToHex(encoded)).toBe(normHex(out));
    // Decoding yields the same structure as the independent encoder's view of it.
    expect(encodeRlp(decodeRlp(encoded, 'vector') as RlpInput)).toEqual(encoded);
  });

  it.each(Object.entries(invalid))('invalid %s is rejected with DecodeError', (_name, { out }) => {
    const bytes = hexToBytes(normHex(out));
    expect(() => decodeRlp(bytes, 'vector')).toThrow(DecodeError);
  });

  it.each(Object.entries(random))('random %s decodes and re-encodes byte-identically', (_name, { out }) => {
    const bytes = hexToBytes(normHex(out));
    expect(encodeRlp(decodeRlp(bytes, 'vector') as RlpInput)).toEqual(bytes);
  });
});

describe('RLP strict readers', () => {
  it('rejects integers with leading zeros and oversize integers', () => {
    expect(() => asBigInt(Uint8Array.of(0, 1), 'nonce')).toThrow(/leading zero/);
    expect(() => asBigInt(new Uint8Array(33).fill(1), 'value')).toThrow(/longer than 32/);
    expect(asBigInt(Uint8Array.of(1, 0), 'x')).toBe(256n);
    expect(asBigInt(new Uint8Array(0), 'x')).toBe(0n);
  });

  it('checks shapes and sizes with the field name in the message', () => {
    expect(() => asExactList([new Uint8Array(0)], 'ping', 2)).toThrow('ping: expected 2 elements, got 1');
    expect(() => asFixedBytes(new Uint8Array(31), 'hash', 32)).toThrow('hash: expected 32 bytes, got 31');
    expect(() => asFixedBytes([], 'hash', 32)).toThrow(/expected bytes, got a list/);
  });

  it('rejects trailing bytes in strict mode and returns them in prefix mode', () => {
    const bytes = hexToBytes('c20102ffee');
    expect(() => decodeRlp(bytes, 'msg')).toThrow(DecodeError);
    const { item, rest } = decodeRlpPrefix(bytes, 'msg');
    expect(item).toEqual([Uint8Array.of(1), Uint8Array.of(2)]);
    expect(bytesToHex(rest)).toBe('ffee');
  });
});

const rlpItem: fc.Arbitrary<RlpItem> = fc.letrec<{ item: RlpItem }>((tie) => ({
  item: fc.oneof({ depthSize: 'small' }, fc.uint8Array({ maxLength: 80 }), fc.array(tie('item'), { maxLength: 5 })),
})).item;

describe('RLP properties', () => {
  it('decode(encode(x)) deep-equals x, and agrees with @ethereumjs/rlp', () => {
    fc.assert(
      fc.property(rlpItem, (item) => {
        const encoded = encodeRlp(item);
        expect(decodeRlp(encoded, 'p')).toEqual(item);
        expect(encoded).toEqual(RLP.encode(item));
      }),
    );
  });

  it('a list of already-encoded items is the bytes @ethereumjs/rlp gives for the list', () => {
    // Lengths around the 55/56-byte short-list boundary and past the 1- and 2-byte length forms.
    const sized = fc.constantFrom(0, 1, 53, 54, 55, 56, 57, 255, 256, 65_535, 65_536).map((n) => new Uint8Array(n).fill(7));
    fc.assert(
      fc.property(fc.array(fc.oneof(rlpItem, sized), { maxLength: 6 }), (items) => {
        const ours = encodeRlpListOfEncoded(items.map((i) => RLP.encode(i)));
        expect(Buffer.from(ours).equals(RLP.encode(items))).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(encodeRlpListOfEncoded([])).toEqual(RLP.encode([]));
    for (const n of [54, 55, 56, 255, 256]) {
      const item = new Uint8Array(n - 1).fill(1); // n - 1 bytes encode to n with a 1-byte prefix while n - 1 < 56
      expect(encodeRlpListOfEncoded([RLP.encode(item)])).toEqual(RLP.encode([item]));
    }
  });

  it('arbitrary bytes give a value or a DecodeError, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeRlp(bytes, 'fuzz');
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
