/**
 * What the eth protocol handler (and RPC) may read from the chain. Every read
 * is synchronous: the chain keeps its index and records in memory, loaded on
 * open, so serving a request never waits on the store and never sees a
 * half-written import. Returned objects are shared with the chain: treat them
 * as read-only.
 */
import type { BlockBody, BlockHeader } from '../wire/block.js';
import type { Receipt } from '../wire/eth/types.js';
import type { ForkId, ForkIdVerdict } from '../wire/forkid.js';
import type { ChainConfig } from './config.js';

export interface ChainHeadInfo {
  number: bigint;
  hash: Uint8Array;
  /** Total difficulty of the head block. */
  td: bigint;
  timestamp: bigint;
}

export interface ChainReader {
  readonly networkId: bigint;
  readonly genesisHash: Uint8Array;
  readonly config: ChainConfig;
  head(): ChainHeadInfo;
  /** The lowest block whose body and receipts are available (0: the store is never pruned). */
  earliest(): bigint;
  /** EIP-2124 fork ID at the current head. */
  forkId(): ForkId;
  /** EIP-2124 validation of a remote fork ID against our chain, at our head when called. */
  forkFilter(): (remote: ForkId) => ForkIdVerdict;
  /** Canonical chain only. */
  headerByNumber(n: bigint): BlockHeader | undefined;
  /** Any stored block, canonical or not. */
  headerByHash(h: Uint8Array): BlockHeader | undefined;
  /** Canonical chain only. */
  hashByNumber(n: bigint): Uint8Array | undefined;
  bodyByHash(h: Uint8Array): BlockBody | undefined;
  /** Without blooms (eth/69 form); derive them with logsBloom for eth/66-68. */
  receiptsByHash(h: Uint8Array): Receipt[] | undefined;
  tdByHash(h: Uint8Array): bigint | undefined;
}
