/**
 * Transaction values as they travel on the wire. Quantities are bigint, byte
 * fields are Uint8Array, and `to` is null for contract creation. Signed
 * transactions keep the raw signature scalars so that re-encoding a decoded
 * transaction is byte-identical; the sender is derived on demand (signer.ts).
 */

/** 20 bytes. */
export type Address = Uint8Array;
/** 32 bytes. */
export type Hash32 = Uint8Array;

export const LEGACY_TX_TYPE = 0;
export const ACCESS_LIST_TX_TYPE = 1; // EIP-2930
export const DYNAMIC_FEE_TX_TYPE = 2; // EIP-1559
export const BLOB_TX_TYPE = 3; // EIP-4844
export const SET_CODE_TX_TYPE = 4; // EIP-7702

export type TxType = 0 | 1 | 2 | 3 | 4;
export type TypedTxType = 1 | 2 | 3 | 4;

export function isKnownTxType(type: number): type is TxType {
  return type === 0 || type === 1 || type === 2 || type === 3 || type === 4;
}

export interface AccessListEntry {
  address: Address;
  storageKeys: Hash32[];
}
export type AccessList = AccessListEntry[];

/**
 * An EIP-7702 authorization tuple. yParity, r and s are kept as sent: an
 * authorization with a bad signature does not make the transaction invalid (it
 * is skipped at execution), so the codec must not reject it.
 */
export interface Authorization {
  chainId: bigint;
  address: Address;
  nonce: bigint;
  /** uint8 on the wire; only 0 and 1 recover. */
  yParity: number;
  r: bigint;
  s: bigint;
}

/**
 * The blob sidecar of the EIP-4844 network form. Version 0 is
 * [tx, blobs, commitments, proofs] with one proof per blob; version 1 (EIP-7594,
 * Osaka) is [tx, 1, blobs, commitments, cell_proofs] with 128 cell proofs per blob.
 */
export interface BlobSidecar {
  wrapperVersion: 0 | 1;
  blobs: Uint8Array[];
  commitments: Uint8Array[];
  proofs: Uint8Array[];
}

interface TxBody {
  nonce: bigint;
  gasLimit: bigint;
  value: bigint;
  data: Uint8Array;
}

interface Signature {
  r: bigint;
  s: bigint;
}

interface TypedSignature extends Signature {
  yParity: 0 | 1;
}

export interface UnsignedLegacyTx extends TxBody {
  type: 0;
  gasPrice: bigint;
  to: Address | null;
  /** null signs without replay protection (pre-EIP-155 form). */
  chainId: bigint | null;
}

export interface LegacyTx extends TxBody, Signature {
  type: 0;
  gasPrice: bigint;
  to: Address | null;
  /** 27/28, or chainId * 2 + 35/36 under EIP-155. */
  v: bigint;
}

export interface UnsignedAccessListTx extends TxBody {
  type: 1;
  chainId: bigint;
  gasPrice: bigint;
  to: Address | null;
  accessList: AccessList;
}
export interface AccessListTx extends UnsignedAccessListTx, TypedSignature {}

export interface UnsignedDynamicFeeTx extends TxBody {
  type: 2;
  chainId: bigint;
  maxPriorityFeePerGas: bigint;
  maxFeePerGas: bigint;
  to: Address | null;
  accessList: AccessList;
}
export interface DynamicFeeTx extends UnsignedDynamicFeeTx, TypedSignature {}

export interface UnsignedBlobTx extends TxBody {
  type: 3;
  chainId: bigint;
  maxPriorityFeePerGas: bigint;
  maxFeePerGas: bigint;
  /** Blob transactions cannot create contracts. */
  to: Address;
  accessList: AccessList;
  maxFeePerBlobGas: bigint;
  blobVersionedHashes: Hash32[];
  /** Present only in the network form (PooledTransactions); never in blocks. */
  sidecar?: BlobSidecar;
}
export interface BlobTx extends UnsignedBlobTx, TypedSignature {}

export interface UnsignedSetCodeTx extends TxBody {
  type: 4;
  chainId: bigint;
  maxPriorityFeePerGas: bigint;
  maxFeePerGas: bigint;
  /** Set-code transactions cannot create contracts. */
  to: Address;
  accessList: AccessList;
  authorizationList: Authorization[];
}
export interface SetCodeTx extends UnsignedSetCodeTx, TypedSignature {}

export type Transaction = LegacyTx | AccessListTx | DynamicFeeTx | BlobTx | SetCodeTx;
export type TypedTransaction = AccessListTx | DynamicFeeTx | BlobTx | SetCodeTx;
export type UnsignedTransaction =
  | UnsignedLegacyTx
  | UnsignedAccessListTx
  | UnsignedDynamicFeeTx
  | UnsignedBlobTx
  | UnsignedSetCodeTx;
