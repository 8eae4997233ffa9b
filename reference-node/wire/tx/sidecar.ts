/**
 * The EIP-4844 network form of a blob transaction and its sidecar checks.
 *
 *   version 0: [tx_payload_body, blobs, commitments, proofs]
 *   version 1: [tx_payload_body, 1, blobs, commitments, cell_proofs]   (EIP-7594)
 *
 * The decoder tells them apart the way geth does: the first element of the
 * network form is a list (the canonical form starts with chainId, a scalar),
 * and a version byte in second position marks the versioned wrapper.
 * Count and hash consistency is not a decoding rule (geth checks it in the
 * pool), so it lives in validateBlobSidecar for the node to call.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { asBigInt, type RlpInput, type RlpItem } from '../rlp.js';
import { fixed, readFixed, readList } from './fields.js';
import { typedSignedFields, typedTxFromFields } from './typed.js';
import type { BlobSidecar, BlobTx, Hash32 } from './types.js';

export const BYTES_PER_BLOB = 131072;
export const BYTES_PER_COMMITMENT = 48;
export const BYTES_PER_PROOF = 48;
export const CELLS_PER_EXT_BLOB = 128;
export const VERSIONED_HASH_VERSION_KZG = 0x01;

const WHAT = 'tx 0x03 network form';

/** Decodes [tx, blobs, commitments, proofs] or [tx, 1, blobs, commitments, cell_proofs]. */
export function blobTxFromNetworkForm(list: RlpItem[]): BlobTx {
  const versioned = list.length > 1 && !Array.isArray(list[1]);
  const want = versioned ? 5 : 4;
  if (list.length !== want) throw new DecodeError('shape', WHAT, `expected ${want} elements, got ${list.length}`);
  let wrapperVersion: 0 | 1 = 0;
  if (versioned) {
    const version = asBigInt(list[1], `${WHAT} wrapper version`, 1);
    if (version !== 1n) throw new DecodeError('value', `${WHAT} wrapper version`, `unsupported version ${version}`);
    wrapperVersion = 1;
  }
  const at = versioned ? 2 : 1;
  const tx = typedTxFromFields(3, list[0]!) as BlobTx;
  const sidecar: BlobSidecar = {
    wrapperVersion,
    blobs: readList(list[at], `${WHAT} blobs`, (b, w) => readFixed(b, w, BYTES_PER_BLOB)),
    commitments: readList(list[at + 1], `${WHAT} commitments`, (b, w) => readFixed(b, w, BYTES_PER_COMMITMENT)),
    proofs: readList(list[at + 2], `${WHAT} proofs`, (b, w) => readFixed(b, w, BYTES_PER_PROOF)),
  };
  return { ...tx, sidecar };
}

export function blobTxNetworkForm(tx: BlobTx & { sidecar: BlobSidecar }): RlpInput {
  const sc = tx.sidecar;
  const blobs = sc.blobs.map((b, i) => fixed(b, BYTES_PER_BLOB, `${WHAT} blobs[${i}]`));
  const commitments = sc.commitments.map((c, i) => fixed(c, BYTES_PER_COMMITMENT, `${WHAT} commitments[${i}]`));
  const proofs = sc.proofs.map((p, i) => fixed(p, BYTES_PER_PROOF, `${WHAT} proofs[${i}]`));
  const body = typedSignedFields(tx);
  if (sc.wrapperVersion === 0) return [body, blobs, commitments, proofs];
  if (sc.wrapperVersion === 1) return [body, 1, blobs, commitments, proofs];
  throw new RangeError(`${WHAT}: unsupported wrapper version ${String(sc.wrapperVersion)}`);
}

/** EIP-4844 kzg_to_versioned_hash: 0x01 || sha256(commitment)[1:]. */
export function blobVersionedHash(commitment: Uint8Array): Hash32 {
  const hash = sha256(commitment);
  hash[0] = VERSIONED_HASH_VERSION_KZG;
  return hash;
}

/**
 * Structural sidecar checks (no KZG verification): one blob and one commitment
 * per versioned hash, one proof per blob (v0) or 128 cell proofs per blob (v1),
 * and every versioned hash derived from its commitment.
 */
export function validateBlobSidecar(tx: BlobTx): void {
  const sc = tx.sidecar;
  if (sc === undefined) throw new DecodeError('shape', 'blob sidecar', 'transaction has no sidecar');
  const n = tx.blobVersionedHashes.length;
  if (sc.blobs.length !== n || sc.commitments.length !== n) {
    throw new DecodeError(
      'shape',
      'blob sidecar',
      `${n} versioned hashes but ${sc.blobs.length} blobs and ${sc.commitments.length} commitments`,
    );
  }
  const proofsPerBlob = sc.wrapperVersion === 1 ? CELLS_PER_EXT_BLOB : 1;
  if (sc.proofs.length !== n * proofsPerBlob) {
    throw new DecodeError('shape', 'blob sidecar', `expected ${n * proofsPerBlob} proofs, got ${sc.proofs.length}`);
  }
  for (let i = 0; i < n; i++) {
    if (!equalBytes(blobVersionedHash(sc.commitments[i]!), tx.blobVersionedHashes[i]!)) {
      throw new DecodeError('hash', `blob sidecar commitments[${i}]`, 'does not match its versioned hash');
    }
  }
}
