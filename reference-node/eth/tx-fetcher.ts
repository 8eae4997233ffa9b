/**
 * The transaction fetcher, after geth's eth/fetcher/tx_fetcher.go: it turns
 * NewPooledTransactionHashes announcements into GetPooledTransactions
 * requests, without asking for what a broadcast is about to bring anyway.
 *
 * A hash goes through three stages, and is in exactly one at a time:
 *   1. waiting: announced, not yet requested. A full tx broadcast within
 *      500 ms (geth's txArriveTimeout) ends its journey here. Blob txs skip
 *      the wait: nobody broadcasts them.
 *   2. queued: the wait is over; any idle peer that announced it may be asked.
 *   3. fetching: requested from one peer. Each peer has at most one request
 *      in flight, of at most 256 hashes (maxTxRetrievals) or 128 KiB of
 *      announced size (maxTxRetrievalSize), hashes in the order the peer
 *      announced them (fewer nonce gaps at the pool).
 *
 * A request unanswered after 5 s (txFetchTimeout) is given up on: its hashes
 * go back to the queue without that peer, so another announcer is asked.
 * The slow peer stays busy until its request settles (geth keeps it
 * "dangling"), so it is not asked again meanwhile. A reply settles the
 * request; hashes it skipped before its last delivered tx count as
 * unavailable there, the rest stay askable there (geth's cutoff rule).
 *
 * Whenever a tx arrives, broadcast or reply, it is checked against every
 * eth/68 announcement of it: a different type, or a size more than 8 bytes
 * off, gets the announcer dropped (geth drops with DiscUselessPeer). Then the
 * hash leaves the fetcher and the tx goes to the pool.
 *
 * Hashes the pool has, or recently turned away (underpriced and such), are
 * never tracked; nor are unknown tx types. A peer may have at most 4096
 * hashes tracked (maxTxAnnounces); more are ignored.
 *
 * Departures from geth: no 100 ms gather slack (a hash is requested 500 ms
 * after its first announcement, give or take 10 ms of batching); txs in a
 * reply that we did not request are ignored rather than pooled.
 */
import { bytesToHex } from '../wire/bytes.js';
import { transactionHash } from '../wire/tx/hash.js';
import { BLOB_TX_TYPE, isKnownTxType, type Hash32, type Transaction } from '../wire/tx/types.js';
import { announcedSize } from './tx-packs.js';
import { systemTimers, type TimerHandle, type TxTimers } from './tx-timers.js';
import { fault } from '../faults/index.js';

/** geth's txArriveTimeout. */
export const TX_ARRIVE_TIMEOUT_MS = 500;
/** geth's txFetchTimeout. */
export const TX_FETCH_TIMEOUT_MS = 5_000;
/** geth's maxTxRetrievals. */
export const MAX_TX_RETRIEVALS = 256;
/** geth's maxTxRetrievalSize. */
export const MAX_TX_RETRIEVAL_SIZE = 128 * 1024;
/** geth's maxTxAnnounces: hashes tracked per peer. */
export const MAX_TX_ANNOUNCES = 4096;
/** A delivered size may differ from the announced one by this much (geth tolerates RLP vs consensus framing). */
export const ANNOUNCED_SIZE_SLACK = 8;
/** Waits that end this close together are handled in one go. */
const WAIT_BATCH_MS = 10;

/** An announcement as the fetcher takes it: eth/68 carries types and sizes, eth/66-67 only hashes. */
export interface TxAnnounceBatch {
  hashes: readonly Hash32[];
  types?: Uint8Array;
  sizes?: readonly number[];
}

export interface TxFetcherOptions {
  /** True for hashes not worth fetching: the pool has them or recently rejected them. */
  isKnown(hash: Hash32): boolean;
  /** Hands delivered txs to the pool (origin = the peer id). */
  addTxs(txs: Transaction[], origin: string): Promise<unknown>;
  /** Sends GetPooledTransactions to the peer and resolves with the txs of its reply. */
  fetchTxs(peerId: string, hashes: Hash32[]): Promise<Transaction[]>;
  /** Disconnects a peer whose announcement lied about a tx. */
  dropPeer(peerId: string, detail: string): void;
  timers?: TxTimers;
  arriveTimeoutMs?: number;
  fetchTimeoutMs?: number;
  log?(line: string): void;
}

interface Announce {
  type: number | undefined;
  size: number | undefined;
  seq: number;
}

interface Tracked {
  hash: Hash32;
  stage: 'waiting' | 'queued' | 'fetching';
  /** When it was first announced (stage 1). */
  since: number;
  /** Who announced it, with what they said. */
  announcers: Map<string, Announce>;
  /** The peer it is being fetched from (stage 3). */
  from?: string;
}

interface Request {
  keys: string[];
  timer: TimerHandle | undefined;
  timedOut: boolean;
}

export class TxFetcher {
  private readonly timers: TxTimers;
  private readonly arriveMs: number;
  private readonly fetchMs: number;
  private readonly tracked = new Map<string, Tracked>();
  /** Keys each peer announced that are still tracked, for the DoS cap and clean-up. */
  private readonly byPeer = new Map<string, Set<string>>();
  private readonly requests = new Map<string, Request>();
  private waitTimer: TimerHandle | undefined;
  private waitDue = Infinity;
  private seq = 0;
  private stopped = false;

  constructor(private readonly options: TxFetcherOptions) {
    this.timers = options.timers ?? systemTimers;
    this.arriveMs = options.arriveTimeoutMs ?? TX_ARRIVE_TIMEOUT_MS;
    this.fetchMs = options.fetchTimeoutMs ?? TX_FETCH_TIMEOUT_MS;
  }

  /** Hashes currently tracked, by stage (for tests and diagnostics). */
  stats(): { waiting: number; queued: number; fetching: number; requests: number } {
    const count = { waiting: 0, queued: 0, fetching: 0, requests: this.requests.size };
    for (const t of this.tracked.values()) count[t.stage]++;
    return count;
  }

  /** A peer announced txs (NewPooledTransactionHashes). */
  notify(peerId: string, batch: TxAnnounceBatch): void {
    if (this.stopped) return;
    const mine = this.byPeer.get(peerId) ?? new Set<string>();
    const touched = new Set<string>();
    let newWaiting = false;
    for (const [i, hash] of batch.hashes.entries()) {
      if (mine.size >= MAX_TX_ANNOUNCES) break;
      const type = batch.types?.[i];
      if (type !== undefined && !isKnownTxType(type)) continue;
      if (this.options.isKnown(hash)) continue;
      const key = bytesToHex(hash);
      const announce: Announce = { type, size: batch.sizes?.[i], seq: this.seq++ };
      const known = this.tracked.get(key);
      if (known) {
        // A repeat from the same peer changes nothing: a peer cannot flip its claim.
        if (known.announcers.has(peerId)) continue;
        known.announcers.set(peerId, announce);
        mine.add(key);
        if (known.stage === 'queued') touched.add(peerId);
        continue;
      }
      const now = this.timers.now();
      // Blob txs are never broadcast, so there is nothing to wait for.
      const isBlob = type === BLOB_TX_TYPE;
      this.tracked.set(key, { hash, stage: isBlob ? 'queued' : 'waiting', since: now, announcers: new Map([[peerId, announce]]) });
      mine.add(key);
      if (isBlob) touched.add(peerId);
      else newWaiting = true;
    }
    if (mine.size > 0) this.byPeer.set(peerId, mine);
    if (newWaiting) this.armWaitTimer();
    if (touched.size > 0) this.scheduleFetches(touched);
  }

  /** Txs a peer broadcast to us (Transactions): they end any wait or fetch for them and go to the pool. */
  async enqueue(peerId: string, txs: readonly Transaction[], hashes?: readonly Hash32[]): Promise<void> {
    if (this.stopped || txs.length === 0) return;
    this.delivered(txs, hashes ?? txs.map(transactionHash));
    await this.addToPool([...txs], peerId);
  }

  /** The peer is gone: forget what it announced and requeue what it was fetching. */
  drop(peerId: string): void {
    const request = this.requests.get(peerId);
    if (request) {
      this.requests.delete(peerId);
      if (request.timer !== undefined) this.timers.clearTimeout(request.timer);
    }
    for (const key of this.byPeer.get(peerId) ?? []) {
      const t = this.tracked.get(key);
      if (!t) continue;
      t.announcers.delete(peerId);
      if (t.stage === 'fetching' && t.from === peerId) {
        t.stage = 'queued';
        delete t.from;
      }
      if (t.announcers.size === 0 && t.stage !== 'fetching') this.forget(key);
    }
    this.byPeer.delete(peerId);
    this.scheduleFetches();
  }

  stop(): void {
    this.stopped = true;
    if (this.waitTimer !== undefined) this.timers.clearTimeout(this.waitTimer);
    for (const r of this.requests.values()) if (r.timer !== undefined) this.timers.clearTimeout(r.timer);
    this.requests.clear();
    this.tracked.clear();
    this.byPeer.clear();
  }

  private armWaitTimer(): void {
    let earliest = Infinity;
    for (const t of this.tracked.values()) if (t.stage === 'waiting' && t.since < earliest) earliest = t.since;
    if (earliest === Infinity) return;
    const due = earliest + this.arriveMs;
    if (this.waitTimer !== undefined && due >= this.waitDue) return;
    if (this.waitTimer !== undefined) this.timers.clearTimeout(this.waitTimer);
    this.waitDue = due;
    this.waitTimer = this.timers.setTimeout(() => this.onWaitOver(), Math.max(0, due - this.timers.now()));
  }

  /** Moves every hash whose wait is over to the queue and asks its announcers. */
  private onWaitOver(): void {
    this.waitTimer = undefined;
    this.waitDue = Infinity;
    if (this.stopped) return;
    const now = this.timers.now();
    const peers = new Set<string>();
    for (const t of this.tracked.values()) {
      if (t.stage !== 'waiting' || now - t.since + WAIT_BATCH_MS < this.arriveMs) continue;
      t.stage = 'queued';
      for (const p of t.announcers.keys()) peers.add(p);
    }
    this.armWaitTimer();
    if (peers.size > 0) this.scheduleFetches(peers);
  }

  /** Gives every idle peer among `candidates` (default: all announcers) a request for its queued hashes. */
  private scheduleFetches(candidates: Iterable<string> = this.byPeer.keys()): void {
    for (const peerId of [...candidates]) {
      if (this.stopped) return;
      if (this.requests.has(peerId)) continue;
      const keys = this.pickFor(peerId);
      if (keys.length === 0) continue;
      this.startRequest(peerId, keys);
    }
  }

  /** The queued hashes `peerId` announced, in announcement order, within the count and size caps. */
  private pickFor(peerId: string): string[] {
    const mine: Array<{ key: string; seq: number; size: number }> = [];
    for (const key of this.byPeer.get(peerId) ?? []) {
      const t = this.tracked.get(key);
      const a = t?.announcers.get(peerId);
      if (t?.stage === 'queued' && a) mine.push({ key, seq: a.seq, size: a.size ?? 0 });
    }
    mine.sort((x, y) => x.seq - y.seq);
    const picked: string[] = [];
    let bytes = 0;
    for (const m of mine) {
      const capped = !fault('tx-fetch-over-cap');
      if (capped && picked.length >= MAX_TX_RETRIEVALS) break;
      if (capped && picked.length > 0 && bytes + m.size > MAX_TX_RETRIEVAL_SIZE) break;
      picked.push(m.key);
      bytes += m.size;
    }
    return picked;
  }

  private startRequest(peerId: string, keys: string[]): void {
    const request: Request = { keys, timer: undefined, timedOut: false };
    const hashes: Hash32[] = [];
    for (const key of keys) {
      const t = this.tracked.get(key)!;
      t.stage = 'fetching';
      t.from = peerId;
      hashes.push(t.hash);
    }
    this.requests.set(peerId, request);
    request.timer = this.timers.setTimeout(() => this.onRequestTimeout(peerId, request), this.fetchMs);
    let reply: Promise<Transaction[]>;
    try {
      reply = this.options.fetchTxs(peerId, hashes);
    } catch (err) {
      reply = Promise.reject(err);
    }
    reply.then(
      (txs) => this.onReply(peerId, request, txs),
      (err: unknown) => this.onRequestFailed(peerId, request, err),
    );
  }

  /** 5 s without an answer: requeue the hashes without this peer, so another announcer is asked. */
  private onRequestTimeout(peerId: string, request: Request): void {
    request.timer = undefined;
    if (this.stopped || this.requests.get(peerId) !== request) return;
    request.timedOut = true;
    if (fault('tx-fetch-no-retry')) return;
    this.options.log?.(`tx fetcher: ${peerId.slice(0, 16)} did not answer GetPooledTransactions for ${request.keys.length} txs within ${this.fetchMs} ms`);
    for (const key of request.keys) this.giveUpAt(key, peerId);
    // The request stays registered: the peer is busy until it settles.
    this.scheduleFetches();
  }

  private onRequestFailed(peerId: string, request: Request, err: unknown): void {
    if (this.stopped || this.requests.get(peerId) !== request) return;
    this.settle(peerId, request);
    if (!request.timedOut) {
      this.options.log?.(`tx fetcher: GetPooledTransactions to ${peerId.slice(0, 16)} failed: ${err instanceof Error ? err.message : String(err)}`);
      for (const key of request.keys) this.giveUpAt(key, peerId);
    }
    if (this.byPeer.get(peerId)?.size === 0) this.byPeer.delete(peerId);
    this.scheduleFetches();
  }

  private onReply(peerId: string, request: Request, txs: Transaction[]): void {
    if (this.stopped || this.requests.get(peerId) !== request) return;
    this.settle(peerId, request);
    const asked = new Map(request.keys.map((k, i) => [k, i]));
    const wanted: Transaction[] = [];
    const wantedHashes: Hash32[] = [];
    let lastIndex = -1;
    for (const tx of txs) {
      const hash = transactionHash(tx);
      const index = asked.get(bytesToHex(hash));
      if (index === undefined) continue;
      wanted.push(tx);
      wantedHashes.push(hash);
      lastIndex = Math.max(lastIndex, index);
    }
    this.delivered(wanted, wantedHashes);
    if (!request.timedOut) {
      for (const [i, key] of request.keys.entries()) {
        const t = this.tracked.get(key);
        if (!t || t.stage !== 'fetching' || t.from !== peerId) continue;
        // Skipped before the last delivered one (or nothing delivered): the peer does not have it.
        if (lastIndex < 0 || i < lastIndex) this.giveUpAt(key, peerId);
        else {
          t.stage = 'queued';
          delete t.from;
        }
      }
    }
    if (wanted.length > 0) void this.addToPool(wanted, peerId);
    if (this.byPeer.get(peerId)?.size === 0) this.byPeer.delete(peerId);
    this.scheduleFetches();
  }

  /** The request is over: the peer is idle again. */
  private settle(peerId: string, request: Request): void {
    if (request.timer !== undefined) this.timers.clearTimeout(request.timer);
    this.requests.delete(peerId);
  }

  /** The fetch of `key` from `peerId` failed: requeue it with the other announcers, or forget it. */
  private giveUpAt(key: string, peerId: string): void {
    const t = this.tracked.get(key);
    if (!t) return;
    t.announcers.delete(peerId);
    this.byPeer.get(peerId)?.delete(key);
    if (t.stage === 'fetching' && t.from === peerId) {
      t.stage = 'queued';
      delete t.from;
    }
    if (t.announcers.size === 0) this.forget(key);
  }

  /** Txs arrived: check each against its announcements, drop liars, and stop tracking them. */
  private delivered(txs: readonly Transaction[], hashes: readonly Hash32[]): void {
    const liars = new Map<string, string>();
    for (const [i, tx] of txs.entries()) {
      const key = bytesToHex(hashes[i]!);
      const t = this.tracked.get(key);
      if (!t) continue;
      const size = announcedSize(tx);
      for (const [peerId, a] of t.announcers) {
        if (a.type !== undefined && a.type !== tx.type) {
          liars.set(peerId, `announced tx 0x${key} as type ${a.type}, it is type ${tx.type}`);
        } else if (a.size !== undefined && Math.abs(a.size - size) > ANNOUNCED_SIZE_SLACK) {
          liars.set(peerId, `announced tx 0x${key} as ${a.size} bytes, it is ${size}`);
        }
      }
      this.forget(key);
    }
    for (const [peerId, detail] of liars) {
      this.options.log?.(`tx fetcher: dropping ${peerId.slice(0, 16)}: ${detail}`);
      this.options.dropPeer(peerId, detail);
      this.drop(peerId);
    }
  }

  private forget(key: string): void {
    const t = this.tracked.get(key);
    if (!t) return;
    this.tracked.delete(key);
    for (const peerId of t.announcers.keys()) {
      const set = this.byPeer.get(peerId);
      set?.delete(key);
      if (set && set.size === 0 && !this.requests.has(peerId)) this.byPeer.delete(peerId);
    }
  }

  private async addToPool(txs: Transaction[], origin: string): Promise<void> {
    try {
      await this.options.addTxs(txs, origin);
    } catch (err) {
      this.options.log?.(`tx fetcher: the pool refused a batch from ${origin.slice(0, 16)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
