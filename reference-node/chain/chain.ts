/**
 * The chain: genesis, the block store, validation, execution and the head.
 *
 * Reads are synchronous, from an in-memory index of every stored block
 * (headers, total difficulty, canonical numbers) and the encoded bodies and
 * receipts, loaded on open; that suits the fixture-sized chains this node
 * serves. Writes are serialized: an import validates and executes its blocks
 * first, then writes blocks, state, canonical index and head in one atomic
 * batch, and only then updates the in-memory index. A failed import changes
 * nothing.
 *
 * Head choice (importBlocks): a pre-merge segment becomes canonical when its
 * total difficulty beats the head's, as pre-merge geth did; a post-merge
 * block becomes the head when imported, as geth's InsertChain does (the
 * consensus layer can move it later with setHead).
 */
import { decodeBlockHeader as decodeHeader, decodeBlockSequence, encodeBlock, encodeBlockHeader, headerHash, type Block, type BlockBody, type BlockHeader } from '../wire/block.js';
import { bigIntToFixed, bytesToHex, concatBytes, equalBytes } from '../wire/bytes.js';
import type { Receipt } from '../wire/eth/types.js';
import { computeForkId, createForkIdFilter, type ForkId, type ForkIdVerdict } from '../wire/forkid.js';
import { signingHash } from '../wire/tx/hash.js';
import { recoveryIdOfV } from '../wire/tx/signature.js';
import type { Hash32, Transaction } from '../wire/tx/types.js';
import { buildBlock, type BlockDraft } from './block-builder.js';
import { validateBody } from './body-validation.js';
import type { ChainConfig, ForkRules } from './config.js';
import { unverifiedPowEngine, type ConsensusEngine, type HeaderLookup } from './consensus.js';
import { CliqueEngine } from './clique.js';
import { BlockValidationError, ChainStoreError, type BlockRule } from './errors.js';
import { ExecutionError, type ExecutionContext, type ExecutionResult, type Executor } from './executor.js';
import type { Genesis } from './genesis.js';
import { isPostMerge, validateHeader } from './header-validation.js';
import { Lru } from './lru.js';
import type { ChainHeadInfo, ChainReader } from './reader.js';
import { decodeBody, decodeReceipts, encodeBody, encodeReceipts } from './records.js';
import { blockLogsBloom, receiptsRoot, requestsHash } from './roots.js';
import { StateDb } from './state-db.js';
import { AccountReader, type AccountState } from './account-reader.js';
import { BlockStore, type StoreBatch, type StoredBlockRecord } from './store.js';
import { VmExecutor } from './vm-executor.js';
import { recallRecovered } from './recovery-memo.js';
import { sharedRecoveryPool, type RecoveryPool, type SignatureJob } from './recovery-pool.js';

export interface ChainOptions {
  genesis: Genesis;
  /** LevelDB directory; in memory when absent. */
  dir?: string;
  /** Defaults to the chain ID, as geth does. */
  networkId?: bigint;
  /** Pre-merge header rules. Defaults to Clique for a Clique config, else a proof-of-work shape check (the work is not verified). */
  engine?: ConsensusEngine;
  /** Defaults to the @ethereumjs/vm executor. */
  createExecutor?: (genesis: Genesis, state: StateDb) => Promise<Executor>;
  /**
   * Recover the signatures of a large import (seals, senders) on worker
   * threads ahead of execution (recovery-pool.ts). Default true; false keeps
   * all recovery on the calling thread.
   */
  recoverAhead?: boolean;
}

export interface ImportOptions {
  /** 'auto' (the default) applies the head rule above; 'never' only stores the blocks (engine_newPayload). */
  setHead?: 'auto' | 'never';
}

export interface ImportResult {
  /** Blocks written by this import. */
  imported: number;
  /** Blocks that were already stored and skipped. */
  known: number;
  head: ChainHeadInfo;
}

export interface ChainRlpImportOptions extends ImportOptions {
  /** Blocks per atomic batch: a crash loses at most the batch in progress. */
  batchSize?: number;
}

interface Entry {
  hash: Hash32;
  header: BlockHeader;
  td: bigint;
}

const hex = bytesToHex;
const DECODED_CACHE = 512;
/** Below this many signatures an import recovers on its own thread: a worker round trip would not pay. */
const MIN_SIGNATURES_AHEAD = 16;

export class Chain implements ChainReader {
  readonly networkId: bigint;
  readonly genesisHash: Hash32;
  readonly config: ChainConfig;

  private readonly entries = new Map<string, Entry>();
  private readonly bodies = new Map<string, Uint8Array>();
  private readonly receipts = new Map<string, Uint8Array>();
  private readonly decodedBodies = new Lru<string, BlockBody>(DECODED_CACHE);
  private readonly decodedReceipts = new Lru<string, Receipt[]>(DECODED_CACHE);
  /** Canonical hashes by block number. */
  private canonical: Hash32[] = [];
  private headEntry!: Entry;
  private readonly filter: (remote: ForkId, head: { number: bigint; time: bigint }) => ForkIdVerdict;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly headListeners = new Set<(head: ChainHeadInfo) => void>();
  private readonly accounts: AccountReader;

  private constructor(
    readonly genesis: Genesis,
    private readonly store: BlockStore,
    private readonly stateDb: StateDb,
    private readonly executor: Executor,
    private readonly engine: ConsensusEngine,
    networkId: bigint,
    private readonly pool: RecoveryPool | undefined,
  ) {
    this.networkId = networkId;
    this.genesisHash = genesis.hash;
    this.config = genesis.config;
    this.filter = createForkIdFilter(genesis.hash, genesis.config.forks);
    this.accounts = new AccountReader(store.stateBackend);
  }

  static async open(options: ChainOptions): Promise<Chain> {
    const { genesis } = options;
    const store = await BlockStore.open(options.dir);
    try {
      const stateDb = new StateDb(store.stateBackend);
      const executor = await (options.createExecutor ?? VmExecutor.create)(genesis, stateDb);
      const pool = options.recoverAhead === false ? undefined : sharedRecoveryPool();
      const chain = new Chain(genesis, store, stateDb, executor, options.engine ?? defaultEngine(genesis.config), options.networkId ?? genesis.config.chainId, pool);
      await chain.load();
      return chain;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /** Reads the store into memory, writing the genesis block and state first if the store is new. */
  private async load(): Promise<void> {
    let loaded = await this.store.load();
    if (loaded.genesis === undefined) {
      await this.writeGenesis();
      loaded = await this.store.load();
    } else if (!equalBytes(loaded.genesis, this.genesisHash)) {
      throw new ChainStoreError(
        'genesis-mismatch',
        `${this.store.location ?? 'the store'} holds the chain with genesis 0x${hex(loaded.genesis)}, not 0x${hex(this.genesisHash)}`,
      );
    }
    for (const [key, rlp] of loaded.headers) {
      const td = loaded.td.get(key);
      const body = loaded.bodies.get(key);
      const receipts = loaded.receipts.get(key);
      if (td === undefined || body === undefined || receipts === undefined) throw new ChainStoreError('corrupt', `block 0x${key} is incomplete`);
      const header = decodeHeaderRecord(rlp, key);
      this.entries.set(key, { hash: headerHash(header), header, td });
      this.bodies.set(key, body);
      this.receipts.set(key, receipts);
    }
    const head = loaded.head === undefined ? undefined : this.entries.get(hex(loaded.head));
    if (head === undefined) throw new ChainStoreError('corrupt', 'the head block is missing');
    for (let n = 0n; n <= head.header.number; n++) {
      const hash = loaded.canonical.get(n);
      if (hash === undefined || !this.entries.has(hex(hash))) throw new ChainStoreError('corrupt', `canonical block ${n} is missing`);
      this.canonical.push(hash);
    }
    if (!equalBytes(this.canonical[Number(head.header.number)]!, head.hash)) throw new ChainStoreError('corrupt', 'the head is not canonical');
    this.headEntry = head;
  }

  private async writeGenesis(): Promise<void> {
    const { genesis } = this;
    const root = await this.executor.initState(genesis.alloc);
    if (!equalBytes(root, genesis.block.header.stateRoot)) {
      // Two implementations (mpt directly, and the EVM's state manager) disagree: a bug, not bad input.
      this.stateDb.discard();
      throw new ChainStoreError('corrupt', `the executor's genesis state root 0x${hex(root)} differs from 0x${hex(genesis.block.header.stateRoot)}`);
    }
    await this.store.write({
      blocks: [{ hash: genesis.hash, headerRlp: encodeBlockHeader(genesis.block.header), bodyRlp: encodeBody(genesis.block), receiptsRlp: encodeReceipts([]), td: genesis.block.header.difficulty }],
      canonical: [{ number: 0n, hash: genesis.hash }],
      head: genesis.hash,
      genesis: genesis.hash,
      state: this.stateDb.takeWrites(),
    });
  }

  // -------------------------------------------------------------------------
  // ChainReader

  head(): ChainHeadInfo {
    const { header, hash, td } = this.headEntry;
    return { number: header.number, hash, td, timestamp: header.timestamp };
  }

  earliest(): bigint {
    return 0n;
  }

  forkId(): ForkId {
    const { header } = this.headEntry;
    return computeForkId(this.genesisHash, this.config.forks, { number: header.number, time: header.timestamp });
  }

  forkFilter(): (remote: ForkId) => ForkIdVerdict {
    return (remote) => {
      const { header } = this.headEntry;
      return this.filter(remote, { number: header.number, time: header.timestamp });
    };
  }

  hashByNumber(n: bigint): Hash32 | undefined {
    return n >= 0n && n < BigInt(this.canonical.length) ? this.canonical[Number(n)] : undefined;
  }

  headerByNumber(n: bigint): BlockHeader | undefined {
    const hash = this.hashByNumber(n);
    return hash === undefined ? undefined : this.entries.get(hex(hash))?.header;
  }

  headerByHash(h: Uint8Array): BlockHeader | undefined {
    return this.entries.get(hex(h))?.header;
  }

  bodyByHash(h: Uint8Array): BlockBody | undefined {
    const key = hex(h);
    const cached = this.decodedBodies.get(key);
    if (cached !== undefined) return cached;
    const rlp = this.bodies.get(key);
    if (rlp === undefined) return undefined;
    const body = decodeBody(rlp);
    this.decodedBodies.set(key, body);
    return body;
  }

  receiptsByHash(h: Uint8Array): Receipt[] | undefined {
    const key = hex(h);
    const cached = this.decodedReceipts.get(key);
    if (cached !== undefined) return cached;
    const rlp = this.receipts.get(key);
    if (rlp === undefined) return undefined;
    const receipts = decodeReceipts(rlp);
    this.decodedReceipts.set(key, receipts);
    return receipts;
  }

  tdByHash(h: Uint8Array): bigint | undefined {
    return this.entries.get(hex(h))?.td;
  }

  // -------------------------------------------------------------------------
  // More reads

  /** The encoded body as stored (the BlockBodies element), for serving without re-encoding. */
  bodyRlpByHash(h: Uint8Array): Uint8Array | undefined {
    return this.bodies.get(hex(h));
  }

  blockByHash(h: Uint8Array): Block | undefined {
    const header = this.headerByHash(h);
    const body = this.bodyByHash(h);
    return header === undefined || body === undefined ? undefined : { header, ...body };
  }

  blockByNumber(n: bigint): Block | undefined {
    const hash = this.hashByNumber(n);
    return hash === undefined ? undefined : this.blockByHash(hash);
  }

  /** An account in the state after block `blockHash` (default: the head); undefined if the block is unknown. */
  async accountAt(address: Uint8Array, blockHash: Uint8Array = this.headEntry.hash): Promise<AccountState | undefined> {
    const entry = this.entries.get(hex(blockHash));
    if (entry === undefined) return undefined;
    return this.accounts.account(entry.header.stateRoot, address);
  }

  /** Called after each change of head, with the new head. Returns an unsubscribe function. */
  onNewHead(listener: (head: ChainHeadInfo) => void): () => void {
    this.headListeners.add(listener);
    return () => this.headListeners.delete(listener);
  }

  // -------------------------------------------------------------------------
  // Writes

  /**
   * Validates, executes and stores a contiguous run of blocks (each the parent
   * of the next; the first one's parent must be stored). Blocks already stored
   * are skipped. All or nothing: on any error the store and the head are as
   * before, and the error is a BlockValidationError naming block and rule.
   */
  importBlocks(blocks: readonly Block[], options: ImportOptions = {}): Promise<ImportResult> {
    return this.exclusive(() => this.doImport(blocks, options));
  }

  /** Imports concatenated RLP blocks (a chain.rlp), in atomic batches of `batchSize`; a failure keeps the batches before it, as geth's import does. */
  async importChainRlp(bytes: Uint8Array, options: ChainRlpImportOptions = {}): Promise<ImportResult> {
    const blocks = decodeBlockSequence(bytes);
    const size = options.batchSize ?? 256;
    let imported = 0;
    let known = 0;
    for (let i = 0; i < blocks.length; i += size) {
      const r = await this.importBlocks(blocks.slice(i, i + size), options);
      imported += r.imported;
      known += r.known;
    }
    return { imported, known, head: this.head() };
  }

  /** The canonical blocks from..to (default 1..head) as concatenated RLP, the chain.rlp form geth's export writes without the genesis. */
  exportChainRlp(from = 1n, to = this.headEntry.header.number): Uint8Array {
    const parts: Uint8Array[] = [];
    for (let n = from; n <= to; n++) {
      const block = this.blockByNumber(n);
      if (block === undefined) throw new RangeError(`block ${n} is not canonical`);
      parts.push(encodeBlock(block));
    }
    return concatBytes(...parts);
  }

  /**
   * Builds a block on a stored parent from `draft` (see block-builder.ts),
   * executing it on the parent's state without storing anything; import the
   * result to keep it. `seal` signs a header (Clique) and is applied before
   * execution too, since a Clique EVM pays fees to the header's signer.
   */
  buildBlock(draft: BlockDraft, seal?: (header: BlockHeader) => BlockHeader): Promise<Block> {
    return this.exclusive(async () => {
      const parent = this.entries.get(hex(draft.parentHash));
      if (parent === undefined) throw new RangeError(`unknown parent 0x${hex(draft.parentHash)}`);
      const lookup = (key: string) => this.entries.get(key);
      try {
        return await buildBlock(this.config, parent.header, draft, (block) => this.executor.executeBlock(block, { parent: parent.header, ancestorHash: ancestorHashFrom(parent, lookup) }), seal);
      } finally {
        // The state of a built block is written again when the block is imported.
        this.stateDb.discard();
      }
    });
  }

  /** Makes a stored block the head, rewriting the canonical index (the forkchoice of the Engine API). */
  setHead(hash: Uint8Array): Promise<ChainHeadInfo> {
    return this.exclusive(async () => {
      const entry = this.entries.get(hex(hash));
      if (entry === undefined) throw new RangeError(`unknown block 0x${hex(hash)}`);
      if (!equalBytes(entry.hash, this.headEntry.hash)) {
        const canonical = this.canonicalChanges(entry, (key) => this.entries.get(key));
        await this.store.write({ blocks: [], canonical, head: entry.hash, state: [] });
        this.applyHead(entry, canonical);
      }
      return this.head();
    });
  }

  async close(): Promise<void> {
    await this.exclusive(() => this.store.close());
  }

  private async doImport(blocks: readonly Block[], options: ImportOptions): Promise<ImportResult> {
    const pending = new Map<string, Entry>();
    const records: StoredBlockRecord[] = [];
    const lookup = (key: string) => pending.get(key) ?? this.entries.get(key);
    const headers: HeaderLookup = { headerByHash: (h) => lookup(hex(h))?.header };
    let known = 0;
    let last: Entry | undefined;
    let batch: StoreBatch;
    let newHead = this.headEntry;
    const hashes = blocks.map((b) => headerHash(b.header));
    const ahead = this.recoverAhead(blocks, hashes);
    try {
      for (const [i, block] of blocks.entries()) {
        const { header } = block;
        const hash = hashes[i]!;
        if (last !== undefined && !equalBytes(header.parentHash, last.hash)) {
          throw new BlockValidationError(header.number, hash, 'unknown-parent', `not a child of the block before it in the import (0x${hex(last.hash)})`);
        }
        const existing = lookup(hex(hash));
        if (existing !== undefined) {
          known++;
          last = existing;
          continue;
        }
        const parent = lookup(hex(header.parentHash));
        if (parent === undefined) throw new BlockValidationError(header.number, hash, 'unknown-parent', `parent 0x${hex(header.parentHash)} is not stored`);
        ahead?.take(i);
        const result = await this.verifyAndExecute(block, hash, parent, lookup, headers);
        const entry: Entry = { hash, header, td: parent.td + header.difficulty };
        pending.set(hex(hash), entry);
        const bodyRlp = encodeBody(block);
        records.push({ hash, headerRlp: encodeBlockHeader(header), bodyRlp, receiptsRlp: encodeReceipts(result.receipts), td: entry.td });
        last = entry;
      }
      if (records.length > 0 && last !== undefined && options.setHead !== 'never') {
        const postMerge = last.header.difficulty === 0n;
        if (postMerge || last.td > this.headEntry.td) newHead = last;
      }
      const canonical = newHead === this.headEntry ? [] : this.canonicalChanges(newHead, lookup);
      batch = { blocks: records, canonical, head: newHead === this.headEntry ? undefined : newHead.hash, state: this.stateDb.takeWrites() };
      if (records.length > 0 || canonical.length > 0) await this.store.write(batch);
    } catch (err) {
      this.stateDb.discard();
      throw err;
    } finally {
      ahead?.close();
    }
    for (const record of records) {
      const key = hex(record.hash);
      this.entries.set(key, pending.get(key)!);
      this.bodies.set(key, record.bodyRlp);
      this.receipts.set(key, record.receiptsRlp);
    }
    if (newHead !== this.headEntry) this.applyHead(newHead, batch.canonical);
    return { imported: records.length, known, head: this.head() };
  }

  private async verifyAndExecute(
    block: Block,
    hash: Hash32,
    parent: Entry,
    lookup: (key: string) => Entry | undefined,
    headers: HeaderLookup,
  ): Promise<ExecutionResult> {
    const rules = validateHeader(block.header, hash, { config: this.config, parent: parent.header, parentTd: parent.td, engine: this.engine, chain: headers });
    const postMerge = isPostMerge(this.config, parent.td);
    await validateBody(block, hash, rules, postMerge, this.engine);
    const ctx: ExecutionContext = { parent: parent.header, ancestorHash: ancestorHashFrom(parent, lookup), resultsInHeader: true };
    // The engine has just verified the seal, so it knows the author without recovering it again.
    const author = postMerge ? undefined : this.engine.author?.(block.header, hash);
    if (author !== undefined) ctx.author = author;
    let result: ExecutionResult;
    try {
      result = await this.executor.executeBlock(block, ctx);
    } catch (err) {
      if (err instanceof ExecutionError) throw new BlockValidationError(block.header.number, hash, 'execution', err.message);
      throw err;
    }
    await checkExecution(block, hash, rules, result);
    return result;
  }

  /**
   * Starts recovering the signatures of the blocks not yet stored on the
   * worker pool; take(i) brings block i's into the recovery memo (or hands
   * them back to this thread) before it runs, close() ends the batch. Small
   * imports (a gossiped block) are not worth the round trip.
   */
  private recoverAhead(blocks: readonly Block[], hashes: readonly Hash32[]): { take(i: number): void; close(): void } | undefined {
    if (this.pool === undefined) return undefined;
    const jobs: SignatureJob[] = [];
    // Block i's jobs are jobs[ends[i - 1] ?? 0 .. ends[i]).
    const ends = blocks.map((block, i) => {
      const hash = hashes[i]!;
      if (this.entries.has(hex(hash))) return jobs.length;
      if (block.header.difficulty !== 0n) jobs.push(...(this.engine.sealSignatures?.(block.header, hash) ?? []));
      for (const tx of block.transactions) {
        const job = senderSignatureJob(tx);
        if (job !== undefined && recallRecovered(job.digest, job.signature) === undefined) jobs.push(job);
      }
      return jobs.length;
    });
    if (jobs.length < MIN_SIGNATURES_AHEAD) return undefined;
    const batch = this.pool.recover(jobs);
    return { take: (i) => batch.take(i === 0 ? 0 : ends[i - 1]!, ends[i]!), close: () => batch.close() };
  }

  /** The canonical index changes that make `head` canonical: its branch down to the common ancestor, and nothing above it. */
  private canonicalChanges(head: Entry, lookup: (key: string) => Entry | undefined): { number: bigint; hash: Hash32 | undefined }[] {
    const changes: { number: bigint; hash: Hash32 | undefined }[] = [];
    for (let e: Entry | undefined = head; e !== undefined; e = lookup(hex(e.header.parentHash))) {
      const current = this.hashByNumber(e.header.number);
      if (current !== undefined && equalBytes(current, e.hash)) break;
      changes.push({ number: e.header.number, hash: e.hash });
    }
    for (let n = head.header.number + 1n; n < BigInt(this.canonical.length); n++) changes.push({ number: n, hash: undefined });
    return changes;
  }

  private applyHead(head: Entry, changes: readonly { number: bigint; hash: Hash32 | undefined }[]): void {
    for (const { number, hash } of changes) if (hash !== undefined) this.canonical[Number(number)] = hash;
    this.canonical.length = Number(head.header.number) + 1;
    this.headEntry = head;
    const info = this.head();
    for (const listener of this.headListeners) listener(info);
  }

  /** Runs one write at a time; a failed one does not block the next. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** The sender's signature over its signing hash, as the VM will recover it; undefined if it cannot be one (the VM then fails the tx). */
function senderSignatureJob(tx: Transaction): SignatureJob | undefined {
  try {
    const recoveryId = tx.type === 0 ? recoveryIdOfV(tx.v) : tx.yParity;
    return { digest: signingHash(tx), signature: concatBytes(bigIntToFixed(tx.r, 32), bigIntToFixed(tx.s, 32), Uint8Array.of(recoveryId)) };
  } catch {
    return undefined;
  }
}

/** BLOCKHASH for a child of `parent`: walk back through the parents, which may be blocks of the import in progress. */
function ancestorHashFrom(parent: Entry, lookup: (key: string) => Entry | undefined): (number: bigint) => Hash32 | undefined {
  return (number) => {
    for (let e: Entry | undefined = parent; e !== undefined; e = lookup(hex(e.header.parentHash))) {
      if (e.header.number === number) return e.hash;
      if (e.header.number < number || e.header.number === 0n) return undefined;
    }
    return undefined;
  };
}

/** The checks of geth's ValidateState: what execution produced must be what the header committed to. */
async function checkExecution(block: Block, hash: Hash32, rules: ForkRules, result: ExecutionResult): Promise<void> {
  const { header } = block;
  const fail = (rule: BlockRule, detail: string): never => {
    throw new BlockValidationError(header.number, hash, rule, detail);
  };
  if (result.gasUsed !== header.gasUsed) fail('gas-used', `execution used ${result.gasUsed} gas, the header says ${header.gasUsed}`);
  if (!equalBytes(blockLogsBloom(result.receipts), header.logsBloom)) fail('logs-bloom', 'the logs bloom does not match the receipts');
  const rRoot = await receiptsRoot(result.receipts);
  if (!equalBytes(rRoot, header.receiptsRoot)) fail('receipts-root', `receipts hash to 0x${hex(rRoot)}, the header says 0x${hex(header.receiptsRoot)}`);
  if (rules.prague) {
    const want = requestsHash(result.requests ?? []);
    if (!equalBytes(want, header.requestsHash!)) fail('requests-hash', `requests hash to 0x${hex(want)}, the header says 0x${hex(header.requestsHash!)}`);
  }
  if (!equalBytes(result.stateRoot, header.stateRoot)) {
    fail('state-root', `execution gives state root 0x${hex(result.stateRoot)}, the header says 0x${hex(header.stateRoot)}`);
  }
}

function decodeHeaderRecord(rlp: Uint8Array, key: string): BlockHeader {
  try {
    return decodeHeader(rlp);
  } catch (err) {
    throw new ChainStoreError('corrupt', `header 0x${key}: ${(err as Error).message}`);
  }
}

function defaultEngine(config: ChainConfig): ConsensusEngine {
  return config.clique !== undefined ? new CliqueEngine(config.clique) : unverifiedPowEngine;
}
