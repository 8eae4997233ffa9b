/**
 * fast-check arbitraries for valid headers, blocks and eth messages of every
 * code at every version. fast-check is a type-only import (see tx/arbitrary.ts).
 */
import type FastCheckDefault from 'fast-check';
import type { Arbitrary } from 'fast-check';
import type { Block, BlockBody, BlockHeader, Withdrawal } from '../block.js';
import {
  addressArb,
  bytesArb,
  dataArb,
  hashArb,
  txArb,
  u256Arb,
  u64Arb,
} from '../tx/arbitrary.js';
import type { TxType } from '../tx/types.js';
import { isDefinedAt } from './codes.js';
import type { EthMessage, EthMessageKind, EthVersion, Log, Receipt, ReceiptWithBloom } from './types.js';

type Fc = typeof FastCheckDefault;
type Arb<T> = Arbitrary<T>;

export function headerArbitrary(fc: Fc): Arb<BlockHeader> {
  const base = fc.record({
    parentHash: hashArb(fc),
    ommersHash: hashArb(fc),
    coinbase: addressArb(fc),
    stateRoot: hashArb(fc),
    transactionsRoot: hashArb(fc),
    receiptsRoot: hashArb(fc),
    logsBloom: bytesArb(fc, 256),
    difficulty: u256Arb(fc),
    number: u64Arb(fc),
    gasLimit: u64Arb(fc),
    gasUsed: u64Arb(fc),
    timestamp: u64Arb(fc),
    extraData: fc.uint8Array({ maxLength: 40 }),
    mixHash: hashArb(fc),
    nonce: bytesArb(fc, 8),
  });
  const extras = fc.record({
    baseFeePerGas: u256Arb(fc),
    withdrawalsRoot: hashArb(fc),
    blobGasUsed: u64Arb(fc),
    excessBlobGas: u64Arb(fc),
    parentBeaconBlockRoot: hashArb(fc),
    requestsHash: hashArb(fc),
    blockAccessListHash: hashArb(fc),
  });
  // Keep the optional fields that the chosen fork has: the first k of the fork order.
  const order = ['baseFeePerGas', 'withdrawalsRoot', 'blobGasUsed', 'excessBlobGas', 'parentBeaconBlockRoot', 'requestsHash', 'blockAccessListHash'] as const;
  return fc.tuple(base, extras, fc.constantFrom(0, 1, 2, 5, 6, 7)).map(([h, x, k]) => {
    const header: BlockHeader = { ...h };
    for (const key of order.slice(0, k)) Object.assign(header, { [key]: x[key] });
    return header;
  });
}

export function withdrawalArbitrary(fc: Fc): Arb<Withdrawal> {
  return fc.record({ index: u64Arb(fc), validatorIndex: u64Arb(fc), address: addressArb(fc), amount: u64Arb(fc) });
}

export function bodyArbitrary(fc: Fc): Arb<BlockBody> {
  const txs = fc.array(txArb(fc), { maxLength: 3 });
  const uncles = fc.array(headerArbitrary(fc), { maxLength: 2 });
  return fc.oneof(
    fc.record({ transactions: txs, uncles }),
    fc.record({ transactions: txs, uncles, withdrawals: fc.array(withdrawalArbitrary(fc), { maxLength: 3 }) }),
  );
}

export function blockArbitrary(fc: Fc): Arb<Block> {
  return fc.tuple(headerArbitrary(fc), bodyArbitrary(fc)).map(([header, body]) => ({ header, ...body }));
}

const txTypeArb = (fc: Fc): Arb<TxType> => fc.constantFrom<TxType>(0, 1, 2, 3, 4);

function logArbitrary(fc: Fc): Arb<Log> {
  return fc.record({ address: addressArb(fc), topics: fc.array(hashArb(fc), { maxLength: 4 }), data: dataArb(fc) });
}

export function receiptArbitrary(fc: Fc): Arb<Receipt> {
  return fc.record({
    txType: txTypeArb(fc),
    postStateOrStatus: fc.oneof(fc.constant(new Uint8Array(0)), fc.constant(Uint8Array.of(1)), hashArb(fc)),
    cumulativeGasUsed: u64Arb(fc),
    logs: fc.array(logArbitrary(fc), { maxLength: 3 }),
  });
}

export function receiptWithBloomArbitrary(fc: Fc): Arb<ReceiptWithBloom> {
  return fc.tuple(receiptArbitrary(fc), bytesArb(fc, 256)).map(([r, bloom]) => ({ ...r, bloom }));
}

const hashesArb = (fc: Fc): Arb<Uint8Array[]> => fc.array(hashArb(fc), { maxLength: 4 });
const lists = <T>(fc: Fc, item: Arb<T>): Arb<T[][]> => fc.array(fc.array(item, { maxLength: 3 }), { maxLength: 3 });

/** One arbitrary per kind defined at `version`, each in the form that version uses. */
export function ethMessageArbitraries(fc: Fc, version: EthVersion): Partial<Record<EthMessageKind, Arb<EthMessage>>> {
  const requestId = u64Arb(fc);
  const forkId = fc.record({ hash: bytesArb(fc, 4), next: u64Arb(fc) });
  const version32 = fc.integer({ min: 0, max: 0xffffffff });
  const txs = fc.array(txArb(fc, { sidecars: true }), { maxLength: 3 });
  const byKind: Record<EthMessageKind, Arb<EthMessage>> = {
    Status:
      version >= 69
        ? fc.record({
            kind: fc.constant('Status' as const),
            form: fc.constant('eth69' as const),
            version: version32,
            networkId: u64Arb(fc),
            genesis: hashArb(fc),
            forkId,
            earliestBlock: u64Arb(fc),
            latestBlock: u64Arb(fc),
            latestBlockHash: hashArb(fc),
          })
        : fc.record({
            kind: fc.constant('Status' as const),
            form: fc.constant('eth66' as const),
            version: version32,
            networkId: u64Arb(fc),
            td: u256Arb(fc),
            head: hashArb(fc),
            genesis: hashArb(fc),
            forkId,
          }),
    NewBlockHashes: fc.record({
      kind: fc.constant('NewBlockHashes' as const),
      announcements: fc.array(fc.record({ hash: hashArb(fc), number: u64Arb(fc) }), { maxLength: 4 }),
    }),
    Transactions: fc.record({ kind: fc.constant('Transactions' as const), transactions: txs }),
    GetBlockHeaders: fc.record({
      kind: fc.constant('GetBlockHeaders' as const),
      requestId,
      origin: fc.oneof(fc.record({ hash: hashArb(fc) }), fc.record({ number: u64Arb(fc) })),
      amount: u64Arb(fc),
      skip: u64Arb(fc),
      reverse: fc.boolean(),
    }),
    BlockHeaders: fc.record({
      kind: fc.constant('BlockHeaders' as const),
      requestId,
      headers: fc.array(headerArbitrary(fc), { maxLength: 3 }),
    }),
    GetBlockBodies: fc.record({ kind: fc.constant('GetBlockBodies' as const), requestId, hashes: hashesArb(fc) }),
    BlockBodies: fc.record({
      kind: fc.constant('BlockBodies' as const),
      requestId,
      bodies: fc.array(bodyArbitrary(fc), { maxLength: 2 }),
    }),
    NewBlock: fc.record({ kind: fc.constant('NewBlock' as const), block: blockArbitrary(fc), td: u256Arb(fc) }),
    NewPooledTransactionHashes:
      version >= 68
        ? fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffffffff }), hashArb(fc)), { maxLength: 5 }).map(
            (items) => ({
              kind: 'NewPooledTransactionHashes' as const,
              form: 'eth68' as const,
              types: Uint8Array.from(items.map(([t]) => t)),
              sizes: items.map(([, s]) => s),
              hashes: items.map(([, , h]) => h),
            }),
          )
        : fc.record({
            kind: fc.constant('NewPooledTransactionHashes' as const),
            form: fc.constant('eth66' as const),
            hashes: hashesArb(fc),
          }),
    GetPooledTransactions: fc.record({ kind: fc.constant('GetPooledTransactions' as const), requestId, hashes: hashesArb(fc) }),
    PooledTransactions: fc.record({ kind: fc.constant('PooledTransactions' as const), requestId, transactions: txs }),
    GetNodeData: fc.record({ kind: fc.constant('GetNodeData' as const), requestId, hashes: hashesArb(fc) }),
    NodeData: fc.record({
      kind: fc.constant('NodeData' as const),
      requestId,
      values: fc.array(dataArb(fc), { maxLength: 4 }),
    }),
    GetReceipts:
      version >= 70
        ? fc.record({
            kind: fc.constant('GetReceipts' as const),
            form: fc.constant('eth70' as const),
            requestId,
            firstBlockReceiptIndex: u64Arb(fc),
            hashes: hashesArb(fc),
          })
        : fc.record({
            kind: fc.constant('GetReceipts' as const),
            form: fc.constant('eth66' as const),
            requestId,
            hashes: hashesArb(fc),
          }),
    Receipts:
      version >= 70
        ? fc.record({
            kind: fc.constant('Receipts' as const),
            form: fc.constant('eth70' as const),
            requestId,
            lastBlockIncomplete: fc.boolean(),
            receipts: lists(fc, receiptArbitrary(fc)),
          })
        : version === 69
          ? fc.record({
              kind: fc.constant('Receipts' as const),
              form: fc.constant('eth69' as const),
              requestId,
              receipts: lists(fc, receiptArbitrary(fc)),
            })
          : fc.record({
              kind: fc.constant('Receipts' as const),
              form: fc.constant('eth66' as const),
              requestId,
              receipts: lists(fc, receiptWithBloomArbitrary(fc)),
            }),
    BlockRangeUpdate: fc.record({
      kind: fc.constant('BlockRangeUpdate' as const),
      earliestBlock: u64Arb(fc),
      latestBlock: u64Arb(fc),
      latestBlockHash: hashArb(fc),
    }),
  };
  const out: Partial<Record<EthMessageKind, Arb<EthMessage>>> = {};
  for (const kind of Object.keys(byKind) as EthMessageKind[]) if (isDefinedAt(kind, version)) out[kind] = byKind[kind];
  return out;
}

/** Any message defined at `version`. */
export function ethMessageArbitrary(fc: Fc, version: EthVersion): Arb<EthMessage> {
  return fc.oneof(...Object.values(ethMessageArbitraries(fc, version)));
}
