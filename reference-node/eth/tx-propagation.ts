/**
 * Transaction exchange for the eth service, wired as geth's handler does it:
 * txs that become executable in the pool (added to pending, or promoted out
 * of the queue when a nonce gap fills) go to TxBroadcaster, as geth's
 * txBroadcastLoop hears of promoted txs only; a new peer gets the
 * pending pool through TxSync (syncTransactions / txsyncLoop), its
 * announcements feed the TxFetcher, and its Transactions go through the
 * fetcher to the pool (geth's txFetcher.Enqueue), which checks them against
 * the announcements. The inbound sanity checks (5000 txs, blob txs,
 * duplicates) already ran in EthPeer.
 *
 * The node calls createTxPropagation once, addPeer for every peer past the
 * handshake (EthProtocolOptions.onPeer), and stop() on shutdown.
 */
import { transactionHash } from '../wire/tx/hash.js';
import type { Address, Hash32, Transaction } from '../wire/tx/types.js';
import type { EthPeer } from './eth-peer.js';
import { EthDisconnectReasons } from './reasons.js';
import { TxBroadcaster } from './tx-broadcast.js';
import { TxFetcher } from './tx-fetcher.js';
import { TxSync } from './tx-sync.js';
import { systemTimers, type TxTimers } from './tx-timers.js';

/** A tx the pool has taken in, as its 'added' event reports it. */
export interface PoolAddedEntry {
  tx: Transaction;
  hash: Hash32;
  sender: Address;
  /** Submitted locally (RPC) rather than received from a peer. */
  local?: boolean;
  /** The id of the peer it came from, for remote txs. */
  origin?: string | undefined;
  /** False while it waits behind a nonce gap: it is broadcast when promoted. Absent: executable. */
  executable?: boolean;
}

/** A pool tx with its sizes, as pendingEntries and 'promoted' list them. */
export interface PoolTxEntry {
  tx: Transaction;
  hash: Hash32;
  sender: Address;
  type: number;
  /** Consensus encoding length. */
  size: number;
  /** Length with the blob sidecar (geth's tx.Size()); when absent, `size` is used. */
  networkSize?: number;
}

/** The pool events tx exchange listens to. */
export type TxPoolEventsView = {
  /** A tx entered the pool. */
  added: [entry: PoolAddedEntry];
  /** Queued txs became executable. */
  promoted: [entries: PoolTxEntry[]];
};

/** What transaction exchange needs of the pool (TxPool satisfies it). */
export interface TxPropagationPool {
  /** Validates and adds txs from peer `origin`; one hash or error per tx. */
  addRemotes(txs: readonly Transaction[], origin: string): Promise<ReadonlyArray<Hash32 | Error>>;
  has(hash: Uint8Array): boolean;
  get(hash: Uint8Array): Transaction | undefined;
  /** Executable txs, with their encoded size and type. */
  pendingEntries(): ReadonlyArray<PoolTxEntry>;
  on<K extends keyof TxPoolEventsView>(event: K, listener: (...args: TxPoolEventsView[K]) => void): () => void;
  /** Turned away lately (underpriced and such): not worth fetching again. */
  recentlyRejected(hash: Uint8Array): boolean;
}

export interface TxPropagationOptions {
  pool: TxPropagationPool;
  /** Peers past the eth handshake (EthProtocols.peers). */
  peers: () => readonly EthPeer[];
  log?: (line: string) => void;
  timers?: TxTimers;
  /** The fetcher's wait for a broadcast (default 500 ms) and request timeout (default 5 s). */
  arriveTimeoutMs?: number;
  fetchTimeoutMs?: number;
  /** Key of the direct-peer choice (tests); random by default. */
  broadcastKey?: Uint8Array;
  /** Initial tx sync pacing (tests). */
  syncPackIntervalMs?: number;
  syncAnnouncePack?: number;
}

export interface TxPropagation {
  readonly broadcaster: TxBroadcaster;
  readonly fetcher: TxFetcher;
  readonly sync: TxSync;
  /** A peer passed the handshake: listen to its tx messages and start its initial tx sync. */
  addPeer(peer: EthPeer): void;
  stop(): void;
}

export function createTxPropagation(options: TxPropagationOptions): TxPropagation {
  const { pool } = options;
  const log = options.log ?? (() => undefined);
  const timers = options.timers ?? systemTimers;
  const byId = new Map<string, EthPeer>();
  const unsubscribers: Array<() => void> = [];
  // Per peer, and removed when the peer goes: an entry left behind keeps the whole session
  // (socket, frame ciphers, caches) alive, about 20 KB per connection (found by the frame fuzz soak).
  const peerUnsubscribers = new Map<EthPeer, () => void>();
  let stopped = false;

  const broadcaster = new TxBroadcaster({
    peers: options.peers,
    isPooled: (hash) => pool.has(hash),
    ...(options.broadcastKey ? { key: options.broadcastKey } : {}),
  });
  const sync = new TxSync({
    isPooled: (hash) => pool.has(hash),
    timers,
    ...(options.syncPackIntervalMs !== undefined ? { packIntervalMs: options.syncPackIntervalMs } : {}),
    ...(options.syncAnnouncePack !== undefined ? { maxAnnouncePack: options.syncAnnouncePack } : {}),
  });
  const fetcher = new TxFetcher({
    isKnown: (hash) => pool.has(hash) || pool.recentlyRejected(hash),
    addTxs: (txs, origin) => pool.addRemotes(txs, origin),
    fetchTxs: async (peerId, hashes) => {
      const peer = byId.get(peerId);
      if (!peer) throw new Error(`peer ${peerId.slice(0, 16)} is gone`);
      const reply = await peer.request({ kind: 'GetPooledTransactions', hashes });
      // geth marks what a peer delivers as known to it, as for broadcasts.
      for (const tx of reply.transactions) peer.markTransaction(transactionHash(tx));
      return reply.transactions;
    },
    dropPeer: (peerId) => byId.get(peerId)?.disconnect(EthDisconnectReasons.announcementMismatch),
    timers,
    log,
    ...(options.arriveTimeoutMs !== undefined ? { arriveTimeoutMs: options.arriveTimeoutMs } : {}),
    ...(options.fetchTimeoutMs !== undefined ? { fetchTimeoutMs: options.fetchTimeoutMs } : {}),
  });

  unsubscribers.push(
    pool.on('added', (entry) => {
      if (entry.executable !== false) broadcaster.enqueue({ tx: entry.tx, hash: entry.hash, sender: entry.sender, origin: entry.origin });
    }),
    pool.on('promoted', (entries) => {
      for (const e of entries) broadcaster.enqueue({ tx: e.tx, hash: e.hash, sender: e.sender });
    }),
  );

  return {
    broadcaster,
    fetcher,
    sync,
    addPeer(peer) {
      if (stopped || !peer.connected || byId.has(peer.id)) return;
      byId.set(peer.id, peer);
      const offs: Array<() => void> = [
        peer.on('transactions', (msg, hashes) => void fetcher.enqueue(peer.id, msg.transactions, hashes)),
        peer.on('newPooledTransactionHashes', (msg) =>
          fetcher.notify(peer.id, msg.form === 'eth68' ? { hashes: msg.hashes, types: msg.types, sizes: msg.sizes } : { hashes: msg.hashes }),
        ),
      ];
      const unsubscribe = () => {
        for (const off of offs.splice(0)) off();
        peerUnsubscribers.delete(peer);
      };
      offs.push(
        peer.once('disconnect', () => {
          unsubscribe();
          if (byId.get(peer.id) === peer) byId.delete(peer.id);
          fetcher.drop(peer.id);
          sync.removePeer(peer.id);
        }),
      );
      peerUnsubscribers.set(peer, unsubscribe);
      sync.addPeer(
        peer,
        pool.pendingEntries().map((e) => ({ tx: e.tx, hash: e.hash, type: e.type, size: e.networkSize ?? e.size })),
      );
    },
    stop() {
      if (stopped) return;
      stopped = true;
      for (const off of unsubscribers.splice(0)) off();
      for (const unsubscribe of [...peerUnsubscribers.values()]) unsubscribe();
      broadcaster.stop();
      sync.stop();
      fetcher.stop();
      byId.clear();
      log('tx propagation stopped');
    },
  };
}
