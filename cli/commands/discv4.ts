/**
 * devp2p-check discv4 ping <enode> [--timeout MS]
 *
 * Sends one discv4 Ping from a fresh throwaway key and prints the Pong. The
 * endpoint stays up until the pong arrives, so a node that pings back to
 * verify us (geth does) gets its answer meanwhile.
 */
import { isIPv6 } from 'node:net';
import { Discv4TimeoutError, Discv4UdpEndpoint, type PongReply } from '../../reference-node/discovery/udp-endpoint.js';
import { bytesToHex } from '../../reference-node/wire/bytes.js';
import { ipToString } from '../../reference-node/wire/discv4.js';
import { parseEnode, type Enode } from '../../reference-node/wire/enode.js';
import { generatePrivateKey } from '../../reference-node/wire/keys.js';
import { flagInt, parseArgs } from '../args.js';
import { UnreachableError, UsageError } from '../errors.js';

const USAGE = 'usage: discv4 ping <enode> [--timeout MS]';
const DEFAULT_TIMEOUT_MS = 3000;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'ping') throw new UsageError(sub === undefined ? USAGE : `unknown subcommand "${sub}"; ${USAGE}`);
  const args = parseArgs(rest, { values: ['timeout'] });
  if (args.positional.length !== 1) throw new UsageError(`discv4 ping needs exactly one enode URL; ${USAGE}`);
  const timeoutMs = flagInt(args, 'timeout', 1, 600_000) ?? DEFAULT_TIMEOUT_MS;
  const enode = parseEnode(args.positional[0]!);
  if (enode.udpPort === 0) throw new UsageError('the enode says discport=0: the node has discovery switched off');

  const endpoint = await Discv4UdpEndpoint.open({ privateKey: generatePrivateKey(), host: bindAddressFor(enode.ip) });
  try {
    const reply = await pingOrUnreachable(endpoint, enode, timeoutMs);
    console.log(JSON.stringify(pongReport(reply), null, 2));
    const seq = reply.pong.enrSeq;
    console.log(`remote ENR seq: ${seq === undefined ? 'none (the pong carries no EIP-868 enr-seq)' : seq}`);
    return 0;
  } finally {
    await endpoint.close();
  }
}

async function pingOrUnreachable(endpoint: Discv4UdpEndpoint, enode: Enode, timeoutMs: number): Promise<PongReply> {
  const target = `${enode.ip}:${enode.udpPort}`;
  try {
    return await endpoint.ping({ ip: enode.ip, udpPort: enode.udpPort, publicKey: enode.publicKey }, timeoutMs);
  } catch (err) {
    if (err instanceof Discv4TimeoutError) {
      throw new UnreachableError(`${err.message}; check the IP, the UDP port (discport), the node key and that discovery is on`);
    }
    // A send that fails at once: no route, or the address family is not usable here.
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string') throw new UnreachableError(`cannot send to ${target}: ${code}`);
    throw err;
  }
}

/**
 * Loopback targets get a loopback socket (nothing leaves the host); anything
 * else needs the unspecified address so the kernel picks the outgoing interface.
 */
function bindAddressFor(ip: string): string {
  if (isIPv6(ip)) return ip === '::1' ? '::1' : '::';
  return ip.startsWith('127.') ? '127.0.0.1' : '0.0.0.0';
}

function pongReport(reply: PongReply): Record<string, unknown> {
  const { pong } = reply;
  return {
    from: `${reply.from.ip}:${reply.from.port}`,
    publicKey: bytesToHex(reply.publicKey),
    nodeId: bytesToHex(reply.nodeId),
    to: { ip: ipToString(pong.to.ip) ?? `0x${bytesToHex(pong.to.ip)}`, udpPort: pong.to.udpPort, tcpPort: pong.to.tcpPort },
    pingHash: bytesToHex(pong.pingHash),
    expiration: pong.expiration.toString(),
    enrSeq: pong.enrSeq === undefined ? null : pong.enrSeq.toString(),
    rttMs: Math.round(reply.rttMs * 100) / 100,
  };
}
