/**
 * @ethereumjs/devp2p's DPT as an independent discv4 peer, on 127.0.0.1 only
 * (see ../shared/notes/ethereumjs-as-peer.md). We bind its socket ourselves so
 * it is on loopback and its port is known before it advertises it.
 */
import dgram from 'node:dgram';
import { DPT } from '@ethereumjs/devp2p';
import { generatePrivateKey, publicKeyOf } from '../reference-node/wire/keys.js';

const LOOPBACK = '127.0.0.1';

export interface RunningDpt {
  dpt: DPT;
  port: number;
  publicKey: Uint8Array;
  errors: unknown[];
  close(): void;
}

export interface LoopbackDptOptions {
  /**
   * With neighbour discovery on, the DPT pings every endpoint it learns; only
   * safe where every node it can hear of is on 127.0.0.1.
   */
  findNeighbours: boolean;
  refreshIntervalMs: number;
}

export async function startLoopbackDpt(options: LoopbackDptOptions): Promise<RunningDpt> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, LOOPBACK, resolve));
  const port = socket.address().port;
  const privateKey = generatePrivateKey();
  const dpt = new DPT(privateKey, {
    createSocket: () => socket,
    endpoint: { address: LOOPBACK, udpPort: port, tcpPort: null },
    shouldFindNeighbours: options.findNeighbours,
    shouldGetDnsPeers: false,
    // Its DNS client sets the process resolver at construction; point it at loopback, never a public server.
    dnsAddr: LOOPBACK,
    refreshInterval: options.refreshIntervalMs,
    timeout: 2000,
  });
  const errors: unknown[] = [];
  dpt.events.on('error', (err: unknown) => errors.push(err));
  return { dpt, port, publicKey: publicKeyOf(privateKey), errors, close: () => dpt.destroy() };
}
