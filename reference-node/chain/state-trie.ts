/**
 * A Merkle Patricia trie (Yellow Paper, appendix D) that hashes late. Puts
 * and deletes rebuild only the in-memory path to the key (copy on write: a
 * node never changes once made); root() then encodes and hashes each new node
 * once, bottom up, and hands it to the node store. @ethereumjs/mpt encodes,
 * hashes and stores every node on the path at every put, so a block that
 * writes eleven accounts rehashed the top of the state trie eleven times; that
 * was the largest single cost of an import.
 *
 * Copy on write makes checkpoints free: a checkpoint remembers the root node,
 * a revert goes back to it. Nodes read from the store are decoded once and kept
 * in a bounded cache shared by the state trie and its storage tries; a node is
 * immutable, so sharing it is safe.
 *
 * The trie answers the part of @ethereumjs/mpt's MerklePatriciaTrie that
 * @ethereumjs/statemanager's MerkleStateManager calls (get, put, del, root,
 * checkRoot, checkpoint/commit/revert, shallowCopy, flushCheckpoints,
 * database, appliedKey), and it stores the same node encodings under the same
 * keys (the node's hash; code under "c" + code hash), so a store written by one
 * is read by the other.
 *
 * Nodes written for a state that is later reverted stay in the store's pending
 * writes. That is harmless: a node is stored under its own hash, so an extra
 * node is never a wrong one, and the chain drops the pending writes of a
 * failed import anyway.
 */
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex, concatBytes, equalBytes } from '../wire/bytes.js';
import { keccak256 } from './keccak.js';
import { ChainStoreError } from './errors.js';

/** Where nodes (and contract code) live; keys are the unprefixed hex of the node's hash. */
export interface TrieNodeStore {
  read(key: string): Promise<Uint8Array | undefined>;
  write(key: string, value: Uint8Array): void;
}

/** The store-facing part of MerklePatriciaTrie.database() that MerkleStateManager uses for code. */
export interface TrieKeyValueDb {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  put(key: Uint8Array, value: Uint8Array): Promise<void>;
}

export interface StateTrieOptions {
  /** Keys are keccak256-hashed before use (the secure trie of the state and of storage). */
  hashKeys: boolean;
  /** Decoded nodes kept in memory, at most (shared with shallow copies). */
  cacheSize?: number;
}

/** What a node memoizes once it is encoded: a node never changes, so neither do these. */
interface Memo {
  /** RLP of the node. */
  enc?: Uint8Array;
  /** keccak256(enc), set when enc is 32 bytes or more (the node is then referred to by hash). */
  hash?: Uint8Array;
  /** How a parent includes it: 0xa0 || hash, or the node's own RLP when it is embedded. */
  refEnc?: Uint8Array;
}
interface LeafNode extends Memo {
  readonly kind: 'leaf';
  readonly path: Uint8Array;
  readonly value: Uint8Array;
}
interface ExtensionNode extends Memo {
  readonly kind: 'ext';
  readonly path: Uint8Array;
  readonly child: Child;
}
interface BranchNode extends Memo {
  readonly kind: 'branch';
  readonly children: (Child | undefined)[];
  readonly value: Uint8Array | undefined;
}
type TrieNode = LeafNode | ExtensionNode | BranchNode;
/** A node in memory, or the 32-byte hash of a stored one not read yet. */
type Child = TrieNode | Uint8Array;

const EMPTY_STRING_RLP = Uint8Array.of(0x80);
/** keccak256(rlp("")), the root of an empty trie. */
const EMPTY_ROOT = keccak256(EMPTY_STRING_RLP);
const DEFAULT_CACHE_SIZE = 100_000;
/** A delete that found nothing to delete. */
const UNCHANGED = Symbol('unchanged');

/** A bounded cache in two generations: cheap on every hit, and it keeps whatever was used since the last turnover. */
class NodeCache {
  private young = new Map<string, TrieNode>();
  private old = new Map<string, TrieNode>();

  constructor(private readonly generationSize: number) {}

  get(key: string): TrieNode | undefined {
    const young = this.young.get(key);
    if (young !== undefined) return young;
    const old = this.old.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: string, node: TrieNode): void {
    this.young.set(key, node);
    if (this.young.size >= this.generationSize) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}

export class StateTrie {
  readonly EMPTY_TRIE_ROOT: Uint8Array = EMPTY_ROOT;
  /** The root node; undefined for the empty trie. */
  private top: Child | undefined;
  private checkpoints: (Child | undefined)[] = [];
  private db: TrieKeyValueDb | undefined;

  private constructor(
    private readonly store: TrieNodeStore,
    private readonly cache: NodeCache,
    private readonly hashKeys: boolean,
  ) {}

  static create(store: TrieNodeStore, options: StateTrieOptions): StateTrie {
    const size = options.cacheSize ?? DEFAULT_CACHE_SIZE;
    return new StateTrie(store, new NodeCache(Math.max(1, Math.ceil(size / 2))), options.hashKeys);
  }

  /** The key as the trie stores it (keccak256 of it in a secure trie). */
  appliedKey(key: Uint8Array): Uint8Array {
    return this.hashKeys ? keccak256(key) : key;
  }

  /**
   * Without an argument, the root hash, after hashing and storing whatever
   * changed since it was last taken. With one, moves to that root (null or
   * the empty root: the empty trie); a root equal to the current one keeps the
   * nodes in memory.
   */
  root(value?: Uint8Array | null): Uint8Array {
    if (value === undefined) return this.commitRoot();
    if (value === null || equalBytes(value, EMPTY_ROOT)) {
      this.top = undefined;
      return EMPTY_ROOT;
    }
    if (value.length !== 32) throw new RangeError(`a trie root is 32 bytes, got ${value.length}`);
    const current = this.top;
    const same = current !== undefined && (current instanceof Uint8Array ? equalBytes(current, value) : current.hash !== undefined && equalBytes(current.hash, value));
    if (!same) this.top = value.slice();
    return value;
  }

  /** Whether the store holds the root node of `root`. */
  async checkRoot(root: Uint8Array): Promise<boolean> {
    if (equalBytes(root, EMPTY_ROOT)) return true;
    try {
      await this.load(root);
      return true;
    } catch (err) {
      if (err instanceof ChainStoreError) return false;
      throw err;
    }
  }

  async get(key: Uint8Array): Promise<Uint8Array | null> {
    const path = toNibbles(this.appliedKey(key));
    let child = this.top;
    let at = 0;
    while (child !== undefined) {
      const node = child instanceof Uint8Array ? await this.load(child) : child;
      if (node.kind === 'leaf') return node.path.length === path.length - at && startsWith(path, at, node.path) ? node.value : null;
      if (node.kind === 'ext') {
        if (!startsWith(path, at, node.path)) return null;
        at += node.path.length;
        child = node.child;
        continue;
      }
      if (at === path.length) return node.value ?? null;
      child = node.children[path[at]!];
      at++;
    }
    return null;
  }

  /** Stores `value` at `key`; an empty value deletes the key, as in @ethereumjs/mpt. */
  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    if (value.length === 0) return this.del(key);
    this.top = await this.insert(this.top, toNibbles(this.appliedKey(key)), 0, value);
  }

  async del(key: Uint8Array): Promise<void> {
    const next = await this.remove(this.top, toNibbles(this.appliedKey(key)), 0);
    if (next !== UNCHANGED) this.top = next;
  }

  checkpoint(): void {
    this.checkpoints.push(this.top);
  }

  hasCheckpoints(): boolean {
    return this.checkpoints.length > 0;
  }

  async commit(): Promise<void> {
    if (this.checkpoints.length === 0) throw new RangeError('trie commit without a checkpoint');
    this.checkpoints.pop();
  }

  async revert(): Promise<void> {
    if (this.checkpoints.length === 0) throw new RangeError('trie revert without a checkpoint');
    this.top = this.checkpoints.pop();
  }

  flushCheckpoints(): void {
    this.checkpoints = [];
  }

  /** Another trie at the same root over the same store and cache (MerkleStateManager makes its storage tries so). */
  shallowCopy(includeCheckpoints = true, options?: { keyPrefix?: Uint8Array }): StateTrie {
    if (options?.keyPrefix !== undefined) throw new RangeError('storage trie key prefixes are not supported');
    const copy = new StateTrie(this.store, this.cache, this.hashKeys);
    copy.top = this.top;
    if (includeCheckpoints) copy.checkpoints = [...this.checkpoints];
    return copy;
  }

  /** The node store as a key-value DB with byte keys (MerkleStateManager keeps contract code there). */
  database(): TrieKeyValueDb {
    const { store } = this;
    this.db ??= {
      get: (key) => store.read(bytesToHex(key)),
      put: async (key, value) => store.write(bytesToHex(key), value),
    };
    return this.db;
  }

  // ---------------------------------------------------------------------------

  private commitRoot(): Uint8Array {
    const top = this.top;
    if (top === undefined) return EMPTY_ROOT;
    if (top instanceof Uint8Array) return top;
    const enc = this.encode(top);
    if (top.hash !== undefined) return top.hash;
    // A root is always referred to by hash, even when its RLP is short enough to embed.
    const hash = keccak256(enc);
    this.store.write(bytesToHex(hash), enc);
    return hash;
  }

  private async load(hash: Uint8Array): Promise<TrieNode> {
    const key = bytesToHex(hash);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const enc = await this.store.read(key);
    if (enc === undefined) throw new ChainStoreError('corrupt', `state trie node 0x${key} is missing`);
    const node = decodeNode(enc, key);
    node.enc = enc;
    if (enc.length >= 32) {
      node.hash = hash;
      node.refEnc = hashRef(hash);
    }
    this.cache.set(key, node);
    return node;
  }

  private resolve(child: Child): TrieNode | Promise<TrieNode> {
    return child instanceof Uint8Array ? this.load(child) : child;
  }

  private async insert(child: Child | undefined, path: Uint8Array, at: number, value: Uint8Array): Promise<TrieNode> {
    if (child === undefined) return leaf(path.subarray(at), value);
    const node = await this.resolve(child);
    if (node.kind === 'branch') {
      const children = node.children.slice();
      if (at === path.length) return branch(children, value);
      const i = path[at]!;
      children[i] = await this.insert(children[i], path, at + 1, value);
      return branch(children, node.value);
    }
    const rest = path.subarray(at);
    const common = commonPrefixLength(node.path, rest);
    if (node.kind === 'ext' && common === node.path.length) return ext(node.path, await this.insert(node.child, path, at + common, value));
    if (node.kind === 'leaf' && common === node.path.length && common === rest.length) return leaf(node.path, value);
    // The paths part at `common`: a branch there holds what was here and the new value.
    const children: (Child | undefined)[] = new Array<Child | undefined>(16).fill(undefined);
    let branchValue: Uint8Array | undefined;
    if (node.kind === 'leaf') {
      if (common === node.path.length) branchValue = node.value;
      else children[node.path[common]!] = leaf(node.path.subarray(common + 1), node.value);
    } else {
      const below = node.path.subarray(common + 1);
      children[node.path[common]!] = below.length > 0 ? ext(below, node.child) : node.child;
    }
    if (common === rest.length) branchValue = value;
    else children[rest[common]!] = leaf(rest.subarray(common + 1), value);
    const split = branch(children, branchValue);
    return common > 0 ? ext(rest.subarray(0, common), split) : split;
  }

  private async remove(child: Child | undefined, path: Uint8Array, at: number): Promise<TrieNode | undefined | typeof UNCHANGED> {
    if (child === undefined) return UNCHANGED;
    const node = await this.resolve(child);
    if (node.kind === 'leaf') return node.path.length === path.length - at && startsWith(path, at, node.path) ? undefined : UNCHANGED;
    if (node.kind === 'ext') {
      if (!startsWith(path, at, node.path)) return UNCHANGED;
      const below = await this.remove(node.child, path, at + node.path.length);
      if (below === UNCHANGED || below === undefined) return below;
      return joinPath(node.path, below);
    }
    const children = node.children.slice();
    let value = node.value;
    if (at === path.length) {
      if (value === undefined) return UNCHANGED;
      value = undefined;
    } else {
      const i = path[at]!;
      const below = await this.remove(children[i], path, at + 1);
      if (below === UNCHANGED) return UNCHANGED;
      children[i] = below;
    }
    // A branch left with one entry is no branch: it becomes a leaf, or joins its only child's path.
    let only = -1;
    let count = 0;
    for (let i = 0; i < 16; i++) {
      if (children[i] !== undefined) {
        count++;
        only = i;
      }
    }
    if (count + (value === undefined ? 0 : 1) >= 2) return branch(children, value);
    if (count === 0) return value === undefined ? undefined : leaf(new Uint8Array(0), value);
    return joinPath(Uint8Array.of(only), await this.resolve(children[only]!));
  }

  /** The node's RLP, encoding (and hashing and storing) any new node below it first. */
  private encode(node: TrieNode): Uint8Array {
    if (node.enc !== undefined) return node.enc;
    let enc: Uint8Array;
    if (node.kind === 'leaf') enc = encodeList([encodeString(hexPrefix(node.path, true)), encodeString(node.value)]);
    else if (node.kind === 'ext') enc = encodeList([encodeString(hexPrefix(node.path, false)), this.reference(node.child)]);
    else {
      const items: Uint8Array[] = new Array<Uint8Array>(17);
      for (let i = 0; i < 16; i++) {
        const c = node.children[i];
        items[i] = c === undefined ? EMPTY_STRING_RLP : this.reference(c);
      }
      items[16] = node.value === undefined ? EMPTY_STRING_RLP : encodeString(node.value);
      enc = encodeList(items);
    }
    node.enc = enc;
    if (enc.length >= 32) {
      const hash = keccak256(enc);
      node.hash = hash;
      node.refEnc = hashRef(hash);
      const key = bytesToHex(hash);
      this.store.write(key, enc);
      this.cache.set(key, node);
    } else {
      node.refEnc = enc;
    }
    return enc;
  }

  /** How a parent's RLP includes `child`. */
  private reference(child: Child): Uint8Array {
    if (child instanceof Uint8Array) return hashRef(child);
    if (child.refEnc === undefined) this.encode(child);
    return child.refEnc!;
  }
}

function leaf(path: Uint8Array, value: Uint8Array): LeafNode {
  return { kind: 'leaf', path, value };
}

function ext(path: Uint8Array, child: Child): ExtensionNode {
  return { kind: 'ext', path, child };
}

function branch(children: (Child | undefined)[], value: Uint8Array | undefined): BranchNode {
  return { kind: 'branch', children, value };
}

/** `prefix` followed by `node`'s own path, for a node whose parent branch or extension went away. */
function joinPath(prefix: Uint8Array, node: TrieNode): TrieNode {
  if (node.kind === 'leaf') return leaf(concatBytes(prefix, node.path), node.value);
  if (node.kind === 'ext') return ext(concatBytes(prefix, node.path), node.child);
  return ext(prefix, node);
}

function toNibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i]! >> 4;
    out[2 * i + 1] = key[i]! & 15;
  }
  return out;
}

function startsWith(path: Uint8Array, at: number, prefix: Uint8Array): boolean {
  if (path.length - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (path[at + i] !== prefix[i]) return false;
  return true;
}

function commonPrefixLength(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Hex-prefix encoding of a nibble path (Yellow Paper, appendix C): flag nibble 2 for a leaf, +1 for odd length. */
function hexPrefix(path: Uint8Array, isLeaf: boolean): Uint8Array {
  const odd = path.length & 1;
  const out = new Uint8Array((path.length >> 1) + 1);
  out[0] = (((isLeaf ? 2 : 0) + odd) << 4) | (odd === 1 ? path[0]! : 0);
  for (let i = 1, j = odd; i < out.length; i++, j += 2) out[i] = (path[j]! << 4) | path[j + 1]!;
  return out;
}

function fromHexPrefix(hp: Uint8Array, key: string): { path: Uint8Array; isLeaf: boolean } {
  if (hp.length === 0) throw new ChainStoreError('corrupt', `state trie node 0x${key} has an empty path`);
  const flag = hp[0]! >> 4;
  if (flag > 3) throw new ChainStoreError('corrupt', `state trie node 0x${key} has path flag ${flag}`);
  const odd = flag & 1;
  const path = new Uint8Array((hp.length - 1) * 2 + odd);
  let k = 0;
  if (odd === 1) path[k++] = hp[0]! & 15;
  for (let i = 1; i < hp.length; i++) {
    path[k++] = hp[i]! >> 4;
    path[k++] = hp[i]! & 15;
  }
  return { path, isLeaf: (flag & 2) !== 0 };
}

type Item = Uint8Array | Item[];

function decodeNode(enc: Uint8Array, key: string): TrieNode {
  let item: Item;
  try {
    item = RLP.decode(enc) as Item;
  } catch (err) {
    throw new ChainStoreError('corrupt', `state trie node 0x${key} is not RLP: ${(err as Error).message}`);
  }
  return nodeFromItem(item, key);
}

function nodeFromItem(item: Item, key: string): TrieNode {
  if (!Array.isArray(item)) throw new ChainStoreError('corrupt', `state trie node 0x${key} is not a list`);
  if (item.length === 17) {
    const children = item.slice(0, 16).map((c) => childFromItem(c, key));
    const value = item[16]!;
    if (Array.isArray(value)) throw new ChainStoreError('corrupt', `state trie node 0x${key} has a list as its value`);
    return branch(children, value.length > 0 ? value : undefined);
  }
  if (item.length === 2) {
    const [hp, second] = item as [Item, Item];
    if (Array.isArray(hp)) throw new ChainStoreError('corrupt', `state trie node 0x${key} has a list as its path`);
    const { path, isLeaf } = fromHexPrefix(hp, key);
    if (isLeaf) {
      if (Array.isArray(second)) throw new ChainStoreError('corrupt', `state trie leaf 0x${key} has a list as its value`);
      return leaf(path, second);
    }
    const child = childFromItem(second, key);
    if (child === undefined) throw new ChainStoreError('corrupt', `state trie extension 0x${key} has no child`);
    return ext(path, child);
  }
  throw new ChainStoreError('corrupt', `state trie node 0x${key} is a list of ${item.length}`);
}

function childFromItem(item: Item, key: string): Child | undefined {
  if (Array.isArray(item)) return nodeFromItem(item, key);
  if (item.length === 0) return undefined;
  if (item.length === 32) return item;
  throw new ChainStoreError('corrupt', `state trie node 0x${key} refers to a child by ${item.length} bytes`);
}

function hashRef(hash: Uint8Array): Uint8Array {
  const out = new Uint8Array(33);
  out[0] = 0x80 + 32;
  out.set(hash, 1);
  return out;
}

function lengthHeader(length: number, shortBase: number, longBase: number): Uint8Array {
  if (length < 56) return Uint8Array.of(shortBase + length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.of(longBase + bytes.length, ...bytes);
}

function encodeString(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 1 && bytes[0]! < 0x80) return bytes;
  const header = lengthHeader(bytes.length, 0x80, 0xb7);
  const out = new Uint8Array(header.length + bytes.length);
  out.set(header);
  out.set(bytes, header.length);
  return out;
}

/** A list of already-encoded items. */
function encodeList(items: readonly Uint8Array[]): Uint8Array {
  let payload = 0;
  for (const item of items) payload += item.length;
  const header = lengthHeader(payload, 0xc0, 0xf7);
  const out = new Uint8Array(header.length + payload);
  out.set(header);
  let at = header.length;
  for (const item of items) {
    out.set(item, at);
    at += item.length;
  }
  return out;
}
