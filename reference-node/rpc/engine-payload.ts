/**
 * ExecutionPayloadV1..V3 (execution-apis src/engine/{paris,shanghai,cancun}.md)
 * to and from our Block, with the checks geth's beacon/engine
 * ExecutableDataToBlock makes before a payload reaches the chain:
 *
 * - JSON shape and encoding (DATA / QUANTITY as common.md defines them, fixed
 *   lengths for hashes and addresses): a failure is a PayloadParamError, which
 *   the Engine API answers with -32602 Invalid params (geth fails to unmarshal
 *   the same input);
 * - what makes the payload an invalid block (an undecodable transaction, extra
 *   data over 32 bytes, a bloom that is not 256 bytes, blob versioned hashes
 *   that differ from the expected list, a block hash that is not the hash of
 *   the header the payload implies): an InvalidPayloadError, answered with
 *   status INVALID (INVALID_BLOCK_HASH for a hash mismatch in V1).
 *
 * The header is the payload's fields plus the post-merge constants of EIP-3675
 * (empty ommers, difficulty 0, zero nonce; prevRandao in mixHash, EIP-4399),
 * the transactions and withdrawals roots computed from the lists, the parent
 * beacon block root given beside the payload (V3+), and the EIP-7685 requests
 * hash computed from the execution requests given beside it (V4).
 */
import { EMPTY_OMMERS_HASH, headerHash, type Block, type BlockHeader, type Withdrawal } from '../wire/block.js';
import { bytesToHex, equalBytes, hexToBytes } from '../wire/bytes.js';
import { decodeTransaction, encodeCanonicalTransaction } from '../wire/tx/codec.js';
import type { Address, Hash32, Transaction } from '../wire/tx/types.js';
import { requestsHash, transactionsRoot, withdrawalsRoot } from '../chain/roots.js';
import type { JsonValue } from './json-rpc.js';

/** The payload as the consensus layer sends it; optional fields are those of later versions. */
export interface ExecutionPayload {
  parentHash: Hash32;
  feeRecipient: Address;
  stateRoot: Hash32;
  receiptsRoot: Hash32;
  logsBloom: Uint8Array;
  prevRandao: Hash32;
  blockNumber: bigint;
  gasLimit: bigint;
  gasUsed: bigint;
  timestamp: bigint;
  extraData: Uint8Array;
  baseFeePerGas: bigint;
  blockHash: Hash32;
  /** Each the consensus encoding of EIP-2718: a legacy RLP list or type || payload. */
  transactions: Uint8Array[];
  /** V2 on (Shanghai). */
  withdrawals?: Withdrawal[];
  /** V3 on (Cancun). */
  blobGasUsed?: bigint;
  excessBlobGas?: bigint;
}

/** What travels beside the payload in newPayloadV3/V4. */
export interface PayloadSidecar {
  /** V3+: the list the payload's blob transactions must reproduce, in order. */
  expectedBlobVersionedHashes?: Hash32[];
  /** V3+: goes into the header. */
  parentBeaconBlockRoot?: Hash32;
  /** V4+: EIP-7685 requests (type byte || data), already checked by parseExecutionRequests. */
  executionRequests?: Uint8Array[];
}

/** The JSON does not have the shape or encoding the spec requires: -32602. */
export class PayloadParamError extends Error {
  override readonly name = 'PayloadParamError';
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

export type InvalidPayloadReason = 'transaction' | 'extra-data' | 'logs-bloom' | 'blob-versioned-hashes' | 'block-hash';

/** The payload is well-formed JSON but cannot be a valid block: status INVALID. */
export class InvalidPayloadError extends Error {
  override readonly name = 'InvalidPayloadError';
  constructor(
    readonly reason: InvalidPayloadReason,
    message: string,
  ) {
    super(message);
  }
}

const MAX_EXTRA_DATA = 32;
const UINT64_MAX = (1n << 64n) - 1n;
const UINT256_MAX = (1n << 256n) - 1n;
const DATA_RE = /^0x(?:[0-9a-fA-F]{2})*$/;
const QUANTITY_RE = /^0x(?:0|[1-9a-fA-F][0-9a-fA-F]*)$/;

// ---------------------------------------------------------------------------
// JSON readers (common.md "Encoding")

function isAbsent(value: JsonValue | undefined): value is null | undefined {
  // "Any field having null value MUST be considered as not provided" (cancun.md).
  return value === undefined || value === null;
}

export function readData(value: JsonValue | undefined, field: string, length?: number): Uint8Array {
  if (typeof value !== 'string' || !DATA_RE.test(value)) throw new PayloadParamError(field, 'expected DATA: 0x followed by an even number of hex digits');
  const bytes = hexToBytes(value);
  if (length !== undefined && bytes.length !== length) throw new PayloadParamError(field, `expected ${length} bytes, got ${bytes.length}`);
  return bytes;
}

export function readQuantity(value: JsonValue | undefined, field: string, max: bigint = UINT64_MAX): bigint {
  if (typeof value !== 'string' || !QUANTITY_RE.test(value)) throw new PayloadParamError(field, 'expected QUANTITY: 0x-hex without leading zeros');
  const n = BigInt(value);
  if (n > max) throw new PayloadParamError(field, `${value} is out of range`);
  return n;
}

function readObject(value: JsonValue | undefined, field: string): Record<string, JsonValue> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PayloadParamError(field, 'expected an object');
  return value;
}

function readArray(value: JsonValue | undefined, field: string): JsonValue[] {
  if (!Array.isArray(value)) throw new PayloadParamError(field, 'expected an array');
  return value;
}

export function readHashList(value: JsonValue | undefined, field: string): Hash32[] {
  return readArray(value, field).map((v, i) => readData(v, `${field}[${i}]`, 32));
}

export function readWithdrawal(value: JsonValue, field: string): Withdrawal {
  const o = readObject(value, field);
  return {
    index: readQuantity(o['index'], `${field}.index`),
    validatorIndex: readQuantity(o['validatorIndex'], `${field}.validatorIndex`),
    address: readData(o['address'], `${field}.address`, 20),
    amount: readQuantity(o['amount'], `${field}.amount`),
  };
}

export function readWithdrawals(value: JsonValue | undefined, field: string): Withdrawal[] {
  return readArray(value, field).map((w, i) => readWithdrawal(w, `${field}[${i}]`));
}

/**
 * Parses an ExecutionPayloadV1/V2/V3 object. The fields of later versions are
 * read when present and not null; whether they must or must not be there is the
 * calling method's rule (engine-api.ts), as in geth's NewPayloadV1..V4.
 */
export function parseExecutionPayload(value: JsonValue | undefined, field = 'executionPayload'): ExecutionPayload {
  const o = readObject(value, field);
  const at = (name: string) => `${field}.${name}`;
  const payload: ExecutionPayload = {
    parentHash: readData(o['parentHash'], at('parentHash'), 32),
    feeRecipient: readData(o['feeRecipient'], at('feeRecipient'), 20),
    stateRoot: readData(o['stateRoot'], at('stateRoot'), 32),
    receiptsRoot: readData(o['receiptsRoot'], at('receiptsRoot'), 32),
    // Length checked as a block rule below, as geth does (hexutil.Bytes takes any length).
    logsBloom: readData(o['logsBloom'], at('logsBloom')),
    prevRandao: readData(o['prevRandao'], at('prevRandao'), 32),
    blockNumber: readQuantity(o['blockNumber'], at('blockNumber')),
    gasLimit: readQuantity(o['gasLimit'], at('gasLimit')),
    gasUsed: readQuantity(o['gasUsed'], at('gasUsed')),
    timestamp: readQuantity(o['timestamp'], at('timestamp')),
    extraData: readData(o['extraData'], at('extraData')),
    baseFeePerGas: readQuantity(o['baseFeePerGas'], at('baseFeePerGas'), UINT256_MAX),
    blockHash: readData(o['blockHash'], at('blockHash'), 32),
    transactions: readArray(o['transactions'], at('transactions')).map((t, i) => readData(t, `${at('transactions')}[${i}]`)),
  };
  if (!isAbsent(o['withdrawals'])) payload.withdrawals = readWithdrawals(o['withdrawals'], at('withdrawals'));
  if (!isAbsent(o['blobGasUsed'])) payload.blobGasUsed = readQuantity(o['blobGasUsed'], at('blobGasUsed'));
  if (!isAbsent(o['excessBlobGas'])) payload.excessBlobGas = readQuantity(o['excessBlobGas'], at('excessBlobGas'));
  return payload;
}

/**
 * newPayloadV4's executionRequests (prague.md): each element is type || data,
 * longer than one byte, with strictly ascending types (so no type twice).
 * Anything else is -32602.
 */
export function parseExecutionRequests(value: JsonValue | undefined, field = 'executionRequests'): Uint8Array[] {
  const requests = readArray(value, field).map((r, i) => readData(r, `${field}[${i}]`));
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i]!;
    if (r.length <= 1) throw new PayloadParamError(`${field}[${i}]`, 'a request needs a type byte and non-empty data');
    if (i > 0 && r[0]! <= requests[i - 1]![0]!) {
      throw new PayloadParamError(`${field}[${i}]`, `request type 0x${r[0]!.toString(16).padStart(2, '0')} is not above the previous one (types must be unique and ascending)`);
    }
  }
  return requests;
}

// ---------------------------------------------------------------------------
// Payload -> block

function decodePayloadTransaction(bytes: Uint8Array, index: number): Transaction {
  let tx: Transaction;
  try {
    tx = decodeTransaction(bytes);
  } catch (err) {
    throw new InvalidPayloadError('transaction', `invalid transaction ${index}: ${(err as Error).message}`);
  }
  // A payload holds the consensus form; the transactions root must cover exactly the bytes given.
  if (tx.type === 3 && tx.sidecar !== undefined) throw new InvalidPayloadError('transaction', `invalid transaction ${index}: a blob transaction in a payload must not carry its sidecar`);
  if (!equalBytes(encodeCanonicalTransaction(tx), bytes)) throw new InvalidPayloadError('transaction', `invalid transaction ${index}: not in its canonical encoding`);
  return tx;
}

/** The blob versioned hashes of a block's transactions, in order (cancun.md newPayloadV3 step 3.1). */
export function blobVersionedHashes(transactions: readonly Transaction[]): Hash32[] {
  return transactions.flatMap((tx) => (tx.type === 3 ? tx.blobVersionedHashes : []));
}

function checkVersionedHashes(transactions: readonly Transaction[], expected: readonly Hash32[]): void {
  const actual = blobVersionedHashes(transactions);
  if (actual.length !== expected.length) {
    throw new InvalidPayloadError('blob-versioned-hashes', `invalid number of versionedHashes: ${expected.length} expected, the blob transactions carry ${actual.length}`);
  }
  actual.forEach((hash, i) => {
    if (!equalBytes(hash, expected[i]!)) throw new InvalidPayloadError('blob-versioned-hashes', `invalid versionedHash at ${i}: 0x${bytesToHex(hash)}, expected 0x${bytesToHex(expected[i]!)}`);
  });
}

/**
 * The block a payload stands for, with its hash checked against blockHash.
 * Throws InvalidPayloadError; the checks run in geth's order (transactions,
 * extra data, bloom, versioned hashes, then the hash).
 */
export async function payloadToBlock(payload: ExecutionPayload, sidecar: PayloadSidecar = {}): Promise<Block> {
  const transactions = payload.transactions.map(decodePayloadTransaction);
  if (payload.extraData.length > MAX_EXTRA_DATA) throw new InvalidPayloadError('extra-data', `invalid extradata length: ${payload.extraData.length} bytes, at most ${MAX_EXTRA_DATA}`);
  if (payload.logsBloom.length !== 256) throw new InvalidPayloadError('logs-bloom', `invalid logsBloom length: ${payload.logsBloom.length} bytes, expected 256`);
  if (sidecar.expectedBlobVersionedHashes !== undefined) checkVersionedHashes(transactions, sidecar.expectedBlobVersionedHashes);

  const header: BlockHeader = {
    parentHash: payload.parentHash,
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: payload.feeRecipient,
    stateRoot: payload.stateRoot,
    transactionsRoot: await transactionsRoot(transactions),
    receiptsRoot: payload.receiptsRoot,
    logsBloom: payload.logsBloom,
    difficulty: 0n,
    number: payload.blockNumber,
    gasLimit: payload.gasLimit,
    gasUsed: payload.gasUsed,
    timestamp: payload.timestamp,
    extraData: payload.extraData,
    mixHash: payload.prevRandao,
    nonce: new Uint8Array(8),
    baseFeePerGas: payload.baseFeePerGas,
  };
  if (payload.withdrawals !== undefined) header.withdrawalsRoot = await withdrawalsRoot(payload.withdrawals);
  if (payload.blobGasUsed !== undefined) header.blobGasUsed = payload.blobGasUsed;
  if (payload.excessBlobGas !== undefined) header.excessBlobGas = payload.excessBlobGas;
  if (sidecar.parentBeaconBlockRoot !== undefined) header.parentBeaconBlockRoot = sidecar.parentBeaconBlockRoot;
  if (sidecar.executionRequests !== undefined) header.requestsHash = requestsHash(sidecar.executionRequests);

  let hash: Hash32;
  try {
    hash = headerHash(header);
  } catch (err) {
    // The header codec refuses an impossible field combination (say, blob fields without a beacon root).
    throw new InvalidPayloadError('block-hash', `the payload does not make a valid header: ${(err as Error).message}`);
  }
  if (!equalBytes(hash, payload.blockHash)) {
    throw new InvalidPayloadError('block-hash', `blockhash mismatch, want 0x${bytesToHex(payload.blockHash)}, got 0x${bytesToHex(hash)}`);
  }
  const block: Block = { header, transactions, uncles: [] };
  if (payload.withdrawals !== undefined) block.withdrawals = payload.withdrawals;
  return block;
}

// ---------------------------------------------------------------------------
// Block -> payload (engine_getPayload, tests)

/** The payload of a post-merge block; `hash` is its header hash. */
export function blockToPayload(block: Block, hash: Hash32 = headerHash(block.header)): ExecutionPayload {
  const h = block.header;
  if (h.baseFeePerGas === undefined) throw new RangeError('a payload needs a London header (baseFeePerGas)');
  const payload: ExecutionPayload = {
    parentHash: h.parentHash,
    feeRecipient: h.coinbase,
    stateRoot: h.stateRoot,
    receiptsRoot: h.receiptsRoot,
    logsBloom: h.logsBloom,
    prevRandao: h.mixHash,
    blockNumber: h.number,
    gasLimit: h.gasLimit,
    gasUsed: h.gasUsed,
    timestamp: h.timestamp,
    extraData: h.extraData,
    baseFeePerGas: h.baseFeePerGas,
    blockHash: hash,
    transactions: block.transactions.map(encodeCanonicalTransaction),
  };
  if (block.withdrawals !== undefined) payload.withdrawals = block.withdrawals;
  if (h.blobGasUsed !== undefined) payload.blobGasUsed = h.blobGasUsed;
  if (h.excessBlobGas !== undefined) payload.excessBlobGas = h.excessBlobGas;
  return payload;
}

const data = (bytes: Uint8Array): string => `0x${bytesToHex(bytes)}`;
const quantity = (n: bigint): string => `0x${n.toString(16)}`;

export function withdrawalToJson(w: Withdrawal): JsonValue {
  return { index: quantity(w.index), validatorIndex: quantity(w.validatorIndex), address: data(w.address), amount: quantity(w.amount) };
}

/** The JSON form, with exactly the fields the payload has (V1, V2 or V3 shape). */
export function payloadToJson(p: ExecutionPayload): { [key: string]: JsonValue } {
  const json: { [key: string]: JsonValue } = {
    parentHash: data(p.parentHash),
    feeRecipient: data(p.feeRecipient),
    stateRoot: data(p.stateRoot),
    receiptsRoot: data(p.receiptsRoot),
    logsBloom: data(p.logsBloom),
    prevRandao: data(p.prevRandao),
    blockNumber: quantity(p.blockNumber),
    gasLimit: quantity(p.gasLimit),
    gasUsed: quantity(p.gasUsed),
    timestamp: quantity(p.timestamp),
    extraData: data(p.extraData),
    baseFeePerGas: quantity(p.baseFeePerGas),
    blockHash: data(p.blockHash),
    transactions: p.transactions.map(data),
  };
  if (p.withdrawals !== undefined) json['withdrawals'] = p.withdrawals.map(withdrawalToJson);
  if (p.blobGasUsed !== undefined) json['blobGasUsed'] = quantity(p.blobGasUsed);
  if (p.excessBlobGas !== undefined) json['excessBlobGas'] = quantity(p.excessBlobGas);
  return json;
}

/** executionRequests as getPayloadV4 lists them: only non-empty ones, in type order (EIP-7685). */
export function executionRequestsToJson(requests: readonly Uint8Array[]): JsonValue[] {
  return requests.filter((r) => r.length > 1).map(data);
}
