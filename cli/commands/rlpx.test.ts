import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:net';
import { formatEnode } from '../../reference-node/wire/enode.js';
import { generatePrivateKey, publicKeyOf } from '../../reference-node/wire/keys.js';
import { DisconnectReason } from '../../reference-node/wire/p2p.js';
import { RlpxListener } from '../../reference-node/p2p/rlpx-listener.js';
import type { Peer } from '../../reference-node/p2p/peer.js';
import { ETH_MESSAGE_COUNTS } from '../../reference-node/p2p/capabilities.js';
import { main } from '../main.js';

let listener: RlpxListener | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await listener?.close();
  listener = undefined;
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  return { out, err };
}

describe('devp2p-check rlpx ping', () => {
  it('prints the remote Hello as JSON and leaves with Disconnect(requested)', async () => {
    const key = generatePrivateKey();
    const sessions: Peer[] = [];
    const left = new Promise<number | undefined>((resolve) => {
      void RlpxListener.listen({
        peer: {
          privateKey: key,
          clientId: 'listener/v1.2.3',
          capabilities: [{ name: 'eth', version: 68 }, { name: 'eth', version: 69 }],
          messageCounts: ETH_MESSAGE_COUNTS,
          listenPort: 30399,
        },
        onPeer: (peer) => {
          sessions.push(peer);
          peer.attach({ message: () => undefined, disconnect: (info) => resolve(info.reason) });
        },
      }).then((l) => (listener = l));
    });
    await vi.waitFor(() => expect(listener).toBeDefined());
    const io = capture();
    const code = await main(['rlpx', 'ping', formatEnode({ publicKey: publicKeyOf(key), ip: '127.0.0.1', tcpPort: listener!.port, udpPort: listener!.port })]);
    expect(io.err).toEqual([]);
    expect(code).toBe(0);
    const hello = JSON.parse(io.out[0]!);
    expect(hello).toEqual({
      protocolVersion: 5,
      clientId: 'listener/v1.2.3',
      capabilities: [{ name: 'eth', version: 68 }, { name: 'eth', version: 69 }],
      listenPort: 30399,
      id: Buffer.from(publicKeyOf(key)).toString('hex'),
    });
    expect(await left).toBe(DisconnectReason.Requested);
  });

  it('exits 3 with a one-line reason when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
    const io = capture();
    const code = await main(['rlpx', 'ping', formatEnode({ publicKey: publicKeyOf(generatePrivateKey()), ip: '127.0.0.1', tcpPort: port, udpPort: port })]);
    expect(code).toBe(3);
    expect(io.err).toHaveLength(1);
    expect(io.err[0]).toMatch(/ECONNREFUSED|failed/);
  });

  it('exits 3 when the remote key is not the one in the enode (handshake fails)', async () => {
    listener = await RlpxListener.listen({
      peer: { privateKey: generatePrivateKey(), clientId: 'x', capabilities: [], messageCounts: {}, listenPort: 0 },
      onPeer: () => undefined,
    });
    const io = capture();
    const wrongKey = publicKeyOf(generatePrivateKey());
    const code = await main(['rlpx', 'ping', formatEnode({ publicKey: wrongKey, ip: '127.0.0.1', tcpPort: listener.port, udpPort: listener.port }), '--timeout', '2000']);
    expect(code).toBe(3);
    expect(io.err).toHaveLength(1);
  });

  it('exits 2 on a malformed enode', async () => {
    const io = capture();
    expect(await main(['rlpx', 'ping', 'enode://zz@127.0.0.1:1'])).toBe(2);
    expect(io.err[0]).toMatch(/128 hex digits/);
  });
});
