/**
 * How many nodes one Neighbors packet may carry. geth fixes the count at 12
 * (v4wire MaxNeighbors) rather than packing by actual size: 12 is the most
 * that fit in 1280 bytes when every node is worst case (16-byte IPv6 address,
 * 3-byte ports, uint64-max expiration), so a reply never has to be re-split
 * because some of the nodes happen to be IPv6. With IPv4-only nodes 14 would
 * fit, but a receiver cannot tell, and the fixed count keeps replies uniform.
 * neighbors.test.ts derives the 12 from our encoder.
 */
import type { NeighborNode } from './types.js';

export const MAX_NEIGHBORS = 12;

/**
 * Splits a reply into packets of at most MAX_NEIGHBORS nodes, in order. No
 * nodes still gives one (empty) packet, as geth answers: the asker learns the
 * table is empty instead of waiting out its timeout.
 */
export function chunkNeighbors(nodes: readonly NeighborNode[], perPacket = MAX_NEIGHBORS): NeighborNode[][] {
  if (!Number.isInteger(perPacket) || perPacket < 1) throw new RangeError(`perPacket ${perPacket} must be a positive integer`);
  const chunks: NeighborNode[][] = [];
  for (let i = 0; i < nodes.length; i += perPacket) chunks.push(nodes.slice(i, i + perPacket));
  return chunks.length > 0 ? chunks : [[]];
}
