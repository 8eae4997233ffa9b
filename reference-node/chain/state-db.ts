/**
 * The state trie's key-value store, for our StateTrie (TrieNodeStore) and in
 * the shape @ethereumjs/mpt wants (its DB interface: hex-string keys, byte or
 * hex values), which the account reader uses. Writes stay in memory
 * until the chain takes them into the atomic batch that also writes the blocks
 * and moves the head, so a crash never leaves a head whose state is missing.
 * Nothing is ever deleted: trie nodes are addressed by hash and shared between
 * the states of many blocks, and the store keeps every block's state.
 */
import type { BatchDBOp, DB, EncodingOpts } from '@ethereumjs/util';
import { bytesToHex, hexToBytes } from '../wire/bytes.js';
import type { TrieNodeStore } from './state-trie.js';

/** Where committed state lives (a sublevel of the chain store, or a map in tests). */
export interface StateBackend {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
}

type Value = Uint8Array | string;

export class StateDb implements DB<string, Value>, TrieNodeStore {
  private pending = new Map<string, Uint8Array>();
  /** Counts discards, so a reader that caches state can tell its cache may describe writes that are gone. */
  generation = 0;

  constructor(private readonly backend: StateBackend) {}

  async get(key: string, opts?: EncodingOpts): Promise<Value | undefined> {
    const value = this.pending.get(key) ?? (await this.backend.get(hexToBytes(key)));
    if (value === undefined) return undefined;
    return opts?.valueEncoding === 'string' ? bytesToHex(value) : value;
  }

  /** TrieNodeStore: the bytes under an unprefixed-hex key. */
  async read(key: string): Promise<Uint8Array | undefined> {
    return this.pending.get(key) ?? (await this.backend.get(hexToBytes(key)));
  }

  /** TrieNodeStore: a pending write, synchronous (the trie writes while it hashes). */
  write(key: string, value: Uint8Array): void {
    this.pending.set(key, value);
  }

  async put(key: string, value: Value): Promise<void> {
    this.pending.set(key, typeof value === 'string' ? hexToBytes(value) : value);
  }

  async del(): Promise<void> {
    // Never delete: see the module comment.
  }

  async batch(ops: BatchDBOp<string, Value>[]): Promise<void> {
    for (const op of ops) if (op.type === 'put') await this.put(op.key, op.value);
  }

  shallowCopy(): DB<string, Value> {
    return this;
  }

  async open(): Promise<void> {}

  /** The writes since the last take, as (key, value) pairs for the store's batch; they are no longer pending. */
  takeWrites(): [Uint8Array, Uint8Array][] {
    const out: [Uint8Array, Uint8Array][] = [];
    for (const [key, value] of this.pending) out.push([hexToBytes(key), value]);
    this.pending = new Map();
    return out;
  }

  /** Drops the writes of a failed import. */
  discard(): void {
    this.pending = new Map();
    this.generation++;
  }
}
