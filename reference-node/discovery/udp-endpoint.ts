/**
 * The discv4 wire endpoint on one UDP socket, the part of geth's UDPv4 that
 * knows packets but not the table: it answers Ping with Pong, ENRRequest with
 * ENRResponse and (through a handler the service supplies) FindNode with
 * Neighbors; it sends Ping, ENRRequest and FindNode and matches the replies.
 *
 * Bonding follows the spec's endpoint proof: a node counts as verified for 12
 * hours after it answered one of our pings from the address we pinged (the
 * proof is bound to node ID and IP). When an unverified node pings us we ping
 * it back (discv4.md, Ping). FindNode and ENRRequest are answered only for
 * verified nodes (discv4.md, EIP-868: against traffic amplification). Where
 * the proofs live is pluggable (BondStore): in memory by default, the node
 * database in the service.
 *
 * Expiration is read as geth reads it, a signed 64-bit Unix time
 * (time.Unix(int64(ts), 0)): a timestamp at or above 2^63 is in the past.
 * geth's own test suite (v4test "PastExpiration") sends such values.
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import {
  chunkNeighbors,
  decodeDiscv4Packet,
  MAX_NEIGHBORS,
  encodeDiscv4Packet,
  encodeRawDiscv4Packet,
  expirationAfter,
  expirationOf,
  ipToBytes,
  ipToString,
  isExpired,
  PACKET_TYPE,
  type DecodedPacket,
  type NeighborNode,
  type Packet,
  type Pong,
} from '../wire/discv4.js';
import { DecodeError, type DecodeErrorCode } from '../wire/errors.js';
import { keccak256, nodeIdOf, publicKeyOf, type NodeId, type PrivateKey, type PublicKey } from '../wire/keys.js';
import { asList, asUint64, decodeRlp, encodeRlp } from '../wire/rlp.js';
import { fault } from '../faults/index.js';
import { canonicalIp } from './netutil.js';
import type { DiscoveredNode } from './types.js';

/**
 * How long a pong counts as endpoint proof. The spec says 12 hours; geth uses
 * 24 (bondExpiration). We keep the spec's figure: a peer that relies on 12
 * finds us bonded whenever it thinks it is.
 */
export const ENDPOINT_PROOF_LIFETIME_MS = 12 * 60 * 60 * 1000;
const PING_BACK_TIMEOUT_MS = 2000;
/** A FindNode is complete once this many nodes arrived (geth: bucketSize), or a short packet arrived, else at its timeout. */
const FINDNODE_RESULT_COUNT = 16;

/** Where endpoint proofs are kept, per (node ID, IP). Times in ms since the epoch, 0 for never. */
export interface BondStore {
  lastPingReceived(id: NodeId, ip: string): number;
  updateLastPingReceived(id: NodeId, ip: string, ms: number): void;
  lastPongReceived(id: NodeId, ip: string): number;
  updateLastPongReceived(id: NodeId, ip: string, ms: number): void;
}

/** A BondStore in a Map, for endpoints used without a node database. */
export class MemoryBondStore implements BondStore {
  private readonly pings = new Map<string, number>();
  private readonly pongs = new Map<string, number>();
  lastPingReceived(id: NodeId, ip: string): number {
    return this.pings.get(bondKey(id, ip)) ?? 0;
  }
  updateLastPingReceived(id: NodeId, ip: string, ms: number): void {
    this.pings.set(bondKey(id, ip), ms);
  }
  lastPongReceived(id: NodeId, ip: string): number {
    return this.pongs.get(bondKey(id, ip)) ?? 0;
  }
  updateLastPongReceived(id: NodeId, ip: string, ms: number): void {
    this.pongs.set(bondKey(id, ip), ms);
  }
}

/** Who sent a FindNode, for the handler that picks the answer. */
export interface FindNodeRequest {
  /** The 64-byte target; distances are to keccak256 of it. */
  target: Uint8Array;
  publicKey: PublicKey;
  nodeId: NodeId;
  from: SenderAddress;
}

export interface UdpEndpointOptions {
  privateKey: PrivateKey;
  /** Address to bind; 127.0.0.1 unless the caller must reach other hosts. */
  host?: string;
  /** The IP we put in Ping.from; defaults to `host`, or 127.0.0.1 when `host` is unspecified (geth's fallback IP). */
  advertiseIp?: string;
  /** UDP port to bind; 0 picks a free one. */
  port?: number;
  /** The RLPx port we advertise in Ping.from (0: none). */
  tcpPort?: number;
  /** Our encoded ENR. Without it ENRRequest is ignored. */
  enr?: Uint8Array;
  /** Our ENR sequence number for Ping/Pong; defaults to the seq in `enr`, else it is left out. */
  enrSeq?: bigint;
  /** Seconds since the epoch, fractional allowed. Injectable so tests can age packets. */
  now?: () => number;
  /** Ping unverified nodes that ping us (default true). */
  pingBack?: boolean;
  /** Answer ENRRequest (and FindNode) only from verified nodes (default true, as geth). */
  requireEndpointProof?: boolean;
  /** Where endpoint proofs are kept (default: in memory, per endpoint). */
  bonds?: BondStore;
  /**
   * Picks the nodes for a verified FindNode (closest first, at most 16); they
   * go out in Neighbors packets of at most 12. Without it FindNode is ignored.
   */
  findNodeHandler?: (request: FindNodeRequest) => readonly NeighborNode[];
  /**
   * A node that pinged us and holds an endpoint proof, now or once it answered
   * our ping-back: geth's addInboundNode. Its address is the one the ping came
   * from, its TCP port the one it claimed.
   */
  onInboundNode?: (node: DiscoveredNode) => void;
  /** After a Ping was answered: the sender now holds our endpoint proof. */
  onPingReceived?: (nodeId: NodeId, ip: string) => void;
}

export interface RemoteNode {
  ip: string;
  udpPort: number;
  /** When known, replies signed by any other key are ignored. */
  publicKey?: PublicKey;
}

export interface SenderAddress {
  ip: string;
  port: number;
}

export interface PongReply {
  pong: Pong;
  /** Hash of the Pong packet itself. */
  hash: Uint8Array;
  /** Hash of our Ping, which the Pong echoed. */
  pingHash: Uint8Array;
  publicKey: PublicKey;
  nodeId: NodeId;
  from: SenderAddress;
  rttMs: number;
}

export interface EnrReply {
  /** The record as received. Not yet verified: a caller with wire/enr must check it is signed by `publicKey`. */
  enr: Uint8Array;
  publicKey: PublicKey;
  nodeId: NodeId;
  from: SenderAddress;
}

export interface EndpointStats {
  received: number;
  /** Packets that failed to decode, by DecodeError code. */
  invalid: Partial<Record<DecodeErrorCode, number>>;
  expired: number;
  /** Pongs, Neighbors and ENRResponses that answer nothing we asked (or come from another address). */
  unsolicited: number;
  /** Replies with a matching hash but signed by a key other than the one we expected. */
  wrongSender: number;
  /** Valid packets this endpoint does not act on, or FindNode/ENRRequest it may not answer (no endpoint proof). */
  ignored: number;
  sent: number;
  sendErrors: number;
  /** Exceptions that are not DecodeError: bugs, counted instead of crashing the process. */
  internalErrors: number;
}

export class Discv4TimeoutError extends Error {
  override readonly name = 'Discv4TimeoutError';
}

export type PacketListener = (packet: DecodedPacket, from: SenderAddress) => void;

/** A FindNode in flight: every Neighbors from that node ID and IP feeds it until it has 16 nodes or times out. */
interface NeighborsWaiter {
  nodeId: string;
  ip: string;
  nodes: NeighborNode[];
  received: number;
  replied: boolean;
  timer: NodeJS.Timeout;
  finish: (err?: Error) => void;
}

interface Pending {
  kind: 'ping' | 'enr';
  remote: RemoteNode;
  sentAt: number;
  timer: NodeJS.Timeout;
  resolve: (reply: PongReply | EnrReply) => void;
  reject: (err: Error) => void;
  /** The key of a reply that matched by hash but not by signer, for the timeout message. */
  wrongSigner?: PublicKey;
}

export class Discv4UdpEndpoint {
  readonly publicKey: PublicKey;
  readonly nodeId: NodeId;
  readonly host: string;
  readonly udpPort: number;

  private readonly pending = new Map<string, Pending[]>();
  private readonly neighborsWaiters = new Set<NeighborsWaiter>();
  private readonly bonds: BondStore;
  private readonly pingingBack = new Set<string>();
  /** Sends whose callback has not run: dgram drops a send still resolving its address when the socket closes, without calling back. */
  private readonly inflightSends = new Set<(err: Error | null) => void>();
  private enr: Uint8Array | undefined;
  private enrSeq: bigint | undefined;
  private tcpPort: number;
  private readonly advertiseIp: string;
  private readonly listeners = new Set<PacketListener>();
  private readonly counters: EndpointStats = {
    received: 0,
    invalid: {},
    expired: 0,
    unsolicited: 0,
    wrongSender: 0,
    ignored: 0,
    sent: 0,
    sendErrors: 0,
    internalErrors: 0,
  };
  private closed = false;
  private lastInternal: unknown;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly options: UdpEndpointOptions,
    enrSeq: bigint | undefined,
  ) {
    this.publicKey = publicKeyOf(options.privateKey);
    this.nodeId = nodeIdOf(this.publicKey);
    const addr = socket.address();
    this.host = addr.address;
    this.udpPort = addr.port;
    this.bonds = options.bonds ?? new MemoryBondStore();
    this.enr = options.enr;
    this.enrSeq = enrSeq;
    this.tcpPort = options.tcpPort ?? 0;
    this.advertiseIp = options.advertiseIp ?? (isUnspecifiedText(this.host) ? '127.0.0.1' : this.host);
    socket.on('message', (msg, rinfo) => this.onMessage(msg, { ip: rinfo.address, port: rinfo.port }));
    // After binding, socket errors are per-send (ICMP unreachable and the like): count, never crash.
    socket.on('error', () => this.counters.sendErrors++);
  }

  static async open(options: UdpEndpointOptions): Promise<Discv4UdpEndpoint> {
    const host = options.host ?? '127.0.0.1';
    const enrSeq = options.enrSeq ?? (options.enr ? seqOfRecord(options.enr) : undefined);
    const socket = dgram.createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port ?? 0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new Discv4UdpEndpoint(socket, options, enrSeq);
  }

  get stats(): EndpointStats {
    return { ...this.counters, invalid: { ...this.counters.invalid } };
  }

  /** The last non-DecodeError exception, if any, for tests and diagnostics. */
  get lastInternalError(): unknown {
    return this.lastInternal;
  }

  /** Called for every valid, unexpired packet, before this endpoint acts on it. */
  onPacket(listener: PacketListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether the node answered one of our pings from `ip` within the proof lifetime. */
  isVerified(publicKey: PublicKey, ip: string): boolean {
    return this.isBonded(nodeIdOf(publicKey), ip);
  }

  isBonded(nodeId: NodeId, ip: string): boolean {
    const at = this.bonds.lastPongReceived(nodeId, ip);
    return at > 0 && this.nowMs() - at < ENDPOINT_PROOF_LIFETIME_MS;
  }

  /** The RLPx port we advertise in Ping.from from now on. */
  setTcpPort(port: number): void {
    this.tcpPort = port;
  }

  /** Replaces the record served to ENRRequest, and the enr-seq sent in Ping/Pong (taken from the record unless given). */
  setEnr(enr: Uint8Array, enrSeq: bigint = seqOfRecord(enr)): void {
    this.enr = enr;
    this.enrSeq = enrSeq;
  }

  /** Pings `remote` and resolves with its Pong (matched by our ping's hash), or rejects on timeout. */
  async ping(remote: RemoteNode, timeoutMs: number): Promise<PongReply> {
    const packet: Packet = {
      type: 'ping',
      version: 4n,
      from: { ip: ipToBytes(this.advertiseIp), udpPort: this.udpPort, tcpPort: this.tcpPort },
      // The spec's ping has tcp-port 0 in `to`: we are not claiming to know it.
      to: { ip: ipToBytes(remote.ip), udpPort: remote.udpPort, tcpPort: 0 },
      expiration: expirationAfter(this.now()),
      ...this.seqField(),
    };
    return (await this.request('ping', packet, remote, timeoutMs)) as PongReply;
  }

  /** Sends ENRRequest and resolves with the record from the matching ENRResponse. */
  async requestEnr(remote: RemoteNode, timeoutMs: number): Promise<EnrReply> {
    const packet: Packet = { type: 'enrRequest', expiration: expirationAfter(this.now()) };
    return (await this.request('enr', packet, remote, timeoutMs)) as EnrReply;
  }

  /**
   * Sends FindNode and collects the nodes of every Neighbors that comes back
   * from that node ID and IP, until 16 arrived or `timeoutMs` passed. A
   * timeout after at least one Neighbors is a result, not an error (geth: a
   * node with fewer than 16 to give sends one packet). The nodes are as sent:
   * checking them is the caller's job.
   *
   * Unlike geth we also stop at a Neighbors with fewer than 12 nodes: replies
   * are cut into packets of 12 (v4wire.MaxNeighbors) with the remainder last,
   * so a short packet is the last one, and waiting out the timeout for a
   * second packet that cannot come would cost every lookup step a full
   * timeout whenever the remote knows fewer than 16 nodes.
   */
  async findNode(remote: RemoteNode & { publicKey: PublicKey }, target: Uint8Array, timeoutMs: number): Promise<NeighborNode[]> {
    if (this.closed) throw new Error('discv4 endpoint closed');
    const packet: Packet = { type: 'findNode', target, expiration: expirationAfter(this.now()) };
    const bytes = encodeDiscv4Packet(packet, this.options.privateKey);
    let waiter: NeighborsWaiter | undefined;
    const result = new Promise<NeighborNode[]>((resolve, reject) => {
      const finish = (err?: Error) => {
        clearTimeout(w.timer);
        this.neighborsWaiters.delete(w);
        if (err) reject(err);
        else resolve(w.nodes);
      };
      const w: NeighborsWaiter = {
        nodeId: bytesToHex(nodeIdOf(remote.publicKey)),
        ip: canonicalIp(remote.ip),
        nodes: [],
        received: 0,
        replied: false,
        timer: setTimeout(() => {
          finish(w.replied ? undefined : new Discv4TimeoutError(`no neighbors from ${remote.ip}:${remote.udpPort} within ${timeoutMs} ms`));
        }, timeoutMs),
        finish,
      };
      waiter = w;
      this.neighborsWaiters.add(w);
    });
    result.catch(() => undefined);
    try {
      await this.send(bytes, remote.ip, remote.udpPort);
    } catch (err) {
      waiter!.finish(err as Error);
      throw err;
    }
    return result;
  }

  /** Sends bytes as they are: for tests and conformance checks that need malformed or stale packets. */
  async sendRaw(bytes: Uint8Array, to: { ip: string; udpPort: number }): Promise<void> {
    await this.send(bytes, to.ip, to.udpPort);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of [...this.pending.values()].flat()) {
      clearTimeout(p.timer);
      p.reject(new Error('discv4 endpoint closed'));
    }
    this.pending.clear();
    for (const w of [...this.neighborsWaiters]) w.finish(new Error('discv4 endpoint closed'));
    for (const done of [...this.inflightSends]) done(new Error('discv4 endpoint closed'));
    this.listeners.clear();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  // ------------------------------------------------------------ internals

  private async request(kind: Pending['kind'], packet: Packet, remote: RemoteNode, timeoutMs: number): Promise<PongReply | EnrReply> {
    if (this.closed) throw new Error('discv4 endpoint closed');
    const bytes = encodeDiscv4Packet(packet, this.options.privateKey);
    // Signatures are deterministic, so two pings to one node within a second are
    // the same bytes with the same hash: one reply answers every such waiter.
    const key = bytesToHex(bytes.subarray(0, 32));
    let waiter: Pending | undefined;
    const reply = new Promise<PongReply | EnrReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.removeWaiter(key, waiter!);
        const what = kind === 'ping' ? 'no pong' : 'no ENRResponse';
        const wrong = waiter!.wrongSigner ? `; a reply with the right hash came signed by ${bytesToHex(waiter!.wrongSigner)} instead` : '';
        reject(new Discv4TimeoutError(`${what} from ${remote.ip}:${remote.udpPort} within ${timeoutMs} ms${wrong}`));
      }, timeoutMs);
      waiter = { kind, remote, sentAt: performance.now(), timer, resolve, reject };
      this.pending.set(key, [...(this.pending.get(key) ?? []), waiter]);
    });
    // close() may reject it while the send below is still in flight, before the caller holds it.
    reply.catch(() => undefined);
    try {
      await this.send(bytes, remote.ip, remote.udpPort);
    } catch (err) {
      clearTimeout(waiter!.timer);
      this.removeWaiter(key, waiter!);
      throw err;
    }
    return reply;
  }

  private removeWaiter(key: string, waiter: Pending): void {
    const left = (this.pending.get(key) ?? []).filter((w) => w !== waiter);
    if (left.length > 0) this.pending.set(key, left);
    else this.pending.delete(key);
  }

  private onMessage(msg: Buffer, from: SenderAddress): void {
    this.counters.received++;
    try {
      this.handle(msg, from);
    } catch (err) {
      if (err instanceof DecodeError) {
        this.counters.invalid[err.code] = (this.counters.invalid[err.code] ?? 0) + 1;
      } else {
        this.counters.internalErrors++;
        this.lastInternal = err;
      }
    }
  }

  private handle(msg: Buffer, from: SenderAddress): void {
    if (fault('discv4-accept-bad-hash') && msg.length > 32) msg.set(keccak256(msg.subarray(32)), 0);
    const d = decodeDiscv4Packet(msg);
    const expiration = expirationOf(d.packet);
    if (expiration !== undefined && isExpired(BigInt.asIntN(64, expiration), this.now()) && !fault('discv4-accept-expired')) {
      this.counters.expired++;
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(d, from);
      } catch (err) {
        this.counters.internalErrors++;
        this.lastInternal = err;
      }
    }
    switch (d.packet.type) {
      case 'ping':
        if (fault('discv4-reject-ping-version') && d.packet.version !== 4n) return;
        if (fault('discv4-pong-wrong-ping-hash')) d.hash = keccak256(msg);
        if (fault('discv4-pong-to-claimed-from') || fault('discv4-table-claimed-endpoint')) return this.onPingFault(d, from);
        return this.onPing(d, d.packet.from.tcpPort, from);
      case 'pong':
        return this.onReply(bytesToHex(d.packet.pingHash), 'ping', d, from);
      case 'findNode':
        return this.onFindNode(d, d.packet.target, from);
      case 'neighbors':
        return this.onNeighbors(d, d.packet.nodes, from);
      case 'enrRequest':
        return this.onEnrRequest(d, from);
      case 'enrResponse':
        return this.onReply(bytesToHex(d.packet.requestHash), 'enr', d, from);
    }
  }

  private onPing(d: DecodedPacket, senderTcpPort: number, from: SenderAddress): void {
    const pong: Packet = {
      type: 'pong',
      // The observed address, not the one the sender claims: this is how a node behind NAT learns its external endpoint.
      to: { ip: ipToBytes(from.ip), udpPort: from.port, tcpPort: senderTcpPort },
      pingHash: d.hash,
      expiration: expirationAfter(this.now()),
      ...this.seqField(),
    };
    this.reply(pong, from);
    // geth's handlePing: the node as observed, with the TCP port it claims.
    const node: DiscoveredNode = { publicKey: d.publicKey, nodeId: d.nodeId, ip: canonicalIp(from.ip), udpPort: from.port, tcpPort: senderTcpPort };
    const back = bondKey(d.nodeId, from.ip);
    if (this.isBonded(d.nodeId, from.ip)) {
      this.inbound(node);
    } else if ((this.options.pingBack ?? true) && !this.pingingBack.has(back) && !fault('discv4-no-ping-back')) {
      this.pingingBack.add(back);
      this.ping({ ip: from.ip, udpPort: from.port, publicKey: d.publicKey }, PING_BACK_TIMEOUT_MS)
        .then(() => this.inbound(node))
        .catch(() => undefined)
        .finally(() => this.pingingBack.delete(back));
    }
    this.bonds.updateLastPingReceived(d.nodeId, from.ip, this.nowMs());
    this.options.onPingReceived?.(d.nodeId, canonicalIp(from.ip));
  }

  /**
   * onPing as two planted bugs have it: the PING's claimed `from` taken for
   * the sender's address, for the replies (discv4-pong-to-claimed-from) or
   * for the table (discv4-table-claimed-endpoint). Only reached with a fault on.
   */
  private onPingFault(d: DecodedPacket, observed: SenderAddress): void {
    const p = d.packet as Extract<Packet, { type: 'ping' }>;
    const claimed: SenderAddress = { ip: ipToString(p.from.ip) ?? observed.ip, port: p.from.udpPort };
    const replyTo = fault('discv4-pong-to-claimed-from') ? claimed : observed;
    const fileAs = fault('discv4-table-claimed-endpoint') ? claimed : observed;
    this.reply({ type: 'pong', to: { ip: ipToBytes(replyTo.ip), udpPort: replyTo.port, tcpPort: p.from.tcpPort }, pingHash: d.hash, expiration: expirationAfter(this.now()), ...this.seqField() }, replyTo);
    const node: DiscoveredNode = { publicKey: d.publicKey, nodeId: d.nodeId, ip: canonicalIp(fileAs.ip), udpPort: fileAs.port, tcpPort: p.from.tcpPort };
    if (this.isBonded(d.nodeId, replyTo.ip)) this.inbound(node);
    else this.ping({ ip: replyTo.ip, udpPort: replyTo.port, publicKey: d.publicKey }, PING_BACK_TIMEOUT_MS).then(() => this.inbound(node), () => undefined);
    this.bonds.updateLastPingReceived(d.nodeId, observed.ip, this.nowMs());
    this.options.onPingReceived?.(d.nodeId, canonicalIp(observed.ip));
  }

  private inbound(node: DiscoveredNode): void {
    if (this.closed || !this.options.onInboundNode) return;
    try {
      this.options.onInboundNode(node);
    } catch (err) {
      this.counters.internalErrors++;
      this.lastInternal = err;
    }
  }

  private onFindNode(d: DecodedPacket, target: Uint8Array, from: SenderAddress): void {
    const handler = this.options.findNodeHandler;
    const proofOk = !(this.options.requireEndpointProof ?? true) || this.isBonded(d.nodeId, from.ip) || fault('discv4-findnode-without-bond');
    // No proof, no answer: otherwise a spoofed source address turns a small FindNode into large Neighbors at a victim.
    if (!handler || !proofOk) {
      this.counters.ignored++;
      return;
    }
    const nodes = handler({ target, publicKey: d.publicKey, nodeId: d.nodeId, from });
    if (fault('discv4-neighbors-oversize')) {
      // Everything in one packet, past the encoder's 1280-byte check.
      const payload = encodeRlp([nodes.map((n) => [n.ip, n.udpPort, n.tcpPort, n.publicKey]), expirationAfter(this.now())]);
      this.send(encodeRawDiscv4Packet(PACKET_TYPE.neighbors, payload, this.options.privateKey), from.ip, from.port).catch(() => undefined);
      return;
    }
    for (const chunk of chunkNeighbors(nodes)) {
      this.reply({ type: 'neighbors', nodes: chunk, expiration: expirationAfter(this.now()) }, from);
    }
  }

  private onNeighbors(d: DecodedPacket, nodes: NeighborNode[], from: SenderAddress): void {
    const id = bytesToHex(d.nodeId);
    const ip = canonicalIp(from.ip);
    let matched = false;
    for (const w of [...this.neighborsWaiters]) {
      if (w.nodeId !== id || w.ip !== ip) continue;
      matched = true;
      w.replied = true;
      w.nodes.push(...nodes);
      w.received += nodes.length;
      if (w.received >= FINDNODE_RESULT_COUNT || nodes.length < MAX_NEIGHBORS) w.finish();
    }
    if (!matched) this.counters.unsolicited++;
  }

  private onEnrRequest(d: DecodedPacket, from: SenderAddress): void {
    const enr = this.enr;
    const proofOk = !(this.options.requireEndpointProof ?? true) || this.isBonded(d.nodeId, from.ip);
    if (!enr || !proofOk || fault('discv4-no-enr-response')) {
      this.counters.ignored++;
      return;
    }
    this.reply({ type: 'enrResponse', requestHash: d.hash, enr }, from);
  }

  private onReply(key: string, kind: Pending['kind'], d: DecodedPacket, from: SenderAddress): void {
    // geth also binds a reply to the address it asked: a hash leaked to a third host must not complete the request.
    const waiters = (this.pending.get(key) ?? []).filter((w) => w.kind === kind && sameIp(w.remote.ip, from.ip));
    if (waiters.length === 0) {
      this.counters.unsolicited++;
      if (kind === 'ping' && fault('discv4-proof-from-any-pong')) this.bonds.updateLastPongReceived(d.nodeId, from.ip, this.nowMs());
      return;
    }
    let answered = false;
    for (const w of waiters) {
      if (w.remote.publicKey && !equalBytes(w.remote.publicKey, d.publicKey)) {
        w.wrongSigner = d.publicKey;
        continue;
      }
      answered = true;
      clearTimeout(w.timer);
      this.removeWaiter(key, w);
      const base = { publicKey: d.publicKey, nodeId: d.nodeId, from };
      if (d.packet.type === 'pong') {
        w.resolve({ ...base, pong: d.packet, hash: d.hash, pingHash: d.packet.pingHash, rttMs: performance.now() - w.sentAt });
      } else if (d.packet.type === 'enrResponse') {
        w.resolve({ ...base, enr: d.packet.enr });
      }
    }
    if (!answered) {
      this.counters.wrongSender++;
      return;
    }
    if (d.packet.type === 'pong') this.bonds.updateLastPongReceived(d.nodeId, from.ip, this.nowMs());
  }

  private reply(packet: Packet, to: SenderAddress): void {
    this.send(encodeDiscv4Packet(packet, this.options.privateKey), to.ip, to.port).catch(() => undefined);
  }

  private send(bytes: Uint8Array, ip: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (err: Error | null) => {
        if (settled) return;
        settled = true;
        this.inflightSends.delete(done);
        if (err) {
          this.counters.sendErrors++;
          reject(err);
        } else {
          this.counters.sent++;
          resolve();
        }
      };
      if (this.closed) return done(new Error('discv4 endpoint closed'));
      this.inflightSends.add(done);
      try {
        this.socket.send(bytes, port, ip, done);
      } catch (err) {
        // dgram throws synchronously for a closed socket or a bad port.
        done(err as Error);
      }
    });
  }

  private seqField(): { enrSeq?: bigint } {
    if (this.enrSeq !== undefined && fault('discv4-enr-seq-mismatch')) return { enrSeq: this.enrSeq + 1n };
    return this.enrSeq === undefined ? {} : { enrSeq: this.enrSeq };
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now() / 1000;
  }

  private nowMs(): number {
    return this.now() * 1000;
  }
}

function bondKey(id: NodeId, ip: string): string {
  return `${bytesToHex(id)}@${canonicalIp(ip)}`;
}

function sameIp(a: string, b: string): boolean {
  return canonicalIp(a) === canonicalIp(b);
}

function isUnspecifiedText(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '::0';
}

/** ENR = [signature, seq, k, v, ...]; only the seq is needed here, so wire/enr is not. */
function seqOfRecord(enr: Uint8Array): bigint {
  return asUint64(asList(decodeRlp(enr, 'enr'), 'enr', 2)[1], 'enr seq');
}
