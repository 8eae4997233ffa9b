/**
 * What a NEIGHBORS reply holds (discv4.md Wire Protocol, FindNode, Endpoint
 * Proof): the 1280-byte limit with a full reply, the closest 16, and which
 * endpoint a bonded node is listed at.
 *
 * The target's table is shared with every other test, so these tests fill it
 * with nodes of their own (bonded helpers; they answer only the bonding ping,
 * so the target never marks them live and FINDNODE answers never shrink to
 * "live nodes only"). The node a test looks up gets a key whose ID shares its
 * first 4 bits with the target's: it lands in a bucket at log distance <= 252,
 * where a random node lands with odds of 1 in 16, so the hundred-odd nodes a
 * full run bonds do not crowd it out of the bucket into the replacements.
 *
 * Relay filtering: the part testable on loopback is that a node's claimed
 * `from` is never relayed (an attacker could otherwise make the target
 * advertise a victim). geth's other relay rules (no loopback or LAN address to
 * a WAN asker) need a non-loopback asker and are not tested.
 */
import { bytesToHex, equalBytes } from '../../../reference-node/wire/bytes.js';
import { ipToBytes, MAX_PACKET_SIZE, type Endpoint, type NeighborNode } from '../../../reference-node/wire/discv4.js';
import { assertPublicKey, nodeIdOf, publicKeyOf, type PrivateKey } from '../../../reference-node/wire/keys.js';
import type { TargetSession } from '../../core/context.js';
import { check, fail, TestSkip } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import { bond, endpointText, findNeighbors } from './checks.js';
import { UdpSim } from './udp-sim.js';

/** Bonded nodes a test adds so the target has more than 16 to choose from. */
const HELPERS = 20;
const LOOKUP_TRIES = 4;
/** IPv4 nodes that fit in one 1280-byte NEIGHBORS packet (geth's maxNeighbors). */
const NODES_PER_PACKET = 12;
const RETRY_PAUSE_MS = 700;
/** A loopback address nobody listens on: what a lying `from` claims (never a routable address: a faulty target would send there). */
const CLAIMED_FROM: Endpoint = { ip: ipToBytes('127.0.0.3'), udpPort: 30303, tcpPort: 30303 };

const test = (id: string, title: string, spec: string, level: 'MUST' | 'SHOULD', run: ConformanceTest['run']): ConformanceTest => ({
  id: `discv4/neighbors/${id}`,
  title,
  spec,
  level,
  requires: ['discv4'],
  timeoutMs: 15_000,
  run,
});

/** `count` bonded sims (fresh keys), bonded in parallel. */
async function bondHelpers(ctx: TargetSession, count: number): Promise<UdpSim[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const sim = await UdpSim.open(ctx, { name: `h${i + 1}` });
      await bond(ctx, sim);
      return sim;
    }),
  );
}

/**
 * A seeded key whose node ID shares its first 4 bits with the target's (see
 * the module comment). 4 bits, not more: each try derives a public key (~2 ms
 * of the harness's one thread, shared by every test running in parallel).
 */
function sparseBucketKey(ctx: TargetSession): PrivateKey {
  const prefix = nodeIdOf(ctx.target.publicKey)[0]! >> 4;
  for (let i = 0; i < 1024; i++) {
    const key = ctx.nextKey();
    if (nodeIdOf(publicKeyOf(key))[0]! >> 4 === prefix) return key;
  }
  throw new Error('no key in 1024 shares the first 4 bits of the target node ID');
}

function listedAs(nodes: readonly NeighborNode[], sim: UdpSim): NeighborNode | undefined {
  return nodes.find((n) => equalBytes(n.publicKey, sim.publicKey));
}

/**
 * FINDNODE for `target` until `enough` holds for the nodes in the answer, at
 * most LOOKUP_TRIES times; between tries `reping` has our nodes ping again. A target
 * just started takes no inbound nodes until its first table refresh is done
 * (geth and the reference node alike), and a bonded node's ping is what puts
 * it (back) in. Returns every answer's nodes, the last answer last.
 */
async function lookUp(
  ctx: TargetSession,
  asker: UdpSim,
  reping: () => void,
  target: Uint8Array,
  enough: (nodes: NeighborNode[]) => boolean,
  after: string,
): Promise<NeighborNode[][]> {
  const answers: NeighborNode[][] = [];
  for (let attempt = 1; attempt <= LOOKUP_TRIES; attempt++) {
    const { packets } = await findNeighbors(ctx, asker, target, after);
    answers.push(packets.flatMap((p) => p.packet.nodes));
    if (enough(answers.at(-1)!) || attempt === LOOKUP_TRIES) break;
    ctx.log(`try ${attempt}: not there yet; our nodes ping the target again`);
    reping();
    await asker.collect(RETRY_PAUSE_MS, () => false);
  }
  return answers;
}

export const NEIGHBORS_TESTS: readonly ConformanceTest[] = [
  // "The maximum size of any packet is 1280 bytes": a reply of 16 IPv4 nodes in one packet is about 1340 bytes, so the target must split it.
  test('packet-size', 'with 20+ nodes known, every NEIGHBORS packet is at most 1280 bytes and well-formed', 'discv4.md#wire-protocol', 'MUST', async (ctx) => {
    const helpers = await bondHelpers(ctx, HELPERS);
    const asker = await UdpSim.open(ctx, { name: 'asker' });
    await bond(ctx, asker);
    // Ask until the answer holds more nodes than one packet can carry (a just-started target
    // may not have taken our nodes in yet); every packet of every answer is size-checked.
    const answers = await lookUp(ctx, asker, () => helpers.forEach((h) => h.ping()), ctx.randomBytes(64), (nodes) => nodes.length > NODES_PER_PACKET, 'to a FINDNODE with 20+ bonded nodes in the table');
    const nodes = answers.at(-1)!;
    if (nodes.length <= NODES_PER_PACKET) throw new TestSkip(`the target listed at most ${nodes.length} nodes in one answer, which fit in one packet: the 1280-byte limit was not put to the test`);
    for (const n of nodes) {
      try {
        assertPublicKey(n.publicKey);
      } catch {
        fail('a NEIGHBORS entry is not a node: its key is no secp256k1 point', 'a 64-byte public key on the curve', `0x${bytesToHex(n.publicKey)}`);
      }
      check(n.ip.length === 4 || n.ip.length === 16, 'a NEIGHBORS entry has no IP address', 'a 4- or 16-byte ip', `${n.ip.length} bytes`);
    }
    ctx.log(`${nodes.length} nodes in the last answer, every packet within ${MAX_PACKET_SIZE} bytes`);
  }),

  // "the recipient should reply with Neighbors packets containing the closest 16 nodes to target found in its local table".
  test('closest-16', 'a FINDNODE for a known node returns 16 nodes, that node first among them', 'discv4.md#findnode-packet-0x03', 'SHOULD', async (ctx) => {
    const helpers = await bondHelpers(ctx, HELPERS);
    const known = await UdpSim.open(ctx, { key: sparseBucketKey(ctx), name: 'known' });
    await bond(ctx, known);
    const asker = await UdpSim.open(ctx, { name: 'asker' });
    await bond(ctx, asker);
    const answers = await lookUp(ctx, asker, () => [...helpers, known].forEach((n) => n.ping()), known.publicKey, (nodes) => nodes.length >= 16 && listedAs(nodes, known) !== undefined, 'to a FINDNODE for a bonded node, with 20+ nodes in the table');
    const nodes = answers.at(-1)!;
    check(nodes.length === 16, 'the NEIGHBORS reply does not hold the closest 16 nodes', '16 nodes (the target knows more than 20)', `${nodes.length} nodes`);
    // Distance 0 to the target key: if the target holds it at all, no node is closer.
    check(listedAs(nodes, known) !== undefined, 'the node the FINDNODE asked for, bonded just before, is not among the 16 closest', 'the bonded node at distance 0 is listed', 'not listed');
  }),

  // "It may also consider the sender for addition into the local table": a target that does, lists it where its packets come from.
  test('observed-endpoint', 'a bonded node that lied in its PING from is listed at the address it sent from', 'discv4.md#ping-packet-0x01', 'SHOULD', async (ctx) => {
    const liar = await UdpSim.open(ctx, { key: sparseBucketKey(ctx), name: 'liar' });
    await bond(ctx, liar, { from: CLAIMED_FROM });
    const asker = await UdpSim.open(ctx, { name: 'asker' });
    await bond(ctx, asker);
    // The liar keeps its false from when it pings again.
    const answers = await lookUp(ctx, asker, () => liar.ping({ from: CLAIMED_FROM }), liar.publicKey, (nodes) => listedAs(nodes, liar) !== undefined, 'to a FINDNODE for a node that bonded with a false from');
    const entry = listedAs(answers.at(-1)!, liar);
    const want = endpointText(liar.endpoint.ip, liar.port);
    check(entry !== undefined, 'a node that bonded with the target is not in its NEIGHBORS for that very key', `listed at ${want}`, 'not listed');
    const got = endpointText(entry.ip, entry.udpPort);
    check(got === want, 'the bonded node is listed at another address than the one it sent from', `listed at ${want}`, `listed at ${got}`);
  }),

  // The claimed `from` is unverified: relaying it lets anyone make the target send the network to a victim (the amplification the endpoint proof stops).
  test('no-claimed-endpoint', "a node's unverified PING from is never relayed in NEIGHBORS", 'discv4.md#endpoint-proof', 'MUST', async (ctx) => {
    const liar = await UdpSim.open(ctx, { key: sparseBucketKey(ctx), name: 'liar' });
    await bond(ctx, liar, { from: CLAIMED_FROM });
    const asker = await UdpSim.open(ctx, { name: 'asker' });
    await bond(ctx, asker);
    // Until the target lists the liar at all, so that this test looks at a table that holds it.
    const answers = await lookUp(ctx, asker, () => liar.ping({ from: CLAIMED_FROM }), liar.publicKey, (nodes) => listedAs(nodes, liar) !== undefined, 'to a FINDNODE for a node that bonded with a false from');
    const claimed = endpointText(CLAIMED_FROM.ip, CLAIMED_FROM.udpPort);
    const relayed = answers.flat().find((n) => endpointText(n.ip, n.udpPort) === claimed);
    check(relayed === undefined, 'the target relays an endpoint that a node only claimed in its PING from', `no entry at ${claimed}`, () => `an entry at ${claimed} (key ${bytesToHex(relayed!.publicKey).slice(0, 16)}..)`);
  }),
];
