import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, describe, expect, it } from 'vitest';
import { createEnr } from '../wire/enr.js';
import { generatePrivateKey, nodeIdOf, publicKeyOf } from '../wire/keys.js';
import { NODE_DB_VERSION, NodeDb } from './node-db.js';
import type { DiscoveredNode } from './types.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nodedb-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function open(dir?: string): Promise<NodeDb> {
  const db = await NodeDb.open(dir);
  cleanups.push(() => db.close());
  return db;
}

function node(ip = '127.0.0.1', udpPort = 30303, seq?: bigint): DiscoveredNode & { key: Uint8Array } {
  const key = generatePrivateKey();
  const publicKey = publicKeyOf(key);
  const n: DiscoveredNode & { key: Uint8Array } = { key, publicKey, nodeId: nodeIdOf(publicKey), ip, udpPort, tcpPort: udpPort + 1 };
  if (seq !== undefined) n.enr = createEnr({ privateKey: key, seq, ip, udp: udpPort, tcp: udpPort + 1 });
  return n;
}

const strip = ({ key: _key, ...rest }: DiscoveredNode & { key?: Uint8Array }) => rest;

describe('NodeDb in memory', () => {
  it('stores nodes and reads them back; IPv4-mapped addresses are stored in their IPv4 form', async () => {
    const db = await open();
    expect(db.persistent).toBe(false);
    const a = node('::ffff:127.0.0.9');
    db.updateNode(a);
    expect(db.node(a.nodeId)).toEqual({ ...strip(a), ip: '127.0.0.9' });
    expect(db.nodes()).toHaveLength(1);
    expect(db.node(nodeIdOf(publicKeyOf(generatePrivateKey())))).toBeUndefined();
  });

  it('keeps the record with the higher seq (geth UpdateNode)', async () => {
    const db = await open();
    const a = node('127.0.0.1', 30303, 5n);
    db.updateNode(a);
    const older = { ...strip(a), enr: createEnr({ privateKey: a.key, seq: 4n, ip: '127.0.0.1', udp: 40000 }), udpPort: 40000 };
    db.updateNode(older);
    expect(db.node(a.nodeId)!.enr!.seq).toBe(5n);
    expect(db.node(a.nodeId)!.udpPort).toBe(30303);
    const newer = { ...strip(a), enr: createEnr({ privateKey: a.key, seq: 6n, ip: '127.0.0.1', udp: 40001 }), udpPort: 40001 };
    db.updateNode(newer);
    expect(db.node(a.nodeId)!.udpPort).toBe(40001);
  });

  it('keeps ping, pong and findnode failures per (ID, IP)', async () => {
    const db = await open();
    const a = node();
    db.updateLastPingReceived(a.nodeId, '127.0.0.1', 1000);
    db.updateLastPongReceived(a.nodeId, '127.0.0.1', 2000);
    db.updateFindFails(a.nodeId, '127.0.0.1', 3);
    db.updateLastPongReceived(a.nodeId, '127.0.0.2', 9000);
    expect(db.lastPingReceived(a.nodeId, '127.0.0.1')).toBe(1000);
    expect(db.lastPongReceived(a.nodeId, '::ffff:127.0.0.1')).toBe(2000);
    expect(db.findFails(a.nodeId, '127.0.0.1')).toBe(3);
    expect(db.lastPongReceived(a.nodeId, '127.0.0.2')).toBe(9000);
    expect(db.lastPingReceived(a.nodeId, '127.0.0.2')).toBe(0);
    expect(db.findFails(a.nodeId, '127.0.0.3')).toBe(0);
  });

  it('querySeeds: only nodes that answered a ping at their stored IP within maxAge, at most n, random', async () => {
    const db = await open();
    const now = 10_000_000;
    const fresh = Array.from({ length: 8 }, () => node());
    const stale = node();
    const elsewhere = node('127.0.0.5');
    for (const n of [...fresh, stale, elsewhere]) db.updateNode(n);
    for (const n of fresh) db.updateLastPongReceived(n.nodeId, n.ip, now - 1000);
    db.updateLastPongReceived(stale.nodeId, stale.ip, now - 5000);
    db.updateLastPongReceived(elsewhere.nodeId, '127.0.0.6', now); // bonded, but not at the IP we store
    const ids = (ns: DiscoveredNode[]) => ns.map((n) => Buffer.from(n.nodeId).toString('hex')).sort();
    expect(ids(db.querySeeds(30, 2000, now))).toEqual(ids(fresh));
    expect(db.querySeeds(3, 2000, now)).toHaveLength(3);
    expect(ids(db.querySeeds(30, 10_000, now))).toEqual(ids([...fresh, stale]));
  });

  it('expire drops nodes that have not answered for too long, with their stats, and keeps the rest', async () => {
    const db = await open();
    const now = 100 * 86_400_000;
    const live = node();
    const dead = node();
    db.updateNode(live);
    db.updateNode(dead);
    db.updateLastPongReceived(live.nodeId, live.ip, now - 3_600_000);
    db.updateLastPongReceived(dead.nodeId, dead.ip, now - 2 * 86_400_000);
    db.updateFindFails(dead.nodeId, dead.ip, 2);
    expect(db.expire(now)).toBe(1);
    expect(db.node(live.nodeId)).toBeDefined();
    expect(db.node(dead.nodeId)).toBeUndefined();
    expect(db.findFails(dead.nodeId, dead.ip)).toBe(0);
    expect(db.lastPongReceived(dead.nodeId, dead.ip)).toBe(0);
  });

  it('deleteNode forgets the node and its stats at every IP', async () => {
    const db = await open();
    const a = node();
    db.updateNode(a);
    db.updateLastPongReceived(a.nodeId, '127.0.0.1', 5);
    db.updateLastPongReceived(a.nodeId, '::1', 6);
    db.deleteNode(a.nodeId);
    expect(db.node(a.nodeId)).toBeUndefined();
    expect(db.lastPongReceived(a.nodeId, '::1')).toBe(0);
  });

  it('rejects writes after close', async () => {
    const db = await NodeDb.open();
    await db.close();
    expect(() => db.updateFindFails(node().nodeId, '127.0.0.1', 1)).toThrow(/closed/);
    await db.close(); // idempotent
  });
});

describe('NodeDb on disk', () => {
  it('survives a reopen of the same directory: nodes with records, stats, our own ENR', async () => {
    const dir = await tempDir();
    const a = node('127.0.0.1', 30303, 7n);
    const b = node('::1', 40404);
    const own = generatePrivateKey();
    const ownRecord = createEnr({ privateKey: own, seq: 42n, ip: '127.0.0.1', udp: 1234 });
    {
      const db = await NodeDb.open(dir);
      expect(db.persistent).toBe(true);
      db.updateNode(a);
      db.updateNode(b);
      db.updateLastPingReceived(a.nodeId, a.ip, 111);
      db.updateLastPongReceived(a.nodeId, a.ip, 222);
      db.updateFindFails(b.nodeId, b.ip, 4);
      db.storeLocalEnr(ownRecord);
      // No explicit flush: close() must write what is pending.
      await db.close();
    }
    const db = await open(dir);
    expect(db.node(a.nodeId)).toEqual(strip(a));
    expect(db.node(b.nodeId)).toEqual(strip(b));
    expect(db.lastPingReceived(a.nodeId, a.ip)).toBe(111);
    expect(db.lastPongReceived(a.nodeId, a.ip)).toBe(222);
    expect(db.findFails(b.nodeId, '::1')).toBe(4);
    expect(db.localEnr(nodeIdOf(publicKeyOf(own)))).toEqual(ownRecord);
  });

  it('a delete reaches the disk too', async () => {
    const dir = await tempDir();
    const a = node();
    let db = await NodeDb.open(dir);
    db.updateNode(a);
    await db.flush();
    db.deleteNode(a.nodeId);
    await db.close();
    db = await open(dir);
    expect(db.nodes()).toEqual([]);
  });

  it('wipes a database of another layout version, and skips entries that do not parse', async () => {
    const dir = await tempDir();
    const raw = new ClassicLevel<string, string>(dir, { valueEncoding: 'utf8' });
    await raw.open();
    await raw.put('version', 'old');
    await raw.put('n:00', 'garbage');
    await raw.close();
    let db = await NodeDb.open(dir);
    expect(db.nodes()).toEqual([]);
    const a = node();
    db.updateNode(a);
    await db.close();
    // A corrupt entry written behind its back costs that entry only.
    const raw2 = new ClassicLevel<string, string>(dir, { valueEncoding: 'utf8' });
    await raw2.open();
    expect(await raw2.get('version')).toBe(NODE_DB_VERSION);
    await raw2.put(`n:${'ab'.repeat(32)}`, '{not json');
    await raw2.close();
    db = await open(dir);
    expect(db.nodes().map((n) => n.ip)).toEqual(['127.0.0.1']);
  });
});
