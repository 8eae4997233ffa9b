/**
 * Raw views into RLP without decoding the items: a list's elements as the
 * exact byte slices that encode them. A harness comparing a response with
 * known encodings (fixture headers, bodies) checks bytes instead of decoding
 * and re-encoding each item. Prefixes must be canonical, so a slice equal to
 * a canonical encoding means the same item, encoded the same way.
 */
import { DecodeError } from './errors.js';

interface Head {
  /** Offset of the payload. */
  start: number;
  /** Payload length. */
  length: number;
  list: boolean;
}

function head(bytes: Uint8Array, at: number, what: string): Head {
  const b = bytes[at];
  if (b === undefined) throw new DecodeError('rlp', what, 'input ends inside an item');
  if (b < 0x80) return { start: at, length: 1, list: false };
  if (b <= 0xb7 || (b >= 0xc0 && b <= 0xf7)) {
    const length = b - (b >= 0xc0 ? 0xc0 : 0x80);
    if (b === 0x81 && (bytes[at + 1] ?? 0x80) < 0x80) throw new DecodeError('rlp', what, 'a single byte below 0x80 must not have a prefix');
    return { start: at + 1, length, list: b >= 0xc0 };
  }
  const lengthOfLength = b - (b >= 0xf8 ? 0xf7 : 0xb7);
  if (at + 1 + lengthOfLength > bytes.length) throw new DecodeError('rlp', what, 'input ends inside a length');
  if (bytes[at + 1] === 0) throw new DecodeError('rlp', what, 'length with a leading zero');
  let length = 0;
  for (let i = 0; i < lengthOfLength; i++) length = length * 256 + bytes[at + 1 + i]!;
  if (length < 56) throw new DecodeError('rlp', what, 'long form for a length under 56');
  return { start: at + 1 + lengthOfLength, length, list: b >= 0xf8 };
}

/** The raw encodings of the elements of the list `bytes` encodes (the whole input must be that one list). */
export function rlpListItems(bytes: Uint8Array, what: string): Uint8Array[] {
  const outer = head(bytes, 0, what);
  if (!outer.list) throw new DecodeError('shape', what, 'expected a list, got bytes');
  const end = outer.start + outer.length;
  if (end !== bytes.length) throw new DecodeError('rlp', what, end > bytes.length ? 'input ends inside the list' : 'bytes after the list');
  const items: Uint8Array[] = [];
  for (let at = outer.start; at < end; ) {
    const h = head(bytes, at, what);
    const next = h.start + h.length;
    if (next > end) throw new DecodeError('rlp', what, 'an item runs past the end of its list');
    items.push(bytes.subarray(at, next));
    at = next;
  }
  return items;
}
