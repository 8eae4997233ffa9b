/** Writer-side signature checks: what the decoder rejects, the encoder refuses to write. */
import { isValidScalar } from './signature.js';

export function signatureScalar(value: bigint, what: string): bigint {
  if (typeof value !== 'bigint' || !isValidScalar(value)) throw new RangeError(`${what}: not in [1, secp256k1 n)`);
  return value;
}

export function yParity(value: number, what: string): number {
  if (value !== 0 && value !== 1) throw new RangeError(`${what}: y-parity must be 0 or 1`);
  return value;
}
