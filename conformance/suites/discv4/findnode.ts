/**
 * FINDNODE (discv4.md FindNode, Endpoint Proof): geth's v4test Findnode/* and
 * Amplification/* cases, plus a proof sent from the wrong IP and a target key
 * that is not a curve point.
 *
 * Levels. The endpoint proof is a "must" of the spec ("implementations must
 * verify that the sender of a query participates"), so every case where a
 * NEIGHBORS would go to an unproven address is a MUST. Answering a proven
 * FINDNODE is how lookups work at all: MUST. Ignoring unsolicited NEIGHBORS
 * is not written in the spec (it says only that NEIGHBORS is the reply to
 * FINDNODE); taking them in lets anyone poison the table: SHOULD.
 */
import { bytesToHex, equalBytes } from '../../../reference-node/wire/bytes.js';
import { ipToBytes } from '../../../reference-node/wire/discv4.js';
import { publicKeyOf } from '../../../reference-node/wire/keys.js';
import { fail, TestSkip } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import { bond, expectAlive, expectIgnored, expectNoReply, expectPingBack, expectPong, findNeighbors } from './checks.js';
import { expiresIn, UdpSim, type Datagram } from './udp-sim.js';

/** How long a FINDNODE of the target's may stay open: geth waits 500 ms for NEIGHBORS; twice that, to be safe. */
const REQUEST_WINDOW_MS = 1_000;

const isNeighbors = (d: { packet?: { packet: { type: string } }; bytes: Uint8Array }) =>
  d.packet?.packet.type === 'neighbors' || (d.packet === undefined && d.bytes.length > 97 && d.bytes[97] === 0x04);

const test = (id: string, title: string, spec: string, level: 'MUST' | 'SHOULD', run: ConformanceTest['run']): ConformanceTest => ({
  id: `discv4/${id}`,
  title,
  spec,
  level,
  requires: ['discv4'],
  timeoutMs: 12_000,
  run,
});

export const FINDNODE_TESTS: readonly ConformanceTest[] = [
  test('findnode/without-endpoint-proof', 'a FINDNODE from a node that never bonded gets no NEIGHBORS', 'discv4.md#endpoint-proof', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    sim.findNode(ctx.randomBytes(64));
    await expectIgnored(ctx, sim, 'to a FINDNODE from a node that never answered a Ping of the target', (d) => !isNeighbors(d));
  }),

  test('findnode/basic', 'a FINDNODE after the endpoint proof is answered with NEIGHBORS', 'discv4.md#findnode-packet-0x03', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    await bond(ctx, sim);
    await findNeighbors(ctx, sim, ctx.randomBytes(64), 'to a FINDNODE after bonding');
  }),

  /*
   * A NEIGHBORS is unsolicited only if the target has no FINDNODE out to us:
   * a target that is running a lookup may query us (we are in its table now)
   * just as ours is on its way, and then rightly takes it as the answer. Such
   * a try proves nothing and is repeated with a new node, up to 3 times.
   */
  test('findnode/unsolicited-neighbors', 'nodes from an unsolicited NEIGHBORS are not taken into the table', 'discv4.md#neighbors-packet-0x04', 'SHOULD', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    await bond(ctx, sim);
    const isFindNode = (d: Datagram) => d.packet?.packet.type === 'findNode';
    const queriedUs: number[] = [];
    for (let attempt = 1; ; attempt++) {
      queriedUs.push(...(await sim.collect(0, isFindNode)).map((d) => d.at));
      const fake = publicKeyOf(ctx.nextKey());
      // A loopback address nobody listens on: relay rules let a loopback asker see it, and a faulty target's pings stay on this host.
      const sentAt = Date.now();
      sim.send({ type: 'neighbors', nodes: [{ ip: ipToBytes('127.0.0.3'), udpPort: 30303, tcpPort: 30303, publicKey: fake }], expiration: expiresIn(20) });
      const { packets } = await findNeighbors(ctx, sim, fake, 'to a FINDNODE for the node of our unsolicited NEIGHBORS');
      queriedUs.push(...(await sim.collect(0, isFindNode)).map((d) => d.at));
      const listed = packets.some((p) => p.packet.nodes.some((n) => equalBytes(n.publicKey, fake)));
      if (!listed) return;
      const solicited = queriedUs.some((at) => at > sentAt - REQUEST_WINDOW_MS && at < sentAt + 200);
      if (!solicited) {
        fail('the target lists a node it only heard of in a NEIGHBORS it never asked for', 'the unsolicited node is not listed', `listed: ${bytesToHex(fake).slice(0, 16)}.. at 127.0.0.3:30303`);
      }
      ctx.log(`try ${attempt}: the target had a FINDNODE out to us when our NEIGHBORS arrived; it may take it as the answer`);
      if (attempt === 3) throw new TestSkip('in 3 tries the target always had a FINDNODE out to us when our NEIGHBORS arrived');
    }
  }),

  test('findnode/past-expiration', 'an expired FINDNODE gets no NEIGHBORS', 'discv4.md#ping-packet-0x01', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    await bond(ctx, sim);
    sim.findNode(ctx.randomBytes(64), { expiration: expiresIn(-60) });
    await expectIgnored(ctx, sim, 'to a FINDNODE that expired 60 s ago', (d) => !isNeighbors(d));
  }),

  // The target is "a 64-byte secp256k1 public key", but only its hash is used: answering or ignoring are both fine, stopping is not.
  test('findnode/off-curve-target', 'a FINDNODE whose target is not a curve point does not stop the target', 'discv4.md#findnode-packet-0x03', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    await bond(ctx, sim);
    sim.findNode(new Uint8Array(64).fill(0xff));
    await sim.collect(300, isNeighbors);
    await expectAlive(ctx, sim, 'after a FINDNODE whose target is 64 bytes of 0xff (x >= p: no such point)');
  }),

  // geth's Amplification/InvalidPongHash: a Pong that does not echo the target's Ping proves nothing.
  test('amplification/invalid-pong-hash', 'a PONG with the wrong ping-hash is no endpoint proof', 'discv4.md#endpoint-proof', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    await expectPong(ctx, sim, sim.ping(), 'to our Ping');
    await expectPingBack(ctx, sim, 'after our Ping');
    sim.pong(new Uint8Array(32));
    sim.findNode(ctx.randomBytes(64));
    await expectIgnored(ctx, sim, 'to a FINDNODE after a Pong with ping-hash 0x00..00', (d) => !isNeighbors(d));
  }),

  // geth's Amplification/WrongIP: the proof belongs to (node ID, IP), so the same key at another address is unproven.
  test('amplification/wrong-ip', 'a FINDNODE from a second IP of a bonded key gets no NEIGHBORS', 'discv4.md#endpoint-proof', 'MUST', async (ctx) => {
    const first = await UdpSim.open(ctx, { ip: '127.0.0.1', name: 'ip1' });
    const second = await UdpSim.open(ctx, { ip: '127.0.0.2', key: first.privateKey, name: 'ip2' });
    await bond(ctx, first);
    second.findNode(ctx.randomBytes(64));
    await expectIgnored(ctx, second, 'at 127.0.0.2 to a FINDNODE from a key bonded only at 127.0.0.1', (d) => !isNeighbors(d));
  }),

  // A Pong with the right hash from the wrong address: the proof is of an address, so it proves neither.
  test('amplification/pong-from-other-ip', 'a PONG sent from another IP than the one pinged is no endpoint proof', 'discv4.md#endpoint-proof', 'MUST', async (ctx) => {
    const pinged = await UdpSim.open(ctx, { ip: '127.0.0.1', name: 'ip1' });
    const other = await UdpSim.open(ctx, { ip: '127.0.0.2', key: pinged.privateKey, name: 'ip2' });
    await expectPong(ctx, pinged, pinged.ping(), 'to our Ping');
    const theirs = await expectPingBack(ctx, pinged, 'after our Ping');
    other.pong(theirs.hash);
    await other.collect(50, () => false);
    pinged.findNode(ctx.randomBytes(64));
    other.findNode(ctx.randomBytes(64));
    await expectNoReply(pinged, 'at 127.0.0.1, whose Ping was answered from 127.0.0.2, to a FINDNODE', { allow: (d) => !isNeighbors(d) });
    await expectNoReply(other, 'at 127.0.0.2, which the target never pinged, to a FINDNODE', { allow: (d) => !isNeighbors(d), ms: 0 });
    await expectAlive(ctx, pinged, 'after the FINDNODEs');
    await expectNoReply(pinged, 'at 127.0.0.1 to the FINDNODE (it came after our sentinel Ping)', { allow: (d) => !isNeighbors(d), ms: 0 });
    await expectNoReply(other, 'at 127.0.0.2 to the FINDNODE (it came after our sentinel Ping)', { allow: (d) => !isNeighbors(d), ms: 0 });
  }),
];
