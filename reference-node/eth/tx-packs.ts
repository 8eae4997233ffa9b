/**
 * How transactions and their announcements are cut into messages, shared by
 * broadcast and the initial tx sync (geth's eth/protocols/eth/broadcast.go
 * and the older txsyncLoop): a pack is filled until it reaches about 100 KiB
 * (geth's maxTxPacketSize), so no message grows without bound.
 *
 * geth lets the last transaction push a pack past the target; we stop before
 * it instead, so a pack holds more than 100 KiB only when one transaction on
 * its own is larger. Announcements count 32 bytes per hash as geth does
 * (3200 hashes per message), which also keeps them under the spec's soft
 * limit of 4096 items.
 */
import { MAX_POOLED_TX_HASHES_ANNOUNCE } from '../wire/eth/limits.js';
import { encodeTransaction } from '../wire/tx/codec.js';
import type { Hash32, Transaction } from '../wire/tx/types.js';

/** geth's maxTxPacketSize: the target size of a Transactions or announcement pack. */
export const MAX_TX_PACKET_SIZE = 100 * 1024;
/** What one announced hash counts towards MAX_TX_PACKET_SIZE (geth counts common.HashLength). */
const ANNOUNCED_HASH_WEIGHT = 32;
/** Hashes per NewPooledTransactionHashes message: 3200 by the byte rule, below the spec's 4096. */
export const MAX_ANNOUNCE_PACK = Math.min(MAX_POOLED_TX_HASHES_ANNOUNCE, Math.floor(MAX_TX_PACKET_SIZE / ANNOUNCED_HASH_WEIGHT));

/** One transaction as NewPooledTransactionHashes (eth/68+) describes it. */
export interface TxAnnouncement {
  hash: Hash32;
  type: number;
  /**
   * Its encoded size as it would travel in PooledTransactions: the consensus
   * encoding, plus the blob sidecar for a blob tx that carries one. This is
   * geth's tx.Size(), which geth's fetcher compares deliveries against.
   */
  size: number;
}

/** The size announced for `tx` (see TxAnnouncement.size). */
export function announcedSize(tx: Transaction): number {
  return encodeTransaction(tx).length;
}

/** Cuts `items` into runs whose summed weight stays within `maxWeight` (a single heavier item gets a run of its own). */
export function packBy<T>(items: readonly T[], weight: (item: T) => number, maxWeight: number, maxCount = Infinity): T[][] {
  const packs: T[][] = [];
  let current: T[] = [];
  let total = 0;
  for (const item of items) {
    const w = weight(item);
    if (current.length > 0 && (total + w > maxWeight || current.length >= maxCount)) {
      packs.push(current);
      current = [];
      total = 0;
    }
    current.push(item);
    total += w;
  }
  if (current.length > 0) packs.push(current);
  return packs;
}

/** Transactions packs of at most ~100 KiB each, `sizeOf` giving each tx's encoded size. */
export function packTransactions<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes = MAX_TX_PACKET_SIZE): T[][] {
  return packBy(items, sizeOf, maxBytes);
}

/** Announcement packs of at most MAX_ANNOUNCE_PACK hashes (or `maxHashes`). */
export function packAnnouncements<T>(items: readonly T[], maxHashes = MAX_ANNOUNCE_PACK): T[][] {
  return packBy(items, () => 1, maxHashes);
}
