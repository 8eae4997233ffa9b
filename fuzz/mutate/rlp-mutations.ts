/**
 * Structure-aware mutation operators on an RLP tree. Each operator is plain
 * data (JSON in a reproducer) and addresses its node by pre-order index
 * modulo the node count, so it applies to any tree and shrinks toward the
 * root. Applying a list of them is deterministic.
 *
 * The operators are the list: lengths that lie, non-canonical RLP,
 * type confusion (a list where bytes belong and the reverse), huge integers,
 * oversize and count overflow, duplicated, dropped and reordered items.
 */
import { concatBytes } from '../../reference-node/wire/bytes.js';
import { cloneRaw, encodedSizeBound, encodeRaw, parentOf, preorder, rawFromItem, type RawNode } from './raw-rlp.js';
import { decodeRlp } from '../../reference-node/wire/rlp.js';

export type RlpMutation =
  | { op: 'lie-length'; node: number; delta: number }
  | { op: 'long-form'; node: number }
  | { op: 'length-leading-zero'; node: number }
  | { op: 'prefix-single-byte'; node: number }
  | { op: 'int-leading-zero'; node: number }
  | { op: 'bytes-to-list'; node: number }
  | { op: 'list-to-bytes'; node: number }
  | { op: 'huge-int'; node: number; width: number }
  | { op: 'empty'; node: number }
  | { op: 'drop'; node: number }
  | { op: 'duplicate'; node: number; times: number }
  | { op: 'swap-next'; node: number }
  | { op: 'append'; node: number; item: Uint8Array }
  | { op: 'count-overflow'; node: number; count: number }
  | { op: 'grow'; node: number; size: number };

export type RlpMutationOp = RlpMutation['op'];

export const RLP_MUTATION_OPS: readonly RlpMutationOp[] = [
  'lie-length',
  'long-form',
  'length-leading-zero',
  'prefix-single-byte',
  'int-leading-zero',
  'bytes-to-list',
  'list-to-bytes',
  'huge-int',
  'empty',
  'drop',
  'duplicate',
  'swap-next',
  'append',
  'count-overflow',
  'grow',
];

/** Caps that keep one mutated message inside what a frame can carry (16 MiB) and a fuzz case cheap to build. */
export const MAX_GROW_BYTES = 17 * 1024 * 1024;
export const MAX_COUNT = 20_000;

function pick(root: RawNode, index: number): RawNode {
  const nodes = preorder(root);
  return nodes[Math.abs(index) % nodes.length]!;
}

/**
 * Copies made by duplicate and count-overflow stop where the message would
 * pass this: twice the 16 MiB message limit, so oversize stays covered, while
 * repeated copying of a big item cannot build gigabytes (a 10-min eth soak
 * tried a 5 GB array and stalled the fuzzer past the target's ping timeout).
 */
export const MAX_MUTATED_BYTES = 32 * 1024 * 1024;

/** How many copies of `each` bytes fit in what is left of MAX_MUTATED_BYTES, up to `wanted`. */
function copiesThatFit(wanted: number, each: number, used: number): number {
  return Math.max(0, Math.min(wanted, Math.floor((MAX_MUTATED_BYTES - used) / Math.max(1, each))));
}

function replace(root: RawNode, target: RawNode, by: RawNode): RawNode {
  if (target === root) return by;
  const parent = parentOf(root, target)!;
  parent.list.items[parent.index] = by;
  return root;
}

/** Applies one operator to a tree (in place where it can; returns the new root). */
export function applyRlpMutation(root: RawNode, m: RlpMutation): RawNode {
  const node = pick(root, m.node);
  switch (m.op) {
    case 'lie-length':
      node.enc = { ...node.enc, lengthDelta: m.delta === 0 ? 1 : m.delta };
      return root;
    case 'long-form':
      node.enc = { ...node.enc, longForm: true };
      return root;
    case 'length-leading-zero':
      node.enc = { ...node.enc, lengthZeros: (node.enc?.lengthZeros ?? 0) + 1 };
      return root;
    case 'prefix-single-byte':
      if (node.kind === 'bytes' && node.value.length === 1 && node.value[0]! < 0x80) node.enc = { ...node.enc, prefixSingleByte: true };
      else if (node.kind === 'bytes') node.value = concatBytes(Uint8Array.of(0), node.value);
      else node.enc = { ...node.enc, longForm: true };
      return root;
    case 'int-leading-zero':
      if (node.kind === 'bytes') node.value = concatBytes(Uint8Array.of(0), node.value);
      else node.items.unshift({ kind: 'bytes', value: Uint8Array.of(0) });
      return root;
    case 'bytes-to-list':
      return replace(root, node, { kind: 'list', items: [node] });
    case 'list-to-bytes':
      return node.kind === 'list' ? replace(root, node, { kind: 'bytes', value: encodeRaw(node) }) : replace(root, node, { kind: 'list', items: [] });
    case 'huge-int': {
      const width = Math.min(Math.max(1, m.width), 4096);
      return replace(root, node, { kind: 'bytes', value: new Uint8Array(width).fill(0xff) });
    }
    case 'empty':
      return replace(root, node, node.kind === 'bytes' ? { kind: 'bytes', value: new Uint8Array(0) } : { kind: 'list', items: [] });
    case 'drop': {
      const parent = parentOf(root, node);
      if (!parent) return { kind: 'list', items: [] };
      parent.list.items.splice(parent.index, 1);
      return root;
    }
    case 'duplicate': {
      const parent = parentOf(root, node);
      const times = copiesThatFit(Math.min(Math.max(1, m.times), MAX_COUNT), encodedSizeBound(node), encodedSizeBound(root));
      const copies = Array.from({ length: times }, () => cloneRaw(node));
      if (!parent) return { kind: 'list', items: [node, ...copies] };
      parent.list.items.splice(parent.index + 1, 0, ...copies);
      return root;
    }
    case 'swap-next': {
      const parent = parentOf(root, node);
      if (!parent) return root;
      const items = parent.list.items;
      const j = (parent.index + 1) % items.length;
      [items[parent.index], items[j]] = [items[j]!, items[parent.index]!];
      return root;
    }
    case 'append':
      if (node.kind === 'list') node.items.push({ kind: 'bytes', value: m.item });
      else node.value = concatBytes(node.value, m.item);
      return root;
    case 'count-overflow': {
      const others = encodedSizeBound(root) - encodedSizeBound(node);
      if (node.kind !== 'list') {
        const count = copiesThatFit(Math.min(m.count, MAX_COUNT), encodedSizeBound(node), others);
        return replace(root, node, { kind: 'list', items: Array.from({ length: count }, () => cloneRaw(node)) });
      }
      const seed = node.items.length > 0 ? node.items : [{ kind: 'bytes' as const, value: new Uint8Array(0) }];
      const largest = seed.reduce((max, item) => Math.max(max, encodedSizeBound(item)), 0);
      const count = copiesThatFit(Math.min(Math.max(m.count, 0), MAX_COUNT), largest, others);
      node.items = Array.from({ length: count }, (_, i) => cloneRaw(seed[i % seed.length]!));
      return root;
    }
    case 'grow': {
      const size = Math.min(Math.max(m.size, 0), MAX_GROW_BYTES);
      return replace(root, node, { kind: 'bytes', value: new Uint8Array(size).fill(0x5a) });
    }
  }
}

/**
 * Mutates the RLP encoding `canonical` (which must decode) and returns the
 * new bytes. A list of no operators returns the input unchanged.
 */
export function mutateRlp(canonical: Uint8Array, mutations: readonly RlpMutation[]): Uint8Array {
  if (mutations.length === 0) return canonical;
  let root = rawFromItem(decodeRlp(canonical, 'fuzz base'));
  for (const m of mutations) root = applyRlpMutation(root, m);
  return encodeRaw(root);
}

/** Same, on a tree the caller built (for bases that are not one RLP item). */
export function mutateTree(root: RawNode, mutations: readonly RlpMutation[]): Uint8Array {
  let r = cloneRaw(root);
  for (const m of mutations) r = applyRlpMutation(r, m);
  return encodeRaw(r);
}

/** A one-line description for reproducers and progress output. */
export function describeRlpMutation(m: RlpMutation): string {
  switch (m.op) {
    case 'lie-length':
      return `node ${m.node}: length prefix off by ${m.delta}`;
    case 'huge-int':
      return `node ${m.node}: replaced by a ${m.width}-byte 0xff.. integer`;
    case 'duplicate':
      return `node ${m.node}: duplicated ${m.times}x`;
    case 'append':
      return `node ${m.node}: ${m.item.length} bytes appended`;
    case 'count-overflow':
      return `node ${m.node}: list of ${m.count} items`;
    case 'grow':
      return `node ${m.node}: replaced by ${m.size} bytes`;
    default:
      return `node ${m.node}: ${m.op}`;
  }
}
