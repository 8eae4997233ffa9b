/**
 * PING and PONG (discv4.md Ping/Pong, EIP-8): geth's v4test Ping/* cases,
 * plus an unknown version, the second source IP and the Pong's `to`.
 *
 * Levels. The spec says a node "should reply" to a Ping, but without a Pong no
 * endpoint proof, and so no discovery, is possible: MUST. The `from` field is
 * unauthenticated and routinely wrong behind NAT, and `to` is wrong whenever the
 * recipient is behind NAT, so a node that drops pings over either cannot take
 * part in discovery with such nodes: MUST as well. EIP-8's tolerance rules
 * (version, extra elements) are the protocol's only upgrade path: MUST.
 */
import { encodeRawDiscv4Packet, ipToBytes, type Endpoint } from '../../../reference-node/wire/discv4.js';
import { encodeRlp, type RlpInput } from '../../../reference-node/wire/rlp.js';
import { check } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import { bond, endpointText, expectIgnored, expectNoReply, expectPingBack, expectPong } from './checks.js';
import { expiresIn, UdpSim } from './udp-sim.js';

/** RFC 5737 TEST-NET-1: an address nobody has, as in geth's v4test. */
export const WRONG_ENDPOINT: Endpoint = { ip: ipToBytes('192.0.2.0'), udpPort: 0, tcpPort: 0 };
/** EIP-8 extra list elements after every defined field (enr-seq included, so none of them lands in a defined slot). */
const JUNK_ELEMENTS = [Uint8Array.of(42), Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2, 1)];

const ping = (id: string, title: string, spec: string, level: 'MUST' | 'SHOULD', run: ConformanceTest['run']): ConformanceTest => ({
  id: `discv4/ping/${id}`,
  title,
  spec,
  level,
  requires: ['discv4'],
  timeoutMs: 10_000,
  run,
});

export const PING_TESTS: readonly ConformanceTest[] = [
  ping('basic', 'a PING is answered with a PONG that echoes its hash', 'discv4.md#ping-packet-0x01', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    await expectPong(ctx, sim, sim.ping(), 'to our Ping');
  }),

  // "If no communication with the sender has occurred within the last 12h, a ping should be sent in addition to pong."
  ping('ping-back', 'a PING from an unknown node gets a PING back (endpoint proof)', 'discv4.md#ping-packet-0x01', 'SHOULD', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    sim.ping();
    await expectPingBack(ctx, sim, 'after a Ping from a node it has never heard of');
  }),

  ping('wrong-to', "a PING whose 'to' is not the target is still answered", 'discv4.md#ping-packet-0x01', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    await expectPong(ctx, sim, sim.ping({ to: WRONG_ENDPOINT }), "to a Ping with to=192.0.2.0:0");
  }),

  ping('wrong-from', "a PING whose 'from' is not the sender is answered to the sender", 'discv4.md#ping-packet-0x01', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    await expectPong(ctx, sim, sim.ping({ from: WRONG_ENDPOINT }), 'to a Ping with from=192.0.2.0:0');
  }),

  ping('extra-data', 'a PING with extra list elements is answered (EIP-8)', 'eips/eip-8.md#specification', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    await expectPong(ctx, sim, sim.ping({ enrSeq: 1n, rest: JUNK_ELEMENTS }), 'to a Ping with two extra list elements');
  }),

  ping('extra-data-wrong-from', "a PING with extra list elements and a wrong 'from' is answered", 'eips/eip-8.md#specification', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    await expectPong(ctx, sim, sim.ping({ from: WRONG_ENDPOINT, enrSeq: 1n, rest: JUNK_ELEMENTS }), 'to a Ping with extra elements and from=192.0.2.0:0');
  }),

  // "Implementations should ignore any mismatches in version" (discv4.md); EIP-8: "should not validate the version number of the ping packet".
  ping('version-555', 'a PING with version 555 is answered (EIP-8)', 'eips/eip-8.md#specification', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    await expectPong(ctx, sim, sim.ping({ version: 555n }), 'to a Ping with version 555');
  }),

  // "Packets containing a time stamp that lies in the past are expired may not be processed": the only replay protection the protocol has.
  // A plain past time (now - 60 s), not geth's 2^64 - (now + 20), which is in the past only if the field is read as a signed number.
  ping('past-expiration', 'an expired PING is not answered', 'discv4.md#ping-packet-0x01', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    sim.ping({ expiration: expiresIn(-60) });
    await expectIgnored(ctx, sim, 'to a Ping that expired 60 s ago');
  }),

  // EIP-8: "Discovery packets with unknown packet type should be discarded silently."
  ping('wrong-packet-type', 'a packet of unknown type 0x42 is ignored', 'eips/eip-8.md#specification', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    const p = sim.pingPacket();
    const payload = encodeRlp([p.version, endpointFields(p.from), endpointFields(p.to), p.expiration]);
    sim.sendRaw(encodeRawDiscv4Packet(0x42, payload, sim.privateKey), 'discv4:type-0x42', 'a Ping body under type 0x42');
    await expectIgnored(ctx, sim, 'to a packet of unknown type 0x42');
  }),

  ping('bond-then-wrong-from', "after bonding, a PING with a wrong 'from' is still answered to the sender", 'discv4.md#ping-packet-0x01', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    await bond(ctx, sim);
    await expectPong(ctx, sim, sim.ping({ from: WRONG_ENDPOINT }), 'to a Ping with from=192.0.2.0:0 after bonding');
  }),

  // Replying to the claimed 'from' would reflect traffic at whoever it names: the amplification the endpoint proof exists to stop.
  ping(
    'reply-to-source-address',
    "a PING from 127.0.0.2 claiming to come from 127.0.0.1 is answered at 127.0.0.2 only",
    'discv4.md#endpoint-proof',
    'MUST',
    async (ctx) => {
      const victim = await UdpSim.open(ctx, { ip: '127.0.0.1', name: 'victim' });
      const sender = await UdpSim.open(ctx, { ip: '127.0.0.2', name: 'sender' });
      await expectPong(ctx, sender, sender.ping({ from: victim.endpoint }), `at 127.0.0.2 to a Ping claiming from=${endpointText(victim.endpoint.ip, victim.port)}`);
      await expectNoReply(victim, 'at the address a Ping from 127.0.0.2 claimed as its own', { allow: () => false });
    },
  ),

  // The spec only names the field; by Ping's `to` (the recipient's address) a Pong's `to` is the pinger as seen from the target, which is how a node learns its external address.
  ping('pong-to-observed-endpoint', "the PONG's 'to' is the address the PING came from, not its 'from'", 'discv4.md#pong-packet-0x02', 'SHOULD', async (ctx) => {
    const sim = await UdpSim.open(ctx, { ip: '127.0.0.2' });
    // The claimed address is on loopback, where nobody listens: a faulty target must not send anything off this host.
    const pong = await expectPong(ctx, sim, sim.ping({ from: { ip: ipToBytes('127.0.0.3'), udpPort: 30303, tcpPort: 30303 } }), 'to a Ping from 127.0.0.2 claiming from=127.0.0.3:30303');
    const to = pong.packet.to;
    const want = endpointText(sim.endpoint.ip, sim.port);
    const got = endpointText(to.ip, to.udpPort);
    check(got === want, "the PONG's 'to' does not name the address the PING came from", `to=${want}`, `to=${got}`);
  }),
];

function endpointFields(e: Endpoint): RlpInput[] {
  return [e.ip, e.udpPort, e.tcpPort];
}
