/**
 * The Kademlia metric on node IDs (keccak256 of the public key): XOR,
 * compared as a 256-bit number. logDist is the bit length of the XOR, so two
 * IDs at log distance d share their first 256 - d bits.
 */
import type { NodeId } from '../wire/keys.js';
import type { DiscoveredNode } from './types.js';

/** 0 for equal IDs, else 1 + the index of the highest differing bit (1..256). */
export function logDist(a: NodeId, b: NodeId): number {
  for (let i = 0; i < 32; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return (32 - i) * 8 - Math.clz32(x) + 24;
  }
  return 0;
}

/** Negative when a is closer to target than b, positive when farther, 0 when equally far. */
export function compareDistance(target: NodeId, a: NodeId, b: NodeId): number {
  for (let i = 0; i < 32; i++) {
    const da = a[i]! ^ target[i]!;
    const db = b[i]! ^ target[i]!;
    if (da !== db) return da - db;
  }
  return 0;
}

/** Up to `max` nodes, closest to `target` first; pushing a farther node into a full list does nothing. */
export class NodesByDistance<N extends { nodeId: NodeId } = DiscoveredNode> {
  readonly entries: N[] = [];

  constructor(
    readonly target: NodeId,
    readonly max: number,
  ) {}

  push(node: N): void {
    let i = this.entries.length;
    while (i > 0 && compareDistance(this.target, node.nodeId, this.entries[i - 1]!.nodeId) < 0) i--;
    if (i >= this.max) return;
    this.entries.splice(i, 0, node);
    if (this.entries.length > this.max) this.entries.pop();
  }
}
