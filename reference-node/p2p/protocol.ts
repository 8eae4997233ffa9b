/**
 * How services put subprotocols on the wire, as geth's p2p.Protocol: each
 * contributes a name, a version and the number of message ids it uses, and a
 * run function the server calls once per peer that negotiated that version.
 * The session a protocol gets speaks in codes relative to its own offset; the
 * server routes by the SharedCapability the Peer hands it with every message.
 */
import { DecodeError } from '../wire/errors.js';
import { DisconnectReason, type Capability, type MessageCounts, type SharedCapability } from '../wire/p2p.js';
import type { DisconnectInfo, Peer } from './peer.js';
import type { PeerInfo } from './peer-info.js';

export interface Protocol {
  /** Capability name, at most 8 ASCII characters (rlpx.md). */
  readonly name: string;
  readonly version: number;
  /** How many message ids this version uses (its share of the id space). */
  readonly length: number;
  /**
   * Called once per peer that negotiated this name and version, after the
   * server admitted the peer and before any message is delivered. Register
   * handlers here; messages that arrive before `onMessage` is called wait in
   * a bounded queue. A throw disconnects the peer (see reasonForError).
   */
  run(session: ProtocolSession): void;
}

/** What a protocol handler sees of one peer. */
export interface ProtocolSession {
  /** The peer as the server describes it (current: the trusted flag can change). */
  readonly peer: PeerInfo;
  /** The negotiated capability: version, wire offset, id count. */
  readonly capability: SharedCapability;
  /** False once the peer is gone; sends then return false. */
  readonly connected: boolean;
  /** Sends message `code` (0 ≤ code < length) of this protocol; false if the session is over. RangeError on a bad code. */
  send(code: number, payload: Uint8Array): boolean;
  /** Sets the handler for this protocol's messages (codes relative to its offset); queued ones are delivered first. */
  onMessage(handler: (code: number, payload: Uint8Array) => void): void;
  /** Called once when the peer is gone (immediately if it already is). */
  onDisconnect(handler: (info: DisconnectInfo) => void): void;
  /** Ends the whole peer connection (all its protocols) with a reason; SubprotocolError (0x10) by default. */
  disconnect(reason?: number): void;
}

/** Throw this from a handler to end the peer with a specific reason. */
export class ProtocolDisconnect extends Error {
  override readonly name = 'ProtocolDisconnect';
  constructor(
    readonly reason: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The reason sent when a handler throws. geth sends DiscSubprotocolError for
 * errors a protocol returns; a message that fails to decode is "a malformed
 * message, bad RLP" in the spec's words, so it is a breach of protocol.
 */
export function reasonForError(err: unknown): number {
  if (err instanceof ProtocolDisconnect) return err.reason;
  if (err instanceof DecodeError) return DisconnectReason.ProtocolBreach;
  return DisconnectReason.SubprotocolError;
}

/** Messages held for a protocol that has not called onMessage yet; more than this drops the peer. */
export const MAX_QUEUED_MESSAGES = 1024;

const CAPABILITY_NAME = /^[\x21-\x7e]{1,8}$/;

/** Checks a protocol list: sane names and lengths, no duplicate name/version. */
export function validateProtocols(protocols: readonly Protocol[]): void {
  const seen = new Set<string>();
  for (const p of protocols) {
    if (!CAPABILITY_NAME.test(p.name)) throw new RangeError(`protocol name "${p.name}" must be 1 to 8 printable ASCII characters`);
    if (p.name === 'p2p') throw new RangeError('"p2p" is the base protocol and cannot be registered');
    if (!Number.isInteger(p.version) || p.version < 0) throw new RangeError(`protocol ${p.name}: version ${p.version} is not a non-negative integer`);
    if (!Number.isInteger(p.length) || p.length < 1) throw new RangeError(`protocol ${p.name}/${p.version}: length ${p.length} must be a positive integer`);
    const key = protocolKey(p.name, p.version);
    if (seen.has(key)) throw new RangeError(`protocol ${key} is registered twice`);
    seen.add(key);
  }
}

export function protocolKey(name: string, version: number): string {
  return `${name}/${version}`;
}

/** The capabilities for our Hello, sorted by name then version as geth sorts them. */
export function capabilitiesOf(protocols: readonly Protocol[]): Capability[] {
  return protocols
    .map((p) => ({ name: p.name, version: p.version }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version));
}

export function messageCountsOf(protocols: readonly Protocol[]): MessageCounts {
  const counts: Record<string, Record<number, number>> = {};
  for (const p of protocols) (counts[p.name] ??= {})[p.version] = p.length;
  return counts;
}

/**
 * One protocol's view of one peer. The server creates it, calls the
 * protocol's run, and feeds it the messages routed to this capability.
 */
export class SubprotocolSession implements ProtocolSession {
  private messageHandler: ((code: number, payload: Uint8Array) => void) | undefined;
  private readonly disconnectHandlers: Array<(info: DisconnectInfo) => void> = [];
  private queue: Array<{ code: number; payload: Uint8Array }> = [];
  private ended: DisconnectInfo | undefined;

  constructor(
    private readonly wirePeer: Peer,
    private readonly view: () => PeerInfo,
    readonly capability: SharedCapability,
    /** Reports a handler that threw; the session has already disconnected the peer. */
    private readonly onHandlerError: (err: unknown) => void,
  ) {}

  get peer(): PeerInfo {
    return this.view();
  }

  get connected(): boolean {
    return this.ended === undefined && this.wirePeer.isConnected;
  }

  send(code: number, payload: Uint8Array): boolean {
    if (!this.connected) return false;
    return this.wirePeer.send(this.capability.name, code, payload);
  }

  onMessage(handler: (code: number, payload: Uint8Array) => void): void {
    this.messageHandler = handler;
    const queued = this.queue;
    this.queue = [];
    for (const m of queued) {
      if (!this.connected) return;
      this.dispatch(m.code, m.payload);
    }
  }

  onDisconnect(handler: (info: DisconnectInfo) => void): void {
    if (this.ended) handler(this.ended);
    else this.disconnectHandlers.push(handler);
  }

  disconnect(reason: number = DisconnectReason.SubprotocolError): void {
    this.wirePeer.disconnect(reason);
  }

  /** A message for this capability arrived (code already relative to the offset). */
  deliver(code: number, payload: Uint8Array): void {
    if (!this.connected) return;
    if (this.messageHandler) return this.dispatch(code, payload);
    if (this.queue.length >= MAX_QUEUED_MESSAGES) {
      // The protocol never registered a handler; holding an unbounded backlog would let a peer grow our memory.
      this.wirePeer.disconnect(DisconnectReason.SubprotocolError);
      return;
    }
    this.queue.push({ code, payload });
  }

  /** The peer is gone: tell the protocol once. */
  close(info: DisconnectInfo): void {
    if (this.ended) return;
    this.ended = info;
    this.queue = [];
    for (const h of this.disconnectHandlers.splice(0)) {
      try {
        h(info);
      } catch (err) {
        this.onHandlerError(err);
      }
    }
  }

  private dispatch(code: number, payload: Uint8Array): void {
    try {
      this.messageHandler!(code, payload);
    } catch (err) {
      this.wirePeer.disconnect(reasonForError(err));
      this.onHandlerError(err);
    }
  }
}
