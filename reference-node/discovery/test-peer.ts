/**
 * A scripted discv4 peer for tests: a bare UDP socket on a loopback address
 * with its own key, that sends exactly the bytes a test builds (through the
 * wire codecs, or raw) and records every datagram that comes back. It never
 * answers anything by itself, so a test sees and decides every step, as
 * geth's cmd/devp2p v4test harness does.
 */
import dgram from 'node:dgram';
import { decodeDiscv4Packet, encodeDiscv4Packet, expirationAfter, ipToBytes, type DecodedPacket, type Endpoint, type Packet } from '../wire/discv4.js';
import { generatePrivateKey, publicKeyOf, type PrivateKey, type PublicKey } from '../wire/keys.js';

export interface Received {
  bytes: Uint8Array;
  decoded: DecodedPacket;
  from: { ip: string; port: number };
}

export type PacketOf<T extends Packet['type']> = DecodedPacket<Extract<Packet, { type: T }>>;

export class TestPeer {
  readonly privateKey: PrivateKey;
  readonly publicKey: PublicKey;
  private readonly queue: Received[] = [];
  /** Datagrams that did not decode as discv4: a correct node never sends one. */
  readonly undecodable: Uint8Array[] = [];
  private waiter: (() => void) | undefined;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly ip: string,
    privateKey: PrivateKey,
  ) {
    this.privateKey = privateKey;
    this.publicKey = publicKeyOf(privateKey);
    socket.on('message', (msg, rinfo) => {
      const bytes = new Uint8Array(msg);
      try {
        this.queue.push({ bytes, decoded: decodeDiscv4Packet(bytes), from: { ip: rinfo.address, port: rinfo.port } });
      } catch {
        this.undecodable.push(bytes);
      }
      this.waiter?.();
    });
  }

  /** Binds to `ip` (a loopback address), port chosen by the system. The key can be shared to act as one node on two IPs. */
  static async open(ip = '127.0.0.1', privateKey: PrivateKey = generatePrivateKey()): Promise<TestPeer> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, ip, () => resolve());
    });
    return new TestPeer(socket, ip, privateKey);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Our endpoint as a Ping.from would state it truthfully. */
  get endpoint(): Endpoint {
    return { ip: ipToBytes(this.ip), udpPort: this.port, tcpPort: 0 };
  }

  /** Encodes, signs and sends; returns the bytes (their first 32 are the hash a reply echoes). */
  async send(packet: Packet, to: { port: number; ip?: string }): Promise<Uint8Array> {
    const bytes = encodeDiscv4Packet(packet, this.privateKey);
    await this.sendRaw(bytes, to);
    return bytes;
  }

  sendRaw(bytes: Uint8Array, to: { port: number; ip?: string }): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(bytes, to.port, to.ip ?? '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  }

  /** A well-formed ping to `to`, unless fields are overridden. */
  ping(to: { port: number; ip?: string }, overrides: Partial<Extract<Packet, { type: 'ping' }>> = {}): Promise<Uint8Array> {
    return this.send(
      {
        type: 'ping',
        version: 4n,
        from: this.endpoint,
        to: { ip: ipToBytes(to.ip ?? '127.0.0.1'), udpPort: to.port, tcpPort: 0 },
        expiration: expirationAfter(Date.now() / 1000),
        ...overrides,
      },
      to,
    );
  }

  /**
   * The endpoint proof both ways, as geth's v4test bond(): ping, answer the
   * ping-back with a correct pong, and wait for both. Returns the pong to our
   * ping and the ping-back, in whatever order they came.
   */
  async bond(to: { port: number; ip?: string }, timeoutMs = 3000): Promise<{ pong: PacketOf<'pong'>; ping: PacketOf<'ping'> }> {
    const sent = await this.ping(to);
    let pong: PacketOf<'pong'> | undefined;
    let ping: PacketOf<'ping'> | undefined;
    const deadline = Date.now() + timeoutMs;
    while (pong === undefined || ping === undefined) {
      const r = await this.next(Math.max(1, deadline - Date.now()));
      const d = r.decoded;
      if (d.packet.type === 'ping') {
        ping = d as PacketOf<'ping'>;
        await this.send({ type: 'pong', to: d.packet.from, pingHash: d.hash, expiration: expirationAfter(Date.now() / 1000) }, to);
      } else if (d.packet.type === 'pong' && Buffer.from(d.packet.pingHash).equals(Buffer.from(sent.subarray(0, 32)))) {
        pong = d as PacketOf<'pong'>;
      }
    }
    return { pong, ping };
  }

  /** The next datagram; rejects after `timeoutMs`. */
  async next(timeoutMs = 3000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`test peer ${this.ip}:${this.port}: nothing arrived within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.queue.shift()!;
  }

  /** The next datagram of one type, skipping (and returning in `skipped`) others. */
  async nextOfType<T extends Packet['type']>(type: T, timeoutMs = 3000, skipped: Received[] = []): Promise<PacketOf<T> & { raw: Received }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.next(Math.max(1, deadline - Date.now()));
      if (r.decoded.packet.type === type) return Object.assign(r.decoded as PacketOf<T>, { raw: r });
      skipped.push(r);
    }
  }

  /** Everything received so far and not yet read. */
  drain(): Received[] {
    return this.queue.splice(0);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
