/**
 * A bounded set of hashes a peer is known to have (geth's knownCache in
 * eth/protocols/eth/peer.go). Broadcast consults it so that a block or
 * transaction never goes back to a peer that sent or announced it, and the
 * bound keeps a long-lived peer from growing it without limit.
 *
 * geth evicts arbitrary entries when full (mapset.Pop); we evict the least
 * recently marked one, which keeps the newest hashes, the ones broadcast is
 * about to ask after, and makes the behaviour deterministic for tests.
 */
import { bytesToHex } from '../wire/bytes.js';

/** geth's maxKnownBlocks. */
export const MAX_KNOWN_BLOCKS = 1024;
/** geth's maxKnownTxs. */
export const MAX_KNOWN_TXS = 32768;

export class KnownCache {
  /** Keys in order of last marking, oldest first (a Map keeps insertion order). */
  private readonly keys = new Map<string, true>();

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`KnownCache: max must be a positive integer, got ${max}`);
  }

  get size(): number {
    return this.keys.size;
  }

  /** Marks `hashes` as known, evicting the least recently marked beyond `max`. */
  add(...hashes: Uint8Array[]): void {
    for (const hash of hashes) {
      const key = bytesToHex(hash);
      // Delete first so that a repeated mark moves the key to the newest end.
      this.keys.delete(key);
      this.keys.set(key, true);
    }
    while (this.keys.size > this.max) {
      const oldest = this.keys.keys().next().value as string;
      this.keys.delete(oldest);
    }
  }

  has(hash: Uint8Array): boolean {
    return this.keys.has(bytesToHex(hash));
  }

  clear(): void {
    this.keys.clear();
  }
}
