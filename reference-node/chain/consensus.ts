/**
 * The consensus engine hook for pre-merge blocks. After the merge the rules
 * are fixed (difficulty 0, nonce 0, no ommers; header-validation.ts applies
 * them); before it, an engine decides what a valid seal is. Clique implements
 * this interface; chains without Clique get an engine that checks the shape of
 * a proof-of-work header but not the work itself (this node cannot verify or
 * produce ethash, and its legacy networks are Clique).
 */
import type { Block, BlockHeader } from '../wire/block.js';
import type { Address, Hash32 } from '../wire/tx/types.js';
import { BlockValidationError } from './errors.js';

/** Headers the engine may need (a Clique snapshot walks back through them), including blocks of the import in progress. */
export interface HeaderLookup {
  headerByHash(hash: Hash32): BlockHeader | undefined;
}

export interface ConsensusEngine {
  readonly name: string;
  /** The engine's header rules for a pre-merge block (difficulty, extraData, seal). Throws BlockValidationError. */
  verifyHeader(header: BlockHeader, hash: Hash32, parent: BlockHeader, chain: HeaderLookup): void;
  /** The engine's ommer rules for a pre-merge block. Throws BlockValidationError. */
  verifyUncles(block: Block, hash: Hash32): void;
  /**
   * The account a verified pre-merge block pays its fees to, when that is not
   * the coinbase (Clique: the signer, as geth's Engine.Author). Absent: the coinbase.
   */
  author?(header: BlockHeader, hash: Hash32): Address;
  /** The signatures verifyHeader will recover (a Clique seal), so an import can recover them ahead, on other cores. */
  sealSignatures?(header: BlockHeader, hash: Hash32): { digest: Hash32; signature: Uint8Array }[];
}

export const MAX_EXTRA_DATA = 32;
/** geth's ethash maxUncles. */
const MAX_UNCLES = 2;

/** Proof-of-work shape without the work: a positive difficulty, short extraData, at most two ommers. */
export const unverifiedPowEngine: ConsensusEngine = {
  name: 'pow-unverified',
  verifyHeader(header, hash) {
    if (header.extraData.length > MAX_EXTRA_DATA) {
      throw new BlockValidationError(header.number, hash, 'extra-data', `${header.extraData.length} bytes, at most ${MAX_EXTRA_DATA}`);
    }
    if (header.difficulty === 0n) throw new BlockValidationError(header.number, hash, 'difficulty', 'a pre-merge block needs a positive difficulty');
  },
  verifyUncles(block, hash) {
    if (block.uncles.length > MAX_UNCLES) {
      throw new BlockValidationError(block.header.number, hash, 'ommers', `${block.uncles.length} ommers, at most ${MAX_UNCLES}`);
    }
  },
};
