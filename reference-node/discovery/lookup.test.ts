import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, uintToBytes } from '../wire/bytes.js';
import { keccak256 } from '../wire/keys.js';
import { compareDistance } from './distance.js';
import { Lookup } from './lookup.js';
import type { DiscoveredNode } from './types.js';

// Pure simulation: nodes are IDs, a query is a function call. No sockets.
const fake = (): DiscoveredNode => ({ publicKey: new Uint8Array(64), nodeId: new Uint8Array(randomBytes(32)), ip: '127.0.0.1', udpPort: 30303, tcpPort: 0 });
const hex = (n: { nodeId: Uint8Array }) => bytesToHex(n.nodeId);
const closestOf = (target: Uint8Array, nodes: DiscoveredNode[], k: number) => [...nodes].sort((a, b) => compareDistance(target, a.nodeId, b.nodeId)).slice(0, k);

function network(size: number, knowledge: number) {
  const nodes = Array.from({ length: size }, fake);
  // Each node knows a random subset of the others, and answers with the closest it knows.
  const known = new Map(nodes.map((n) => [hex(n), nodes.filter((o) => o !== n).sort(() => Math.random() - 0.5).slice(0, knowledge)]));
  return { nodes, known };
}

/**
 * A deterministic Kademlia-shaped network: IDs from a hash chain, and each
 * node knows its 16 nearest nodes (its close buckets) plus 20 far ones (one
 * hash-chosen node per step), as a settled table would.
 */
function kademliaNetwork(size: number) {
  const id = (i: number) => keccak256(concatBytes(uintToBytes(i + 1), new Uint8Array([0x6b])));
  const nodes: DiscoveredNode[] = Array.from({ length: size }, (_, i) => ({ ...fake(), nodeId: id(i) }));
  const known = new Map(
    nodes.map((n, i) => {
      const near = closestOf(n.nodeId, nodes.filter((o) => o !== n), 16);
      const far = Array.from({ length: 20 }, (_, j) => nodes[(i * 7919 + j * 104729) % size]!).filter((o) => o !== n);
      return [hex(n), [...near, ...far]];
    }),
  );
  return { nodes, known };
}

describe('Lookup', () => {
  it('finds the k closest nodes of a Kademlia-shaped network, with at most alpha queries in flight, nobody asked twice', async () => {
    const { nodes, known } = kademliaNetwork(300);
    const self = nodes[0]!;
    const target = keccak256(new Uint8Array([1, 2, 3]));
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    const asked: string[] = [];
    const lookup = new Lookup({
      target,
      selfId: self.nodeId,
      resultSize: 16,
      concurrency: 3,
      initial: () => closestOf(target, known.get(hex(self))!, 16),
      query: async (n) => {
        asked.push(hex(n));
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // Replies come back out of order.
        await new Promise((r) => setTimeout(r, calls++ % 3));
        inFlight--;
        return closestOf(target, known.get(hex(n))!, 16);
      },
    });
    const result = await lookup.run();
    const truth = closestOf(target, nodes.filter((n) => n !== self), 16);
    expect(result.map(hex)).toEqual(truth.map(hex));
    expect(maxInFlight).toBe(3);
    expect(new Set(asked).size).toBe(asked.length);
    expect(asked).not.toContain(hex(self));
  });

  it('over random partial knowledge, returns the closest it heard of, sorted', async () => {
    const { nodes, known } = network(200, 40);
    const self = nodes[0]!;
    const target = new Uint8Array(randomBytes(32));
    const heard = new Map<string, DiscoveredNode>();
    const lookup = new Lookup({
      target,
      selfId: self.nodeId,
      resultSize: 16,
      concurrency: 3,
      initial: () => closestOf(target, known.get(hex(self))!, 16),
      query: async (n) => {
        const reply = closestOf(target, known.get(hex(n))!, 16);
        for (const r of reply) heard.set(hex(r), r);
        return reply;
      },
    });
    const result = await lookup.run();
    for (const n of closestOf(target, known.get(hex(self))!, 16)) heard.set(hex(n), n);
    // Peers may name us in their replies; a lookup never returns its own node.
    heard.delete(hex(self));
    expect(result.map(hex)).toEqual(closestOf(target, [...heard.values()], 16).map(hex));
  });

  it('advance() yields the table first, then only nodes not seen before', async () => {
    const { nodes, known } = network(60, 30);
    const self = nodes[0]!;
    const target = new Uint8Array(randomBytes(32));
    const lookup = new Lookup({
      target,
      selfId: self.nodeId,
      resultSize: 16,
      concurrency: 3,
      initial: () => known.get(hex(self))!.slice(0, 5),
      query: async (n) => closestOf(target, known.get(hex(n))!, 16),
    });
    const first = await lookup.advance();
    expect(first!.map(hex)).toEqual(known.get(hex(self))!.slice(0, 5).map(hex));
    const seen = new Set(first!.map(hex));
    for (;;) {
      const batch = await lookup.advance();
      if (batch === undefined) break;
      for (const n of batch) {
        expect(seen.has(hex(n))).toBe(false);
        seen.add(hex(n));
      }
    }
  });

  it('treats a failed query as an empty reply and goes on', async () => {
    const { nodes } = network(20, 0);
    const self = nodes[0]!;
    const target = new Uint8Array(randomBytes(32));
    const others = nodes.slice(1);
    const lookup = new Lookup({
      target,
      selfId: self.nodeId,
      resultSize: 16,
      concurrency: 3,
      initial: () => others.slice(0, 4),
      query: async (n) => {
        if (hex(n) === hex(others[0]!)) throw new Error('timeout');
        return others;
      },
    });
    const result = await lookup.run();
    expect(result.map(hex)).toEqual(closestOf(target, others, 16).map(hex));
  });

  it('waits on an empty table once, then ends', async () => {
    let waited = 0;
    const lookup = new Lookup({
      target: new Uint8Array(32),
      selfId: new Uint8Array(32).fill(1),
      resultSize: 16,
      concurrency: 3,
      initial: () => [],
      query: () => Promise.reject(new Error('never called')),
      onEmptyTable: async () => void waited++,
    });
    expect(await lookup.run()).toEqual([]);
    expect(waited).toBe(1);
  });

  it('starts no query once closed', async () => {
    const { nodes } = network(20, 10);
    let queries = 0;
    let closed = false;
    const lookup = new Lookup({
      target: new Uint8Array(32),
      selfId: nodes[0]!.nodeId,
      resultSize: 16,
      concurrency: 3,
      initial: () => nodes.slice(1),
      query: async () => {
        queries++;
        closed = true;
        return [];
      },
      isClosed: () => closed,
    });
    await lookup.run();
    expect(queries).toBeLessThanOrEqual(3);
  });
});

describe('Lookup and ourselves', () => {
  it('never yields or returns our own node, even when a reply names it', async () => {
    const { nodes } = network(10, 0);
    const self = nodes[0]!;
    const lookup = new Lookup({
      target: self.nodeId,
      selfId: self.nodeId,
      resultSize: 16,
      concurrency: 3,
      initial: () => nodes.slice(1, 3),
      query: async () => nodes,
    });
    const yielded: string[] = [];
    for (let b = await lookup.advance(); b !== undefined; b = await lookup.advance()) yielded.push(...b.map(hex));
    expect(yielded).not.toContain(hex(self));
    expect(lookup.closest.map(hex)).not.toContain(hex(self));
    expect(lookup.closest).toHaveLength(9);
  });
});
