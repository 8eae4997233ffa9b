/**
 * Receipt encodings on the wire.
 *
 *   eth/66-68: legacy-receipt = [post-state-or-status, cumulative-gas, bloom, logs]
 *              typed-receipt  = tx-type || rlp(legacy-receipt), as an RLP byte string
 *   eth/69+ (EIP-7642): [tx-type, post-state-or-status, cumulative-gas, logs]
 *
 * The eth/66 bloom is kept as sent; logsBloom() recomputes it when a node
 * converts an eth/69 receipt or checks a peer's.
 */
import { concatBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { keccak256 } from '../keys.js';
import { asBytes, asList, decodeRlp, encodeRlp, type RlpInput, type RlpItem } from '../rlp.js';
import { bytesField, fixed, readAddress, readBytes, readFixed, readHashList, readList, readU64, u64 } from '../tx/fields.js';
import { isKnownTxType, type TxType } from '../tx/types.js';
import type { Log, Receipt, ReceiptWithBloom } from './types.js';

export const BLOOM_BYTES = 256;

function knownType(value: number | bigint, what: string): TxType {
  const n = Number(value);
  if (!isKnownTxType(n)) throw new DecodeError('unknown-type', what, `unknown receipt type ${value}`);
  return n;
}

/** A 32-byte post-state root, empty (status 0) or 0x01 (status 1). */
function readPostStateOrStatus(item: RlpItem | undefined, what: string): Uint8Array {
  const bytes = asBytes(item, what);
  const ok = bytes.length === 0 || bytes.length === 32 || (bytes.length === 1 && bytes[0] === 1);
  if (!ok) throw new DecodeError('value', what, 'expected a 32-byte state root, empty (status 0) or 0x01 (status 1)');
  return bytes.slice();
}

function postStateOrStatus(bytes: Uint8Array, what: string): Uint8Array {
  const ok = bytes.length === 0 || bytes.length === 32 || (bytes.length === 1 && bytes[0] === 1);
  if (!ok) throw new RangeError(`${what}: expected a 32-byte state root, empty or 0x01`);
  return bytes;
}

function logFromRlp(item: RlpItem, what: string): Log {
  const f = asList(item, what);
  if (f.length !== 3) throw new DecodeError('shape', what, `expected [address, topics, data], got ${f.length} elements`);
  return {
    address: readAddress(f[0], `${what}.address`),
    topics: readHashList(f[1], `${what}.topics`),
    data: readBytes(f[2], `${what}.data`),
  };
}

function logToRlp(log: Log, what: string): RlpInput {
  return [
    fixed(log.address, 20, `${what}.address`),
    log.topics.map((t, i) => fixed(t, 32, `${what}.topics[${i}]`)),
    bytesField(log.data, `${what}.data`),
  ];
}

function logsToRlp(logs: Log[], what: string): RlpInput {
  return logs.map((l, i) => logToRlp(l, `${what}.logs[${i}]`));
}

function innerWithBloom(item: RlpItem, txType: TxType, what: string): ReceiptWithBloom {
  const f = asList(item, what);
  if (f.length !== 4) throw new DecodeError('shape', what, `expected 4 fields, got ${f.length}`);
  return {
    txType,
    postStateOrStatus: readPostStateOrStatus(f[0], `${what} postStateOrStatus`),
    cumulativeGasUsed: readU64(f[1], `${what} cumulativeGasUsed`),
    bloom: readFixed(f[2], `${what} bloom`, BLOOM_BYTES),
    logs: readList(f[3], `${what} logs`, logFromRlp),
  };
}

export function receiptEth66FromRlp(item: RlpItem, what = 'receipt'): ReceiptWithBloom {
  if (Array.isArray(item)) return innerWithBloom(item, 0, what);
  if (item.length < 2) throw new DecodeError('length', what, `typed receipt of ${item.length} bytes`);
  const txType = knownType(item[0]!, `${what} type`);
  if (txType === 0) throw new DecodeError('value', `${what} type`, 'a legacy receipt must be a list, not a typed envelope');
  return innerWithBloom(decodeRlp(item.subarray(1), what), txType, what);
}

export function receiptEth66ToRlp(r: ReceiptWithBloom, what = 'receipt'): RlpInput {
  const inner: RlpInput = [
    postStateOrStatus(r.postStateOrStatus, `${what} postStateOrStatus`),
    u64(r.cumulativeGasUsed, `${what} cumulativeGasUsed`),
    fixed(r.bloom, BLOOM_BYTES, `${what} bloom`),
    logsToRlp(r.logs, what),
  ];
  if (r.txType === 0) return inner;
  if (!isKnownTxType(r.txType)) throw new RangeError(`${what}: unknown receipt type ${String(r.txType)}`);
  return concatBytes(Uint8Array.of(r.txType), encodeRlp(inner));
}

export function receiptEth69FromRlp(item: RlpItem, what = 'receipt'): Receipt {
  const f = asList(item, what);
  if (f.length !== 4) throw new DecodeError('shape', what, `expected [tx-type, status, cumulative-gas, logs], got ${f.length} elements`);
  return {
    txType: knownType(readU64(f[0], `${what} type`), `${what} type`),
    postStateOrStatus: readPostStateOrStatus(f[1], `${what} postStateOrStatus`),
    cumulativeGasUsed: readU64(f[2], `${what} cumulativeGasUsed`),
    logs: readList(f[3], `${what} logs`, logFromRlp),
  };
}

export function receiptEth69ToRlp(r: Receipt, what = 'receipt'): RlpInput {
  if (!isKnownTxType(r.txType)) throw new RangeError(`${what}: unknown receipt type ${String(r.txType)}`);
  return [
    r.txType,
    postStateOrStatus(r.postStateOrStatus, `${what} postStateOrStatus`),
    u64(r.cumulativeGasUsed, `${what} cumulativeGasUsed`),
    logsToRlp(r.logs, what),
  ];
}

function addToBloom(bloom: Uint8Array, value: Uint8Array): void {
  const h = keccak256(value);
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i]! << 8) | h[i + 1]!) & 2047;
    bloom[BLOOM_BYTES - 1 - (bit >> 3)]! |= 1 << (bit & 7);
  }
}

/** The yellow-paper log bloom: three 11-bit indices from keccak256 of each address and topic. */
export function logsBloom(logs: Log[]): Uint8Array {
  const bloom = new Uint8Array(BLOOM_BYTES);
  for (const log of logs) {
    addToBloom(bloom, log.address);
    for (const topic of log.topics) addToBloom(bloom, topic);
  }
  return bloom;
}
