/**
 * Payloads of the EIP-2718 typed transactions 0x01..0x04: the RLP list that
 * follows the type byte. Each type has a fixed field count; the signature is
 * always the last three fields [yParity, r, s]. Blob transactions may arrive in
 * the network form with a sidecar, handled in sidecar-codec.ts.
 */
import { DecodeError } from '../errors.js';
import { asList, asNumber, type RlpInput, type RlpItem } from '../rlp.js';
import {
  accessListToRlp,
  bytesField,
  fixed,
  readAccessList,
  readAddress,
  readBytes,
  readHashList,
  readList,
  readTo,
  readU256,
  readU64,
  toField,
  u256,
  u64,
} from './fields.js';
import { readSignatureScalar, readYParity } from './signature.js';
import { signatureScalar, yParity } from './signature-writer.js';
import type {
  AccessList,
  AccessListTx,
  Authorization,
  BlobTx,
  DynamicFeeTx,
  SetCodeTx,
  TypedTransaction,
  TypedTxType,
  UnsignedAccessListTx,
  UnsignedBlobTx,
  UnsignedDynamicFeeTx,
  UnsignedSetCodeTx,
} from './types.js';

export const TYPED_FIELD_COUNT: Record<TypedTxType, number> = { 1: 11, 2: 12, 3: 14, 4: 13 };

const NAME: Record<TypedTxType, string> = { 1: 'tx 0x01', 2: 'tx 0x02', 3: 'tx 0x03', 4: 'tx 0x04' };

function fieldsOf(item: RlpItem, type: TypedTxType): RlpItem[] {
  const list = asList(item, NAME[type]);
  const want = TYPED_FIELD_COUNT[type];
  if (list.length !== want) throw new DecodeError('shape', NAME[type], `expected ${want} fields, got ${list.length}`);
  return list;
}

function signatureOf(f: RlpItem[], at: number, what: string): { yParity: 0 | 1; r: bigint; s: bigint } {
  return {
    yParity: readYParity(f[at], `${what} yParity`),
    r: readSignatureScalar(f[at + 1], `${what} r`),
    s: readSignatureScalar(f[at + 2], `${what} s`),
  };
}

function readAuthorization(item: RlpItem, what: string): Authorization {
  const f = asList(item, what);
  if (f.length !== 6) throw new DecodeError('shape', what, `expected 6 fields, got ${f.length}`);
  return {
    chainId: readU256(f[0], `${what}.chainId`),
    address: readAddress(f[1], `${what}.address`),
    nonce: readU64(f[2], `${what}.nonce`),
    // uint8 as in geth: any value decodes, only 0 and 1 recover an authority.
    yParity: asNumber(f[3], `${what}.yParity`, 1),
    r: readU256(f[4], `${what}.r`),
    s: readU256(f[5], `${what}.s`),
  };
}

/** Decodes the canonical field list (no sidecar) of a typed transaction. */
export function typedTxFromFields(type: TypedTxType, item: RlpItem): TypedTransaction {
  const w = NAME[type];
  const f = fieldsOf(item, type);
  const chainId = readU256(f[0], `${w} chainId`);
  const nonce = readU64(f[1], `${w} nonce`);
  switch (type) {
    case 1:
      return {
        type,
        chainId,
        nonce,
        gasPrice: readU256(f[2], `${w} gasPrice`),
        gasLimit: readU64(f[3], `${w} gasLimit`),
        ...readTail(f, 4, w, readTo),
        ...signatureOf(f, 8, w),
      };
    case 2:
      return { type, chainId, nonce, ...readFees(f, w), ...readTail(f, 5, w, readTo), ...signatureOf(f, 9, w) };
    case 3:
      return {
        type,
        chainId,
        nonce,
        ...readFees(f, w),
        ...readTail(f, 5, w, readAddress),
        maxFeePerBlobGas: readU256(f[9], `${w} maxFeePerBlobGas`),
        blobVersionedHashes: readHashList(f[10], `${w} blobVersionedHashes`),
        ...signatureOf(f, 11, w),
      };
    case 4:
      return {
        type,
        chainId,
        nonce,
        ...readFees(f, w),
        ...readTail(f, 5, w, readAddress),
        authorizationList: readList(f[9], `${w} authorizationList`, readAuthorization),
        ...signatureOf(f, 10, w),
      };
  }
}

/** [maxPriorityFeePerGas, maxFeePerGas, gasLimit] at 2..4 of types 0x02..0x04; the decoding side of fees(). */
function readFees(f: RlpItem[], w: string): { maxPriorityFeePerGas: bigint; maxFeePerGas: bigint; gasLimit: bigint } {
  return {
    maxPriorityFeePerGas: readU256(f[2], `${w} maxPriorityFeePerGas`),
    maxFeePerGas: readU256(f[3], `${w} maxFeePerGas`),
    gasLimit: readU64(f[4], `${w} gasLimit`),
  };
}

/**
 * [to, value, data, accessList] from `at`; the decoding side of the tail in
 * typedUnsignedFields(). `readToField` is readTo where "to" may be empty
 * (creation), readAddress where it must be an address (0x03, 0x04).
 */
function readTail<To>(
  f: RlpItem[],
  at: number,
  w: string,
  readToField: (item: RlpItem | undefined, what: string) => To,
): { to: To; value: bigint; data: Uint8Array; accessList: AccessList } {
  return {
    to: readToField(f[at], `${w} to`),
    value: readU256(f[at + 1], `${w} value`),
    data: readBytes(f[at + 2], `${w} data`),
    accessList: readAccessList(f[at + 3], `${w} accessList`),
  };
}

export function authorizationToRlp(auth: Authorization, what: string): RlpInput {
  if (!Number.isInteger(auth.yParity) || auth.yParity < 0 || auth.yParity > 255) {
    throw new RangeError(`${what}.yParity: must be a uint8`);
  }
  return [
    u256(auth.chainId, `${what}.chainId`),
    fixed(auth.address, 20, `${what}.address`),
    u64(auth.nonce, `${what}.nonce`),
    auth.yParity,
    u256(auth.r, `${what}.r`),
    u256(auth.s, `${what}.s`),
  ];
}

type UnsignedTyped = UnsignedAccessListTx | UnsignedDynamicFeeTx | UnsignedBlobTx | UnsignedSetCodeTx;

/** The fields covered by the signature, in wire order. */
export function typedUnsignedFields(tx: UnsignedTyped): RlpInput[] {
  const w = NAME[tx.type];
  const head: RlpInput[] = [u256(tx.chainId, `${w} chainId`), u64(tx.nonce, `${w} nonce`)];
  const tail = (to: Uint8Array): RlpInput[] => [
    to,
    u256(tx.value, `${w} value`),
    bytesField(tx.data, `${w} data`),
    accessListToRlp(tx.accessList, `${w} accessList`),
  ];
  switch (tx.type) {
    case 1:
      return [...head, u256(tx.gasPrice, `${w} gasPrice`), u64(tx.gasLimit, `${w} gasLimit`), ...tail(toField(tx.to, `${w} to`))];
    case 2:
      return [...head, ...fees(tx, w), ...tail(toField(tx.to, `${w} to`))];
    case 3:
      return [
        ...head,
        ...fees(tx, w),
        ...tail(fixed(tx.to, 20, `${w} to`)),
        u256(tx.maxFeePerBlobGas, `${w} maxFeePerBlobGas`),
        tx.blobVersionedHashes.map((h, i) => fixed(h, 32, `${w} blobVersionedHashes[${i}]`)),
      ];
    case 4:
      return [
        ...head,
        ...fees(tx, w),
        ...tail(fixed(tx.to, 20, `${w} to`)),
        tx.authorizationList.map((a, i) => authorizationToRlp(a, `${w} authorizationList[${i}]`)),
      ];
  }
}

function fees(tx: { maxPriorityFeePerGas: bigint; maxFeePerGas: bigint; gasLimit: bigint }, w: string): RlpInput[] {
  return [
    u256(tx.maxPriorityFeePerGas, `${w} maxPriorityFeePerGas`),
    u256(tx.maxFeePerGas, `${w} maxFeePerGas`),
    u64(tx.gasLimit, `${w} gasLimit`),
  ];
}

/** The canonical signed field list (never the sidecar). */
export function typedSignedFields(tx: AccessListTx | DynamicFeeTx | BlobTx | SetCodeTx): RlpInput[] {
  const w = NAME[tx.type];
  return [
    ...typedUnsignedFields(tx),
    yParity(tx.yParity, `${w} yParity`),
    signatureScalar(tx.r, `${w} r`),
    signatureScalar(tx.s, `${w} s`),
  ];
}
