/**
 * Expiration is kept out of the decoder on purpose: decoding is a pure
 * function of the bytes (the official vectors expired in 2006 and must still
 * decode), while "now" belongs to whoever holds a clock.
 */
import { DecodeError } from '../errors.js';
import type { Packet } from './types.js';

/** geth's lifetime for packets it sends (v4_udp.go `expiration`). */
export const DEFAULT_EXPIRATION_SECONDS = 20;

/**
 * A timestamp strictly before now is expired, as in geth's
 * `time.Unix(ts, 0).Before(now)`. `nowSeconds` may be fractional: within the
 * second named by the timestamp the packet already counts as expired.
 */
export function isExpired(expiration: bigint, nowSeconds: number | bigint): boolean {
  // bigint and number compare exactly in JS, fractions included.
  return expiration < nowSeconds;
}

export function expirationAfter(nowSeconds: number, lifetimeSeconds = DEFAULT_EXPIRATION_SECONDS): bigint {
  return BigInt(Math.floor(nowSeconds)) + BigInt(lifetimeSeconds);
}

/** The packet's expiration; ENRResponse has none (it is bound to its request by hash instead). */
export function expirationOf(packet: Packet): bigint | undefined {
  return packet.type === 'enrResponse' ? undefined : packet.expiration;
}

export function assertNotExpired(packet: Packet, nowSeconds: number | bigint): void {
  const expiration = expirationOf(packet);
  if (expiration !== undefined && isExpired(expiration, nowSeconds)) {
    throw new DecodeError('expired', `discv4 ${packet.type}`, `expired at ${expiration}, now is ${nowSeconds}`);
  }
}
