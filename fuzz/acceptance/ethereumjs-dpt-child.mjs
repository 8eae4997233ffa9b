/**
 * An @ethereumjs/devp2p DPT (its discv4) as a fuzz target process, for the
 * `ethereumjs-dpt` target (ethereumjs-dpt-target.ts): @ethereumjs/client must
 * run with its discovery off on this machine (it pings any address it hears
 * of, ../shared/notes), so its discv4 is fuzzed here, alone.
 *
 * Loopback only: the socket is bound to 127.0.0.1 before the DPT gets it; no
 * neighbour discovery (it would ping every endpoint it hears of), no DNS
 * peers, no bootstrap; the DNS client's resolver is pointed at 127.0.0.1;
 * and the socket refuses to send anywhere but 127.0.0.0/8 (loopback-only.mjs).
 * With nothing added to its table it never sends a request of its own; it
 * answers Ping and FindNode to the address they came from.
 *
 * Prints its enode (TCP port 0: no RLPx; ?discport= the UDP port), then
 * every 10 s how many packets it refused and how many sends were dropped.
 */
import dgram from 'node:dgram';
import { DPT } from '@ethereumjs/devp2p';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { loopbackOnly } from './loopback-only.mjs';

const LOOPBACK = '127.0.0.1';
const socket = dgram.createSocket('udp4');
await new Promise((resolve) => socket.bind(0, LOOPBACK, resolve));
const port = socket.address().port;
const dropped = loopbackOnly(socket, (address, p) => console.log(`dropped a send to ${address}:${p} (not loopback)`));

const dpt = new DPT(secp256k1.utils.randomSecretKey(), {
  createSocket: () => socket,
  endpoint: { address: LOOPBACK, udpPort: port, tcpPort: null },
  shouldFindNeighbours: false,
  shouldGetDnsPeers: false,
  dnsAddr: LOOPBACK,
  // Its refresh only looks for neighbours and DNS peers, both off; a long interval keeps it idle.
  refreshInterval: 600_000,
  timeout: 2_000,
});
let refused = 0;
dpt.events.on('error', () => refused++);

console.log(`enode://${Buffer.from(dpt.id).toString('hex')}@${LOOPBACK}:0?discport=${port}`);
setInterval(() => console.log(`dpt: ${refused} packets refused, ${dropped()} non-loopback sends dropped, ${dpt.numPeers()} peers`), 10_000).unref();

const stop = () => {
  dpt.destroy();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
