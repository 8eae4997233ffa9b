/**
 * @ethereumjs/devp2p's RLPx as an independent peer, on loopback only and with
 * discovery off (see ../shared/notes/ethereumjs-as-peer.md).
 */
import { createCommonFromGethGenesis } from '@ethereumjs/common';
import { ETH, RLPx, type Peer as EthjsPeer } from '@ethereumjs/devp2p';
import type { EthtestChain } from './ethtest-chain.js';

export interface EthjsNode {
  rlpx: RLPx;
  port: number;
  close(): void;
}

export function ethtestCommon(chain: EthtestChain) {
  return createCommonFromGethGenesis(chain.genesisJson as never, { chain: 'ethtest', genesisHash: chain.genesisHash });
}

export async function startEthjsNode(chain: EthtestChain, privateKey: Uint8Array, listen: boolean): Promise<EthjsNode> {
  const rlpx = new RLPx(privateKey, {
    capabilities: [ETH.eth68],
    common: ethtestCommon(chain),
    maxPeers: 25,
    dpt: null,
    clientId: new TextEncoder().encode('ethereumjs-devp2p/interop'),
  });
  let port = 0;
  if (listen) {
    await new Promise<void>((resolve) => {
      rlpx.events.once('listening', () => resolve());
      rlpx.listen(0, '127.0.0.1');
    });
    const address = (rlpx as unknown as { _server: { address(): { port: number } } })._server.address();
    port = address.port;
  }
  return { rlpx, port, close: () => rlpx.destroy() };
}

export function nextEthjsPeer(node: EthjsNode): Promise<EthjsPeer> {
  return new Promise((resolve) => node.rlpx.events.once('peer:added', (peer: EthjsPeer) => resolve(peer)));
}

/** The peer's eth protocol object (its only capability). */
export function ethOf(peer: EthjsPeer): ETH {
  const eth = peer.getProtocols().find((p) => p instanceof ETH);
  if (!eth) throw new Error('ethereumjs peer has no eth protocol');
  return eth as ETH;
}
