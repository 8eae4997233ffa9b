/**
 * The "p2p" base capability (rlpx.md "p2p Capability"): Hello, Disconnect,
 * Ping and Pong message bodies (msg-data, without msg id and framing), the
 * disconnect reason table, and capability negotiation into message-ID ranges.
 */
import { DecodeError } from './errors.js';
import type { PublicKey } from './keys.js';
import { asBytes, asExactList, asFixedBytes, asList, asNumber, decodeRlp, encodeRlp, type RlpItem } from './rlp.js';

/** The p2p version this implementation speaks (EIP-706 snappy). */
export const P2P_VERSION = 5;
/** Snappy applies when both sides' Hellos advertise at least this version. */
export const SNAPPY_PROTOCOL_VERSION = 5;
/** Message ids 0x00–0x0f belong to p2p; capabilities start at 0x10. */
export const BASE_PROTOCOL_LENGTH = 16;
/** geth's limit on a p2p message body (baseProtocolMaxMsgSize); decodeHello enforces it. */
export const P2P_MAX_MESSAGE_SIZE = 2048;

export const P2pMessageId = {
  Hello: 0x00,
  Disconnect: 0x01,
  Ping: 0x02,
  Pong: 0x03,
} as const;
export type P2pMessageId = (typeof P2pMessageId)[keyof typeof P2pMessageId];

export interface Capability {
  name: string;
  version: number;
}

export interface Hello {
  protocolVersion: number;
  clientId: string;
  capabilities: Capability[];
  listenPort: number;
  /** The sender's 64-byte public key. Not checked to be on the curve here; the session compares it with the handshake key. */
  nodeId: PublicKey;
  /** Extra list elements, ignored per EIP-8 but kept for inspection and re-encoding. */
  extra: RlpItem[];
}

const textDecoder = new TextDecoder();

export function encodeHello(hello: Hello): Uint8Array {
  return encodeRlp([
    hello.protocolVersion,
    hello.clientId,
    hello.capabilities.map((c) => [c.name, c.version]),
    hello.listenPort,
    hello.nodeId,
    ...hello.extra,
  ]);
}

/**
 * Strict on the five known fields (canonical integers, a 64-byte node id,
 * [name, version] pairs) and lenient where EIP-8 asks: any protocolVersion,
 * extra list elements. Integers above 2^48 are rejected with 'value'.
 */
export function decodeHello(bytes: Uint8Array): Hello {
  const what = 'p2p Hello';
  if (bytes.length > P2P_MAX_MESSAGE_SIZE) {
    throw new DecodeError('too-large', what, `${bytes.length} bytes exceeds ${P2P_MAX_MESSAGE_SIZE}`);
  }
  const list = asList(decodeRlp(bytes, what), what, 5);
  const caps = asList(list[2], `${what} capabilities`).map((item, i) => {
    const pair = asExactList(item, `${what} capability ${i}`, 2);
    return {
      name: textDecoder.decode(asBytes(pair[0], `${what} capability ${i} name`)),
      version: asNumber(pair[1], `${what} capability ${i} version`),
    };
  });
  return {
    protocolVersion: asNumber(list[0], `${what} protocolVersion`),
    clientId: textDecoder.decode(asBytes(list[1], `${what} clientId`)),
    capabilities: caps,
    listenPort: asNumber(list[3], `${what} listenPort`),
    nodeId: asFixedBytes(list[4], `${what} nodeId`, 64),
    extra: list.slice(5),
  };
}

/** rlpx.md disconnect reasons. Codes outside this table can still arrive and are kept as numbers. */
export const DisconnectReason = {
  Requested: 0x00,
  TcpError: 0x01,
  ProtocolBreach: 0x02,
  UselessPeer: 0x03,
  TooManyPeers: 0x04,
  AlreadyConnected: 0x05,
  IncompatibleVersion: 0x06,
  NullIdentity: 0x07,
  ClientQuitting: 0x08,
  UnexpectedIdentity: 0x09,
  ConnectedToSelf: 0x0a,
  PingTimeout: 0x0b,
  SubprotocolError: 0x10,
} as const;
export type DisconnectReason = (typeof DisconnectReason)[keyof typeof DisconnectReason];

const REASON_TEXT: Readonly<Record<number, string>> = {
  0x00: 'disconnect requested',
  0x01: 'TCP sub-system error',
  0x02: 'breach of protocol',
  0x03: 'useless peer',
  0x04: 'too many peers',
  0x05: 'already connected',
  0x06: 'incompatible p2p protocol version',
  0x07: 'null node identity received',
  0x08: 'client quitting',
  0x09: 'unexpected identity in handshake',
  0x0a: 'identity is the same as this node',
  0x0b: 'ping timeout',
  0x10: 'subprotocol-specific reason',
};

export function isKnownDisconnectReason(code: number): code is DisconnectReason {
  return REASON_TEXT[code] !== undefined;
}

/** Human-readable text of a reason, e.g. "too many peers (0x04)"; unknown codes say so. */
export function describeDisconnectReason(code: number | undefined): string {
  if (code === undefined) return 'no reason given';
  const hex = `0x${code.toString(16).padStart(2, '0')}`;
  return `${REASON_TEXT[code] ?? 'unknown reason'} (${hex})`;
}

export interface Disconnect {
  /** undefined when the peer sent an empty list (the spec makes the reason optional). */
  reason: number | undefined;
}

/** [reason], or [] when there is no reason. */
export function encodeDisconnect(msg: Disconnect): Uint8Array {
  return encodeRlp(msg.reason === undefined ? [] : [msg.reason]);
}

/**
 * Accepts the forms seen on the wire, as geth's decodeDisconnectMessage does:
 * - [reason, ...] (the spec form; extra elements ignored like geth),
 * - a bare RLP integer (old geth and others sent the reason unwrapped),
 * - [] → reason undefined (geth maps it to its internal DiscInvalid, ethereumjs to 0x00).
 * The reason must be a canonical integer of at most one byte.
 */
export function decodeDisconnect(bytes: Uint8Array): Disconnect {
  const what = 'p2p Disconnect';
  const item = decodeRlp(bytes, what);
  if (Array.isArray(item)) {
    if (item.length === 0) return { reason: undefined };
    return { reason: asNumber(item[0], `${what} reason`, 1) };
  }
  return { reason: asNumber(item, `${what} reason`, 1) };
}

/** Ping and Pong carry an empty list. */
export type Ping = Record<string, never>;
export type Pong = Record<string, never>;

const EMPTY_LIST = Uint8Array.of(0xc0);

export function encodePing(_msg: Ping = {}): Uint8Array {
  return EMPTY_LIST.slice();
}

export function encodePong(_msg: Pong = {}): Uint8Array {
  return EMPTY_LIST.slice();
}

/** Must be an RLP list; its elements are ignored (geth discards the body unread). */
export function decodePing(bytes: Uint8Array): Ping {
  asList(decodeRlp(bytes, 'p2p Ping'), 'p2p Ping');
  return {};
}

export function decodePong(bytes: Uint8Array): Pong {
  asList(decodeRlp(bytes, 'p2p Pong'), 'p2p Pong');
  return {};
}

/** True if messages after Hello are snappy-compressed (EIP-706: both sides >= 5). */
export function snappyNegotiated(localVersion: number, remoteVersion: number): boolean {
  return localVersion >= SNAPPY_PROTOCOL_VERSION && remoteVersion >= SNAPPY_PROTOCOL_VERSION;
}

/** Number of message ids each protocol version uses, e.g. { eth: { 68: 17 }, snap: { 1: 8 } }. */
export type MessageCounts = Readonly<Record<string, Readonly<Record<number, number>>>>;

export interface SharedCapability {
  name: string;
  version: number;
  /** First wire message id of this capability. */
  offset: number;
  /** Number of ids it occupies: [offset, offset + length). */
  length: number;
}

/**
 * rlpx.md "Message ID-based Multiplexing": capabilities present with equal name
 * and version on both sides are shared; per name the highest shared version
 * wins; winners get consecutive id ranges from 0x10 in alphabetical order of
 * name (case-sensitive, by code unit as geth compares strings). Every local
 * capability must have an entry in `counts` (a missing one is a local bug:
 * RangeError).
 */
export function negotiateCapabilities(
  local: readonly Capability[],
  remote: readonly Capability[],
  counts: MessageCounts,
): SharedCapability[] {
  const best = new Map<string, number>();
  for (const cap of local) {
    if (counts[cap.name]?.[cap.version] === undefined) {
      throw new RangeError(`no message count for local capability ${cap.name}/${cap.version}`);
    }
  }
  for (const r of remote) {
    if (!local.some((l) => l.name === r.name && l.version === r.version)) continue;
    const prev = best.get(r.name);
    if (prev === undefined || r.version > prev) best.set(r.name, r.version);
  }
  const names = [...best.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let offset = BASE_PROTOCOL_LENGTH;
  return names.map((name) => {
    const version = best.get(name)!;
    const length = counts[name]![version]!;
    const shared = { name, version, offset, length };
    offset += length;
    return shared;
  });
}

export type RoutedMessage =
  | { protocol: 'p2p'; code: number }
  | { protocol: 'capability'; capability: SharedCapability; code: number };

/** Which protocol a wire message id belongs to, with the id relative to it; undefined if none. */
export function routeMessageId(shared: readonly SharedCapability[], msgId: number): RoutedMessage | undefined {
  if (msgId < BASE_PROTOCOL_LENGTH) return { protocol: 'p2p', code: msgId };
  for (const capability of shared) {
    if (msgId >= capability.offset && msgId < capability.offset + capability.length) {
      return { protocol: 'capability', capability, code: msgId - capability.offset };
    }
  }
  return undefined;
}

/** The wire id of message `code` of capability `name`; RangeError if not shared or out of range. */
export function wireMessageId(shared: readonly SharedCapability[], name: string, code: number): number {
  const capability = shared.find((c) => c.name === name);
  if (!capability) throw new RangeError(`capability ${name} is not shared`);
  if (!Number.isInteger(code) || code < 0 || code >= capability.length) {
    throw new RangeError(`message code ${code} is outside ${name}/${capability.version}'s ${capability.length} ids`);
  }
  return capability.offset + code;
}

/** For logs: "eth/68@0x10". */
export function formatSharedCapabilities(shared: readonly SharedCapability[]): string {
  return shared.map((c) => `${c.name}/${c.version}@0x${c.offset.toString(16)}`).join(', ');
}
