/**
 * Block headers, bodies and blocks as eth.md encodes them.
 *
 * A header is a list of 15 fields, extended by forks with trailing fields:
 * London (16: baseFee), Shanghai (17: withdrawalsRoot), Cancun (20: blobGasUsed,
 * excessBlobGas, parentBeaconRoot), Prague (21: requestsHash) and Amsterdam
 * (22: blockAccessListHash, eth.md since eth/71). Only those counts decode:
 * Cancun's three fields arrive together, so 18 and 19 are malformed.
 * Whether a field must be present at a given height is a validity rule for the
 * chain, not for this codec.
 */
import { keccak256 } from './keys.js';
import { DecodeError } from './errors.js';
import { asList, decodeRlp, decodeRlpPrefix, encodeRlp, type RlpInput, type RlpItem } from './rlp.js';
import {
  bytesField,
  fixed,
  readAddress,
  readBytes,
  readFixed,
  readHash,
  readList,
  readU256,
  readU64,
  u256,
  u64,
} from './tx/fields.js';
import { transactionFromRlp, transactionToRlp } from './tx/codec.js';
import type { Address, Hash32, Transaction } from './tx/types.js';

export interface BlockHeader {
  parentHash: Hash32;
  ommersHash: Hash32;
  coinbase: Address;
  stateRoot: Hash32;
  transactionsRoot: Hash32;
  receiptsRoot: Hash32;
  /** 256 bytes. */
  logsBloom: Uint8Array;
  difficulty: bigint;
  number: bigint;
  gasLimit: bigint;
  gasUsed: bigint;
  timestamp: bigint;
  extraData: Uint8Array;
  mixHash: Hash32;
  /** 8 bytes. */
  nonce: Uint8Array;
  baseFeePerGas?: bigint;
  withdrawalsRoot?: Hash32;
  blobGasUsed?: bigint;
  excessBlobGas?: bigint;
  parentBeaconBlockRoot?: Hash32;
  requestsHash?: Hash32;
  blockAccessListHash?: Hash32;
}

/** EIP-4895 withdrawal; amount is in gwei. */
export interface Withdrawal {
  index: bigint;
  validatorIndex: bigint;
  address: Address;
  amount: bigint;
}

export interface BlockBody {
  transactions: Transaction[];
  uncles: BlockHeader[];
  /** Absent before Shanghai; an empty list is distinct from absent on the wire. */
  withdrawals?: Withdrawal[];
}

export interface Block extends BlockBody {
  header: BlockHeader;
}

export const HEADER_FIELD_COUNTS: readonly number[] = [15, 16, 17, 20, 21, 22];

/** keccak256(rlp([])): the ommers hash of every post-merge block. */
export const EMPTY_OMMERS_HASH = keccak256(encodeRlp([]));

const H = 'block header';

export function headerFromRlp(item: RlpItem | undefined, what = H): BlockHeader {
  const f = asList(item, what);
  if (!HEADER_FIELD_COUNTS.includes(f.length)) {
    throw new DecodeError('shape', what, `expected ${HEADER_FIELD_COUNTS.join(', ')} fields, got ${f.length}`);
  }
  const header: BlockHeader = {
    parentHash: readHash(f[0], `${what} parentHash`),
    ommersHash: readHash(f[1], `${what} ommersHash`),
    coinbase: readAddress(f[2], `${what} coinbase`),
    stateRoot: readHash(f[3], `${what} stateRoot`),
    transactionsRoot: readHash(f[4], `${what} transactionsRoot`),
    receiptsRoot: readHash(f[5], `${what} receiptsRoot`),
    logsBloom: readFixed(f[6], `${what} logsBloom`, 256),
    difficulty: readU256(f[7], `${what} difficulty`),
    number: readU64(f[8], `${what} number`),
    gasLimit: readU64(f[9], `${what} gasLimit`),
    gasUsed: readU64(f[10], `${what} gasUsed`),
    timestamp: readU64(f[11], `${what} timestamp`),
    extraData: readBytes(f[12], `${what} extraData`),
    mixHash: readHash(f[13], `${what} mixHash`),
    nonce: readFixed(f[14], `${what} nonce`, 8),
  };
  if (f.length >= 16) header.baseFeePerGas = readU256(f[15], `${what} baseFeePerGas`);
  if (f.length >= 17) header.withdrawalsRoot = readHash(f[16], `${what} withdrawalsRoot`);
  if (f.length >= 20) {
    header.blobGasUsed = readU64(f[17], `${what} blobGasUsed`);
    header.excessBlobGas = readU64(f[18], `${what} excessBlobGas`);
    header.parentBeaconBlockRoot = readHash(f[19], `${what} parentBeaconBlockRoot`);
  }
  if (f.length >= 21) header.requestsHash = readHash(f[20], `${what} requestsHash`);
  if (f.length >= 22) header.blockAccessListHash = readHash(f[21], `${what} blockAccessListHash`);
  return header;
}

/** The trailing fields present, which must be a prefix of the fork order. */
function optionalFields(h: BlockHeader): RlpInput[] {
  const cancun = [h.blobGasUsed, h.excessBlobGas, h.parentBeaconBlockRoot];
  const cancunCount = cancun.filter((v) => v !== undefined).length;
  if (cancunCount !== 0 && cancunCount !== 3) {
    throw new RangeError(`${H}: blobGasUsed, excessBlobGas and parentBeaconBlockRoot come together`);
  }
  const slots: (RlpInput | undefined)[] = [
    h.baseFeePerGas === undefined ? undefined : u256(h.baseFeePerGas, `${H} baseFeePerGas`),
    h.withdrawalsRoot === undefined ? undefined : fixed(h.withdrawalsRoot, 32, `${H} withdrawalsRoot`),
    h.blobGasUsed === undefined ? undefined : u64(h.blobGasUsed, `${H} blobGasUsed`),
    h.excessBlobGas === undefined ? undefined : u64(h.excessBlobGas, `${H} excessBlobGas`),
    h.parentBeaconBlockRoot === undefined ? undefined : fixed(h.parentBeaconBlockRoot, 32, `${H} parentBeaconBlockRoot`),
    h.requestsHash === undefined ? undefined : fixed(h.requestsHash, 32, `${H} requestsHash`),
    h.blockAccessListHash === undefined ? undefined : fixed(h.blockAccessListHash, 32, `${H} blockAccessListHash`),
  ];
  const present = slots.findIndex((v) => v === undefined);
  const count = present === -1 ? slots.length : present;
  if (slots.slice(count).some((v) => v !== undefined)) {
    throw new RangeError(`${H}: optional fields must be a prefix of the fork order (a later field without an earlier one)`);
  }
  return slots.slice(0, count) as RlpInput[];
}

export function headerToRlp(h: BlockHeader): RlpInput {
  return [
    fixed(h.parentHash, 32, `${H} parentHash`),
    fixed(h.ommersHash, 32, `${H} ommersHash`),
    fixed(h.coinbase, 20, `${H} coinbase`),
    fixed(h.stateRoot, 32, `${H} stateRoot`),
    fixed(h.transactionsRoot, 32, `${H} transactionsRoot`),
    fixed(h.receiptsRoot, 32, `${H} receiptsRoot`),
    fixed(h.logsBloom, 256, `${H} logsBloom`),
    u256(h.difficulty, `${H} difficulty`),
    u64(h.number, `${H} number`),
    u64(h.gasLimit, `${H} gasLimit`),
    u64(h.gasUsed, `${H} gasUsed`),
    u64(h.timestamp, `${H} timestamp`),
    bytesField(h.extraData, `${H} extraData`),
    fixed(h.mixHash, 32, `${H} mixHash`),
    fixed(h.nonce, 8, `${H} nonce`),
    ...optionalFields(h),
  ];
}

export function decodeBlockHeader(bytes: Uint8Array): BlockHeader {
  return headerFromRlp(decodeRlp(bytes, H));
}

export function encodeBlockHeader(header: BlockHeader): Uint8Array {
  return encodeRlp(headerToRlp(header));
}

export function headerHash(header: BlockHeader): Hash32 {
  return keccak256(encodeBlockHeader(header));
}

/** keccak256 of the RLP list of ommer headers, as the header's ommersHash commits to. */
export function ommersHashOf(uncles: BlockHeader[]): Hash32 {
  return keccak256(encodeRlp(uncles.map(headerToRlp)));
}

function withdrawalFromRlp(item: RlpItem, what: string): Withdrawal {
  const f = asList(item, what);
  if (f.length !== 4) throw new DecodeError('shape', what, `expected 4 fields, got ${f.length}`);
  return {
    index: readU64(f[0], `${what}.index`),
    validatorIndex: readU64(f[1], `${what}.validatorIndex`),
    address: readAddress(f[2], `${what}.address`),
    amount: readU64(f[3], `${what}.amount`),
  };
}

export function withdrawalToRlp(w: Withdrawal, what: string): RlpInput {
  return [
    u64(w.index, `${what}.index`),
    u64(w.validatorIndex, `${what}.validatorIndex`),
    fixed(w.address, 20, `${what}.address`),
    u64(w.amount, `${what}.amount`),
  ];
}

/** Block transactions are canonical: a blob sidecar belongs only to PooledTransactions. */
function blockTransactionFromRlp(item: RlpItem, what: string): Transaction {
  const tx = transactionFromRlp(item, what);
  if (tx.type === 3 && tx.sidecar !== undefined) {
    throw new DecodeError('shape', what, 'a blob transaction in a block must not carry its sidecar');
  }
  return tx;
}

/** Decodes [txs, uncles] or [txs, uncles, withdrawals] starting at `at` within a list. */
function bodyFields(f: RlpItem[], at: number, what: string): BlockBody {
  const body: BlockBody = {
    transactions: readList(f[at], `${what} transactions`, blockTransactionFromRlp),
    uncles: readList(f[at + 1], `${what} uncles`, headerFromRlp),
  };
  if (f.length > at + 2) body.withdrawals = readList(f[at + 2], `${what} withdrawals`, withdrawalFromRlp);
  return body;
}

function bodyFieldsToRlp(b: BlockBody, what: string): RlpInput[] {
  const out: RlpInput[] = [
    b.transactions.map((tx, i) => {
      if (tx.type === 3 && tx.sidecar !== undefined) {
        throw new RangeError(`${what} transactions[${i}]: a blob transaction in a block must not carry its sidecar`);
      }
      return transactionToRlp(tx);
    }),
    b.uncles.map(headerToRlp),
  ];
  if (b.withdrawals !== undefined) out.push(b.withdrawals.map((w, i) => withdrawalToRlp(w, `${what} withdrawals[${i}]`)));
  return out;
}

export function bodyFromRlp(item: RlpItem | undefined, what = 'block body'): BlockBody {
  const f = asList(item, what);
  if (f.length !== 2 && f.length !== 3) throw new DecodeError('shape', what, `expected 2 or 3 elements, got ${f.length}`);
  return bodyFields(f, 0, what);
}

export function bodyToRlp(body: BlockBody): RlpInput {
  return bodyFieldsToRlp(body, 'block body');
}

export function blockFromRlp(item: RlpItem | undefined, what = 'block'): Block {
  const f = asList(item, what);
  if (f.length !== 3 && f.length !== 4) throw new DecodeError('shape', what, `expected 3 or 4 elements, got ${f.length}`);
  return { header: headerFromRlp(f[0], `${what} header`), ...bodyFields(f, 1, what) };
}

export function blockToRlp(block: Block): RlpInput {
  return [headerToRlp(block.header), ...bodyFieldsToRlp(block, 'block')];
}

export function decodeBlock(bytes: Uint8Array): Block {
  return blockFromRlp(decodeRlp(bytes, 'block'));
}

export function encodeBlock(block: Block): Uint8Array {
  return encodeRlp(blockToRlp(block));
}

export function blockHash(block: Block): Hash32 {
  return headerHash(block.header);
}

/** Decodes concatenated RLP blocks, as in a chain.rlp export. */
export function decodeBlockSequence(bytes: Uint8Array): Block[] {
  const blocks: Block[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const what = `block ${blocks.length}`;
    const { item, rest: next } = decodeRlpPrefix(rest, what);
    blocks.push(blockFromRlp(item, what));
    rest = next;
  }
  return blocks;
}
