/**
 * RLP as the Yellow Paper (appendix B) defines it, written from the text and
 * nothing else: the third opinion when our decoder and @ethereumjs/rlp
 * disagree. Canonical form only:
 *   - a single byte below 0x80 is its own encoding (0x81 0x05 is invalid);
 *   - the short forms cover payloads of 0–55 bytes, the long forms 56 and up;
 *   - a long-form length has no leading zero bytes;
 *   - a list's payload is exactly a sequence of items;
 *   - the top-level input is exactly one item.
 * Returns the reason for a rejection instead of throwing, so callers can
 * compare outcomes.
 */
export type SpecItem = Uint8Array | SpecItem[];

export type SpecResult = { ok: true; item: SpecItem } | { ok: false; reason: string };

class SpecReject extends Error {}

function readLength(bytes: Uint8Array, at: number, n: number): number {
  if (at + n > bytes.length) throw new SpecReject('length bytes run past the input');
  if (bytes[at] === 0) throw new SpecReject('long-form length has a leading zero byte');
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + bytes[at + i]!;
  if (len < 56) throw new SpecReject('long form used for a payload shorter than 56 bytes');
  return len;
}

function readItem(bytes: Uint8Array, at: number, end: number): { item: SpecItem; next: number } {
  if (at >= end) throw new SpecReject('an item is missing');
  const b0 = bytes[at]!;
  if (b0 < 0x80) return { item: bytes.slice(at, at + 1), next: at + 1 };
  let start: number;
  let len: number;
  let list: boolean;
  if (b0 <= 0xb7) {
    len = b0 - 0x80;
    start = at + 1;
    list = false;
    if (len === 1 && start < end && bytes[start]! < 0x80) throw new SpecReject('a single byte below 0x80 carries a prefix');
  } else if (b0 <= 0xbf) {
    const n = b0 - 0xb7;
    len = readLength(bytes, at + 1, n);
    start = at + 1 + n;
    list = false;
  } else if (b0 <= 0xf7) {
    len = b0 - 0xc0;
    start = at + 1;
    list = true;
  } else {
    const n = b0 - 0xf7;
    len = readLength(bytes, at + 1, n);
    start = at + 1 + n;
    list = true;
  }
  if (start + len > end) throw new SpecReject('payload runs past its container');
  if (!list) return { item: bytes.slice(start, start + len), next: start + len };
  const items: SpecItem[] = [];
  let p = start;
  while (p < start + len) {
    const r = readItem(bytes, p, start + len);
    items.push(r.item);
    p = r.next;
  }
  return { item: items, next: start + len };
}

export function specDecodeRlp(bytes: Uint8Array): SpecResult {
  try {
    if (bytes.length === 0) throw new SpecReject('empty input holds no item');
    const { item, next } = readItem(bytes, 0, bytes.length);
    if (next !== bytes.length) throw new SpecReject('bytes left after the item');
    return { ok: true, item };
  } catch (err) {
    if (err instanceof SpecReject) return { ok: false, reason: err.message };
    throw err;
  }
}

export function specItemsEqual(a: SpecItem, b: SpecItem): boolean {
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bl = b as SpecItem[];
    return a.length === bl.length && a.every((x, i) => specItemsEqual(x, bl[i]!));
  }
  const ab = a as Uint8Array;
  const bb = b as Uint8Array;
  return ab.length === bb.length && ab.every((x, i) => x === bb[i]);
}
