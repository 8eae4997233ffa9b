/**
 * The initial transaction sync: a peer that has just joined learns what our
 * pool holds. This is geth's txsyncLoop (eth/sync.go before eth/65) brought
 * up to the announcement era of its successor syncTransactions:
 *
 *   - eth/68+ peers get the pending txs as NewPooledTransactionHashes packs
 *     (types and sizes; at most 3200 hashes each) and fetch what they lack;
 *   - eth/66-67 peers get them whole, in Transactions packs of about 100 KiB,
 *     as the issue asks (geth's txsyncLoop did so up to eth/64);
 *   - blob txs are left out, as geth's syncTransactions asks the pool for
 *     plain txs only; they reach new peers through later announcements;
 *   - one pack is in flight at a time across all peers, and peers take turns
 *     (round robin), so a burst of new peers cannot flood the uplink and no
 *     peer waits for another's whole pool;
 *   - each pack is filled when its turn comes, skipping txs the peer already
 *     knows (it told us, or broadcast reached it meanwhile) and txs that have
 *     left the pool, so nothing is sent twice.
 *
 * "In flight" ends when our write has been handed to the socket and the event
 * loop has turned (a pause of packIntervalMs, 0 by default): the transport
 * gives no completion signal, and Node flushes sockets between turns.
 */
import type { Hash32, Transaction } from '../wire/tx/types.js';
import { BLOB_TX_TYPE } from '../wire/tx/types.js';
import type { TxBroadcastPeer } from './tx-broadcast.js';
import { MAX_ANNOUNCE_PACK, MAX_TX_PACKET_SIZE, type TxAnnouncement } from './tx-packs.js';
import { systemTimers, type TimerHandle, type TxTimers } from './tx-timers.js';
import { fault } from '../faults/index.js';

export type TxSyncPeer = TxBroadcastPeer;

/** A pending pool tx as the pool lists it (TxPool.pendingEntries). */
export interface TxSyncEntry {
  tx: Transaction;
  hash: Hash32;
  /** Encoded size, sidecar included (see TxAnnouncement.size). */
  size: number;
  type: number;
}

export interface TxSyncOptions {
  /** Whether the pool still holds a tx when its pack is filled. Default: always. */
  isPooled?: (hash: Uint8Array) => boolean;
  timers?: TxTimers;
  /** Pause after each pack before the next one goes out. Default 0. */
  packIntervalMs?: number;
  /** Hashes per announcement pack; default 3200 (MAX_ANNOUNCE_PACK). */
  maxAnnouncePack?: number;
  /** Bytes per Transactions pack; default 100 KiB. */
  maxTxPackBytes?: number;
}

interface PeerSync {
  peer: TxSyncPeer;
  entries: TxSyncEntry[];
  next: number;
}

export class TxSync {
  private readonly timers: TxTimers;
  /** Peers with txs still to send, in turn order (a Map keeps insertion order). */
  private readonly syncs = new Map<string, PeerSync>();
  private pause: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly options: TxSyncOptions = {}) {
    this.timers = options.timers ?? systemTimers;
  }

  /** Peers whose initial sync is not finished. */
  get pendingPeers(): number {
    return this.syncs.size;
  }

  /** Starts the initial sync of `peer` with the pool's pending txs (blob txs are skipped). */
  addPeer(peer: TxSyncPeer, pending: readonly TxSyncEntry[]): void {
    if (this.stopped || fault('tx-no-initial-announce')) return;
    const entries = pending.filter((e) => e.type !== BLOB_TX_TYPE);
    if (entries.length === 0) return;
    this.syncs.set(peer.id, { peer, entries, next: 0 });
    if (this.pause === undefined) this.sendNext();
  }

  /** The peer left: forget its sync. */
  removePeer(id: string): void {
    this.syncs.delete(id);
  }

  stop(): void {
    this.stopped = true;
    this.syncs.clear();
    if (this.pause !== undefined) this.timers.clearTimeout(this.pause);
    this.pause = undefined;
  }

  /** Sends one pack for the peer whose turn it is, then pauses before the next. */
  private sendNext(): void {
    for (const [id, sync] of this.syncs) {
      this.syncs.delete(id);
      if (!sync.peer.connected) continue;
      const sent = this.sendPack(sync);
      // Back of the line if it has more to come: peers take turns.
      if (sync.next < sync.entries.length) this.syncs.set(id, sync);
      if (!sent) continue;
      this.pause = this.timers.setTimeout(() => {
        this.pause = undefined;
        if (!this.stopped) this.sendNext();
      }, this.options.packIntervalMs ?? 0);
      return;
    }
  }

  /** Fills and sends the next pack of `sync`; false if nothing was left to send. */
  private sendPack(sync: PeerSync): boolean {
    const isPooled = this.options.isPooled ?? (() => true);
    const { peer } = sync;
    const whole = peer.version < 68;
    const maxBytes = this.options.maxTxPackBytes ?? MAX_TX_PACKET_SIZE;
    const maxHashes = this.options.maxAnnouncePack ?? MAX_ANNOUNCE_PACK;
    const pack: TxSyncEntry[] = [];
    let bytes = 0;
    while (sync.next < sync.entries.length) {
      const entry = sync.entries[sync.next]!;
      if (peer.knowsTransaction(entry.hash) || !isPooled(entry.hash)) {
        sync.next++;
        continue;
      }
      const full = whole ? pack.length > 0 && bytes + entry.size > maxBytes : pack.length >= maxHashes;
      if (full) break;
      pack.push(entry);
      bytes += entry.size;
      sync.next++;
    }
    if (pack.length === 0) return false;
    if (whole) {
      peer.sendTransactions(
        pack.map((e) => e.tx),
        pack.map((e) => e.hash),
      );
    } else {
      peer.sendPooledTransactionHashes(pack.map((e): TxAnnouncement => ({ hash: e.hash, type: e.type, size: e.size })));
    }
    return true;
  }
}
