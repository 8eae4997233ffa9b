/**
 * What the sync needs from the chain and reports to the node. SyncChain is
 * the part of chain/chain.ts Chain that sync uses (Chain satisfies it
 * structurally); SyncProgress is what eth_syncing shows.
 */
import type { ChainHeadInfo } from '../chain/reader.js';
import type { EthPeer } from '../eth/eth-peer.js';
import type { Block, BlockHeader } from '../wire/block.js';

export interface SyncChain {
  head(): ChainHeadInfo;
  /** Any stored block, canonical or not. A stored header always has its body (blocks are written whole). */
  headerByHash(hash: Uint8Array): BlockHeader | undefined;
  /** Canonical only. */
  hashByNumber(number: bigint): Uint8Array | undefined;
  tdByHash(hash: Uint8Array): bigint | undefined;
  /** Validates, executes and stores a linked run of blocks whose first parent is stored; all or nothing. */
  importBlocks(blocks: readonly Block[], options?: { setHead?: 'auto' | 'never' }): Promise<{ imported: number; known: number; head: ChainHeadInfo }>;
  /** Makes a stored block the head. */
  setHead(hash: Uint8Array): Promise<ChainHeadInfo>;
}

/** geth's ethereum.SyncProgress, the part eth_syncing reports. */
export interface SyncProgress {
  startingBlock: bigint;
  currentBlock: bigint;
  highestBlock: bigint;
}

/** The part of an EthPeer the sync uses. */
export type SyncPeer = Pick<EthPeer, 'id' | 'head' | 'connected' | 'request' | 'setHead' | 'disconnect'>;

/** A header with its hash, computed once. */
export interface HashedHeader {
  header: BlockHeader;
  hash: Uint8Array;
}
