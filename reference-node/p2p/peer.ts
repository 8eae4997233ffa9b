/**
 * The p2p base protocol on top of an RLPx transport: the Hello exchange,
 * capability negotiation and message-ID routing, ping/pong keep-alive, and
 * disconnects with reasons. Subprotocol messages go to the owner untouched.
 */
import { fault } from '../faults/index.js';
import { equalBytes } from '../wire/bytes.js';
import { DecodeError } from '../wire/errors.js';
import { publicKeyOf, type PrivateKey } from '../wire/keys.js';
import { SnappyFrameError, type FrameMessage } from '../wire/rlpx/frame.js';
import { snappyDecompress } from '../wire/rlpx/snappy.js';
import {
  decodeDisconnect,
  decodeHello,
  decodePing,
  decodePong,
  describeDisconnectReason,
  DisconnectReason,
  encodeDisconnect,
  encodeHello,
  encodePing,
  encodePong,
  negotiateCapabilities,
  P2P_VERSION,
  P2pMessageId,
  routeMessageId,
  snappyNegotiated,
  wireMessageId,
  type Capability,
  type Hello,
  type MessageCounts,
  type SharedCapability,
} from '../wire/p2p.js';
import type { RlpxTransport } from './rlpx-transport.js';

export const DEFAULT_HELLO_TIMEOUT_MS = 5_000;
/** The longest a Node timer can wait (about 24.8 days): "no timeout" for a planted fault. */
const NEVER_MS = 2 ** 31 - 1;
export const DEFAULT_PING_INTERVAL_MS = 15_000;
/** geth's frameReadTimeout: a peer silent for this long (no pong either) is dropped. */
export const DEFAULT_READ_TIMEOUT_MS = 30_000;

export interface PeerOptions {
  privateKey: PrivateKey;
  clientId: string;
  capabilities: Capability[];
  messageCounts: MessageCounts;
  listenPort: number;
  helloTimeoutMs?: number;
  pingIntervalMs?: number;
  readTimeoutMs?: number;
  /** Drop a peer with no capability in common (UselessPeer), as geth's server does. Default true. */
  requireSharedCapability?: boolean;
  /** Extra fields for our Hello (fuzzing and EIP-8 checks). */
  helloOverrides?: Partial<Hello>;
}

export interface DisconnectInfo {
  /** The reason on the wire; undefined when none was given or the connection just dropped. */
  reason: number | undefined;
  /** True when this side ended the session. */
  byUs: boolean;
  /** Why, in words: the reason text, or what broke. */
  detail: string;
  /** A spec deviation we tolerated in the remote's Disconnect (for verdicts and logs). */
  deviation?: string;
}

export interface PeerHandlers {
  message(capability: SharedCapability, code: number, payload: Uint8Array): void;
  disconnect(info: DisconnectInfo): void;
}

/** The session ended before both Hellos were exchanged. */
export class PeerHandshakeError extends Error {
  override readonly name = 'PeerHandshakeError';
  constructor(readonly info: DisconnectInfo) {
    super(info.byUs ? `we disconnected: ${info.detail}` : `remote disconnected: ${info.detail}`);
  }
}

type Queued = { capability: SharedCapability; code: number; payload: Uint8Array };

export class Peer {
  private handlers: PeerHandlers | undefined;
  private readonly queue: Queued[] = [];
  private ended: DisconnectInfo | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private readTimer: NodeJS.Timeout | undefined;
  private readonly pongWaiters: Array<() => void> = [];

  private constructor(
    readonly transport: RlpxTransport,
    readonly localHello: Hello,
    readonly remoteHello: Hello,
    readonly shared: SharedCapability[],
    private readonly options: PeerOptions,
  ) {}

  /**
   * Sends our Hello, waits for theirs, negotiates capabilities and turns on
   * snappy. On any failure the session is closed (with a Disconnect where the
   * spec calls for one) and PeerHandshakeError says why.
   */
  static start(transport: RlpxTransport, options: PeerOptions): Promise<Peer> {
    const localHello: Hello = {
      protocolVersion: P2P_VERSION,
      clientId: options.clientId,
      capabilities: options.capabilities,
      listenPort: options.listenPort,
      nodeId: publicKeyOf(options.privateKey),
      extra: [],
      ...options.helloOverrides,
    };
    return new Promise<Peer>((resolve, reject) => {
      let peer: Peer | undefined;
      const fail = (info: DisconnectInfo) => {
        clearTimeout(timer);
        if (info.byUs && info.reason !== undefined) sendDisconnectAndClose(transport, info.reason);
        else transport.destroy();
        reject(new PeerHandshakeError(info));
      };
      const helloTimeoutMs = fault('p2p-no-hello-timeout') ? NEVER_MS : (options.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS);
      const timer = setTimeout(() => fail({ reason: undefined, byUs: true, detail: `no Hello within ${helloTimeoutMs} ms` }), helloTimeoutMs);
      const sendHello = () => transport.send(P2pMessageId.Hello, encodeHello(localHello));
      // Hello goes out before reading starts: their Hello may already be buffered,
      // and reading it turns on snappy, which must not apply to our own Hello.
      const holdHello = fault('p2p-hello-after-remote');
      if (!holdHello) sendHello();
      transport.start({
        message: (msg) => {
          if (peer) return peer.onMessage(msg);
          if (msg.msgId === P2pMessageId.Ping && fault('p2p-no-hello-first')) {
            transport.send(P2pMessageId.Pong, encodePong());
            return;
          }
          if (holdHello && msg.msgId === P2pMessageId.Hello) sendHello();
          const outcome = Peer.onFirstMessage(transport, localHello, msg, options);
          if ('fail' in outcome) return fail(outcome.fail);
          clearTimeout(timer);
          peer = outcome.peer;
          peer.startTimers();
          resolve(peer);
        },
        error: (err) => {
          if (peer) return peer.onDecodeError(err);
          fail({ reason: breachReason(), byUs: true, detail: err.message });
        },
        close: () => {
          if (peer) return peer.onClosed();
          fail({ reason: undefined, byUs: false, detail: 'connection closed before Hello' });
        },
      });
    });
  }

  private static onFirstMessage(
    transport: RlpxTransport,
    localHello: Hello,
    msg: FrameMessage,
    options: PeerOptions,
  ): { peer: Peer } | { fail: DisconnectInfo } {
    if (msg.msgId === P2pMessageId.Disconnect) {
      const reason = safeDisconnectReason(msg.payload);
      return { fail: { reason, byUs: false, detail: describeDisconnectReason(reason) } };
    }
    if (msg.msgId !== P2pMessageId.Hello) {
      return { fail: { reason: breachReason(), byUs: true, detail: `first message was 0x${msg.msgId.toString(16)}, not Hello` } };
    }
    let remoteHello: Hello;
    try {
      remoteHello = decodeHello(msg.payload);
    } catch (err) {
      const lenient = fault('p2p-accept-compressed-hello') ? decodeCompressedHello(msg.payload) : undefined;
      if (lenient === undefined) return { fail: { reason: breachReason(), byUs: true, detail: (err as Error).message } };
      remoteHello = lenient;
    }
    // Both Hellos are exchanged now, so anything we send from here on,
    // a refusal included, is compressed if both sides speak v5 (EIP-706).
    transport.codec.snappy = fault('p2p-snappy-v4') || snappyNegotiated(localHello.protocolVersion, remoteHello.protocolVersion);
    if (!fault('p2p-no-identity-check')) {
      if (remoteHello.nodeId.every((b) => b === 0)) {
        return { fail: { reason: DisconnectReason.NullIdentity, byUs: true, detail: 'Hello node id is all zeros' } };
      }
      if (!equalBytes(remoteHello.nodeId, transport.remotePublicKey)) {
        return { fail: { reason: DisconnectReason.UnexpectedIdentity, byUs: true, detail: 'Hello node id differs from the handshake key' } };
      }
    }
    const localCaps = fault('p2p-lowest-version-wins') ? lowestSharedVersions(localHello.capabilities, remoteHello.capabilities) : localHello.capabilities;
    const shared = negotiateCapabilities(localCaps, remoteHello.capabilities, options.messageCounts);
    if (shared.length === 0 && (options.requireSharedCapability ?? true)) {
      return { fail: { reason: DisconnectReason.UselessPeer, byUs: true, detail: 'no capability in common' } };
    }
    return { peer: new Peer(transport, localHello, remoteHello, shared, options) };
  }

  /** Starts delivering subprotocol messages (those that arrived since Hello are delivered first). */
  attach(handlers: PeerHandlers): void {
    this.handlers = handlers;
    for (const q of this.queue.splice(0)) handlers.message(q.capability, q.code, q.payload);
    if (this.ended) handlers.disconnect(this.ended);
  }

  get isConnected(): boolean {
    return this.ended === undefined;
  }

  get disconnectInfo(): DisconnectInfo | undefined {
    return this.ended;
  }

  /** Sends message `code` of capability `name`; false if the session is over. */
  send(name: string, code: number, payload: Uint8Array): boolean {
    if (this.ended) return false;
    return this.transport.send(wireMessageId(this.shared, name, code), payload);
  }

  /** Sends a Ping and resolves with the round-trip time in ms when the Pong arrives. */
  ping(timeoutMs = 5_000): Promise<number> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no Pong within ${timeoutMs} ms`)), timeoutMs);
      this.pongWaiters.push(() => {
        clearTimeout(timer);
        resolve(performance.now() - started);
      });
      if (!this.transport.send(P2pMessageId.Ping, encodePing())) {
        clearTimeout(timer);
        reject(new Error('session is closed'));
      }
    });
  }

  /** Sends Disconnect with a reason and closes once it is flushed. */
  disconnect(reason: number = DisconnectReason.Requested): void {
    if (this.ended) return;
    this.end({ reason, byUs: true, detail: describeDisconnectReason(reason) });
    sendDisconnectAndClose(this.transport, reason);
  }

  private onMessage(msg: FrameMessage): void {
    if (this.ended) return;
    this.touchReadTimer();
    const route = routeMessageId(this.shared, msg.msgId);
    if (route === undefined) {
      return this.disconnect(breachReason());
    }
    if (route.protocol === 'capability') {
      if (this.handlers) this.handlers.message(route.capability, route.code, msg.payload);
      else this.queue.push({ capability: route.capability, code: route.code, payload: msg.payload });
      return;
    }
    try {
      switch (route.code) {
        case P2pMessageId.Ping:
          decodePing(msg.payload);
          if (!fault('p2p-ignore-ping')) this.transport.send(P2pMessageId.Pong, encodePong());
          return;
        case P2pMessageId.Pong:
          decodePong(msg.payload);
          this.pongWaiters.shift()?.();
          return;
        case P2pMessageId.Disconnect: {
          const { reason } = decodeDisconnect(msg.payload);
          this.end({ reason, byUs: false, detail: describeDisconnectReason(reason) });
          this.transport.close();
          return;
        }
        case P2pMessageId.Hello:
          if (fault('p2p-second-hello-ok')) return this.renegotiate(msg.payload);
          // Hello is sent once; a second one is a breach (geth ignores it instead).
          return this.disconnect(breachReason());
        default:
          // Reserved p2p ids 0x04–0x0f: unknown messages are a breach of protocol.
          return this.disconnect(breachReason());
      }
    } catch (err) {
      if (err instanceof DecodeError) return this.disconnect(breachReason());
      throw err;
    }
  }

  /** The planted p2p-second-hello-ok bug: a later Hello is applied as if it were the first. */
  private renegotiate(payload: Uint8Array): void {
    const hello = decodeHello(payload);
    this.transport.codec.snappy = snappyNegotiated(this.localHello.protocolVersion, hello.protocolVersion);
    if (negotiateCapabilities(this.localHello.capabilities, hello.capabilities, this.options.messageCounts).length === 0) {
      this.disconnect(DisconnectReason.UselessPeer);
    }
  }

  private onDecodeError(err: DecodeError): void {
    if (err instanceof SnappyFrameError && err.msgId !== P2pMessageId.Disconnect && fault('p2p-accept-uncompressed')) {
      return this.onMessage({ msgId: err.msgId, payload: err.raw });
    }
    // ethereumjs sends Disconnect without snappy even when snappy is on. The
    // peer is leaving anyway, so we still read its reason, but say it deviated.
    if (err instanceof SnappyFrameError && err.msgId === P2pMessageId.Disconnect) {
      let reason: number | undefined;
      try {
        reason = decodeDisconnect(err.raw).reason;
      } catch {
        return this.disconnect(breachReason());
      }
      this.end({
        reason,
        byUs: false,
        detail: describeDisconnectReason(reason),
        deviation: 'Disconnect was sent without snappy compression, which EIP-706 requires after Hello',
      });
      this.transport.close();
      return;
    }
    this.disconnect(breachReason());
  }

  private onClosed(): void {
    this.end({ reason: undefined, byUs: false, detail: 'connection closed' });
  }

  private end(info: DisconnectInfo): void {
    if (this.ended) return;
    this.ended = info;
    clearInterval(this.pingTimer);
    clearTimeout(this.readTimer);
    this.handlers?.disconnect(info);
  }

  private startTimers(): void {
    const interval = this.options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    if (!fault('p2p-no-keepalive-ping')) {
      this.pingTimer = setInterval(() => this.transport.send(P2pMessageId.Ping, encodePing()), interval);
      this.pingTimer.unref();
    }
    this.touchReadTimer();
  }

  private touchReadTimer(): void {
    clearTimeout(this.readTimer);
    const timeout = this.options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    this.readTimer = setTimeout(() => this.disconnect(DisconnectReason.PingTimeout), timeout);
    this.readTimer.unref();
  }
}

/** 0x02 for a breach of protocol; the planted p2p-wrong-disconnect-reason bug says 0x03. */
function breachReason(): number {
  return fault('p2p-wrong-disconnect-reason') ? DisconnectReason.UselessPeer : DisconnectReason.ProtocolBreach;
}

/** The planted p2p-accept-compressed-hello bug: a Hello that is not RLP is tried as a snappy block (EIP-706: Hello is never compressed). */
function decodeCompressedHello(payload: Uint8Array): Hello | undefined {
  try {
    return decodeHello(snappyDecompress(payload));
  } catch {
    return undefined;
  }
}

/** The planted p2p-lowest-version-wins bug: keep only the lowest version of each capability both sides have. */
function lowestSharedVersions(local: readonly Capability[], remote: readonly Capability[]): Capability[] {
  const lowest = new Map<string, number>();
  for (const r of remote) {
    if (!local.some((l) => l.name === r.name && l.version === r.version)) continue;
    lowest.set(r.name, Math.min(lowest.get(r.name) ?? Infinity, r.version));
  }
  return local.filter((l) => lowest.get(l.name) === l.version);
}

function sendDisconnectAndClose(transport: RlpxTransport, reason: number): void {
  transport.send(P2pMessageId.Disconnect, encodeDisconnect({ reason }));
  transport.close();
}

function safeDisconnectReason(payload: Uint8Array): number | undefined {
  try {
    return decodeDisconnect(payload).reason;
  } catch {
    return undefined;
  }
}
