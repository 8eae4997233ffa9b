/**
 * The P2P server over loopback: admission reasons (0x04, 0x05, 0x0a, 0x03),
 * trusted and static nodes, static re-dial with backoff, the dial ratio, the
 * pending-handshake limit, per-IP throttling, protocol routing and stop.
 * Remote sides are either other Servers or bare sessions (RlpxTransport +
 * Peer), which show exactly what arrives on the wire.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect, type Server as NetServer, type Socket } from 'node:net';
import { bytesToHex } from '../wire/bytes.js';
import { DecodeError } from '../wire/errors.js';
import { generatePrivateKey, publicKeyOf, type PrivateKey, type PublicKey } from '../wire/keys.js';
import { DisconnectReason, type Capability, type MessageCounts } from '../wire/p2p.js';
import { ConnectionClosedError } from './handshake-reader.js';
import { Peer, PeerHandshakeError, type DisconnectInfo } from './peer.js';
import type { Protocol, ProtocolSession } from './protocol.js';
import { RlpxTransport } from './rlpx-transport.js';
import { Server, ServerListenError, type ServerOptions, type SessionFailure } from './server.js';
import { CandidateFeed, listenLoopback } from './test-helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A protocol that records what it receives and keeps its sessions. */
function recorder(name: string, version: number, length: number) {
  const received: Array<{ from: string; code: number; payload: string }> = [];
  const sessions: ProtocolSession[] = [];
  const protocol: Protocol = {
    name,
    version,
    length,
    run(session) {
      sessions.push(session);
      session.onMessage((code, payload) => received.push({ from: session.peer.id, code, payload: bytesToHex(payload) }));
    },
  };
  return { protocol, received, sessions };
}

const TST = { name: 'tst', version: 1 };
const TST_COUNTS: MessageCounts = { tst: { 1: 4 }, zzz: { 1: 2 } };

async function startServer(options: Partial<ServerOptions> = {}): Promise<Server> {
  const server = new Server({
    privateKey: generatePrivateKey(),
    clientId: 'devp2p-check/server-test',
    protocols: [recorder('tst', 1, 4).protocol],
    ...options,
  });
  cleanups.push(() => server.stop());
  await server.start();
  return server;
}

interface BareOptions {
  key?: PrivateKey;
  caps?: Capability[];
  localAddress?: string;
  requireSharedCapability?: boolean;
}

/** A bare session dialing `server`: resolves when both Hellos are exchanged, rejects with why not. */
async function bareDial(server: Server, options: BareOptions = {}): Promise<Peer> {
  const key = options.key ?? generatePrivateKey();
  const transport = await RlpxTransport.dial({
    host: '127.0.0.1',
    port: server.port,
    privateKey: key,
    remotePublicKey: server.publicKey,
    timeoutMs: 3_000,
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
  });
  cleanups.push(() => transport.destroy());
  return Peer.start(transport, {
    privateKey: key,
    clientId: 'bare/1',
    capabilities: options.caps ?? [TST],
    messageCounts: TST_COUNTS,
    listenPort: 0,
    helloTimeoutMs: 3_000,
    ...(options.requireSharedCapability === undefined ? {} : { requireSharedCapability: options.requireSharedCapability }),
  });
}

function disconnectOf(peer: Peer): Promise<DisconnectInfo> {
  return new Promise((resolve) => peer.attach({ message: () => undefined, disconnect: resolve }));
}

/**
 * How a session attempt ended from the dialer's side: refused during the
 * Hello exchange, connected and then disconnected within `settleMs`, or
 * still connected. A refusal after the Hello looks like the second case.
 */
async function outcome(attempt: Promise<Peer>, settleMs = 500): Promise<{ reason: number | undefined; byUs: boolean } | 'connected'> {
  let peer: Peer;
  try {
    peer = await attempt;
  } catch (err) {
    if (err instanceof PeerHandshakeError) return { reason: err.info.reason, byUs: err.info.byUs };
    throw err;
  }
  const settle = new Promise<'connected'>((resolve) => {
    const t = setTimeout(() => resolve('connected'), settleMs);
    cleanups.push(() => clearTimeout(t));
  });
  const info = await Promise.race([disconnectOf(peer), settle]);
  return info === 'connected' ? info : { reason: info.reason, byUs: info.byUs };
}

function openRawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
    cleanups.push(() => socket.destroy());
  });
}

/** 'connected', or the error code of a failed TCP connect. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

const pub = (key: PrivateKey): PublicKey => publicKeyOf(key);

describe('Server admission', () => {
  it('answers a third inbound with TooManyPeers (0x04) when maxPeers=2 is full', async () => {
    const server = await startServer({ maxPeers: 2, noDial: true });
    const keys = [generatePrivateKey(), generatePrivateKey()];
    for (const key of keys) {
      await bareDial(server, { key });
      await server.waitForPeer(pub(key), 3_000);
    }
    const refused = await outcome(bareDial(server));
    expect(refused).toEqual({ reason: DisconnectReason.TooManyPeers, byUs: false });
    expect(server.peerCount).toBe(2);
  });

  it('keeps maxPeers/dialRatio slots for dialing: with maxPeers=3 the third inbound gets 0x04 at two peers', async () => {
    const server = await startServer({ maxPeers: 3, dialRatio: 3 });
    expect(server.maxInboundPeers).toBe(2);
    for (let i = 0; i < 2; i++) {
      const key = generatePrivateKey();
      await bareDial(server, { key });
      await server.waitForPeer(pub(key), 3_000);
    }
    expect(await outcome(bareDial(server))).toEqual({ reason: DisconnectReason.TooManyPeers, byUs: false });
  });

  it('lets a trusted node in over the limit, and one trusted at run time too', async () => {
    const trustedKey = generatePrivateKey();
    const server = await startServer({ maxPeers: 1, noDial: true, trustedNodes: [pub(trustedKey)] });
    const firstKey = generatePrivateKey();
    await bareDial(server, { key: firstKey });
    await server.waitForPeer(pub(firstKey), 3_000);

    const laterKey = generatePrivateKey();
    expect(await outcome(bareDial(server, { key: laterKey }))).toEqual({ reason: DisconnectReason.TooManyPeers, byUs: false });

    await bareDial(server, { key: trustedKey });
    const trusted = await server.waitForPeer(pub(trustedKey), 3_000);
    expect(trusted.trusted).toBe(true);
    expect(server.peerCount).toBe(2);

    server.addTrustedPeer(pub(laterKey));
    await bareDial(server, { key: laterKey });
    expect((await server.waitForPeer(pub(laterKey), 3_000)).trusted).toBe(true);
    expect(server.peerCount).toBe(3);
    expect(server.peer(pub(firstKey))?.trusted).toBe(false);
  });

  it('does not let a static node in over the limit when it connects inbound (geth: only trusted bypasses maxPeers)', async () => {
    const staticKey = generatePrivateKey();
    const server = await startServer({
      maxPeers: 1,
      noDial: true,
      staticNodes: [{ publicKey: pub(staticKey), ip: '127.0.0.1', tcpPort: 1 }],
    });
    const firstKey = generatePrivateKey();
    await bareDial(server, { key: firstKey });
    await server.waitForPeer(pub(firstKey), 3_000);
    expect(await outcome(bareDial(server, { key: staticKey }))).toEqual({ reason: DisconnectReason.TooManyPeers, byUs: false });
  });

  it('answers a second session from a connected node id with AlreadyConnected (0x05) and keeps the first', async () => {
    const server = await startServer();
    const key = generatePrivateKey();
    const first = await bareDial(server, { key });
    await server.waitForPeer(pub(key), 3_000);

    expect(await outcome(bareDial(server, { key }))).toEqual({ reason: DisconnectReason.AlreadyConnected, byUs: false });
    expect(first.isConnected).toBe(true);
    expect(server.peerCount).toBe(1);
    // The first session is unaffected and still answers pings.
    expect(await first.ping(2_000)).toBeGreaterThanOrEqual(0);
  });

  it('admits one of two simultaneous sessions with the same id; the other gets 0x05', async () => {
    const server = await startServer();
    const key = generatePrivateKey();
    const results = await Promise.all([outcome(bareDial(server, { key })), outcome(bareDial(server, { key }))]);
    expect(results.filter((r) => r === 'connected')).toHaveLength(1);
    expect(results.filter((r) => r !== 'connected')).toEqual([{ reason: DisconnectReason.AlreadyConnected, byUs: false }]);
    expect(server.peerCount).toBe(1);
  });

  it('never dials its own enode (addPeer or static) and reports it as ConnectedToSelf (0x0a)', async () => {
    const key = generatePrivateKey();
    const server = new Server({
      privateKey: key,
      clientId: 'self',
      protocols: [recorder('tst', 1, 4).protocol],
      // Any address: the identity decides.
      staticNodes: [{ publicKey: pub(key), ip: '127.0.0.1', tcpPort: 1 }],
    });
    cleanups.push(() => server.stop());
    const dials: SessionFailure[] = [];
    const inbound: SessionFailure[] = [];
    server.on('dialFailed', (f) => dials.push(f));
    server.on('inboundFailed', (f) => inbound.push(f));
    await server.start();
    expect(dials).toHaveLength(1);

    server.addPeer(server.enode);
    expect(dials).toHaveLength(2);
    for (const f of dials) {
      expect(f).toMatchObject({ stage: 'not-dialed', reason: DisconnectReason.ConnectedToSelf, byUs: true, static: true });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(inbound).toEqual([]);
    expect(server.peerCount).toBe(0);
  });

  it('refuses a session that presents our own key with ConnectedToSelf (0x0a)', async () => {
    const key = generatePrivateKey();
    const server = await startServer({ privateKey: key });
    const failures: SessionFailure[] = [];
    server.on('inboundFailed', (f) => failures.push(f));
    expect(await outcome(bareDial(server, { key }))).toEqual({ reason: DisconnectReason.ConnectedToSelf, byUs: false });
    await vi.waitFor(() => expect(failures).toHaveLength(1));
    expect(failures[0]).toMatchObject({ stage: 'admission', reason: DisconnectReason.ConnectedToSelf, byUs: true });
  });

  it('drops a peer with no shared capability as UselessPeer (0x03)', async () => {
    const server = await startServer();
    const failures: SessionFailure[] = [];
    server.on('inboundFailed', (f) => failures.push(f));
    // The bare side tolerates the mismatch so that the server's reason is what ends the session.
    const result = await outcome(bareDial(server, { caps: [{ name: 'zzz', version: 1 }], requireSharedCapability: false }));
    expect(result).toEqual({ reason: DisconnectReason.UselessPeer, byUs: false });
    await vi.waitFor(() => expect(failures).toHaveLength(1));
    expect(failures[0]).toMatchObject({ stage: 'hello', reason: DisconnectReason.UselessPeer, byUs: true });
    expect(server.peerCount).toBe(0);
  });
});

describe('Server inbound limits', () => {
  it('closes connections beyond maxPendingInbound without a handshake, and takes new ones when a slot frees', async () => {
    const server = await startServer({ maxPendingInbound: 2, timeouts: { handshakeMs: 4_000 } });
    const failures: SessionFailure[] = [];
    server.on('inboundFailed', (f) => failures.push(f));
    const idle1 = await openRawSocket(server.port);
    const idle2 = await openRawSocket(server.port);
    await vi.waitFor(() => expect(server.pendingHandshakes).toBe(2));

    const third = await openRawSocket(server.port);
    expect(await closedWithin(third, 1_000)).toBe(true);
    expect(idle1.destroyed || idle2.destroyed).toBe(false);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ stage: 'accept', inbound: true });
    expect(failures[0]!.error.message).toMatch(/pending/);

    idle1.destroy();
    await vi.waitFor(() => expect(server.pendingHandshakes).toBe(1));
    const key = generatePrivateKey();
    await bareDial(server, { key });
    await server.waitForPeer(pub(key), 3_000);
  });

  it('closes an inbound connection that sends no auth within timeouts.handshakeMs', async () => {
    const server = await startServer({ timeouts: { handshakeMs: 300 } });
    const failures: SessionFailure[] = [];
    server.on('inboundFailed', (f) => failures.push(f));
    const silent = await openRawSocket(server.port);
    expect(await closedWithin(silent, 150)).toBe(false);
    expect(await closedWithin(silent, 1_500)).toBe(true);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ stage: 'rlpx', inbound: true });
    expect(server.pendingHandshakes).toBe(0);
  });

  it('drops a silent peer with PingTimeout (0x0b) after timeouts.readMs', async () => {
    const server = await startServer({ timeouts: { readMs: 300 } });
    const key = generatePrivateKey();
    const peer = await bareDial(server, { key });
    const gone = disconnectOf(peer);
    await server.waitForPeer(pub(key), 3_000);
    expect(await gone).toMatchObject({ reason: DisconnectReason.PingTimeout, byUs: false });
  });

  it('refuses a second connection from the same IP within the throttle window (127.0.0.2, LAN exemption off)', async () => {
    const server = await startServer({ throttleLan: true, inboundThrottleMs: 30_000 });
    const failures: SessionFailure[] = [];
    server.on('inboundFailed', (f) => failures.push(f));

    const firstKey = generatePrivateKey();
    const first = await bareDial(server, { key: firstKey, localAddress: '127.0.0.2' });
    expect((await server.waitForPeer(pub(firstKey), 3_000)).remoteAddress.ip).toBe('127.0.0.2');
    first.disconnect();
    await server.waitForPeerRemoved(pub(firstKey), 3_000);

    const again = await bareDial(server, { localAddress: '127.0.0.2' }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConnectionClosedError);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ stage: 'accept', remoteAddress: { ip: '127.0.0.2' } });

    // Another source IP is not affected.
    const otherKey = generatePrivateKey();
    await bareDial(server, { key: otherKey, localAddress: '127.0.0.1' });
    await server.waitForPeer(pub(otherKey), 3_000);
  });

  it('exempts loopback from the throttle by default, as geth exempts LAN addresses', async () => {
    const server = await startServer();
    for (let i = 0; i < 2; i++) {
      const key = generatePrivateKey();
      const peer = await bareDial(server, { key, localAddress: '127.0.0.2' });
      await server.waitForPeer(pub(key), 3_000);
      peer.disconnect();
      await server.waitForPeerRemoved(pub(key), 3_000);
    }
  });
});

describe('Server dialing', () => {
  it('re-dials a static node after it is stopped and restarted on the same port and key', async () => {
    const bKey = generatePrivateKey();
    const b = await startServer({ privateKey: bKey, noDial: true });
    const port = b.port;
    const a = await startServer({
      staticNodes: [{ publicKey: pub(bKey), ip: '127.0.0.1', tcpPort: port }],
      staticBackoff: { initialMs: 100, maxMs: 800 },
    });
    const first = await a.waitForPeer(pub(bKey), 5_000);
    expect(first).toMatchObject({ static: true, inbound: false });
    // Both sides must have admitted the session; one still in its Hello exchange is just closed on stop.
    await b.waitForPeer(a.publicKey, 3_000);

    const failures: SessionFailure[] = [];
    a.on('dialFailed', (f) => failures.push(f));
    const gone = a.waitForPeerRemoved(pub(bKey), 5_000);
    await b.stop();
    expect(await gone).toMatchObject({ reason: DisconnectReason.ClientQuitting, byUs: false });

    // While B is down A keeps trying, further apart each time.
    await vi.waitFor(() => expect(failures.length).toBeGreaterThanOrEqual(2), { timeout: 3_000 });
    expect(failures.every((f) => f.static && f.stage === 'rlpx')).toBe(true);

    const b2 = await startServer({ privateKey: bKey, port, noDial: true });
    const again = await a.waitForPeer(pub(bKey), 3_000);
    expect(again).toMatchObject({ static: true, inbound: false });
    expect((await b2.waitForPeer(a.publicKey, 3_000)).inbound).toBe(true);
  });

  it('re-dials a static node whose socket was killed, after the backoff', async () => {
    const bKey = generatePrivateKey();
    const sessions: Array<{ peer: Peer; at: number }> = [];
    let listener!: NetServer;
    const { server, port } = await listenLoopback((socket) => {
      void RlpxTransport.accept(socket, { privateKey: bKey })
        .then((t) => Peer.start(t, { privateKey: bKey, clientId: 'b', capabilities: [TST], messageCounts: TST_COUNTS, listenPort: 0 }))
        .then((peer) => sessions.push({ peer, at: Date.now() }))
        .catch(() => undefined);
    });
    listener = server;
    cleanups.push(() => {
      for (const s of sessions) s.peer.transport.destroy();
      listener.close();
    });
    const a = await startServer({
      staticNodes: [{ publicKey: pub(bKey), ip: '127.0.0.1', tcpPort: port }],
      staticBackoff: { initialMs: 300, maxMs: 2_000 },
    });
    await a.waitForPeer(pub(bKey), 5_000);
    await vi.waitFor(() => expect(sessions).toHaveLength(1));

    const gone = a.waitForPeerRemoved(pub(bKey), 3_000);
    const killedAt = Date.now();
    sessions[0]!.peer.transport.destroy(); // no Disconnect: the connection just dies
    expect(await gone).toMatchObject({ reason: undefined, byUs: false });

    await vi.waitFor(() => expect(sessions).toHaveLength(2), { timeout: 3_000 });
    expect(sessions[1]!.at - killedAt).toBeGreaterThanOrEqual(250);
    await a.waitForPeer(pub(bKey), 3_000);
  });

  it('dials no more than maxPeers/dialRatio candidates and refills a slot when a dialed peer leaves', async () => {
    const targets = await Promise.all([0, 1, 2, 3].map(() => startServer({ noDial: true })));
    const feed = new CandidateFeed();
    for (const t of targets) feed.push(t.localEnode);
    const server = await startServer({ maxPeers: 6, dialRatio: 3, dialCandidates: feed });
    expect(server.maxDialedPeers).toBe(2);

    await vi.waitFor(() => expect(server.peerCount).toBe(2), { timeout: 5_000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(server.peerCount).toBe(2);
    expect(feed.pulled).toBe(2);
    expect(server.peers().every((p) => !p.inbound && !p.static)).toBe(true);
    expect(targets.map((t) => t.peerCount)).toEqual([1, 1, 0, 0]);

    await targets[0]!.stop();
    await vi.waitFor(() => expect(targets[2]!.peerCount).toBe(1), { timeout: 5_000 });
    expect(server.peerCount).toBe(2);
    expect(feed.pulled).toBe(3);
    expect(targets[3]!.peerCount).toBe(0);
  });

  it('skips candidates that are ourselves or already connected', async () => {
    const target = await startServer({ noDial: true });
    const feed = new CandidateFeed();
    const key = generatePrivateKey();
    const server = await startServer({ privateKey: key });
    // Discovery binds after the server (it needs the port), so its source comes later.
    server.addDialCandidates(feed);
    const failures: SessionFailure[] = [];
    server.on('dialFailed', (f) => failures.push(f));
    feed.push(server.localEnode);
    feed.push(target.localEnode);
    await server.waitForPeer(target.publicKey, 3_000);
    feed.push(target.localEnode);
    await vi.waitFor(() => expect(feed.pulled).toBe(3));
    await new Promise((r) => setTimeout(r, 200));
    expect(failures).toEqual([]);
    expect(target.peerCount).toBe(1);
  });

  it('dials nothing with noDial, static nodes included (geth NoDial)', async () => {
    const b = await startServer({ noDial: true });
    const seen: SessionFailure[] = [];
    b.on('inboundFailed', (f) => seen.push(f));
    const a = await startServer({ noDial: true, staticNodes: [b.localEnode], staticBackoff: { initialMs: 50, maxMs: 100 } });
    await new Promise((r) => setTimeout(r, 400));
    expect(a.peerCount).toBe(0);
    expect(b.peerCount).toBe(0);
    expect(seen).toEqual([]);
  });

  it('addPeer dials at once; removePeer disconnects with 0x00 and stops re-dialing', async () => {
    const b = await startServer({ noDial: true });
    const a = await startServer({ staticBackoff: { initialMs: 50, maxMs: 200 } });
    a.addPeer(b.enode);
    await a.waitForPeer(b.publicKey, 3_000);
    await b.waitForPeer(a.publicKey, 3_000);
    const onB = b.waitForPeerRemoved(a.publicKey, 3_000);
    a.removePeer(b.enode);
    expect(await onB).toMatchObject({ reason: DisconnectReason.Requested, byUs: false });
    await new Promise((r) => setTimeout(r, 400));
    expect(a.peerCount).toBe(0);
    expect(b.peerCount).toBe(0);
  });
});

describe('Server protocols', () => {
  it('routes two protocols on one peer to the right handlers with codes relative to their offsets', async () => {
    const sA = recorder('aaa', 1, 3);
    const sB1 = recorder('bbb', 1, 2);
    const sB2 = recorder('bbb', 2, 5);
    const cA = recorder('aaa', 1, 3);
    const cB2 = recorder('bbb', 2, 5);
    const cC = recorder('ccc', 1, 1);
    const s = await startServer({ protocols: [sA.protocol, sB1.protocol, sB2.protocol], noDial: true });
    const c = await startServer({ protocols: [cA.protocol, cB2.protocol, cC.protocol] });
    c.addPeer(s.enode);
    await s.waitForPeer(c.publicKey, 3_000);
    await c.waitForPeer(s.publicKey, 3_000);

    // Only the negotiated version runs, and ccc (not shared) does not.
    expect(sB1.sessions).toHaveLength(0);
    expect(cC.sessions).toHaveLength(0);
    expect(cA.sessions[0]!.capability).toEqual({ name: 'aaa', version: 1, offset: 0x10, length: 3 });
    expect(cB2.sessions[0]!.capability).toEqual({ name: 'bbb', version: 2, offset: 0x13, length: 5 });
    expect(sB2.sessions[0]!.peer.publicKey).toEqual(c.publicKey);

    cA.sessions[0]!.send(2, Uint8Array.of(0xc1, 0x01));
    cB2.sessions[0]!.send(4, Uint8Array.of(0xc1, 0x02));
    cB2.sessions[0]!.send(0, Uint8Array.of(0xc1, 0x03));
    sB2.sessions[0]!.send(1, Uint8Array.of(0xc1, 0x09));
    await vi.waitFor(() => {
      expect(sA.received.length + sB2.received.length).toBe(3);
      expect(cB2.received).toHaveLength(1);
    });
    const cId = s.peer(c.publicKey)!.id;
    expect(s.peer(cId)?.publicKey).toEqual(c.publicKey); // admin_peers ids work for lookups too
    expect(sA.received).toEqual([{ from: cId, code: 2, payload: 'c101' }]);
    expect(sB2.received).toEqual([
      { from: cId, code: 4, payload: 'c102' },
      { from: cId, code: 0, payload: 'c103' },
    ]);
    expect(cB2.received.map((m) => [m.code, m.payload])).toEqual([[1, 'c109']]);
    expect(cA.received).toEqual([]);
    expect(() => cA.sessions[0]!.send(3, Uint8Array.of(0xc0))).toThrow(RangeError);
  });

  it('tells protocols when the peer leaves, and a handler that cannot decode drops the peer with 0x02', async () => {
    const errors: unknown[] = [];
    const closes: DisconnectInfo[] = [];
    const strict: Protocol = {
      name: 'tst',
      version: 1,
      length: 4,
      run(session) {
        session.onMessage(() => {
          throw new DecodeError('shape', 'tst message', 'not what we expected');
        });
        session.onDisconnect((info) => closes.push(info));
      },
    };
    const server = await startServer({ protocols: [strict] });
    server.on('protocolError', (_peer, name, err) => errors.push([name, err]));
    const key = generatePrivateKey();
    const peer = await bareDial(server, { key });
    await server.waitForPeer(pub(key), 3_000);
    const gone = disconnectOf(peer);
    peer.send('tst', 1, Uint8Array.of(0xc0));
    expect(await gone).toMatchObject({ reason: DisconnectReason.ProtocolBreach, byUs: false });
    await vi.waitFor(() => expect(closes).toHaveLength(1));
    expect(closes[0]).toMatchObject({ reason: DisconnectReason.ProtocolBreach, byUs: true });
    expect(errors).toHaveLength(1);
    expect(server.peerCount).toBe(0);
  });

  it('a session disconnect ends the peer with SubprotocolError (0x10) unless told otherwise', async () => {
    const server = await startServer({
      protocols: [{ name: 'tst', version: 1, length: 4, run: (session) => session.onMessage(() => session.disconnect()) }],
    });
    const peer = await bareDial(server);
    const gone = disconnectOf(peer);
    peer.send('tst', 0, Uint8Array.of(0xc0));
    expect(await gone).toMatchObject({ reason: DisconnectReason.SubprotocolError, byUs: false });
  });
});

describe('Server lifecycle', () => {
  it('stop() disconnects peers with ClientQuitting (0x08), closes the port, and can be called again', async () => {
    const a = await startServer({ noDial: true });
    const b = await startServer();
    b.addPeer(a.enode);
    await b.waitForPeer(a.publicKey, 3_000);
    await a.waitForPeer(b.publicKey, 3_000);
    const gone = b.waitForPeerRemoved(a.publicKey, 3_000);
    const port = a.port;
    await Promise.all([a.stop(), a.stop()]);
    await a.stop();
    expect(await gone).toMatchObject({ reason: DisconnectReason.ClientQuitting, byUs: false });
    expect(a.peerCount).toBe(0);
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
    await expect(a.start()).rejects.toThrow(/cannot be started twice/);
    // A waiter left over from before stop() does not outlive it.
    const waiting = b.waitForPeer(publicKeyOf(generatePrivateKey()), 60_000);
    await b.stop();
    await expect(waiting).rejects.toThrow(/stopped/);
  });

  it('stop() called while start() binds still leaves nothing listening or dialing', async () => {
    const b = await startServer({ noDial: true });
    const seen: SessionFailure[] = [];
    b.on('inboundFailed', (f) => seen.push(f));
    const a = new Server({ privateKey: generatePrivateKey(), clientId: 'a', protocols: [recorder('tst', 1, 4).protocol], staticNodes: [b.localEnode] });
    const started = a.start();
    const stopped = a.stop();
    await started;
    await stopped;
    expect(await tryConnect(a.port)).toBe('ECONNREFUSED');
    await new Promise((r) => setTimeout(r, 200));
    expect(b.peerCount).toBe(0);
    expect(seen).toEqual([]);
  });

  it('dials nodes given to addPeer before start()', async () => {
    const b = await startServer({ noDial: true });
    const a = new Server({ privateKey: generatePrivateKey(), clientId: 'a', protocols: [recorder('tst', 1, 4).protocol] });
    cleanups.push(() => a.stop());
    a.addPeer(b.localEnode);
    await a.start();
    expect((await a.waitForPeer(b.publicKey, 3_000)).static).toBe(true);
  });

  it('start() rejects with a clear error naming the address when the port is taken', async () => {
    const first = await startServer();
    const second = new Server({ privateKey: generatePrivateKey(), clientId: 'x', port: first.port });
    cleanups.push(() => second.stop());
    const err = await second.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerListenError);
    expect((err as ServerListenError).message).toContain(`127.0.0.1:${first.port}`);
    expect((err as ServerListenError).message).toMatch(/EADDRINUSE/);
    expect((err as ServerListenError).code).toBe('LISTEN_FAILED');
  });

  it('rejects protocol lists it cannot put on the wire', () => {
    const base = { privateKey: generatePrivateKey(), clientId: 'x' };
    const p = (name: string, version: number, length: number): Protocol => ({ name, version, length, run: () => undefined });
    expect(() => new Server({ ...base, protocols: [p('eth', 68, 17), p('eth', 68, 17)] })).toThrow(/twice/);
    expect(() => new Server({ ...base, protocols: [p('toolongname', 1, 1)] })).toThrow(/8/);
    expect(() => new Server({ ...base, protocols: [p('eth', 68, 0)] })).toThrow(/length/);
  });
});
