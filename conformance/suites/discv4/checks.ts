/**
 * The steps discv4 tests share, each failing with one message that says what
 * was expected and what arrived: waiting for the Pong to a given Ping, the
 * endpoint proof (bond), a FINDNODE round, "no reply" windows, and the
 * sentinel Ping that proves a silent target is alive and not just dead.
 *
 * "No reply" is judged by waiting (SILENCE_MS), never by ordering: a target
 * may handle packets concurrently, so a sentinel's Pong arriving first does
 * not prove an earlier packet went unanswered.
 */
import { bytesToHex, equalBytes } from '../../../reference-node/wire/bytes.js';
import { ipToString, MAX_PACKET_SIZE, type DecodedPacket, type Endpoint, type Pong } from '../../../reference-node/wire/discv4.js';
import { fail } from '../../core/failure.js';
import type { TargetSession } from '../../core/context.js';
import { describeDatagram, unixNow, type Datagram, type PacketOf, type UdpSim } from './udp-sim.js';

/** How long a reply may take (geth's v4test waits 300 ms; the reference node's ping-back is immediate). */
export const REPLY_MS = 2_000;
/** How long we listen for a reply that must not come. */
export const SILENCE_MS = 1_000;

const short = (b: Uint8Array) => `${bytesToHex(b).slice(0, 16)}..`;

/** The packet must be signed by the target's key: anything else is not the target speaking. */
export function checkSigner(ctx: TargetSession, d: DecodedPacket, what: string): void {
  if (!equalBytes(d.publicKey, ctx.target.publicKey)) {
    fail(`${what} is signed by another key than the target's`, `signer ${short(ctx.target.publicKey)}`, `signer ${short(d.publicKey)}`);
  }
}

/** The packet's expiration must not lie in the past (discv4.md: such packets may not be processed). */
export function checkNotExpired(d: DecodedPacket, what: string): void {
  const p = d.packet;
  if (p.type === 'enrResponse') return;
  const now = unixNow();
  if (p.expiration < now) fail(`${what} is already expired`, `expiration >= ${now} (now)`, `expiration ${p.expiration}`);
}

/**
 * The Pong that answers the Ping with `pingHash`: echoing that hash, signed by
 * the target, not expired. A Pong echoing something else fails here too, so a
 * target that answers with the wrong hash is told so instead of "nothing came".
 */
export async function expectPong(ctx: TargetSession, sim: UdpSim, pingHash: Uint8Array, after: string, timeoutMs = REPLY_MS): Promise<PacketOf<'pong'>> {
  const hash = pingHash.subarray(0, 32);
  const w = await sim.nextPacket('pong', timeoutMs, (p) => equalBytes(p.packet.pingHash, hash));
  let pong: DecodedPacket<Pong>;
  if (w.ok) {
    pong = w.value;
  } else {
    // Whatever came instead. A busy harness can also read the right Pong only now: it counts, it was sent in time.
    const pongs = (await sim.collect(0, (d) => d.packet?.packet.type === 'pong')).map((d) => d.packet as DecodedPacket<Pong>);
    const late = pongs.find((p) => equalBytes(p.packet.pingHash, hash));
    if (late === undefined) {
      if (pongs[0]) fail(`the Pong ${after} does not echo our Ping's hash`, `ping-hash ${short(hash)}`, `ping-hash ${short(pongs[0].packet.pingHash)}`);
      const junk = await sim.collect(0, (d) => d.packet === undefined);
      const actual = junk[0] ? describeDatagram(junk[0]) : `nothing within ${w.waitedMs} ms`;
      fail(`expected a Pong ${after}, got ${actual}`, `Pong echoing ${short(hash)}`, actual);
    }
    pong = late;
  }
  checkSigner(ctx, pong, `the Pong ${after}`);
  checkNotExpired(pong, `the Pong ${after}`);
  return pong;
}

/** The Ping the target sends to verify us (discv4.md: a ping should be sent in addition to pong). */
export async function expectPingBack(ctx: TargetSession, sim: UdpSim, after: string, timeoutMs = REPLY_MS): Promise<PacketOf<'ping'>> {
  const w = await sim.nextPacket('ping', timeoutMs);
  if (!w.ok) fail(`expected the target to Ping us back ${after}, got nothing within ${w.waitedMs} ms`, 'a Ping from the target', `nothing within ${w.waitedMs} ms`);
  checkSigner(ctx, w.value, `the target's Ping ${after}`);
  checkNotExpired(w.value, `the target's Ping ${after}`);
  return w.value;
}

export interface Bond {
  /** The target's Pong to our Ping. */
  pong: PacketOf<'pong'>;
  /** The target's Ping, which we answered. */
  ping: PacketOf<'ping'>;
}

/**
 * The endpoint proof, both ways: we Ping, the target Pongs and Pings back, we
 * Pong with its ping's hash. From then on the target must treat us (this key
 * at this IP) as verified. Fails the test if the target does not take part:
 * without its Ping we cannot prove our endpoint to it at all.
 */
export async function bond(ctx: TargetSession, sim: UdpSim, options: { enrSeq?: bigint; from?: Endpoint } = {}): Promise<Bond> {
  const seq = options.enrSeq === undefined ? {} : { enrSeq: options.enrSeq };
  const pingHash = sim.ping({ ...seq, ...(options.from ? { from: options.from } : {}) });
  const pong = await expectPong(ctx, sim, pingHash, 'to our first Ping (bonding)');
  const ping = await expectPingBack(ctx, sim, 'after our first Ping (bonding)');
  sim.pong(ping.hash, seq);
  // Let the target handle our Pong before the test's next packet; it comes from the same socket, so this is margin only.
  await sim.collect(50, () => false);
  return { pong, ping };
}

/**
 * Nothing but Pings (which a target may send to verify us) may arrive within
 * `ms`; `what` names the reply that must not come, `after` what provoked it.
 */
export async function expectNoReply(sim: UdpSim, after: string, options: { ms?: number; allow?: (d: Datagram) => boolean } = {}): Promise<void> {
  const ms = options.ms ?? SILENCE_MS;
  const allow = options.allow ?? ((d: Datagram) => d.packet?.packet.type === 'ping');
  const got = await sim.collect(ms, (d) => !allow(d));
  if (got.length > 0) fail(`expected no reply ${after}, got ${describeDatagram(got[0]!)}`, `no reply within ${ms} ms`, describeDatagram(got[0]!));
}

/**
 * The packet under test must go unanswered: nothing forbidden within
 * SILENCE_MS, then the sentinel Ping must be answered, and nothing forbidden
 * may have come before its Pong either. The last check catches a target too
 * slow for the window: it handles one sender's packets in order, so a reply
 * to the earlier packet would come before the sentinel's Pong.
 */
export async function expectIgnored(ctx: TargetSession, sim: UdpSim, after: string, allow: (d: Datagram) => boolean = () => false): Promise<void> {
  await expectNoReply(sim, after, { allow });
  await expectAlive(ctx, sim, after);
  // The sentinel itself may draw a Ping back.
  await expectNoReply(sim, `${after} (it came after our sentinel Ping)`, { allow: (d) => allow(d) || d.packet?.packet.type === 'ping', ms: 0 });
}

/**
 * The sentinel: a valid Ping must still be answered. Tests that expect
 * silence end with it, so a dead or deaf target fails them instead of passing.
 */
export async function expectAlive(ctx: TargetSession, sim: UdpSim, after: string): Promise<void> {
  const pingHash = sim.ping();
  const w = await sim.nextPacket('pong', REPLY_MS, (p) => equalBytes(p.packet.pingHash, pingHash.subarray(0, 32)));
  if (!w.ok) {
    fail(
      `the target did not answer a valid Ping sent ${after}; a target that answers nothing cannot show that it ignored the packet under test`,
      'a Pong to the sentinel Ping',
      `nothing within ${w.waitedMs} ms`,
    );
  }
  checkSigner(ctx, w.value, 'the Pong to the sentinel Ping');
}

/**
 * Sends FINDNODE and gathers the NEIGHBORS that answer it: waits up to
 * REPLY_MS for the first, then `settleMs` more for the rest (the spec does not
 * say how many packets a reply takes). Fails when none comes.
 */
export async function findNeighbors(
  ctx: TargetSession,
  sim: UdpSim,
  target: Uint8Array,
  after: string,
  settleMs = 500,
): Promise<{ packets: PacketOf<'neighbors'>[]; raw: Datagram[] }> {
  sim.findNode(target);
  const first = await sim.next((d) => d.packet?.packet.type === 'neighbors' || (d.packet === undefined && d.bytes.length > 97 && d.bytes[97] === 0x04), REPLY_MS);
  if (!first.ok) fail(`expected NEIGHBORS ${after}, got nothing within ${first.waitedMs} ms`, 'NEIGHBORS', `nothing within ${first.waitedMs} ms`);
  const rest = await sim.collect(settleMs, (d) => d.packet?.packet.type === 'neighbors' || (d.packet === undefined && d.bytes.length > 97 && d.bytes[97] === 0x04));
  const raw = [first.value, ...rest];
  const packets: PacketOf<'neighbors'>[] = [];
  for (const d of raw) {
    if (d.bytes.length > MAX_PACKET_SIZE) {
      fail(`a NEIGHBORS ${after} is ${d.bytes.length} bytes, over the spec's ${MAX_PACKET_SIZE}-byte limit`, `<= ${MAX_PACKET_SIZE} bytes`, `${d.bytes.length} bytes`);
    }
    if (d.packet === undefined) fail(`a NEIGHBORS ${after} does not decode`, 'a valid NEIGHBORS packet', describeDatagram(d));
    checkSigner(ctx, d.packet, `NEIGHBORS ${after}`);
    checkNotExpired(d.packet, `NEIGHBORS ${after}`);
    packets.push(d.packet as PacketOf<'neighbors'>);
  }
  return { packets, raw };
}

/** ip:port for messages and comparisons; an IPv4-mapped IPv6 address reads as the IPv4 address it is (as geth's IP.Equal has it). */
export function endpointText(ip: Uint8Array, port: number): string {
  const mapped = ip.length === 16 && ip.subarray(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff;
  const bytes = mapped ? ip.subarray(12) : ip;
  return `${ipToString(bytes) ?? `0x${bytesToHex(ip)}`}:${port}`;
}
