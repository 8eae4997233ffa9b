/**
 * Body rules before execution, as geth's BlockValidator.ValidateBody: the
 * header's commitments to ommers, transactions and withdrawals, and the blob
 * count behind blobGasUsed. The checks after execution (state, receipts,
 * bloom, gas used, requests) are in chain.ts, where the results are.
 */
import type { Block } from '../wire/block.js';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import type { Hash32 } from '../wire/tx/types.js';
import type { ForkRules } from './config.js';
import type { ConsensusEngine } from './consensus.js';
import { GAS_PER_BLOB } from './eip4844.js';
import { BlockValidationError, type BlockRule } from './errors.js';
import { ommersHash, transactionsRoot, withdrawalsRoot } from './roots.js';

export async function validateBody(
  block: Block,
  hash: Hash32,
  rules: ForkRules,
  postMerge: boolean,
  engine: ConsensusEngine,
): Promise<void> {
  const { header } = block;
  const fail = (rule: BlockRule, detail: string): never => {
    throw new BlockValidationError(header.number, hash, rule, detail);
  };
  if (!equalBytes(ommersHash(block.uncles), header.ommersHash)) fail('ommers', 'ommers hash does not match the ommers');
  if (postMerge) {
    if (block.uncles.length > 0) fail('ommers', `a post-merge block has no ommers, got ${block.uncles.length}`);
  } else {
    engine.verifyUncles(block, hash);
  }

  const txRoot = await transactionsRoot(block.transactions);
  if (!equalBytes(txRoot, header.transactionsRoot)) {
    fail('transactions-root', `transactions hash to 0x${bytesToHex(txRoot)}, the header says 0x${bytesToHex(header.transactionsRoot)}`);
  }

  if (rules.shanghai) {
    if (block.withdrawals === undefined) fail('withdrawals', 'withdrawals are missing, but Shanghai is active');
    const root = await withdrawalsRoot(block.withdrawals!);
    if (!equalBytes(root, header.withdrawalsRoot!)) {
      fail('withdrawals', `withdrawals hash to 0x${bytesToHex(root)}, the header says 0x${bytesToHex(header.withdrawalsRoot!)}`);
    }
  } else if (block.withdrawals !== undefined) {
    fail('withdrawals', 'withdrawals are present before Shanghai');
  }

  let blobs = 0n;
  for (const [i, tx] of block.transactions.entries()) {
    if (tx.type !== 3) continue;
    if (tx.sidecar !== undefined) fail('blob-gas', `transaction ${i} carries a blob sidecar inside a block`);
    blobs += BigInt(tx.blobVersionedHashes.length);
  }
  if (header.blobGasUsed !== undefined) {
    if (blobs * GAS_PER_BLOB !== header.blobGasUsed) {
      fail('blob-gas', `the body has ${blobs} blobs (${blobs * GAS_PER_BLOB} blob gas), the header says ${header.blobGasUsed}`);
    }
  } else if (blobs > 0n) {
    fail('blob-gas', 'blob transactions before Cancun');
  }
}
