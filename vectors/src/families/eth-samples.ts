/**
 * The chain data the eth vectors carry, all derived from the seed: signed
 * transactions of every type, headers of every fork shape (15, 16, 17, 20 and
 * 21 fields), bodies with and without withdrawals, and receipts (pre-Byzantium
 * state root, status 0/1, typed, with logs). Values are plausible rather than
 * a valid chain: the eth codecs check encodings, not execution.
 */
import { concatBytes } from '../../../reference-node/wire/bytes.js';
import { EMPTY_OMMERS_HASH, headerHash, type BlockBody, type BlockHeader, type Withdrawal } from '../../../reference-node/wire/block.js';
import { logsBloom } from '../../../reference-node/wire/eth/receipts.js';
import type { Log, Receipt, ReceiptWithBloom } from '../../../reference-node/wire/eth/types.js';
import {
  encodeCanonicalTransaction,
  signAuthorization,
  signTransaction,
  transactionHash,
  type Transaction,
  type UnsignedTransaction,
} from '../../../reference-node/wire/tx/index.js';
import { seededBytes, seededKey } from '../keys.js';

const GWEI = 1_000_000_000n;

export interface EthSamples {
  /** Legacy, 2930, 1559 and 7702 (no blob: a blob tx travels with its sidecar outside blocks). */
  poolTxs: Transaction[];
  /** Every type, the blob tx in its canonical (block) form. */
  blockTxs: Transaction[];
  headers: {
    frontier: BlockHeader;
    london: BlockHeader;
    shanghai: BlockHeader;
    cancun: BlockHeader;
    prague: BlockHeader;
    /** The Prague header's child, for a two-header response. */
    pragueChild: BlockHeader;
  };
  bodies: { preShanghai: BlockBody; prague: BlockBody; empty: BlockBody };
  /** One block's receipts (for blockTxs) and a pre-Byzantium block's. */
  receipts: { prague: Receipt[]; frontier: Receipt[] };
  hash(label: string): Uint8Array;
}

export function withBloom(r: Receipt): ReceiptWithBloom {
  return { ...r, bloom: logsBloom(r.logs) };
}

export function txHashes(txs: Transaction[]): Uint8Array[] {
  return txs.map(transactionHash);
}

export function txSizes(txs: Transaction[]): number[] {
  return txs.map((tx) => encodeCanonicalTransaction(tx).length);
}

export function buildEthSamples(seed: string): EthSamples {
  const bytes = (label: string) => seededBytes(seed, `eth/${label}`);
  const address = (label: string) => bytes(`address/${label}`).slice(12);
  const key = (label: string) => seededKey(seed, `eth/key/${label}`);
  const to = address('to');
  const accessList = [{ address: address('al'), storageKeys: [bytes('slot/0')] }];
  const versionedHash = concatBytes(Uint8Array.of(1), bytes('blob').subarray(1));

  const unsigned: [string, UnsignedTransaction][] = [
    ['legacy', { type: 0, nonce: 0n, gasPrice: 20n * GWEI, gasLimit: 21000n, to, value: 10n ** 18n, data: new Uint8Array(0), chainId: 1n }],
    ['access-list', { type: 1, chainId: 1n, nonce: 1n, gasPrice: 20n * GWEI, gasLimit: 30000n, to, value: 0n, data: Uint8Array.of(0xca, 0xfe), accessList }],
    ['dynamic-fee', { type: 2, chainId: 1n, nonce: 2n, maxPriorityFeePerGas: GWEI, maxFeePerGas: 30n * GWEI, gasLimit: 50000n, to, value: 7n, data: new Uint8Array(0), accessList: [] }],
    ['set-code', { type: 4, chainId: 1n, nonce: 3n, maxPriorityFeePerGas: GWEI, maxFeePerGas: 30n * GWEI, gasLimit: 80000n, to, value: 0n, data: new Uint8Array(0), accessList: [], authorizationList: [signAuthorization({ chainId: 1n, address: address('delegate'), nonce: 4n }, key('authority'))] }],
    ['blob', { type: 3, chainId: 1n, nonce: 5n, maxPriorityFeePerGas: GWEI, maxFeePerGas: 30n * GWEI, gasLimit: 21000n, to, value: 0n, data: new Uint8Array(0), accessList: [], maxFeePerBlobGas: GWEI, blobVersionedHashes: [versionedHash] }],
  ];
  const signed = unsigned.map(([label, u]) => signTransaction(u, key(`sender/${label}`)));
  const poolTxs = signed.filter((tx) => tx.type !== 3);

  // Numbers and times of real mainnet fork blocks, so that a reader which picks the fork from them (ethereumjs) expects these shapes.
  const base = (n: bigint, time: bigint, label: string): BlockHeader => ({
    parentHash: bytes(`header/${label}/parent`),
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: address(`coinbase/${label}`),
    stateRoot: bytes(`header/${label}/state`),
    transactionsRoot: bytes(`header/${label}/txs`),
    receiptsRoot: bytes(`header/${label}/receipts`),
    logsBloom: new Uint8Array(256),
    difficulty: 0n,
    number: n,
    gasLimit: 30_000_000n,
    gasUsed: 21000n,
    timestamp: time,
    extraData: new Uint8Array(0),
    mixHash: bytes(`header/${label}/mix`),
    nonce: new Uint8Array(8),
  });
  const frontier: BlockHeader = {
    ...base(46147n, 1_438_918_233n, 'frontier'),
    difficulty: 1_011_120_000_000n,
    gasLimit: 3_141_592n,
    extraData: Uint8Array.from(Buffer.from('devp2p-check', 'utf8')),
    nonce: bytes('header/frontier/nonce').slice(0, 8),
  };
  const london = { ...base(12_965_000n, 1_628_166_822n, 'london'), difficulty: 7_742_494_561_645_080n, baseFeePerGas: GWEI, nonce: bytes('header/london/nonce').slice(0, 8) };
  const shanghai = { ...base(17_034_870n, 1_681_338_455n, 'shanghai'), baseFeePerGas: 30n * GWEI, withdrawalsRoot: bytes('header/shanghai/withdrawals') };
  const cancun = { ...base(19_426_587n, 1_710_338_135n, 'cancun'), baseFeePerGas: 15n * GWEI, withdrawalsRoot: bytes('header/cancun/withdrawals'), blobGasUsed: 131072n, excessBlobGas: 0n, parentBeaconBlockRoot: bytes('header/cancun/beacon') };
  const prague: BlockHeader = { ...base(22_431_084n, 1_746_612_311n, 'prague'), baseFeePerGas: 3n * GWEI, withdrawalsRoot: bytes('header/prague/withdrawals'), blobGasUsed: 262144n, excessBlobGas: 393216n, parentBeaconBlockRoot: bytes('header/prague/beacon'), requestsHash: bytes('header/prague/requests') };
  const pragueChild: BlockHeader = { ...prague, parentHash: headerHash(prague), number: prague.number + 1n, timestamp: prague.timestamp + 12n, stateRoot: bytes('header/prague-child/state') };

  const withdrawals: Withdrawal[] = [
    { index: 0n, validatorIndex: 1n, address: address('withdrawal/0'), amount: 32n * GWEI },
    { index: 1n, validatorIndex: 2n ** 40n, address: address('withdrawal/1'), amount: 1n },
  ];
  const log = (label: string, topics: number, data: Uint8Array): Log => ({
    address: address(`log/${label}`),
    topics: Array.from({ length: topics }, (_, i) => bytes(`log/${label}/topic/${i}`)),
    data,
  });
  let gas = 0n;
  const receipt = (txType: Receipt['txType'], status: 0 | 1, used: bigint, logs: Log[]): Receipt => {
    gas += used;
    return { txType, postStateOrStatus: status ? Uint8Array.of(1) : new Uint8Array(0), cumulativeGasUsed: gas, logs };
  };
  const praguesReceipts = [
    receipt(0, 1, 21000n, []),
    receipt(1, 1, 26000n, [log('a', 2, Uint8Array.of(1, 2, 3))]),
    receipt(2, 0, 50000n, []),
    receipt(4, 1, 60000n, [log('b', 0, new Uint8Array(0)), log('c', 4, bytes('log/c/data'))]),
    receipt(3, 1, 21000n, []),
  ];
  const frontierReceipts: Receipt[] = [
    { txType: 0, postStateOrStatus: bytes('receipt/frontier/root'), cumulativeGasUsed: 21000n, logs: [log('d', 1, new Uint8Array(0))] },
  ];

  return {
    poolTxs,
    blockTxs: signed,
    headers: { frontier, london, shanghai, cancun, prague, pragueChild },
    bodies: {
      preShanghai: { transactions: signed.filter((tx) => tx.type <= 2), uncles: [frontier] },
      prague: { transactions: signed, uncles: [], withdrawals },
      empty: { transactions: [], uncles: [], withdrawals: [] },
    },
    receipts: { prague: praguesReceipts, frontier: frontierReceipts },
    hash: (label) => bytes(`hash/${label}`),
  };
}
