import { describe, expect, it, afterEach } from 'vitest';
import type { Server } from 'node:net';
import { generatePrivateKey, publicKeyOf } from '../wire/keys.js';
import { DisconnectReason, type Capability } from '../wire/p2p.js';
import { Peer, PeerHandshakeError, type DisconnectInfo, type PeerOptions } from './peer.js';
import { RlpxTransport } from './rlpx-transport.js';
import { listenLoopback } from './test-helpers.js';

const COUNTS = { eth: { 68: 17, 69: 18 }, snap: { 1: 8 }, zzz: { 1: 3 } };
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function options(privateKey: Uint8Array, capabilities: Capability[], extra: Partial<PeerOptions> = {}): PeerOptions {
  return { privateKey, clientId: 'devp2p-check/test', capabilities, messageCounts: COUNTS, listenPort: 0, ...extra };
}

/** A listening peer and a dialing peer; resolves both sides' start() outcomes. */
async function pair(serverCaps: Capability[], clientCaps: Capability[], serverExtra: Partial<PeerOptions> = {}) {
  const serverKey = generatePrivateKey();
  const clientKey = generatePrivateKey();
  let serverSide!: Promise<Peer>;
  const accepted = new Promise<void>((resolveAccepted) => {
    void listenLoopback((socket) => {
      serverSide = RlpxTransport.accept(socket, { privateKey: serverKey }).then((t) => Peer.start(t, options(serverKey, serverCaps, serverExtra)));
      resolveAccepted();
    }).then(({ server, port }) => {
      servers.push(server);
      clientSide = RlpxTransport.dial({ host: '127.0.0.1', port, privateKey: clientKey, remotePublicKey: publicKeyOf(serverKey) }).then((t) =>
        Peer.start(t, options(clientKey, clientCaps)),
      );
    });
  });
  let clientSide!: Promise<Peer>;
  await accepted;
  return { server: serverSide, client: clientSide, serverKey, clientKey };
}

describe('Peer over loopback', () => {
  it('exchanges Hellos, negotiates the highest shared versions alphabetically, and routes messages both ways with snappy', async () => {
    const { server, client, serverKey } = await pair(
      [{ name: 'snap', version: 1 }, { name: 'eth', version: 68 }, { name: 'eth', version: 69 }],
      [{ name: 'eth', version: 68 }, { name: 'eth', version: 69 }, { name: 'snap', version: 1 }, { name: 'zzz', version: 1 }],
    );
    const [s, c] = await Promise.all([server, client]);
    expect(c.remoteHello.nodeId).toEqual(publicKeyOf(serverKey));
    expect(c.shared).toEqual([
      { name: 'eth', version: 69, offset: 0x10, length: 18 },
      { name: 'snap', version: 1, offset: 0x22, length: 8 },
    ]);
    expect(s.shared).toEqual(c.shared);
    expect(c.transport.codec.snappy).toBe(true);

    const got: Array<[string, number, number]> = [];
    const arrived = new Promise<void>((resolve) =>
      s.attach({
        message: (cap, code, payload) => {
          got.push([cap.name, code, payload.length]);
          if (got.length === 2) resolve();
        },
        disconnect: () => undefined,
      }),
    );
    c.send('eth', 3, new Uint8Array(70_000).fill(7));
    c.send('snap', 7, Uint8Array.of(0xc0));
    await arrived;
    expect(got).toEqual([
      ['eth', 3, 70_000],
      ['snap', 7, 1],
    ]);
    expect(await c.ping()).toBeGreaterThanOrEqual(0);
    expect(await s.ping()).toBeGreaterThanOrEqual(0);
    c.disconnect();
    s.disconnect();
  });

  it('delivers the disconnect reason to the other side', async () => {
    const { server, client } = await pair([{ name: 'eth', version: 68 }], [{ name: 'eth', version: 68 }]);
    const [s, c] = await Promise.all([server, client]);
    const info = new Promise<DisconnectInfo>((resolve) => c.attach({ message: () => undefined, disconnect: resolve }));
    s.disconnect(DisconnectReason.TooManyPeers);
    expect(await info).toMatchObject({ reason: DisconnectReason.TooManyPeers, byUs: false });
    expect(s.disconnectInfo).toMatchObject({ reason: DisconnectReason.TooManyPeers, byUs: true });
  });

  it('drops a peer with no shared capability as useless, and the dialer learns the reason', async () => {
    const { server, client } = await pair([{ name: 'snap', version: 1 }], [{ name: 'eth', version: 68 }]);
    const [s, c] = await Promise.allSettled([server, client]);
    expect(s.status).toBe('rejected');
    expect(c.status).toBe('rejected');
    const clientErr = (c as PromiseRejectedResult).reason as PeerHandshakeError;
    expect(clientErr).toBeInstanceOf(PeerHandshakeError);
    // Both sides find nothing in common; whichever Disconnect arrives first, it says UselessPeer.
    expect(clientErr.info.reason === DisconnectReason.UselessPeer || clientErr.info.byUs).toBe(true);
  });

  it('disconnects with UnexpectedIdentity when Hello carries another node id', async () => {
    const { server, client } = await pair([{ name: 'eth', version: 68 }], [{ name: 'eth', version: 68 }], {
      helloOverrides: { nodeId: publicKeyOf(generatePrivateKey()) },
    });
    const [, c] = await Promise.allSettled([server, client]);
    expect(c.status).toBe('rejected');
    expect(((c as PromiseRejectedResult).reason as PeerHandshakeError).info).toMatchObject({
      reason: DisconnectReason.UnexpectedIdentity,
      byUs: true,
    });
  });

  it('disconnects with NullIdentity (0x07), not 0x09, when Hello carries an all-zero node id', async () => {
    const { server, client } = await pair([{ name: 'eth', version: 68 }], [{ name: 'eth', version: 68 }], {
      helloOverrides: { nodeId: new Uint8Array(64) },
    });
    const [, c] = await Promise.allSettled([server, client]);
    expect(c.status).toBe('rejected');
    expect(((c as PromiseRejectedResult).reason as PeerHandshakeError).info).toMatchObject({
      reason: DisconnectReason.NullIdentity,
      byUs: true,
    });
  });
});
