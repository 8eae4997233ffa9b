/**
 * The one interface between the chain and an EVM. The chain validates
 * headers and bodies and checks every root itself; an executor only runs a
 * block on its parent's state and reports what came out. The node's product
 * is networking, so the EVM is a borrowed part (@ethereumjs/vm, in
 * vm-executor.ts) that can be swapped or faked behind this.
 */
import type { Block, BlockHeader } from '../wire/block.js';
import type { Receipt } from '../wire/eth/types.js';
import type { Address, Hash32 } from '../wire/tx/types.js';
import type { GenesisAccount } from './genesis-state.js';

export interface ExecutionContext {
  parent: BlockHeader;
  /** The hash of the block's ancestor at `number` (for BLOCKHASH), or undefined if there is none. */
  ancestorHash(number: bigint): Hash32 | undefined;
  /**
   * The fee recipient of a pre-merge block whose engine names one other than
   * the coinbase (a Clique signer), already recovered by the chain. Absent, an
   * executor works it out itself.
   */
  author?: Address;
  /**
   * The header already commits to the results (an import, not a block being
   * built): an executor may compare as it goes and take a cheaper path when
   * they match. It still reports what came out when they do not, so that the
   * chain can name the rule the block breaks.
   */
  resultsInHeader?: boolean;
}

export interface ExecutionResult {
  stateRoot: Hash32;
  /** One per transaction, in order, without blooms (the chain derives them). */
  receipts: Receipt[];
  gasUsed: bigint;
  /** EIP-7685 requests from Prague on, each type byte || data, empty ones included. */
  requests?: Uint8Array[];
}

export interface Executor {
  /** Writes a genesis alloc into the state and returns its root. */
  initState(alloc: readonly GenesisAccount[]): Promise<Hash32>;
  /** Runs the block on the state of ctx.parent. Throws ExecutionError when a transaction cannot be applied. */
  executeBlock(block: Block, ctx: ExecutionContext): Promise<ExecutionResult>;
}

/** The EVM refused the block (a transaction with a bad nonce, too little balance, too much gas, ...). */
export class ExecutionError extends Error {
  override readonly name = 'ExecutionError';
}
