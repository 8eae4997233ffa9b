/**
 * The checks a transaction must pass before the pool keeps it, as geth's
 * txpool.ValidateTransaction (no state: size, fork, gas, fees, signature,
 * blobs) and ValidateTransactionWithState (nonce and balance against the
 * sender's account and its pending spending). Every rejection is a
 * TxPoolError whose message is the one geth returns over RPC, so tools that
 * match on geth's wording work against this node too.
 */
import type { ChainConfig, ForkRules } from '../chain/config.js';
import { forkRules } from '../chain/config.js';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import { DecodeError } from '../wire/errors.js';
import { encodeCanonicalTransaction, encodeTransaction } from '../wire/tx/codec.js';
import { blobVersionedHash, CELLS_PER_EXT_BLOB } from '../wire/tx/sidecar.js';
import { transactionChainId } from '../wire/tx/signer.js';
import type { Address, BlobSidecar, BlobTx, Transaction } from '../wire/tx/types.js';
import { recoverSenderCached } from './senders.js';

export type TxRejection =
  | 'alreadyKnown'
  | 'oversized'
  | 'txTypeNotSupported'
  | 'initCodeTooLarge'
  | 'gasLimitTooHigh'
  | 'gasLimit'
  | 'tipAboveFeeCap'
  | 'wrongChainId'
  | 'invalidSender'
  | 'nonceMax'
  | 'intrinsicGas'
  | 'floorDataGas'
  | 'tipBelowMinimum'
  | 'blobSidecar'
  | 'blobLimit'
  | 'kzgProof'
  | 'noAuthorizations'
  | 'malformed'
  | 'nonceTooLow'
  | 'nonceTooHigh'
  | 'insufficientFunds'
  | 'addressReserved'
  | 'accountLimit'
  | 'replacementUnderpriced'
  | 'underpriced'
  | 'poolFull'
  | 'futureReplacePending'
  | 'closed';

export class TxPoolError extends Error {
  override readonly name = 'TxPoolError';
  constructor(
    readonly reason: TxRejection,
    message: string,
  ) {
    super(message);
  }
}

/** geth's legacypool txMaxSize: 4 slots of 32 KiB. */
export const MAX_TX_SIZE = 128 * 1024;
/** geth's blobpool txMaxSize: a blob tx with its sidecar. */
export const MAX_BLOB_TX_SIZE = 1024 * 1024;
/** EIP-3860: twice the EIP-170 code size limit. */
export const MAX_INIT_CODE_SIZE = 49_152;
/** EIP-7825 (Osaka): the gas cap of a single transaction. */
export const MAX_TX_GAS = 1n << 24n;
/** EIP-7594 (Osaka): blobs per transaction (geth's params.BlobTxMaxBlobs). */
export const MAX_BLOBS_PER_TX_OSAKA = 6;
/** EIP-4844's minimum blob base fee (params.BlobTxMinBlobGasprice). */
export const MIN_BLOB_GAS_PRICE = 1n;
export const GAS_PER_BLOB = 131_072n;

/** What the stateless checks need to know about the head the pool sits on. */
export interface HeadContext {
  number: bigint;
  timestamp: bigint;
  gasLimit: bigint;
}

/**
 * Verifies the KZG proofs of a version-0 sidecar (EIP-4844 verify_blob_kzg_proof
 * per blob). Injected because no KZG library is a declared dependency of this
 * package; see TxPoolOptions.blobProofVerifier.
 */
export interface BlobProofVerifier {
  verifyBlobProofs(sidecar: BlobSidecar): boolean;
}

export interface ValidationOptions {
  /** Minimum tip for a sender (geth's PriceLimit / gasTip); 0 for local senders, which are exempt. */
  minTip: (sender: Address) => bigint;
  blobProofVerifier?: BlobProofVerifier;
}

/** What the stateless checks learn about a valid tx. */
export interface CheckedTx {
  sender: Address;
  /** Length of the consensus encoding (what a block holds, what eth/68 announces). */
  size: number;
  /** Length of the network encoding (with the blob sidecar, what PooledTransactions carries; geth's tx.Size()). */
  networkSize: number;
}

/** The fee cap a tx offers per gas (gasPrice for legacy and 2930 txs). */
export function feeCap(tx: Transaction): bigint {
  return tx.type === 0 || tx.type === 1 ? tx.gasPrice : tx.maxFeePerGas;
}

export function tipCap(tx: Transaction): bigint {
  return tx.type === 0 || tx.type === 1 ? tx.gasPrice : tx.maxPriorityFeePerGas;
}

/** The tip a miner would get at `baseFee`: min(tip cap, fee cap - base fee); may be negative. */
export function effectiveTip(tx: Transaction, baseFee: bigint | undefined): bigint {
  if (baseFee === undefined) return tipCap(tx);
  const room = feeCap(tx) - baseFee;
  const tip = tipCap(tx);
  return tip < room ? tip : room;
}

/** What the sender must hold: the whole gas at the fee cap plus the value (plus blob gas at its cap), geth's tx.Cost(). */
export function maxCost(tx: Transaction): bigint {
  const blob = tx.type === 3 ? tx.maxFeePerBlobGas * GAS_PER_BLOB * BigInt(tx.blobVersionedHashes.length) : 0n;
  return tx.gasLimit * feeCap(tx) + tx.value + blob;
}

type IntrinsicRules = Pick<ForkRules, 'homestead' | 'istanbul' | 'shanghai'>;

/** Intrinsic gas (yellow paper + EIP-2028 calldata + EIP-2930 access lists + EIP-3860 init code + EIP-7702 auths). */
export function intrinsicGas(tx: Transaction, rules: IntrinsicRules): bigint {
  const create = tx.to === null;
  let gas = create && rules.homestead ? 53_000n : 21_000n;
  const nonZeroCost = rules.istanbul ? 16n : 68n;
  for (const b of tx.data) gas += b === 0 ? 4n : nonZeroCost;
  if (create && rules.shanghai) gas += 2n * BigInt(Math.ceil(tx.data.length / 32));
  if (tx.type !== 0) {
    for (const entry of tx.accessList) gas += 2_400n + 1_900n * BigInt(entry.storageKeys.length);
  }
  if (tx.type === 4) gas += 25_000n * BigInt(tx.authorizationList.length);
  return gas;
}

/** EIP-7623 (Prague): the least gas a tx must buy for its calldata, 21000 + 10 per token (zero byte 1, other 4). */
export function floorDataGas(data: Uint8Array): bigint {
  let tokens = 0n;
  for (const b of data) tokens += b === 0 ? 1n : 4n;
  return 21_000n + 10n * tokens;
}

const FORK_OF_TYPE: Record<Transaction['type'], { fork: keyof ForkRules; name: string } | undefined> = {
  0: undefined,
  1: { fork: 'berlin', name: 'Berlin' },
  2: { fork: 'london', name: 'London' },
  3: { fork: 'cancun', name: 'Cancun' },
  4: { fork: 'prague', name: 'Prague' },
};

/** The rules the pool applies: those of the block after the head (by number), at the head's time. */
export function poolRules(config: ChainConfig, head: HeadContext): ForkRules {
  return forkRules(config, head.number + 1n, head.timestamp);
}

/** Checks that need no state, in geth's order; returns the sender and sizes. */
export function validateStateless(tx: Transaction, config: ChainConfig, head: HeadContext, options: ValidationOptions): CheckedTx {
  const rules = poolRules(config, head);
  if (tx.type === 3) {
    // geth checks the blob count before anything else costs time.
    const permitted = rules.osaka ? MAX_BLOBS_PER_TX_OSAKA : Number(rules.blob?.max ?? 6n);
    const count = tx.blobVersionedHashes.length;
    if (count > permitted) throw new TxPoolError('blobLimit', `too many blobs in transaction: have ${count}, permitted ${permitted}`);
  }
  const networkSize = encodeTransaction(tx).length;
  const maxSize = tx.type === 3 ? MAX_BLOB_TX_SIZE : MAX_TX_SIZE;
  if (networkSize > maxSize) throw new TxPoolError('oversized', `oversized data: transaction size ${networkSize}, limit ${maxSize}`);
  const fork = FORK_OF_TYPE[tx.type];
  if (fork !== undefined && rules[fork.fork] !== true) {
    throw new TxPoolError('txTypeNotSupported', `transaction type not supported: type ${tx.type} rejected, pool not yet in ${fork.name}`);
  }
  if (tx.to === null && rules.shanghai && tx.data.length > MAX_INIT_CODE_SIZE) {
    throw new TxPoolError('initCodeTooLarge', `max initcode size exceeded: code size ${tx.data.length}, limit ${MAX_INIT_CODE_SIZE}`);
  }
  if (rules.osaka && tx.gasLimit > MAX_TX_GAS) {
    throw new TxPoolError('gasLimitTooHigh', `transaction gas limit too high (cap: ${MAX_TX_GAS}, tx: ${tx.gasLimit})`);
  }
  if (tx.gasLimit > head.gasLimit) throw new TxPoolError('gasLimit', `exceeds block gas limit: gas ${tx.gasLimit}, limit ${head.gasLimit}`);
  if (tipCap(tx) > feeCap(tx)) throw new TxPoolError('tipAboveFeeCap', 'max priority fee per gas higher than max fee per gas');
  const sender = checkedSender(tx, config.chainId);
  if (tx.nonce >= 2n ** 64n - 1n) throw new TxPoolError('nonceMax', 'nonce has max value'); // EIP-2681
  const need = intrinsicGas(tx, rules);
  if (tx.gasLimit < need) throw new TxPoolError('intrinsicGas', `intrinsic gas too low: gas ${tx.gasLimit}, minimum needed ${need}`);
  if (rules.prague) {
    const floor = floorDataGas(tx.data);
    if (tx.gasLimit < floor) throw new TxPoolError('floorDataGas', `insufficient gas for floor data gas cost: gas ${tx.gasLimit}, minimum needed ${floor}`);
  }
  const minTip = options.minTip(sender);
  if (tipCap(tx) < minTip) {
    throw new TxPoolError('tipBelowMinimum', `transaction gas price below minimum: gas tip cap ${tipCap(tx)}, minimum needed ${minTip}`);
  }
  if (tx.type === 3) validateBlobTx(tx, rules, options.blobProofVerifier);
  if (tx.type === 4 && tx.authorizationList.length === 0) {
    throw new TxPoolError('noAuthorizations', 'set code tx must have at least one authorization tuple');
  }
  return { sender, size: encodeCanonicalTransaction(tx).length, networkSize };
}

/** Sender recovery as geth's latest signer: a chain-bound tx must name our chain; the signature must recover (low s). */
function checkedSender(tx: Transaction, chainId: bigint): Address {
  const txChainId = transactionChainId(tx);
  if (txChainId !== null && txChainId !== chainId) {
    throw new TxPoolError('wrongChainId', `invalid sender: invalid chain id for signer: have ${txChainId} want ${chainId}`);
  }
  try {
    return recoverSenderCached(tx);
  } catch (err) {
    if (err instanceof DecodeError) throw new TxPoolError('invalidSender', 'invalid sender: invalid transaction v, r, s values');
    throw err;
  }
}

/** geth's validateBlobTx: sidecar present, of the fork's version, consistent with the versioned hashes, proofs valid. */
function validateBlobTx(tx: BlobTx, rules: ForkRules, verifier: BlobProofVerifier | undefined): void {
  const sidecar = tx.sidecar;
  if (sidecar === undefined) throw new TxPoolError('blobSidecar', 'missing sidecar in blob transaction');
  const version = rules.osaka ? 1 : 0;
  if (sidecar.wrapperVersion !== version) {
    throw new TxPoolError('blobSidecar', `unexpected sidecar version, want: ${version}, got: ${sidecar.wrapperVersion}`);
  }
  if (tx.maxFeePerBlobGas < MIN_BLOB_GAS_PRICE) {
    throw new TxPoolError('tipBelowMinimum', `transaction gas price below minimum: blob fee cap ${tx.maxFeePerBlobGas}, minimum needed ${MIN_BLOB_GAS_PRICE}`);
  }
  const hashes = tx.blobVersionedHashes;
  if (hashes.length === 0) throw new TxPoolError('blobSidecar', 'blobless blob transaction');
  if (sidecar.blobs.length !== hashes.length) {
    throw new TxPoolError('blobSidecar', `invalid number of ${sidecar.blobs.length} blobs compared to ${hashes.length} blob hashes`);
  }
  if (sidecar.commitments.length !== hashes.length) {
    throw new TxPoolError('blobSidecar', `invalid number of ${sidecar.commitments.length} blob commitments compared to ${hashes.length} blob hashes`);
  }
  for (let i = 0; i < hashes.length; i++) {
    const computed = blobVersionedHash(sidecar.commitments[i]!);
    if (!equalBytes(computed, hashes[i]!)) {
      throw new TxPoolError('blobSidecar', `blob ${i}: computed hash 0x${bytesToHex(computed)} mismatches transaction one 0x${bytesToHex(hashes[i]!)}`);
    }
  }
  const proofsWanted = hashes.length * (version === 1 ? CELLS_PER_EXT_BLOB : 1);
  if (sidecar.proofs.length !== proofsWanted) {
    throw new TxPoolError('blobSidecar', `invalid number of ${sidecar.proofs.length} blob proofs expected ${proofsWanted}`);
  }
  // KZG proofs are checked only when a verifier is configured: the package
  // declares no KZG library (micro-eth-signer's pure-JS KZG is in node_modules
  // only as a transitive dev dependency). Cell proofs (version 1) have no
  // verifier here at all. Without one, a blob tx whose proofs are wrong is
  // kept and relayed; its commitments still match its versioned hashes.
  if (version === 0 && verifier !== undefined && !verifier.verifyBlobProofs(sidecar)) {
    throw new TxPoolError('kzgProof', 'KZG verification error: invalid blob proof');
  }
}

/** The sender's account as the pool sees it at its head. */
export interface AccountView {
  nonce: bigint;
  balance: bigint;
}

/**
 * geth's ValidateTransactionWithState: the nonce is not spent, the balance
 * covers this tx, and it also covers everything the sender's pending txs may
 * spend (`pendingCost`), counting a replacement only by how much it adds
 * (`replacedCost` is the cost of the pending tx it replaces).
 */
export function validateAgainstAccount(tx: Transaction, account: AccountView, pendingCost: bigint, replacedCost: bigint | undefined): void {
  if (tx.nonce < account.nonce) {
    throw new TxPoolError('nonceTooLow', `nonce too low: next nonce ${account.nonce}, tx nonce ${tx.nonce}`);
  }
  const cost = maxCost(tx);
  const { balance } = account;
  const funds = 'insufficient funds for gas * price + value';
  if (balance < cost) throw new TxPoolError('insufficientFunds', `${funds}: balance ${balance}, tx cost ${cost}, overshot ${cost - balance}`);
  if (replacedCost !== undefined) {
    const bump = cost - replacedCost;
    const need = pendingCost + bump;
    if (balance < need) {
      throw new TxPoolError('insufficientFunds', `${funds}: balance ${balance}, queued cost ${pendingCost}, tx bumped ${bump}, overshot ${need - balance}`);
    }
  } else {
    const need = pendingCost + cost;
    if (balance < need) {
      throw new TxPoolError('insufficientFunds', `${funds}: balance ${balance}, queued cost ${pendingCost}, tx cost ${cost}, overshot ${need - balance}`);
    }
  }
}

/**
 * geth's list.Add price rule: a same-nonce replacement must pay strictly more
 * and at least `bumpPercent` more in fee cap and tip (and, for blob txs, in
 * blob fee cap, as the blob pool asks).
 */
export function isPriceBumped(old: Transaction, next: Transaction, bumpPercent: bigint): boolean {
  const threshold = (v: bigint) => (v * (100n + bumpPercent)) / 100n;
  const pairs: Array<[bigint, bigint]> = [
    [feeCap(old), feeCap(next)],
    [tipCap(old), tipCap(next)],
  ];
  if (old.type === 3 && next.type === 3) pairs.push([old.maxFeePerBlobGas, next.maxFeePerBlobGas]);
  return pairs.every(([before, after]) => after > before && after >= threshold(before));
}
