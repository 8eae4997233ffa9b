/**
 * What the eth protocol handler reads from the chain. The chain store
 * (reference-node/chain) implements it; tests use an in-memory one. Every
 * method is synchronous because serving a request must not interleave with
 * the handling of the peer's next message (geth serves from one goroutine per
 * peer, and message order matters for the request tracker).
 * Any implementation with more members (the chain store's reader also
 * exposes its config) is assignable to this one.
 */
import type { BlockBody, BlockHeader } from '../wire/block.js';
import type { Receipt } from '../wire/eth/types.js';
import type { ForkId, ForkIdVerdict } from '../wire/forkid.js';

export interface ChainReader {
  readonly networkId: bigint;
  readonly genesisHash: Uint8Array;
  head(): { number: bigint; hash: Uint8Array; td: bigint; timestamp: bigint };
  /** The earliest block whose body and receipts we still serve (EIP-7642 earliestBlock). */
  earliest(): bigint;
  /** The fork ID at the current head. */
  forkId(): ForkId;
  /** An EIP-2124 validator bound to the current head. */
  forkFilter(): (remote: ForkId) => ForkIdVerdict;
  /** Canonical header at a height. */
  headerByNumber(n: bigint): BlockHeader | undefined;
  /** Any known header, canonical or not. */
  headerByHash(h: Uint8Array): BlockHeader | undefined;
  /** Canonical hash at a height. */
  hashByNumber(n: bigint): Uint8Array | undefined;
  bodyByHash(h: Uint8Array): BlockBody | undefined;
  /** Without bloom; the handler derives the bloom (logsBloom) for eth/66-68. */
  receiptsByHash(h: Uint8Array): Receipt[] | undefined;
  tdByHash(h: Uint8Array): bigint | undefined;
}
