/** Test support: our node's eth protocols on a loopback Server, with the peers they accept. */
import { Server } from '../p2p/server.js';
import { generatePrivateKey } from '../wire/keys.js';
import type { EthPeer } from './eth-peer.js';
import { createEthProtocols, type EthProtocolOptions, type EthProtocols } from './protocols.js';
import type { EthVersion } from '../wire/eth/types.js';
import type { ChainReader } from './chain-reader.js';
import { buildStatus } from './status.js';
import { ScriptedEthPeer, WAIT_MS } from './test-peer.js';

export interface TestNode {
  server: Server;
  protocols: EthProtocols;
  /** Every EthPeer that passed the handshake, in order. */
  accepted: EthPeer[];
  /** The next (or first not yet taken) EthPeer, waiting up to `timeoutMs`. */
  nextPeer(timeoutMs?: number): Promise<EthPeer>;
}

/** Starts a Server with our eth protocols; `cleanups` gets its stop. */
export async function startEthNode(options: EthProtocolOptions, cleanups: Array<() => unknown>): Promise<TestNode> {
  const accepted: EthPeer[] = [];
  const waiters: Array<(p: EthPeer) => void> = [];
  let taken = 0;
  const protocols = createEthProtocols({
    ...options,
    onPeer: (peer) => {
      accepted.push(peer);
      options.onPeer?.(peer);
      const w = waiters.shift();
      if (w) {
        taken++;
        w(peer);
      }
    },
  });
  const server = new Server({ privateKey: generatePrivateKey(), clientId: 'devp2p-check/eth-test', protocols, noDial: false });
  cleanups.push(() => server.stop());
  await server.start();
  return {
    server,
    protocols,
    accepted,
    nextPeer(timeoutMs = WAIT_MS) {
      if (taken < accepted.length) return Promise.resolve(accepted[taken++]!);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(onPeer), 1);
          reject(new Error(`no eth peer passed the handshake within ${timeoutMs} ms`));
        }, timeoutMs);
        const onPeer = (p: EthPeer) => {
          clearTimeout(timer);
          resolve(p);
        };
        waiters.push(onPeer);
      });
    },
  };
}

/**
 * Our node serving `chain`, and a scripted peer past the Status exchange at
 * `version` (its Status is built from the same chain, so it always matches).
 */
export async function handshaken(
  chain: ChainReader,
  version: EthVersion,
  cleanups: Array<() => unknown>,
  options: Partial<EthProtocolOptions> = {},
): Promise<{ node: TestNode; them: ScriptedEthPeer; peer: EthPeer }> {
  const node = await startEthNode({ ...options, chain }, cleanups);
  const them = await ScriptedEthPeer.dial({ port: node.server.port, publicKey: node.server.publicKey }, version);
  cleanups.push(() => them.close());
  await them.next('Status');
  them.send(buildStatus(chain, version));
  const peer = await node.nextPeer();
  return { node, them, peer };
}
