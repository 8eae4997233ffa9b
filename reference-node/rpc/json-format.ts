/**
 * Blocks, transactions and receipts in the JSON shapes of the execution-apis
 * spec (geth's RPCMarshalBlock, newRPCTransaction, MarshalReceipt): hex
 * quantities without leading zeros, hex data with 0x, fields per tx type.
 */
import type { Block, BlockHeader } from '../wire/block.js';
import { encodeBlock, headerHash } from '../wire/block.js';
import { bytesToHex } from '../wire/bytes.js';
import { logsBloom } from '../wire/eth/receipts.js';
import type { Receipt } from '../wire/eth/types.js';
import { keccak256 } from '../wire/keys.js';
import { encodeRlp } from '../wire/rlp.js';
import { transactionHash } from '../wire/tx/hash.js';
import { recoverSender, transactionChainId } from '../wire/tx/signer.js';
import type { Address, Transaction } from '../wire/tx/types.js';
import { toQuantity, type JsonValue } from './json-rpc.js';

type Json = { [key: string]: JsonValue };

export const data = (bytes: Uint8Array): string => `0x${bytesToHex(bytes)}`;
const qty = toQuantity;

/** The position of a tx in the canonical chain. */
export interface TxLocation {
  blockHash: Uint8Array;
  blockNumber: bigint;
  index: number;
  /** Of the including block; decides the effective gas price of fee-market txs. */
  baseFeePerGas: bigint | undefined;
}

export function headerJson(header: BlockHeader, td: bigint | undefined): Json {
  const out: Json = {
    number: qty(header.number),
    hash: data(headerHash(header)),
    parentHash: data(header.parentHash),
    nonce: data(header.nonce),
    sha3Uncles: data(header.ommersHash),
    logsBloom: data(header.logsBloom),
    transactionsRoot: data(header.transactionsRoot),
    stateRoot: data(header.stateRoot),
    receiptsRoot: data(header.receiptsRoot),
    miner: data(header.coinbase),
    difficulty: qty(header.difficulty),
    extraData: data(header.extraData),
    gasLimit: qty(header.gasLimit),
    gasUsed: qty(header.gasUsed),
    timestamp: qty(header.timestamp),
    mixHash: data(header.mixHash),
  };
  // Geth dropped totalDifficulty from post-merge responses; pre-merge tools still read it.
  if (td !== undefined) out['totalDifficulty'] = qty(td);
  if (header.baseFeePerGas !== undefined) out['baseFeePerGas'] = qty(header.baseFeePerGas);
  if (header.withdrawalsRoot !== undefined) out['withdrawalsRoot'] = data(header.withdrawalsRoot);
  if (header.blobGasUsed !== undefined) out['blobGasUsed'] = qty(header.blobGasUsed);
  if (header.excessBlobGas !== undefined) out['excessBlobGas'] = qty(header.excessBlobGas);
  if (header.parentBeaconBlockRoot !== undefined) out['parentBeaconBlockRoot'] = data(header.parentBeaconBlockRoot);
  if (header.requestsHash !== undefined) out['requestsHash'] = data(header.requestsHash);
  return out;
}

export function blockJson(block: Block, td: bigint | undefined, fullTransactions: boolean): Json {
  const hash = headerHash(block.header);
  const out = headerJson(block.header, td);
  out['size'] = qty(encodeBlock(block).length);
  out['transactions'] = block.transactions.map((tx, index) =>
    fullTransactions
      ? transactionJson(tx, { blockHash: hash, blockNumber: block.header.number, index, baseFeePerGas: block.header.baseFeePerGas })
      : data(transactionHash(tx)),
  );
  out['uncles'] = block.uncles.map((u) => data(headerHash(u)));
  if (block.withdrawals !== undefined) {
    out['withdrawals'] = block.withdrawals.map((w) => ({ index: qty(w.index), validatorIndex: qty(w.validatorIndex), address: data(w.address), amount: qty(w.amount) }));
  }
  return out;
}

/** The price per gas the sender paid: gasPrice, or min(feeCap, baseFee + tip) once included. */
export function effectiveGasPrice(tx: Transaction, baseFeePerGas: bigint | undefined): bigint {
  if (tx.type === 0 || tx.type === 1) return tx.gasPrice;
  if (baseFeePerGas === undefined) return tx.maxFeePerGas;
  const paid = baseFeePerGas + tx.maxPriorityFeePerGas;
  return paid < tx.maxFeePerGas ? paid : tx.maxFeePerGas;
}

/** A tx as eth_getTransactionByHash returns it; location null for a pool tx. */
export function transactionJson(tx: Transaction, location: TxLocation | null, sender: Address = recoverSender(tx)): Json {
  const out: Json = {
    blockHash: location ? data(location.blockHash) : null,
    blockNumber: location ? qty(location.blockNumber) : null,
    transactionIndex: location ? qty(location.index) : null,
    hash: data(transactionHash(tx)),
    type: qty(tx.type),
    from: data(sender),
    to: tx.to === null ? null : data(tx.to),
    nonce: qty(tx.nonce),
    gas: qty(tx.gasLimit),
    value: qty(tx.value),
    input: data(tx.data),
    r: qty(tx.r),
    s: qty(tx.s),
  };
  const chainId = transactionChainId(tx);
  if (chainId !== null) out['chainId'] = qty(chainId);
  if (tx.type === 0) {
    out['gasPrice'] = qty(tx.gasPrice);
    out['v'] = qty(tx.v);
    return out;
  }
  out['v'] = qty(tx.yParity);
  out['yParity'] = qty(tx.yParity);
  out['accessList'] = tx.accessList.map((e) => ({ address: data(e.address), storageKeys: e.storageKeys.map(data) }));
  if (tx.type === 1) {
    out['gasPrice'] = qty(tx.gasPrice);
    return out;
  }
  out['maxFeePerGas'] = qty(tx.maxFeePerGas);
  out['maxPriorityFeePerGas'] = qty(tx.maxPriorityFeePerGas);
  // geth reports the effective price once mined, the fee cap while pending.
  out['gasPrice'] = qty(location ? effectiveGasPrice(tx, location.baseFeePerGas) : tx.maxFeePerGas);
  if (tx.type === 3) {
    out['maxFeePerBlobGas'] = qty(tx.maxFeePerBlobGas);
    out['blobVersionedHashes'] = tx.blobVersionedHashes.map(data);
  }
  if (tx.type === 4) {
    out['authorizationList'] = tx.authorizationList.map((a) => ({
      chainId: qty(a.chainId),
      address: data(a.address),
      nonce: qty(a.nonce),
      yParity: qty(a.yParity),
      r: qty(a.r),
      s: qty(a.s),
    }));
  }
  return out;
}

export interface ReceiptContext {
  tx: Transaction;
  sender: Address;
  location: TxLocation;
  /** Cumulative gas of the receipt before this one (0 for the first). */
  previousCumulativeGas: bigint;
  /** Logs of the block's earlier receipts, for the block-wide log index. */
  firstLogIndex: number;
  /** From Cancun: the blob base fee of the block. */
  blobGasPrice?: bigint;
}

/** eth_getTransactionReceipt's shape. */
export function receiptJson(receipt: Receipt, ctx: ReceiptContext): Json {
  const { tx, location } = ctx;
  const txHash = data(transactionHash(tx));
  const out: Json = {
    transactionHash: txHash,
    transactionIndex: qty(location.index),
    blockHash: data(location.blockHash),
    blockNumber: qty(location.blockNumber),
    from: data(ctx.sender),
    to: tx.to === null ? null : data(tx.to),
    cumulativeGasUsed: qty(receipt.cumulativeGasUsed),
    gasUsed: qty(receipt.cumulativeGasUsed - ctx.previousCumulativeGas),
    effectiveGasPrice: qty(effectiveGasPrice(tx, location.baseFeePerGas)),
    contractAddress: tx.to === null ? data(createAddress(ctx.sender, tx.nonce)) : null,
    logs: receipt.logs.map((log, i) => ({
      address: data(log.address),
      topics: log.topics.map(data),
      data: data(log.data),
      blockNumber: qty(location.blockNumber),
      blockHash: data(location.blockHash),
      transactionHash: txHash,
      transactionIndex: qty(location.index),
      logIndex: qty(ctx.firstLogIndex + i),
      removed: false,
    })),
    logsBloom: data(logsBloom(receipt.logs)),
    type: qty(receipt.txType),
  };
  // Byzantium on: a status byte (empty = failure); before it, the intermediate state root.
  if (receipt.postStateOrStatus.length === 32) out['root'] = data(receipt.postStateOrStatus);
  else out['status'] = qty(receipt.postStateOrStatus.length === 1 ? receipt.postStateOrStatus[0]! : 0);
  if (tx.type === 3 && ctx.blobGasPrice !== undefined) {
    out['blobGasUsed'] = qty(131_072n * BigInt(tx.blobVersionedHashes.length));
    out['blobGasPrice'] = qty(ctx.blobGasPrice);
  }
  return out;
}

/** CREATE address: keccak256(rlp([sender, nonce]))[12:]. */
export function createAddress(sender: Address, nonce: bigint): Address {
  return keccak256(encodeRlp([sender, nonce])).slice(12);
}
