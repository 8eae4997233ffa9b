/**
 * What a target offers, learned the way any peer learns it: an RLPx
 * handshake and a Hello announcing eth/66..70. The capabilities it announces
 * decide which eth versions get tested. A target that will not handshake at
 * all is unreachable (exit code 3), not a list of failures.
 */
import { RlpxTransport } from '../../reference-node/p2p/rlpx-transport.js';
import { decodeHello, encodeDisconnect, encodeHello, P2P_VERSION, P2pMessageId, DisconnectReason } from '../../reference-node/wire/p2p.js';
import { generatePrivateKey, publicKeyOf } from '../../reference-node/wire/keys.js';
import type { Requirement } from '../core/test.js';

export interface ProbeResult {
  announcedCaps: string[];
  ethVersions: Requirement[];
}

export async function probeTarget(host: string, port: number, publicKey: Uint8Array, timeoutMs = 10_000): Promise<ProbeResult> {
  const privateKey = generatePrivateKey();
  const transport = await RlpxTransport.dial({ host, port, privateKey, remotePublicKey: publicKey, timeoutMs });
  return new Promise<ProbeResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      transport.destroy();
      reject(new Error(`no Hello within ${timeoutMs} ms after the RLPx handshake`));
    }, timeoutMs);
    transport.start({
      message: (msg) => {
        if (msg.msgId !== P2pMessageId.Hello) return;
        clearTimeout(timer);
        try {
          const hello = decodeHello(msg.payload);
          const caps = hello.capabilities.map((c) => `${c.name}/${c.version}`);
          const eth = hello.capabilities.filter((c) => c.name === 'eth' && c.version >= 66 && c.version <= 70).map((c) => `eth/${c.version}` as Requirement);
          transport.send(P2pMessageId.Disconnect, encodeDisconnect({ reason: DisconnectReason.Requested }));
          transport.close(200);
          resolve({ announcedCaps: caps, ethVersions: [...new Set(eth)] });
        } catch (err) {
          transport.destroy();
          reject(new Error(`its Hello does not decode: ${(err as Error).message}`));
        }
      },
      error: (err) => {
        clearTimeout(timer);
        transport.destroy();
        reject(new Error(`bad frame before Hello: ${err.message}`));
      },
      close: () => {
        clearTimeout(timer);
        reject(new Error('it closed the connection before sending Hello'));
      },
    });
    transport.send(
      P2pMessageId.Hello,
      encodeHello({
        protocolVersion: P2P_VERSION,
        clientId: 'devp2p-check/probe',
        capabilities: [66, 67, 68, 69, 70].map((version) => ({ name: 'eth', version })),
        listenPort: 0,
        nodeId: publicKeyOf(privateKey),
        extra: [],
      }),
    );
  });
}
