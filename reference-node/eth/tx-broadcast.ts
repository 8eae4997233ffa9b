/**
 * Transaction broadcast, as geth's handler.BroadcastTransactions and
 * txBroadcastLoop (eth/handler.go) with the per-peer packing of
 * eth/protocols/eth/broadcast.go:
 *
 *   - a new pool tx goes only to connected peers that lack it: not to the
 *     peer it came from (its origin) and not to any peer known to have it
 *     (it sent or announced it, or we did);
 *   - of the n peers that lack it, ceil(sqrt(n)) get the full tx in a
 *     Transactions message and the rest a NewPooledTransactionHashes
 *     announcement (types and sizes on eth/68+, hashes only on eth/66-67);
 *   - blob txs and txs larger than 4096 bytes are announced only;
 *   - the direct peers are chosen per sender: every peer is scored by a keyed
 *     hash of (peer id, sender) under a random per-node key, and the lowest
 *     scores win, so all txs of one sender take the same path (fewer nonce
 *     gaps downstream) while outsiders cannot predict the path;
 *   - txs added in the same turn of the event loop go out together, each
 *     peer's share cut into packs of about 100 KiB.
 *
 * One deliberate difference: geth takes sqrt of all its peers and then skips
 * those that know the tx; we take sqrt of the peers that lack it, as the
 * issue words it (with a tx from one of 9 peers: ceil(sqrt(8)) = 3 either way).
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { bytesToBigInt, bytesToHex, concatBytes, utf8 } from '../wire/bytes.js';
import type { EthVersion } from '../wire/eth/types.js';
import { BLOB_TX_TYPE, type Address, type Hash32, type Transaction } from '../wire/tx/types.js';
import { announcedSize, packAnnouncements, packTransactions, type TxAnnouncement } from './tx-packs.js';
import { fault } from '../faults/index.js';

/** geth's txMaxBroadcastSize: larger txs are announced, never pushed. */
export const TX_MAX_BROADCAST_SIZE = 4096;

/** What broadcast needs of a peer (EthPeer has it all). */
export interface TxBroadcastPeer {
  readonly id: string;
  readonly version: EthVersion;
  readonly connected: boolean;
  knowsTransaction(hash: Uint8Array): boolean;
  sendTransactions(txs: Transaction[], hashes: readonly Hash32[]): boolean;
  sendPooledTransactionHashes(announcements: readonly TxAnnouncement[]): boolean;
}

/** A tx the pool has just taken in. */
export interface NewPoolTx {
  tx: Transaction;
  hash: Hash32;
  sender: Address;
  /** The id of the peer it came from, if any. */
  origin?: string | undefined;
}

export interface TxBroadcasterOptions {
  peers: () => readonly TxBroadcastPeer[];
  /** Whether the pool still holds the tx when its batch goes out (a replaced or mined tx is not sent). Default: always. */
  isPooled?: (hash: Uint8Array) => boolean;
  /** The per-node key of the direct-peer choice; random by default (geth's txBroadcastKey). */
  key?: Uint8Array;
  /** Runs the batch flush after the current turn; default setImmediate. */
  defer?: (fn: () => void) => void;
}

/** What one broadcast round sent, counted per (peer, tx). */
export interface TxBroadcastResult {
  direct: number;
  announced: number;
}

/** The peers out of `peers` that get `sender`'s txs whole: the ceil(sqrt(n)) lowest keyed scores. */
export function chooseDirectPeers<P extends { readonly id: string }>(peers: readonly P[], sender: Address, key: Uint8Array): Set<P> {
  const count = fault('tx-push-to-all') ? peers.length : Math.ceil(Math.sqrt(peers.length));
  const scored = peers.map((peer) => ({ peer, score: broadcastScore(key, peer.id, sender) }));
  scored.sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : 0));
  return new Set(scored.slice(0, count).map((s) => s.peer));
}

function broadcastScore(key: Uint8Array, peerId: string, sender: Address): bigint {
  return bytesToBigInt(blake2b(concatBytes(utf8(peerId), sender), { key, dkLen: 8 }));
}

/** Whether a tx may ever be pushed whole (else it is only announced). */
export function isDirectBroadcastable(tx: Transaction, size: number): boolean {
  return tx.type !== BLOB_TX_TYPE && size <= TX_MAX_BROADCAST_SIZE;
}

export class TxBroadcaster {
  private readonly key: Uint8Array;
  private readonly defer: (fn: () => void) => void;
  private queued: NewPoolTx[] = [];
  private flushScheduled = false;
  private stopped = false;

  constructor(private readonly options: TxBroadcasterOptions) {
    this.key = options.key ?? crypto.getRandomValues(new Uint8Array(32));
    this.defer = options.defer ?? ((fn) => void setImmediate(fn));
  }

  /** Queues a new pool tx; the queue goes out after the current turn, as one batch. */
  enqueue(entry: NewPoolTx): void {
    if (this.stopped) return;
    this.queued.push(entry);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.defer(() => {
      this.flushScheduled = false;
      const batch = this.queued;
      this.queued = [];
      if (!this.stopped) this.broadcast(batch);
    });
  }

  /** Sends `entries` now: full to the chosen peers, announcements to the other peers that lack them. */
  broadcast(entries: readonly NewPoolTx[]): TxBroadcastResult {
    const isPooled = this.options.isPooled ?? (() => true);
    const peers = this.options.peers().filter((p) => p.connected);
    const direct = new Map<TxBroadcastPeer, Array<{ tx: Transaction; hash: Hash32; size: number }>>();
    const announce = new Map<TxBroadcastPeer, TxAnnouncement[]>();
    const seen = new Set<string>();
    for (const entry of entries) {
      const key = bytesToHex(entry.hash);
      if (seen.has(key) || !isPooled(entry.hash)) continue;
      seen.add(key);
      const lacking = peers.filter((p) => (p.id === entry.origin ? fault('tx-echo-to-sender') : !p.knowsTransaction(entry.hash)));
      if (lacking.length === 0) continue;
      const size = announcedSize(entry.tx);
      const chosen = isDirectBroadcastable(entry.tx, size) ? chooseDirectPeers(lacking, entry.sender, this.key) : new Set<TxBroadcastPeer>();
      for (const peer of lacking) {
        // The planted echo always goes whole, so it breaks the MUST on every run, not only when the split picks the origin.
        const echo = peer.id === entry.origin;
        if (chosen.has(peer) || echo) pushTo(direct, peer, { tx: entry.tx, hash: entry.hash, size });
        else pushTo(announce, peer, { hash: entry.hash, type: entry.tx.type, size: fault('tx-announce-size-off') ? size + 100 : size });
      }
    }
    const result: TxBroadcastResult = { direct: 0, announced: 0 };
    for (const [peer, txs] of direct) {
      for (const pack of packTransactions(txs, (t) => t.size)) {
        peer.sendTransactions(
          pack.map((t) => t.tx),
          pack.map((t) => t.hash),
        );
      }
      result.direct += txs.length;
    }
    for (const [peer, anns] of announce) {
      for (const pack of packAnnouncements(anns)) peer.sendPooledTransactionHashes(pack);
      result.announced += anns.length;
    }
    return result;
  }

  stop(): void {
    this.stopped = true;
    this.queued = [];
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
