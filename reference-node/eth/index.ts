/** The eth subprotocol handler, versions 66..70: Status handshake, serving, request tracking. */
export type { ChainReader } from './chain-reader.js';
export { createEthProtocols, DEFAULT_STATUS_TIMEOUT_MS, type EthProtocolOptions, type EthProtocols } from './protocols.js';
export { BLOCK_RANGE_UPDATE_INTERVAL, EthPeer, type EthPeerEvents, type EthRequest } from './eth-peer.js';
export { EthDisconnectReasons, EthProtocolError, type EthDisconnectCause } from './reasons.js';
export {
  DEFAULT_REQUEST_TIMEOUT_MS,
  RequestAbortedError,
  RequestTimeoutError,
  RequestTracker,
  type RequestKind,
  type ResponseFor,
} from './request-tracker.js';
export { blockRangeProblem, buildStatus, checkRemoteStatus, currentBlockRange, type BlockRange } from './status.js';
export { serveHeaders } from './serve-headers.js';
export { serveBodies } from './serve-bodies.js';
export { serveReceipts } from './serve-receipts.js';
export { servePooledTransactions, type PooledTransactionSource } from './serve-pooled-txs.js';
export { KnownCache, MAX_KNOWN_BLOCKS, MAX_KNOWN_TXS } from './known-cache.js';
export { BlockPropagation, type BlockGossipPeer, type BlockPropagationOptions, type GossipResult } from './block-propagation.js';
export {
  ARRIVE_TIMEOUT_MS,
  BAD_BLOCK_DISCONNECT_REASON,
  BLOCK_LIMIT,
  BlockFetcher,
  bodyMismatch,
  FETCH_TIMEOUT_MS,
  HASH_LIMIT,
  MAX_QUEUE_DIST,
  MAX_UNCLE_DIST,
  type BlockFetcherOptions,
  type FetcherChain,
} from './block-fetcher.js';
export {
  createTxPropagation,
  type PoolAddedEntry,
  type PoolTxEntry,
  type TxPoolEventsView,
  type TxPropagation,
  type TxPropagationOptions,
  type TxPropagationPool,
} from './tx-propagation.js';
export {
  chooseDirectPeers,
  isDirectBroadcastable,
  TX_MAX_BROADCAST_SIZE,
  TxBroadcaster,
  type NewPoolTx,
  type TxBroadcasterOptions,
  type TxBroadcastPeer,
  type TxBroadcastResult,
} from './tx-broadcast.js';
export { TxSync, type TxSyncEntry, type TxSyncOptions, type TxSyncPeer } from './tx-sync.js';
export {
  ANNOUNCED_SIZE_SLACK,
  MAX_TX_ANNOUNCES,
  MAX_TX_RETRIEVAL_SIZE,
  MAX_TX_RETRIEVALS,
  TX_ARRIVE_TIMEOUT_MS,
  TX_FETCH_TIMEOUT_MS,
  TxFetcher,
  type TxAnnounceBatch,
  type TxFetcherOptions,
} from './tx-fetcher.js';
export { checkInboundTransactions, MAX_TRANSACTIONS_PER_MESSAGE } from './tx-inbound.js';
export { announcedSize, MAX_ANNOUNCE_PACK, MAX_TX_PACKET_SIZE, type TxAnnouncement } from './tx-packs.js';
export { systemTimers, type TxTimers } from './tx-timers.js';
