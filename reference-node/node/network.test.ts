/**
 * The node's network as a whole, on loopback: discovery through a bootnode
 * fills the tables, discovered nodes connect over RLPx, and a datadir keeps
 * the identity and the known nodes across a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeDb } from '../discovery/node-db.js';
import { bytesToHex } from '../wire/bytes.js';
import { generatePrivateKey } from '../wire/keys.js';
import type { Protocol } from '../p2p/server.js';
import { Node } from './node.js';
import { loadNodeKey } from './node-key.js';
import { NetworkEndpoint, type NetworkConfig } from './network.js';

/** Peers need a capability in common or they drop each other as useless (0x03). */
const TEST_PROTOCOL: Protocol = { name: 'tst', version: 1, length: 1, run: () => undefined };

/** Short enough for tests, long enough for pure-JS secp256k1 (~3 ms a packet) with 20 nodes on one core. */
const FAST_DISCOVERY: NetworkConfig['discovery'] = { refreshIntervalMs: 20_000, revalidateIntervalMs: 3_000, respTimeoutMs: 2_000, emptyTableDelayMs: 100 };

interface Running {
  node: Node<Protocol>;
  network: NetworkEndpoint;
}

const running: Running[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.node.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function startNode(config: Partial<NetworkConfig>): Promise<Running> {
  const network = new NetworkEndpoint({
    privateKey: generatePrivateKey(),
    clientId: 'devp2p-check/test',
    port: 0,
    discovery: FAST_DISCOVERY,
    ...config,
  });
  const node = new Node<Protocol>({ p2p: network });
  node.register({ name: 'tst', protocols: () => [TEST_PROTOCOL], start: async () => undefined, stop: async () => undefined });
  await node.start();
  const r = { node, network };
  running.push(r);
  return r;
}

async function eventually(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('node network on loopback', () => {
  it('uses one port number for TCP RLPx and UDP discovery', async () => {
    const { network } = await startNode({});
    expect(network.localEnode.tcpPort).toBe(network.port);
    expect(network.localEnode.udpPort).toBe(network.port);
    expect(network.enode).toMatch(new RegExp(`@127\\.0\\.0\\.1:${network.port}$`));
  });

  it('20 nodes with one bootnode: within 20 s every table holds at least 15 others', async () => {
    const started = Date.now();
    const boot = await startNode({ noDial: true });
    // A bootnode admits pinging nodes to its table once its first refresh is over (geth's rule).
    await boot.network.discovery!.ready();
    const all = [boot];
    for (let i = 0; i < 19; i++) all.push(await startNode({ noDial: true, bootnodes: [boot.network.localEnode] }));
    await eventually(() => all.every((r) => r.network.discovery!.tableNodes().length >= 15), 20_000 - (Date.now() - started), 'every table to hold >= 15 nodes');
    const sizes = all.map((r) => r.network.discovery!.tableNodes().length);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(15);
    // Only our own nodes may be in the tables.
    const ports = new Set(all.map((r) => r.network.port));
    for (const r of all) for (const n of r.network.discovery!.tableNodes()) expect(ports.has(n.udpPort)).toBe(true);
    console.log(`20-node table convergence: ${Date.now() - started} ms, table sizes ${Math.min(...sizes)}..${Math.max(...sizes)}`);
  }, 30_000);

  it('two nodes that only know the bootnode find each other and connect over RLPx', async () => {
    const boot = await startNode({ noDial: true });
    const a = await startNode({ bootnodes: [boot.network.localEnode] });
    const b = await startNode({ bootnodes: [boot.network.localEnode] });
    const peer = await Promise.race([
      a.network.server.waitForPeer(b.network.localEnode.publicKey, 20_000),
      b.network.server.waitForPeer(a.network.localEnode.publicKey, 20_000),
    ]);
    expect(peer.caps).toContain('tst/1');
    expect([a.network.enode, b.network.enode].map((e) => e.slice(8, 136))).toContain(bytesToHex(peer.publicKey));
  }, 30_000);

  it('a restart with the same datadir keeps the node key and the known nodes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'devp2p-check-node-'));
    dirs.push(dir);
    const boot = await startNode({ noDial: true });
    const key = await loadNodeKey({ datadir: dir });
    // Fast revalidation: nodes reach the database once they pass several liveness checks (as in geth).
    const quick = { ...FAST_DISCOVERY, revalidateIntervalMs: 150 };
    const first = await startNode({ privateKey: key, datadir: dir, noDial: true, bootnodes: [boot.network.localEnode], discovery: quick });
    const bootKey = bytesToHex(boot.network.localEnode.publicKey);
    await eventually(() => first.network.knownNodes().some((n) => bytesToHex(n.publicKey) === bootKey), 20_000, 'the bootnode to be kept in the node database');
    const firstEnode = first.network.enode;
    const firstPort = first.network.port;
    await first.node.stop();
    running.splice(running.indexOf(first), 1);

    const db = await NodeDb.open(join(dir, 'nodes'));
    const persisted = db.nodes().map((n) => bytesToHex(n.publicKey));
    await db.close();
    expect(persisted).toContain(bootKey);

    // No bootnodes this time: the table must fill from the database alone.
    const again = await startNode({ privateKey: await loadNodeKey({ datadir: dir }), datadir: dir, noDial: true, port: firstPort });
    expect(again.network.enode).toBe(firstEnode);
    await eventually(() => again.network.discovery!.tableNodes().some((n) => bytesToHex(n.publicKey) === bootKey), 10_000, 'the table to re-seed from the node database');
  }, 30_000);
});
