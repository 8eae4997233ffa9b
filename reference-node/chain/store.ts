/**
 * The block store on abstract-level: LevelDB (classic-level) in a directory,
 * memory-level without one. Layout, one sublevel per record kind, keyed by
 * block hash unless noted (as geth's rawdb keeps them apart):
 *
 *   h  header RLP           b  body RLP            r  receipts (eth/69 form) RLP
 *   t  total difficulty     n  number (8 bytes BE) → canonical hash
 *   s  state trie nodes and code, keyed by the trie's own keys
 *   m  meta: "version", "genesis" hash, "head" hash
 *
 * Every change goes through write(), which is one db.batch(): the blocks of
 * an import, their state, the canonical index and the head pointer land
 * together or not at all, so a kill -9 at any moment leaves the previous head
 * or the new one, each with all it points to.
 */
import type { AbstractBatchOperation, AbstractLevel, AbstractSublevel } from 'abstract-level';
import { ClassicLevel } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import { bigIntToFixed, bytesToBigInt, bytesToHex, uintToBytes, utf8 } from '../wire/bytes.js';
import type { Hash32 } from '../wire/tx/types.js';
import { ChainStoreError } from './errors.js';
import type { StateBackend } from './state-db.js';

/** Bump when the layout changes; an older store is refused rather than misread. */
export const CHAIN_STORE_VERSION = '1';

type Bytes = Uint8Array;
// Both backends are abstract-levels; the store needs nothing beyond that interface.
type Db = AbstractLevel<string | Bytes, Bytes, Bytes>;
type Sub = AbstractSublevel<Db, string | Bytes, Bytes, Bytes>;

export interface StoredBlockRecord {
  hash: Hash32;
  headerRlp: Bytes;
  bodyRlp: Bytes;
  receiptsRlp: Bytes;
  td: bigint;
}

export interface StoreBatch {
  blocks: readonly StoredBlockRecord[];
  /** Canonical index changes; a hash of undefined removes the number (a reorg to a shorter chain). */
  canonical: readonly { number: bigint; hash: Hash32 | undefined }[];
  head?: Hash32;
  genesis?: Hash32;
  state: readonly [Bytes, Bytes][];
}

/** Everything but the state, as read on open. Keys of the maps are hex hashes. */
export interface LoadedStore {
  genesis: Hash32 | undefined;
  head: Hash32 | undefined;
  headers: Map<string, Bytes>;
  bodies: Map<string, Bytes>;
  receipts: Map<string, Bytes>;
  td: Map<string, bigint>;
  canonical: Map<bigint, Hash32>;
}

/** The backends hand out Buffers; Buffer never leaves a module here (decoded fields would be Buffers too). */
function plain(bytes: Bytes): Bytes;
function plain(bytes: Bytes | undefined): Bytes | undefined;
function plain(bytes: Bytes | undefined): Bytes | undefined {
  return bytes === undefined || Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes);
}

const META_VERSION = utf8('version');
const META_GENESIS = utf8('genesis');
const META_HEAD = utf8('head');

export class BlockStore {
  private readonly headers: Sub;
  private readonly bodies: Sub;
  private readonly receipts: Sub;
  private readonly td: Sub;
  private readonly canonical: Sub;
  private readonly stateSub: Sub;
  private readonly meta: Sub;
  private closed = false;

  private constructor(
    private readonly db: Db,
    /** The directory of an on-disk store; undefined in memory. */
    readonly location: string | undefined,
  ) {
    const sub = (name: string): Sub => db.sublevel<Bytes, Bytes>(name, { keyEncoding: 'view', valueEncoding: 'view' });
    this.headers = sub('h');
    this.bodies = sub('b');
    this.receipts = sub('r');
    this.td = sub('t');
    this.canonical = sub('n');
    this.stateSub = sub('s');
    this.meta = sub('m');
  }

  static async open(dir?: string): Promise<BlockStore> {
    const options = { keyEncoding: 'view', valueEncoding: 'view' } as const;
    const db: Db = dir === undefined ? new MemoryLevel<Bytes, Bytes>(options) : new ClassicLevel<Bytes, Bytes>(dir, options);
    await db.open();
    const store = new BlockStore(db, dir);
    const version = await store.meta.get(META_VERSION);
    if (version !== undefined && new TextDecoder().decode(version) !== CHAIN_STORE_VERSION) {
      await db.close();
      throw new ChainStoreError('corrupt', `${dir ?? 'store'} has layout version ${new TextDecoder().decode(version)}, this node writes ${CHAIN_STORE_VERSION}`);
    }
    return store;
  }

  /** The committed state, for the StateDb in front of it. */
  readonly stateBackend: StateBackend = {
    get: async (key) => plain(await this.stateSub.get(key)),
  };

  async load(): Promise<LoadedStore> {
    const all = async (sub: Sub) => {
      const out = new Map<string, Bytes>();
      for await (const [key, value] of sub.iterator()) out.set(bytesToHex(key), plain(value));
      return out;
    };
    const td = new Map<string, bigint>();
    for (const [key, value] of await all(this.td)) td.set(key, bytesToBigInt(value));
    const canonical = new Map<bigint, Hash32>();
    for await (const [key, value] of this.canonical.iterator()) canonical.set(bytesToBigInt(key), plain(value));
    return {
      genesis: plain(await this.meta.get(META_GENESIS)),
      head: plain(await this.meta.get(META_HEAD)),
      headers: await all(this.headers),
      bodies: await all(this.bodies),
      receipts: await all(this.receipts),
      td,
      canonical,
    };
  }

  /** Applies the whole batch atomically. */
  async write(batch: StoreBatch): Promise<void> {
    if (this.closed) throw new ChainStoreError('closed', 'the store is closed');
    const ops: AbstractBatchOperation<Db, Bytes, Bytes>[] = [];
    const put = (sublevel: Sub, key: Bytes, value: Bytes) => ops.push({ type: 'put', sublevel, key, value });
    // State first in the list for readability only: a batch has no order that a crash could expose.
    for (const [key, value] of batch.state) put(this.stateSub, key, value);
    for (const b of batch.blocks) {
      put(this.headers, b.hash, b.headerRlp);
      put(this.bodies, b.hash, b.bodyRlp);
      put(this.receipts, b.hash, b.receiptsRlp);
      put(this.td, b.hash, uintToBytes(b.td));
    }
    for (const { number, hash } of batch.canonical) {
      const key = bigIntToFixed(number, 8);
      if (hash === undefined) ops.push({ type: 'del', sublevel: this.canonical, key });
      else put(this.canonical, key, hash);
    }
    if (batch.genesis !== undefined) {
      put(this.meta, META_VERSION, utf8(CHAIN_STORE_VERSION));
      put(this.meta, META_GENESIS, batch.genesis);
    }
    if (batch.head !== undefined) put(this.meta, META_HEAD, batch.head);
    await this.db.batch(ops);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }
}
