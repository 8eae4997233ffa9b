/**
 * The behaviours geth's discv4 test suite (cmd/devp2p/internal/v4test)
 * checks, run against our service by a scripted UDP peer. Test names follow
 * the suite's ("Ping/Basic", "Amplification/WrongIP", ...).
 *
 * "No answer" is never judged by waiting alone: after the packet under test
 * the peer sends a sentinel ping, and the first reply that is not a ping
 * (our node may ping back to bond) must be the pong to the sentinel. Replies
 * to one socket leave in the order the packets were handled, so anything
 * answered to the packet under test would come first.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../wire/bytes.js';
import { encodeRawDiscv4Packet, expirationAfter, ipToBytes, MAX_PACKET_SIZE, type Endpoint, type NeighborNode } from '../wire/discv4.js';
import { createEnr, decodeEnr, encodeEnr, enrPublicKey, enrTcp, enrUdp, enrIp, verifyEnr } from '../wire/enr.js';
import { generatePrivateKey, keccak256, nodeIdOf, publicKeyOf } from '../wire/keys.js';
import { encodeRlp } from '../wire/rlp.js';
import { Discv4 } from './discv4.js';
import { NodeDb } from './node-db.js';
import { TestPeer, type Received } from './test-peer.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

let target: Discv4;
let to: { port: number };

/** A node with an empty table whose timers stay quiet for the length of a test (random 0.5: every timer at half its interval). */
async function startTarget(db?: NodeDb): Promise<Discv4> {
  const nodeDb = db ?? (await NodeDb.open());
  const d = await Discv4.start({
    privateKey: generatePrivateKey(),
    db: nodeDb,
    tcpPort: 30303,
    refreshIntervalMs: 3_600_000,
    revalidateIntervalMs: 3_600_000,
    respTimeoutMs: 500,
    emptyTableDelayMs: 10,
    random: () => 0.5,
  });
  cleanups.push(async () => {
    await d.close();
    await nodeDb.close();
  });
  await d.ready();
  return d;
}

async function peer(ip = '127.0.0.1', key = generatePrivateKey()): Promise<TestPeer> {
  const p = await TestPeer.open(ip, key);
  cleanups.push(() => p.close());
  return p;
}

beforeEach(async () => {
  target = await startTarget();
  to = { port: target.port };
});

const future = () => expirationAfter(Date.now() / 1000);
/** geth's "-futureExpiration()": a uint64 that wraps to a negative Unix time, in the past when read as int64 (as geth reads it). */
const wrappedPast = () => (1n << 64n) - future();
const targetEndpoint = () => ({ ip: ipToBytes('127.0.0.1'), udpPort: target.port, tcpPort: 0 });
const wrongEndpoint: Endpoint = { ip: ipToBytes('192.0.2.0'), udpPort: 0, tcpPort: 0 };

/** geth's checkPong: the hash echoes our ping, `to` is where we really are, and it is not expired. */
function checkPong(r: Received, pingHash: Uint8Array, p: TestPeer): void {
  expect(r.decoded.packet.type).toBe('pong');
  if (r.decoded.packet.type !== 'pong') return;
  expect(bytesToHex(r.decoded.packet.pingHash)).toBe(bytesToHex(pingHash.subarray(0, 32)));
  expect(r.decoded.packet.to.ip).toEqual(ipToBytes(p.ip));
  expect(r.decoded.packet.to.udpPort).toBe(p.port);
  expect(r.decoded.packet.expiration).toBeGreaterThanOrEqual(BigInt(Math.floor(Date.now() / 1000)));
  expect(r.decoded.publicKey).toEqual(target.publicKey);
  expect(r.from).toEqual({ ip: '127.0.0.1', port: target.port });
}

/** geth's checkPingPong: exactly one pong (checked) and one ping, in either order. */
async function checkPingPong(p: TestPeer, pingHash: Uint8Array): Promise<void> {
  const got = [await p.next(), await p.next()];
  const pongs = got.filter((r) => r.decoded.packet.type === 'pong');
  const pings = got.filter((r) => r.decoded.packet.type === 'ping');
  expect(pongs).toHaveLength(1);
  expect(pings).toHaveLength(1);
  checkPong(pongs[0]!, pingHash, p);
}

/** geth's bond(): ping, answer the ping-back with a correct pong, and see our own pong. */
async function bond(p: TestPeer): Promise<void> {
  const ping = await p.ping(to);
  let gotPing = false;
  let gotPong = false;
  while (!gotPing || !gotPong) {
    const r = await p.next();
    if (r.decoded.packet.type === 'ping') {
      await p.send({ type: 'pong', to: targetEndpoint(), pingHash: r.decoded.hash, expiration: future() }, to);
      gotPing = true;
    } else if (r.decoded.packet.type === 'pong') {
      checkPong(r, ping, p);
      gotPong = true;
    }
  }
}

/**
 * The sentinel check described at the top: nothing but pings (and, once
 * bonded, lookups of our own) may come before the pong to a fresh ping.
 */
async function expectNoReplyBefore(p: TestPeer, dest: { port: number; ip?: string } = to): Promise<Received[]> {
  const sentinel = await p.ping(dest);
  const before: Received[] = [];
  for (;;) {
    const r = await p.next();
    if (r.decoded.packet.type === 'pong' && bytesToHex(r.decoded.packet.pingHash) === bytesToHex(sentinel.subarray(0, 32))) break;
    before.push(r);
  }
  for (const r of before) expect(['ping', 'findNode']).toContain(r.decoded.packet.type);
  return before;
}

/** The ping of geth's pingWithJunk: two extra list elements after the expiration (EIP-8). */
function pingWithJunk(p: TestPeer, from: Endpoint): Uint8Array {
  const ep = (e: Endpoint) => [e.ip, e.udpPort, e.tcpPort];
  return encodeRawDiscv4Packet(1, encodeRlp([4, ep(from), ep(targetEndpoint()), future(), 42, Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2, 1)]), p.privateKey);
}

describe('geth v4test: Ping', () => {
  it('Ping/Basic: a ping gets a pong (hash, observed address, enr-seq) and a ping-back', async () => {
    const p = await peer();
    const sentBefore = target.stats.sent;
    const ping = await p.ping(to);
    await checkPingPong(p, ping);
    // Both went to where we really are, nowhere else.
    expect(target.stats.sent - sentBefore).toBe(2);
    await expectNoReplyBefore(p);
  });

  it('Ping/Basic: the pong carries our ENR seq (EIP-868)', async () => {
    const p = await peer();
    const ping = await p.ping(to);
    const pong = await p.nextOfType('pong');
    checkPong(pong.raw, ping, p);
    expect(pong.packet.enrSeq).toBe(target.localEnr().seq);
  });

  it('Ping/WrongTo: a wrong "to" is ignored and the ping answered', async () => {
    const p = await peer();
    const ping = await p.ping(to, { to: wrongEndpoint });
    await checkPingPong(p, ping);
  });

  it('Ping/WrongFrom: a wrong "from" is ignored; pong and ping-back go to the observed address', async () => {
    const p = await peer();
    const sentBefore = target.stats.sent;
    const ping = await p.ping(to, { from: wrongEndpoint });
    await checkPingPong(p, ping);
    expect(target.stats.sent - sentBefore).toBe(2);
  });

  it('Ping/ExtraData: extra list elements are ignored (EIP-8)', async () => {
    const p = await peer();
    const ping = pingWithJunk(p, p.endpoint);
    await p.sendRaw(ping, to);
    await checkPingPong(p, ping);
  });

  it('Ping/ExtraDataWrongFrom: extra elements and a wrong "from" together', async () => {
    const p = await peer();
    const ping = pingWithJunk(p, wrongEndpoint);
    await p.sendRaw(ping, to);
    await checkPingPong(p, ping);
  });

  it('Ping/PastExpiration: an expired ping gets no reply (a past Unix time, and geth\'s wrapped negative one)', async () => {
    const p = await peer();
    await p.ping(to, { expiration: BigInt(Math.floor(Date.now() / 1000) - 60) });
    await p.ping(to, { expiration: wrappedPast() });
    const before = await expectNoReplyBefore(p);
    expect(before.filter((r) => r.decoded.packet.type === 'pong')).toEqual([]);
    expect(target.stats.expired).toBe(2);
  });

  it('Ping/WrongPacketType: an unknown packet type gets no reply', async () => {
    const p = await peer();
    const ep = (e: Endpoint) => [e.ip, e.udpPort, e.tcpPort];
    const body = encodeRlp([4, ep(p.endpoint), ep(targetEndpoint()), future()]);
    // geth's wrongPacket (66) and a type far outside the range.
    await p.sendRaw(encodeRawDiscv4Packet(66, body, p.privateKey), to);
    await p.sendRaw(encodeRawDiscv4Packet(0x77, body, p.privateKey), to);
    await expectNoReplyBefore(p);
    expect(target.stats.invalid['unknown-type']).toBe(2);
  });

  it('Ping/WrongPacketType: unsolicited pong, neighbors and ENRResponse get no reply', async () => {
    const p = await peer();
    await p.send({ type: 'pong', to: targetEndpoint(), pingHash: new Uint8Array(32).fill(1), expiration: future() }, to);
    await p.send({ type: 'neighbors', nodes: [], expiration: future() }, to);
    await p.send({ type: 'enrResponse', requestHash: new Uint8Array(32).fill(2), enr: encodeEnr(target.localEnr()) }, to);
    await expectNoReplyBefore(p);
    expect(target.stats.unsolicited).toBe(3);
  });

  it('Ping/BondThenPingWithWrongFrom: after bonding, a wrong "from" still gets a pong at the observed address', async () => {
    const p = await peer();
    await bond(p);
    const sentBefore = target.stats.sent;
    const ping = await p.ping(to, { from: wrongEndpoint });
    const pong = await p.nextOfType('pong', 3000);
    checkPong(pong.raw, ping, p);
    // Bonded, so no ping-back: the pong was the only packet, and it came to us.
    expect(target.stats.sent - sentBefore).toBe(1);
  });
});

describe('geth v4test: Findnode', () => {
  it('Findnode/WithoutEndpointProof: FINDNODE from a node that never bonded gets nothing', async () => {
    const p = await peer();
    await p.send({ type: 'findNode', target: publicKeyOf(generatePrivateKey()), expiration: future() }, to);
    await expectNoReplyBefore(p);
    expect(target.stats.ignored).toBe(1);
  });

  it('Findnode/BasicFindnode: after bonding, FINDNODE is answered with NEIGHBORS', async () => {
    const p = await peer();
    await bond(p);
    await p.send({ type: 'findNode', target: publicKeyOf(generatePrivateKey()), expiration: future() }, to);
    const n = await p.nextOfType('neighbors');
    expect(n.publicKey).toEqual(target.publicKey);
    expect(n.raw.bytes.length).toBeLessThanOrEqual(MAX_PACKET_SIZE);
    // Its table holds one node: us, taken in when we bonded.
    expect(n.packet.nodes.map((x) => bytesToHex(x.publicKey))).toEqual([bytesToHex(p.publicKey)]);
    expect(n.packet.nodes[0]).toMatchObject({ ip: ipToBytes('127.0.0.1'), udpPort: p.port });
  });

  it('Findnode/UnsolicitedNeighbors: nodes in an unsolicited NEIGHBORS are ignored', async () => {
    const p = await peer();
    await bond(p);
    const fake = publicKeyOf(generatePrivateKey());
    await p.send({ type: 'neighbors', nodes: [{ ip: ipToBytes('127.0.0.1'), udpPort: 30303, tcpPort: 30303, publicKey: fake }], expiration: future() }, to);
    await p.send({ type: 'findNode', target: fake, expiration: future() }, to);
    const n = await p.nextOfType('neighbors');
    expect(n.packet.nodes.map((x) => bytesToHex(x.publicKey))).not.toContain(bytesToHex(fake));
    expect(target.tableNodes().map((x) => bytesToHex(x.publicKey))).not.toContain(bytesToHex(fake));
    expect(target.stats.unsolicited).toBe(1);
  });

  it('Findnode/PastExpiration: an expired FINDNODE from a bonded node gets nothing', async () => {
    const p = await peer();
    await bond(p);
    await p.send({ type: 'findNode', target: publicKeyOf(generatePrivateKey()), expiration: wrappedPast() }, to);
    await p.send({ type: 'findNode', target: publicKeyOf(generatePrivateKey()), expiration: 1n }, to);
    await expectNoReplyBefore(p);
    expect(target.stats.expired).toBe(2);
  });
});

describe('geth v4test: Amplification', () => {
  it('Amplification/InvalidPongHash: a pong with the wrong hash does not bond, so FINDNODE gets nothing', async () => {
    const p = await peer();
    await p.ping(to);
    let gotPing = false;
    let gotPong = false;
    while (!gotPing || !gotPong) {
      const r = await p.next();
      if (r.decoded.packet.type === 'ping') {
        await p.send({ type: 'pong', to: targetEndpoint(), pingHash: new Uint8Array(32), expiration: future() }, to);
        gotPing = true;
      } else if (r.decoded.packet.type === 'pong') {
        gotPong = true;
      }
    }
    await p.send({ type: 'findNode', target: publicKeyOf(generatePrivateKey()), expiration: future() }, to);
    const before = await expectNoReplyBefore(p);
    expect(before.filter((r) => r.decoded.packet.type === 'neighbors')).toEqual([]);
    expect(target.stats.unsolicited).toBe(1);
  });

  it('Amplification/WrongIP: bonded from 127.0.0.1, FINDNODE from 127.0.0.2 with the same key gets nothing', async () => {
    const p1 = await peer('127.0.0.1');
    const p2 = await peer('127.0.0.2', p1.privateKey);
    await bond(p1);
    await p2.send({ type: 'findNode', target: publicKeyOf(generatePrivateKey()), expiration: future() }, to);
    await expectNoReplyBefore(p2);
    expect(target.stats.ignored).toBe(1);
    // The same request from the bonded address is answered: the proof is bound to the IP, not only the key.
    await p1.send({ type: 'findNode', target: publicKeyOf(generatePrivateKey()), expiration: future() }, to);
    await p1.nextOfType('neighbors');
  });
});

describe('geth v4test: ENR (EIP-868)', () => {
  it('ENRRequest: answered with an ENRResponse that echoes the request hash and holds our verified record', async () => {
    const p = await peer();
    await bond(p);
    const request = await p.send({ type: 'enrRequest', expiration: future() }, to);
    const r = await p.nextOfType('enrResponse');
    expect(bytesToHex(r.packet.requestHash)).toBe(bytesToHex(keccak256(request.subarray(32))));
    const record = decodeEnr(r.packet.enr);
    expect(verifyEnr(record)).toBe(true);
    expect(enrPublicKey(record)).toEqual(r.publicKey);
    expect(enrPublicKey(record)).toEqual(target.publicKey);
    expect(record.seq).toBe(target.localEnr().seq);
    expect(enrIp(record)).toBe('127.0.0.1');
    expect(enrUdp(record)).toBe(target.port);
    expect(enrTcp(record)).toBe(30303);
  });

  it('ENRRequest: not answered without endpoint proof, nor when expired', async () => {
    const p = await peer();
    await p.send({ type: 'enrRequest', expiration: future() }, to);
    await expectNoReplyBefore(p);
    await bond(p);
    await p.send({ type: 'enrRequest', expiration: wrappedPast() }, to);
    await expectNoReplyBefore(p);
    expect(target.stats.ignored).toBe(1);
    expect(target.stats.expired).toBe(1);
  });
});

describe('packet hygiene', () => {
  it('a NEIGHBORS reply never exceeds 1280 bytes, even with a full table of worst-case (IPv6, max port) nodes', async () => {
    // Fill a second target's table from its database: 40 nodes on ::1 (loopback: nothing leaves the host) with 16-byte IPs and 3-byte ports.
    const db = await NodeDb.open();
    const now = Date.now();
    for (let i = 0; i < 40; i++) {
      const publicKey = publicKeyOf(generatePrivateKey());
      const node = { publicKey, nodeId: nodeIdOf(publicKey), ip: '::1', udpPort: 65535, tcpPort: 65535 };
      db.updateNode(node);
      db.updateLastPongReceived(node.nodeId, '::1', now);
    }
    const full = await startTarget(db);
    expect(full.tableNodes().length).toBeGreaterThanOrEqual(16);
    to = { port: full.port };
    target = full;
    const p = await peer();
    await bond(p);
    await p.send({ type: 'findNode', target: publicKeyOf(generatePrivateKey()), expiration: future() }, to);
    const first = await p.nextOfType('neighbors');
    const second = await p.nextOfType('neighbors');
    for (const n of [first, second]) expect(n.raw.bytes.length).toBeLessThanOrEqual(MAX_PACKET_SIZE);
    expect(first.packet.nodes).toHaveLength(12);
    expect(second.packet.nodes).toHaveLength(4);
    expect(first.raw.bytes.length).toBeGreaterThan(1100);
  });

  it('a packet with a bad hash is dropped and counted, and gets no reply', async () => {
    const p = await peer();
    const ping = await p.ping({ port: 1 }); // built for the target, sent nowhere useful
    const bad = Uint8Array.from(ping);
    bad[0]! ^= 0xff;
    await p.sendRaw(bad, to);
    await expectNoReplyBefore(p);
    expect(target.stats.invalid.hash).toBe(1);
  });

  it('a packet with a bad signature is dropped and counted, and gets no reply', async () => {
    const p = await peer();
    const good = await p.ping({ port: 1 });
    const withSig = (mutate: (sig: Uint8Array) => void) => {
      const bytes = Uint8Array.from(good);
      mutate(bytes.subarray(32, 97));
      // Re-hash so the packet passes the hash check and fails on the signature itself.
      bytes.set(keccak256(bytes.subarray(32)), 0);
      return bytes;
    };
    await p.sendRaw(withSig((sig) => (sig[64] = 7)), to); // recovery id out of range
    await p.sendRaw(withSig((sig) => sig.fill(0, 0, 64)), to); // r = s = 0
    await expectNoReplyBefore(p);
    expect(target.stats.invalid.signature).toBe(2);
  });
});

describe('our own requests, against a scripted peer', () => {
  /** Answers pings (and pings back once), ENRRequests with `record`, FINDNODEs with `nodes`, each to its sender, until stopped. */
  function respond(p: TestPeer, script: { record?: Uint8Array; nodes?: NeighborNode[] }): () => void {
    let running = true;
    let pingedBack = false;
    void (async () => {
      while (running) {
        let r: Received;
        try {
          r = await p.next(200);
        } catch {
          continue;
        }
        const d = r.decoded;
        const dest = { port: r.from.port };
        if (d.packet.type === 'ping') {
          await p.send({ type: 'pong', to: d.packet.from, pingHash: d.hash, expiration: future() }, dest);
          if (!pingedBack) {
            pingedBack = true;
            await p.ping(dest);
          }
        } else if (d.packet.type === 'enrRequest' && script.record) {
          await p.send({ type: 'enrResponse', requestHash: d.hash, enr: script.record }, dest);
        } else if (d.packet.type === 'findNode' && script.nodes) {
          await p.send({ type: 'neighbors', nodes: script.nodes, expiration: future() }, dest);
        }
      }
    })();
    return () => (running = false);
  }

  const asNode = (p: TestPeer) => ({ publicKey: p.publicKey, nodeId: nodeIdOf(p.publicKey), ip: '127.0.0.1', udpPort: p.port, tcpPort: 0 });

  it('requestEnr rejects a record signed by another key', async () => {
    const p = await peer();
    const other = generatePrivateKey();
    const stop = respond(p, { record: encodeEnr(createEnr({ privateKey: other, seq: 3n, ip: '127.0.0.1', udp: p.port })) });
    cleanups.push(async () => stop());
    await expect(target.requestEnr(asNode(p))).rejects.toThrow(/another node/);
  });

  it('requestEnr takes a valid record, and keeps the newer one it holds when the answer is older', async () => {
    const p = await peer();
    const current = createEnr({ privateKey: p.privateKey, seq: 7n, ip: '127.0.0.1', udp: p.port });
    const stop = respond(p, { record: encodeEnr(createEnr({ privateKey: p.privateKey, seq: 5n, ip: '127.0.0.1', udp: p.port })) });
    cleanups.push(async () => stop());
    expect((await target.requestEnr(asNode(p))).seq).toBe(5n);
    expect(await target.requestEnr({ ...asNode(p), enr: current })).toBe(current);
  });

  it('NEIGHBORS entries with a low port, a special-network or malformed IP, or an off-curve key never reach the table', async () => {
    const p = await peer();
    const good = publicKeyOf(generatePrivateKey());
    const key = () => publicKeyOf(generatePrivateKey());
    // 0.1.2.3 is in 0.0.0.0/8 ("this network"): unroutable, so nothing could leave the host even if it were used.
    const nodes: NeighborNode[] = [
      { ip: ipToBytes('127.0.0.1'), udpPort: 40000, tcpPort: 40000, publicKey: good },
      { ip: ipToBytes('127.0.0.1'), udpPort: 1024, tcpPort: 1024, publicKey: key() },
      { ip: ipToBytes('0.1.2.3'), udpPort: 40001, tcpPort: 40001, publicKey: key() },
      { ip: Uint8Array.of(127, 0, 1), udpPort: 40002, tcpPort: 40002, publicKey: key() },
      { ip: ipToBytes('127.0.0.1'), udpPort: 40003, tcpPort: 40003, publicKey: new Uint8Array(64).fill(7) },
    ];
    const stop = respond(p, { nodes });
    cleanups.push(async () => stop());
    // The lookup goes through the only node it is told about: the scripted peer.
    const db = await NodeDb.open();
    const asker = await Discv4.start({ privateKey: generatePrivateKey(), db, refreshIntervalMs: 3_600_000, revalidateIntervalMs: 3_600_000, respTimeoutMs: 300, emptyTableDelayMs: 10, random: () => 0.5, bootnodes: [{ publicKey: p.publicKey, ip: '127.0.0.1', udpPort: p.port, tcpPort: 0 }] });
    cleanups.push(async () => {
      await asker.close();
      await db.close();
    });
    await asker.ready();
    const keys = asker.tableNodes().map((n) => bytesToHex(n.publicKey)).sort();
    expect(keys).toEqual([bytesToHex(p.publicKey), bytesToHex(good)].sort());
  });
});
