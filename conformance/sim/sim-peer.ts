/**
 * A scripted devp2p peer: an RLPx session to the target in which the test
 * decides every message. It handshakes honestly unless told otherwise, sends
 * whatever bytes the test asks for, records every frame in the transcript,
 * and never throws on what the target sends: it queues it, so the test can
 * say exactly what arrived. The p2p layer here is only bookkeeping (Hello
 * negotiation, snappy switch, answering Ping when asked to); all policy
 * belongs to the test.
 */
import { DecodeError } from '../../reference-node/wire/errors.js';
import {
  BASE_PROTOCOL_LENGTH,
  decodeDisconnect,
  decodeHello,
  describeDisconnectReason,
  encodeDisconnect,
  encodeHello,
  encodePong,
  negotiateCapabilities,
  P2P_VERSION,
  P2pMessageId,
  snappyNegotiated,
  type Capability,
  type Hello,
  type SharedCapability,
} from '../../reference-node/wire/p2p.js';
import { ETH_MESSAGE_COUNTS } from '../../reference-node/p2p/capabilities.js';
import { RlpxTransport, type DialOptions } from '../../reference-node/p2p/rlpx-transport.js';
import { publicKeyOf, type PrivateKey, type PublicKey } from '../../reference-node/wire/keys.js';
import type { PreparedAuth } from '../../reference-node/wire/rlpx/handshake.js';
import { SnappyFrameError, type FrameMessage } from '../../reference-node/wire/rlpx/frame.js';
import { describeForm, readDisconnect, type DisconnectForm } from './disconnect-form.js';
import type { Transcript } from './transcript.js';

/** Where the simulated peer connects and what it records into. */
export interface SimEnv {
  host: string;
  port: number;
  publicKey: Uint8Array;
  transcript: Transcript;
  /** Fresh (seeded) key for each new peer. */
  nextKey(): PrivateKey;
  /**
   * A reusable identity instead of a fresh key, for peers that need no
   * particular key or auth (fuzz campaigns open thousands of sessions; see
   * PreparedAuth). Released when the session's connection closes.
   */
  identity?(): DialIdentity;
  /** Aborted at the test deadline: pending waits end, sockets close. */
  signal: AbortSignal;
}

export interface DialIdentity {
  privateKey: PrivateKey;
  publicKey: PublicKey;
  /** Made for this target's public key. */
  preparedAuth: PreparedAuth;
  /** The identity may be handed out again (called once, when the connection has closed or the dial failed). */
  release(): void;
}

export interface SimDialOptions {
  /** Name in the transcript; default peerN. */
  name?: string;
  privateKey?: PrivateKey;
  /** Auth overrides: version, extra elements, padding, legacy format, fixed ephemeral key / nonce. */
  handshake?: DialOptions['handshake'];
  /** Source address (127.0.0.2 looks like a second host). */
  localAddress?: string;
  timeoutMs?: number;
  /** Answer the target's Ping with Pong (default true). */
  autoPong?: boolean;
  /** Message counts for capabilities we may announce (default: eth 66–70). */
  messageCounts?: Parameters<typeof negotiateCapabilities>[2];
  /**
   * Read a Disconnect that arrives uncompressed although snappy is on, and
   * end the session with its reason (noted in the transcript) instead of as an
   * undecodable frame. For tests of a refused Hello: whether the target had
   * accepted our Hello, and so compresses, is exactly what is in question.
   */
  acceptUncompressedDisconnect?: boolean;
  /**
   * Read a Disconnect in the negotiated form first, then in the other one
   * (uncompressed after snappy is on, or compressed while it is off), and
   * record in SessionEnd.form which one came. For fuzzers, which judge the
   * reason; the form is the conformance tests' business (disconnect-form.ts).
   */
  disconnectEitherForm?: boolean;
}

/** How the session ended, as seen by the peer. */
export type SessionEnd =
  | { via: 'disconnect'; reason: number | undefined; form: DisconnectForm; atMs: number }
  | { via: 'close'; atMs: number }
  | { via: 'bad-frame'; error: string; atMs: number };

export interface Inbound {
  msgId: number;
  payload: Uint8Array;
  atMs: number;
}

/** The result of waiting: the awaited thing, or why it did not come. */
export type Waited<T> = { ok: true; value: T } | { ok: false; why: 'timeout' | 'ended'; end?: SessionEnd; waitedMs: number };

export const DEFAULT_WAIT_MS = 5_000;

let peerCounter = 0;

export function describeEnd(end: SessionEnd | undefined): string {
  if (!end) return 'the session is still open';
  if (end.via === 'disconnect') return `Disconnect ${describeDisconnectReason(end.reason)}, ${describeForm(end.form)}`;
  if (end.via === 'close') return 'TCP close without a Disconnect';
  return `an undecodable frame (${end.error})`;
}

/** "nothing within 5000 ms (session still open)", "Disconnect breach of protocol (0x02)", ... */
export function describeWaited(w: Waited<unknown>): string {
  if (w.ok) return 'the awaited message';
  if (w.why === 'timeout') return `nothing within ${w.waitedMs} ms (${describeEnd(w.end)})`;
  return describeEnd(w.end);
}

export class SimPeer {
  readonly name: string;
  readonly privateKey: PrivateKey;
  /** Everything received after the handshake, in order, not yet taken by a wait. */
  private readonly inbox: Inbound[] = [];
  private readonly all: Inbound[] = [];
  private waiters: Array<() => void> = [];
  private endInfo: SessionEnd | undefined;
  private localCaps: Capability[] = [];
  private helloSent = false;
  private localP2pVersion = P2P_VERSION;
  remoteHello: Hello | undefined;
  shared: SharedCapability[] = [];
  private readonly started = Date.now();
  private readonly messageCounts: Parameters<typeof negotiateCapabilities>[2];
  private readonly disconnectEitherForm: boolean;

  private constructor(
    readonly env: SimEnv,
    readonly transport: RlpxTransport,
    options: SimDialOptions,
    name: string,
    privateKey: PrivateKey,
    private readonly identity?: DialIdentity,
  ) {
    this.name = name;
    this.privateKey = privateKey;
    this.messageCounts = options.messageCounts ?? ETH_MESSAGE_COUNTS;
    this.disconnectEitherForm = options.disconnectEitherForm ?? false;
    const autoPong = options.autoPong ?? true;
    const onAbort = () => this.destroy();
    env.signal.addEventListener('abort', onAbort, { once: true });
    transport.start({
      message: (msg) => this.onMessage(msg, autoPong),
      error: (err) => {
        if ((options.acceptUncompressedDisconnect || this.disconnectEitherForm) && err instanceof SnappyFrameError && err.msgId === P2pMessageId.Disconnect) {
          this.onUncompressedDisconnect(err.raw);
          return;
        }
        this.end({ via: 'bad-frame', error: err.message, atMs: this.elapsed() });
      },
      close: () => {
        env.signal.removeEventListener('abort', onAbort);
        identity?.release();
        this.end({ via: 'close', atMs: this.elapsed() });
      },
    });
  }

  /** Dials the target and completes the RLPx handshake (honestly unless `handshake` overrides it). */
  static async dial(env: SimEnv, options: SimDialOptions = {}): Promise<SimPeer> {
    const name = options.name ?? `peer${++peerCounter}`;
    const identity = options.privateKey === undefined && options.handshake === undefined ? env.identity?.() : undefined;
    const privateKey = options.privateKey ?? identity?.privateKey ?? env.nextKey();
    env.transcript.record(name, 'note', 'tcp:dial', 0, `${env.host}:${env.port}${options.localAddress ? ` from ${options.localAddress}` : ''}`);
    let transport: RlpxTransport;
    try {
      transport = await RlpxTransport.dial({
        host: env.host,
        port: env.port,
        privateKey,
        remotePublicKey: env.publicKey,
        timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_MS,
        signal: env.signal,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        ...(options.handshake ? { handshake: options.handshake } : {}),
        ...(identity ? { preparedAuth: identity.preparedAuth } : {}),
      });
    } catch (err) {
      identity?.release();
      throw err;
    }
    env.transcript.record(name, 'in', 'rlpx:ack', 0, 'handshake complete');
    return new SimPeer(env, transport, options, name, privateKey, identity);
  }

  get ended(): SessionEnd | undefined {
    return this.endInfo;
  }

  /** Every message received so far (including ones a wait has taken). */
  get received(): readonly Inbound[] {
    return this.all;
  }

  elapsed(): number {
    return Date.now() - this.started;
  }

  // ---- sending -------------------------------------------------------------

  /** Sends our Hello; fields default to an honest one announcing `caps`. */
  sendHello(caps: Capability[], overrides: Partial<Hello> = {}): void {
    const hello: Hello = {
      protocolVersion: P2P_VERSION,
      clientId: 'devp2p-check/sim',
      capabilities: caps,
      listenPort: 0,
      nodeId: this.identity?.publicKey ?? publicKeyOf(this.privateKey),
      extra: [],
      ...overrides,
    };
    this.localCaps = hello.capabilities;
    this.localP2pVersion = hello.protocolVersion;
    this.sendRaw(P2pMessageId.Hello, encodeHello(hello), 'p2p:Hello', `v${hello.protocolVersion} caps ${formatCaps(hello.capabilities)}`);
    this.helloSent = true;
    this.maybeNegotiate();
  }

  /** Hello both ways: sends ours, waits for theirs. Fails with a TestFailure-ready description if it does not come. */
  async exchangeHello(caps: Capability[], overrides: Partial<Hello> = {}, timeoutMs = DEFAULT_WAIT_MS): Promise<Waited<Hello>> {
    this.sendHello(caps, overrides);
    const w = await this.waitFor((m) => m.msgId === P2pMessageId.Hello, timeoutMs);
    if (!w.ok) return w;
    return { ok: true, value: this.remoteHello! };
  }

  sendDisconnect(reason: number | undefined): void {
    this.sendRaw(P2pMessageId.Disconnect, encodeDisconnect({ reason }), 'p2p:Disconnect', describeDisconnectReason(reason));
  }

  /** Sends one message: framed (and compressed if snappy is on) with `msgId` as given. */
  sendRaw(msgId: number, payload: Uint8Array, what = `msg:0x${msgId.toString(16)}`, detail?: string): boolean {
    this.env.transcript.record(this.name, 'out', what, payload, detail);
    try {
      return this.transport.send(msgId, payload);
    } catch (err) {
      // A payload the codec refuses to frame (over 16 MiB with snappy on) is the test's mistake, so say it plainly.
      throw new Error(`sim ${this.name}: cannot frame ${what}: ${(err as Error).message}`);
    }
  }

  /** Writes bytes straight onto the socket (hand-made frames). */
  sendBytes(bytes: Uint8Array, what = 'raw', detail?: string): boolean {
    this.env.transcript.record(this.name, 'out', what, bytes, detail);
    return this.transport.sendRaw(bytes);
  }

  /** The wire id of `code` in capability `name` as negotiated (RangeError if not shared). */
  wireId(name: string, code: number): number {
    const cap = this.shared.find((c) => c.name === name);
    if (!cap) throw new RangeError(`${name} was not negotiated (shared: ${this.shared.map((c) => `${c.name}/${c.version}`).join(', ') || 'none'})`);
    return cap.offset + code;
  }

  // ---- receiving -----------------------------------------------------------

  /**
   * The first queued message matching `match` (taken off the queue), waiting
   * up to `timeoutMs`. Never throws: a timeout or the session's end is the result.
   */
  async waitFor(match: (m: Inbound) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<Waited<Inbound>> {
    const start = Date.now();
    for (;;) {
      const i = this.inbox.findIndex(match);
      if (i >= 0) return { ok: true, value: this.inbox.splice(i, 1)[0]! };
      if (this.endInfo) return { ok: false, why: 'ended', end: this.endInfo, waitedMs: Date.now() - start };
      const left = timeoutMs - (Date.now() - start);
      if (left <= 0 || this.env.signal.aborted) return { ok: false, why: 'timeout', waitedMs: Date.now() - start, ...(this.endInfo ? { end: this.endInfo } : {}) };
      await this.nextEvent(left);
    }
  }

  /** How the session ends, waiting up to `timeoutMs`; undefined if it is still open then. */
  async waitForEnd(timeoutMs = DEFAULT_WAIT_MS): Promise<SessionEnd | undefined> {
    const start = Date.now();
    while (!this.endInfo) {
      const left = timeoutMs - (Date.now() - start);
      if (left <= 0 || this.env.signal.aborted) return undefined;
      await this.nextEvent(left);
    }
    return this.endInfo;
  }

  /** True if the session is still open after `ms` (for "must not disconnect" checks). */
  async staysOpen(ms: number): Promise<boolean> {
    return (await this.waitForEnd(ms)) === undefined;
  }

  close(): void {
    if (!this.endInfo) this.env.transcript.note(this.name, 'closed by the test');
    this.transport.close(200);
  }

  destroy(): void {
    this.transport.destroy();
  }

  // ---- internals -----------------------------------------------------------

  private nextEvent(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.env.signal.removeEventListener('abort', done);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.env.signal.addEventListener('abort', done, { once: true });
      this.waiters.push(done);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private end(info: SessionEnd): void {
    if (this.endInfo) return;
    this.endInfo = info;
    if (info.via !== 'disconnect') this.env.transcript.record(this.name, 'in', info.via === 'close' ? 'tcp:close' : 'rlpx:bad-frame', 0, info.via === 'bad-frame' ? info.error : undefined);
    this.wake();
  }

  private onMessage(msg: FrameMessage, autoPong: boolean): void {
    const inbound: Inbound = { msgId: msg.msgId, payload: msg.payload, atMs: this.elapsed() };
    if (msg.msgId === P2pMessageId.Disconnect) {
      this.onDisconnect(inbound);
      return;
    }
    const { what, detail } = this.describeInbound(msg);
    this.env.transcript.record(this.name, 'in', what, msg.payload, detail);
    this.all.push(inbound);
    if (msg.msgId === P2pMessageId.Hello && !this.remoteHello) {
      try {
        this.remoteHello = decodeHello(msg.payload);
        this.maybeNegotiate();
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
      }
    } else if (msg.msgId === P2pMessageId.Ping && autoPong) {
      this.sendRaw(P2pMessageId.Pong, encodePong(), 'p2p:Pong');
    }
    this.inbox.push(inbound);
    this.wake();
  }

  /**
   * A Disconnect that got through the codec: already inflated when snappy is
   * on. With snappy off its payload is as sent, so a compressed one can still
   * be read when the option allows it.
   */
  private onDisconnect(inbound: Inbound): void {
    let reading: { reason: number | undefined; form: DisconnectForm } | undefined;
    if (this.transport.codec.snappy) {
      try {
        reading = { reason: decodeDisconnect(inbound.payload).reason, form: 'snappy' };
      } catch {
        reading = undefined;
      }
    } else {
      reading = readDisconnect(inbound.payload, 'plain', this.disconnectEitherForm);
    }
    const negotiated: DisconnectForm = this.transport.codec.snappy ? 'snappy' : 'plain';
    const form = reading?.form ?? negotiated;
    const detail = reading ? `${describeDisconnectReason(reading.reason)}${form === negotiated ? '' : `, ${describeForm(form)}`}` : 'undecodable reason';
    this.env.transcript.record(this.name, 'in', 'p2p:Disconnect', inbound.payload, detail);
    this.all.push(inbound);
    this.inbox.push(inbound);
    this.end({ via: 'disconnect', reason: reading?.reason, form, atMs: inbound.atMs });
  }

  private onUncompressedDisconnect(raw: Uint8Array): void {
    let reason: number | undefined;
    try {
      reason = decodeDisconnect(raw).reason;
    } catch {
      this.end({ via: 'bad-frame', error: 'an uncompressed Disconnect that does not decode', atMs: this.elapsed() });
      return;
    }
    const inbound: Inbound = { msgId: P2pMessageId.Disconnect, payload: raw, atMs: this.elapsed() };
    this.env.transcript.record(this.name, 'in', 'p2p:Disconnect', raw, `${describeDisconnectReason(reason)}, sent uncompressed`);
    this.all.push(inbound);
    this.inbox.push(inbound);
    this.end({ via: 'disconnect', reason, form: 'plain', atMs: inbound.atMs });
  }

  private maybeNegotiate(): void {
    if (!this.helloSent || !this.remoteHello) return;
    try {
      this.shared = negotiateCapabilities(this.localCaps.filter((c) => this.messageCounts[c.name]?.[c.version] !== undefined), this.remoteHello.capabilities, this.messageCounts);
    } catch {
      this.shared = [];
    }
    this.transport.codec.snappy = snappyNegotiated(this.localP2pVersion, this.remoteHello.protocolVersion);
  }

  private describeInbound(msg: FrameMessage): { what: string; detail?: string } {
    if (msg.msgId < BASE_PROTOCOL_LENGTH) {
      const names: Record<number, string> = { 0: 'Hello', 1: 'Disconnect', 2: 'Ping', 3: 'Pong' };
      const name = names[msg.msgId] ?? `0x${msg.msgId.toString(16)}`;
      return { what: `p2p:${name}` };
    }
    const cap = this.shared.find((c) => msg.msgId >= c.offset && msg.msgId < c.offset + c.length);
    if (!cap) return { what: `msg:0x${msg.msgId.toString(16)}` };
    return { what: `${cap.name}/${cap.version}:0x${(msg.msgId - cap.offset).toString(16)}` };
  }
}

export function formatCaps(caps: readonly Capability[]): string {
  return caps.map((c) => `${c.name}/${c.version}`).join(',') || 'none';
}
