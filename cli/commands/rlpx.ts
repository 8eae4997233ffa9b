import { bytesToHex } from '../../reference-node/wire/bytes.js';
import { parseEnode } from '../../reference-node/wire/enode.js';
import { generatePrivateKey } from '../../reference-node/wire/keys.js';
import { DisconnectReason, type Hello } from '../../reference-node/wire/p2p.js';
import { Peer } from '../../reference-node/p2p/peer.js';
import { RlpxTransport } from '../../reference-node/p2p/rlpx-transport.js';
import { ETH_MESSAGE_COUNTS, ETH_VERSIONS } from '../../reference-node/p2p/capabilities.js';
import { flagInt, parseArgs } from '../args.js';
import { UnreachableError, UsageError } from '../errors.js';

export interface HelloJson {
  protocolVersion: number;
  clientId: string;
  capabilities: { name: string; version: number }[];
  listenPort: number;
  id: string;
}

export function helloToJson(hello: Hello): HelloJson {
  return {
    protocolVersion: hello.protocolVersion,
    clientId: hello.clientId,
    capabilities: hello.capabilities.map(({ name, version }) => ({ name, version })),
    listenPort: hello.listenPort,
    id: bytesToHex(hello.nodeId),
  };
}

/** `rlpx ping <enode>`: handshake, print the remote Hello, then leave politely. */
export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'ping') throw new UsageError('usage: rlpx ping <enode> [--timeout MS]');
  const args = parseArgs(rest, { values: ['timeout'] });
  const [url] = args.positional;
  if (url === undefined) throw new UsageError('rlpx ping needs an enode URL');
  const node = parseEnode(url);
  const timeoutMs = flagInt(args, 'timeout', 1, 600_000) ?? 5_000;
  const privateKey = generatePrivateKey();

  let peer: Peer;
  try {
    const transport = await RlpxTransport.dial({ host: node.ip, port: node.tcpPort, privateKey, remotePublicKey: node.publicKey, timeoutMs });
    peer = await Peer.start(transport, {
      privateKey,
      clientId: 'devp2p-check',
      capabilities: ETH_VERSIONS.map((version) => ({ name: 'eth', version })),
      messageCounts: ETH_MESSAGE_COUNTS,
      listenPort: 0,
      helloTimeoutMs: timeoutMs,
      // We only want the remote Hello, whatever it offers.
      requireSharedCapability: false,
    });
  } catch (err) {
    throw new UnreachableError(`${node.ip}:${node.tcpPort}: ${(err as Error).message}`);
  }
  console.log(JSON.stringify(helloToJson(peer.remoteHello)));
  peer.disconnect(DisconnectReason.Requested);
  return 0;
}
