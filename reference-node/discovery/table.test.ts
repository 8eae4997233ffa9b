import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../wire/bytes.js';
import { createEnr } from '../wire/enr.js';
import { generatePrivateKey, nodeIdOf, publicKeyOf } from '../wire/keys.js';
import { BUCKET_MIN_DISTANCE, BUCKET_SIZE, MAX_REPLACEMENTS, N_BUCKETS, Table } from './table.js';
import type { DiscoveredNode } from './types.js';

// The table only measures distances between node IDs, so tests place nodes with hand-made IDs
// relative to an all-zero self ID: an ID whose highest set bit is bit d-1 is at log distance d.
const SELF = new Uint8Array(32);
const DUMMY_KEY = new Uint8Array(64);

function idAt(logDistance: number, salt: number): Uint8Array {
  const id = new Uint8Array(32);
  const bit = logDistance - 1;
  id[31 - Math.floor(bit / 8)] = 1 << bit % 8;
  // Salt in the lowest bytes, below the distance bit (distances 17 and up leave room).
  id[31] = id[31]! | (salt & 0xff);
  id[30] = id[30]! | ((salt >> 8) & 0xff);
  return id;
}

function node(logDistance: number, salt: number, ip: string, udpPort = 30303): DiscoveredNode {
  return { publicKey: DUMMY_KEY, nodeId: idAt(logDistance, salt), ip, udpPort, tcpPort: udpPort };
}

function table(random: () => number = () => 0.5, now = () => 1_000_000): Table {
  return new Table(SELF, { revalidateIntervalMs: 1000, random, now });
}

const hexes = (ns: readonly { nodeId: Uint8Array }[]) => ns.map((n) => bytesToHex(n.nodeId));

describe('buckets (geth layout)', () => {
  it('17 buckets for log distances 240..256; every closer distance shares bucket 0', () => {
    const t = table();
    expect(N_BUCKETS).toBe(17);
    expect(BUCKET_MIN_DISTANCE).toBe(239);
    expect(t.bucketIndex(idAt(256, 0))).toBe(16);
    expect(t.bucketIndex(idAt(241, 0))).toBe(1);
    expect(t.bucketIndex(idAt(240, 0))).toBe(0);
    expect(t.bucketIndex(idAt(20, 0))).toBe(0);
  });

  it('takes k = 16 per bucket, then keeps up to 10 replacements, most recent first', () => {
    const t = table();
    for (let i = 0; i < BUCKET_SIZE + MAX_REPLACEMENTS + 3; i++) t.addFoundNode(node(256, i, '127.0.0.1'));
    expect(t.bucketEntries(16)).toHaveLength(BUCKET_SIZE);
    expect(t.size).toBe(BUCKET_SIZE);
    const reps = t.replacements(16);
    expect(reps).toHaveLength(MAX_REPLACEMENTS);
    expect(hexes(reps.map((r) => r.node))[0]).toBe(bytesToHex(idAt(256, BUCKET_SIZE + MAX_REPLACEMENTS + 2)));
    // Entries keep their insertion order (new ones go to the end, as in geth).
    expect(hexes(t.bucketEntries(16).map((e) => e.node))).toEqual(hexes(Array.from({ length: 16 }, (_, i) => node(256, i, 'x'))));
  });

  it('never adds ourselves, a node twice, or a node without a usable IP', () => {
    const t = table();
    expect(t.addFoundNode({ publicKey: DUMMY_KEY, nodeId: SELF, ip: '127.0.0.1', udpPort: 1, tcpPort: 1 })).toBe(false);
    expect(t.addFoundNode(node(256, 1, '127.0.0.1'))).toBe(true);
    expect(t.addFoundNode(node(256, 1, '127.0.0.1'))).toBe(false);
    expect(t.addInboundNode(node(256, 1, '127.0.0.1'))).toBe(false);
    expect(t.addFoundNode(node(256, 2, '0.0.0.0'))).toBe(false);
    expect(t.size).toBe(1);
  });
});

describe('IP limits', () => {
  it('at most 2 addresses from one /24 in a bucket (replacements count, as in geth)', () => {
    const t = table();
    expect(t.addFoundNode(node(256, 1, '8.8.8.1'))).toBe(true);
    expect(t.addFoundNode(node(256, 2, '8.8.8.2'))).toBe(true);
    expect(t.addFoundNode(node(256, 3, '8.8.8.3'))).toBe(false);
    expect(t.addFoundNode(node(255, 3, '8.8.8.3'))).toBe(true); // another bucket
    expect(t.addFoundNode(node(256, 4, '8.8.9.1'))).toBe(true); // another /24
  });

  it('at most 10 from one /24 in the whole table', () => {
    const t = table();
    let added = 0;
    for (let d = 256; d > 250; d--) for (let i = 0; i < 2; i++) if (t.addFoundNode(node(d, i, `9.9.9.${d - 240 + i * 20}`))) added++;
    expect(added).toBe(10);
  });

  it('a removed node frees its subnet slot', () => {
    const t = table();
    t.addFoundNode(node(256, 1, '8.8.8.1'));
    t.addFoundNode(node(256, 2, '8.8.8.2'));
    t.deleteNode(idAt(256, 1));
    expect(t.addFoundNode(node(256, 3, '8.8.8.3'))).toBe(true);
  });

  it('LAN addresses are exempt (geth Table.addIP), so 20 nodes on 127.0.0.1 all fit', () => {
    const t = table();
    for (let i = 0; i < 10; i++) expect(t.addFoundNode(node(256, i, '127.0.0.1'))).toBe(true);
    for (let i = 0; i < 10; i++) expect(t.addFoundNode(node(255, i, i % 2 ? '10.0.0.1' : '192.168.7.7'))).toBe(true);
    expect(t.size).toBe(20);
  });
});

describe('updates to an existing entry', () => {
  const key = generatePrivateKey();
  const publicKey = publicKeyOf(key);
  const real = (seq: bigint | undefined, ip: string, udpPort: number): DiscoveredNode => {
    const n: DiscoveredNode = { publicKey, nodeId: nodeIdOf(publicKey), ip, udpPort, tcpPort: 0 };
    if (seq !== undefined) n.enr = createEnr({ privateKey: key, seq, ip, udp: udpPort });
    return n;
  };

  it('from third parties only with a higher seq; then the endpoint moves and the node is checked again soon', () => {
    const t = new Table(nodeIdOf(publicKeyOf(generatePrivateKey())), { revalidateIntervalMs: 1000, random: () => 0.5, now: () => 0 });
    t.addFoundNode(real(3n, '127.0.0.1', 40000), true);
    const entry = t.entry(nodeIdOf(publicKey))!;
    t.revalidated(entry, true); // now live, in the slow list
    expect(entry.revalList?.name).toBe('slow');
    t.addFoundNode(real(undefined, '127.0.0.1', 40001)); // a discv4 NEIGHBORS entry: seq 0
    t.addFoundNode(real(3n, '127.0.0.1', 40002));
    expect(t.getNode(nodeIdOf(publicKey))!.udpPort).toBe(40000);
    t.addFoundNode(real(4n, '127.0.0.1', 40003));
    expect(t.getNode(nodeIdOf(publicKey))!.udpPort).toBe(40003);
    expect(entry.isValidatedLive).toBe(false);
    expect(entry.revalList?.name).toBe('fast');
  });

  it('from the node itself (inbound) any endpoint is taken; a ping keeps the record when the endpoint is unchanged', () => {
    const t = new Table(nodeIdOf(publicKeyOf(generatePrivateKey())), { revalidateIntervalMs: 1000, random: () => 0.5, now: () => 0 });
    t.addFoundNode(real(9n, '127.0.0.1', 40000));
    t.addInboundNode(real(undefined, '127.0.0.1', 40000));
    expect(t.getNode(nodeIdOf(publicKey))!.enr?.seq).toBe(9n);
    t.addInboundNode(real(undefined, '127.0.0.1', 40005));
    expect(t.getNode(nodeIdOf(publicKey))).toMatchObject({ udpPort: 40005 });
    expect(t.getNode(nodeIdOf(publicKey))!.enr).toBeUndefined();
  });
});

describe('closest', () => {
  it('returns the nearest to the target, and only live ones when asked to prefer them (unless none is live)', () => {
    const t = table();
    for (let d = 256; d > 246; d--) t.addFoundNode(node(d, 0, '127.0.0.1'));
    expect(hexes(t.closest(SELF, 3))).toEqual(hexes([node(247, 0, ''), node(248, 0, ''), node(249, 0, '')]));
    expect(t.closest(SELF, 3, true)).toHaveLength(3); // none live: all count
    t.revalidated(t.entry(idAt(256, 0))!, true);
    t.revalidated(t.entry(idAt(250, 0))!, true);
    expect(hexes(t.closest(SELF, 3, true))).toEqual(hexes([node(250, 0, ''), node(256, 0, '')]));
  });
});

describe('revalidation outcomes (geth handleResponse)', () => {
  it('a node never validated that misses a ping is replaced from the replacements', () => {
    const t = table(() => 0);
    for (let i = 0; i < BUCKET_SIZE + 2; i++) t.addFoundNode(node(256, i, '127.0.0.1'));
    const victim = t.entry(idAt(256, 3))!;
    expect(t.revalidated(victim, false)).toBeUndefined();
    expect(t.getNode(idAt(256, 3))).toBeUndefined();
    expect(t.bucketEntries(16)).toHaveLength(BUCKET_SIZE);
    // random() = 0 picks the first replacement: the most recent one.
    expect(t.getNode(idAt(256, BUCKET_SIZE + 1))).toBeDefined();
    expect(t.replacements(16)).toHaveLength(1);
  });

  it('answers count up and move the node to the slow list; a miss divides the count by 3', () => {
    const t = table();
    t.addFoundNode(node(256, 1, '127.0.0.1'));
    const e = t.entry(idAt(256, 1))!;
    expect(e.revalList?.name).toBe('fast');
    for (let i = 0; i < 7; i++) t.revalidated(e, true);
    expect(e).toMatchObject({ livenessChecks: 7, isValidatedLive: true });
    expect(e.revalList?.name).toBe('slow');
    t.revalidated(e, false);
    expect(e.livenessChecks).toBe(2);
    expect(e.revalList?.name).toBe('fast');
    t.revalidated(e, false);
    expect(t.revalidated(e, false)).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('a node removed while its ping was out is not brought back', () => {
    const t = table();
    t.addFoundNode(node(256, 1, '127.0.0.1'));
    const e = t.entry(idAt(256, 1))!;
    t.deleteNode(e.node.nodeId);
    expect(t.revalidated(e, true)).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('schedules one node per list when due, never one already being checked', () => {
    let now = 0;
    // A fixed sequence: schedules land at half the interval; the second pick first draws the busy node, then the other.
    const draws = [0.5, 0.5, 0.5, 0.5, 0.1, 0.5];
    const t = new Table(SELF, { revalidateIntervalMs: 1000, random: () => draws.shift() ?? 0.5, now: () => now });
    t.addFoundNode(node(256, 1, '127.0.0.1'));
    t.addFoundNode(node(256, 2, '127.0.0.1'));
    const rv = t.revalidation;
    expect(rv.fast.nextTime).toBe(500);
    expect(rv.run(499).due).toEqual([]);
    now = 500;
    const first = rv.run(500);
    expect(first.due).toHaveLength(1);
    expect(first.nextTime).toBe(1000);
    const second = rv.run(1000);
    expect(second.due).toHaveLength(1);
    expect(hexes(second.due.map((e) => e.node))).not.toEqual(hexes(first.due.map((e) => e.node)));
    // Both in flight: nothing left to pick.
    expect(rv.run(5000).due).toEqual([]);
    t.revalidated(first.due[0]!, true);
    expect(first.due[0]!.revalList?.name).toBe('slow');
    expect(rv.active.size).toBe(1);
  });
});
