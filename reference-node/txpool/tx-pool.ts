/**
 * The transaction pool, following geth's legacypool (and the blob pool's rules
 * for type-3 txs, kept in the same pool here):
 *
 * - admission: validation.ts (geth's ValidateTransaction and
 *   ValidateTransactionWithState, cumulative cost of the sender's pending txs);
 * - per sender, `pending` is the gap-free run from the account nonce (what the
 *   miner and broadcast see) and `queued` is everything behind a nonce gap;
 * - a same-nonce replacement needs a 10 % bump of fee cap and tip (100 % for
 *   blob txs, whose senders may hold blob txs only, gap-free, at most 16);
 * - limits as geth's defaults: 16 executable per account (only enforced when
 *   the pool holds more than 5120 executable txs: truncatePending), 64 queued
 *   per account, 1024 queued in all (oldest accounts first: truncateQueue);
 *   when all slots (32 KiB each) are taken, a remote tx must beat the cheapest
 *   remote one, which is evicted for it; local txs are exempt from eviction,
 *   the tip floor and the limits, as in geth before 1.15;
 * - queued txs of an account with no promotion for 3 h are evicted (checked
 *   every minute);
 * - on a new head every sender's nonce and balance are re-read, included and
 *   unpayable txs are dropped, txs behind a new gap are demoted, and txs of
 *   blocks that left the canonical chain (a reorg up to 64 deep) go back in;
 * - local txs are journalled (journal.ts) and restored by load().
 *
 * Events: 'added' once for every tx that enters (pending or queued, with an
 * `executable` flag), never for a rejected one; 'promoted' when queued txs
 * become executable later (geth announces txs when they become executable).
 * A tx that a limit evicts in the same step it was added is reported to its
 * caller as rejected (geth would accept it and drop it in the next reorg).
 * Hashes refused as underpriced (and other faults re-fetching cannot fix)
 * are remembered for 5 minutes for the tx fetcher (recentlyRejected).
 *
 * Every change runs in one serial queue, so each add sees a consistent pool
 * while reads (get, pending, status) stay synchronous.
 *
 * Lifecycle: `new TxPool(chain, { journalPath })` works at once; `await
 * pool.load()` then restores the journal (and rotates it hourly); or use
 * `await TxPool.open(chain, options)` for both. `close()` stops the timers.
 */
import type { Chain } from '../chain/chain.js';
import { forkRules } from '../chain/config.js';
import { calcBaseFee } from '../chain/eip1559.js';
import { TypedEvents, type EventMap } from '../p2p/typed-events.js';
import { headerHash, type Block, type BlockHeader } from '../wire/block.js';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import { transactionHash } from '../wire/tx/hash.js';
import type { Address, Hash32, Transaction, TxType } from '../wire/tx/types.js';
import { TxJournal } from './journal.js';
import { PriceHeap } from './price-heap.js';
import { isDoNotRefetch, RecentRejections } from './recent-rejections.js';
import {
  isPriceBumped,
  maxCost,
  tipCap,
  TxPoolError,
  validateAgainstAccount,
  validateStateless,
  type BlobProofVerifier,
  type HeadContext,
  type TxRejection,
} from './validation.js';
import { fault } from '../faults/index.js';

export { JOURNAL_FILE_NAME } from './journal.js';

/** geth's legacypool.Config, with its defaults below. */
export interface TxPoolConfig {
  /** Minimum tip for remote txs (geth's PriceLimit / gas tip), in wei. */
  priceLimit: bigint;
  /** Replacement bump in percent (geth's PriceBump). */
  priceBump: bigint;
  /** Replacement bump for blob txs (geth's blobpool). */
  blobPriceBump: bigint;
  /** Executable txs an account keeps when the pool must shed (AccountSlots). */
  accountSlots: number;
  /** Executable txs in all before fairness trimming starts (GlobalSlots). */
  globalSlots: number;
  /** Queued txs per account (AccountQueue). */
  accountQueue: number;
  /** Queued txs in all (GlobalQueue). */
  globalQueue: number;
  /** Blob txs per account (geth's blobpool maxTxsPerAccount). */
  blobAccountLimit: number;
  /** How long an account's queued txs live without a promotion (Lifetime). */
  lifetimeMs: number;
  /** How often the journal is rewritten (Rejournal). */
  rejournalMs: number;
}

export const DEFAULT_TX_POOL_CONFIG: Readonly<TxPoolConfig> = {
  priceLimit: 1n,
  priceBump: 10n,
  blobPriceBump: 100n,
  accountSlots: 16,
  globalSlots: 4096 + 1024,
  accountQueue: 64,
  globalQueue: 1024,
  blobAccountLimit: 16,
  lifetimeMs: 3 * 60 * 60_000,
  rejournalMs: 60 * 60_000,
};

/** geth's txSlotSize: the pool's capacity is counted in 32 KiB slots. */
export const TX_SLOT_SIZE = 32 * 1024;
/** geth's evictionInterval. */
export const EVICTION_INTERVAL_MS = 60_000;
/** geth skips reinjecting txs of reorgs deeper than this. */
export const MAX_REORG_DEPTH = 64n;
/** addRemotes and load let the event loop run after this much work. */
const YIELD_AFTER_MS = 10;

export interface TxPoolOptions extends Partial<TxPoolConfig> {
  /** Where local txs are journalled (<datadir>/transactions.rlp); none: no journal. */
  journalPath?: string;
  /** Milliseconds clock, for lifetime and rejection expiry (tests inject one). */
  now?: () => number;
  /** KZG proof check for blob sidecars; without one, proofs are not verified (validation.ts says why). */
  blobProofVerifier?: BlobProofVerifier;
  log?: (line: string) => void;
}

export type PoolChain = Pick<Chain, 'config' | 'head' | 'headerByHash' | 'blockByHash' | 'accountAt' | 'onNewHead'>;

export interface PooledTx {
  tx: Transaction;
  hash: Hash32;
  sender: Address;
  type: TxType;
  /** Length of the consensus encoding (type || payload, or the legacy RLP list): what eth/68 announces. */
  size: number;
  /** Length with the blob sidecar (what PooledTransactions carries and geth's tx.Size()); equals size for non-blob txs. */
  networkSize: number;
}

export type AddedTx = PooledTx & {
  local: boolean;
  origin?: string;
  /** In pending (executable now) rather than queued behind a nonce gap. */
  executable: boolean;
};

export interface TxPoolEvents extends EventMap {
  /** A tx entered the pool (pending or queued); once per tx, never for a rejected one. */
  added: [entry: AddedTx];
  /**
   * Queued txs became executable (a gap was filled, or the account nonce
   * caught up). geth announces txs when they become executable; a listener
   * that skips non-executable 'added' txs gets them here.
   */
  promoted: [entries: PooledTx[]];
}

export interface AddOptions {
  /** Submitted by this node's user (RPC); default true. Local txs are journalled and exempt from eviction and the tip floor. */
  local?: boolean;
  /** The peer it came from (hex node id). */
  origin?: string;
}

interface Entry extends PooledTx {
  key: string;
  senderKey: string;
  cost: bigint;
  slots: number;
  origin: string | undefined;
  /** In the price heap (a remote tx of a remote account). */
  inHeap: boolean;
}

interface Prepared {
  tx: Transaction;
  hash: Hash32;
  key: string;
  sender: Address;
  size: number;
  networkSize: number;
}

interface InsertOptions {
  local: boolean;
  origin: string | undefined;
  /** Append to the journal if the sender is local (false while loading the journal itself). */
  journal: boolean;
}

interface Removal {
  reason: TxRejection;
  message: string;
}

interface PoolHead {
  hash: Hash32;
  header: BlockHeader;
}

/** A Map that keeps a pool-wide count of its entries, so the limits need no walk over all accounts. */
class CountedMap<K, V> extends Map<K, V> {
  constructor(private readonly counter: { n: number }) {
    super();
  }
  override set(key: K, value: V): this {
    if (!this.has(key)) this.counter.n++;
    return super.set(key, value);
  }
  override delete(key: K): boolean {
    const had = super.delete(key);
    if (had) this.counter.n--;
    return had;
  }
  override clear(): void {
    this.counter.n -= this.size;
    super.clear();
  }
}

interface Counters {
  pending: { n: number };
  queued: { n: number };
}

class Account {
  readonly pending: Map<bigint, Entry>;
  readonly queued: Map<bigint, Entry>;
  /** Last promotion, or when the queue first got a tx (geth's beats); undefined while the queue is empty. */
  beat: number | undefined;

  constructor(
    readonly address: Address,
    readonly key: string,
    public nonce: bigint,
    public balance: bigint,
    counters: Counters,
  ) {
    this.pending = new CountedMap(counters.pending);
    this.queued = new CountedMap(counters.queued);
  }

  get size(): number {
    return this.pending.size + this.queued.size;
  }

  /** The nonce after the pending run (geth's pending nonce). */
  nextNonce(): bigint {
    return this.nonce + BigInt(this.pending.size);
  }

  pendingRun(): Entry[] {
    const run: Entry[] = [];
    for (let n = this.nonce; ; n++) {
      const e = this.pending.get(n);
      if (e === undefined) return run;
      run.push(e);
    }
  }

  queuedSorted(): Entry[] {
    return [...this.queued.values()].sort((a, b) => (a.tx.nonce < b.tx.nonce ? -1 : 1));
  }

  pendingCost(): bigint {
    let sum = 0n;
    for (const e of this.pending.values()) sum += e.cost;
    return sum;
  }

  holdsBlobTxs(): boolean {
    const first = this.pending.values().next().value ?? this.queued.values().next().value;
    return first?.type === 3;
  }
}

export class TxPool {
  readonly config: Readonly<TxPoolConfig>;
  private readonly events = new TypedEvents<TxPoolEvents>();
  private readonly all = new Map<string, Entry>();
  private allSlots = 0;
  private readonly counters: Counters = { pending: { n: 0 }, queued: { n: 0 } };
  private readonly accounts = new Map<string, Account>();
  /** Senders that ever submitted a local tx: all their txs count as local (geth's locals set). */
  private readonly localSenders = new Set<string>();
  private readonly priced: PriceHeap<Entry>;
  private readonly rejected: RecentRejections;
  private readonly journal: TxJournal | undefined;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly blobProofVerifier: BlobProofVerifier | undefined;
  private head: PoolHead;
  private baseFee: bigint | undefined;
  private lock: Promise<void> = Promise.resolve();
  /** Why txs left the pool during the add in progress (to tell its caller if it was its own tx). */
  private removals: Map<string, Removal> | undefined;
  /** Txs moved from queued to pending since the last 'promoted' event. */
  private promotedSinceEmit: Entry[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private rejournalTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly chain: PoolChain,
    options: TxPoolOptions = {},
  ) {
    const { journalPath, now, blobProofVerifier, log, ...config } = options;
    this.config = { ...DEFAULT_TX_POOL_CONFIG, ...config };
    this.now = now ?? Date.now;
    this.log = log ?? (() => undefined);
    this.blobProofVerifier = blobProofVerifier;
    this.journal = journalPath !== undefined ? new TxJournal(journalPath) : undefined;
    this.rejected = new RecentRejections(this.now);
    this.head = this.currentChainHead();
    this.baseFee = this.nextBaseFee(this.head.header);
    this.priced = new PriceHeap<Entry>((e) => e.inHeap && this.all.get(e.key) === e, this.baseFee);
    this.unsubscribe = chain.onNewHead(() => {
      void this.serial(() => this.resetLocked()).catch((err: unknown) => this.log(`txpool: reset failed: ${String(err)}`));
    });
    const evict = setInterval(() => void this.expireQueued(), EVICTION_INTERVAL_MS);
    evict.unref();
    this.timers.push(evict);
  }

  /** new TxPool + load(). */
  static async open(chain: PoolChain, options: TxPoolOptions = {}): Promise<TxPool> {
    const pool = new TxPool(chain, options);
    try {
      await pool.load();
    } catch (err) {
      pool.close();
      throw err;
    }
    return pool;
  }

  /**
   * Restores the journal's txs as local ones, rewrites the journal with what
   * was accepted, and from then on rewrites it every `rejournalMs` (geth's
   * journal load + rotate). Without a journal path it does nothing.
   */
  async load(): Promise<{ loaded: number; dropped: number }> {
    const journal = this.journal;
    if (journal === undefined) return { loaded: 0, dropped: 0 };
    const { txs, error } = journal.read();
    if (error !== undefined) this.log(`txpool: journal ${journal.path} is damaged after ${txs.length} txs: ${error}`);
    const results = await this.addMany(txs, { local: true, origin: undefined, journal: false });
    const loaded = results.filter((r) => !(r instanceof TxPoolError)).length;
    await this.rotateJournal();
    if (this.rejournalTimer === undefined && !this.closed) {
      this.rejournalTimer = setInterval(() => void this.rotateJournal(), this.config.rejournalMs);
      this.rejournalTimer.unref();
      this.timers.push(this.rejournalTimer);
    }
    this.log(`txpool: loaded ${loaded} of ${txs.length} journalled txs`);
    return { loaded, dropped: txs.length - loaded };
  }

  on<K extends keyof TxPoolEvents>(event: K, listener: (...args: TxPoolEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Validates and adds; resolves with the hash, rejects with TxPoolError. */
  add(tx: Transaction, options: AddOptions = {}): Promise<Hash32> {
    return this.addOne(tx, { local: options.local ?? true, origin: options.origin, journal: true });
  }

  /**
   * Adds txs that came from a peer: one result per tx, in order; a bad tx
   * gives its TxPoolError, never a throw. The event loop gets a turn every
   * 10 ms, so a 5000-tx message does not stall the node's connections.
   */
  addRemotes(txs: readonly Transaction[], origin: string): Promise<Array<Hash32 | TxPoolError>> {
    return this.addMany(txs, { local: false, origin, journal: true });
  }

  get(hash: Uint8Array): Transaction | undefined {
    return this.all.get(bytesToHex(hash))?.tx;
  }

  has(hash: Uint8Array): boolean {
    return this.all.has(bytesToHex(hash));
  }

  /** True for a hash refused in the last 5 minutes for a reason re-fetching cannot fix (recent-rejections.ts). */
  recentlyRejected(hash: Uint8Array): boolean {
    return this.rejected.has(bytesToHex(hash));
  }

  /** Executable txs: per sender the gap-free run from its account nonce, senders by best first tip. */
  pending(): Transaction[] {
    return this.pendingRuns().flatMap((run) => run.map((e) => e.tx));
  }

  /** pending(), with hash, sender, type and sizes. */
  pendingEntries(): PooledTx[] {
    return this.pendingRuns().flatMap((run) => run.map(publicView));
  }

  /** The next nonce of a sender counting its pending txs (geth's pool Nonce), or undefined if the pool holds none of its txs. */
  pendingNonce(address: Uint8Array): bigint | undefined {
    return this.accounts.get(bytesToHex(address))?.nextNonce();
  }

  /** Every sender's txs, pending and queued, each in nonce order (geth's Content, for txpool_content). */
  content(): Array<{ sender: Address; pending: Transaction[]; queued: Transaction[] }> {
    return [...this.accounts.values()].map((a) => ({
      sender: a.address,
      pending: a.pendingRun().map((e) => e.tx),
      queued: a.queuedSorted().map((e) => e.tx),
    }));
  }

  /** txpool_status: how many are pending and how many wait behind a nonce gap. */
  status(): { pending: number; queued: number } {
    return { pending: this.counters.pending.n, queued: this.counters.queued.n };
  }

  /** Settles once every change asked for so far (adds, head changes) is done. */
  async settled(): Promise<void> {
    let tail: Promise<void>;
    do {
      tail = this.lock;
      await tail;
    } while (tail !== this.lock);
  }

  /** Evicts the queued txs of remote accounts that saw no promotion within the lifetime; runs every minute on its own. */
  expireQueued(): Promise<number> {
    return this.serial(() => this.expireLocked());
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const t of this.timers) clearInterval(t);
  }

  // -------------------------------------------------------------------------
  // Adding

  /** One add after the other, with a turn for the event loop every YIELD_AFTER_MS. */
  private async addMany(txs: readonly Transaction[], options: InsertOptions): Promise<Array<Hash32 | TxPoolError>> {
    const results: Array<Hash32 | TxPoolError> = [];
    let since = performance.now();
    for (const tx of txs) {
      if (performance.now() - since > YIELD_AFTER_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        since = performance.now();
      }
      results.push(
        await this.addOne(tx, options).catch((err: unknown) => {
          if (err instanceof TxPoolError) return err;
          throw err;
        }),
      );
    }
    return results;
  }

  private addOne(tx: Transaction, options: InsertOptions): Promise<Hash32> {
    let prepared: Prepared;
    try {
      prepared = this.prepare(tx, options.local);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.serial(() => this.insertLocked(prepared, options));
  }

  /** The stateless part (geth's ValidateTxBasics), outside the queue: known check, validation, sender recovery. */
  private prepare(tx: Transaction, local: boolean): Prepared {
    if (this.closed) throw new TxPoolError('closed', 'txpool closed');
    let hash: Hash32;
    try {
      hash = transactionHash(tx);
    } catch (err) {
      // Only a tx built in-process can fail to encode (a decoded one always re-encodes).
      throw new TxPoolError('malformed', `invalid transaction: ${(err as Error).message}`);
    }
    const key = bytesToHex(hash);
    if (this.all.has(key)) throw new TxPoolError('alreadyKnown', 'already known');
    try {
      const checked = validateStateless(tx, this.chain.config, this.headContext(), {
        minTip: (sender) => (local || this.localSenders.has(bytesToHex(sender)) ? 0n : this.config.priceLimit),
        ...(this.blobProofVerifier !== undefined ? { blobProofVerifier: this.blobProofVerifier } : {}),
      });
      return { tx, hash, key, ...checked };
    } catch (err) {
      const rejection = err instanceof TxPoolError ? err : new TxPoolError('malformed', `invalid transaction: ${(err as Error).message}`);
      if (isDoNotRefetch(rejection.reason, tx)) this.rejected.add(key);
      throw rejection;
    }
  }

  /** The stateful part, inside the queue. */
  private async insertLocked(p: Prepared, options: InsertOptions): Promise<Hash32> {
    if (this.closed) throw new TxPoolError('closed', 'txpool closed');
    if (this.all.has(p.key)) throw new TxPoolError('alreadyKnown', 'already known');
    const account = await this.loadAccount(p.sender);
    const removals = new Map<string, Removal>();
    this.removals = removals;
    let entry: Entry;
    try {
      entry = this.place(p, account, options);
      this.enforceGlobalLimits();
    } catch (err) {
      this.removals = undefined;
      this.forgetIfEmpty(account);
      this.emitPromoted();
      if (err instanceof TxPoolError && isDoNotRefetch(err.reason, p.tx)) this.rejected.add(p.key);
      throw err;
    }
    this.removals = undefined;
    if (this.all.get(p.key) !== entry) {
      // The limits evicted the tx that was just placed.
      this.emitPromoted();
      const why = removals.get(p.key) ?? { reason: 'poolFull', message: 'txpool is full' };
      throw new TxPoolError(why.reason, why.message);
    }
    const local = this.localSenders.has(account.key);
    if (local && options.journal && this.journal !== undefined) {
      try {
        this.journal.insert(p.tx);
      } catch (err) {
        this.log(`txpool: failed to journal local tx 0x${p.key}: ${String(err)}`);
      }
    }
    this.rejected.delete(p.key);
    const executable = this.isPendingEntry(entry);
    this.events.emit('added', { ...publicView(entry), local, executable, ...(entry.origin !== undefined ? { origin: entry.origin } : {}) });
    this.emitPromoted(entry);
    return p.hash;
  }

  /**
   * Checks a tx against its sender's account and the pool, makes room if the
   * pool is full, and puts it in pending or queued (geth's add + enqueueTx +
   * promoteExecutables for one account).
   */
  private place(p: Prepared, account: Account, options: InsertOptions): Entry {
    const { tx } = p;
    const isLocal = options.local || this.localSenders.has(account.key);
    validateAgainstAccount(tx, account, account.pendingCost(), account.pending.get(tx.nonce)?.cost);
    const isBlob = tx.type === 3;
    // geth's subpool reservation: an address's txs are all blob txs or all not.
    if (account.size > 0 && account.holdsBlobTxs() !== isBlob) throw new TxPoolError('addressReserved', 'address already reserved');
    if (isBlob) {
      // The blob pool keeps no nonce gaps and at most 16 txs per account.
      const next = account.nextNonce();
      if (tx.nonce > next) throw new TxPoolError('nonceTooHigh', `nonce too high: tx nonce ${tx.nonce}, gapped nonce ${next}`);
      if (tx.nonce === next && account.pending.size >= this.config.blobAccountLimit) {
        throw new TxPoolError('accountLimit', `account limit exceeded: pooled ${account.pending.size} txs`);
      }
    }
    const old = account.pending.get(tx.nonce) ?? account.queued.get(tx.nonce);
    if (old !== undefined && !fault('txpool-accept-underpriced-replacement') && !isPriceBumped(old.tx, tx, isBlob ? this.config.blobPriceBump : this.config.priceBump)) {
      throw new TxPoolError('replacementUnderpriced', 'replacement transaction underpriced');
    }
    const entry: Entry = {
      tx,
      hash: p.hash,
      sender: p.sender,
      type: tx.type,
      size: p.size,
      networkSize: p.networkSize,
      key: p.key,
      senderKey: account.key,
      cost: maxCost(tx),
      slots: Math.ceil(p.networkSize / TX_SLOT_SIZE),
      origin: options.origin,
      inHeap: false,
    };
    this.makeRoom(entry, account, old, isLocal);
    if (options.local && !this.localSenders.has(account.key)) this.markLocal(account);

    // Discarding may have removed or demoted txs of this account: look again.
    const replaced = account.pending.get(tx.nonce) ?? account.queued.get(tx.nonce);
    if (replaced !== undefined) this.forget(replaced, { reason: 'alreadyKnown', message: 'replaced by a better-paying tx' });
    this.all.set(entry.key, entry);
    this.allSlots += entry.slots;
    if (!this.localSenders.has(account.key)) {
      entry.inHeap = true;
      this.priced.push(entry);
    }
    if (replaced !== undefined && account.pending.get(tx.nonce) === replaced) {
      account.pending.set(tx.nonce, entry);
      account.beat = this.now();
    } else if (replaced !== undefined) {
      account.queued.set(tx.nonce, entry);
    } else if (tx.nonce === account.nextNonce()) {
      account.pending.set(tx.nonce, entry);
      account.beat = this.now();
    } else {
      account.queued.set(tx.nonce, entry);
      account.beat ??= this.now();
    }
    this.promote(account);
    this.capQueue(account);
    return entry;
  }

  /** geth's "pool is full" branch: underpriced check, then evict the cheapest remote txs for the new one. */
  private makeRoom(entry: Entry, account: Account, old: Entry | undefined, isLocal: boolean): void {
    const limit = this.config.globalSlots + this.config.globalQueue;
    const over = this.allSlots - (old?.slots ?? 0) + entry.slots - limit;
    if (over <= 0) return;
    if (!isLocal && this.priced.underpriced(entry.tx)) throw new TxPoolError('underpriced', 'transaction underpriced');
    const { drop, success } = this.priced.discard(over, isLocal);
    if (!isLocal && !success) throw new TxPoolError('poolFull', 'txpool is full');
    // A tx that cannot execute yet must never push out an executable one.
    if (!isLocal && this.isGapped(account, entry.tx) && drop.some((e) => this.isPendingEntry(e))) {
      for (const e of drop) this.priced.push(e);
      throw new TxPoolError('futureReplacePending', 'future transaction tries to replace pending');
    }
    for (const e of drop) {
      e.inHeap = false;
      this.removeEntry(e, { reason: 'underpriced', message: 'transaction underpriced' });
    }
  }

  /** geth's isGapped: the tx would sit behind a nonce gap the queue does not fill. */
  private isGapped(account: Account, tx: Transaction): boolean {
    for (let n = account.nextNonce(); n < tx.nonce; n++) if (!account.queued.has(n)) return true;
    return false;
  }

  private isPendingEntry(e: Entry): boolean {
    return this.accounts.get(e.senderKey)?.pending.get(e.tx.nonce) === e;
  }

  /** A sender's first local tx makes all its txs local: out of the price heap for good. */
  private markLocal(account: Account): void {
    this.localSenders.add(account.key);
    let migrated = 0;
    for (const e of [...account.pending.values(), ...account.queued.values()]) {
      if (e.inHeap) {
        e.inHeap = false;
        migrated++;
      }
    }
    if (migrated > 0) this.priced.removed(migrated);
  }

  private async loadAccount(address: Address): Promise<Account> {
    const key = bytesToHex(address);
    const known = this.accounts.get(key);
    if (known !== undefined) return known;
    const state = await this.chain.accountAt(address, this.head.hash);
    const account = this.accounts.get(key) ?? new Account(address, key, state?.nonce ?? 0n, state?.balance ?? 0n, this.counters);
    this.accounts.set(key, account);
    return account;
  }

  // -------------------------------------------------------------------------
  // Moving and removing

  /** Moves queued txs that the pending run now reaches into pending (geth's promoteExecutables Ready). */
  private promote(account: Account): void {
    let moved = false;
    for (let n = account.nextNonce(); ; n++) {
      const e = account.queued.get(n);
      if (e === undefined) break;
      account.queued.delete(n);
      account.pending.set(n, e);
      this.promotedSinceEmit.push(e);
      moved = true;
    }
    if (moved) account.beat = this.now();
    if (account.queued.size === 0) account.beat = undefined;
  }

  /** geth's queue Cap: a remote account keeps at most accountQueue queued txs, the lowest nonces. */
  private capQueue(account: Account): void {
    if (this.localSenders.has(account.key)) return;
    const excess = account.queued.size - this.config.accountQueue;
    if (excess <= 0) return;
    const highest = account.queuedSorted().slice(-excess);
    for (const e of highest) {
      this.removeEntry(e, { reason: 'accountLimit', message: `account limit exceeded: ${this.config.accountQueue} queued txs` });
    }
  }

  private enforceGlobalLimits(): void {
    this.truncatePending();
    this.truncateQueue();
  }

  /**
   * geth's truncatePending: while more than globalSlots txs are executable,
   * remote accounts holding more than accountSlots give up their highest
   * nonces, the biggest first and then evenly, never below accountSlots.
   */
  private truncatePending(): void {
    let pending = this.counters.pending.n;
    if (pending <= this.config.globalSlots) return;
    const spammers = [...this.accounts.values()]
      .filter((a) => !this.localSenders.has(a.key) && a.pending.size > this.config.accountSlots)
      .sort((a, b) => b.pending.size - a.pending.size);
    const dropHighest = (a: Account) => {
      const run = a.pendingRun();
      const last = run[run.length - 1];
      if (last === undefined) return;
      this.removeEntry(last, {
        reason: 'accountLimit',
        message: `account limit exceeded: more than ${this.config.accountSlots} executable txs while the pool is full`,
      });
      pending--;
    };
    const offenders: Account[] = [];
    for (const offender of spammers) {
      if (pending <= this.config.globalSlots) break;
      offenders.push(offender);
      if (offenders.length < 2) continue;
      const threshold = offender.pending.size;
      while (pending > this.config.globalSlots && offenders[offenders.length - 2]!.pending.size > threshold) {
        for (const a of offenders.slice(0, -1)) dropHighest(a);
      }
    }
    if (pending > this.config.globalSlots && offenders.length > 0) {
      while (pending > this.config.globalSlots && offenders[offenders.length - 1]!.pending.size > this.config.accountSlots) {
        for (const a of offenders) dropHighest(a);
      }
    }
  }

  /** geth's truncateQueue: over globalQueue queued txs, remote accounts lose queued txs, least recently active first. */
  private truncateQueue(): void {
    let drop = this.counters.queued.n - this.config.globalQueue;
    if (drop <= 0) return;
    const oldestFirst = [...this.accounts.values()]
      .filter((a) => !this.localSenders.has(a.key) && a.queued.size > 0)
      .sort((a, b) => (a.beat ?? 0) - (b.beat ?? 0));
    const why: Removal = { reason: 'poolFull', message: 'txpool is full: queue limit reached' };
    for (const a of oldestFirst) {
      if (drop <= 0) break;
      const txs = a.queuedSorted();
      const take = Math.min(drop, txs.length);
      for (const e of txs.slice(txs.length - take)) this.removeEntry(e, why);
      drop -= take;
    }
  }

  /** geth's removeTx: out of the pool; a pending tx takes the txs after it back to the queue. */
  private removeEntry(e: Entry, why: Removal): void {
    if (this.all.get(e.key) !== e) return;
    this.forget(e, why);
    const account = this.accounts.get(e.senderKey);
    if (account === undefined) return;
    const n = e.tx.nonce;
    if (account.pending.get(n) === e) {
      account.pending.delete(n);
      for (let m = n + 1n; ; m++) {
        const later = account.pending.get(m);
        if (later === undefined) break;
        account.pending.delete(m);
        account.queued.set(m, later);
      }
      if (account.queued.size > 0) account.beat ??= this.now();
    } else if (account.queued.get(n) === e) {
      account.queued.delete(n);
    }
    if (account.queued.size === 0) account.beat = undefined;
    this.forgetIfEmpty(account);
  }

  /** Out of the lookup and the price heap (the caller fixes the account's maps). */
  private forget(e: Entry, why: Removal): void {
    this.all.delete(e.key);
    this.allSlots -= e.slots;
    if (e.inHeap) {
      e.inHeap = false;
      this.priced.removed();
    }
    this.removals?.set(e.key, why);
  }

  private forgetIfEmpty(account: Account): void {
    if (account.size === 0 && this.accounts.get(account.key) === account) this.accounts.delete(account.key);
  }

  private expireLocked(): number {
    const now = this.now();
    let evicted = 0;
    for (const account of [...this.accounts.values()]) {
      if (this.localSenders.has(account.key) || account.beat === undefined || account.queued.size === 0) continue;
      if (now - account.beat <= this.config.lifetimeMs) continue;
      for (const e of account.queuedSorted()) {
        this.removeEntry(e, { reason: 'poolFull', message: 'expired' });
        evicted++;
      }
    }
    return evicted;
  }

  // -------------------------------------------------------------------------
  // New head

  /**
   * geth's reset + demoteUnexecutables + promoteExecutables: re-read every
   * sender at the new head, drop included and unpayable txs, demote txs
   * behind a new gap, promote txs a gap no longer holds back, re-sort prices
   * at the new base fee, and put back the txs of blocks a reorg dropped.
   */
  private async resetLocked(): Promise<void> {
    if (this.closed) return;
    const next = this.currentChainHead();
    if (equalBytes(next.hash, this.head.hash)) return;
    const lost = equalBytes(next.header.parentHash, this.head.hash) ? [] : this.lostTransactions(this.head, next);
    this.head = next;
    this.baseFee = this.nextBaseFee(next.header);
    const accounts = [...this.accounts.values()];
    const states = await Promise.all(accounts.map((a) => this.chain.accountAt(a.address, next.hash)));
    accounts.forEach((account, i) => {
      account.nonce = states[i]?.nonce ?? 0n;
      account.balance = states[i]?.balance ?? 0n;
      this.revalidate(account);
    });
    this.enforceGlobalLimits();
    this.priced.setBaseFee(this.baseFee);
    this.emitPromoted();
    for (const tx of lost) {
      try {
        await this.insertLocked(this.prepare(tx, false), { local: false, origin: undefined, journal: true });
      } catch (err) {
        swallowRejection(err);
      }
    }
  }

  private revalidate(account: Account): void {
    const gasLimit = this.head.header.gasLimit;
    const unpayable = (e: Entry) => e.cost > account.balance || e.tx.gasLimit > gasLimit;
    const gone: Removal = { reason: 'nonceTooLow', message: 'included or unpayable' };
    const wasPending = [...account.pending.values()].sort((a, b) => (a.tx.nonce < b.tx.nonce ? -1 : 1));
    account.pending.clear();
    let expect = account.nonce;
    let broken = false;
    for (const e of wasPending) {
      if (e.tx.nonce < account.nonce) {
        this.forget(e, gone);
      } else if (unpayable(e)) {
        this.forget(e, gone);
        broken = true;
      } else if (broken || e.tx.nonce !== expect) {
        // Executable no more (a tx before it went, or the account nonce jumped past a hole): back to the queue.
        broken = true;
        account.queued.set(e.tx.nonce, e);
        account.beat ??= this.now();
      } else {
        account.pending.set(e.tx.nonce, e);
        expect++;
      }
    }
    for (const e of [...account.queued.values()]) {
      if (e.tx.nonce < account.nonce || unpayable(e)) {
        account.queued.delete(e.tx.nonce);
        this.forget(e, gone);
      }
    }
    this.promote(account);
    this.capQueue(account);
    this.forgetIfEmpty(account);
  }

  /** Txs in blocks that left the canonical chain and not in the blocks that replaced them (blob txs cannot come back: blocks hold no sidecars). */
  private lostTransactions(oldHead: PoolHead, newHead: PoolHead): Transaction[] {
    const depth = oldHead.header.number - newHead.header.number;
    if (depth > MAX_REORG_DEPTH || -depth > MAX_REORG_DEPTH) return [];
    let rem = this.chain.blockByHash(oldHead.hash);
    let add = this.chain.blockByHash(newHead.hash);
    const discarded: Transaction[] = [];
    const included = new Set<string>();
    const parent = (b: Block) => this.chain.blockByHash(b.header.parentHash);
    while (rem !== undefined && add !== undefined && rem.header.number > add.header.number) {
      discarded.push(...rem.transactions);
      rem = parent(rem);
    }
    while (rem !== undefined && add !== undefined && add.header.number > rem.header.number) {
      for (const tx of add.transactions) included.add(bytesToHex(transactionHash(tx)));
      add = parent(add);
    }
    while (rem !== undefined && add !== undefined && !equalBytes(headerHash(rem.header), headerHash(add.header))) {
      discarded.push(...rem.transactions);
      for (const tx of add.transactions) included.add(bytesToHex(transactionHash(tx)));
      rem = parent(rem);
      add = parent(add);
    }
    if (rem === undefined || add === undefined) return [];
    return discarded.filter((tx) => tx.type !== 3 && !included.has(bytesToHex(transactionHash(tx))));
  }

  // -------------------------------------------------------------------------
  // Helpers

  /** Emits 'promoted' for txs promoted since the last time that are still pending (`except`: the tx just added, which had 'added'). */
  private emitPromoted(except?: Entry): void {
    const moved = this.promotedSinceEmit;
    if (moved.length === 0) return;
    this.promotedSinceEmit = [];
    const live = [...new Set(moved)].filter((e) => e !== except && this.isPendingEntry(e));
    if (live.length > 0) this.events.emit('promoted', live.map(publicView));
  }

  private pendingRuns(): Entry[][] {
    const runs = [...this.accounts.values()].map((a) => a.pendingRun()).filter((run) => run.length > 0);
    runs.sort((a, b) => cmpDesc(tipCap(a[0]!.tx), tipCap(b[0]!.tx)));
    return runs;
  }

  private async rotateJournal(): Promise<void> {
    const journal = this.journal;
    if (journal === undefined || this.closed) return;
    await this.serial(() => {
      const txs: Transaction[] = [];
      for (const a of this.accounts.values()) {
        if (!this.localSenders.has(a.key)) continue;
        for (const e of [...a.pendingRun(), ...a.queuedSorted()]) txs.push(e.tx);
      }
      try {
        journal.rotate(txs);
      } catch (err) {
        this.log(`txpool: failed to rotate journal ${journal.path}: ${String(err)}`);
      }
    });
  }

  private headContext(): HeadContext {
    const h = this.head.header;
    return { number: h.number, timestamp: h.timestamp, gasLimit: h.gasLimit };
  }

  private currentChainHead(): PoolHead {
    const { hash } = this.chain.head();
    const header = this.chain.headerByHash(hash);
    if (header === undefined) throw new Error('unreachable: the head header is stored');
    return { hash, header };
  }

  private nextBaseFee(head: BlockHeader): bigint | undefined {
    return forkRules(this.chain.config, head.number + 1n, head.timestamp).london ? calcBaseFee(this.chain.config, head) : undefined;
  }

  /** Runs `fn` after every change queued before it; a failure does not stop the queue. */
  private serial<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

function publicView(e: Entry): PooledTx {
  return { tx: e.tx, hash: e.hash, sender: e.sender, type: e.type, size: e.size, networkSize: e.networkSize };
}

function swallowRejection(err: unknown): false {
  if (err instanceof TxPoolError) return false;
  throw err;
}

function cmpDesc(a: bigint, b: bigint): number {
  return a > b ? -1 : a < b ? 1 : 0;
}
