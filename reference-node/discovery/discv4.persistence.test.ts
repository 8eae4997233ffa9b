/**
 * What discovery keeps across a restart with the same node database
 * directory: seed nodes for the table, endpoint proofs, and our own ENR seq.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../wire/bytes.js';
import { expirationAfter } from '../wire/discv4.js';
import type { Enode } from '../wire/enode.js';
import { generatePrivateKey, publicKeyOf } from '../wire/keys.js';
import { Discv4, type Discv4Options } from './discv4.js';
import { NodeDb } from './node-db.js';
import { TestPeer } from './test-peer.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'discv4-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const QUIET = { refreshIntervalMs: 3_600_000, revalidateIntervalMs: 3_600_000, respTimeoutMs: 1000, emptyTableDelayMs: 50, random: () => 0.5 } as const;

/** A node on its own database; close() shuts both, and is safe to call again from the cleanup. */
async function run(db: NodeDb, options: Partial<Discv4Options>): Promise<{ d: Discv4; close: () => Promise<void> }> {
  const d = await Discv4.start({ privateKey: generatePrivateKey(), db, ...options });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await d.close();
    await db.close();
  };
  cleanups.push(close);
  return { d, close };
}

const enodeOf = (d: Discv4): Enode => ({ publicKey: d.publicKey, ip: '127.0.0.1', udpPort: d.port, tcpPort: 0 });
const hex = (x: { publicKey: Uint8Array }) => bytesToHex(x.publicKey);

async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('discv4 across restarts', () => {
  it('the table re-seeds from the node database of the same directory, without bootnodes', async () => {
    const dir = await tempDir();
    // Fast revalidation: geth stores a node as a seed once it passed more than 5 liveness checks.
    const fast = { refreshIntervalMs: 60_000, revalidateIntervalMs: 150, respTimeoutMs: 1000, emptyTableDelayMs: 50 };
    const boot = (await run(await NodeDb.open(), fast)).d;
    await boot.ready();
    const others = [(await run(await NodeDb.open(), { ...fast, bootnodes: [enodeOf(boot)] })).d, (await run(await NodeDb.open(), { ...fast, bootnodes: [enodeOf(boot)] })).d];
    const key = generatePrivateKey();
    const db1 = await NodeDb.open(join(dir, 'nodes'));
    const first = await run(db1, { ...fast, privateKey: key, bootnodes: [enodeOf(boot)] });
    const want = [boot, ...others].map(hex).sort();
    await waitFor('all three stored as seeds', () => want.every((w) => db1.nodes().some((n) => hex(n) === w)), 20_000);
    const port = first.d.port;
    const seq = first.d.localEnr().seq;
    await first.close();

    const db2 = await NodeDb.open(join(dir, 'nodes'));
    expect(db2.nodes().map(hex).sort()).toEqual(expect.arrayContaining(want));
    const second = await run(db2, { ...QUIET, privateKey: key, port });
    // Seeded at start from the database alone.
    expect(second.d.tableNodes().map(hex).sort()).toEqual(want);
    // The seeds are real: a lookup through them finds a node by key.
    const found = await second.d.lookup(others[1]!.publicKey);
    expect(hex(found[0]!)).toBe(hex(others[1]!));
    // Same key, same endpoint: the same record, not a new seq.
    expect(second.d.localEnr().seq).toBe(seq);
  }, 60_000);

  it('our ENR seq: the same endpoint keeps it, a change bumps it by one, a new database starts at the time in ms (geth)', async () => {
    const dir = await tempDir();
    const key = generatePrivateKey();
    const before = BigInt(Date.now());
    const a = await run(await NodeDb.open(dir), { ...QUIET, privateKey: key, tcpPort: 30303 });
    const port = a.d.port;
    const seq = a.d.localEnr().seq;
    expect(seq).toBeGreaterThanOrEqual(before);
    expect(seq).toBeLessThanOrEqual(BigInt(Date.now()));
    await a.close();

    const b = await run(await NodeDb.open(dir), { ...QUIET, privateKey: key, port, tcpPort: 30303 });
    expect(b.d.localEnr().seq).toBe(seq);
    await b.close();

    const c = await run(await NodeDb.open(dir), { ...QUIET, privateKey: key, port, tcpPort: 30304 });
    expect(c.d.localEnr().seq).toBe(seq + 1n);
    await c.close();

    // enrSeq only applies when the database holds no record of ours.
    const d = await run(await NodeDb.open(dir), { ...QUIET, privateKey: key, port, tcpPort: 30304, enrSeq: 5n });
    expect(d.d.localEnr().seq).toBe(seq + 1n);
    const e = await run(await NodeDb.open(), { ...QUIET, privateKey: generatePrivateKey(), enrSeq: 5n });
    expect(e.d.localEnr().seq).toBe(5n);
  }, 30_000);

  it('an endpoint proof survives a restart: a bonded peer\'s FINDNODE is answered at once', async () => {
    const dir = await tempDir();
    const key = generatePrivateKey();
    const a = await run(await NodeDb.open(dir), { ...QUIET, privateKey: key });
    await a.d.ready();
    const port = a.d.port;
    const p = await TestPeer.open();
    cleanups.push(() => p.close());
    await p.bond({ port });
    await p.send({ type: 'findNode', target: publicKeyOf(generatePrivateKey()), expiration: expirationAfter(Date.now() / 1000) }, { port });
    await p.nextOfType('neighbors');
    await a.close();

    const b = await run(await NodeDb.open(dir), { ...QUIET, privateKey: key, port });
    await b.d.ready();
    p.drain();
    await p.send({ type: 'findNode', target: publicKeyOf(generatePrivateKey()), expiration: expirationAfter(Date.now() / 1000) }, { port });
    const n = await p.nextOfType('neighbors');
    expect(n.publicKey).toEqual(b.d.publicKey);
    expect(b.d.stats.ignored).toBe(0);
  }, 30_000);
});
