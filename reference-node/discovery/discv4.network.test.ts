/**
 * Networks of our own discv4 nodes on 127.0.0.1, in one process.
 *
 * Timers are shortened for tests, but not below what the machine can carry:
 * a discv4 packet costs about 3 ms of signing and key recovery here (pure-JS
 * secp256k1), and 20 nodes bonding with each other keep one core busy for
 * several seconds. Reply timeouts are therefore generous (2 s), which costs
 * nothing when peers answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../wire/bytes.js';
import type { Enode } from '../wire/enode.js';
import { enrPublicKey, verifyEnr } from '../wire/enr.js';
import { generatePrivateKey, publicKeyOf } from '../wire/keys.js';
import { Discv4, type Discv4Options } from './discv4.js';
import { NodeDb } from './node-db.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Nodes first (they flush into their databases), then the databases.
  while (cleanups.length) await cleanups.pop()!();
});

const TEST_TIMING = { refreshIntervalMs: 20_000, revalidateIntervalMs: 3000, respTimeoutMs: 2000, emptyTableDelayMs: 100 } as const;

async function start(options: Partial<Discv4Options> = {}): Promise<Discv4> {
  const db = await NodeDb.open();
  cleanups.push(() => db.close());
  const d = await Discv4.start({ privateKey: generatePrivateKey(), db, ...TEST_TIMING, ...options });
  cleanups.push(() => d.close());
  return d;
}

const enodeOf = (d: Discv4): Enode => ({ publicKey: d.publicKey, ip: '127.0.0.1', udpPort: d.port, tcpPort: 0 });
const hex = (x: { publicKey: Uint8Array }) => bytesToHex(x.publicKey);

async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!cond()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

describe('discv4 network of our own nodes', () => {
  it('20 nodes, one bootnode: within 20 s every table holds at least 15 of the others', async () => {
    const started = Date.now();
    const boot = await start();
    // A bootnode takes nodes that ping it into its table only once its first self lookup is over (geth's rule, see discv4.ts).
    await boot.ready();
    const nodes = [boot];
    for (let i = 0; i < 19; i++) nodes.push(await start({ bootnodes: [enodeOf(boot)] }));
    const keys = new Set(nodes.map(hex));
    const sizes = () => nodes.map((n) => n.tableNodes().length);
    await waitFor(`tables of 15+ (sizes now ${sizes().join(' ')})`, () => sizes().every((s) => s >= 15), 20_000 - (Date.now() - started));
    console.log(`discv4: 20 nodes converged (every table >= 15) ${Date.now() - started} ms after the first start; sizes ${sizes().join(' ')}`);
    for (const n of nodes) {
      for (const e of n.tableNodes()) {
        // Only nodes of this network, at the address they really have, never ourselves.
        expect(keys.has(hex(e))).toBe(true);
        expect(hex(e)).not.toBe(hex(n));
        expect(e.ip).toBe('127.0.0.1');
        expect(nodes.find((m) => hex(m) === hex(e))!.port).toBe(e.udpPort);
      }
      expect(n.stats.internalErrors).toBe(0);
      expect(n.stats.backgroundErrors).toBe(0);
      expect(n.stats.invalid).toEqual({});
    }
  }, 60_000);

  it('two nodes that only know the bootnode find each other with a lookup', async () => {
    const boot = await start();
    await boot.ready();
    const a = await start({ bootnodes: [enodeOf(boot)] });
    const b = await start({ bootnodes: [enodeOf(boot)] });
    await Promise.all([a.ready(), b.ready()]);
    // b may already be in a's table from its first refresh; the lookup must name it either way.
    const found = await a.lookup(b.publicKey);
    expect(found.length).toBeGreaterThan(0);
    expect(hex(found[0]!)).toBe(hex(b));
    expect(found[0]).toMatchObject({ ip: '127.0.0.1', udpPort: b.port });
  }, 30_000);

  it('randomNodes() streams nodes of the network and ends when the service closes', async () => {
    const boot = await start();
    await boot.ready();
    const others = [await start({ bootnodes: [enodeOf(boot)] }), await start({ bootnodes: [enodeOf(boot)] })];
    const walker = await start({ bootnodes: [enodeOf(boot)] });
    const want = new Set([boot, ...others].map(hex));
    const seen = new Set<string>();
    const walk = (async () => {
      for await (const n of walker.randomNodes()) {
        expect(want.has(hex(n))).toBe(true);
        seen.add(hex(n));
        if (seen.size === want.size) break;
      }
    })();
    await walk;
    expect(seen).toEqual(want);
    // A second walk is cut off by close(), not left hanging.
    let yielded = 0;
    const endless = (async () => {
      for await (const _ of walker.randomNodes()) yielded++;
    })();
    await waitFor('the walk yields', () => yielded > 0, 10_000);
    await walker.close();
    await endless;
  }, 30_000);

  it('ping() and requestEnr() against another node: seq in the pong, a verified record for its key', async () => {
    const a = await start();
    const b = await start({ tcpPort: 30305 });
    const pong = await a.ping(b.localNode());
    expect(pong.enrSeq).toBe(b.localEnr().seq);
    const record = await a.requestEnr(b.localNode());
    expect(verifyEnr(record)).toBe(true);
    expect(enrPublicKey(record)).toEqual(b.publicKey);
    expect(record.seq).toBe(b.localEnr().seq);
  });

  it('a node that bumps its record is re-fetched by a peer on revalidation (pong enr-seq above the known one)', async () => {
    const fast = { revalidateIntervalMs: 300 };
    const boot = await start(fast);
    await boot.ready();
    const a = await start({ ...fast, bootnodes: [enodeOf(boot)] });
    await a.ready();
    const entryInBoot = () => boot.tableNodes().find((n) => hex(n) === hex(a));
    await waitFor('boot fetched a\'s record', () => entryInBoot()?.enr?.seq === a.localEnr().seq, 15_000);
    const before = a.localEnr().seq;
    const updated = a.updateLocalRecord({ tcpPort: 30399 });
    expect(updated.seq).toBe(before + 1n);
    await waitFor('boot fetched the new record', () => entryInBoot()?.enr?.seq === before + 1n, 15_000);
    expect(entryInBoot()).toMatchObject({ tcpPort: 30399, udpPort: a.port });
    expect(boot.stats.enrFetched).toBeGreaterThanOrEqual(2);
  }, 40_000);

  it('updateLocalRecord keeps the seq when nothing changes', async () => {
    const a = await start({ tcpPort: 30303 });
    const seq = a.localEnr().seq;
    expect(a.updateLocalRecord({ tcpPort: 30303 }).seq).toBe(seq);
    expect(a.updateLocalRecord({ entries: { foo: Uint8Array.of(1) } }).seq).toBe(seq + 1n);
  });

  it('skips bootnodes with discport 0 and itself; close() is prompt and idempotent', async () => {
    const key = generatePrivateKey();
    const self: Enode = { publicKey: publicKeyOf(key), ip: '127.0.0.1', udpPort: 30303, tcpPort: 30303 };
    const off: Enode = { publicKey: publicKeyOf(generatePrivateKey()), ip: '127.0.0.1', udpPort: 0, tcpPort: 30303 };
    const a = await start({ privateKey: key, bootnodes: [self, off], respTimeoutMs: 5000 });
    expect(a.tableNodes()).toEqual([]);
    const t = Date.now();
    const pending = a.lookup(publicKeyOf(generatePrivateKey()));
    await a.close();
    await a.close();
    expect(await pending).toEqual([]);
    expect(Date.now() - t).toBeLessThan(2000);
  });
});
