/**
 * EIP-7702 authorizations: the authority signs keccak256(0x05 || rlp([chainId,
 * address, nonce])). Recovery failures are reported, but they never make the
 * carrying transaction undecodable: invalid authorizations are skipped at
 * execution time.
 */
import { concatBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { keccak256, type PrivateKey } from '../keys.js';
import { encodeRlp } from '../rlp.js';
import { fixed, u256, u64 } from './fields.js';
import { isValidScalar } from './signature.js';
import { addressOf, recoverSignerKey, signDigest } from './signer.js';
import type { Address, Authorization, Hash32 } from './types.js';

export const AUTHORIZATION_MAGIC = 0x05;

export type UnsignedAuthorization = Pick<Authorization, 'chainId' | 'address' | 'nonce'>;

export function authorizationSigningHash(auth: UnsignedAuthorization): Hash32 {
  const body = encodeRlp([u256(auth.chainId, 'chainId'), fixed(auth.address, 20, 'address'), u64(auth.nonce, 'nonce')]);
  return keccak256(concatBytes(Uint8Array.of(AUTHORIZATION_MAGIC), body));
}

export function signAuthorization(auth: UnsignedAuthorization, key: PrivateKey): Authorization {
  const { r, s, recoveryId } = signDigest(authorizationSigningHash(auth), key);
  return { ...auth, yParity: recoveryId, r, s };
}

/** The authority address; throws DecodeError('signature') for y-parity > 1, r/s out of range or high s. */
export function recoverAuthority(auth: Authorization): Address {
  const what = 'authorization';
  if (auth.yParity > 1) throw new DecodeError('signature', what, `y-parity must be 0 or 1, got ${auth.yParity}`);
  if (!isValidScalar(auth.r) || !isValidScalar(auth.s)) throw new DecodeError('signature', what, 'r or s out of range');
  return addressOf(recoverSignerKey(authorizationSigningHash(auth), auth.r, auth.s, auth.yParity, what));
}
