/**
 * The P2P server, after geth's p2p.Server: one TCP listener, a dial
 * scheduler, the peer set with its admission rules, and the subprotocols
 * services contribute. Sessions are RlpxTransport + Peer (p2p base protocol);
 * the server adds policy:
 *
 * Inbound, before any handshake work: more than `maxPendingInbound`
 * connections in handshake → closed at once (geth instead stops accepting and
 * lets the kernel backlog hold them); an IP that connected within
 * `inboundThrottleMs` → closed (LAN and loopback exempt unless `throttleLan`,
 * as in geth).
 *
 * Admission, checked once the RLPx handshake names the remote (we then send
 * Disconnect instead of Hello, which rlpx.md allows) and again after the
 * Hello exchange (the peer set may have changed meanwhile), as geth's
 * postHandshakeChecks / addPeerChecks:
 *   ourselves → 0x0a; already connected → 0x05; peers ≥ maxPeers, or inbound
 *   peers ≥ maxPeers − maxPeers/dialRatio for an inbound one → 0x04.
 * Trusted nodes skip both limits; static nodes do not (geth: only the trusted
 * flag bypasses MaxPeers, and an inbound static node is just inbound). geth
 * tests the limits before identity; we test identity first so the reason is
 * the most specific one. The Peer itself sends 0x09 for a Hello identity that
 * differs from the handshake key, 0x03 when no capability is shared (only if
 * we run protocols, as geth) and 0x02 for a breach of the base protocol.
 *
 * Dialing (dial-scheduler.ts): static nodes are kept connected with backoff,
 * discovery candidates fill the outbound slots (maxPeers / dialRatio, at
 * least 1). `noDial` turns all dialing off, static nodes included: in geth
 * NoDial makes maxDialedConns 0 and static dials need free dial slots too.
 */
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { bytesToHex, hexToBytes } from '../wire/bytes.js';
import { formatEnode, parseEnode, type Enode } from '../wire/enode.js';
import { assertPublicKey, publicKeyOf, type PrivateKey, type PublicKey } from '../wire/keys.js';
import { describeDisconnectReason, DisconnectReason, encodeDisconnect, P2pMessageId } from '../wire/p2p.js';
import {
  DEFAULT_DIAL_HISTORY_MS,
  DEFAULT_STATIC_BACKOFF,
  DialScheduler,
  type BackoffOptions,
  type DialKind,
  type DialTarget,
} from './dial-scheduler.js';
import { ConnectionClosedError } from './handshake-reader.js';
import { DEFAULT_INBOUND_THROTTLE_MS, InboundThrottle } from './inbound-throttle.js';
import { normalizeIp } from './netutil.js';
import {
  DEFAULT_HELLO_TIMEOUT_MS,
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_READ_TIMEOUT_MS,
  Peer,
  PeerHandshakeError,
  type DisconnectInfo,
  type PeerOptions,
} from './peer.js';
import { copyPeerInfo, describePeer, keyHex, type PeerInfo, type SocketAddress } from './peer-info.js';
import {
  capabilitiesOf,
  messageCountsOf,
  protocolKey,
  reasonForError,
  SubprotocolSession,
  validateProtocols,
  type Protocol,
} from './protocol.js';
import { RlpxTransport } from './rlpx-transport.js';
import { TypedEvents, type EventMap } from './typed-events.js';

export type { DialTarget } from './dial-scheduler.js';
export type { PeerInfo } from './peer-info.js';
export type { Protocol, ProtocolSession } from './protocol.js';
export type { DisconnectInfo } from './peer.js';

export const DEFAULT_MAX_PEERS = 50;
export const DEFAULT_DIAL_RATIO = 3;
/** geth's defaultMaxPendingPeers. */
export const DEFAULT_MAX_PENDING_INBOUND = 50;
export const DEFAULT_MAX_ACTIVE_DIALS = 50;
/** How long stop() lets peers read our Disconnect before their sockets are destroyed. */
const STOP_GRACE_MS = 1_000;

export interface ServerTimeouts {
  /** Each of the RLPx handshake and the Hello exchange (geth: 5 s). */
  handshakeMs?: number;
  /** A peer silent this long is dropped (geth's frameReadTimeout, 30 s). */
  readMs?: number;
  /** Ping interval (geth: 15 s). */
  pingIntervalMs?: number;
}

export interface ServerOptions {
  privateKey: PrivateKey;
  clientId: string;
  /** TCP listen address; default 127.0.0.1 (loopback only unless asked). */
  host?: string;
  /** TCP port; 0 (the default) picks a free one, read it from `port` after start. */
  port?: number;
  /** listenPort in our Hello; default the bound port. */
  listenPort?: number;
  maxPeers?: number;
  /** At most maxPeers / dialRatio (at least 1) peers are dialed by us. Default 3. */
  dialRatio?: number;
  /** Inbound connections in handshake at once; more are closed without a handshake. Default 50. */
  maxPendingInbound?: number;
  /** Dials in flight at once (geth uses MaxPendingPeers for this too). Default 50. */
  maxActiveDials?: number;
  /** An IP that connected within this window is refused; 0 turns it off. Default 30 s (geth's inboundThrottleTime). */
  inboundThrottleMs?: number;
  /** Throttle LAN and loopback addresses too. Default false: geth exempts them. */
  throttleLan?: boolean;
  staticNodes?: DialTarget[];
  trustedNodes?: NodeRef[];
  /** No dialing at all, static nodes included (geth's NoDial). */
  noDial?: boolean;
  protocols?: Protocol[];
  /** Dynamic dial candidates, typically discovery's random nodes. */
  dialCandidates?: AsyncIterable<DialTarget>;
  timeouts?: ServerTimeouts;
  /** Static re-dial backoff; default 1 s doubling up to 35 s. */
  staticBackoff?: Partial<BackoffOptions>;
  /** A dynamic candidate is not dialed again within this time; default 35 s (geth). */
  dialHistoryMs?: number;
}

/** A node named by enode URL, 128-hex public key, public key bytes, or anything with a publicKey. */
export type NodeRef = string | PublicKey | { publicKey: PublicKey };
/** For looking up connected peers: a NodeRef, or the 64-hex node id admin_peers shows (PeerInfo.id). */
export type PeerRef = NodeRef;

/** Where a session that never became a peer stopped. */
export type SessionStage =
  /** Inbound: closed before the handshake (pending limit, throttle, stopping). */
  | 'accept'
  /** Dial: never attempted (the node is us). */
  | 'not-dialed'
  /** TCP connect or the RLPx auth/ack handshake. */
  | 'rlpx'
  /** The Hello exchange (the Peer's checks: identity, shared capability, breach). */
  | 'hello'
  /** Our admission checks (self, already connected, too many peers). */
  | 'admission';

export interface SessionFailure {
  inbound: boolean;
  /** A dial to a static node. */
  static: boolean;
  stage: SessionStage;
  /** The dial target (dials only). */
  node?: DialTarget;
  /** The remote's key, once the RLPx handshake revealed it. */
  publicKey?: PublicKey;
  remoteAddress?: SocketAddress;
  /** The disconnect reason that ended it, if there was one. */
  reason?: number;
  /** Whether we sent that reason. */
  byUs?: boolean;
  error: Error;
}

export interface ServerEvents extends EventMap {
  peerAdded: [peer: PeerInfo];
  peerRemoved: [peer: PeerInfo, info: DisconnectInfo];
  dialFailed: [failure: SessionFailure];
  inboundFailed: [failure: SessionFailure];
  /** A protocol's run or handler threw; the peer was disconnected. */
  protocolError: [peer: PeerInfo, protocol: string, error: unknown];
}

/** start() could not bind the TCP listener. */
export class ServerListenError extends Error {
  override readonly name = 'ServerListenError';
  readonly code = 'LISTEN_FAILED';
  constructor(
    readonly address: string,
    override readonly cause: Error,
  ) {
    super(`cannot listen on ${address}: ${cause.message}`);
  }
}

/** Our admission checks refused a session. */
class AdmissionError extends Error {
  constructor(readonly reason: number) {
    super(`refused: ${describeDisconnectReason(reason)}`);
  }
}

class SessionError extends Error {
  constructor(
    readonly stage: SessionStage,
    readonly error: Error,
    readonly publicKey?: PublicKey,
  ) {
    super(error.message);
  }
}

interface Connected {
  peer: Peer;
  info: PeerInfo;
  sessions: Map<string, SubprotocolSession>;
}

interface SessionKind {
  inbound: boolean;
  static: boolean;
  dialed?: DialTarget;
}

type State = 'idle' | 'running' | 'stopping' | 'stopped';

export class Server {
  private readonly options: ServerOptions;
  private readonly selfKey: PublicKey;
  private readonly selfHex: string;
  private readonly protocols: readonly Protocol[];
  private readonly protocolsByKey: Map<string, Protocol>;
  private readonly peerOptions: Omit<PeerOptions, 'listenPort'>;
  private readonly events = new TypedEvents<ServerEvents>();
  private readonly peerMap = new Map<string, Connected>();
  private readonly trusted = new Set<string>();
  private readonly pendingInbound = new Set<Socket>();
  /** Transports past RLPx, in the Hello exchange: destroyed on stop. */
  private readonly handshaking = new Set<RlpxTransport>();
  private readonly dialAborts = new Set<AbortController>();
  /** Pending waitForPeer/waitForPeerRemoved calls: rejected on stop so their timers go too. */
  private readonly waiters = new Set<() => void>();
  /** Static nodes given before start() (options and addPeer); the scheduler owns them after. */
  private initialStatics: DialTarget[];
  private readonly throttle: InboundThrottle;
  private readonly scheduler: DialScheduler;
  private listener: NetServer | undefined;
  private boundPort: number | undefined;
  private inboundCount = 0;
  private state: State = 'idle';
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: ServerOptions) {
    this.options = options;
    this.selfKey = publicKeyOf(options.privateKey);
    this.selfHex = keyHex(this.selfKey);
    this.initialStatics = [...(options.staticNodes ?? [])];
    this.protocols = [...(options.protocols ?? [])];
    validateProtocols(this.protocols);
    this.protocolsByKey = new Map(this.protocols.map((p) => [protocolKey(p.name, p.version), p]));
    const maxPeers = options.maxPeers ?? DEFAULT_MAX_PEERS;
    if (!Number.isInteger(maxPeers) || maxPeers < 0) throw new RangeError(`maxPeers ${maxPeers} must be a non-negative integer`);
    const dialRatio = options.dialRatio ?? DEFAULT_DIAL_RATIO;
    if (!Number.isInteger(dialRatio) || dialRatio < 1) throw new RangeError(`dialRatio ${dialRatio} must be a positive integer`);
    const timeouts = options.timeouts ?? {};
    this.peerOptions = {
      privateKey: options.privateKey,
      clientId: options.clientId,
      capabilities: capabilitiesOf(this.protocols),
      messageCounts: messageCountsOf(this.protocols),
      helloTimeoutMs: timeouts.handshakeMs ?? DEFAULT_HELLO_TIMEOUT_MS,
      pingIntervalMs: timeouts.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
      readTimeoutMs: timeouts.readMs ?? DEFAULT_READ_TIMEOUT_MS,
      // geth drops peers with no matching protocol only when it runs protocols at all.
      requireSharedCapability: this.protocols.length > 0,
    };
    for (const node of options.trustedNodes ?? []) this.trusted.add(keyHex(publicKeyOfRef(node)));
    this.throttle = new InboundThrottle({
      windowMs: options.inboundThrottleMs ?? DEFAULT_INBOUND_THROTTLE_MS,
      throttleLan: options.throttleLan ?? false,
    });
    this.scheduler = new DialScheduler({
      self: this.selfKey,
      maxDialPeers: this.maxDialedPeers,
      maxActiveDials: options.maxActiveDials ?? DEFAULT_MAX_ACTIVE_DIALS,
      historyMs: options.dialHistoryMs ?? DEFAULT_DIAL_HISTORY_MS,
      backoff: { ...DEFAULT_STATIC_BACKOFF, ...options.staticBackoff },
      dial: (target, kind) => this.dial(target, kind),
      onUndialable: (target) =>
        this.events.emit('dialFailed', {
          inbound: false,
          static: true,
          stage: 'not-dialed',
          node: target,
          publicKey: target.publicKey,
          reason: DisconnectReason.ConnectedToSelf,
          byUs: true,
          error: new Error(`${formatTarget(target)} is this node; it is never dialed`),
        }),
    });
  }

  // ---- limits -------------------------------------------------------------

  get maxPeers(): number {
    return this.options.maxPeers ?? DEFAULT_MAX_PEERS;
  }

  /** geth's maxDialedConns: 0 with noDial or maxPeers 0, else maxPeers / dialRatio and at least 1. */
  get maxDialedPeers(): number {
    if (this.options.noDial || this.maxPeers === 0) return 0;
    return Math.max(1, Math.floor(this.maxPeers / (this.options.dialRatio ?? DEFAULT_DIAL_RATIO)));
  }

  /** geth's maxInboundConns. */
  get maxInboundPeers(): number {
    return this.maxPeers - this.maxDialedPeers;
  }

  // ---- lifecycle ----------------------------------------------------------

  /** Binds the listener and starts dialing. Rejects with ServerListenError if the address is taken. */
  start(): Promise<void> {
    if (this.state !== 'idle') return Promise.reject(new Error(`server is ${this.state}; a server cannot be started twice`));
    this.state = 'running';
    this.starting = this.listen();
    return this.starting;
  }

  private async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    const port = this.options.port ?? 0;
    const listener = createServer({ pauseOnConnect: true }, (socket) => this.onConnection(socket));
    try {
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen({ host, port }, () => {
          listener.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      if (this.state === 'running') this.state = 'idle';
      throw new ServerListenError(`${host.includes(':') ? `[${host}]` : host}:${port}`, err as Error);
    }
    // Accept errors after listening (EMFILE, ...) must not crash the process; the listener keeps going.
    listener.on('error', () => undefined);
    const address = listener.address();
    if (address === null || typeof address === 'string') throw new Error('listener has no TCP address');
    this.listener = listener;
    this.boundPort = address.port;
    // stop() may have been called while we bound; it waits for us and closes the listener.
    if (this.state !== 'running') return;
    for (const node of this.initialStatics) this.scheduler.addStatic(node);
    this.initialStatics = [];
    this.scheduler.start(this.options.dialCandidates);
  }

  /**
   * Disconnects every peer with ClientQuitting (0x08), cancels dials and
   * handshakes, closes the listener. Resolves when all sockets are closed
   * (after at most a short grace). Safe to call more than once.
   */
  stop(): Promise<void> {
    if (this.state === 'idle') {
      this.state = 'stopped';
      return Promise.resolve();
    }
    if (this.state === 'stopped') return Promise.resolve();
    if (this.stopping) return this.stopping;
    this.state = 'stopping';
    this.stopping = this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    await this.starting?.catch(() => undefined);
    this.scheduler.stop();
    for (const abort of this.dialAborts) abort.abort();
    const listenerClosed = new Promise<void>((resolve) => (this.listener ? this.listener.close(() => resolve()) : resolve()));
    for (const socket of this.pendingInbound) socket.destroy();
    for (const transport of this.handshaking) transport.destroy();
    const sockets: Socket[] = [];
    for (const { peer } of [...this.peerMap.values()]) {
      sockets.push(peer.transport.socket);
      peer.disconnect(DisconnectReason.ClientQuitting);
    }
    // Give peers a moment to read the Disconnect, then make sure nothing lingers.
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, STOP_GRACE_MS)));
    await Promise.race([Promise.all(sockets.map(closed)), grace]);
    clearTimeout(graceTimer);
    for (const socket of sockets) socket.destroy();
    await listenerClosed;
    this.throttle.clear();
    this.state = 'stopped';
    for (const cancel of [...this.waiters]) cancel();
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** The bound TCP port; throws before start(). */
  get port(): number {
    if (this.boundPort === undefined) throw new Error('server is not listening; call start() first');
    return this.boundPort;
  }

  get publicKey(): PublicKey {
    return this.selfKey;
  }

  /** Our enode, with the listen host (127.0.0.1 for a wildcard host) and the bound port for TCP and UDP. */
  get localEnode(): Enode {
    const host = this.options.host ?? '127.0.0.1';
    const ip = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
    return { publicKey: this.selfKey, ip, tcpPort: this.port, udpPort: this.port };
  }

  get enode(): string {
    return formatEnode(this.localEnode);
  }

  // ---- peers --------------------------------------------------------------

  peers(): PeerInfo[] {
    return [...this.peerMap.values()].map((c) => copyPeerInfo(c.info));
  }

  get peerCount(): number {
    return this.peerMap.size;
  }

  /** Inbound connections accepted and still in the RLPx handshake or Hello exchange. */
  get pendingHandshakes(): number {
    return this.pendingInbound.size;
  }

  peer(node: PeerRef): PeerInfo | undefined {
    const connected = this.find(node);
    return connected && copyPeerInfo(connected.info);
  }

  private find(node: PeerRef): Connected | undefined {
    const matches = peerMatcher(node);
    for (const connected of this.peerMap.values()) if (matches(connected.info)) return connected;
    return undefined;
  }

  /** geth's AddPeer: make the node static, so it is dialed now and again after every disconnect. */
  addPeer(node: DialTarget | string): void {
    const target = typeof node === 'string' ? parseEnode(node) : node;
    if (this.state === 'idle') this.initialStatics.push(target);
    else if (this.state === 'running') this.scheduler.addStatic(target);
  }

  /** geth's RemovePeer: no longer static, and disconnected (0x00) if connected. */
  removePeer(node: NodeRef): void {
    const publicKey = publicKeyOfRef(node);
    this.scheduler.removeStatic(publicKey);
    const hex = keyHex(publicKey);
    this.initialStatics = this.initialStatics.filter((n) => keyHex(n.publicKey) !== hex);
    this.peerMap.get(hex)?.peer.disconnect(DisconnectReason.Requested);
  }

  /**
   * Adds a source of dynamic dial candidates, e.g. discovery once it is bound
   * (it needs our port, so it may come after start). Sources are pulled only
   * while an outbound slot is free; stop() ends them with return().
   */
  addDialCandidates(source: AsyncIterable<DialTarget>): void {
    this.scheduler.addCandidates(source);
  }

  /** Trusted nodes get in even when the peer slots are full. */
  addTrustedPeer(node: NodeRef): void {
    const hex = keyHex(publicKeyOfRef(node));
    this.trusted.add(hex);
    const connected = this.peerMap.get(hex);
    if (connected) connected.info.trusted = true;
  }

  removeTrustedPeer(node: NodeRef): void {
    const hex = keyHex(publicKeyOfRef(node));
    this.trusted.delete(hex);
    const connected = this.peerMap.get(hex);
    if (connected) connected.info.trusted = false;
  }

  isTrusted(node: NodeRef): boolean {
    return this.trusted.has(keyHex(publicKeyOfRef(node)));
  }

  /** Disconnects a peer with a reason (it stays static if it was). */
  disconnectPeer(node: PeerRef, reason: number = DisconnectReason.Requested): boolean {
    const connected = this.find(node);
    connected?.peer.disconnect(reason);
    return connected !== undefined;
  }

  on<K extends keyof ServerEvents>(event: K, listener: (...args: ServerEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  once<K extends keyof ServerEvents>(event: K, listener: (...args: ServerEvents[K]) => void): () => void {
    return this.events.once(event, listener);
  }

  /** Resolves with the peer once it is connected (at once if it is); rejects after `timeoutMs` or on stop(). */
  waitForPeer(node: PeerRef, timeoutMs = 10_000): Promise<PeerInfo> {
    const now = this.find(node);
    if (now) return Promise.resolve(copyPeerInfo(now.info));
    const matches = peerMatcher(node);
    return this.waitForEvent('peerAdded', (info) => matches(info), timeoutMs, `peer ${describeRef(node)} did not connect`).then(
      ([info]) => info,
    );
  }

  /** Resolves with the disconnect once the peer is gone (undefined at once if it is not connected); rejects after `timeoutMs`. */
  waitForPeerRemoved(node: PeerRef, timeoutMs = 10_000): Promise<DisconnectInfo | undefined> {
    if (!this.find(node)) return Promise.resolve(undefined);
    const matches = peerMatcher(node);
    return this.waitForEvent('peerRemoved', (info) => matches(info), timeoutMs, `peer ${describeRef(node)} stayed connected`).then(
      ([, reason]) => reason,
    );
  }

  private waitForEvent<K extends 'peerAdded' | 'peerRemoved'>(
    event: K,
    matches: (...args: ServerEvents[K]) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<ServerEvents[K]> {
    return new Promise((resolve, reject) => {
      const finish = (err: Error | undefined, args?: ServerEvents[K]) => {
        clearTimeout(timer);
        off();
        this.waiters.delete(cancel);
        if (err) reject(err);
        else resolve(args!);
      };
      const cancel = () => finish(new Error(`${what}: the server stopped`));
      const timer = setTimeout(() => finish(new Error(`${what} within ${timeoutMs} ms`)), timeoutMs);
      const off = this.events.on(event, (...args: ServerEvents[K]) => {
        if (matches(...args)) finish(undefined, args);
      });
      this.waiters.add(cancel);
    });
  }

  // ---- inbound ------------------------------------------------------------

  private onConnection(socket: Socket): void {
    const remoteAddress = { ip: normalizeIp(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 };
    socket.on('error', () => undefined);
    const refuse = (why: string) => {
      socket.destroy();
      this.events.emit('inboundFailed', { inbound: true, static: false, stage: 'accept', remoteAddress, error: new Error(why) });
    };
    if (this.state !== 'running') return refuse('server is stopping');
    if (this.pendingInbound.size >= (this.options.maxPendingInbound ?? DEFAULT_MAX_PENDING_INBOUND)) {
      return refuse(`too many pending inbound handshakes (${this.pendingInbound.size})`);
    }
    if (!this.throttle.admit(remoteAddress.ip)) return refuse(`${remoteAddress.ip} connected less than ${this.options.inboundThrottleMs ?? DEFAULT_INBOUND_THROTTLE_MS} ms ago`);
    this.pendingInbound.add(socket);
    void this.runInbound(socket, remoteAddress).finally(() => this.pendingInbound.delete(socket));
  }

  private async runInbound(socket: Socket, remoteAddress: SocketAddress): Promise<void> {
    try {
      let transport: RlpxTransport;
      try {
        transport = await RlpxTransport.accept(socket, { privateKey: this.options.privateKey, timeoutMs: this.handshakeMs });
      } catch (err) {
        throw new SessionError('rlpx', asError(err));
      }
      await this.setupSession(transport, { inbound: true, static: false });
    } catch (err) {
      if (this.state !== 'running') return;
      this.events.emit('inboundFailed', failureOf(err, { inbound: true, static: false, remoteAddress }));
    }
  }

  // ---- outbound -----------------------------------------------------------

  private async dial(target: DialTarget, kind: DialKind): Promise<void> {
    const abort = new AbortController();
    this.dialAborts.add(abort);
    try {
      let transport: RlpxTransport;
      try {
        transport = await RlpxTransport.dial({
          host: target.ip,
          port: target.tcpPort,
          privateKey: this.options.privateKey,
          remotePublicKey: target.publicKey,
          timeoutMs: this.handshakeMs,
          signal: abort.signal,
        });
      } catch (err) {
        throw new SessionError('rlpx', asError(err));
      }
      await this.setupSession(transport, { inbound: false, static: kind === 'static', dialed: target });
    } catch (err) {
      if (this.state !== 'running') return;
      this.events.emit(
        'dialFailed',
        failureOf(err, { inbound: false, static: kind === 'static', node: target, remoteAddress: { ip: target.ip, port: target.tcpPort } }),
      );
    } finally {
      this.dialAborts.delete(abort);
    }
  }

  // ---- sessions -----------------------------------------------------------

  /** From a finished RLPx handshake to an admitted peer; throws SessionError otherwise. */
  private async setupSession(transport: RlpxTransport, kind: SessionKind): Promise<void> {
    const publicKey = transport.remotePublicKey;
    if (this.state !== 'running') {
      transport.destroy();
      throw new SessionError('admission', new Error('server is stopping'), publicKey);
    }
    const early = this.admissionCheck(publicKey, kind.inbound);
    if (early !== undefined) {
      refuseBeforeHello(transport, early);
      throw new SessionError('admission', new AdmissionError(early), publicKey);
    }
    this.handshaking.add(transport);
    let peer: Peer;
    try {
      peer = await Peer.start(transport, { ...this.peerOptions, listenPort: this.options.listenPort ?? this.port });
    } catch (err) {
      throw new SessionError('hello', asError(err), publicKey);
    } finally {
      this.handshaking.delete(transport);
    }
    if (this.state !== 'running') {
      peer.disconnect(DisconnectReason.ClientQuitting);
      throw new SessionError('admission', new Error('server is stopping'), publicKey);
    }
    // The peer set may have changed during the Hello exchange.
    const late = this.admissionCheck(publicKey, kind.inbound);
    if (late !== undefined) {
      peer.disconnect(late);
      throw new SessionError('admission', new AdmissionError(late), publicKey);
    }
    this.admit(peer, kind);
  }

  /** The disconnect reason for a session we must refuse, or undefined to let it in. */
  private admissionCheck(publicKey: PublicKey, inbound: boolean): number | undefined {
    const hex = keyHex(publicKey);
    if (hex === this.selfHex) return DisconnectReason.ConnectedToSelf;
    if (this.peerMap.has(hex)) return DisconnectReason.AlreadyConnected;
    if (this.trusted.has(hex)) return undefined;
    if (this.peerMap.size >= this.maxPeers) return DisconnectReason.TooManyPeers;
    if (inbound && this.inboundCount >= this.maxInboundPeers) return DisconnectReason.TooManyPeers;
    return undefined;
  }

  private admit(peer: Peer, kind: SessionKind): void {
    const hex = keyHex(peer.transport.remotePublicKey);
    const info = describePeer({
      peer,
      inbound: kind.inbound,
      trusted: this.trusted.has(hex),
      static: kind.static,
      ...(kind.dialed ? { dialed: kind.dialed } : {}),
    });
    const connected: Connected = { peer, info, sessions: new Map() };
    // No longer pending: listeners of peerAdded may call stop(), which must treat it as a peer.
    this.pendingInbound.delete(peer.transport.socket);
    this.peerMap.set(hex, connected);
    if (kind.inbound) this.inboundCount++;
    this.scheduler.peerAdded(info.publicKey, !kind.inbound);
    this.events.emit('peerAdded', copyPeerInfo(info));

    for (const cap of peer.shared) {
      if (!peer.isConnected) break;
      const protocol = this.protocolsByKey.get(protocolKey(cap.name, cap.version));
      if (!protocol) continue; // cannot happen: we only offer what we have
      const session = new SubprotocolSession(
        peer,
        () => copyPeerInfo(connected.info),
        cap,
        (err) => this.events.emit('protocolError', copyPeerInfo(connected.info), cap.name, err),
      );
      connected.sessions.set(cap.name, session);
      try {
        protocol.run(session);
      } catch (err) {
        session.disconnect(reasonForError(err));
        this.events.emit('protocolError', copyPeerInfo(connected.info), cap.name, err);
      }
    }
    peer.attach({
      message: (cap, code, payload) => connected.sessions.get(cap.name)?.deliver(code, payload),
      disconnect: (reason) => this.onPeerGone(hex, connected, kind, reason),
    });
  }

  private onPeerGone(hex: string, connected: Connected, kind: SessionKind, reason: DisconnectInfo): void {
    if (this.peerMap.get(hex) !== connected) return;
    this.peerMap.delete(hex);
    if (kind.inbound) this.inboundCount--;
    for (const session of connected.sessions.values()) session.close(reason);
    this.scheduler.peerRemoved(connected.info.publicKey, !kind.inbound);
    this.events.emit('peerRemoved', copyPeerInfo(connected.info), reason);
  }

  private get handshakeMs(): number {
    return this.options.timeouts?.handshakeMs ?? DEFAULT_HELLO_TIMEOUT_MS;
  }
}

/**
 * Refuses a session right after the RLPx handshake: Disconnect as the first
 * frame, before snappy (no Hello was exchanged), then close. Reading their
 * Hello into nothing lets the socket see their close promptly.
 */
function refuseBeforeHello(transport: RlpxTransport, reason: number): void {
  transport.send(P2pMessageId.Disconnect, encodeDisconnect({ reason }));
  transport.start({ message: () => undefined, error: () => undefined, close: () => undefined });
  transport.close();
}

function closed(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function failureOf(err: unknown, base: Pick<SessionFailure, 'inbound' | 'static' | 'node' | 'remoteAddress'>): SessionFailure {
  const failure: SessionFailure = { ...base, stage: 'rlpx', error: asError(err) };
  if (base.node === undefined) delete failure.node;
  if (!(err instanceof SessionError)) return failure;
  failure.stage = err.stage;
  failure.error = err.error;
  if (err.publicKey) failure.publicKey = err.publicKey;
  if (err.error instanceof AdmissionError) {
    failure.reason = err.error.reason;
    failure.byUs = true;
  } else if (err.error instanceof PeerHandshakeError) {
    if (err.error.info.reason !== undefined) failure.reason = err.error.info.reason;
    failure.byUs = err.error.info.byUs;
  } else if (err.error instanceof ConnectionClosedError) {
    failure.byUs = false;
  }
  return failure;
}

function formatTarget(target: DialTarget): string {
  return formatEnode({ ...target, udpPort: target.udpPort ?? target.tcpPort });
}

/** A test for PeerInfo: by node id for a 64-hex string, else by public key. */
function peerMatcher(node: PeerRef): (info: PeerInfo) => boolean {
  if (typeof node === 'string' && /^(0x)?[0-9a-fA-F]{64}$/.test(node)) {
    const id = node.replace(/^0x/, '').toLowerCase();
    return (info) => info.id === id;
  }
  const hex = keyHex(publicKeyOfRef(node));
  return (info) => keyHex(info.publicKey) === hex;
}

function describeRef(node: PeerRef): string {
  const text = typeof node === 'string' ? node : bytesToHex(node instanceof Uint8Array ? node : node.publicKey);
  return text.length > 24 ? `${text.slice(0, 24)}…` : text;
}

/** The public key a NodeRef names; throws on a malformed one. */
export function publicKeyOfRef(node: NodeRef): PublicKey {
  if (node instanceof Uint8Array) return assertPublicKey(node, 'node public key');
  if (typeof node !== 'string') return node.publicKey;
  if (node.startsWith('enode://')) return parseEnode(node).publicKey;
  const hex = node.startsWith('0x') ? node.slice(2) : node;
  if (!/^[0-9a-fA-F]{128}$/.test(hex)) throw new RangeError(`"${node}" is neither an enode URL nor a 128-hex-digit public key`);
  return assertPublicKey(hexToBytes(hex), 'node public key');
}
