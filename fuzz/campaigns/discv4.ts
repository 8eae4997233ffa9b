/**
 * Campaign `discv4`: valid and mutated discv4 packets over UDP (discv4.md,
 * EIP-8, EIP-868), from nodes that have proven their endpoint (bonded) and
 * from fresh ones. RLP operators rewrite the payload before it is signed
 * (reaching the field decoders); byte operators change the signed packet
 * (reaching the hash and signature checks).
 *
 * What the target must answer, per our decoder on the exact bytes:
 *   - an undecodable, badly signed or expired packet: nothing;
 *   - a valid Ping (any version, EIP-8): a Pong echoing its hash, addressed
 *     to the UDP source the Ping came from;
 *   - FindNode: Neighbors only to a bonded node, at most 16 nodes in packets
 *     of at most 1280 bytes; ENRRequest: an ENRResponse only to a bonded node,
 *     echoing the hash, holding the target's own signed record;
 *   - an unsolicited Pong, Neighbors or ENRResponse: nothing.
 * The target may always Ping us (that is how it checks our endpoint).
 * A Ping/Pong from a separate bonded node afterwards is the barrier.
 *
 * UDP gives no order between sockets, and Node may read the barrier's Pong
 * before the case node's packets of the same moment, so answers are matched
 * to the request that asked for them: a Pong or ENRResponse echoing the hash
 * of a packet an earlier case sent is that case's late answer, not this
 * one's; after a FindNode-typed packet the case drains its node's Neighbors
 * until they stop, and Neighbors arriving within FINDNODE_LATE_MS of an
 * earlier case's FindNode from the same node are put down to that FindNode.
 *
 * Every address in what we send is loopback: a packet whose decoded
 * endpoints name any other address is not sent.
 */
import { createSocket, type Socket } from 'node:dgram';
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { bytesToHex, equalBytes } from '../../reference-node/wire/bytes.js';
import { decodeDiscv4Packet, encodeDiscv4Packet, encodeRawDiscv4Packet, expirationAfter, isExpired, MAX_PACKET_SIZE, PACKET_TYPE, type DecodedPacket, type Packet } from '../../reference-node/wire/discv4.js';
import { decodeEnr, enrPublicKey } from '../../reference-node/wire/enr.js';
import { ipToBytes } from '../../reference-node/wire/ip.js';
import { generatePrivateKey, keccak256, publicKeyOf, type PrivateKey } from '../../reference-node/wire/keys.js';
import { buildPacket, discv4PacketArb, type PacketSpec } from '../arbitraries/discv4.js';
import { byteMutationArb, maybeMutatedArb } from '../arbitraries/mutations.js';
import { applyPlan, describePlan, mutateBytes, type ByteMutation, type MutationPlan } from '../mutate/index.js';
import type { CampaignContext } from '../engine/context.js';
import { fail, PASS, type Campaign, type CaseRun, type SentItem, type Verdict } from '../engine/types.js';
import { sent } from './session-tools.js';

const POOL_SIZE = 4;
const REPLY_MS = 1_000;
/** discv4.md: at most 16 nodes per FindNode answer (the bucket size). */
const MAX_NEIGHBOR_NODES = 16;
const MAX_NEIGHBOR_PACKETS = 2;
/** After the barrier, a FindNode case waits until no Neighbors came for this long (at most DRAIN_MAX_MS). */
const DRAIN_QUIET_MS = 60;
const DRAIN_MAX_MS = 1_000;
/** How long after a FindNode its Neighbors are still excused as late ones in the node's next cases. */
const FINDNODE_LATE_MS = 5_000;
/** Packet layout: hash (32) || signature (65) || type (1) || RLP. */
const TYPE_OFFSET = 97;
/** Request hashes remembered per node for late Pong/ENRResponse matching. */
const REMEMBERED_HASHES = 256;

export interface Discv4Case {
  bonded: boolean;
  /** Which bonded node (pool index); fresh nodes use a new key each case. */
  from: number;
  spec: PacketSpec;
  plan: MutationPlan;
  signed: ByteMutation[];
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** One UDP node: a socket, a key, what arrived, and an automatic Pong to the target's Pings. */
class UdpNode {
  readonly inbox: Array<{ d: DecodedPacket; size: number; at: number }> = [];
  readonly undecodable: number[] = [];
  /** Hashes (hex) of the packets earlier cases sent from this node: what a late Pong or ENRResponse echoes. */
  readonly earlierHashes = new Set<string>();
  /** When an earlier case last sent a FindNode-typed packet from this node. */
  lastFindNodeAt = -Infinity;
  private waiters: Array<() => void> = [];
  private constructor(
    readonly socket: Socket,
    readonly key: PrivateKey,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {
    socket.on('message', (msg, rinfo) => {
      if (rinfo.address !== target.host || rinfo.port !== target.port) return;
      const bytes = new Uint8Array(msg);
      try {
        const d = decodeDiscv4Packet(bytes);
        if (d.packet.type === 'ping') this.send(encodeDiscv4Packet({ type: 'pong', to: { ip: ipToBytes(target.host), udpPort: target.port, tcpPort: 0 }, pingHash: d.hash, expiration: expirationAfter(nowSeconds()) }, this.key));
        this.inbox.push({ d, size: bytes.length, at: Date.now() });
      } catch {
        this.undecodable.push(bytes.length);
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(target: { host: string; port: number }, key: PrivateKey = generatePrivateKey()): Promise<UdpNode> {
    return new Promise((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        socket.on('error', () => undefined);
        resolve(new UdpNode(socket, key, socket.address().port, target));
      });
    });
  }

  send(bytes: Uint8Array): void {
    this.socket.send(bytes, this.target.port, this.target.host);
  }

  ping(): Uint8Array {
    const self = { ip: ipToBytes('127.0.0.1'), udpPort: this.port, tcpPort: 0 };
    const bytes = encodeDiscv4Packet({ type: 'ping', version: 4n, from: self, to: { ip: ipToBytes(this.target.host), udpPort: this.target.port, tcpPort: 0 }, expiration: expirationAfter(nowSeconds()) }, this.key);
    this.send(bytes);
    return bytes.subarray(0, 32);
  }

  /** The first packet at inbox index `since` or later that matches. */
  async waitFor(match: (d: DecodedPacket) => boolean, ms: number, since = 0): Promise<DecodedPacket | undefined> {
    const end = Date.now() + ms;
    for (;;) {
      const hit = this.inbox.slice(since).find((x) => match(x.d));
      if (hit) return hit.d;
      const left = end - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Ping, take the Pong, let the target's Ping be answered: the endpoint proof both ways. */
  async bond(): Promise<boolean> {
    const hash = this.ping();
    const since = this.inbox.length;
    const pong = await this.waitFor((d) => d.packet.type === 'pong' && equalBytes(d.packet.pingHash, hash), REPLY_MS, since);
    await this.waitFor((d) => d.packet.type === 'ping', 300, since);
    await new Promise((r) => setTimeout(r, 30));
    return pong !== undefined;
  }

  /** A case's packet is done with: its hash and FindNode time now belong to "earlier". */
  remember(bytes: Uint8Array, sentAt: number): void {
    if (bytes.length > TYPE_OFFSET && bytes[TYPE_OFFSET] === PACKET_TYPE.findNode) this.lastFindNodeAt = sentAt;
    if (bytes.length < 32) return;
    if (this.earlierHashes.size >= REMEMBERED_HASHES) this.earlierHashes.delete(this.earlierHashes.values().next().value!);
    this.earlierHashes.add(bytesToHex(bytes.subarray(0, 32)));
  }

  /** Waits until no packet of this type has arrived for `quietMs` (at most `maxMs`). */
  async drain(type: Packet['type'], quietMs: number, maxMs: number): Promise<void> {
    const end = Date.now() + maxMs;
    for (;;) {
      const seen = this.inbox.filter((x) => x.d.packet.type === type).length;
      await new Promise((r) => setTimeout(r, Math.min(quietMs, Math.max(0, end - Date.now()))));
      if (Date.now() >= end || this.inbox.filter((x) => x.d.packet.type === type).length === seen) return;
    }
  }

  close(): void {
    this.socket.close();
  }
}

/** Is this packet a late answer to what an earlier case sent from the same node? */
function lateAnswer(node: UdpNode, x: { d: DecodedPacket; at: number }): boolean {
  const p = x.d.packet;
  if (p.type === 'pong') return node.earlierHashes.has(bytesToHex(p.pingHash));
  if (p.type === 'enrResponse') return node.earlierHashes.has(bytesToHex(p.requestHash));
  if (p.type === 'neighbors') return x.at - node.lastFindNodeAt <= FINDNODE_LATE_MS;
  return false;
}

function isLoopbackIp(ip: Uint8Array): boolean {
  if (ip.length === 4) return ip[0] === 127;
  if (ip.length === 16) return ip.subarray(0, 15).every((b) => b === 0) && ip[15] === 1;
  return true; // no address form: nothing anyone could contact
}

/** Loopback-only rule for what we send: every endpoint the packet decodes to must be loopback. */
function onlyLoopback(bytes: Uint8Array): boolean {
  let d: DecodedPacket;
  try {
    d = decodeDiscv4Packet(bytes, { listInEnrSeqSlot: 'ignore' });
  } catch {
    return true;
  }
  const p = d.packet;
  if (p.type === 'ping') return isLoopbackIp(p.from.ip) && isLoopbackIp(p.to.ip);
  if (p.type === 'pong') return isLoopbackIp(p.to.ip);
  if (p.type === 'neighbors') return p.nodes.every((n) => isLoopbackIp(n.ip));
  return true;
}

type Expect = { kind: 'any' } | { kind: 'silent'; why: string } | { kind: 'pong'; hash: Uint8Array } | { kind: 'neighbors' } | { kind: 'enr'; hash: Uint8Array };

function expectationOf(bytes: Uint8Array, bonded: boolean): Expect {
  let d: DecodedPacket;
  try {
    d = decodeDiscv4Packet(bytes);
  } catch (err) {
    return { kind: 'silent', why: `it does not decode (${(err as Error).message})` };
  }
  const p = d.packet;
  // Read as a signed 64-bit Unix time, as geth does (its v4test "PastExpiration" sends 2^64-1 and expects silence).
  if ('expiration' in p) {
    const exp = BigInt.asIntN(64, p.expiration);
    // Within a couple of seconds of now the answer depends on when the target reads its clock.
    if (exp >= BigInt(nowSeconds() - 2) && exp <= BigInt(nowSeconds() + 2)) return { kind: 'any' };
    if (isExpired(exp, nowSeconds())) return { kind: 'silent', why: 'it has expired' };
  }
  switch (p.type) {
    case 'ping':
      return { kind: 'pong', hash: d.hash };
    case 'findNode':
      return bonded ? { kind: 'neighbors' } : { kind: 'silent', why: 'FindNode from a node without an endpoint proof' };
    case 'enrRequest':
      return bonded ? { kind: 'enr', hash: d.hash } : { kind: 'silent', why: 'ENRRequest from a node without an endpoint proof' };
    default:
      return { kind: 'silent', why: `an unsolicited ${p.type}` };
  }
}

const ANSWER_TYPES: ReadonlySet<Packet['type']> = new Set(['pong', 'neighbors', 'enrResponse']);

export class Discv4Campaign implements Campaign<Discv4Case> {
  readonly name = 'discv4' as const;
  readonly summary = 'valid and mutated discv4 packets over UDP, bonded and not; replies bounded';
  readonly udp = true;
  private pool: { targetKey: string; nodes: UdpNode[]; barrier: UdpNode } | undefined;

  cases(ctx: CampaignContext): Arbitrary<Discv4Case> {
    const to = { ip: ipToBytes(ctx.target.host), udpPort: ctx.target.udpPort, tcpPort: ctx.target.port };
    return fc.record({
      bonded: fc.boolean(),
      from: fc.nat({ max: POOL_SIZE - 1 }),
      spec: discv4PacketArb({ to }),
      plan: maybeMutatedArb({ big: false, maxRlp: 2, maxBytes: 0 }),
      signed: fc.oneof({ weight: 4, arbitrary: fc.constant<ByteMutation[]>([]) }, { weight: 1, arbitrary: fc.array(byteMutationArb(), { minLength: 1, maxLength: 1 }) }),
    });
  }

  describe(c: Discv4Case): string {
    const exp = 'in' in c.spec.expiry ? `expires in ${c.spec.expiry.in} s` : `expiration ${c.spec.expiry.at}`;
    return `${c.bonded ? 'bonded' : 'fresh'} node sends ${c.spec.packet.type} (${exp}; payload ${describePlan(c.plan)}${c.signed.length ? `; signed packet ${describePlan({ rlp: [], bytes: c.signed })}` : ''})`;
  }

  async reset(): Promise<void> {
    if (!this.pool) return;
    for (const n of [...this.pool.nodes, this.pool.barrier]) n.close();
    this.pool = undefined;
  }

  private async nodes(ctx: CampaignContext): Promise<{ nodes: UdpNode[]; barrier: UdpNode }> {
    const id = bytesToHex(ctx.target.publicKey);
    if (this.pool?.targetKey === id) return this.pool;
    await this.reset();
    const target = { host: ctx.target.host, port: ctx.target.udpPort };
    const nodes = await Promise.all(Array.from({ length: POOL_SIZE }, (_, i) => UdpNode.open(target, keccak256(Uint8Array.of(0xd4, i)))));
    const barrier = await UdpNode.open(target, keccak256(Uint8Array.of(0xba)));
    for (const n of [...nodes, barrier]) await n.bond();
    this.pool = { targetKey: id, nodes, barrier };
    return this.pool;
  }

  /** The exact bytes of a case at this moment (expirations are relative to now). */
  private packetBytes(c: Discv4Case, key: PrivateKey): Uint8Array {
    const packet: Packet = buildPacket(c.spec, nowSeconds());
    const honest = encodeDiscv4Packet(packet, key);
    const signed = c.plan.rlp.length + c.plan.bytes.length > 0 ? encodeRawDiscv4Packet(PACKET_TYPE[packet.type], applyPlan(honest.subarray(98), c.plan), key) : honest;
    return mutateBytes(signed, c.signed);
  }

  async run(ctx: CampaignContext, c: Discv4Case): Promise<CaseRun> {
    const items: SentItem[] = [];
    const { nodes, barrier } = await this.nodes(ctx);
    const fresh = c.bonded ? undefined : await UdpNode.open({ host: ctx.target.host, port: ctx.target.udpPort });
    const node = fresh ?? nodes[c.from % POOL_SIZE]!;
    let bytes: Uint8Array | undefined;
    let sentAt: number | undefined;
    try {
      try {
        bytes = this.packetBytes(c, node.key);
      } catch (err) {
        // A shape no valid packet can have (over 1280 bytes before mutation): nothing to send.
        if (err instanceof RangeError || err instanceof TypeError) return { verdict: PASS, sent: items };
        throw err;
      }
      if (!onlyLoopback(bytes) || bytes.length > 4 * MAX_PACKET_SIZE) return { verdict: PASS, sent: items };
      const expect = expectationOf(bytes, c.bonded);
      const before = node.inbox.length;
      const badBefore = node.undecodable.length;
      items.push(sent(`udp discv4 ${c.spec.packet.type} from a ${c.bonded ? 'bonded' : 'fresh'} node`, bytes));
      sentAt = Date.now();
      node.send(bytes);
      const verdict = await this.judge(node, before, expect, ctx);
      // The barrier: a bonded node's Ping answered means the target has read our packet.
      const bh = barrier.ping();
      const bp = await barrier.waitFor((d) => d.packet.type === 'pong' && equalBytes(d.packet.pingHash, bh), REPLY_MS * 3, Math.max(0, barrier.inbox.length - 1));
      if (!verdict.ok) return { verdict, sent: items };
      if (!bp) return { verdict: fail('hang', 'a Pong to a bonded node\'s Ping after the case', `nothing within ${REPLY_MS * 3} ms`), sent: items, suspicious: true };
      // The target may have answered a FindNode just before the barrier's Pong, read after it: let them land here.
      const findNode = bytes.length > TYPE_OFFSET && bytes[TYPE_OFFSET] === PACKET_TYPE.findNode;
      if (findNode) await node.drain('neighbors', DRAIN_QUIET_MS, DRAIN_MAX_MS);
      return { verdict: this.afterBarrier(node, before, badBefore, expect, findNode), sent: items };
    } finally {
      if (fresh) fresh.close();
      else if (bytes && sentAt !== undefined) node.remember(bytes, sentAt);
    }
  }

  private async judge(node: UdpNode, before: number, e: Expect, ctx: CampaignContext): Promise<Verdict> {
    if (e.kind === 'pong') {
      const pong = await node.waitFor((d) => d.packet.type === 'pong' && equalBytes(d.packet.pingHash, e.hash), REPLY_MS, before);
      if (!pong) {
        const wrong = node.inbox.slice(before).find((x) => x.d.packet.type === 'pong');
        return fail('reply', 'a Pong echoing the Ping\'s hash (discv4.md; EIP-8: any version)', wrong ? `a Pong echoing ${bytesToHex((wrong.d.packet as { pingHash: Uint8Array }).pingHash).slice(0, 16)}…` : `nothing within ${REPLY_MS} ms`);
      }
      const to = (pong.packet as Extract<Packet, { type: 'pong' }>).to;
      if (to.udpPort !== node.port || !equalBytes(to.ip, ipToBytes('127.0.0.1'))) return fail('reply', `a Pong addressed to the Ping's UDP source 127.0.0.1:${node.port}`, `to ${Array.from(to.ip).join('.')}:${to.udpPort}`);
      if (!equalBytes(pong.publicKey, ctx.target.publicKey)) return fail('reply', 'a Pong signed by the target\'s key', `signed by ${bytesToHex(pong.publicKey).slice(0, 16)}…`);
      return PASS;
    }
    if (e.kind === 'enr') {
      const r = await node.waitFor((d) => d.packet.type === 'enrResponse', REPLY_MS, before);
      if (!r) return fail('reply', 'an ENRResponse to a bonded node\'s ENRRequest (EIP-868)', `nothing within ${REPLY_MS} ms`);
      const p = r.packet as Extract<Packet, { type: 'enrResponse' }>;
      if (!equalBytes(p.requestHash, e.hash)) return fail('reply', 'an ENRResponse echoing the request hash', `echoes ${bytesToHex(p.requestHash).slice(0, 16)}…`);
      try {
        const record = decodeEnr(p.enr);
        if (!equalBytes(enrPublicKey(record), ctx.target.publicKey)) return fail('reply', 'the target\'s own record', 'a record signed by another key');
      } catch (err) {
        return fail('reply', 'a valid signed record (EIP-778)', (err as Error).message);
      }
      return PASS;
    }
    return PASS;
  }

  /** Once the barrier is through, everything the target sent for the case has arrived. */
  private afterBarrier(node: UdpNode, before: number, badBefore: number, e: Expect, findNode: boolean): Verdict {
    // Only answers count: the target's own Ping, FindNode and ENRRequest to a bonded node are its
    // table maintenance (revalidation, lookups, EIP-868 record fetches), which may come at any time.
    // Late answers to an earlier case's request do not count either; a FindNode case's own Neighbors
    // all count (it drained them, and its bound must see every packet).
    const replies = node.inbox.slice(before).filter((x) => ANSWER_TYPES.has(x.d.packet.type) && !(lateAnswer(node, x) && !(findNode && x.d.packet.type === 'neighbors')));
    const bad = node.undecodable.slice(badBefore);
    const oversize = bad.filter((n) => n > MAX_PACKET_SIZE);
    if (oversize.length > 0) return fail('bounded-response', `packets of at most ${MAX_PACKET_SIZE} bytes (discv4.md)`, `${oversize.length} packets of ${oversize.join(',')} bytes`);
    if (bad.length > 0) return fail('reply', 'packets that decode', `${bad.length} undecodable packets (${bad.join(',')} bytes)`);
    if (e.kind === 'silent') {
      if (replies.length > 0) return fail('unexpected-reply', `no answer: ${e.why}`, replies.map((r) => r.d.packet.type).join(', '));
      return PASS;
    }
    if (e.kind === 'neighbors') {
      const neighbors = replies.filter((r) => r.d.packet.type === 'neighbors');
      const nodes = neighbors.reduce((n, r) => n + (r.d.packet as Extract<Packet, { type: 'neighbors' }>).nodes.length, 0);
      const big = neighbors.find((r) => r.size > MAX_PACKET_SIZE);
      if (big) return fail('bounded-response', `Neighbors packets of at most ${MAX_PACKET_SIZE} bytes`, `${big.size} bytes`);
      if (nodes > MAX_NEIGHBOR_NODES || neighbors.length > MAX_NEIGHBOR_PACKETS) return fail('bounded-response', `at most ${MAX_NEIGHBOR_NODES} nodes in at most ${MAX_NEIGHBOR_PACKETS} packets`, `${nodes} nodes in ${neighbors.length} packets`);
    }
    return PASS;
  }
}
