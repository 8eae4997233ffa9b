/** Typed transactions (legacy, EIP-2930, EIP-1559, EIP-4844, EIP-7702): codecs, hashes, signing. */
export * from './types.js';
export {
  decodeTransaction,
  decodeTypedEnvelope,
  encodeCanonicalTransaction,
  encodeTransaction,
  transactionFromRlp,
  transactionToRlp,
} from './codec.js';
export { signingHash, transactionHash } from './hash.js';
export {
  addressOf,
  recoverSender,
  recoverSenderPublicKey,
  signTransaction,
  transactionChainId,
  type RecoverOptions,
} from './signer.js';
export {
  authorizationSigningHash,
  recoverAuthority,
  signAuthorization,
  type UnsignedAuthorization,
} from './authorization.js';
export {
  blobVersionedHash,
  BYTES_PER_BLOB,
  BYTES_PER_COMMITMENT,
  BYTES_PER_PROOF,
  CELLS_PER_EXT_BLOB,
  validateBlobSidecar,
} from './sidecar.js';
export { SECP256K1_HALF_N, SECP256K1_N } from './signature.js';
