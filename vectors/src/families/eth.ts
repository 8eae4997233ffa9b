/**
 * eth protocol messages for every version 66..70 (caps/eth.md, EIP-2481,
 * EIP-4938, EIP-5793, EIP-7642, EIP-7975): each message a version defines, as
 * the message-data payload (after snappy, without the message-id byte) and the
 * code relative to the eth offset. Where a message changed shape the vectors of
 * each version carry that version's shape: Status with TD (66-68) or the block
 * range (69+), NewPooledTransactionHashes as hashes (66-67) or types/sizes/hashes
 * (68+), Receipts with bloom (66-68), flat (69) or partial (70), GetReceipts with
 * firstBlockReceiptIndex (70), BlockRangeUpdate (69+), node data (66 only).
 * Invalid cases: a shape from another version, codes a version does not
 * define, and malformed fields, each with the DecodeError a strict reader gives.
 */
import { concatBytes, equalBytes } from '../../../reference-node/wire/bytes.js';
import { headerHash, headerToRlp } from '../../../reference-node/wire/block.js';
import {
  assertEthVersion,
  decodeEthMessage,
  encodeEthMessage,
  ETH_MESSAGE_CODES,
  ETH_VERSIONS,
  isDefinedAt,
  type EthMessage,
  type EthMessageKind,
  type EthVersion,
  type Receipt,
  type Status,
} from '../../../reference-node/wire/eth/index.js';
import { receiptEth66ToRlp, receiptEth69ToRlp } from '../../../reference-node/wire/eth/receipts.js';
import { computeForkId, gatherForks, type ForkId } from '../../../reference-node/wire/forkid.js';
import { decodeRlp, encodeRlp, type RlpInput, type RlpItem } from '../../../reference-node/wire/rlp.js';
import { transactionToRlp, type Transaction } from '../../../reference-node/wire/tx/index.js';
import { HEX, obj, type Family } from '../family.js';
import { hexField, invalidVector, numberField, sameJson, toJson, toJsonObject, type Vector } from '../format.js';
import { hex, unhex } from '../keys.js';
import { buildEthSamples, txHashes, txSizes, withBloom, type EthSamples } from './eth-samples.js';
import { MAINNET_CONFIG, MAINNET_GENESIS, MAINNET_MERGE_BLOCK } from './forkid.js';

/** Mainnet's total difficulty at the merge (and ever since). */
export const MAINNET_TERMINAL_TD = 58750003716598352816469n;
const UINT64_MAX = (1n << 64n) - 1n;
/** The EIP-2481 examples use request id 1111; so do ours, with one at the uint64 maximum. */
const REQUEST_ID = 1111n;

/** The mainnet fork id at a head, from the same config the forkid family uses. */
export function mainnetForkId(head: { number: bigint; time: bigint }): ForkId {
  return computeForkId(unhex(MAINNET_GENESIS), gatherForks(MAINNET_CONFIG, 0n), head);
}

/** Heads on mainnet: after Cancun (Prague next) and after Prague. */
export const MAINNET_CANCUN_HEAD = { number: 20_000_000n, time: 1_720_000_000n };
export const MAINNET_PRAGUE_HEAD = { number: 22_431_084n, time: 1_746_612_311n };

function kebab(kind: string): string {
  return kind.replace(/[A-Z]/g, (c, i: number) => (i ? '-' : '') + c.toLowerCase());
}

interface Sample {
  /** Name after `eth<version>.`; the message kind in kebab case, optionally with a variant. */
  name: string;
  description: string;
  message: EthMessage;
}

function statuses(v: EthVersion, s: EthSamples): Sample[] {
  const genesis = unhex(MAINNET_GENESIS);
  if (v <= 68) {
    const base: Status = { kind: 'Status', form: 'eth66', version: v, networkId: 1n, td: MAINNET_TERMINAL_TD, head: headerHash(s.headers.cancun), genesis, forkId: mainnetForkId(MAINNET_CANCUN_HEAD) };
    return [
      { name: 'status', description: `Status eth/${v} (EIP-2364 form with TD): mainnet after Cancun, fork id 9f3d2254/Prague`, message: base },
      { name: 'status-max-values', description: 'Status with network id 2^64-1, TD 2^256-1 and fork next 2^64-1', message: { ...base, networkId: UINT64_MAX, td: (1n << 256n) - 1n, forkId: { hash: Uint8Array.of(0xff, 0xff, 0xff, 0xff), next: UINT64_MAX } } },
    ];
  }
  const prague = s.headers.prague;
  const base: Status = { kind: 'Status', form: 'eth69', version: v, networkId: 1n, genesis, forkId: mainnetForkId(MAINNET_PRAGUE_HEAD), earliestBlock: 0n, latestBlock: prague.number, latestBlockHash: headerHash(prague) };
  return [
    { name: 'status', description: `Status eth/${v} (EIP-7642 form: no TD, block range): mainnet after Prague, full history`, message: base },
    { name: 'status-history-expired', description: 'Status of a node that dropped pre-merge history (earliest = the merge block)', message: { ...base, earliestBlock: MAINNET_MERGE_BLOCK } },
    { name: 'status-max-values', description: 'Status with network id, earliest and latest 2^64-1', message: { ...base, networkId: UINT64_MAX, earliestBlock: UINT64_MAX, latestBlock: UINT64_MAX } },
  ];
}

function receiptSamples(v: EthVersion, s: EthSamples): Sample[] {
  const lists = [s.receipts.prague, s.receipts.frontier];
  const getHashes = [headerHash(s.headers.prague), headerHash(s.headers.frontier)];
  if (v <= 68) {
    return [
      { name: 'get-receipts', description: 'GetReceipts for two blocks', message: { kind: 'GetReceipts', form: 'eth66', requestId: REQUEST_ID, hashes: getHashes } },
      { name: 'receipts', description: 'Receipts eth/66-68: legacy receipts as lists, typed ones as type || rlp(receipt) byte strings, with the bloom; a pre-Byzantium state root', message: { kind: 'Receipts', form: 'eth66', requestId: REQUEST_ID, receipts: lists.map((l) => l.map(withBloom)) } },
      { name: 'receipts-empty', description: 'Receipts with an empty list for a block without transactions', message: { kind: 'Receipts', form: 'eth66', requestId: REQUEST_ID, receipts: [[]] } },
    ];
  }
  if (v === 69) {
    return [
      { name: 'get-receipts', description: 'GetReceipts for two blocks (unchanged until eth/70)', message: { kind: 'GetReceipts', form: 'eth66', requestId: REQUEST_ID, hashes: getHashes } },
      { name: 'receipts', description: 'Receipts eth/69 (EIP-7642): every receipt [tx-type, status, cumulative-gas, logs], no bloom, no typed envelope', message: { kind: 'Receipts', form: 'eth69', requestId: REQUEST_ID, receipts: lists } },
      { name: 'receipts-empty', description: 'Receipts with an empty list for a block without transactions', message: { kind: 'Receipts', form: 'eth69', requestId: REQUEST_ID, receipts: [[]] } },
    ];
  }
  return [
    { name: 'get-receipts', description: 'GetReceipts eth/70 (EIP-7975) from the start of the first block', message: { kind: 'GetReceipts', form: 'eth70', requestId: REQUEST_ID, firstBlockReceiptIndex: 0n, hashes: getHashes } },
    { name: 'get-receipts-continue', description: 'GetReceipts eth/70 continuing a partial list at receipt index 3', message: { kind: 'GetReceipts', form: 'eth70', requestId: REQUEST_ID + 1n, firstBlockReceiptIndex: 3n, hashes: getHashes.slice(0, 1) } },
    { name: 'receipts', description: 'Receipts eth/70: lastBlockIncomplete = 0 and the eth/69 receipt encoding', message: { kind: 'Receipts', form: 'eth70', requestId: REQUEST_ID, lastBlockIncomplete: false, receipts: lists } },
    { name: 'receipts-last-block-incomplete', description: 'Receipts eth/70 cut inside the last block: lastBlockIncomplete = 1', message: { kind: 'Receipts', form: 'eth70', requestId: REQUEST_ID, lastBlockIncomplete: true, receipts: [s.receipts.prague.slice(0, 3)] } },
    { name: 'receipts-continued', description: 'Receipts eth/70 answering get-receipts-continue: the rest of the list from index 3', message: { kind: 'Receipts', form: 'eth70', requestId: REQUEST_ID + 1n, lastBlockIncomplete: false, receipts: [s.receipts.prague.slice(3)] } },
  ];
}

function samples(v: EthVersion, s: EthSamples): Sample[] {
  const { headers, bodies, poolTxs } = s;
  const out: Sample[] = [
    ...statuses(v, s),
    { name: 'new-block-hashes', description: 'NewBlockHashes with two announcements (pre-merge propagation)', message: { kind: 'NewBlockHashes', announcements: [{ hash: headerHash(headers.london), number: headers.london.number }, { hash: s.hash('announced'), number: headers.london.number + 1n }] } },
    { name: 'transactions', description: 'Transactions: legacy (a list), 2930, 1559 and 7702 (byte strings type || rlp)', message: { kind: 'Transactions', transactions: poolTxs } },
    { name: 'get-block-headers-by-number', description: 'GetBlockHeaders from a number, 192 headers forward', message: { kind: 'GetBlockHeaders', requestId: REQUEST_ID, origin: { number: headers.prague.number }, amount: 192n, skip: 0n, reverse: false } },
    { name: 'get-block-headers-by-hash', description: 'GetBlockHeaders from a hash, 5 headers backward, skipping 2 between', message: { kind: 'GetBlockHeaders', requestId: UINT64_MAX, origin: { hash: headerHash(headers.prague) }, amount: 5n, skip: 2n, reverse: true } },
    { name: 'get-block-headers-genesis', description: 'GetBlockHeaders from block 0 (origin encodes as 0x80), one header', message: { kind: 'GetBlockHeaders', requestId: 0n, origin: { number: 0n }, amount: 1n, skip: 0n, reverse: false } },
    { name: 'block-headers', description: 'BlockHeaders: two consecutive Prague headers (21 fields)', message: { kind: 'BlockHeaders', requestId: REQUEST_ID, headers: [headers.prague, headers.pragueChild] } },
    { name: 'block-headers-every-fork', description: 'BlockHeaders with each header shape: 15 (Frontier), 16 (London), 17 (Shanghai), 20 (Cancun), 21 (Prague) fields', message: { kind: 'BlockHeaders', requestId: REQUEST_ID, headers: [headers.frontier, headers.london, headers.shanghai, headers.cancun, headers.prague] } },
    { name: 'block-headers-empty', description: 'BlockHeaders with no headers (none known)', message: { kind: 'BlockHeaders', requestId: REQUEST_ID, headers: [] } },
    { name: 'get-block-bodies', description: 'GetBlockBodies for two hashes', message: { kind: 'GetBlockBodies', requestId: REQUEST_ID, hashes: [headerHash(headers.prague), headerHash(headers.london)] } },
    { name: 'block-bodies', description: 'BlockBodies: a Prague body (every tx type, the blob tx without sidecar, withdrawals), a pre-Shanghai body with an uncle, an empty post-Shanghai body', message: { kind: 'BlockBodies', requestId: REQUEST_ID, bodies: [bodies.prague, bodies.preShanghai, bodies.empty] } },
    { name: 'new-block', description: 'NewBlock: a London block with an uncle and its total difficulty', message: { kind: 'NewBlock', block: { header: headers.london, ...bodies.preShanghai }, td: MAINNET_TERMINAL_TD - 10n ** 21n } },
    v >= 68
      ? { name: 'new-pooled-transaction-hashes', description: 'NewPooledTransactionHashes eth/68 (EIP-5793): types as one byte string, consensus sizes, hashes', message: { kind: 'NewPooledTransactionHashes', form: 'eth68', types: Uint8Array.from(poolTxs.map((tx) => tx.type)), sizes: txSizes(poolTxs), hashes: txHashes(poolTxs) } }
      : { name: 'new-pooled-transaction-hashes', description: 'NewPooledTransactionHashes eth/66-67: a list of hashes', message: { kind: 'NewPooledTransactionHashes', form: 'eth66', hashes: txHashes(poolTxs) } },
    { name: 'get-pooled-transactions', description: 'GetPooledTransactions for the announced hashes', message: { kind: 'GetPooledTransactions', requestId: REQUEST_ID, hashes: txHashes(poolTxs) } },
    { name: 'pooled-transactions', description: 'PooledTransactions answering it (no blob tx: those need their sidecar)', message: { kind: 'PooledTransactions', requestId: REQUEST_ID, transactions: poolTxs } },
    { name: 'pooled-transactions-empty', description: 'PooledTransactions with none of the requested txs', message: { kind: 'PooledTransactions', requestId: REQUEST_ID, transactions: [] } },
    ...receiptSamples(v, s),
  ];
  if (v === 66) {
    out.push(
      { name: 'get-node-data', description: 'GetNodeData (eth/66 only; removed by EIP-4938)', message: { kind: 'GetNodeData', requestId: REQUEST_ID, hashes: [s.hash('node/0'), s.hash('node/1')] } },
      { name: 'node-data', description: 'NodeData (eth/66 only)', message: { kind: 'NodeData', requestId: REQUEST_ID, values: [Uint8Array.of(0xde, 0xad), encodeRlp([s.hash('node/value')])] } },
    );
  }
  if (v >= 69) {
    out.push({ name: 'block-range-update', description: 'BlockRangeUpdate (eth/69+, EIP-7642)', message: { kind: 'BlockRangeUpdate', earliestBlock: MAINNET_MERGE_BLOCK, latestBlock: headers.pragueChild.number, latestBlockHash: headerHash(headers.pragueChild) } });
  }
  return out;
}

interface BadCase {
  name: string;
  description: string;
  code: number;
  payload: Uint8Array;
  /** The DecodeError code this case is built to provoke. */
  expect: string;
}

function badCases(v: EthVersion, s: EthSamples): BadCase[] {
  const C = ETH_MESSAGE_CODES;
  const other = (form: EthVersion, msg: EthMessage) => encodeEthMessage(form, msg).payload;
  const hashA = s.hash('bad/a');
  const hashB = s.hash('bad/b');
  const statusPayload = (at: EthVersion) => other(at, statuses(at, s)[0]!.message);
  const forkHash5: RlpInput = [Uint8Array.of(1, 2, 3, 4, 5), 0n];
  const out: BadCase[] = [
    { name: 'unknown-code-0x0b', description: 'code 0x0b is not defined in any eth version', code: 0x0b, payload: encodeRlp([]), expect: 'unknown-type' },
    { name: 'unknown-code-0x20', description: 'a code past the eth range (the next capability’s offset)', code: 0x20, payload: encodeRlp([]), expect: 'unknown-type' },
    v <= 68
      ? { name: 'status-eth69-form', description: 'an eth/69 Status (7 fields) on an eth/66-68 session', code: C.Status, payload: statusPayload(69), expect: 'shape' }
      : { name: 'status-eth68-form', description: 'an eth/68 Status with TD (6 fields) on an eth/69+ session', code: C.Status, payload: statusPayload(68), expect: 'shape' },
    v <= 68
      ? { name: 'status-fork-hash-5-bytes', description: 'fork hash is 4 bytes (EIP-2124)', code: C.Status, payload: encodeRlp([v, 1n, 1n, hashA, hashB, forkHash5]), expect: 'length' }
      : { name: 'status-fork-hash-5-bytes', description: 'fork hash is 4 bytes (EIP-2124)', code: C.Status, payload: encodeRlp([v, 1n, hashB, forkHash5, 0n, 1n, hashA]), expect: 'length' },
    { name: 'get-block-headers-origin-31-bytes', description: 'the origin is a 32-byte hash or a uint64 number', code: C.GetBlockHeaders, payload: encodeRlp([REQUEST_ID, [hashA.subarray(1), 1n, 0n, 0n]]), expect: 'length' },
    { name: 'get-block-headers-reverse-2', description: 'reverse is a boolean: 0 or 1', code: C.GetBlockHeaders, payload: encodeRlp([REQUEST_ID, [1n, 1n, 0n, 2n]]), expect: 'value' },
    { name: 'get-block-headers-query-flat', description: 'the query is a list after the request id, not inline (EIP-2481)', code: C.GetBlockHeaders, payload: encodeRlp([REQUEST_ID, 1n, 1n, 0n, 0n]), expect: 'shape' },
    { name: 'get-block-bodies-request-id-9-bytes', description: 'request-id is a uint64', code: C.GetBlockBodies, payload: encodeRlp([1n << 64n, [hashA]]), expect: 'value' },
    { name: 'get-block-bodies-request-id-leading-zero', description: 'request-id 0x0001 is not a canonical integer', code: C.GetBlockBodies, payload: encodeRlp([Uint8Array.of(0, 1), [hashA]]), expect: 'rlp' },
    { name: 'get-block-bodies-hash-31-bytes', description: 'block hashes are 32 bytes', code: C.GetBlockBodies, payload: encodeRlp([REQUEST_ID, [hashA.subarray(1)]]), expect: 'length' },
    { name: 'get-block-bodies-no-request-id', description: 'the eth/65 form without request-id (a bare list of hashes)', code: C.GetBlockBodies, payload: encodeRlp([hashA, hashB]), expect: 'value' },
    { name: 'block-headers-18-fields', description: 'a header with 18 fields (Cancun’s three fields come together)', code: C.BlockHeaders, payload: encodeRlp([REQUEST_ID, [(headerToRlp(s.headers.cancun) as RlpInput[]).slice(0, 18)]]), expect: 'shape' },
    { name: 'transactions-unknown-type', description: 'a type 0x05 transaction: unknown types mean disconnect (eth.md)', code: C.Transactions, payload: encodeRlp([concatBytes(Uint8Array.of(5), encodeRlp([1n, 2n]))]), expect: 'unknown-type' },
    { name: 'transactions-typed-as-list', description: 'a typed tx inside a list is a byte string, not a list', code: C.Transactions, payload: encodeRlp([typedFieldsAsList(s.poolTxs[2]!)]), expect: 'shape' },
    { name: 'trailing-bytes', description: 'bytes after the message’s RLP item', code: C.GetBlockBodies, payload: concatBytes(encodeRlp([REQUEST_ID, [hashA]]), Uint8Array.of(0)), expect: 'rlp' },
  ];
  if (v <= 67) {
    out.push({ name: 'new-pooled-transaction-hashes-eth68-form', description: 'the eth/68 announcement [types, sizes, hashes] on an eth/66-67 session', code: C.NewPooledTransactionHashes, payload: encodeRlp([Uint8Array.of(2), [100n], [hashA]]), expect: 'length' });
  } else {
    out.push(
      { name: 'new-pooled-transaction-hashes-eth66-form', description: 'a bare list of two hashes on an eth/68+ session', code: C.NewPooledTransactionHashes, payload: encodeRlp([hashA, hashB]), expect: 'shape' },
      { name: 'new-pooled-transaction-hashes-length-mismatch', description: 'types, sizes and hashes must have equal lengths (EIP-5793)', code: C.NewPooledTransactionHashes, payload: encodeRlp([Uint8Array.of(2, 2), [100n, 100n], [hashA]]), expect: 'shape' },
      { name: 'new-pooled-transaction-hashes-types-as-list', description: 'types is one byte string, not a list of integers', code: C.NewPooledTransactionHashes, payload: encodeRlp([[2n], [100n], [hashA]]), expect: 'shape' },
      { name: 'new-pooled-transaction-hashes-size-over-uint32', description: 'a size above 2^32-1', code: C.NewPooledTransactionHashes, payload: encodeRlp([Uint8Array.of(2), [1n << 32n], [hashA]]), expect: 'value' },
    );
  }
  const receipts = [s.receipts.prague.slice(0, 2)];
  const eth66Receipts = encodeRlp([REQUEST_ID, receipts.map((l) => l.map((r) => receiptEth66ToRlp(withBloom(r))))]);
  const eth69Receipts = encodeRlp([REQUEST_ID, receipts.map((l) => l.map((r) => receiptEth69ToRlp(r)))]);
  const withType = (r: Receipt, type: number): RlpInput => {
    const f = receiptEth69ToRlp(r) as RlpInput[];
    return [type, ...f.slice(1)];
  };
  if (v <= 68) {
    out.push(
      { name: 'receipts-eth69-form', description: 'eth/69 receipts [tx-type, status, gas, logs] on an eth/66-68 session (the third field is no bloom)', code: C.Receipts, payload: eth69Receipts, expect: 'length' },
      { name: 'receipts-legacy-in-envelope', description: 'a legacy receipt is a list; a 0x00 typed envelope is not allowed', code: C.Receipts, payload: encodeRlp([REQUEST_ID, [[concatBytes(Uint8Array.of(0), encodeRlp(receiptEth66ToRlp(withBloom(s.receipts.prague[0]!)) as RlpInput))]]]), expect: 'value' },
      { name: 'receipts-bloom-255-bytes', description: 'the bloom is 256 bytes', code: C.Receipts, payload: encodeRlp([REQUEST_ID, [[[Uint8Array.of(1), 21000n, new Uint8Array(255), []]]]]), expect: 'length' },
      { name: 'get-receipts-eth70-form', description: 'the eth/70 request [id, firstBlockReceiptIndex, hashes] on an earlier session', code: C.GetReceipts, payload: encodeRlp([REQUEST_ID, 0n, [hashA]]), expect: 'shape' },
    );
  } else {
    out.push(
      v === 69
        ? { name: 'receipts-eth68-form', description: 'eth/66-68 receipts on an eth/69 session: the legacy receipt [status, gas, bloom, logs] read as [type, status, gas, logs] has a 2-byte status', code: C.Receipts, payload: eth66Receipts, expect: 'value' }
        : { name: 'receipts-eth68-form', description: 'eth/66-68 receipts (no lastBlockIncomplete) on an eth/70 session', code: C.Receipts, payload: eth66Receipts, expect: 'shape' },
      { name: 'receipts-unknown-type', description: 'receipt tx-type 5 is not a known transaction type', code: C.Receipts, payload: v === 69 ? encodeRlp([REQUEST_ID, [[withType(s.receipts.prague[0]!, 5)]]]) : encodeRlp([REQUEST_ID, 0n, [[withType(s.receipts.prague[0]!, 5)]]]), expect: 'unknown-type' },
      { name: 'receipts-status-2', description: 'post-state-or-status is a 32-byte root, empty (0) or 0x01', code: C.Receipts, payload: v === 69 ? encodeRlp([REQUEST_ID, [[[0n, Uint8Array.of(2), 21000n, []]]]]) : encodeRlp([REQUEST_ID, 0n, [[[0n, Uint8Array.of(2), 21000n, []]]]]), expect: 'value' },
    );
  }
  if (v === 70) {
    out.push(
      { name: 'get-receipts-eth66-form', description: 'GetReceipts without firstBlockReceiptIndex on an eth/70 session', code: C.GetReceipts, payload: encodeRlp([REQUEST_ID, [hashA]]), expect: 'shape' },
      { name: 'receipts-eth69-form', description: 'eth/69 Receipts without lastBlockIncomplete on an eth/70 session', code: C.Receipts, payload: eth69Receipts, expect: 'shape' },
      { name: 'receipts-last-block-incomplete-2', description: 'lastBlockIncomplete is 0 or 1', code: C.Receipts, payload: encodeRlp([REQUEST_ID, 2n, []]), expect: 'value' },
    );
  }
  if (v >= 67) {
    out.push({ name: 'get-node-data-removed', description: 'GetNodeData (0x0d) was removed in eth/67 (EIP-4938): an unknown message', code: C.GetNodeData, payload: encodeRlp([REQUEST_ID, [hashA]]), expect: 'unknown-type' });
  } else {
    out.push({ name: 'block-range-update-too-early', description: 'BlockRangeUpdate (0x11) does not exist before eth/69', code: C.BlockRangeUpdate, payload: encodeRlp([0n, 1n, hashA]), expect: 'unknown-type' });
  }
  if (v >= 69) {
    out.push({ name: 'block-range-update-hash-20-bytes', description: 'latestHash is 32 bytes', code: C.BlockRangeUpdate, payload: encodeRlp([0n, 1n, hashA.subarray(0, 20)]), expect: 'length' });
  }
  return out;
}

/** A typed transaction's fields as an RLP list (what a typed tx would look like sent as a legacy one). */
function typedFieldsAsList(tx: Transaction): RlpItem {
  const envelope = transactionToRlp(tx) as Uint8Array;
  return decodeRlp(envelope.subarray(1), 'sample tx');
}

function messageName(v: EthVersion, name: string): string {
  return `eth${v}.${name}`;
}

export const ethFamily: Family = {
  name: 'eth',
  title: 'eth protocol messages, versions 66 to 70',
  schema: {
    input: obj({ version: { enum: [...ETH_VERSIONS] }, message: { type: 'object', required: ['kind'] } }),
    expected: obj({ code: { type: 'integer', minimum: 0 }, payload: HEX }),
    invalidInput: obj({ version: { enum: [...ETH_VERSIONS] }, code: { type: 'integer', minimum: 0 }, payload: HEX }),
  },

  generate(seed) {
    const s = buildEthSamples(seed);
    const vectors: Vector[] = [];
    for (const v of ETH_VERSIONS) {
      const kinds = new Set<EthMessageKind>();
      for (const sample of samples(v, s)) {
        const { code, payload } = encodeEthMessage(v, sample.message);
        kinds.add(sample.message.kind);
        vectors.push({
          name: messageName(v, sample.name),
          description: sample.description,
          input: { version: v, message: toJsonObject(sample.message) },
          expected: { code, payload: hex(payload) },
        });
      }
      // Guard: every message the version defines has at least one vector.
      for (const kind of Object.keys(ETH_MESSAGE_CODES) as EthMessageKind[]) {
        if (isDefinedAt(kind, v) && !kinds.has(kind)) throw new Error(`eth/${v}: no vector for ${kind}`);
      }
      for (const bad of badCases(v, s)) {
        vectors.push(
          invalidVector(messageName(v, bad.name), bad.description, { version: v, code: bad.code, payload: hex(bad.payload) }, bad.expect, () =>
            decodeEthMessage(v, bad.code, bad.payload),
          ),
        );
      }
    }
    return vectors;
  },

  checkValid(vector) {
    const out: string[] = [];
    const version = assertEthVersion(numberField(vector.input, 'version'));
    const code = numberField(vector.expected, 'code');
    const payload = unhex(hexField(vector.expected, 'payload'));
    const decoded = decodeEthMessage(version, code, payload);
    if (!sameJson(toJson(decoded), vector.input.message ?? null)) out.push('decoded message differs from input.message');
    const encoded = encodeEthMessage(version, decoded);
    if (encoded.code !== code) out.push(`encodes with code ${encoded.code}`);
    if (!equalBytes(encoded.payload, payload)) out.push('re-encoding the decoded message gives other bytes');
    return out;
  },

  decodeInvalid(vector) {
    const version = assertEthVersion(numberField(vector.input, 'version'));
    return decodeEthMessage(version, numberField(vector.input, 'code'), unhex(hexField(vector.input, 'payload')));
  },
};

