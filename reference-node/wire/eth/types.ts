/**
 * eth protocol messages, versions 66..70. Where a message changed shape between
 * versions, the value carries a `form` naming the first version that used that
 * shape, so a caller cannot send an eth/68 receipt list on an eth/69 session by
 * accident: the encoder checks the form against the negotiated version.
 *
 *   Status                       eth66 (TD form, 66-68) | eth69 (block range, 69+)
 *   NewPooledTransactionHashes   eth66 (hashes, 66-67)  | eth68 (types, sizes, hashes)
 *   GetReceipts                  eth66 (66-69)          | eth70 (firstBlockReceiptIndex)
 *   Receipts                     eth66 (with bloom, 66-68) | eth69 (flat, no bloom) | eth70 (+ lastBlockIncomplete)
 */
import type { Block, BlockBody, BlockHeader } from '../block.js';
import type { ForkId } from '../forkid.js';
import type { Address, Hash32, Transaction, TxType } from '../tx/types.js';

export type EthVersion = 66 | 67 | 68 | 69 | 70;
export const ETH_VERSIONS: readonly EthVersion[] = [66, 67, 68, 69, 70];

export interface StatusEth66 {
  kind: 'Status';
  form: 'eth66';
  version: number;
  networkId: bigint;
  /** Total difficulty of the head block. */
  td: bigint;
  head: Hash32;
  genesis: Hash32;
  forkId: ForkId;
}

export interface StatusEth69 {
  kind: 'Status';
  form: 'eth69';
  version: number;
  networkId: bigint;
  genesis: Hash32;
  forkId: ForkId;
  earliestBlock: bigint;
  latestBlock: bigint;
  latestBlockHash: Hash32;
}

export type Status = StatusEth66 | StatusEth69;

export interface NewBlockHashes {
  kind: 'NewBlockHashes';
  announcements: { hash: Hash32; number: bigint }[];
}

export interface Transactions {
  kind: 'Transactions';
  transactions: Transaction[];
}

/** The first header of a GetBlockHeaders query: a block hash or a block number. */
export type HeaderOrigin = { hash: Hash32 } | { number: bigint };

export interface GetBlockHeaders {
  kind: 'GetBlockHeaders';
  requestId: bigint;
  origin: HeaderOrigin;
  amount: bigint;
  skip: bigint;
  reverse: boolean;
}

export interface BlockHeaders {
  kind: 'BlockHeaders';
  requestId: bigint;
  headers: BlockHeader[];
}

export interface GetBlockBodies {
  kind: 'GetBlockBodies';
  requestId: bigint;
  hashes: Hash32[];
}

export interface BlockBodies {
  kind: 'BlockBodies';
  requestId: bigint;
  bodies: BlockBody[];
}

export interface NewBlock {
  kind: 'NewBlock';
  block: Block;
  td: bigint;
}

export interface NewPooledTransactionHashesEth66 {
  kind: 'NewPooledTransactionHashes';
  form: 'eth66';
  hashes: Hash32[];
}

/** EIP-5793. `types` is a byte string (one byte per tx), not a list. */
export interface NewPooledTransactionHashesEth68 {
  kind: 'NewPooledTransactionHashes';
  form: 'eth68';
  types: Uint8Array;
  /** Consensus-encoding sizes in bytes; uint32 as in geth. */
  sizes: number[];
  hashes: Hash32[];
}

export type NewPooledTransactionHashes = NewPooledTransactionHashesEth66 | NewPooledTransactionHashesEth68;

export interface GetPooledTransactions {
  kind: 'GetPooledTransactions';
  requestId: bigint;
  hashes: Hash32[];
}

export interface PooledTransactions {
  kind: 'PooledTransactions';
  requestId: bigint;
  transactions: Transaction[];
}

/** eth/66 only (removed by EIP-4938 in eth/67). */
export interface GetNodeData {
  kind: 'GetNodeData';
  requestId: bigint;
  hashes: Hash32[];
}

/** eth/66 only (removed by EIP-4938 in eth/67). */
export interface NodeData {
  kind: 'NodeData';
  requestId: bigint;
  values: Uint8Array[];
}

export interface GetReceiptsEth66 {
  kind: 'GetReceipts';
  form: 'eth66';
  requestId: bigint;
  hashes: Hash32[];
}

/** EIP-7975: the first list starts at receipt index firstBlockReceiptIndex. */
export interface GetReceiptsEth70 {
  kind: 'GetReceipts';
  form: 'eth70';
  requestId: bigint;
  firstBlockReceiptIndex: bigint;
  hashes: Hash32[];
}

export type GetReceipts = GetReceiptsEth66 | GetReceiptsEth70;

export interface Log {
  address: Address;
  topics: Hash32[];
  data: Uint8Array;
}

/**
 * A receipt as the network carries it. postStateOrStatus is a 32-byte state
 * root (pre-Byzantium), empty (status 0) or 0x01 (status 1).
 */
export interface Receipt {
  txType: TxType;
  postStateOrStatus: Uint8Array;
  cumulativeGasUsed: bigint;
  logs: Log[];
}

/** eth/66-68 receipts carry the 2048-bit bloom as sent; it is not recomputed on decode. */
export interface ReceiptWithBloom extends Receipt {
  bloom: Uint8Array;
}

export interface ReceiptsEth66 {
  kind: 'Receipts';
  form: 'eth66';
  requestId: bigint;
  receipts: ReceiptWithBloom[][];
}

export interface ReceiptsEth69 {
  kind: 'Receipts';
  form: 'eth69';
  requestId: bigint;
  receipts: Receipt[][];
}

export interface ReceiptsEth70 {
  kind: 'Receipts';
  form: 'eth70';
  requestId: bigint;
  lastBlockIncomplete: boolean;
  receipts: Receipt[][];
}

export type Receipts = ReceiptsEth66 | ReceiptsEth69 | ReceiptsEth70;

/** eth/69+ (EIP-7642). earliest > latest is a reason to disconnect, checked by the node. */
export interface BlockRangeUpdate {
  kind: 'BlockRangeUpdate';
  earliestBlock: bigint;
  latestBlock: bigint;
  latestBlockHash: Hash32;
}

export type EthMessage =
  | Status
  | NewBlockHashes
  | Transactions
  | GetBlockHeaders
  | BlockHeaders
  | GetBlockBodies
  | BlockBodies
  | NewBlock
  | NewPooledTransactionHashes
  | GetPooledTransactions
  | PooledTransactions
  | GetNodeData
  | NodeData
  | GetReceipts
  | Receipts
  | BlockRangeUpdate;

export type EthMessageKind = EthMessage['kind'];

/** An encoded message: the code is relative to the eth capability's offset. */
export interface EncodedEthMessage {
  code: number;
  payload: Uint8Array;
}
