/**
 * The discv4 canary: a Ping from a node the target has never seen must get a
 * Pong that echoes its hash, signed by the target's key. The TCP canary
 * cannot judge a target without RLPx (a discv4-only node such as an
 * @ethereumjs/devp2p DPT), so for one this is the whole canary; for a normal
 * target it runs after the TCP canary when the campaign fuzzes UDP, so a
 * node whose discovery stopped answering is caught even though RLPx still
 * works. A fresh node each time: the campaign's bonded nodes could be
 * answered from state that new peers no longer get.
 */
import { createSocket } from 'node:dgram';
import { equalBytes } from '../../reference-node/wire/bytes.js';
import { decodeDiscv4Packet, encodeDiscv4Packet, expirationAfter, ipToBytes } from '../../reference-node/wire/discv4.js';
import { generatePrivateKey } from '../../reference-node/wire/keys.js';
import type { RunningTarget } from '../../conformance/targets/target.js';
import { CANARY_TIMEOUT_MS } from './canary.js';
import type { CampaignContext } from './context.js';
import { fail, PASS, type Verdict } from './types.js';

/** A target with TCP port 0 has no RLPx endpoint (as in an enode URL): only discv4 can be checked. */
export function isUdpOnly(target: Pick<RunningTarget, 'port'>): boolean {
  return target.port === 0;
}

export async function pingCanary(ctx: CampaignContext, timeoutMs = CANARY_TIMEOUT_MS): Promise<Verdict> {
  const { host, udpPort, publicKey } = ctx.target;
  const socket = createSocket('udp4');
  socket.on('error', () => undefined);
  try {
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const key = generatePrivateKey();
    const now = Math.floor(Date.now() / 1000);
    const ping = encodeDiscv4Packet({ type: 'ping', version: 4n, from: { ip: ipToBytes('127.0.0.1'), udpPort: socket.address().port, tcpPort: 0 }, to: { ip: ipToBytes(host), udpPort, tcpPort: ctx.target.port }, expiration: expirationAfter(now) }, key);
    const hash = ping.subarray(0, 32);
    const answer = new Promise<Verdict>((resolve) => {
      const timer = setTimeout(() => resolve(fail('canary', 'a Pong to a fresh node\'s Ping (discv4.md)', `nothing within ${timeoutMs} ms`)), timeoutMs);
      socket.on('message', (msg, from) => {
        if (from.address !== host || from.port !== udpPort) return;
        let d: ReturnType<typeof decodeDiscv4Packet>;
        try {
          d = decodeDiscv4Packet(new Uint8Array(msg));
        } catch {
          return; // judged by the campaign, not the canary
        }
        if (d.packet.type !== 'pong' || !equalBytes(d.packet.pingHash, hash)) return;
        clearTimeout(timer);
        resolve(equalBytes(d.publicKey, publicKey) ? PASS : fail('canary', 'a Pong signed by the target\'s key', 'a Pong signed by another key'));
      });
    });
    socket.send(ping, udpPort, host);
    return await answer;
  } finally {
    socket.close();
  }
}
