/**
 * RLP edge cases (ethereum/tests RLPTests style): every length-prefix boundary,
 * deep nesting and integers up to 2^256 - 1, plus the non-canonical and
 * truncated encodings a strict decoder (geth's rlp, @ethereumjs/rlp) rejects.
 */
import { asBigInt, decodeRlp, encodeRlp, type RlpItem } from '../../../reference-node/wire/rlp.js';
import { equalBytes } from '../../../reference-node/wire/bytes.js';
import { DECIMAL, HEX, obj, type Family } from '../family.js';
import { hexField, invalidVector, sameJson, toJson, VectorFormatError, type Json, type JsonObject, type Vector } from '../format.js';
import { hex, seededBytes, unhex } from '../keys.js';

const WHAT = 'rlp';
const WHAT_UINT = 'rlp uint256';

function itemFromJson(value: Json): RlpItem {
  if (typeof value === 'string') return unhex(value);
  if (Array.isArray(value)) return value.map(itemFromJson);
  throw new VectorFormatError('an RLP value is 0x-hex bytes or a list of RLP values');
}

function nested(depth: number): RlpItem {
  let item: RlpItem = [];
  for (let i = 0; i < depth; i++) item = [item];
  return item;
}

function bytesOf(seed: string, label: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 32) out.set(seededBytes(seed, `${label}/${i}`).subarray(0, Math.min(32, length - i)), i);
  return out;
}

function valueVector(name: string, description: string, item: RlpItem): Vector {
  return { name, description, input: { value: toJson(item) }, expected: { encoded: hex(encodeRlp(item)) } };
}

/**
 * Deep nesting is given as a count, not as a JSON value nested as deep: JSON
 * readers limit depth (serde_json to 128, Python's json to about 1000), and a
 * vector file must load everywhere.
 */
function nestedVector(name: string, note: string, depth: number): Vector {
  return { name, description: `the empty list wrapped in ${depth} lists${note}`, input: { wrapEmptyList: depth }, expected: { encoded: hex(encodeRlp(nested(depth))) } };
}

/** How many lists wrap an empty list (nested(n) gives n); undefined for any other shape. */
function nestingOf(item: RlpItem): number | undefined {
  let depth = 0;
  for (let at: RlpItem = item; Array.isArray(at); at = at[0]!) {
    if (at.length === 0) return depth;
    if (at.length !== 1) return undefined;
    depth++;
  }
  return undefined;
}

function integerVector(name: string, value: bigint): Vector {
  return {
    name,
    description: `the integer ${value} as a canonical big-endian scalar`,
    input: { integer: value.toString(10) },
    expected: { encoded: hex(encodeRlp(value)) },
  };
}

function decodeAs(encoded: Uint8Array, as: string | undefined): unknown {
  const item = decodeRlp(encoded, WHAT);
  return as === 'uint256' ? asBigInt(item, WHAT_UINT, 32) : item;
}

function invalid(name: string, description: string, encoded: string, code: string, as?: 'uint256'): Vector {
  const input: JsonObject = as ? { encoded, as } : { encoded };
  return invalidVector(name, description, input, code, () => decodeAs(unhex(encoded), as));
}

export const rlpFamily: Family = {
  name: 'rlp',
  title: 'RLP edge cases',
  schema: {
    input: {
      oneOf: [
        obj({ value: { $ref: '#/$defs/rlpValue' } }),
        obj({ integer: DECIMAL }),
        obj({ wrapEmptyList: { type: 'integer', minimum: 1 } }),
      ],
    },
    defs: { rlpValue: { oneOf: [HEX, { type: 'array', items: { $ref: '#/$defs/rlpValue' } }] } },
    expected: obj({ encoded: HEX }),
    invalidInput: obj({ encoded: HEX, as: { enum: ['uint256'] } }, ['encoded']),
  },

  generate(seed) {
    const b = (n: number) => bytesOf(seed, `rlp/string/${n}`, n);
    const v: Vector[] = [
      valueVector('string-empty', 'the empty string is 0x80', new Uint8Array(0)),
      valueVector('byte-00', 'a single byte below 0x80 is its own encoding', Uint8Array.of(0)),
      valueVector('byte-7f', 'the largest self-encoding byte', Uint8Array.of(0x7f)),
      valueVector('byte-80', 'the smallest byte that needs a 0x81 prefix', Uint8Array.of(0x80)),
      valueVector('string-55', 'longest string with a short prefix (0xb7)', b(55)),
      valueVector('string-56', 'shortest string with a long prefix (0xb8 0x38)', b(56)),
      valueVector('string-256', 'a two-byte length (0xb9 0x0100)', b(256)),
      valueVector('list-empty', 'the empty list is 0xc0', []),
      valueVector('list-payload-55', 'longest list with a short prefix (0xf7)', [b(54)]),
      valueVector('list-payload-56', 'shortest list with a long prefix (0xf8 0x38)', [b(55)]),
      valueVector('list-mixed', 'strings and lists mixed', [Uint8Array.of(1), [], [Uint8Array.of(0x80), [b(3)]], new Uint8Array(0)]),
      valueVector('list-set-theoretic', 'the set-theoretic representation of three', [[], [[]], [[], [[]]]]),
      nestedVector('nested-depth-128', '', 128),
      nestedVector('nested-depth-1024', ' (no depth limit in geth or the spec)', 1024),
    ];
    for (const [name, value] of [
      ['int-0', 0n],
      ['int-1', 1n],
      ['int-127', 127n],
      ['int-128', 128n],
      ['int-255', 255n],
      ['int-256', 256n],
      ['int-2pow64-minus-1', (1n << 64n) - 1n],
      ['int-2pow64', 1n << 64n],
      ['int-2pow255', 1n << 255n],
      ['int-2pow256-minus-1', (1n << 256n) - 1n],
    ] as const) {
      v.push(integerVector(name, value));
    }
    v.push(
      invalid('empty-input', 'no item at all', '0x', 'rlp'),
      invalid('single-byte-long-form', 'a byte below 0x80 must not have a 0x81 prefix', '0x8100', 'rlp'),
      invalid('single-byte-7f-long-form', 'a byte below 0x80 must not have a 0x81 prefix', '0x817f', 'rlp'),
      invalid('short-string-long-form', 'a string under 56 bytes must use the short prefix', `0xb805${'01'.repeat(5)}`, 'rlp'),
      invalid('length-leading-zero', 'a long-form length must not start with 0x00', `0xb90038${'01'.repeat(56)}`, 'rlp'),
      invalid('short-list-long-form', 'a list under 56 bytes must use the short prefix', '0xf803c0c0c0', 'rlp'),
      invalid('trailing-bytes', 'one item must be the whole input', '0x8000', 'rlp'),
      invalid('truncated-string', 'the string is shorter than its prefix says', '0x830102', 'rlp'),
      invalid('truncated-list', 'the list payload is shorter than its prefix says', '0xc380', 'rlp'),
      invalid('element-overruns-list', 'an element runs past the end of its list', '0xc2830102', 'rlp'),
      invalid('long-length-truncated', 'the length of length runs past the input', '0xb9ff', 'rlp'),
      invalid('uint-leading-zero', 'an integer must not have leading zero bytes', '0x820001', 'rlp', 'uint256'),
      invalid('uint-zero-byte', 'zero is 0x80, never 0x00', '0x00', 'rlp', 'uint256'),
      invalid('uint-33-bytes', 'over 256 bits', `0xa101${'00'.repeat(32)}`, 'value', 'uint256'),
    );
    return v;
  },

  checkValid(vector) {
    const encoded = unhex(hexField(vector.expected, 'encoded'));
    const out: string[] = [];
    if ('integer' in vector.input) {
      const text = vector.input.integer;
      if (typeof text !== 'string' || !/^\d+$/.test(text)) throw new VectorFormatError('integer must be a decimal string');
      const value = BigInt(text);
      if (!equalBytes(encodeRlp(value), encoded)) out.push('encoding differs');
      if (asBigInt(decodeRlp(encoded, WHAT), WHAT_UINT, 32) !== value) out.push('decoded integer differs');
      return out;
    }
    if ('wrapEmptyList' in vector.input) {
      const depth = vector.input.wrapEmptyList;
      if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 1) throw new VectorFormatError('wrapEmptyList must be a positive integer');
      if (!equalBytes(encodeRlp(nested(depth)), encoded)) out.push('encoding differs');
      if (nestingOf(decodeRlp(encoded, WHAT)) !== depth) out.push('decoded nesting differs');
      return out;
    }
    const value = vector.input.value;
    if (value === undefined) throw new VectorFormatError('input needs value, integer or wrapEmptyList');
    if (!equalBytes(encodeRlp(itemFromJson(value)), encoded)) out.push('encoding differs');
    if (!sameJson(toJson(decodeRlp(encoded, WHAT)), value)) out.push('decoded value differs');
    return out;
  },

  decodeInvalid(vector) {
    const as = vector.input.as;
    return decodeAs(unhex(hexField(vector.input, 'encoded')), typeof as === 'string' ? as : undefined);
  },
};
