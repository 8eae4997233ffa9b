/**
 * An RLP tree that can be written wrongly on purpose. Every node may carry an
 * encoding override (long form for a short item, zeros before the length, a
 * length that lies, a prefixed single byte), so mutation operators can
 * produce exactly the non-canonical and inconsistent encodings a strict
 * decoder must refuse. With no overrides, encodeRaw equals canonical RLP.
 */
import { concatBytes } from '../../reference-node/wire/bytes.js';
import type { RlpItem } from '../../reference-node/wire/rlp.js';

export interface RawEncoding {
  /** Use the long form (0xb8.. / 0xf8..) even when the payload is shorter than 56 bytes. */
  longForm?: boolean;
  /** Zero bytes before the length in the long form (forces the long form). */
  lengthZeros?: number;
  /** Added to the true payload length in the prefix: the length lies. */
  lengthDelta?: number;
  /** Write a single byte below 0x80 as 0x81 xx instead of itself. */
  prefixSingleByte?: boolean;
}

export type RawNode =
  | { kind: 'bytes'; value: Uint8Array; enc?: RawEncoding }
  | { kind: 'list'; items: RawNode[]; enc?: RawEncoding };

export function rawFromItem(item: RlpItem): RawNode {
  return Array.isArray(item) ? { kind: 'list', items: item.map(rawFromItem) } : { kind: 'bytes', value: item };
}

function bigEndian(n: number): number[] {
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return out;
}

function prefix(shortBase: number, longBase: number, length: number, enc: RawEncoding | undefined): Uint8Array {
  // A lie can make the declared length negative; clamp at zero (a prefix cannot say less).
  const declared = Math.max(0, length + (enc?.lengthDelta ?? 0));
  const zeros = enc?.lengthZeros ?? 0;
  const long = declared >= 56 || enc?.longForm === true || zeros > 0;
  if (!long) return Uint8Array.of(shortBase + declared);
  const lenBytes = [...new Array<number>(zeros).fill(0), ...bigEndian(declared)];
  // The long form cannot describe a length of 0 without a byte; write one zero byte.
  if (lenBytes.length === 0) lenBytes.push(0);
  // The prefix byte can name at most 8 length bytes; keep the rest of the lie inside that.
  const n = Math.min(lenBytes.length, 8);
  return Uint8Array.of(longBase + n, ...lenBytes.slice(lenBytes.length - n));
}

export function encodeRaw(node: RawNode): Uint8Array {
  if (node.kind === 'bytes') {
    const v = node.value;
    if (v.length === 1 && v[0]! < 0x80 && !node.enc?.prefixSingleByte && !node.enc?.longForm && !node.enc?.lengthZeros && !node.enc?.lengthDelta) return v;
    return concatBytes(prefix(0x80, 0xb7, v.length, node.enc), v);
  }
  const payload = concatBytes(...node.items.map(encodeRaw));
  return concatBytes(prefix(0xc0, 0xf7, payload.length, node.enc), payload);
}

/** An upper bound on encodeRaw(node).length, without encoding (prefixes counted at their widest). */
export function encodedSizeBound(node: RawNode): number {
  const payload = node.kind === 'bytes' ? node.value.length : node.items.reduce((n, item) => n + encodedSizeBound(item), 0);
  return payload + 9 + (node.enc?.lengthZeros ?? 0);
}

/** Nodes in pre-order (the root first); mutation operators address nodes by this index. */
export function preorder(root: RawNode): RawNode[] {
  const out: RawNode[] = [];
  const walk = (n: RawNode) => {
    out.push(n);
    if (n.kind === 'list') n.items.forEach(walk);
  };
  walk(root);
  return out;
}

/** The list that holds `node` and its index there; undefined for the root. */
export function parentOf(root: RawNode, node: RawNode): { list: RawNode & { kind: 'list' }; index: number } | undefined {
  for (const n of preorder(root)) {
    if (n.kind !== 'list') continue;
    const i = n.items.indexOf(node);
    if (i >= 0) return { list: n, index: i };
  }
  return undefined;
}

export function cloneRaw(node: RawNode): RawNode {
  if (node.kind === 'bytes') return { kind: 'bytes', value: node.value.slice(), ...(node.enc ? { enc: { ...node.enc } } : {}) };
  return { kind: 'list', items: node.items.map(cloneRaw), ...(node.enc ? { enc: { ...node.enc } } : {}) };
}
