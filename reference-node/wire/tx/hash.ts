/** Transaction hash and signing hash. Both cover the canonical form, never a blob sidecar. */
import { concatBytes } from '../bytes.js';
import { keccak256 } from '../keys.js';
import { encodeRlp } from '../rlp.js';
import { encodeCanonicalTransaction } from './codec.js';
import { legacySigningPayload } from './legacy.js';
import { chainIdOfV } from './signature.js';
import { typedUnsignedFields } from './typed.js';
import type { Hash32, Transaction, UnsignedTransaction } from './types.js';

export function transactionHash(tx: Transaction): Hash32 {
  return keccak256(encodeCanonicalTransaction(tx));
}

/**
 * The digest the sender signs. For a signed legacy tx the EIP-155 chain id is
 * read from v; for an unsigned one it is the chainId field (null: unprotected).
 */
export function signingHash(tx: Transaction | UnsignedTransaction): Hash32 {
  if (tx.type === 0) {
    const chainId = 'v' in tx ? chainIdOfV(tx.v) : tx.chainId;
    return keccak256(encodeRlp(legacySigningPayload(tx, chainId)));
  }
  return keccak256(concatBytes(Uint8Array.of(tx.type), encodeRlp(typedUnsignedFields(tx))));
}
