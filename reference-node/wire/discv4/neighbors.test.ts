import { describe, expect, it } from 'vitest';
import { encodeDiscv4Packet } from './codec.js';
import { chunkNeighbors, MAX_NEIGHBORS } from './neighbors.js';
import type { NeighborNode } from './types.js';

const key = new Uint8Array(32).fill(7);
const UINT64_MAX = (1n << 64n) - 1n;
/** The largest node a Neighbors packet can carry: IPv6 address, 3-byte ports, a 64-byte key. */
const worstNode: NeighborNode = { ip: new Uint8Array(16).fill(0xff), udpPort: 0xffff, tcpPort: 0xffff, publicKey: new Uint8Array(64).fill(0xff) };
const v4Node: NeighborNode = { ...worstNode, ip: Uint8Array.of(255, 255, 255, 255) };

function sizeWith(count: number, node: NeighborNode): number {
  try {
    return encodeDiscv4Packet({ type: 'neighbors', nodes: new Array<NeighborNode>(count).fill(node), expiration: UINT64_MAX }, key).length;
  } catch (err) {
    if (err instanceof RangeError) return Infinity;
    throw err;
  }
}

function mostThatFit(node: NeighborNode): number {
  let n = 0;
  while (sizeWith(n + 1, node) <= 1280) n++;
  return n;
}

describe('Neighbors packet sizing', () => {
  it('MAX_NEIGHBORS (12, as geth) is the most worst-case IPv6 nodes that fit in 1280 bytes', () => {
    expect(mostThatFit(worstNode)).toBe(MAX_NEIGHBORS);
    expect(MAX_NEIGHBORS).toBe(12);
    expect(sizeWith(12, worstNode)).toBe(1205);
  });

  it('IPv4-only nodes would allow 14, which a fixed count deliberately does not use', () => {
    expect(mostThatFit(v4Node)).toBe(14);
  });
});

describe('chunkNeighbors', () => {
  const nodes = Array.from({ length: 30 }, (_, i): NeighborNode => ({ ...v4Node, udpPort: i }));

  it('splits in order into packets of at most 12', () => {
    const chunks = chunkNeighbors(nodes.slice(0, 16));
    expect(chunks.map((c) => c.length)).toEqual([12, 4]);
    expect(chunks.flat()).toEqual(nodes.slice(0, 16));
    expect(chunkNeighbors(nodes.slice(0, 24)).map((c) => c.length)).toEqual([12, 12]);
    expect(chunkNeighbors(nodes).map((c) => c.length)).toEqual([12, 12, 6]);
    expect(chunkNeighbors(nodes.slice(0, 5), 2).map((c) => c.length)).toEqual([2, 2, 1]);
  });

  it('gives one empty packet for no nodes, as geth replies', () => {
    expect(chunkNeighbors([])).toEqual([[]]);
  });

  it('every chunk of worst-case nodes encodes within the limit', () => {
    for (const chunk of chunkNeighbors(new Array<NeighborNode>(40).fill(worstNode))) {
      expect(encodeDiscv4Packet({ type: 'neighbors', nodes: chunk, expiration: UINT64_MAX }, key).length).toBeLessThanOrEqual(1280);
    }
  });

  it('rejects a non-positive chunk size', () => {
    expect(() => chunkNeighbors(nodes, 0)).toThrow(RangeError);
  });
});
