/**
 * Blob gas accounting (EIP-4844), with the per-fork parameters of EIP-7691 /
 * EIP-7840 (blobSchedule) and the reserve price of EIP-7918 (Osaka), as geth's
 * consensus/misc/eip4844. The parameters are those in force at the child's
 * timestamp, including for the parent's blob price in the EIP-7918 comparison.
 */
import type { BlockHeader } from '../wire/block.js';
import { forkRules, type BlobParams, type ChainConfig } from './config.js';

export const GAS_PER_BLOB = 1n << 17n;
export const MIN_BLOB_BASE_FEE = 1n;
/** EIP-7918 BLOB_BASE_COST. */
export const BLOB_BASE_COST = 1n << 13n;

/** factor * e ** (numerator / denominator), by Taylor expansion in integers (EIP-4844). */
export function fakeExponential(factor: bigint, numerator: bigint, denominator: bigint): bigint {
  let i = 1n;
  let output = 0n;
  let accum = factor * denominator;
  while (accum > 0n) {
    output += accum;
    accum = (accum * numerator) / (denominator * i);
    i += 1n;
  }
  return output / denominator;
}

export function blobBaseFee(params: BlobParams, excessBlobGas: bigint): bigint {
  return fakeExponential(MIN_BLOB_BASE_FEE, excessBlobGas, params.baseFeeUpdateFraction);
}

/** The excessBlobGas a child of `parent` with timestamp `time` must carry (the child is assumed Cancun). */
export function calcExcessBlobGas(config: ChainConfig, parent: BlockHeader, time: bigint): bigint {
  const rules = forkRules(config, parent.number + 1n, time);
  const params = rules.blob;
  if (params === undefined) throw new RangeError(`no blob parameters at time ${time}`);
  // A parent before Cancun counts as zero excess and zero use.
  const parentExcess = parent.excessBlobGas ?? 0n;
  const parentUsed = parent.blobGasUsed ?? 0n;
  const excess = parentExcess + parentUsed;
  const targetGas = params.target * GAS_PER_BLOB;
  if (excess < targetGas) return 0n;
  if (rules.osaka && parent.baseFeePerGas !== undefined) {
    // EIP-7918: while execution gas makes blobs dearer than the blob market does, excess only grows.
    const reservePrice = BLOB_BASE_COST * parent.baseFeePerGas;
    const blobPrice = GAS_PER_BLOB * blobBaseFee(params, parentExcess);
    if (reservePrice > blobPrice) return parentExcess + (parentUsed * (params.max - params.target)) / params.max;
  }
  return excess - targetGas;
}
