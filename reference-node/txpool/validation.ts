/**
 * Stateless and state checks a transaction must pass before the pool keeps
 * it, as geth's txpool.ValidateTransaction and ValidateTransactionWithState.
 * Every rejection is a TxPoolError whose message is what RPC returns to the
 * sender (geth's wording where it has one, so tools that match on it work).
 */
import type { ChainConfig } from '../chain/config.js';
import { forkRules } from '../chain/config.js';
import { encodeTransaction } from '../wire/tx/codec.js';
import { recoverSender, transactionChainId } from '../wire/tx/signer.js';
import type { Address, Transaction } from '../wire/tx/types.js';

export type TxRejection =
  | 'invalidSender'
  | 'wrongChainId'
  | 'txTypeNotSupported'
  | 'oversized'
  | 'initCodeTooLarge'
  | 'intrinsicGas'
  | 'gasLimit'
  | 'tipAboveFeeCap'
  | 'feeCapTooLow'
  | 'nonceTooLow'
  | 'insufficientFunds'
  | 'alreadyKnown'
  | 'replacementUnderpriced'
  | 'poolFull';

export class TxPoolError extends Error {
  override readonly name = 'TxPoolError';
  constructor(
    readonly reason: TxRejection,
    message: string,
  ) {
    super(message);
  }
}

/** geth's txMaxSize: 4 slots of 32 KiB. */
export const MAX_TX_SIZE = 128 * 1024;
/** EIP-3860: twice the EIP-170 code size limit. */
export const MAX_INIT_CODE_SIZE = 49_152;

export interface HeadContext {
  number: bigint;
  timestamp: bigint;
  gasLimit: bigint;
  baseFeePerGas: bigint | undefined;
}

/** The fee cap a tx offers per gas (gasPrice for legacy and 2930 txs). */
export function feeCap(tx: Transaction): bigint {
  return tx.type === 0 || tx.type === 1 ? tx.gasPrice : tx.maxFeePerGas;
}

export function tipCap(tx: Transaction): bigint {
  return tx.type === 0 || tx.type === 1 ? tx.gasPrice : tx.maxPriorityFeePerGas;
}

/** What the sender must hold: the whole gas at the fee cap plus the value (plus blob gas for type 3). */
export function maxCost(tx: Transaction): bigint {
  const blob = tx.type === 3 ? tx.maxFeePerBlobGas * 131_072n * BigInt(tx.blobVersionedHashes.length) : 0n;
  return tx.gasLimit * feeCap(tx) + tx.value + blob;
}

/** Intrinsic gas (yellow paper + EIP-2028 calldata + EIP-2930 access lists + EIP-3860 init code + EIP-7702 auths). */
export function intrinsicGas(tx: Transaction, rules: { shanghai: boolean; istanbul: boolean }): bigint {
  const create = tx.to === null;
  let gas = create ? 53_000n : 21_000n;
  const nonZeroCost = rules.istanbul ? 16n : 68n;
  for (const b of tx.data) gas += b === 0 ? 4n : nonZeroCost;
  if (create && rules.shanghai) gas += 2n * BigInt(Math.ceil(tx.data.length / 32));
  if (tx.type !== 0) {
    for (const entry of tx.accessList) gas += 2_400n + 1_900n * BigInt(entry.storageKeys.length);
  }
  if (tx.type === 4) gas += 25_000n * BigInt(tx.authorizationList.length);
  return gas;
}

/** Checks that need no state; returns the sender. */
export function validateStateless(tx: Transaction, config: ChainConfig, head: HeadContext): Address {
  const rules = forkRules(config, head.number + 1n, head.timestamp);
  const typeEnabled = [true, rules.berlin, rules.london, rules.cancun, rules.prague][tx.type];
  if (!typeEnabled) throw new TxPoolError('txTypeNotSupported', 'transaction type not supported');
  const size = encodeTransaction(tx).length;
  if (size > MAX_TX_SIZE) throw new TxPoolError('oversized', `oversized data: transaction size ${size}, limit ${MAX_TX_SIZE}`);
  const chainId = transactionChainId(tx);
  if (chainId !== null && chainId !== config.chainId) {
    throw new TxPoolError('wrongChainId', `invalid chain id: have ${chainId}, want ${config.chainId}`);
  }
  if (tx.to === null && rules.shanghai && tx.data.length > MAX_INIT_CODE_SIZE) {
    throw new TxPoolError('initCodeTooLarge', `max initcode size exceeded: code size ${tx.data.length}, limit ${MAX_INIT_CODE_SIZE}`);
  }
  if (tx.gasLimit > head.gasLimit) throw new TxPoolError('gasLimit', `exceeds block gas limit: gas ${tx.gasLimit}, limit ${head.gasLimit}`);
  if (tipCap(tx) > feeCap(tx)) throw new TxPoolError('tipAboveFeeCap', 'max priority fee per gas higher than max fee per gas');
  const need = intrinsicGas(tx, rules);
  if (tx.gasLimit < need) throw new TxPoolError('intrinsicGas', `intrinsic gas too low: gas ${tx.gasLimit}, minimum needed ${need}`);
  let sender: Address;
  try {
    sender = recoverSender(tx);
  } catch (err) {
    throw new TxPoolError('invalidSender', `invalid sender: ${(err as Error).message}`);
  }
  return sender;
}
