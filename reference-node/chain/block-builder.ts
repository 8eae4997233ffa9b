/**
 * Assembles a block on a stored parent from a list of transactions: the
 * header fields that follow from the parent and the fork (number, base fee,
 * blob gas, withdrawals root, ...), then the results of executing it (state
 * and receipts roots, bloom, gas used, requests hash). Choosing which
 * transactions to include is the miner's job; every transaction given here
 * must apply.
 */
import { EMPTY_OMMERS_HASH, type Block, type BlockHeader, type Withdrawal } from '../wire/block.js';
import type { Hash32, Transaction } from '../wire/tx/types.js';
import { forkRules, type ChainConfig } from './config.js';
import { calcBaseFee } from './eip1559.js';
import { calcExcessBlobGas, GAS_PER_BLOB } from './eip4844.js';
import type { ExecutionContext, ExecutionResult } from './executor.js';
import { blockLogsBloom, EMPTY_TRIE_ROOT, receiptsRoot, requestsHash, transactionsRoot, withdrawalsRoot } from './roots.js';

export interface BlockDraft {
  parentHash: Hash32;
  timestamp: bigint;
  transactions: readonly Transaction[];
  /** From Shanghai on; defaults to none. */
  withdrawals?: readonly Withdrawal[];
  /** Defaults to the parent's. */
  gasLimit?: bigint;
  coinbase?: Uint8Array;
  extraData?: Uint8Array;
  /** Pre-merge only (a Clique engine's prepare() gives it); post-merge blocks have 0. */
  difficulty?: bigint;
  nonce?: Uint8Array;
  mixHash?: Hash32;
  /** From Cancun on; defaults to zeros. */
  parentBeaconBlockRoot?: Hash32;
}

/** The header a draft implies before execution, with empty results. */
export function draftHeader(config: ChainConfig, parent: BlockHeader, draft: BlockDraft, txRoot: Hash32): BlockHeader {
  const number = parent.number + 1n;
  const rules = forkRules(config, number, draft.timestamp);
  const header: BlockHeader = {
    parentHash: draft.parentHash,
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: draft.coinbase ?? new Uint8Array(20),
    stateRoot: new Uint8Array(32),
    transactionsRoot: txRoot,
    receiptsRoot: EMPTY_TRIE_ROOT,
    logsBloom: new Uint8Array(256),
    difficulty: draft.difficulty ?? 0n,
    number,
    gasLimit: draft.gasLimit ?? parent.gasLimit,
    gasUsed: 0n,
    timestamp: draft.timestamp,
    extraData: draft.extraData ?? new Uint8Array(0),
    mixHash: draft.mixHash ?? new Uint8Array(32),
    nonce: draft.nonce ?? new Uint8Array(8),
  };
  if (rules.london) header.baseFeePerGas = calcBaseFee(config, parent);
  if (rules.shanghai) header.withdrawalsRoot = EMPTY_TRIE_ROOT;
  if (rules.cancun) {
    const blobs = draft.transactions.reduce((n, tx) => n + (tx.type === 3 ? BigInt(tx.blobVersionedHashes.length) : 0n), 0n);
    header.blobGasUsed = blobs * GAS_PER_BLOB;
    header.excessBlobGas = calcExcessBlobGas(config, parent, draft.timestamp);
    header.parentBeaconBlockRoot = draft.parentBeaconBlockRoot ?? new Uint8Array(32);
  }
  if (rules.prague) header.requestsHash = requestsHash([]);
  return header;
}

/**
 * Builds the block: draft header, `seal` (so a Clique EVM can tell the author),
 * `execute`, results into the header, `seal` again over the final header.
 */
export async function buildBlock(
  config: ChainConfig,
  parent: BlockHeader,
  draft: BlockDraft,
  execute: (block: Block, ctx: Omit<ExecutionContext, 'ancestorHash'>) => Promise<ExecutionResult>,
  seal: (header: BlockHeader) => BlockHeader = (h) => h,
): Promise<Block> {
  const transactions = [...draft.transactions];
  const rules = forkRules(config, parent.number + 1n, draft.timestamp);
  const withdrawals = rules.shanghai ? [...(draft.withdrawals ?? [])] : undefined;
  const header = draftHeader(config, parent, draft, await transactionsRoot(transactions));
  if (withdrawals !== undefined) header.withdrawalsRoot = await withdrawalsRoot(withdrawals);
  const body = { transactions, uncles: [], ...(withdrawals === undefined ? {} : { withdrawals }) };
  const result = await execute({ header: seal(header), ...body }, { parent });
  const final: BlockHeader = {
    ...header,
    stateRoot: result.stateRoot,
    receiptsRoot: await receiptsRoot(result.receipts),
    logsBloom: blockLogsBloom(result.receipts),
    gasUsed: result.gasUsed,
  };
  if (rules.prague) final.requestsHash = requestsHash(result.requests ?? []);
  return { header: seal(final), ...body };
}
