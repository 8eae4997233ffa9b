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
