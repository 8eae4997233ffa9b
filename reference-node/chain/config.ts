/**
 * The chain config of a geth-style genesis.json ("config"), typed, and the fork
 * rules at a given block. Block forks activate at a number, time forks (from
 * Shanghai on) at a timestamp, as in geth's params.ChainConfig. The merge is not
 * a fork here: it happens when the parent's total difficulty reaches
 * terminalTotalDifficulty (EIP-3675), which only the chain knows.
 */
import { gatherForks, type ForkSchedule } from '../wire/forkid.js';
import type { Address } from '../wire/tx/types.js';
import { GenesisError } from './errors.js';
import { asObject, readFixedBytes, readOptional, readUint256, readUint64 } from './json-fields.js';

/** Block-number forks in geth's order; the optional ones may be left out of a config. */
export const BLOCK_FORKS = [
  'homestead',
  'daoFork',
  'eip150',
  'eip155',
  'eip158',
  'byzantium',
  'constantinople',
  'petersburg',
  'istanbul',
  'muirGlacier',
  'berlin',
  'london',
  'arrowGlacier',
  'grayGlacier',
  'mergeNetsplit',
] as const;
export type BlockForkName = (typeof BLOCK_FORKS)[number];

/** Timestamp forks in order. */
export const TIME_FORKS = ['shanghai', 'cancun', 'prague', 'osaka', 'bpo1', 'bpo2', 'bpo3', 'bpo4', 'bpo5', 'amsterdam'] as const;
export type TimeForkName = (typeof TIME_FORKS)[number];

/** Forks that geth lets a config skip (difficulty-bomb delays, the DAO, the netsplit marker, blob-parameter-only forks). */
const OPTIONAL_FORKS: ReadonlySet<string> = new Set([
  'daoFork',
  'muirGlacier',
  'arrowGlacier',
  'grayGlacier',
  'mergeNetsplit',
  'bpo1',
  'bpo2',
  'bpo3',
  'bpo4',
  'bpo5',
]);

/** Forks that carry blob parameters, latest first: the first active one decides (geth's latestBlobConfig). */
const BLOB_FORKS_LATEST_FIRST: readonly TimeForkName[] = ['bpo5', 'bpo4', 'bpo3', 'bpo2', 'bpo1', 'osaka', 'prague', 'cancun'];

export interface CliqueConfig {
  /** Seconds between blocks. */
  period: bigint;
  /** Blocks between checkpoints that reset votes and list the signers. */
  epoch: bigint;
}

/** EIP-7840 blob parameters of one fork, in blobs (not gas). */
export interface BlobParams {
  target: bigint;
  max: bigint;
  baseFeeUpdateFraction: bigint;
}

/** Mainnet's values, used when a config names the fork but gives no blobSchedule entry for it. */
export const DEFAULT_BLOB_PARAMS: Readonly<Partial<Record<TimeForkName, BlobParams>>> = {
  cancun: { target: 3n, max: 6n, baseFeeUpdateFraction: 3338477n },
  prague: { target: 6n, max: 9n, baseFeeUpdateFraction: 5007716n },
  osaka: { target: 6n, max: 9n, baseFeeUpdateFraction: 5007716n },
};

export interface ChainConfig {
  chainId: bigint;
  blockForks: Readonly<Partial<Record<BlockForkName, bigint>>>;
  timeForks: Readonly<Partial<Record<TimeForkName, bigint>>>;
  /** Absent: the chain never merges (a pure Clique or ethash chain). */
  terminalTotalDifficulty?: bigint;
  clique?: CliqueConfig;
  blobSchedule: Readonly<Partial<Record<TimeForkName, BlobParams>>>;
  depositContractAddress?: Address;
  /** The EIP-2124 fork schedule, gathered from the raw config as geth's core/forkid does. */
  forks: ForkSchedule;
  /** The "config" object as given, for components that read it themselves (the executor's EVM config). */
  raw: Readonly<Record<string, unknown>>;
}

/** Which rule sets apply to a block, as geth's params.Rules. */
export interface ForkRules {
  homestead: boolean;
  eip150: boolean;
  eip155: boolean;
  eip158: boolean;
  byzantium: boolean;
  constantinople: boolean;
  petersburg: boolean;
  istanbul: boolean;
  berlin: boolean;
  london: boolean;
  shanghai: boolean;
  cancun: boolean;
  prague: boolean;
  osaka: boolean;
  amsterdam: boolean;
  /** The blob parameters in force (Cancun on). */
  blob?: BlobParams;
}

function blockActive(config: ChainConfig, fork: BlockForkName, number: bigint): boolean {
  const at = config.blockForks[fork];
  return at !== undefined && at <= number;
}

function timeActive(config: ChainConfig, fork: TimeForkName, time: bigint): boolean {
  const at = config.timeForks[fork];
  return at !== undefined && at <= time;
}

export function forkRules(config: ChainConfig, number: bigint, time: bigint): ForkRules {
  const london = blockActive(config, 'london', number);
  // geth gates every time fork on London, so a config cannot enable Shanghai on a pre-London block.
  const t = (fork: TimeForkName) => london && timeActive(config, fork, time);
  const rules: ForkRules = {
    homestead: blockActive(config, 'homestead', number),
    eip150: blockActive(config, 'eip150', number),
    eip155: blockActive(config, 'eip155', number),
    eip158: blockActive(config, 'eip158', number),
    byzantium: blockActive(config, 'byzantium', number),
    constantinople: blockActive(config, 'constantinople', number),
    petersburg: blockActive(config, 'petersburg', number),
    istanbul: blockActive(config, 'istanbul', number),
    berlin: blockActive(config, 'berlin', number),
    london,
    shanghai: t('shanghai'),
    cancun: t('cancun'),
    prague: t('prague'),
    osaka: t('osaka'),
    amsterdam: t('amsterdam'),
  };
  if (rules.cancun) {
    const fork = BLOB_FORKS_LATEST_FIRST.find((f) => t(f));
    if (fork !== undefined) rules.blob = config.blobSchedule[fork] ?? DEFAULT_BLOB_PARAMS[fork];
  }
  return rules;
}

/** geth's JSON names: "<fork>Block" and "<fork>Time". */
const blockKey = (fork: BlockForkName) => `${fork}Block`;
const timeKey = (fork: TimeForkName) => `${fork}Time`;

function checkForkOrder(blockForks: ChainConfig['blockForks'], timeForks: ChainConfig['timeForks']): void {
  // As geth's CheckConfigForkOrder: a required fork must not be missing while a later one is set,
  // and forks of one kind activate in order.
  const check = <N extends string>(names: readonly N[], values: Partial<Record<N, bigint>>, key: (n: N) => string) => {
    let last: { name: N; at: bigint | undefined } | undefined;
    for (const name of names) {
      const at = values[name];
      if (OPTIONAL_FORKS.has(name) && at === undefined) continue;
      if (last !== undefined) {
        if (last.at === undefined && at !== undefined) {
          throw new GenesisError(`config.${key(name)}`, `set while the earlier fork ${key(last.name)} is not`);
        }
        if (last.at !== undefined && at !== undefined && at < last.at) {
          throw new GenesisError(`config.${key(name)}`, `${at} is before ${key(last.name)} (${last.at})`);
        }
      }
      last = { name, at };
    }
  };
  check(BLOCK_FORKS, blockForks, blockKey);
  check(TIME_FORKS, timeForks, timeKey);
}

function readBlobSchedule(value: unknown, timeForks: ChainConfig['timeForks']): ChainConfig['blobSchedule'] {
  const out: Partial<Record<TimeForkName, BlobParams>> = {};
  if (value !== undefined && value !== null) {
    const obj = asObject(value, 'config.blobSchedule');
    for (const [fork, entry] of Object.entries(obj)) {
      const path = `config.blobSchedule.${fork}`;
      if (!(BLOB_FORKS_LATEST_FIRST as readonly string[]).includes(fork)) throw new GenesisError(path, 'not a fork with blob parameters');
      const e = asObject(entry, path);
      const params: BlobParams = {
        target: readUint64(e['target'], `${path}.target`),
        max: readUint64(e['max'], `${path}.max`),
        baseFeeUpdateFraction: readUint64(e['baseFeeUpdateFraction'], `${path}.baseFeeUpdateFraction`),
      };
      if (params.target > params.max) throw new GenesisError(`${path}.target`, `target ${params.target} exceeds max ${params.max}`);
      if (params.baseFeeUpdateFraction === 0n) throw new GenesisError(`${path}.baseFeeUpdateFraction`, 'must not be 0');
      out[fork as TimeForkName] = params;
    }
  }
  // A blob-parameter-only fork means nothing without its parameters; there is no default to fall back on.
  for (const fork of ['bpo1', 'bpo2', 'bpo3', 'bpo4', 'bpo5'] as const) {
    if (timeForks[fork] !== undefined && out[fork] === undefined) {
      throw new GenesisError(`config.blobSchedule.${fork}`, `missing, but config.${timeKey(fork)} is set`);
    }
  }
  return out;
}

/** Parses and checks the "config" object of a genesis.json. */
export function parseChainConfig(value: unknown, genesisTimestamp: bigint): ChainConfig {
  const raw = asObject(value, 'config');
  if (raw['chainId'] === undefined || raw['chainId'] === null) throw new GenesisError('config.chainId', 'missing');
  const chainId = readUint256(raw['chainId'], 'config.chainId');
  const blockForks: Partial<Record<BlockForkName, bigint>> = {};
  for (const fork of BLOCK_FORKS) {
    const at = readOptional(raw, blockKey(fork), 'config', readUint64);
    if (at !== undefined) blockForks[fork] = at;
  }
  const timeForks: Partial<Record<TimeForkName, bigint>> = {};
  for (const fork of TIME_FORKS) {
    const at = readOptional(raw, timeKey(fork), 'config', readUint64);
    if (at !== undefined) timeForks[fork] = at;
  }
  checkForkOrder(blockForks, timeForks);
  if (Object.keys(timeForks).length > 0 && blockForks.london === undefined) {
    throw new GenesisError('config.londonBlock', 'time forks (shanghaiTime, ...) need London');
  }
  const config: ChainConfig = {
    chainId,
    blockForks,
    timeForks,
    blobSchedule: readBlobSchedule(raw['blobSchedule'], timeForks),
    forks: gatherForksChecked(raw, genesisTimestamp),
    raw,
  };
  const ttd = readOptional(raw, 'terminalTotalDifficulty', 'config', readUint256);
  if (ttd !== undefined) config.terminalTotalDifficulty = ttd;
  if (raw['clique'] !== undefined && raw['clique'] !== null) {
    const c = asObject(raw['clique'], 'config.clique');
    const epoch = readOptional(c, 'epoch', 'config.clique', readUint64) ?? 30000n; // geth's default epoch length
    config.clique = { period: readOptional(c, 'period', 'config.clique', readUint64) ?? 0n, epoch: epoch === 0n ? 30000n : epoch };
  }
  const deposit = readOptional(raw, 'depositContractAddress', 'config', (v, p) => readFixedBytes(v, p, 20));
  if (deposit !== undefined) config.depositContractAddress = deposit;
  return config;
}

function gatherForksChecked(raw: Record<string, unknown>, genesisTimestamp: bigint): ForkSchedule {
  try {
    return gatherForks(raw, genesisTimestamp);
  } catch (err) {
    throw new GenesisError('config', (err as Error).message);
  }
}

