/**
 * The genesis.json of a fixture, in geth's format (fork points as JSON
 * numbers, quantities as hex strings, as `geth dumpgenesis` writes them).
 *
 * - legacy: a Clique chain with every block fork up to London at block 0 and
 *   one signer, as a private PoA network (and @ethereumjs/client) runs it.
 * - modern: merged from genesis (terminalTotalDifficulty 0, difficulty 0)
 *   with Shanghai, Cancun and Prague at time 0, like geth's --dev genesis;
 *   Prague needs its system contracts in the alloc (system-contracts.ts).
 */
import { bytesToHex } from '../wire/bytes.js';
import type { Address } from '../wire/tx/types.js';
import { SYSTEM_CONTRACTS } from './system-contracts.js';

export type FixtureProfile = 'modern' | 'legacy';

export interface FixtureGenesisOptions {
  chainId: bigint;
  timestamp: bigint;
  gasLimit: bigint;
  /** Funded accounts and the balance each gets. */
  funded: readonly Address[];
  balance: bigint;
  /** Clique only. */
  signer?: Address;
  cliquePeriod?: bigint;
}

const hexQ = (v: bigint) => `0x${v.toString(16)}`;
const hexB = (b: Uint8Array) => `0x${bytesToHex(b)}`;
const ZERO32 = `0x${'00'.repeat(32)}`;
const ZERO20 = `0x${'00'.repeat(20)}`;
/** JSON numbers for fork points and the chain ID, as geth writes them (and as @ethereumjs/common requires). */
const num = (v: bigint): number => {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${v} is too large for a JSON number`);
  return Number(v);
};

const BLOCK_FORKS_AT_ZERO = {
  homesteadBlock: 0,
  eip150Block: 0,
  eip155Block: 0,
  eip158Block: 0,
  byzantiumBlock: 0,
  constantinopleBlock: 0,
  petersburgBlock: 0,
  istanbulBlock: 0,
  berlinBlock: 0,
  londonBlock: 0,
} as const;

/** Mainnet's EIP-7840 values for the forks the modern profile enables. */
const BLOB_SCHEDULE = {
  cancun: { target: 3, max: 6, baseFeeUpdateFraction: 3338477 },
  prague: { target: 6, max: 9, baseFeeUpdateFraction: 5007716 },
} as const;

/** The EIP-6110 deposit contract address geth's --dev config names (no contract is deployed there, so no deposits). */
const DEPOSIT_CONTRACT = '0x00000000219ab540356cbb839cbe05303d7705fa';
/** 1 gwei: EIP-1559's initial base fee, written out rather than left to the client's default. */
const GENESIS_BASE_FEE = 1_000_000_000n;

function fundedAlloc(options: FixtureGenesisOptions): Record<string, Record<string, string>> {
  const alloc: Record<string, Record<string, string>> = {};
  for (const address of [...options.funded].sort(compareBytes)) alloc[hexB(address)] = { balance: hexQ(options.balance) };
  return alloc;
}

export function legacyGenesis(options: FixtureGenesisOptions): Record<string, unknown> {
  if (options.signer === undefined) throw new RangeError('a Clique genesis needs a signer');
  return {
    config: {
      chainId: num(options.chainId),
      ...BLOCK_FORKS_AT_ZERO,
      clique: { period: num(options.cliquePeriod ?? 1n), epoch: 30000 },
    },
    nonce: '0x0',
    timestamp: hexQ(options.timestamp),
    // 32 bytes of vanity, the one signer, 65 zero bytes where a block's seal goes.
    extraData: `0x${'00'.repeat(32)}${bytesToHex(options.signer)}${'00'.repeat(65)}`,
    gasLimit: hexQ(options.gasLimit),
    difficulty: '0x1',
    mixHash: ZERO32,
    coinbase: ZERO20,
    baseFeePerGas: hexQ(GENESIS_BASE_FEE),
    alloc: fundedAlloc(options),
  };
}

export function modernGenesis(options: FixtureGenesisOptions): Record<string, unknown> {
  const alloc = fundedAlloc(options);
  for (const c of SYSTEM_CONTRACTS) alloc[`0x${c.address}`] = { balance: '0x0', nonce: '0x1', code: c.code };
  return {
    config: {
      chainId: num(options.chainId),
      ...BLOCK_FORKS_AT_ZERO,
      mergeNetsplitBlock: 0,
      terminalTotalDifficulty: 0,
      shanghaiTime: 0,
      cancunTime: 0,
      pragueTime: 0,
      depositContractAddress: DEPOSIT_CONTRACT,
      blobSchedule: BLOB_SCHEDULE,
    },
    nonce: '0x0',
    timestamp: hexQ(options.timestamp),
    extraData: '0x',
    gasLimit: hexQ(options.gasLimit),
    difficulty: '0x0',
    mixHash: ZERO32,
    coinbase: ZERO20,
    baseFeePerGas: hexQ(GENESIS_BASE_FEE),
    excessBlobGas: '0x0',
    blobGasUsed: '0x0',
    alloc: sortKeys(alloc),
  };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

function sortKeys<T>(obj: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
