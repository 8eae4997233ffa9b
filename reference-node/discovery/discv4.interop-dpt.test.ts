/**
 * The discv4 service against an independent implementation:
 * @ethereumjs/devp2p's DPT, both ways, on 127.0.0.1 only.
 *
 * Safety (notes/ethereumjs-as-peer.md): a DPT with neighbour discovery on
 * pings every endpoint it learns, from a Ping's `from` and from NEIGHBORS.
 * Here it only ever learns 127.0.0.1 endpoints: every node in these tests
 * binds and advertises 127.0.0.1, our NEIGHBORS only carry table entries
 * (all of them 127.0.0.1), DNS discovery is off and its resolver is pointed
 * at 127.0.0.1. The tests also check that every endpoint it learned is
 * loopback.
 */
import { DPT, type PeerInfo } from '@ethereumjs/devp2p';
import { afterEach, describe, expect, it } from 'vitest';
import { startLoopbackDpt, type RunningDpt } from '../../test-support/ethereumjs-dpt.js';
import { bytesToHex } from '../wire/bytes.js';
import type { Enode } from '../wire/enode.js';
import { generatePrivateKey } from '../wire/keys.js';
import { Discv4, type Discv4Options } from './discv4.js';
import { NodeDb } from './node-db.js';

const LOOPBACK = '127.0.0.1';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function startDpt(): Promise<RunningDpt> {
  const running = await startLoopbackDpt({ findNeighbours: true, refreshIntervalMs: 2000 });
  cleanups.push(() => running.close());
  return running;
}

/**
 * Each node advertises its own TCP port: the DPT's table keys peers by
 * address:tcpPort too, so nodes sharing 127.0.0.1:30303 would look like one
 * peer to it and it would never ping the others.
 */
let nextTcpPort = 30400;

async function startOurs(options: Partial<Discv4Options> = {}): Promise<Discv4> {
  const db = await NodeDb.open();
  cleanups.push(() => db.close());
  const d = await Discv4.start({
    privateKey: generatePrivateKey(),
    db,
    tcpPort: nextTcpPort++,
    refreshIntervalMs: 10_000,
    revalidateIntervalMs: 500,
    respTimeoutMs: 1000,
    emptyTableDelayMs: 100,
    ...options,
  });
  cleanups.push(() => d.close());
  return d;
}

const enodeOf = (d: Discv4): Enode => ({ publicKey: d.publicKey, ip: LOOPBACK, udpPort: d.port, tcpPort: d.localNode().tcpPort });
const dptEnode = (d: RunningDpt): Enode => ({ publicKey: d.publicKey, ip: LOOPBACK, udpPort: d.port, tcpPort: 0 });
/** ethereumjs keeps 64-byte ids (sometimes with the 0x04 prefix). */
const idHex = (id: Uint8Array | undefined) => bytesToHex(id!.length === 65 ? id!.subarray(1) : id!);

async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function onlyLoopback(peers: PeerInfo[]): void {
  for (const p of peers) expect(p.address).toBe(LOOPBACK);
}

describe('discv4 service with @ethereumjs/devp2p DPT (loopback)', () => {
  it('a DPT bootstrapped from our bootnode finds our nodes', async () => {
    const boot = await startOurs();
    await boot.ready();
    const ours = [await startOurs({ bootnodes: [enodeOf(boot)] }), await startOurs({ bootnodes: [enodeOf(boot)] }), await startOurs({ bootnodes: [enodeOf(boot)] })];
    // Our bootnode answers FINDNODE with nodes it has seen answer (geth's preferLive): let it check all three first.
    const live = () => new Set(boot.tableEntries().filter((e) => e.isValidatedLive).map((e) => bytesToHex(e.node.publicKey)));
    await waitFor('our bootnode validated our three nodes', () => ours.every((o) => live().has(bytesToHex(o.publicKey))), 15_000);

    const d = await startDpt();
    await d.dpt.bootstrap({ address: LOOPBACK, udpPort: boot.port, tcpPort: boot.localNode().tcpPort });
    const known = () => new Set(d.dpt.getPeers().map((p) => idHex(p.id)));
    await waitFor('the DPT knows our three nodes', () => ours.every((o) => known().has(bytesToHex(o.publicKey))), 20_000);
    expect(known().has(bytesToHex(boot.publicKey))).toBe(true);
    onlyLoopback(d.dpt.getPeers());
    for (const o of ours) expect(d.dpt.getPeer(o.publicKey)).toMatchObject({ address: LOOPBACK, udpPort: o.port });
    // It bonded with our bootnode along the way, so the bootnode took it in.
    await waitFor('our bootnode has the DPT in its table', () => boot.tableNodes().some((n) => bytesToHex(n.publicKey) === bytesToHex(d.publicKey)), 10_000);
    for (const n of [boot, ...ours]) {
      expect(n.stats.invalid).toEqual({});
      expect(n.stats.internalErrors).toBe(0);
      expect(n.stats.backgroundErrors).toBe(0);
    }
  }, 60_000);

  it('our node bootstrapped from a DPT finds the DPT-only nodes behind it', async () => {
    const d1 = await startDpt();
    const d2 = await startDpt();
    const d3 = await startDpt();
    await d2.dpt.bootstrap({ address: LOOPBACK, udpPort: d1.port, tcpPort: null });
    await d3.dpt.bootstrap({ address: LOOPBACK, udpPort: d1.port, tcpPort: null });
    await waitFor('the DPT nodes know each other', () => d1.dpt.getPeers().length >= 2, 10_000);

    const ours = await startOurs({ bootnodes: [dptEnode(d1)] });
    const want = [d1, d2, d3].map((d) => bytesToHex(d.publicKey));
    const have = () => new Set(ours.tableNodes().map((n) => bytesToHex(n.publicKey)));
    await waitFor('our table holds the three DPT nodes', () => want.every((w) => have().has(w)), 20_000);
    for (const n of ours.tableNodes()) expect(n.ip).toBe(LOOPBACK);
    for (const d of [d1, d2, d3]) {
      expect(ours.tableNodes().find((n) => bytesToHex(n.publicKey) === bytesToHex(d.publicKey))).toMatchObject({ udpPort: d.port });
      onlyLoopback(d.dpt.getPeers());
    }
    // A lookup for a DPT node's key names it first.
    const found = await ours.lookup(d3.publicKey);
    expect(bytesToHex(found[0]!.publicKey)).toBe(bytesToHex(d3.publicKey));
    expect(ours.stats.invalid).toEqual({});
    expect(ours.stats.backgroundErrors).toBe(0);
  }, 60_000);
});
