/**
 * RLP access for every codec: @ethereumjs/rlp does the byte work, this module
 * turns its generic errors into DecodeError and gives codecs typed field readers
 * that enforce canonical scalars and exact sizes.
 */
import { RLP, type Input } from '@ethereumjs/rlp';
import { bytesToBigInt, uintToBytes } from './bytes.js';
import { DecodeError } from './errors.js';

export type RlpItem = Uint8Array | RlpItem[];
export type RlpInput = Uint8Array | bigint | number | string | RlpInput[];

export function encodeRlp(value: RlpInput): Uint8Array {
  return RLP.encode(normalize(value));
}

/**
 * A list whose items are already RLP-encoded, without decoding them again:
 * for replies assembled from stored encodings (geth serves headers as
 * rlp.RawValue for the same reason). Same bytes as encodeRlp of the decoded items.
 */
export function encodeRlpListOfEncoded(items: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const item of items) length += item.length;
  const prefix = listPrefix(length);
  const out = new Uint8Array(prefix.length + length);
  out.set(prefix, 0);
  let offset = prefix.length;
  for (const item of items) {
    out.set(item, offset);
    offset += item.length;
  }
  return out;
}

function listPrefix(payloadLength: number): Uint8Array {
  if (payloadLength < 56) return Uint8Array.of(0xc0 + payloadLength);
  const lengthBytes = uintToBytes(payloadLength);
  return Uint8Array.of(0xf7 + lengthBytes.length, ...lengthBytes);
}

function normalize(value: RlpInput): Input {
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'string') return new TextEncoder().encode(value);
  return uintToBytes(value);
}

/** Strict: the whole input must be exactly one canonical RLP item. */
export function decodeRlp(bytes: Uint8Array, what: string): RlpItem {
  // @ethereumjs/rlp returns an empty string for empty input; an empty input holds no item.
  if (bytes.length === 0) throw new DecodeError('rlp', what, 'empty input');
  try {
    return RLP.decode(bytes) as RlpItem;
  } catch (err) {
    throw new DecodeError('rlp', what, (err as Error).message);
  }
}

/**
 * Decodes one item at the start of the input and returns the bytes after it.
 * EIP-8 requires tolerance of trailing data in discv4 packets and handshake messages.
 */
export function decodeRlpPrefix(bytes: Uint8Array, what: string): { item: RlpItem; rest: Uint8Array } {
  if (bytes.length === 0) throw new DecodeError('rlp', what, 'empty input');
  try {
    const { data, remainder } = RLP.decode(bytes, true) as { data: RlpItem; remainder: Uint8Array };
    return { item: data, rest: remainder };
  } catch (err) {
    throw new DecodeError('rlp', what, (err as Error).message);
  }
}

export function asList(item: RlpItem | undefined, what: string, minLength = 0): RlpItem[] {
  if (item === undefined) throw new DecodeError('shape', what, 'missing field');
  if (!Array.isArray(item)) throw new DecodeError('shape', what, 'expected a list, got bytes');
  if (item.length < minLength) {
    throw new DecodeError('shape', what, `expected at least ${minLength} elements, got ${item.length}`);
  }
  return item;
}

/** A list of exactly `length` elements (strict codecs without EIP-8 tolerance). */
export function asExactList(item: RlpItem | undefined, what: string, length: number): RlpItem[] {
  const list = asList(item, what);
  if (list.length !== length) {
    throw new DecodeError('shape', what, `expected ${length} elements, got ${list.length}`);
  }
  return list;
}

export function asBytes(item: RlpItem | undefined, what: string): Uint8Array {
  if (item === undefined) throw new DecodeError('shape', what, 'missing field');
  if (Array.isArray(item)) throw new DecodeError('shape', what, 'expected bytes, got a list');
  return item;
}

export function asFixedBytes(item: RlpItem | undefined, what: string, length: number): Uint8Array {
  const bytes = asBytes(item, what);
  if (bytes.length !== length) {
    throw new DecodeError('length', what, `expected ${length} bytes, got ${bytes.length}`);
  }
  return bytes;
}

/** A canonical RLP scalar: no leading zero bytes, at most `maxBytes` long. */
export function asBigInt(item: RlpItem | undefined, what: string, maxBytes = 32): bigint {
  const bytes = asBytes(item, what);
  if (bytes.length > 0 && bytes[0] === 0) {
    throw new DecodeError('rlp', what, 'integer has leading zero bytes');
  }
  if (bytes.length > maxBytes) {
    throw new DecodeError('value', what, `integer longer than ${maxBytes} bytes`);
  }
  return bytesToBigInt(bytes);
}

/** A canonical scalar that must fit a JS number (at most 6 bytes, < 2^48). */
export function asNumber(item: RlpItem | undefined, what: string, maxBytes = 6): number {
  if (maxBytes > 6) throw new RangeError('asNumber supports at most 6 bytes; use asBigInt');
  return Number(asBigInt(item, what, maxBytes));
}

/** uint64 fields (discv4 expiration, ENR seq, request ids) stay bigint to keep all 64 bits. */
export function asUint64(item: RlpItem | undefined, what: string): bigint {
  return asBigInt(item, what, 8);
}
