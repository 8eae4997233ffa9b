/**
 * Sender recovery and signing. Recovery applies the rules a post-Homestead
 * signer applies (geth's LatestSigner): low s (EIP-2), and, when the caller
 * names its chain, a matching chain id for typed and EIP-155 transactions.
 * Unprotected legacy transactions (v = 27/28) are still recoverable, as in geth;
 * refusing them is pool policy.
 */
import { bigIntToFixed, bytesToBigInt, concatBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { keccak256, recoverPublicKey, signRecoverable, type PrivateKey, type PublicKey } from '../keys.js';
import { signingHash } from './hash.js';
import { chainIdOfV, recoveryIdOfV, SECP256K1_HALF_N } from './signature.js';
import type {
  AccessListTx,
  Address,
  BlobTx,
  DynamicFeeTx,
  LegacyTx,
  SetCodeTx,
  Transaction,
  UnsignedAccessListTx,
  UnsignedBlobTx,
  UnsignedDynamicFeeTx,
  UnsignedLegacyTx,
  UnsignedSetCodeTx,
  UnsignedTransaction,
} from './types.js';

export function addressOf(publicKey: PublicKey): Address {
  return keccak256(publicKey).slice(12);
}

/** The chain a transaction is bound to, or null for an unprotected legacy tx. */
export function transactionChainId(tx: Transaction): bigint | null {
  return tx.type === 0 ? chainIdOfV(tx.v) : tx.chainId;
}

export interface RecoverOptions {
  /** When given, a tx bound to another chain is rejected. */
  chainId?: bigint;
}

/** Recovers a 64-byte public key from r, s, recovery id over a digest, enforcing low s. */
export function recoverSignerKey(digest: Uint8Array, r: bigint, s: bigint, recoveryId: number, what: string): PublicKey {
  if (s > SECP256K1_HALF_N) throw new DecodeError('signature', what, 's is in the upper half of the curve order (EIP-2)');
  const sig = concatBytes(bigIntToFixed(r, 32), bigIntToFixed(s, 32), Uint8Array.of(recoveryId));
  return recoverPublicKey(digest, sig, what);
}

export function recoverSenderPublicKey(tx: Transaction, options: RecoverOptions = {}): PublicKey {
  const what = `tx 0x0${tx.type} sender`;
  const chainId = transactionChainId(tx);
  if (options.chainId !== undefined && chainId !== null && chainId !== options.chainId) {
    throw new DecodeError('value', what, `signed for chain ${chainId}, expected ${options.chainId}`);
  }
  const recoveryId = tx.type === 0 ? recoveryIdOfV(tx.v) : tx.yParity;
  return recoverSignerKey(signingHash(tx), tx.r, tx.s, recoveryId, what);
}

/** The sender address; throws DecodeError('signature' | 'value') when it cannot be recovered. */
export function recoverSender(tx: Transaction, options: RecoverOptions = {}): Address {
  return addressOf(recoverSenderPublicKey(tx, options));
}

interface RawSignature {
  r: bigint;
  s: bigint;
  recoveryId: 0 | 1;
}

/** Signs a digest; noble produces low-s signatures (RFC 6979 nonces). */
export function signDigest(digest: Uint8Array, privateKey: PrivateKey): RawSignature {
  const sig = signRecoverable(digest, privateKey);
  return {
    r: bytesToBigInt(sig.subarray(0, 32)),
    s: bytesToBigInt(sig.subarray(32, 64)),
    recoveryId: sig[64] === 1 ? 1 : 0,
  };
}

export function signTransaction(tx: UnsignedLegacyTx, key: PrivateKey): LegacyTx;
export function signTransaction(tx: UnsignedAccessListTx, key: PrivateKey): AccessListTx;
export function signTransaction(tx: UnsignedDynamicFeeTx, key: PrivateKey): DynamicFeeTx;
export function signTransaction(tx: UnsignedBlobTx, key: PrivateKey): BlobTx;
export function signTransaction(tx: UnsignedSetCodeTx, key: PrivateKey): SetCodeTx;
export function signTransaction(tx: UnsignedTransaction, key: PrivateKey): Transaction;
export function signTransaction(tx: UnsignedTransaction, key: PrivateKey): Transaction {
  const { r, s, recoveryId } = signDigest(signingHash(tx), key);
  if (tx.type === 0) {
    const { chainId, ...body } = tx;
    const v = chainId === null ? 27n + BigInt(recoveryId) : chainId * 2n + 35n + BigInt(recoveryId);
    return { ...body, v, r, s };
  }
  return { ...tx, yParity: recoveryId, r, s };
}
