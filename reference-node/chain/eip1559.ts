/**
 * Gas limit bounds and the EIP-1559 base fee, as geth's consensus/misc
 * (VerifyGaslimit, CalcBaseFee). The parent's fork decides: the first London
 * block starts from INITIAL_BASE_FEE and may double the gas limit (elasticity).
 */
import type { BlockHeader } from '../wire/block.js';
import { forkRules, type ChainConfig } from './config.js';

/** EIP-1559 INITIAL_BASE_FEE: the base fee of the first London block. */
export const INITIAL_BASE_FEE = 1_000_000_000n;
export const ELASTICITY_MULTIPLIER = 2n;
export const BASE_FEE_CHANGE_DENOMINATOR = 8n;
export const GAS_LIMIT_BOUND_DIVISOR = 1024n;
export const MIN_GAS_LIMIT = 5000n;
/** geth's MaxGasLimit: gas limits are int64 there. */
export const MAX_GAS_LIMIT = (1n << 63n) - 1n;

/** Why `gasLimit` may not follow a parent with `parentGasLimit`, or undefined if it may. */
export function gasLimitViolation(parentGasLimit: bigint, gasLimit: bigint): string | undefined {
  const diff = parentGasLimit > gasLimit ? parentGasLimit - gasLimit : gasLimit - parentGasLimit;
  const bound = parentGasLimit / GAS_LIMIT_BOUND_DIVISOR;
  if (diff >= bound) return `gas limit ${gasLimit} moves ${diff} from the parent's ${parentGasLimit}; the bound is < ${bound}`;
  if (gasLimit < MIN_GAS_LIMIT) return `gas limit ${gasLimit} is below the minimum ${MIN_GAS_LIMIT}`;
  return undefined;
}

/** The base fee a child of `parent` must carry (the child is assumed London). */
export function calcBaseFee(config: ChainConfig, parent: BlockHeader): bigint {
  if (!forkRules(config, parent.number, parent.timestamp).london || parent.baseFeePerGas === undefined) return INITIAL_BASE_FEE;
  const parentBaseFee = parent.baseFeePerGas;
  const target = parent.gasLimit / ELASTICITY_MULTIPLIER;
  if (parent.gasUsed === target) return parentBaseFee;
  if (parent.gasUsed > target) {
    const delta = (parentBaseFee * (parent.gasUsed - target)) / target / BASE_FEE_CHANGE_DENOMINATOR;
    return parentBaseFee + (delta > 1n ? delta : 1n);
  }
  const delta = (parentBaseFee * (target - parent.gasUsed)) / target / BASE_FEE_CHANGE_DENOMINATOR;
  return parentBaseFee > delta ? parentBaseFee - delta : 0n;
}
