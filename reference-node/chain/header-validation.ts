/**
 * Header rules against the parent, as geth's consensus engines apply them
 * (beacon for post-merge blocks, misc/eip1559 and misc/eip4844 for the fee
 * fields). Whether a block is post-merge follows EIP-3675: the parent's total
 * difficulty has reached terminalTotalDifficulty. Pre-merge seals are the
 * engine's business.
 */
import { EMPTY_OMMERS_HASH, type BlockHeader } from '../wire/block.js';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import type { Hash32 } from '../wire/tx/types.js';
import { forkRules, type ChainConfig, type ForkRules } from './config.js';
import type { ConsensusEngine, HeaderLookup } from './consensus.js';
import { MAX_EXTRA_DATA } from './consensus.js';
import { calcBaseFee, gasLimitViolation, MAX_GAS_LIMIT } from './eip1559.js';
import { calcExcessBlobGas, GAS_PER_BLOB } from './eip4844.js';
import { BlockValidationError, type BlockRule } from './errors.js';

export interface HeaderContext {
  config: ChainConfig;
  parent: BlockHeader;
  /** Total difficulty up to and including the parent. */
  parentTd: bigint;
  engine: ConsensusEngine;
  chain: HeaderLookup;
}

/** EIP-3675: a block is post-merge when its parent's total difficulty has reached TTD. */
export function isPostMerge(config: ChainConfig, parentTd: bigint): boolean {
  return config.terminalTotalDifficulty !== undefined && parentTd >= config.terminalTotalDifficulty;
}

/** Checks `header` (whose hash is `hash`) against its parent; returns the fork rules of the block. */
export function validateHeader(header: BlockHeader, hash: Hash32, ctx: HeaderContext): ForkRules {
  const fail = (rule: BlockRule, detail: string): never => {
    throw new BlockValidationError(header.number, hash, rule, detail);
  };
  const { parent, config } = ctx;
  if (header.number !== parent.number + 1n) fail('number', `number ${header.number} does not follow the parent's ${parent.number}`);
  if (header.timestamp <= parent.timestamp) {
    fail('timestamp', `timestamp ${header.timestamp} is not after the parent's ${parent.timestamp}`);
  }
  if (header.gasLimit > MAX_GAS_LIMIT) fail('gas-limit', `gas limit ${header.gasLimit} exceeds ${MAX_GAS_LIMIT}`);
  if (header.gasUsed > header.gasLimit) fail('gas-used', `gas used ${header.gasUsed} exceeds the gas limit ${header.gasLimit}`);

  const rules = forkRules(config, header.number, header.timestamp);
  checkForkFields(header, rules, fail);
  checkFees(header, rules, ctx, fail);

  if (isPostMerge(config, ctx.parentTd)) {
    // The beacon engine's rules: the consensus layer decides, so the PoW fields are fixed.
    if (header.difficulty !== 0n) fail('difficulty', `post-merge difficulty must be 0, got ${header.difficulty}`);
    if (header.nonce.some((b) => b !== 0)) fail('nonce', `post-merge nonce must be 0, got 0x${bytesToHex(header.nonce)}`);
    if (!equalBytes(header.ommersHash, EMPTY_OMMERS_HASH)) fail('ommers', 'post-merge ommers hash must be that of an empty list');
    if (header.extraData.length > MAX_EXTRA_DATA) fail('extra-data', `${header.extraData.length} bytes, at most ${MAX_EXTRA_DATA}`);
  } else {
    // EIP-3675: after the terminal block every block is a beacon block, so a zero difficulty before it is invalid.
    if (header.difficulty === 0n) fail('difficulty', 'a pre-merge block needs a positive difficulty');
    if (rules.shanghai) fail('fork-fields', 'Shanghai is active but the chain has not reached terminalTotalDifficulty');
    ctx.engine.verifyHeader(header, hash, parent, ctx.chain);
  }
  return rules;
}

type Fail = (rule: BlockRule, detail: string) => never;

/** Each fork's trailing fields are present exactly when the fork is active. */
function checkForkFields(header: BlockHeader, rules: ForkRules, fail: Fail): void {
  const field = (name: keyof BlockHeader, active: boolean, fork: string) => {
    const present = header[name] !== undefined;
    if (active && !present) fail('fork-fields', `${name} is missing, but ${fork} is active`);
    if (!active && present) fail('fork-fields', `${name} is present before ${fork}`);
  };
  field('baseFeePerGas', rules.london, 'London');
  field('withdrawalsRoot', rules.shanghai, 'Shanghai');
  field('blobGasUsed', rules.cancun, 'Cancun');
  field('excessBlobGas', rules.cancun, 'Cancun');
  field('parentBeaconBlockRoot', rules.cancun, 'Cancun');
  field('requestsHash', rules.prague, 'Prague');
  field('blockAccessListHash', rules.amsterdam, 'Amsterdam');
  if (rules.amsterdam) fail('unsupported', 'Amsterdam (block access lists) is not supported by this node');
}

function checkFees(header: BlockHeader, rules: ForkRules, ctx: HeaderContext, fail: Fail): void {
  const { parent, config } = ctx;
  if (rules.london) {
    // The first London block may double the gas limit: its target is the old limit.
    const parentLondon = forkRules(config, parent.number, parent.timestamp).london;
    const parentGasLimit = parentLondon ? parent.gasLimit : parent.gasLimit * 2n;
    const bad = gasLimitViolation(parentGasLimit, header.gasLimit);
    if (bad !== undefined) fail('gas-limit', bad);
    const want = calcBaseFee(config, parent);
    if (header.baseFeePerGas !== want) fail('base-fee', `base fee ${header.baseFeePerGas} should be ${want}`);
  } else {
    const bad = gasLimitViolation(parent.gasLimit, header.gasLimit);
    if (bad !== undefined) fail('gas-limit', bad);
  }
  if (rules.cancun) {
    const used = header.blobGasUsed!;
    const max = rules.blob!.max * GAS_PER_BLOB;
    if (used > max) fail('blob-gas', `blob gas used ${used} exceeds the maximum ${max}`);
    if (used % GAS_PER_BLOB !== 0n) fail('blob-gas', `blob gas used ${used} is not a multiple of ${GAS_PER_BLOB}`);
    const want = calcExcessBlobGas(config, parent, header.timestamp);
    if (header.excessBlobGas !== want) fail('blob-gas', `excess blob gas ${header.excessBlobGas} should be ${want}`);
  }
}
