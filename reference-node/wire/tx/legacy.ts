/**
 * Legacy (untyped) transactions: a 9-element RLP list. The signing payload is
 * the first six fields, plus [chainId, 0, 0] under EIP-155.
 */
import { asExactList, type RlpInput, type RlpItem } from '../rlp.js';
import { bytesField, readBytes, readTo, readU256, readU64, toField, u256, u64 } from './fields.js';
import { readLegacyV, readSignatureScalar } from './signature.js';
import { signatureScalar } from './signature-writer.js';
import type { LegacyTx, UnsignedLegacyTx } from './types.js';

const WHAT = 'legacy tx';

export function legacyTxFromRlp(item: RlpItem): LegacyTx {
  const f = asExactList(item, WHAT, 9);
  return {
    type: 0,
    nonce: readU64(f[0], `${WHAT} nonce`),
    gasPrice: readU256(f[1], `${WHAT} gasPrice`),
    gasLimit: readU64(f[2], `${WHAT} gasLimit`),
    to: readTo(f[3], `${WHAT} to`),
    value: readU256(f[4], `${WHAT} value`),
    data: readBytes(f[5], `${WHAT} data`),
    v: readLegacyV(f[6], `${WHAT} v`),
    r: readSignatureScalar(f[7], `${WHAT} r`),
    s: readSignatureScalar(f[8], `${WHAT} s`),
  };
}

function bodyFields(tx: LegacyTx | UnsignedLegacyTx): RlpInput[] {
  return [
    u64(tx.nonce, `${WHAT} nonce`),
    u256(tx.gasPrice, `${WHAT} gasPrice`),
    u64(tx.gasLimit, `${WHAT} gasLimit`),
    toField(tx.to, `${WHAT} to`),
    u256(tx.value, `${WHAT} value`),
    bytesField(tx.data, `${WHAT} data`),
  ];
}

export function legacyTxToRlp(tx: LegacyTx): RlpInput {
  const v = u256(tx.v, `${WHAT} v`);
  if (v !== 27n && v !== 28n && v < 35n) throw new RangeError(`${WHAT} v: ${v} is not 27, 28 or >= 35`);
  return [...bodyFields(tx), v, signatureScalar(tx.r, `${WHAT} r`), signatureScalar(tx.s, `${WHAT} s`)];
}

/** The list whose keccak256 is signed; chainId null means the pre-EIP-155 form. */
export function legacySigningPayload(tx: LegacyTx | UnsignedLegacyTx, chainId: bigint | null): RlpInput {
  return chainId === null ? bodyFields(tx) : [...bodyFields(tx), u256(chainId, `${WHAT} chainId`), 0n, 0n];
}
