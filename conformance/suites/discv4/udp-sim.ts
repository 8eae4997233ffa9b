/**
 * A scripted discv4 peer: one UDP socket on a loopback address, its own key,
 * and nothing automatic. It sends exactly the packets a test builds (through
 * the pure codecs, or raw bytes) and keeps every datagram that comes back in
 * an inbox the test reads from, so each step is the test's decision, as in
 * geth's v4test harness. Every datagram in either direction goes into the
 * test's transcript.
 *
 * The one optional automatism, `answerPings`, replies to the target's pings
 * with pongs: the stale-record test needs a peer that stays alive through
 * the target's revalidation. Tests that share a target leave it off, so the
 * target never marks our short-lived sims as live nodes (that would change
 * what its FINDNODE answers hold for other tests).
 */
import dgram from 'node:dgram';
import { bytesToHex } from '../../../reference-node/wire/bytes.js';
import {
  decodeDiscv4Packet,
  DEFAULT_EXPIRATION_SECONDS,
  encodeDiscv4Packet,
  ipToBytes,
  PACKET_TYPE,
  type DecodedPacket,
  type Endpoint,
  type EnrRequest,
  type FindNode,
  type Packet,
  type Ping,
  type Pong,
} from '../../../reference-node/wire/discv4.js';
import { publicKeyOf, type PrivateKey, type PublicKey } from '../../../reference-node/wire/keys.js';
import type { TargetSession } from '../../core/context.js';
import type { Waited } from '../../sim/sim-peer.js';
import type { Transcript } from '../../sim/transcript.js';

/** One datagram the target sent us. `packet` is absent when it did not decode (`error` says why). */
export interface Datagram {
  bytes: Uint8Array;
  /** Date.now() when it was read. */
  at: number;
  from: { ip: string; port: number };
  packet?: DecodedPacket;
  error?: string;
}

export type PacketOf<T extends Packet['type']> = DecodedPacket<Extract<Packet, { type: T }>>;

export type LoopbackIp = '127.0.0.1' | '127.0.0.2';

export interface UdpSimOptions {
  /** Address to bind (default 127.0.0.1); 127.0.0.2 is the "second source IP". */
  ip?: LoopbackIp;
  /** Default: a fresh seeded key from the context. Pass one to act as the same node on a second IP. */
  key?: PrivateKey;
  /** Transcript connection name (default udp1, udp2, ...). */
  name?: string;
}

/** What a discv4 packet's type byte names, for transcripts and messages. */
export function packetName(type: number): string {
  const entry = Object.entries(PACKET_TYPE).find(([, t]) => t === type);
  return entry ? entry[0] : `type 0x${type.toString(16).padStart(2, '0')}`;
}

export function describeDatagram(d: Datagram): string {
  if (d.packet) return `${d.packet.packet.type} (${d.bytes.length} bytes)`;
  const type = d.bytes.length > 97 ? packetName(d.bytes[97]!) : 'a runt';
  return `an undecodable ${d.bytes.length}-byte datagram (${type}: ${d.error ?? 'unknown error'})`;
}

/** Seconds since the epoch, as a uint64 `expiration` field wants it. */
export function unixNow(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

/** An expiration `seconds` from now (negative: in the past). */
export function expiresIn(seconds: number): bigint {
  return unixNow() + BigInt(seconds);
}

export class UdpSim {
  readonly name: string;
  readonly privateKey: PrivateKey;
  readonly publicKey: PublicKey;
  /** Set to an enr-seq to answer every ping from the target with a pong carrying it. */
  answerPings: bigint | undefined;
  private readonly inbox: Datagram[] = [];
  private readonly wakers = new Set<() => void>();
  private closed = false;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly ip: LoopbackIp,
    privateKey: PrivateKey,
    private readonly target: { host: string; udpPort: number },
    private readonly transcript: Transcript,
    private readonly signal: AbortSignal,
    name: string,
  ) {
    this.name = name;
    this.privateKey = privateKey;
    this.publicKey = publicKeyOf(privateKey);
    socket.on('message', (msg, rinfo) => this.onMessage(new Uint8Array(msg), { ip: rinfo.address, port: rinfo.port }));
    // Per-send ICMP errors surface here; the test sees them as silence.
    socket.on('error', () => undefined);
  }

  static async open(ctx: TargetSession, options: UdpSimOptions = {}): Promise<UdpSim> {
    const ip = options.ip ?? '127.0.0.1';
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, ip, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const name = options.name ?? `udp${++simCounter}`;
    const sim = new UdpSim(socket, ip, options.key ?? ctx.nextKey(), { host: ctx.target.host, udpPort: ctx.target.udpPort }, ctx.transcript, ctx.signal, name);
    ctx.defer(() => sim.close());
    return sim;
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Where we really are: what a truthful Ping.from says and what a Pong.to must say. */
  get endpoint(): Endpoint {
    return { ip: ipToBytes(this.ip), udpPort: this.port, tcpPort: 0 };
  }

  /** The target's discovery endpoint as a Ping.to names it (tcp-port 0, as the spec's Ping has it). */
  get targetEndpoint(): Endpoint {
    return { ip: ipToBytes(this.target.host), udpPort: this.target.udpPort, tcpPort: 0 };
  }

  /** Encodes, signs and sends a well-formed packet; returns its bytes (the first 32 are the hash a reply echoes). */
  send(packet: Packet, detail?: string): Uint8Array {
    const bytes = encodeDiscv4Packet(packet, this.privateKey);
    this.sendRaw(bytes, `discv4:${packet.type}`, detail ?? summarize(packet));
    return bytes;
  }

  /** Sends bytes as they are (malformed, oversize, foreign-signed). */
  sendRaw(bytes: Uint8Array, what: string, detail?: string): void {
    if (this.closed) return;
    this.transcript.record(this.name, 'out', what, bytes, detail);
    this.socket.send(bytes, this.target.udpPort, this.target.host, () => undefined);
  }

  /** A Ping that tells the truth about both ends unless fields are overridden. */
  ping(overrides: Partial<Omit<Ping, 'type'>> = {}): Uint8Array {
    return this.send(this.pingPacket(overrides));
  }

  pingPacket(overrides: Partial<Omit<Ping, 'type'>> = {}): Ping {
    return { type: 'ping', version: 4n, from: this.endpoint, to: this.targetEndpoint, expiration: expiresIn(DEFAULT_EXPIRATION_SECONDS), ...overrides };
  }

  pong(pingHash: Uint8Array, overrides: Partial<Omit<Pong, 'type'>> = {}): Uint8Array {
    return this.send({ type: 'pong', to: this.targetEndpoint, pingHash: pingHash.slice(0, 32), expiration: expiresIn(DEFAULT_EXPIRATION_SECONDS), ...overrides });
  }

  findNode(target: Uint8Array, overrides: Partial<Omit<FindNode, 'type' | 'target'>> = {}): Uint8Array {
    return this.send({ type: 'findNode', target, expiration: expiresIn(DEFAULT_EXPIRATION_SECONDS), ...overrides });
  }

  enrRequest(overrides: Partial<Omit<EnrRequest, 'type'>> = {}): Uint8Array {
    return this.send({ type: 'enrRequest', expiration: expiresIn(DEFAULT_EXPIRATION_SECONDS), ...overrides });
  }

  /** The first datagram (oldest first) that `match` accepts, taken out of the inbox, or what happened instead. */
  async next(match: (d: Datagram) => boolean, timeoutMs: number): Promise<Waited<Datagram>> {
    const start = Date.now();
    for (;;) {
      const i = this.inbox.findIndex(match);
      if (i >= 0) return { ok: true, value: this.inbox.splice(i, 1)[0]! };
      const left = timeoutMs - (Date.now() - start);
      if (left <= 0 || this.signal.aborted || this.closed) {
        // A busy event loop can fire our timer before it delivers datagrams that arrived in time: let pending I/O in, then look once more.
        await new Promise((resolve) => setImmediate(resolve));
        const late = this.inbox.findIndex(match);
        if (late >= 0) return { ok: true, value: this.inbox.splice(late, 1)[0]! };
        return { ok: false, why: 'timeout', waitedMs: Date.now() - start };
      }
      await this.nextEvent(left);
    }
  }

  /** Next packet of `type` from the target, decoded. */
  async nextPacket<T extends Packet['type']>(type: T, timeoutMs: number, extra: (p: PacketOf<T>) => boolean = () => true): Promise<Waited<PacketOf<T>>> {
    const w = await this.next((d) => d.packet?.packet.type === type && extra(d.packet as PacketOf<T>), timeoutMs);
    return w.ok ? { ok: true, value: w.value.packet as PacketOf<T> } : w;
  }

  /** Everything that arrives within `ms` (and whatever was waiting), taken out of the inbox. */
  async collect(ms: number, match: (d: Datagram) => boolean = () => true): Promise<Datagram[]> {
    const until = Date.now() + ms;
    while (Date.now() < until && !this.signal.aborted && !this.closed) await this.nextEvent(until - Date.now());
    await new Promise((resolve) => setImmediate(resolve));
    const taken = this.inbox.filter(match);
    for (const d of taken) this.inbox.splice(this.inbox.indexOf(d), 1);
    return taken;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.wakeAll();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private onMessage(bytes: Uint8Array, from: { ip: string; port: number }): void {
    const d: Datagram = { bytes, at: Date.now(), from };
    try {
      // The codec refuses packets over 1280 bytes, but a test must still see that one came.
      d.packet = decodeDiscv4Packet(bytes, { listInEnrSeqSlot: 'ignore' });
    } catch (err) {
      d.error = (err as Error).message;
    }
    const what = d.packet ? `discv4:${d.packet.packet.type}` : `discv4:undecodable`;
    this.transcript.record(this.name, 'in', what, bytes, d.packet ? summarize(d.packet.packet) : d.error);
    if (this.answerPings !== undefined && d.packet?.packet.type === 'ping') {
      this.pong(d.packet.hash, { enrSeq: this.answerPings });
    }
    this.inbox.push(d);
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const w of [...this.wakers]) w();
  }

  private nextEvent(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wakers.add(done);
    });
  }
}

let simCounter = 0;

/** A short transcript detail: what a reader needs to follow the exchange. */
function summarize(p: Packet): string {
  const exp = 'expiration' in p ? ` exp=${relative(p.expiration)}` : '';
  switch (p.type) {
    case 'ping':
      return `v=${p.version} from=${endpointText(p.from)} to=${endpointText(p.to)}${exp}${p.enrSeq === undefined ? '' : ` seq=${p.enrSeq}`}${p.rest ? ` +${p.rest.length} extra` : ''}`;
    case 'pong':
      return `to=${endpointText(p.to)} ping-hash=${bytesToHex(p.pingHash).slice(0, 12)}..${exp}${p.enrSeq === undefined ? '' : ` seq=${p.enrSeq}`}`;
    case 'findNode':
      return `target=${bytesToHex(p.target).slice(0, 12)}..${exp}`;
    case 'neighbors':
      return `${p.nodes.length} nodes${exp}`;
    case 'enrRequest':
      return exp.trim();
    case 'enrResponse':
      return `request-hash=${bytesToHex(p.requestHash).slice(0, 12)}.. record ${p.enr.length} bytes`;
  }
}

function endpointText(e: Endpoint): string {
  const ip = e.ip.length === 4 ? e.ip.join('.') : `0x${bytesToHex(e.ip)}`;
  return `${ip}:${e.udpPort}/${e.tcpPort}`;
}

function relative(expiration: bigint): string {
  const d = expiration - unixNow();
  if (d > 1n << 40n || d < -(1n << 40n)) return expiration.toString();
  return `${d >= 0n ? '+' : ''}${d}s`;
}
