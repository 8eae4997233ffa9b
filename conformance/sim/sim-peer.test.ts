/**
 * How SimPeer reads a Disconnect in the wrong form, against a scripted
 * loopback target that sends its Disconnect compressed or plain on purpose.
 * By default (the conformance suite) nothing changes: a plain Disconnect
 * after a v5 Hello exchange is an undecodable frame, a compressed one while
 * snappy is off has no readable reason. With disconnectEitherForm (the
 * fuzzers) both give the reason, and the end records which form came.
 */
import type { Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenLoopback } from '../../reference-node/p2p/test-helpers.js';
import { RlpxTransport } from '../../reference-node/p2p/rlpx-transport.js';
import { generatePrivateKey, publicKeyOf } from '../../reference-node/wire/keys.js';
import { DisconnectReason, encodeDisconnect, encodeHello, P2pMessageId } from '../../reference-node/wire/p2p.js';
import { describeEnd, SimPeer, type SimDialOptions, type SessionEnd } from './sim-peer.js';
import { Transcript } from './transcript.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/**
 * A target that says Hello v5 and, once our Hello arrives, sends Disconnect
 * `reason` compressed or not as told (whatever the Hellos negotiated), then closes.
 */
async function scriptedTarget(reason: number, form: 'snappy' | 'plain') {
  const key = generatePrivateKey();
  const { server, port } = await listenLoopback((socket) => {
    void RlpxTransport.accept(socket, { privateKey: key }).then((t) => {
      t.start({
        message: (m) => {
          if (m.msgId !== P2pMessageId.Hello) return;
          t.codec.snappy = form === 'snappy';
          t.send(P2pMessageId.Disconnect, encodeDisconnect({ reason }));
          t.close(200);
        },
        error: () => t.destroy(),
        close: () => {},
      });
      t.send(P2pMessageId.Hello, encodeHello({ protocolVersion: 5, clientId: 'scripted', capabilities: [{ name: 'eth', version: 68 }], listenPort: 0, nodeId: publicKeyOf(key), extra: [] }));
    }, () => {});
  });
  servers.push(server);
  return { port, publicKey: publicKeyOf(key) };
}

async function endAfterHello(reason: number, sentForm: 'snappy' | 'plain', ourVersion: number, options: SimDialOptions): Promise<SessionEnd | undefined> {
  const target = await scriptedTarget(reason, sentForm);
  const env = { host: '127.0.0.1', port: target.port, publicKey: target.publicKey, transcript: new Transcript(), nextKey: generatePrivateKey, signal: new AbortController().signal };
  const peer = await SimPeer.dial(env, options);
  try {
    const hello = await peer.exchangeHello([{ name: 'eth', version: 68 }], { protocolVersion: ourVersion });
    expect(hello.ok, 'the scripted target sends its Hello first').toBe(true);
    return await peer.waitForEnd(3_000);
  } finally {
    peer.destroy();
  }
}

describe('SimPeer: the form of a Disconnect', () => {
  it('a compressed Disconnect after a v5 exchange is read in every mode, form snappy', async () => {
    const end = await endAfterHello(DisconnectReason.ProtocolBreach, 'snappy', 5, {});
    expect(end).toMatchObject({ via: 'disconnect', reason: DisconnectReason.ProtocolBreach, form: 'snappy' });
    expect(describeEnd(end)).toBe('Disconnect breach of protocol (0x02), sent snappy-compressed');
  });

  it('default (conformance): a plain Disconnect after a v5 exchange is an undecodable frame, as before', async () => {
    const end = await endAfterHello(DisconnectReason.SubprotocolError, 'plain', 5, {});
    expect(end?.via).toBe('bad-frame');
  });

  it('default (conformance): a compressed Disconnect while snappy is off gives no reason, as before', async () => {
    const end = await endAfterHello(DisconnectReason.UselessPeer, 'snappy', 4, {});
    expect(end).toMatchObject({ via: 'disconnect', reason: undefined, form: 'plain' });
  });

  it('acceptUncompressedDisconnect (the Hello refusal tests): a plain Disconnect after v5 is read, form plain', async () => {
    const end = await endAfterHello(DisconnectReason.SubprotocolError, 'plain', 5, { acceptUncompressedDisconnect: true });
    expect(end).toMatchObject({ via: 'disconnect', reason: DisconnectReason.SubprotocolError, form: 'plain' });
  });

  it('disconnectEitherForm (fuzzers): a plain Disconnect after v5 is read, form plain', async () => {
    const end = await endAfterHello(DisconnectReason.SubprotocolError, 'plain', 5, { disconnectEitherForm: true });
    expect(end).toMatchObject({ via: 'disconnect', reason: DisconnectReason.SubprotocolError, form: 'plain' });
    expect(describeEnd(end)).toBe('Disconnect subprotocol-specific reason (0x10), sent plain');
  });

  it('disconnectEitherForm (fuzzers): a compressed Disconnect while snappy is off is read, form snappy', async () => {
    const end = await endAfterHello(DisconnectReason.UselessPeer, 'snappy', 4, { disconnectEitherForm: true });
    expect(end).toMatchObject({ via: 'disconnect', reason: DisconnectReason.UselessPeer, form: 'snappy' });
  });
});
