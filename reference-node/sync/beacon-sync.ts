/**
 * Post-merge sync to a head named by the consensus layer (engine
 * forkchoiceUpdated / newPayload), in the spirit of geth's beacon skeleton
 * sync: the target header by hash from any peer that has it, then headers
 * backwards by parent hash until one we hold, then bodies forwards, imported
 * without moving the head; finally the target becomes the head.
 *
 * Everything is checked against the target's hash: each header is the parent
 * of the one before, each body matches its header. A peer that answers with
 * something else, answers nothing for data below a head it served, or times
 * out is dropped (DiscUselessPeer, as for the legacy sync) and the attempt
 * restarts with another peer. Blocks that are well formed but fail execution
 * make the target invalid: it is not retried (the consensus layer chose it,
 * not the peer), until a new syncTo.
 *
 * A target no peer has is retried every `retryMs` and when a peer arrives;
 * meanwhile progress() reports our head as current and highest block.
 */
import type { EthPeer } from '../eth/eth-peer.js';
import { TypedEvents } from '../p2p/typed-events.js';
import type { ChainHeadInfo } from '../chain/reader.js';
import type { Block } from '../wire/block.js';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import { PeerFault, PeerGone, SYNC_DROP_REASON, SyncAborted } from './errors.js';
import { fetchBlocks, fetchHeaderByHash, fetchHeadersBack, MAX_HEADER_FETCH, MAX_REQUESTS_IN_FLIGHT, RequestSlots, type FetchContext } from './fetch.js';
import { importOrBlame } from './legacy-round.js';
import { runPipeline } from './pipeline.js';
import type { HashedHeader, SyncChain, SyncPeer, SyncProgress } from './types.js';
import { fault } from '../faults/index.js';

/** Headers per backward request (geth's skeleton requestHeaders). */
export const BACKWARD_HEADER_FETCH = 512;
export const DEFAULT_RETRY_MS = 3_000;

export interface BeaconSyncOptions {
  chain: SyncChain;
  peers: () => EthPeer[];
  requestTimeoutMs?: number;
  /** How often a target no peer has is asked for again. */
  retryMs?: number;
  log?: (line: string) => void;
  /** Segments downloading ahead of the import, and blocks per import call. */
  tuning?: { window?: number; maxImportBatch?: number };
}

export interface BeaconAttemptResult {
  target: Uint8Array;
  /**
   * synced: the target is our head; target-unknown: no peer has it (retried
   * later); invalid: its chain fails validation (not retried); superseded: a
   * newer target or stop() ended it; failed: a local error, or every peer
   * that had it was dropped or left (retried later).
   */
  outcome: 'synced' | 'target-unknown' | 'invalid' | 'superseded' | 'failed';
  /** Blocks imported by this attempt. */
  imported: number;
  error?: string;
  /** Peers dropped during the attempt, with the fault. */
  dropped: { peerId: string; fault: PeerFault }[];
}

export type BeaconSyncEvents = {
  /** The target became our head. */
  synced: [head: ChainHeadInfo];
  attemptFinished: [result: BeaconAttemptResult];
};

interface Target {
  hash: Uint8Array;
  /** Once a peer served its header. */
  number: bigint | undefined;
  startingBlock: bigint;
  currentBlock: bigint;
}

export class BeaconSync {
  private readonly events = new TypedEvents<BeaconSyncEvents>();
  private readonly chain: SyncChain;
  private target: Target | undefined;
  private running: Promise<void> | undefined;
  private abort: AbortController | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly window: number;
  private readonly maxImportBatch: number;

  constructor(private readonly options: BeaconSyncOptions) {
    this.chain = options.chain;
    this.window = options.tuning?.window ?? 8;
    this.maxImportBatch = options.tuning?.maxImportBatch ?? 512;
  }

  /** Sync to `hash`; returns at once. A newer target replaces the one in progress. */
  syncTo(hash: Uint8Array): void {
    if (this.stopped || fault('sync-beacon-ignore-target')) return;
    if (this.target !== undefined && equalBytes(this.target.hash, hash)) return this.kick();
    const head = this.chain.head().number;
    this.target = { hash: hash.slice(), number: undefined, startingBlock: head, currentBlock: head };
    this.abort?.abort();
    this.kick();
  }

  /** A peer passed the handshake: a pending target may be found there. */
  addPeer(_peer: EthPeer): void {
    if (this.target !== undefined) this.kick();
  }

  /** Undefined when no target is pending. While the target's number is unknown, highestBlock is our head. */
  progress(): SyncProgress | undefined {
    const t = this.target;
    if (t === undefined) return undefined;
    const highest = t.number !== undefined && t.number > t.currentBlock ? t.number : t.currentBlock;
    return { startingBlock: t.startingBlock, currentBlock: t.currentBlock, highestBlock: highest };
  }

  /** The pending target's hash, if any. */
  pendingTarget(): Uint8Array | undefined {
    return this.target?.hash;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.abort?.abort();
    await this.whenIdle();
  }

  /** Resolves once no attempt runs (a target waiting for its retry counts as idle). */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  on<K extends keyof BeaconSyncEvents>(event: K, listener: (...args: BeaconSyncEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Calls `listener` each time a target becomes our head; returns the unsubscribe function. */
  onSynced(listener: (head: ChainHeadInfo) => void): () => void {
    return this.events.on('synced', listener);
  }

  private kick(): void {
    if (this.stopped || this.running) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopped && this.target !== undefined) {
      const target = this.target;
      const result = await this.attempt(target);
      this.events.emit('attemptFinished', result);
      if (this.target !== target) continue; // replaced: go for the new one
      if (result.outcome === 'synced' || result.outcome === 'invalid') {
        this.target = undefined;
        if (result.outcome === 'synced') this.events.emit('synced', this.chain.head());
        return;
      }
      if (result.outcome === 'target-unknown' || result.outcome === 'failed') {
        this.retryTimer = setTimeout(() => this.kick(), this.options.retryMs ?? DEFAULT_RETRY_MS);
        this.retryTimer.unref();
        return;
      }
    }
  }

  private async attempt(target: Target): Promise<BeaconAttemptResult> {
    const abort = new AbortController();
    this.abort = abort;
    const dropped: BeaconAttemptResult['dropped'] = [];
    let imported = 0;
    const done = (outcome: BeaconAttemptResult['outcome'], error?: string): BeaconAttemptResult => ({
      target: target.hash,
      outcome,
      imported,
      dropped,
      ...(error === undefined ? {} : { error }),
    });
    const label = `0x${bytesToHex(target.hash).slice(0, 12)}…`;
    try {
      if (this.chain.headerByHash(target.hash) === undefined) {
        // Peers are tried one after another; one at fault is dropped and the next one is asked.
        const tried = new Set<string>();
        for (;;) {
          const peer = this.options.peers().find((p) => p.connected && !tried.has(p.id));
          if (peer === undefined) {
            if (dropped.length > 0) return done('failed', `every peer with ${label} was dropped or left`);
            this.log(`beacon sync: no peer has ${label}`);
            return done('target-unknown', `no peer has ${label}`);
          }
          tried.add(peer.id);
          const ctx = this.context(peer, abort.signal);
          try {
            const found = await this.fromPeer(ctx, target, (n) => (imported += n));
            if (found) break;
          } catch (err) {
            if (err instanceof PeerFault && err.kind === 'invalid-chain') {
              this.log(`beacon sync: ${label} is invalid: ${err.message}`);
              return done('invalid', err.message);
            }
            if (err instanceof PeerFault) {
              this.log(`beacon sync: dropping ${peer.id.slice(0, 16)}: ${err.message}`);
              peer.disconnect(SYNC_DROP_REASON);
              dropped.push({ peerId: peer.id, fault: err });
              continue;
            }
            if (err instanceof PeerGone) continue;
            throw err;
          }
        }
      }
      if (abort.signal.aborted) throw new SyncAborted();
      const head = await this.chain.setHead(target.hash);
      target.currentBlock = head.number;
      this.log(`beacon sync: head ${head.number} ${label}`);
      return done('synced');
    } catch (err) {
      if (err instanceof SyncAborted) return done('superseded');
      this.log(`beacon sync: ${label} failed: ${(err as Error).message}`);
      return done('failed', (err as Error).message);
    } finally {
      abort.abort();
      if (this.abort === abort) this.abort = undefined;
    }
  }

  /**
   * Downloads the target's chain from one peer and imports it without
   * moving the head. False when the peer does not have the target.
   */
  private async fromPeer(ctx: FetchContext, target: Target, onImported: (n: number) => void): Promise<boolean> {
    const top = await fetchHeaderByHash(ctx, target.hash);
    if (top === undefined) return false;
    target.number = top.header.number;
    // Backwards by parent hash until a block we hold.
    const headers: HashedHeader[] = [top];
    let lowest = top;
    while (this.chain.headerByHash(lowest.header.parentHash) === undefined) {
      if (lowest.header.number === 0n) throw new PeerFault('bad-header', 'its chain reaches a genesis other than ours');
      const amount = Number(lowest.header.number < BigInt(BACKWARD_HEADER_FETCH) ? lowest.header.number : BigInt(BACKWARD_HEADER_FETCH));
      const got = await fetchHeadersBack(ctx, lowest.header.parentHash, amount);
      if (got[0]!.header.number !== lowest.header.number - 1n) throw new PeerFault('bad-header', `the parent of block ${lowest.header.number} has number ${got[0]!.header.number}`);
      for (const h of got) {
        headers.push(h);
        lowest = h;
        if (this.chain.headerByHash(h.header.parentHash) !== undefined) break;
      }
    }
    headers.reverse();
    this.log(`beacon sync: ${headers.length} headers from ${headers[0]!.header.number} to ${top.header.number}`);
    await runPipeline(
      bodyTasks(ctx, headers),
      async (blocks: Block[]) => {
        const n = await importOrBlame(this.chain, blocks, 'never');
        onImported(n);
        target.currentBlock = blocks[blocks.length - 1]!.header.number;
      },
      { window: this.window, maxBatch: this.maxImportBatch, signal: ctx.signal },
    );
    return true;
  }

  private context(peer: SyncPeer, signal: AbortSignal): FetchContext {
    return { peer, signal, slots: new RequestSlots(MAX_REQUESTS_IN_FLIGHT), ...(this.options.requestTimeoutMs === undefined ? {} : { timeoutMs: this.options.requestTimeoutMs }) };
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

async function* bodyTasks(ctx: FetchContext, headers: readonly HashedHeader[]): AsyncGenerator<() => Promise<Block[]>> {
  for (let i = 0; i < headers.length; i += MAX_HEADER_FETCH) {
    const slice = headers.slice(i, i + MAX_HEADER_FETCH);
    yield () => fetchBlocks(ctx, slice);
  }
}
