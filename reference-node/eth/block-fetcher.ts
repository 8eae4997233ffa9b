/**
 * The pre-merge block fetcher, after geth's eth/fetcher.BlockFetcher and the
 * NewBlock/NewBlockHashes handlers of eth/handler_eth.go:
 *
 *   - NewBlockHashes: the peer has marked the hashes known (EthPeer). A hash
 *     we lack, numbered from maxUncleDist (7) below our head to maxQueueDist
 *     (32) above it, waits arriveTimeout (500 ms) in case the block itself
 *     comes by NewBlock; then its header is fetched from an announcer
 *     (GetBlockHeaders by hash, amount 1), then its body (GetBlockBodies)
 *     unless the header commits to an empty one. A peer whose header is not
 *     the announced block, or whose body does not match the header, is
 *     dropped; one that has nothing or times out is skipped for the next
 *     announcer of the same hash.
 *   - NewBlock: the sender's head becomes (parent, td - difficulty), geth's
 *     "trueHead/trueTD" (the sender must have the parent, not necessarily
 *     the block yet). A body that does not match its header drops the
 *     sender (geth logs and ignores it; the issue asks for the drop, and it
 *     stops us from propagating a block whose header is fine but whose
 *     transactions were swapped). Then the block is queued.
 *   - The queue: as in geth, a block whose parent we lack waits (it may be
 *     the child of a block still in flight), up to blockLimit (64) per peer,
 *     until our head moves more than maxUncleDist past it. The queue is
 *     looked at again on every block message and, when the chain offers
 *     onNewHead, whenever the head moves (the sync or the miner may bring
 *     the missing parent); geth's fetcher loop does the same. A block whose
 *     parent is stored is taken in number order: its header is verified,
 *     the block goes whole to sqrt(n) peers without it (geth propagates
 *     before import, to cut latency), it is imported, and then announced by
 *     hash to the peers that still lack it.
 *   - A block that fails header verification or import drops the peer it
 *     came from with DiscUselessPeer (0x03), geth's removePeer. A block from
 *     the future (Clique refuses those) is dropped silently, as geth's
 *     ErrFutureBlock case does not punish the peer.
 *
 * After the merge the fetcher does nothing (EthPeer already drops a peer
 * that gossips blocks then).
 */
import { BlockValidationError } from '../chain/errors.js';
import type { ChainConfig } from '../chain/config.js';
import type { ConsensusEngine } from '../chain/consensus.js';
import { unverifiedPowEngine } from '../chain/consensus.js';
import { CliqueEngine } from '../chain/clique.js';
import { validateHeader } from '../chain/header-validation.js';
import type { ChainHeadInfo } from '../chain/reader.js';
import { EMPTY_TRIE_ROOT, transactionsRoot, withdrawalsRoot } from '../chain/roots.js';
import { EMPTY_OMMERS_HASH, headerHash, ommersHashOf, type Block, type BlockBody, type BlockHeader } from '../wire/block.js';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import type { NewBlock, NewBlockHashes } from '../wire/eth/types.js';
import { DisconnectReason } from '../wire/p2p.js';
import type { Hash32 } from '../wire/tx/types.js';
import type { BlockPropagation } from './block-propagation.js';
import type { EthPeer } from './eth-peer.js';
import { fault } from '../faults/index.js';

/** geth's maxUncleDist: how far below our head a block is still worth taking. */
export const MAX_UNCLE_DIST = 7n;
/** geth's maxQueueDist: how far above our head a block may be queued. */
export const MAX_QUEUE_DIST = 32n;
/** geth's hashLimit: unfetched announcements per peer. */
export const HASH_LIMIT = 256;
/** geth's blockLimit: queued blocks per peer. */
export const BLOCK_LIMIT = 64;
/** geth's arriveTimeout: how long an announced block may take to arrive by itself before we fetch it. */
export const ARRIVE_TIMEOUT_MS = 500;
/** geth's fetchTimeout: per header or body request. */
export const FETCH_TIMEOUT_MS = 5_000;
/** geth's removePeer disconnects a peer that gave us a bad block with DiscUselessPeer. */
export const BAD_BLOCK_DISCONNECT_REASON = DisconnectReason.UselessPeer;

/** What the fetcher reads and writes of the chain (Chain has it all). */
export interface FetcherChain {
  readonly config: ChainConfig;
  head(): ChainHeadInfo;
  headerByHash(hash: Uint8Array): BlockHeader | undefined;
  tdByHash(hash: Uint8Array): bigint | undefined;
  importBlocks(blocks: readonly Block[]): Promise<unknown>;
  /** When given, a new head (from the sync or the miner) lets queued children of it in. Returns an unsubscribe function. */
  onNewHead?(listener: (head: ChainHeadInfo) => void): () => void;
}

export interface BlockFetcherOptions {
  chain: FetcherChain;
  propagation: Pick<BlockPropagation, 'broadcastBlock' | 'announceBlock'>;
  /** True once the chain is past the merge: the fetcher then ignores everything. Default: never. */
  isPostMerge?: () => boolean;
  /**
   * The consensus engine for header verification before propagation. Pass
   * the chain's own (Chain.open({ engine })) so Clique snapshots are shared;
   * default: a new one for chain.config (Clique, or the PoW shape check).
   */
  engine?: ConsensusEngine;
  /** Replaces the default header verification (validateHeader against the stored parent). Throws BlockValidationError. */
  verifyHeader?: (header: BlockHeader, hash: Hash32) => void;
  arriveTimeoutMs?: number;
  fetchTimeoutMs?: number;
  /** Unix seconds, for the future-block check. Default: the wall clock. */
  now?: () => bigint;
  log?: (line: string) => void;
}

interface Announcement {
  hash: Hash32;
  number: bigint;
  /** Peers that announced the hash and have not been tried yet, first come first asked. */
  announcers: EthPeer[];
  /** Peers already asked, so that one announcing again mid-fetch is not asked twice. */
  asked: Set<EthPeer>;
  timer: NodeJS.Timeout | undefined;
}

interface QueuedBlock {
  block: Block;
  hash: Hash32;
  origin: EthPeer;
}

const hex = bytesToHex;

export class BlockFetcher {
  private readonly chain: FetcherChain;
  private readonly propagation: Pick<BlockPropagation, 'broadcastBlock' | 'announceBlock'>;
  private readonly isPostMerge: () => boolean;
  private readonly verifyHeader: (header: BlockHeader, hash: Hash32) => void;
  private readonly arriveTimeoutMs: number;
  private readonly fetchTimeoutMs: number;
  private readonly now: () => bigint;
  private readonly log: (line: string) => void;

  private readonly subscriptions = new Map<EthPeer, Array<() => void>>();
  private readonly announced = new Map<string, Announcement>();
  private readonly announceCounts = new Map<EthPeer, number>();
  private readonly queued = new Map<string, QueuedBlock>();
  private readonly queuedCounts = new Map<EthPeer, number>();
  /** The block being verified and imported right now. */
  private importing: string | undefined;
  private draining = false;
  private drainAgain = false;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;
  private readonly unsubscribeHead: () => void;

  constructor(options: BlockFetcherOptions) {
    this.chain = options.chain;
    this.propagation = options.propagation;
    this.isPostMerge = options.isPostMerge ?? (() => false);
    this.verifyHeader = options.verifyHeader ?? defaultHeaderVerifier(options.chain, options.engine);
    this.arriveTimeoutMs = options.arriveTimeoutMs ?? ARRIVE_TIMEOUT_MS;
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? FETCH_TIMEOUT_MS;
    this.now = options.now ?? (() => BigInt(Math.floor(Date.now() / 1000)));
    this.log = options.log ?? (() => {});
    // geth's fetcher loop re-checks its queue on every event; a head that moved is the one that matters.
    this.unsubscribeHead =
      this.chain.onNewHead?.(() => {
        if (this.queued.size > 0) this.drain();
      }) ?? (() => {});
  }

  /** Announcements waiting or being fetched, and blocks waiting for their parent or their turn. */
  get pending(): { announced: number; queued: number } {
    return { announced: this.announced.size, queued: this.queued.size + (this.importing === undefined ? 0 : 1) };
  }

  /** Listens to the peer's block gossip until it disconnects or the fetcher stops. */
  addPeer(peer: EthPeer): void {
    if (this.stopped || this.subscriptions.has(peer) || !peer.connected) return;
    this.subscriptions.set(peer, [
      peer.on('newBlockHashes', (msg) => this.onNewBlockHashes(peer, msg)),
      peer.on('newBlock', (msg, hash) => this.onNewBlock(peer, msg, hash)),
      peer.on('disconnect', () => this.removePeer(peer)),
    ]);
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribeHead();
    for (const peer of [...this.subscriptions.keys()]) this.removePeer(peer);
    for (const a of this.announced.values()) clearTimeout(a.timer);
    this.announced.clear();
    this.announceCounts.clear();
    this.queued.clear();
    this.queuedCounts.clear();
    this.notifyIdle();
  }

  /** Resolves once no block is queued for import or being imported (for tests and shutdown). */
  idle(): Promise<void> {
    if (!this.draining) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private removePeer(peer: EthPeer): void {
    for (const off of this.subscriptions.get(peer) ?? []) off();
    this.subscriptions.delete(peer);
  }

  // ---------------------------------------------------------------------------
  // Announcements

  private onNewBlockHashes(peer: EthPeer, msg: NewBlockHashes): void {
    if (this.stopped || this.isPostMerge() || fault('block-ignore-announcements')) return;
    if (this.queued.size > 0) this.drain();
    const height = this.chain.head().number;
    for (const { hash, number } of msg.announcements) {
      const key = hex(hash);
      if (this.haveOrQueued(key, hash)) continue;
      const dist = number - height;
      if (dist < -MAX_UNCLE_DIST || dist > MAX_QUEUE_DIST) {
        this.log(`block fetcher: announcement of block ${number} from ${short(peer)} is ${dist} from our head ${height}, ignored`);
        continue;
      }
      if ((this.announceCounts.get(peer) ?? 0) >= HASH_LIMIT) {
        this.log(`block fetcher: ${short(peer)} has ${HASH_LIMIT} announcements outstanding, ignoring more`);
        return;
      }
      const existing = this.announced.get(key);
      if (existing !== undefined) {
        // Another source for a hash we already expect: a fallback if the first one fails.
        if (!existing.announcers.includes(peer) && !existing.asked.has(peer)) this.addAnnouncer(existing, peer);
        continue;
      }
      const announcement: Announcement = { hash, number, announcers: [], asked: new Set(), timer: undefined };
      this.addAnnouncer(announcement, peer);
      announcement.timer = setTimeout(() => void this.fetch(key, announcement), this.arriveTimeoutMs);
      this.announced.set(key, announcement);
    }
  }

  private addAnnouncer(a: Announcement, peer: EthPeer): void {
    a.announcers.push(peer);
    this.announceCounts.set(peer, (this.announceCounts.get(peer) ?? 0) + 1);
  }

  private releaseAnnouncer(peer: EthPeer): void {
    const n = (this.announceCounts.get(peer) ?? 1) - 1;
    if (n <= 0) this.announceCounts.delete(peer);
    else this.announceCounts.set(peer, n);
  }

  /** Forgets an announcement (its block arrived, was fetched, or nobody could give it). */
  private forget(key: string, a: Announcement): void {
    clearTimeout(a.timer);
    for (const peer of a.announcers.splice(0)) this.releaseAnnouncer(peer);
    if (this.announced.get(key) === a) this.announced.delete(key);
  }

  /** Fetches an announced block from its announcers in turn, until one delivers it. */
  private async fetch(key: string, a: Announcement): Promise<void> {
    a.timer = undefined;
    try {
      while (!this.stopped && !this.haveOrQueued(key, a.hash)) {
        const peer = a.announcers.shift();
        if (peer === undefined) {
          this.log(`block fetcher: no announcer of block ${a.number} delivered it`);
          return;
        }
        this.releaseAnnouncer(peer);
        a.asked.add(peer);
        if (!peer.connected) continue;
        const block = await this.fetchFrom(peer, a);
        if (block !== undefined && !this.stopped) {
          this.enqueue({ block, hash: a.hash, origin: peer });
          return;
        }
      }
    } catch (err) {
      this.log(`block fetcher: fetching block ${a.number} failed: ${(err as Error).message}`);
    } finally {
      this.forget(key, a);
    }
  }

  /** Header, then body, of the announced block from `peer`; undefined if the peer could not give it (a bad answer drops it). */
  private async fetchFrom(peer: EthPeer, a: Announcement): Promise<Block | undefined> {
    const timeoutMs = this.fetchTimeoutMs;
    let headers: BlockHeader[];
    try {
      ({ headers } = await peer.request({ kind: 'GetBlockHeaders', origin: { hash: a.hash }, amount: 1n, skip: 0n, reverse: false }, { timeoutMs }));
    } catch (err) {
      this.log(`block fetcher: header of block ${a.number} from ${short(peer)}: ${(err as Error).message}`);
      return undefined;
    }
    const header = headers[0];
    if (header === undefined || this.stopped) return undefined;
    if (!equalBytes(headerHash(header), a.hash)) {
      this.dropPeer(peer, `answered GetBlockHeaders for 0x${hex(a.hash)} with another header`);
      return undefined;
    }
    if (header.number !== a.number) {
      // geth's "invalid block number fetched": the peer announced a number its own header contradicts.
      this.dropPeer(peer, `announced block 0x${hex(a.hash)} as number ${a.number}, its header says ${header.number}`);
      return undefined;
    }
    if (this.haveOrQueued(hex(a.hash), a.hash)) return undefined;
    if (commitsToEmptyBody(header)) return { header, transactions: [], uncles: [] };

    let bodies: BlockBody[];
    try {
      ({ bodies } = await peer.request({ kind: 'GetBlockBodies', hashes: [a.hash] }, { timeoutMs }));
    } catch (err) {
      this.log(`block fetcher: body of block ${a.number} from ${short(peer)}: ${(err as Error).message}`);
      return undefined;
    }
    const body = bodies[0];
    if (body === undefined || this.stopped) return undefined;
    const mismatch = await bodyMismatch(header, body);
    if (mismatch !== undefined) {
      this.dropPeer(peer, `body of block ${header.number} does not match its header: ${mismatch}`);
      return undefined;
    }
    return { header, ...body };
  }

  // ---------------------------------------------------------------------------
  // Propagated blocks

  private onNewBlock(peer: EthPeer, msg: NewBlock, hash: Hash32): void {
    if (this.stopped || this.isPostMerge()) return;
    const { block, td } = msg;
    const { header } = block;
    // The sender must hold at least the parent; td - difficulty is the parent's TD (geth's trueHead/trueTD).
    if (td >= header.difficulty) peer.setHead(header.parentHash, td - header.difficulty);
    if (this.haveOrQueued(hex(hash), hash)) {
      if (fault('block-repropagate-known')) this.propagation.announceBlock(hash, header.number);
      return;
    }
    bodyMismatch(header, block).then(
      (mismatch) => {
        if (this.stopped) return;
        if (mismatch !== undefined) return this.dropPeer(peer, `NewBlock ${header.number}: body does not match its header: ${mismatch}`);
        this.enqueue({ block, hash, origin: peer });
      },
      (err: unknown) => this.log(`block fetcher: NewBlock ${header.number} from ${short(peer)}: ${(err as Error).message}`),
    );
  }

  // ---------------------------------------------------------------------------
  // The queue

  private enqueue(q: QueuedBlock): void {
    const key = hex(q.hash);
    if (this.haveOrQueued(key, q.hash)) return;
    const { number } = q.block.header;
    const height = this.chain.head().number;
    const dist = number - height;
    if (dist < -MAX_UNCLE_DIST || dist > MAX_QUEUE_DIST) {
      this.log(`block fetcher: block ${number} from ${short(q.origin)} is ${dist} from our head ${height}, discarded`);
      return;
    }
    const count = this.queuedCounts.get(q.origin) ?? 0;
    if (count >= BLOCK_LIMIT) {
      this.log(`block fetcher: ${short(q.origin)} has ${BLOCK_LIMIT} blocks queued, discarding block ${number}`);
      return;
    }
    this.queuedCounts.set(q.origin, count + 1);
    this.queued.set(key, q);
    // The block is here: no need to fetch it any more.
    const announcement = this.announced.get(key);
    if (announcement !== undefined && announcement.timer !== undefined) this.forget(key, announcement);
    this.drain();
  }

  private dequeue(key: string, q: QueuedBlock): void {
    this.queued.delete(key);
    const n = (this.queuedCounts.get(q.origin) ?? 1) - 1;
    if (n <= 0) this.queuedCounts.delete(q.origin);
    else this.queuedCounts.set(q.origin, n);
  }

  /** Imports queued blocks one at a time while one of them has a stored parent. */
  private drain(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    void (async () => {
      try {
        for (;;) {
          this.drainAgain = false;
          const next = this.stopped ? undefined : this.nextImportable();
          if (next === undefined) {
            if (this.drainAgain) continue;
            return;
          }
          this.importing = next.key;
          try {
            await this.importBlock(next.q);
          } catch (err) {
            this.log(`block fetcher: block ${next.q.block.header.number}: ${(err as Error).message}`);
          } finally {
            this.importing = undefined;
          }
        }
      } finally {
        this.draining = false;
        this.notifyIdle();
      }
    })();
  }

  /** The lowest queued block whose parent is stored, after dropping the stale and the known ones. */
  private nextImportable(): { key: string; q: QueuedBlock } | undefined {
    const height = this.chain.head().number;
    let best: { key: string; q: QueuedBlock } | undefined;
    for (const [key, q] of this.queued) {
      const { number, parentHash } = q.block.header;
      if (this.chain.headerByHash(q.hash) !== undefined || number + MAX_UNCLE_DIST < height) {
        this.dequeue(key, q);
        continue;
      }
      if (this.chain.headerByHash(parentHash) === undefined) continue;
      if (best === undefined || number < best.q.block.header.number) best = { key, q };
    }
    if (best !== undefined) this.dequeue(best.key, best.q);
    return best;
  }

  /** geth's BlockFetcher.importBlocks: verify the header, propagate, import, announce. */
  private async importBlock({ block, hash, origin }: QueuedBlock): Promise<void> {
    if (this.isPostMerge()) return;
    const { header } = block;
    const parentTd = this.chain.tdByHash(header.parentHash);
    if (parentTd === undefined) return;
    if (header.timestamp > this.now()) {
      this.log(`block fetcher: block ${header.number} from ${short(origin)} is from the future (${header.timestamp}), discarded`);
      return;
    }
    try {
      this.verifyHeader(header, hash);
    } catch (err) {
      if (err instanceof BlockValidationError) this.dropPeer(origin, `propagated block failed verification: ${err.message}`);
      else this.log(`block fetcher: verification of block ${header.number} failed: ${(err as Error).message}`);
      return;
    }
    this.propagation.broadcastBlock(block, parentTd + header.difficulty, hash);
    try {
      await this.chain.importBlocks([block]);
    } catch (err) {
      if (err instanceof BlockValidationError && err.rule !== 'unknown-parent') {
        this.dropPeer(origin, `propagated block failed import: ${err.message}`);
      } else {
        this.log(`block fetcher: import of block ${header.number} failed: ${(err as Error).message}`);
      }
      return;
    }
    if (this.stopped) return;
    this.propagation.announceBlock(hash, header.number);
  }

  // ---------------------------------------------------------------------------

  /** Stored, queued or being imported. */
  private haveOrQueued(key: string, hash: Hash32): boolean {
    return this.queued.has(key) || this.importing === key || this.chain.headerByHash(hash) !== undefined;
  }

  private dropPeer(peer: EthPeer, why: string): void {
    this.log(`block fetcher: dropping ${short(peer)}: ${why}`);
    if (fault('block-keep-bad-peer')) return;
    peer.disconnect(BAD_BLOCK_DISCONNECT_REASON);
  }

  private notifyIdle(): void {
    if (this.draining) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}

/** geth's fetcher skips the body request when the header commits to an empty one. */
function commitsToEmptyBody(header: BlockHeader): boolean {
  return equalBytes(header.transactionsRoot, EMPTY_TRIE_ROOT) && equalBytes(header.ommersHash, EMPTY_OMMERS_HASH) && header.withdrawalsRoot === undefined;
}

/** Why `body` is not the body `header` commits to, or undefined if it is (geth's FilterBodies match). */
export async function bodyMismatch(header: BlockHeader, body: BlockBody): Promise<string | undefined> {
  if (!equalBytes(ommersHashOf(body.uncles), header.ommersHash)) return 'ommers hash';
  if (!equalBytes(await transactionsRoot(body.transactions), header.transactionsRoot)) return 'transactions root';
  if ((header.withdrawalsRoot === undefined) !== (body.withdrawals === undefined)) return 'withdrawals present in one but not the other';
  if (header.withdrawalsRoot !== undefined && !equalBytes(await withdrawalsRoot(body.withdrawals!), header.withdrawalsRoot)) return 'withdrawals root';
  return undefined;
}

/** Header rules against the stored parent, with the chain's engine (geth's fetcher verifyHeader = engine.VerifyHeader). */
function defaultHeaderVerifier(chain: FetcherChain, engine?: ConsensusEngine): (header: BlockHeader, hash: Hash32) => void {
  const rules = engine ?? (chain.config.clique !== undefined ? new CliqueEngine(chain.config.clique) : unverifiedPowEngine);
  return (header, hash) => {
    const parent = chain.headerByHash(header.parentHash);
    const parentTd = chain.tdByHash(header.parentHash);
    if (parent === undefined || parentTd === undefined) {
      throw new BlockValidationError(header.number, hash, 'unknown-parent', `parent 0x${hex(header.parentHash)} is not stored`);
    }
    validateHeader(header, hash, { config: chain.config, parent, parentTd, engine: rules, chain });
  };
}

function short(peer: EthPeer): string {
  return `peer ${peer.id.slice(0, 16)}`;
}
