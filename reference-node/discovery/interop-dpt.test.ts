/**
 * Interop with an independent discv4 implementation: @ethereumjs/devp2p's DPT
 * and its message codec. Loopback only: the DPT gets a socket we bound to
 * 127.0.0.1, neighbour discovery and DNS off, and only 127.0.0.1 endpoints.
 */
import { DPT, decode as ejsDecode, encode as ejsEncode, type PeerInfo } from '@ethereumjs/devp2p';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { startLoopbackDpt, type RunningDpt } from '../../test-support/ethereumjs-dpt.js';
import { readSharedJson } from '../../test-support/shared.js';
import { bytesToHex, concatBytes, hexToBytes } from '../wire/bytes.js';
import { decodeDiscv4Packet, encodeDiscv4Packet, ipToBytes, ipToString, type Endpoint, type Packet } from '../wire/discv4.js';
import { DecodeError } from '../wire/errors.js';
import { generatePrivateKey, isValidPrivateKey, publicKeyOf } from '../wire/keys.js';
import { Discv4UdpEndpoint } from './udp-endpoint.js';

const LOOPBACK = '127.0.0.1';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function startDpt(): Promise<RunningDpt> {
  const running = await startLoopbackDpt({ findNeighbours: false, refreshIntervalMs: 3_600_000 });
  cleanups.push(() => running.close());
  return running;
}

async function ourEndpoint(enrSeq?: bigint): Promise<Discv4UdpEndpoint> {
  const ep = await Discv4UdpEndpoint.open({ privateKey: generatePrivateKey(), tcpPort: 30303, ...(enrSeq === undefined ? {} : { enrSeq }) });
  cleanups.push(() => ep.close());
  return ep;
}

async function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** ethereumjs recovers 65-byte keys with the 0x04 prefix. */
const strip04 = (key: Uint8Array) => (key.length === 65 ? key.subarray(1) : key);

describe('live interop with @ethereumjs/devp2p DPT on loopback', () => {
  it('our ping is answered by its DPT', async () => {
    const { port, publicKey } = await startDpt();
    const ep = await ourEndpoint(3n);
    const reply = await ep.ping({ ip: LOOPBACK, udpPort: port, publicKey }, 2000);
    expect(reply.publicKey).toEqual(publicKey);
    expect(reply.from).toEqual({ ip: LOOPBACK, port });
    // Its pong names the address it saw and echoes the tcp port from our ping.
    expect(reply.pong.to).toEqual({ ip: ipToBytes(LOOPBACK), udpPort: ep.udpPort, tcpPort: 30303 });
    // It does not implement EIP-868, and it stamps 60 s expirations (geth: 20 s).
    expect(reply.pong.enrSeq).toBeUndefined();
    const lifetime = Number(reply.pong.expiration) - Date.now() / 1000;
    expect(lifetime).toBeGreaterThan(58);
    expect(lifetime).toBeLessThanOrEqual(61);
    expect(ep.isVerified(publicKey, LOOPBACK)).toBe(true);
  });

  it('its ping is answered by our endpoint, and it adds our node to its table', async () => {
    const { dpt, publicKey, errors } = await startDpt();
    const ep = await ourEndpoint(9n);
    const pings: Packet[] = [];
    ep.onPacket((d) => void (d.packet.type === 'ping' && bytesToHex(d.publicKey) === bytesToHex(publicKey) && pings.push(d.packet)));
    const added: PeerInfo[] = [];
    dpt.events.on('peer:added', (peer: PeerInfo) => added.push(peer));

    const peer = await dpt.addPeer({ address: LOOPBACK, udpPort: ep.udpPort, tcpPort: 30303 });
    expect(peer.id).toEqual(ep.publicKey);
    expect(pings).toHaveLength(1);
    expect(added.map((p) => p.id)).toEqual([ep.publicKey]);
    expect(dpt.getPeers().map((p) => p.id)).toEqual([ep.publicKey]);
    expect(dpt.getPeer(ep.publicKey)).toMatchObject({ address: LOOPBACK, udpPort: ep.udpPort, tcpPort: 30303 });
    // We pinged it back because it was unverified, and it answered that too.
    await waitFor(() => ep.isVerified(publicKey, LOOPBACK));
    expect(ep.stats.internalErrors).toBe(0);
    expect(ep.stats.invalid).toEqual({});
    expect(errors).toEqual([]);
  });

  it('its bootstrap() against our endpoint confirms our node without errors', async () => {
    const { dpt, errors } = await startDpt();
    const ep = await ourEndpoint();
    await dpt.bootstrap({ address: LOOPBACK, udpPort: ep.udpPort, tcpPort: 30303 });
    expect(dpt.getPeers().map((p) => bytesToHex(p.id!))).toEqual([bytesToHex(ep.publicKey)]);
    expect(errors).toEqual([]);
  });

  it('it answers an expired ping (it never checks expiration; geth drops such packets)', async () => {
    const { port } = await startDpt();
    const ep = await ourEndpoint();
    const stale = encodeDiscv4Packet(
      {
        type: 'ping',
        version: 4n,
        from: { ip: ipToBytes(LOOPBACK), udpPort: ep.udpPort, tcpPort: 30303 },
        to: { ip: ipToBytes(LOOPBACK), udpPort: port, tcpPort: 0 },
        expiration: BigInt(Math.floor(Date.now() / 1000) - 3600),
      },
      generatePrivateKey(),
    );
    const pongs: Uint8Array[] = [];
    ep.onPacket((d) => void (d.packet.type === 'pong' && pongs.push(d.packet.pingHash)));
    await ep.sendRaw(stale, { ip: LOOPBACK, udpPort: port });
    await waitFor(() => pongs.length === 1);
    expect(pongs[0]).toEqual(stale.subarray(0, 32));
    expect(ep.stats.unsolicited).toBe(1); // we asked nothing with that key, so the reply matches no request
  });

  it('its ENR-less server ignores our ENRRequest and reports it as an error event', async () => {
    const { port, publicKey, errors } = await startDpt();
    const ep = await ourEndpoint();
    await ep.ping({ ip: LOOPBACK, udpPort: port, publicKey }, 2000);
    await expect(ep.requestEnr({ ip: LOOPBACK, udpPort: port, publicKey }, 300)).rejects.toThrow(/no ENRResponse/);
    await waitFor(() => errors.length > 0);
    expect(String(errors[0])).toMatch(/Invalid type: 5/);
  });
});

// ---------------------------------------------------------------- codec cross-checks

const key = generatePrivateKey();
const signer = publicKeyOf(key);
const EXP = 1_900_000_000;

const ejsEndpoint = (e: Endpoint) => ({ address: ipToString(e.ip)!, udpPort: e.udpPort, tcpPort: e.tcpPort });

describe('our packets decode in its message decoder', () => {
  const from: Endpoint = { ip: ipToBytes(LOOPBACK), udpPort: 30303, tcpPort: 30304 };
  const to: Endpoint = { ip: ipToBytes('2001:db8::7'), udpPort: 40404, tcpPort: 40405 };

  it('ping (our enr-seq is an extra element it ignores)', () => {
    const d = ejsDecode(encodeDiscv4Packet({ type: 'ping', version: 4n, from, to, expiration: BigInt(EXP), enrSeq: 5n }, key));
    expect(d.typename).toBe('ping');
    expect(d.data).toEqual({ version: 4, from: ejsEndpoint(from), to: ejsEndpoint(to), timestamp: EXP });
    expect(strip04(d.publicKey)).toEqual(signer);
  });

  it('pong', () => {
    const pingHash = new Uint8Array(32).fill(0xab);
    const d = ejsDecode(encodeDiscv4Packet({ type: 'pong', to, pingHash, expiration: BigInt(EXP), enrSeq: 1n }, key));
    expect(d.typename).toBe('pong');
    expect(d.data).toEqual({ to: ejsEndpoint(to), hash: pingHash, timestamp: EXP });
  });

  it('findnode', () => {
    const target = publicKeyOf(generatePrivateKey());
    const d = ejsDecode(encodeDiscv4Packet({ type: 'findNode', target, expiration: BigInt(EXP) }, key));
    expect(d.typename).toBe('findneighbours');
    expect(d.data).toEqual({ id: target, timestamp: EXP });
  });

  it('neighbors with IPv4 and IPv6 nodes', () => {
    const nodes = [
      { ...from, publicKey: publicKeyOf(generatePrivateKey()) },
      { ...to, publicKey: publicKeyOf(generatePrivateKey()) },
    ];
    const d = ejsDecode(encodeDiscv4Packet({ type: 'neighbors', nodes, expiration: BigInt(EXP) }, key));
    expect(d.typename).toBe('neighbours');
    expect(d.data).toEqual({ peers: nodes.map((n) => ({ endpoint: ejsEndpoint(n), id: n.publicKey })), timestamp: EXP });
  });

  it('it has no ENRRequest/ENRResponse (EIP-868): it rejects types 5 and 6', () => {
    expect(() => ejsDecode(encodeDiscv4Packet({ type: 'enrRequest', expiration: BigInt(EXP) }, key))).toThrow(/Invalid type: 5/);
    expect(() => ejsDecode(encodeDiscv4Packet({ type: 'enrResponse', requestHash: new Uint8Array(32), enr: hexToBytes('c3010203') }, key))).toThrow(
      /Invalid type: 6/,
    );
  });

  it('all six EIP-8 vectors decode in it too, to the same fields as in ours (lenient mode)', () => {
    const v = readSharedJson<{ packets: Record<string, { packet: string }> }>('vectors-reference', 'discv4-eip8-packets.json');
    for (const { packet } of Object.values(v.packets)) {
      const theirs = ejsDecode(hexToBytes(packet));
      const ours = decodeDiscv4Packet(hexToBytes(packet), { listInEnrSeqSlot: 'ignore' });
      expect(strip04(theirs.publicKey)).toEqual(ours.publicKey);
      const exp = ours.packet.type === 'enrResponse' ? undefined : Number(ours.packet.expiration);
      expect((theirs.data as { timestamp: number }).timestamp).toBe(exp);
    }
  });
});

describe('its packets decode in ours', () => {
  const ejsKey = generatePrivateKey();
  const ejsSigner = publicKeyOf(ejsKey);

  it('ping: fields, signer, and no enr-seq', () => {
    const bytes = ejsEncode('ping', { version: 4, from: { address: LOOPBACK, udpPort: 30303, tcpPort: 30304 }, to: { address: '::1', udpPort: 3000, tcpPort: null }, timestamp: EXP }, ejsKey);
    const d = decodeDiscv4Packet(bytes);
    expect(d.publicKey).toEqual(ejsSigner);
    expect(d.packet).toEqual({
      type: 'ping',
      version: 4n,
      from: { ip: ipToBytes(LOOPBACK), udpPort: 30303, tcpPort: 30304 },
      // It encodes a missing port as the empty string, which is the integer 0.
      to: { ip: ipToBytes('::1'), udpPort: 3000, tcpPort: 0 },
      expiration: BigInt(EXP),
    });
  });

  it('pong, findneighbours and neighbours', () => {
    const hash = new Uint8Array(32).fill(7);
    const pong = decodeDiscv4Packet(ejsEncode('pong', { to: { address: LOOPBACK, udpPort: 1000, tcpPort: 1001 }, hash, timestamp: EXP }, ejsKey));
    expect(pong.packet).toEqual({ type: 'pong', to: { ip: ipToBytes(LOOPBACK), udpPort: 1000, tcpPort: 1001 }, pingHash: hash, expiration: BigInt(EXP) });
    const id = publicKeyOf(generatePrivateKey());
    const find = decodeDiscv4Packet(ejsEncode('findneighbours', { id, timestamp: EXP }, ejsKey));
    expect(find.packet).toEqual({ type: 'findNode', target: id, expiration: BigInt(EXP) });
    const peers = [{ address: '10.0.0.1', udpPort: 30303, tcpPort: 30303, id }];
    const nb = decodeDiscv4Packet(ejsEncode('neighbours', { peers, timestamp: EXP }, ejsKey));
    expect(nb.packet).toEqual({ type: 'neighbors', nodes: [{ ip: ipToBytes('10.0.0.1'), udpPort: 30303, tcpPort: 30303, publicKey: id }], expiration: BigInt(EXP) });
    expect(nb.publicKey).toEqual(ejsSigner);
  });

  it('its default expiration is now + 60 s', () => {
    const d = decodeDiscv4Packet(ejsEncode('findneighbours', { id: new Uint8Array(64) }, ejsKey));
    const lifetime = Number(d.packet.type === 'findNode' && d.packet.expiration) - Date.now() / 1000;
    expect(lifetime).toBeGreaterThan(58);
    expect(lifetime).toBeLessThanOrEqual(61);
  });

  it('ports below 256: it writes 2 fixed bytes (00 xx), a non-canonical integer that we, like geth, reject', () => {
    const bytes = ejsEncode('ping', { version: 4, from: { address: LOOPBACK, udpPort: 30303, tcpPort: 80 }, to: { address: LOOPBACK, udpPort: 30303, tcpPort: null }, timestamp: EXP }, ejsKey);
    // The from endpoint's tcp port as it is on the wire: 82 00 50.
    expect(bytesToHex(bytes)).toContain('820050');
    expect(() => decodeDiscv4Packet(bytes)).toThrow(DecodeError);
    try {
      decodeDiscv4Packet(bytes);
    } catch (err) {
      expect((err as DecodeError).code).toBe('rlp');
      expect((err as DecodeError).message).toMatch(/tcp-port.*leading zero/);
    }
  });
});

describe('codec cross-check properties (both directions)', () => {
  const port = fc.integer({ min: 256, max: 0xffff }); // below 256 its encoding is non-canonical (see above)
  const ip = fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })).filter((b) => {
    // Its IPv6 parser cannot read back IPv4-mapped text (::ffff:a.b.c.d); keep to plain forms.
    const text = ipToString(b)!;
    return !text.includes('.') || b.length === 4;
  });
  const endpoint = fc.record({ ip, udpPort: port, tcpPort: port }, { noNullPrototype: true });
  // Its timestamp codec is fixed 4 bytes; values below 2^24 would need a leading zero.
  const timestamp = fc.integer({ min: 2 ** 24, max: 2 ** 32 - 1 });
  const privKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter(isValidPrivateKey);

  it('ping: ours -> theirs and theirs -> ours agree', () => {
    fc.assert(
      fc.property(endpoint, endpoint, timestamp, privKey, (from, to, ts, k) => {
        const ours = encodeDiscv4Packet({ type: 'ping', version: 4n, from, to, expiration: BigInt(ts) }, k);
        const theirView = ejsDecode(ours);
        expect(theirView.data).toEqual({ version: 4, from: ejsEndpoint(from), to: ejsEndpoint(to), timestamp: ts });
        expect(strip04(theirView.publicKey)).toEqual(publicKeyOf(k));

        const theirs = ejsEncode('ping', { version: 4, from: ejsEndpoint(from), to: ejsEndpoint(to), timestamp: ts }, k);
        const ourView = decodeDiscv4Packet(theirs);
        expect(ourView.packet).toEqual({ type: 'ping', version: 4n, from, to, expiration: BigInt(ts) });
        expect(ourView.publicKey).toEqual(publicKeyOf(k));
        // Same fields, same RLP: the two encoders produce the same signed payload.
        expect(theirs.subarray(97)).toEqual(ours.subarray(97));
      }),
      { numRuns: 150 },
    );
  });

  it('neighbours: ours -> theirs and theirs -> ours agree', () => {
    const node = fc.record({ ip, udpPort: port, tcpPort: port, publicKey: fc.uint8Array({ minLength: 64, maxLength: 64 }) }, { noNullPrototype: true });
    fc.assert(
      fc.property(fc.array(node, { maxLength: 12 }), timestamp, (nodes, ts) => {
        const ours = encodeDiscv4Packet({ type: 'neighbors', nodes, expiration: BigInt(ts) }, key);
        expect(ejsDecode(ours).data).toEqual({ peers: nodes.map((n) => ({ endpoint: ejsEndpoint(n), id: n.publicKey })), timestamp: ts });
        const theirs = ejsEncode('neighbours', { peers: nodes.map((n) => ({ ...ejsEndpoint(n), id: n.publicKey })), timestamp: ts }, key);
        expect(decodeDiscv4Packet(theirs).packet).toEqual({ type: 'neighbors', nodes, expiration: BigInt(ts) });
        expect(concatBytes(theirs.subarray(97))).toEqual(ours.subarray(97));
      }),
      { numRuns: 100 },
    );
  });
});
