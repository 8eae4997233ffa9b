/**
 * Pre-merge full sync, scheduled as geth's chainSyncer: when a peer arrives
 * and every 10 s (forced), pick the connected peer with the highest total
 * difficulty; if it beats our head, run one round against it (legacy-round.ts).
 * One round at a time. A peer at fault is dropped with DiscUselessPeer, as
 * geth's handler does for the downloader, and the next round starts at once
 * with whichever peer is best now. Peers without a TD (eth/69+) are skipped.
 */
import type { EthPeer } from '../eth/eth-peer.js';
import { TypedEvents } from '../p2p/typed-events.js';
import { bytesToHex } from '../wire/bytes.js';
import { PeerFault, PeerGone, SYNC_DROP_REASON, SyncAborted } from './errors.js';
import { MAX_REQUESTS_IN_FLIGHT, RequestSlots } from './fetch.js';
import { DEFAULT_ROUND_TUNING, runLegacyRound, type RoundTuning } from './legacy-round.js';
import type { SyncChain, SyncPeer, SyncProgress } from './types.js';
import { fault } from '../faults/index.js';

/** geth's forceSyncCycle. */
export const DEFAULT_SYNC_INTERVAL_MS = 10_000;

export interface LegacySyncOptions {
  chain: SyncChain;
  /** The connected eth peers. */
  peers: () => EthPeer[];
  intervalMs?: number;
  /** Per request; defaults to the peer's own request timeout. */
  requestTimeoutMs?: number;
  log?: (line: string) => void;
  /** Download window and import batch size (for benchmarks). */
  tuning?: Partial<RoundTuning>;
}

export interface SyncRoundResult {
  peerId: string;
  /**
   * synced: we hold the peer's head; dropped: the peer was at fault and was
   * disconnected; peer-gone: it left mid-round; aborted: stop(); failed: a
   * local error (the chain store), the peer is kept.
   */
  outcome: 'synced' | 'dropped' | 'peer-gone' | 'aborted' | 'failed';
  /** Blocks imported in this round. */
  imported: number;
  /** Our head after the round. */
  head: { number: bigint; hash: Uint8Array; td: bigint };
  /** Why the round did not sync. */
  error?: string;
  /** The fault the peer was dropped for. */
  fault?: PeerFault;
}

export type LegacySyncEvents = {
  roundFinished: [result: SyncRoundResult];
};

export class LegacySync {
  private readonly events = new TypedEvents<LegacySyncEvents>();
  private readonly chain: SyncChain;
  private readonly intervalMs: number;
  private readonly tuning: RoundTuning;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private running: Promise<void> | undefined;
  private again = false;
  private abort: AbortController | undefined;
  private current: { startingBlock: bigint; highestBlock: bigint } | undefined;

  constructor(private readonly options: LegacySyncOptions) {
    this.chain = options.chain;
    this.intervalMs = options.intervalMs ?? DEFAULT_SYNC_INTERVAL_MS;
    this.tuning = { ...DEFAULT_ROUND_TUNING, ...options.tuning };
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.timer = setInterval(() => this.trigger(), this.intervalMs);
    this.timer.unref();
    this.trigger();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.abort?.abort();
    await this.running;
  }

  /** A peer passed the handshake: a round may start. */
  addPeer(_peer: EthPeer): void {
    this.trigger();
  }

  /** While a round runs (geth's Progress; startingBlock is the round's common ancestor). */
  progress(): SyncProgress | undefined {
    if (this.current === undefined) return undefined;
    const currentBlock = this.chain.head().number;
    const highestBlock = this.current.highestBlock > currentBlock ? this.current.highestBlock : currentBlock;
    return { startingBlock: this.current.startingBlock, currentBlock, highestBlock };
  }

  /** Resolves once no round runs or is about to. */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  on<K extends keyof LegacySyncEvents>(event: K, listener: (...args: LegacySyncEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Calls `listener` after every round; returns the unsubscribe function. */
  onRoundFinished(listener: (result: SyncRoundResult) => void): () => void {
    return this.events.on('roundFinished', listener);
  }

  /** The peer a round would sync from now, if any (geth's nextSyncOp). */
  bestPeer(): EthPeer | undefined {
    let best: EthPeer | undefined;
    for (const peer of this.options.peers()) {
      const td = peer.head.td;
      if (!peer.connected || td === undefined) continue;
      if (td <= this.chain.head().td && fault('sync-not-best-peer')) continue;
      if (best === undefined || (fault('sync-not-best-peer') ? td < best.head.td! : td > best.head.td!)) best = peer;
    }
    return best !== undefined && best.head.td! > this.chain.head().td ? best : undefined;
  }

  private trigger(): void {
    if (!this.started || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const peer = this.bestPeer();
      if (peer === undefined || this.stopped) return;
      const result = await this.round(peer);
      // Something changed (blocks in, or the peer set): look again at once; else wait for a trigger.
      if (result.imported > 0 || result.outcome === 'dropped' || result.outcome === 'peer-gone') this.again = true;
      this.events.emit('roundFinished', result);
    } while (this.again && !this.stopped);
  }

  private async round(peer: SyncPeer): Promise<SyncRoundResult> {
    const abort = new AbortController();
    this.abort = abort;
    const startHead = this.chain.head();
    this.current = { startingBlock: startHead.number, highestBlock: startHead.number };
    const id = peer.id.slice(0, 16);
    this.log(`sync: round with ${id} (td ${peer.head.td}, head 0x${bytesToHex(peer.head.hash).slice(0, 12)}…) from block ${startHead.number} (td ${startHead.td})`);
    let imported = 0;
    const ctx = { peer, signal: abort.signal, slots: new RequestSlots(MAX_REQUESTS_IN_FLIGHT), ...(this.options.requestTimeoutMs === undefined ? {} : { timeoutMs: this.options.requestTimeoutMs }) };
    const progress = {
      onAncestor: (ancestor: { number: bigint }, remoteHeight: bigint) => {
        this.current = { startingBlock: ancestor.number, highestBlock: remoteHeight };
        this.log(`sync: common ancestor ${ancestor.number}, peer head ${remoteHeight}`);
      },
      onImported: (count: number) => {
        imported += count;
      },
    };
    const finish = (outcome: SyncRoundResult['outcome'], extra: Partial<SyncRoundResult> = {}): SyncRoundResult => {
      const { number, hash, td } = this.chain.head();
      return { peerId: peer.id, outcome, imported, head: { number, hash, td }, ...extra };
    };
    try {
      const out = await runLegacyRound(ctx, this.chain, progress, this.tuning);
      peer.setHead(out.remoteHead.hash, out.remoteHead.td);
      this.log(`sync: round with ${id} done: ${imported} blocks imported, head ${this.chain.head().number}`);
      return finish('synced');
    } catch (err) {
      if (err instanceof PeerFault) {
        if (fault('sync-no-drop-liar')) return finish('failed', { error: err.message });
        this.log(`sync: dropping ${id}: ${err.message}`);
        peer.disconnect(SYNC_DROP_REASON);
        return finish('dropped', { error: err.message, fault: err });
      }
      if (err instanceof PeerGone) return finish('peer-gone', { error: err.message });
      if (err instanceof SyncAborted) return finish('aborted', { error: err.message });
      this.log(`sync: round with ${id} failed: ${(err as Error).message}`);
      return finish('failed', { error: (err as Error).message });
    } finally {
      // Downloads still running for the pipeline end here.
      abort.abort();
      this.current = undefined;
      this.abort = undefined;
    }
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}
