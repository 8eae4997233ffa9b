import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { readSharedJson } from '../../test-support/shared.js';
import { bytesToHex, hexToBytes } from '../wire/bytes.js';
import {
  decodeDiscv4Packet,
  encodeDiscv4Packet,
  encodeRawDiscv4Packet,
  expirationAfter,
  ipToBytes,
  type DecodedPacket,
  type Packet,
} from '../wire/discv4.js';
import { createEnr, encodeEnr } from '../wire/enr.js';
import { generatePrivateKey, nodeIdOf, publicKeyOf } from '../wire/keys.js';
import { encodeRlp } from '../wire/rlp.js';
import { Discv4TimeoutError, Discv4UdpEndpoint, MemoryBondStore, type UdpEndpointOptions } from './udp-endpoint.js';

const LOOPBACK = '127.0.0.1';

/** A bare UDP socket on loopback that records what arrives, for driving the endpoint byte by byte. */
class Probe {
  readonly key = generatePrivateKey();
  readonly publicKey = publicKeyOf(this.key);
  private readonly queue: { bytes: Uint8Array; port: number }[] = [];
  private waiter: (() => void) | undefined;
  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (msg, rinfo) => {
      this.queue.push({ bytes: new Uint8Array(msg), port: rinfo.port });
      this.waiter?.();
    });
  }
  static async open(): Promise<Probe> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, LOOPBACK, resolve));
    return new Probe(socket);
  }
  get port(): number {
    return this.socket.address().port;
  }
  send(bytes: Uint8Array, port: number): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(bytes, port, LOOPBACK, (err) => (err ? reject(err) : resolve())));
  }
  /** The next datagram, decoded; fails the test after `timeoutMs`. */
  async next(timeoutMs = 2000): Promise<DecodedPacket> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`probe: nothing arrived within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return decodeDiscv4Packet(this.queue.shift()!.bytes);
  }
  /** The next datagram of one type, skipping others (e.g. the endpoint's ping-back). */
  async nextOfType<T extends Packet['type']>(type: T, timeoutMs = 2000): Promise<DecodedPacket<Extract<Packet, { type: T }>>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = await this.next(Math.max(1, deadline - Date.now()));
      if (d.packet.type === type) return d as DecodedPacket<Extract<Packet, { type: T }>>;
    }
  }
  pending(): number {
    return this.queue.length;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function endpoint(options: Partial<UdpEndpointOptions> = {}): Promise<Discv4UdpEndpoint> {
  const ep = await Discv4UdpEndpoint.open({ privateKey: generatePrivateKey(), ...options });
  cleanups.push(() => ep.close());
  return ep;
}

async function probe(): Promise<Probe> {
  const p = await Probe.open();
  cleanups.push(() => p.close());
  return p;
}

async function waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const nowS = () => Date.now() / 1000;

function pingFrom(p: Probe, to: Discv4UdpEndpoint, overrides: Partial<Extract<Packet, { type: 'ping' }>> = {}): Uint8Array {
  return encodeDiscv4Packet(
    {
      type: 'ping',
      version: 4n,
      from: { ip: ipToBytes(LOOPBACK), udpPort: p.port, tcpPort: 30399 },
      to: { ip: ipToBytes(LOOPBACK), udpPort: to.udpPort, tcpPort: 0 },
      expiration: expirationAfter(nowS()),
      ...overrides,
    },
    p.key,
  );
}

const enrRecords = readSharedJson<{ records: { name: string; rlp: string; seq: string }[] }>('vectors-reference', 'enr.json').records;
const gethSeq99 = enrRecords.find((r) => r.name === 'geth_seq99')!;

describe('Discv4UdpEndpoint answering', () => {
  it('answers a ping with a pong to the observed address, echoing the hash, expiring in 20 s, with its enr-seq', async () => {
    const ep = await endpoint({ enrSeq: 42n, pingBack: false });
    const p = await probe();
    const ping = pingFrom(p, ep);
    const before = Math.floor(nowS());
    await p.send(ping, ep.udpPort);
    const pong = await p.next();
    expect(pong.publicKey).toEqual(ep.publicKey);
    expect(pong.packet.type).toBe('pong');
    if (pong.packet.type !== 'pong') return;
    expect(pong.packet.pingHash).toEqual(ping.subarray(0, 32));
    expect(pong.packet.to).toEqual({ ip: ipToBytes(LOOPBACK), udpPort: p.port, tcpPort: 30399 });
    expect(pong.packet.enrSeq).toBe(42n);
    expect(Number(pong.packet.expiration) - before).toBeGreaterThanOrEqual(20);
    expect(Number(pong.packet.expiration) - before).toBeLessThanOrEqual(21);
  });

  it('uses the sender address it saw, not the one the ping claims', async () => {
    const ep = await endpoint({ pingBack: false });
    const p = await probe();
    const ping = pingFrom(p, ep, { from: { ip: ipToBytes('10.9.9.9'), udpPort: 1, tcpPort: 2 } });
    await p.send(ping, ep.udpPort);
    const pong = await p.nextOfType('pong');
    expect(pong.packet.to).toEqual({ ip: ipToBytes(LOOPBACK), udpPort: p.port, tcpPort: 2 });
  });

  it('pings an unverified sender back, and stops once it has answered', async () => {
    const ep = await endpoint();
    const p = await probe();
    await p.send(pingFrom(p, ep), ep.udpPort);
    await p.nextOfType('pong');
    const back = await p.nextOfType('ping');
    expect(back.publicKey).toEqual(ep.publicKey);
    expect(back.packet.to).toEqual({ ip: ipToBytes(LOOPBACK), udpPort: p.port, tcpPort: 0 });
    expect(back.packet.from.udpPort).toBe(ep.udpPort);
    // Answer it: the probe is now verified, so the next ping gets a pong only.
    const pong = encodeDiscv4Packet(
      { type: 'pong', to: back.packet.from, pingHash: back.hash, expiration: expirationAfter(nowS()) },
      p.key,
    );
    await p.send(pong, ep.udpPort);
    await waitFor(() => ep.isVerified(p.publicKey, LOOPBACK));
    await p.send(pingFrom(p, ep), ep.udpPort);
    await p.nextOfType('pong');
    const marker = pingFrom(p, ep);
    await p.send(marker, ep.udpPort);
    const second = await p.next();
    expect(second.packet.type).toBe('pong'); // no ping-back came in between
  });

  it('drops expired pings and counts them', async () => {
    const ep = await endpoint({ pingBack: false });
    const p = await probe();
    await p.send(pingFrom(p, ep, { expiration: BigInt(Math.floor(nowS())) - 1n }), ep.udpPort);
    const valid = pingFrom(p, ep);
    await p.send(valid, ep.udpPort);
    const pong = await p.nextOfType('pong');
    // The only answer is to the second, valid ping.
    expect(pong.packet.pingHash).toEqual(valid.subarray(0, 32));
    await waitFor(() => ep.stats.received === 2);
    expect(ep.stats.expired).toBe(1);
    expect(p.pending()).toBe(0);
  });

  it('ignores invalid packets and counts them by error code', async () => {
    const ep = await endpoint({ pingBack: false });
    const p = await probe();
    const badHash = pingFrom(p, ep);
    badHash[5]! ^= 1;
    await p.send(badHash, ep.udpPort);
    await p.send(Uint8Array.of(1, 2, 3), ep.udpPort);
    await p.send(encodeRawDiscv4Packet(9, encodeRlp([1n]), p.key), ep.udpPort);
    await p.send(new Uint8Array(1281), ep.udpPort);
    await p.send(encodeRawDiscv4Packet(1, encodeRlp([4n]), p.key), ep.udpPort);
    const valid = pingFrom(p, ep);
    await p.send(valid, ep.udpPort);
    expect((await p.next()).packet).toMatchObject({ type: 'pong', pingHash: valid.subarray(0, 32) });
    await waitFor(() => ep.stats.received === 6);
    expect(ep.stats.invalid).toEqual({ hash: 1, length: 1, 'unknown-type': 1, 'too-large': 1, shape: 1 });
    expect(ep.stats.internalErrors).toBe(0);
    expect(p.pending()).toBe(0);
  });

  it('answers an official EIP-8 ping (2006) only when its clock says 2006', async () => {
    const v = readSharedJson<{ packets: Record<string, { packet: string; hash: string }> }>('vectors-reference', 'discv4-eip8-packets.json');
    const official = v.packets.ping_v4_extra!;
    const past = await endpoint({ pingBack: false, now: () => 1136239400 });
    const present = await endpoint({ pingBack: false });
    const p = await probe();
    await p.send(hexToBytes(official.packet), present.udpPort);
    await p.send(hexToBytes(official.packet), past.udpPort);
    const pong = await p.nextOfType('pong');
    expect(pong.publicKey).toEqual(past.publicKey);
    expect(bytesToHex(pong.packet.pingHash)).toBe(official.hash);
    expect(pong.packet.expiration).toBe(1136239420n);
    await waitFor(() => present.stats.expired === 1);
  });
});

describe('Discv4UdpEndpoint.ping', () => {
  it('resolves with the matching pong between two endpoints and records the endpoint proof', async () => {
    const a = await endpoint({ tcpPort: 30303 });
    const b = await endpoint({ enrSeq: 7n });
    const reply = await a.ping({ ip: LOOPBACK, udpPort: b.udpPort, publicKey: b.publicKey }, 2000);
    expect(reply.publicKey).toEqual(b.publicKey);
    expect(reply.pong.to).toEqual({ ip: ipToBytes(LOOPBACK), udpPort: a.udpPort, tcpPort: 30303 });
    expect(reply.pong.enrSeq).toBe(7n);
    expect(reply.pingHash).toEqual(reply.pong.pingHash);
    expect(reply.from).toEqual({ ip: LOOPBACK, port: b.udpPort });
    expect(a.isVerified(b.publicKey, LOOPBACK)).toBe(true);
    expect(a.isVerified(b.publicKey, '127.0.0.2')).toBe(false);
    // b pinged a back and a answered, so b holds a proof for a too.
    await waitFor(() => b.isVerified(a.publicKey, LOOPBACK));
  });

  it('sends a well-formed ping: version 4, our endpoint in from, to with tcp 0, enr-seq', async () => {
    const a = await endpoint({ tcpPort: 30303, enrSeq: 3n });
    const p = await probe();
    const pinging = a.ping({ ip: LOOPBACK, udpPort: p.port }, 2000);
    const ping = await p.nextOfType('ping');
    expect(ping.packet).toMatchObject({
      version: 4n,
      from: { ip: ipToBytes(LOOPBACK), udpPort: a.udpPort, tcpPort: 30303 },
      to: { ip: ipToBytes(LOOPBACK), udpPort: p.port, tcpPort: 0 },
      enrSeq: 3n,
    });
    await p.send(encodeDiscv4Packet({ type: 'pong', to: ping.packet.from, pingHash: ping.hash, expiration: expirationAfter(nowS()) }, p.key), a.udpPort);
    const reply = await pinging;
    expect(reply.pong.enrSeq).toBeUndefined();
  });

  it('ignores unsolicited pongs, pongs signed by the wrong key and expired pongs', async () => {
    const a = await endpoint();
    const p = await probe();
    const impostor = generatePrivateKey();
    const pinging = a.ping({ ip: LOOPBACK, udpPort: p.port, publicKey: p.publicKey }, 3000);
    const ping = await p.nextOfType('ping');
    const pong = (pingHash: Uint8Array, expiration = expirationAfter(nowS())): Packet => ({ type: 'pong', to: ping.packet.from, pingHash, expiration });
    await p.send(encodeDiscv4Packet(pong(new Uint8Array(32).fill(9)), p.key), a.udpPort);
    await p.send(encodeDiscv4Packet(pong(ping.hash), impostor), a.udpPort);
    await p.send(encodeDiscv4Packet(pong(ping.hash, 1000n), p.key), a.udpPort);
    await waitFor(() => a.stats.received === 3);
    expect(a.stats).toMatchObject({ unsolicited: 1, wrongSender: 1, expired: 1 });
    await p.send(encodeDiscv4Packet(pong(ping.hash), p.key), a.udpPort);
    const reply = await pinging;
    expect(reply.publicKey).toEqual(p.publicKey);
  });

  it('concurrent pings to one node in the same second are the same packet, and one pong answers both', async () => {
    const a = await endpoint({ now: () => 1_900_000_000 });
    const p = await probe();
    const first = a.ping({ ip: LOOPBACK, udpPort: p.port, publicKey: p.publicKey }, 2000);
    const second = a.ping({ ip: LOOPBACK, udpPort: p.port }, 2000);
    const ping1 = await p.nextOfType('ping');
    const ping2 = await p.nextOfType('ping');
    expect(ping2.hash).toEqual(ping1.hash);
    const pong = encodeDiscv4Packet({ type: 'pong', to: ping1.packet.from, pingHash: ping1.hash, expiration: 1_900_000_020n }, p.key);
    await p.send(pong, a.udpPort);
    const [r1, r2] = await Promise.all([first, second]);
    expect(r1.hash).toEqual(r2.hash);
  });

  it('a pong that one waiter rejects for its signer still answers a waiter without a key', async () => {
    const a = await endpoint({ now: () => 1_900_000_000 });
    const p = await probe();
    const strict = a.ping({ ip: LOOPBACK, udpPort: p.port, publicKey: publicKeyOf(generatePrivateKey()) }, 400);
    const open = a.ping({ ip: LOOPBACK, udpPort: p.port }, 2000);
    const ping = await p.nextOfType('ping');
    await p.send(encodeDiscv4Packet({ type: 'pong', to: ping.packet.from, pingHash: ping.hash, expiration: 1_900_000_020n }, p.key), a.udpPort);
    expect((await open).publicKey).toEqual(p.publicKey);
    await expect(strict).rejects.toThrow(bytesToHex(p.publicKey));
  });

  it('times out against a closed port with Discv4TimeoutError', async () => {
    const a = await endpoint();
    const gone = await Probe.open();
    const port = gone.port;
    await gone.close();
    const started = Date.now();
    await expect(a.ping({ ip: LOOPBACK, udpPort: port }, 300)).rejects.toThrow(Discv4TimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('names the wrong signer in the timeout message', async () => {
    const a = await endpoint();
    const p = await probe();
    const expected = publicKeyOf(generatePrivateKey());
    const pinging = a.ping({ ip: LOOPBACK, udpPort: p.port, publicKey: expected }, 500);
    const ping = await p.nextOfType('ping');
    await p.send(encodeDiscv4Packet({ type: 'pong', to: ping.packet.from, pingHash: ping.hash, expiration: expirationAfter(nowS()) }, p.key), a.udpPort);
    await expect(pinging).rejects.toThrow(bytesToHex(p.publicKey));
  });

  it('rejects pending requests on close, and close is idempotent', async () => {
    const a = await Discv4UdpEndpoint.open({ privateKey: generatePrivateKey() });
    const p = await probe();
    const pinging = a.ping({ ip: LOOPBACK, udpPort: p.port }, 5000);
    await p.nextOfType('ping');
    await a.close();
    await expect(pinging).rejects.toThrow(/closed/);
    await a.close();
    await expect(a.ping({ ip: LOOPBACK, udpPort: p.port }, 100)).rejects.toThrow(/closed/);
  });
});

describe('Discv4UdpEndpoint ENR', () => {
  const record = hexToBytes(gethSeq99.rlp);

  it('takes its enr-seq from the record', async () => {
    const b = await endpoint({ enr: record });
    const a = await endpoint();
    const reply = await a.ping({ ip: LOOPBACK, udpPort: b.udpPort }, 2000);
    expect(reply.pong.enrSeq).toBe(BigInt(gethSeq99.seq));
  });

  it('answers ENRRequest from a verified node with the record, echoing the request hash', async () => {
    const b = await endpoint({ enr: record });
    const a = await endpoint();
    await a.ping({ ip: LOOPBACK, udpPort: b.udpPort }, 2000);
    await waitFor(() => b.isVerified(a.publicKey, LOOPBACK));
    const reply = await a.requestEnr({ ip: LOOPBACK, udpPort: b.udpPort, publicKey: b.publicKey }, 2000);
    expect(reply.enr).toEqual(record);
    expect(reply.publicKey).toEqual(b.publicKey);
  });

  it('ignores ENRRequest from an unverified node, or when it has no record', async () => {
    const withRecord = await endpoint({ enr: record, pingBack: false });
    const without = await endpoint({ pingBack: false });
    const p = await probe();
    const request = () => encodeDiscv4Packet({ type: 'enrRequest', expiration: expirationAfter(nowS()) }, p.key);
    await p.send(request(), withRecord.udpPort);
    await p.send(request(), without.udpPort);
    await waitFor(() => withRecord.stats.ignored === 1 && without.stats.ignored === 1);
    // A valid ping right after gets the first answer: nothing was sent for the requests.
    await p.send(pingFrom(p, withRecord), withRecord.udpPort);
    expect((await p.next()).packet.type).toBe('pong');
  });

  it('answers an unverified node when endpoint proof is switched off', async () => {
    const b = await endpoint({ enr: record, requireEndpointProof: false, pingBack: false });
    const p = await probe();
    const request = encodeDiscv4Packet({ type: 'enrRequest', expiration: expirationAfter(nowS()) }, p.key);
    await p.send(request, b.udpPort);
    const response = await p.nextOfType('enrResponse');
    expect(response.packet.requestHash).toEqual(request.subarray(0, 32));
    expect(response.packet.enr).toEqual(record);
  });

  it('drops an expired ENRRequest', async () => {
    const b = await endpoint({ enr: record, requireEndpointProof: false, pingBack: false });
    const p = await probe();
    await p.send(encodeDiscv4Packet({ type: 'enrRequest', expiration: 5n }, p.key), b.udpPort);
    await waitFor(() => b.stats.expired === 1);
    await p.send(pingFrom(p, b), b.udpPort);
    expect((await p.next()).packet.type).toBe('pong');
  });

  it('requestEnr times out when the peer does not answer', async () => {
    const b = await endpoint({ enr: record, pingBack: false });
    const a = await endpoint();
    await expect(a.requestEnr({ ip: LOOPBACK, udpPort: b.udpPort }, 300)).rejects.toThrow(Discv4TimeoutError);
  });
});

describe('Discv4UdpEndpoint listeners', () => {
  it('reports valid packets to listeners, and a throwing listener is counted, not fatal', async () => {
    const ep = await endpoint({ pingBack: false });
    const p = await probe();
    const seen: string[] = [];
    ep.onPacket((d) => seen.push(d.packet.type));
    ep.onPacket(() => {
      throw new Error('listener bug');
    });
    await p.send(encodeDiscv4Packet({ type: 'findNode', target: p.publicKey, expiration: expirationAfter(nowS()) }, p.key), ep.udpPort);
    await p.send(pingFrom(p, ep), ep.udpPort);
    await p.nextOfType('pong');
    expect(seen).toEqual(['findNode', 'ping']);
    expect(ep.stats.ignored).toBe(1);
    expect(ep.stats.internalErrors).toBe(2);
  });
});

describe('Discv4UdpEndpoint FindNode and Neighbors', () => {
  const node = () => ({ ip: ipToBytes(LOOPBACK), udpPort: 40000, tcpPort: 40001, publicKey: publicKeyOf(generatePrivateKey()) });
  const neighbors = (p: Probe, n: number) =>
    encodeDiscv4Packet({ type: 'neighbors', nodes: Array.from({ length: n }, node), expiration: expirationAfter(nowS()) }, p.key);

  async function asking(a: Discv4UdpEndpoint, p: Probe, timeoutMs = 2000) {
    const target = publicKeyOf(generatePrivateKey());
    const result = a.findNode({ ip: LOOPBACK, udpPort: p.port, publicKey: p.publicKey }, target, timeoutMs);
    const req = await p.nextOfType('findNode');
    expect(req.packet.target).toEqual(target);
    return result;
  }

  it('collects 12 + 4 nodes from two packets and completes at 16', async () => {
    const a = await endpoint();
    const p = await probe();
    const result = asking(a, p, 5000);
    await new Promise((r) => setTimeout(r, 20));
    await p.send(neighbors(p, 12), a.udpPort);
    await p.send(neighbors(p, 4), a.udpPort);
    const started = Date.now();
    expect(await result).toHaveLength(16);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('completes on a packet with fewer than 12 nodes: it is the last one', async () => {
    const a = await endpoint();
    const p = await probe();
    const started = Date.now();
    const result = asking(a, p, 5000);
    await new Promise((r) => setTimeout(r, 20));
    await p.send(neighbors(p, 3), a.udpPort);
    expect(await result).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('after one full packet, waits for more until the timeout and then returns what came', async () => {
    const a = await endpoint();
    const p = await probe();
    const result = asking(a, p, 400);
    await p.send(neighbors(p, 12), a.udpPort);
    expect(await result).toHaveLength(12);
  });

  it('rejects with Discv4TimeoutError when no Neighbors came', async () => {
    const a = await endpoint();
    const p = await probe();
    await expect(asking(a, p, 300)).rejects.toThrow(Discv4TimeoutError);
  });

  it('Neighbors signed by another key, or nobody asked for, are unsolicited and ignored', async () => {
    const a = await endpoint();
    const p = await probe();
    const other = await probe();
    await other.send(neighbors(other, 2), a.udpPort);
    await waitFor(() => a.stats.unsolicited === 1);
    const result = asking(a, p, 400);
    // Same address, other key: not the node we asked.
    await p.send(encodeDiscv4Packet({ type: 'neighbors', nodes: [node()], expiration: expirationAfter(nowS()) }, generatePrivateKey()), a.udpPort);
    await expect(result).rejects.toThrow(Discv4TimeoutError);
    expect(a.stats.unsolicited).toBe(2);
  });

  it('answers FindNode through its handler only for a bonded sender, in chunks of at most 12', async () => {
    const nodes = Array.from({ length: 16 }, node);
    const seen: string[] = [];
    const a = await endpoint({
      findNodeHandler: (req) => {
        seen.push(bytesToHex(req.nodeId));
        return nodes;
      },
    });
    const p = await probe();
    const find = () => encodeDiscv4Packet({ type: 'findNode', target: p.publicKey, expiration: expirationAfter(nowS()) }, p.key);
    await p.send(find(), a.udpPort);
    await waitFor(() => a.stats.ignored === 1);
    expect(seen).toEqual([]);
    // Bond: a answers our ping and pings back; our pong is its proof.
    await p.send(pingFrom(p, a), a.udpPort);
    const back = await p.nextOfType('ping');
    await p.send(encodeDiscv4Packet({ type: 'pong', to: back.packet.from, pingHash: back.hash, expiration: expirationAfter(nowS()) }, p.key), a.udpPort);
    await waitFor(() => a.isVerified(p.publicKey, LOOPBACK));
    await p.send(find(), a.udpPort);
    const first = await p.nextOfType('neighbors');
    const second = await p.nextOfType('neighbors');
    expect([first.packet.nodes.length, second.packet.nodes.length]).toEqual([12, 4]);
    expect(seen).toEqual([bytesToHex(nodeIdOf(p.publicKey))]);
  });
});

describe('Discv4UdpEndpoint bonding hooks', () => {
  it('reports a node that pinged us once it answered our ping-back, with the observed address and its TCP port', async () => {
    const inbound: { ip: string; udpPort: number; tcpPort: number; key: string }[] = [];
    const a = await endpoint({ onInboundNode: (n) => inbound.push({ ip: n.ip, udpPort: n.udpPort, tcpPort: n.tcpPort, key: bytesToHex(n.publicKey) }) });
    const p = await probe();
    await p.send(pingFrom(p, a, { from: { ip: ipToBytes('10.1.1.1'), udpPort: 1, tcpPort: 31000 } }), a.udpPort);
    const back = await p.nextOfType('ping');
    expect(inbound).toEqual([]);
    await p.send(encodeDiscv4Packet({ type: 'pong', to: back.packet.from, pingHash: back.hash, expiration: expirationAfter(nowS()) }, p.key), a.udpPort);
    await waitFor(() => inbound.length === 1);
    expect(inbound[0]).toEqual({ ip: LOOPBACK, udpPort: p.port, tcpPort: 31000, key: bytesToHex(p.publicKey) });
    // Bonded now: the next ping reports it at once, without a ping-back.
    await p.send(pingFrom(p, a), a.udpPort);
    await p.nextOfType('pong');
    await waitFor(() => inbound.length === 2);
  });

  it('keeps endpoint proofs in the store it is given', async () => {
    const bonds = new MemoryBondStore();
    const a = await endpoint({ bonds });
    const b = await endpoint();
    await a.ping({ ip: LOOPBACK, udpPort: b.udpPort, publicKey: b.publicKey }, 2000);
    expect(bonds.lastPongReceived(b.nodeId, LOOPBACK)).toBeGreaterThan(0);
    expect(bonds.lastPongReceived(b.nodeId, '127.0.0.2')).toBe(0);
    await waitFor(() => bonds.lastPingReceived(b.nodeId, LOOPBACK) > 0); // b pinged us back
  });

  it('reads expiration as a signed 64-bit time, as geth: 2^64 - t is in the past', async () => {
    const a = await endpoint({ pingBack: false });
    const p = await probe();
    await p.send(pingFrom(p, a, { expiration: (1n << 64n) - expirationAfter(nowS()) }), a.udpPort);
    const valid = pingFrom(p, a);
    await p.send(valid, a.udpPort);
    expect((await p.next()).packet).toMatchObject({ type: 'pong', pingHash: valid.subarray(0, 32) });
    expect(a.stats.expired).toBe(1);
  });

  it('setEnr changes the record served and the enr-seq sent', async () => {
    const a = await endpoint({ enr: hexToBytes(gethSeq99.rlp) });
    const b = await endpoint();
    expect((await b.ping({ ip: LOOPBACK, udpPort: a.udpPort }, 2000)).pong.enrSeq).toBe(BigInt(gethSeq99.seq));
    const key = generatePrivateKey();
    const record = encodeEnr(createEnr({ privateKey: key, seq: 123n, ip: LOOPBACK, udp: a.udpPort }));
    a.setEnr(record);
    expect((await b.ping({ ip: LOOPBACK, udpPort: a.udpPort }, 2000)).pong.enrSeq).toBe(123n);
    await waitFor(() => a.isVerified(b.publicKey, LOOPBACK) && b.isVerified(a.publicKey, LOOPBACK));
    expect((await b.requestEnr({ ip: LOOPBACK, udpPort: a.udpPort }, 2000)).enr).toEqual(record);
  });
});
