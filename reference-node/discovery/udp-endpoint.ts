/**
 * A minimal discv4 endpoint on one UDP socket: it answers Ping with Pong and
 * ENRRequest with ENRResponse, and can ping and request records itself. The
 * Kademlia table, lookups and FindNode answers come later, on top of this.
 *
 * Bonding follows the spec's endpoint proof: a node counts as verified for 12
 * hours after it answered one of our pings from the address we pinged. When an
 * unverified node pings us we ping it back (discv4.md, Ping), and ENRRequest is
 * answered only for verified nodes (EIP-868, against amplification).
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import {
  decodeDiscv4Packet,
  encodeDiscv4Packet,
  expirationAfter,
  expirationOf,
  ipToBytes,
  isExpired,
  type DecodedPacket,
  type Packet,
  type Pong,
} from '../wire/discv4.js';
import { DecodeError, type DecodeErrorCode } from '../wire/errors.js';
import { nodeIdOf, publicKeyOf, type NodeId, type PrivateKey, type PublicKey } from '../wire/keys.js';
import { asList, asUint64, decodeRlp } from '../wire/rlp.js';

export const ENDPOINT_PROOF_LIFETIME_MS = 12 * 60 * 60 * 1000;
const PING_BACK_TIMEOUT_MS = 2000;

export interface UdpEndpointOptions {
  privateKey: PrivateKey;
  /** Address to bind; 127.0.0.1 unless the caller must reach other hosts. */
  host?: string;
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
  /** Answer ENRRequest only from verified nodes (default true, as geth). */
  requireEndpointProof?: boolean;
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
  /** Pongs and ENRResponses that answer nothing we asked (or come from another address). */
  unsolicited: number;
  /** Replies with a matching hash but signed by a key other than the one we expected. */
  wrongSender: number;
  /** Valid packets this endpoint does not act on (yet), or ENRRequests it may not answer. */
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
  /** `${nodeIdHex}@${ipHex}` -> when that node last proved its endpoint (ms). */
  private readonly verified = new Map<string, number>();
  private readonly pingingBack = new Set<string>();
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
    private readonly enrSeq: bigint | undefined,
  ) {
    this.publicKey = publicKeyOf(options.privateKey);
    this.nodeId = nodeIdOf(this.publicKey);
    const addr = socket.address();
    this.host = addr.address;
    this.udpPort = addr.port;
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

  isVerified(publicKey: PublicKey, ip: string): boolean {
    const at = this.verified.get(verifiedKey(publicKey, ip));
    return at !== undefined && this.nowMs() - at < ENDPOINT_PROOF_LIFETIME_MS;
  }

  /** Pings `remote` and resolves with its Pong (matched by our ping's hash), or rejects on timeout. */
  async ping(remote: RemoteNode, timeoutMs: number): Promise<PongReply> {
    const packet: Packet = {
      type: 'ping',
      version: 4n,
      from: { ip: ipToBytes(this.host), udpPort: this.udpPort, tcpPort: this.options.tcpPort ?? 0 },
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
    try {
      await this.send(bytes, remote.ip, remote.udpPort);
    } catch (err) {
      clearTimeout(waiter!.timer);
      this.removeWaiter(key, waiter!);
      reply.catch(() => undefined);
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
    const d = decodeDiscv4Packet(msg);
    const expiration = expirationOf(d.packet);
    if (expiration !== undefined && isExpired(expiration, this.now())) {
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
        return this.onPing(d, d.packet.from.tcpPort, from);
      case 'pong':
        return this.onReply(bytesToHex(d.packet.pingHash), 'ping', d, from);
      case 'enrRequest':
        return this.onEnrRequest(d, from);
      case 'enrResponse':
        return this.onReply(bytesToHex(d.packet.requestHash), 'enr', d, from);
      default:
        this.counters.ignored++;
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
    const back = verifiedKey(d.publicKey, from.ip);
    if ((this.options.pingBack ?? true) && !this.isVerified(d.publicKey, from.ip) && !this.pingingBack.has(back)) {
      this.pingingBack.add(back);
      this.ping({ ip: from.ip, udpPort: from.port, publicKey: d.publicKey }, PING_BACK_TIMEOUT_MS)
        .catch(() => undefined)
        .finally(() => this.pingingBack.delete(back));
    }
  }

  private onEnrRequest(d: DecodedPacket, from: SenderAddress): void {
    const enr = this.options.enr;
    const proofOk = !(this.options.requireEndpointProof ?? true) || this.isVerified(d.publicKey, from.ip);
    if (!enr || !proofOk) {
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
    if (d.packet.type === 'pong') this.verified.set(verifiedKey(d.publicKey, from.ip), this.nowMs());
  }

  private reply(packet: Packet, to: SenderAddress): void {
    this.send(encodeDiscv4Packet(packet, this.options.privateKey), to.ip, to.port).catch(() => undefined);
  }

  private send(bytes: Uint8Array, ip: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err: Error | null) => {
        if (err) {
          this.counters.sendErrors++;
          reject(err);
        } else {
          this.counters.sent++;
          resolve();
        }
      };
      try {
        this.socket.send(bytes, port, ip, done);
      } catch (err) {
        // dgram throws synchronously for a closed socket or a bad port.
        done(err as Error);
      }
    });
  }

  private seqField(): { enrSeq?: bigint } {
    return this.enrSeq === undefined ? {} : { enrSeq: this.enrSeq };
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now() / 1000;
  }

  private nowMs(): number {
    return this.now() * 1000;
  }
}

function verifiedKey(publicKey: PublicKey, ip: string): string {
  return `${bytesToHex(publicKey)}@${bytesToHex(canonicalIp(ip))}`;
}

function sameIp(a: string, b: string): boolean {
  return equalBytes(canonicalIp(a), canonicalIp(b));
}

/** A udp6 socket reports IPv4 peers as ::ffff:a.b.c.d; compare them as the 4-byte address. */
function canonicalIp(ip: string): Uint8Array {
  const bytes = ipToBytes(ip);
  const mapped = bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

/** ENR = [signature, seq, k, v, ...]; only the seq is needed here, so wire/enr is not. */
function seqOfRecord(enr: Uint8Array): bigint {
  return asUint64(asList(decodeRlp(enr, 'enr'), 'enr', 2)[1], 'enr seq');
}
