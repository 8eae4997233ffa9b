/**
 * What the server says about a connected peer: enough for admin_peers (geth's
 * p2p.PeerInfo fields, flattened) and for protocol handlers and tests.
 */
import { bytesToHex } from '../wire/bytes.js';
import { formatEnode } from '../wire/enode.js';
import { nodeIdOf, type PublicKey } from '../wire/keys.js';
import type { SharedCapability } from '../wire/p2p.js';
import type { Peer } from './peer.js';
import { normalizeIp } from './netutil.js';

export interface SocketAddress {
  ip: string;
  port: number;
}

export interface PeerInfo {
  /** keccak256 of the public key, hex without 0x: geth's node id, as admin_peers shows it. */
  id: string;
  publicKey: PublicKey;
  /**
   * enode URL. A dialed peer's is the one we dialed; an inbound peer's uses the
   * address and source port it connected from, as geth's nodeFromConn does
   * (the Hello listenPort is legacy and ignored).
   */
  enode: string;
  /** The client id from the remote Hello. */
  name: string;
  /** Every capability the remote's Hello offered, as "name/version". */
  caps: string[];
  /** The negotiated capabilities with their message-id offsets. */
  shared: SharedCapability[];
  remoteAddress: SocketAddress;
  localAddress: SocketAddress;
  inbound: boolean;
  /** In the trusted set now (it can change while connected, as in geth). */
  trusted: boolean;
  /** Dialed because it is a static node (geth's staticDialedConn); an inbound static node is false. */
  static: boolean;
  /** Date.now() when the server admitted the peer. */
  connectedAt: number;
}

/** Hex of the 64-byte public key: the key of every peer map in the server. */
export function keyHex(publicKey: PublicKey): string {
  return bytesToHex(publicKey);
}

export interface PeerInfoInput {
  peer: Peer;
  inbound: boolean;
  trusted: boolean;
  static: boolean;
  /** The dial target's ports (dialed peers only). */
  dialed?: { ip: string; tcpPort: number; udpPort?: number };
}

export function describePeer(input: PeerInfoInput): PeerInfo {
  const { peer } = input;
  const publicKey = peer.transport.remotePublicKey;
  const remote = peer.transport.remoteAddress;
  const remoteAddress = { ip: normalizeIp(remote.ip), port: remote.port };
  const socket = peer.transport.socket;
  const localAddress = { ip: normalizeIp(socket.localAddress ?? ''), port: socket.localPort ?? 0 };
  const endpoint = input.dialed
    ? { ip: input.dialed.ip, tcpPort: input.dialed.tcpPort, udpPort: input.dialed.udpPort ?? input.dialed.tcpPort }
    : { ip: remoteAddress.ip, tcpPort: remoteAddress.port, udpPort: remoteAddress.port };
  return {
    id: bytesToHex(nodeIdOf(publicKey)),
    publicKey,
    enode: formatEnode({ publicKey, ...endpoint }),
    name: peer.remoteHello.clientId,
    caps: peer.remoteHello.capabilities.map((c) => `${c.name}/${c.version}`),
    shared: peer.shared.map((c) => ({ ...c })),
    remoteAddress,
    localAddress,
    inbound: input.inbound,
    trusted: input.trusted,
    static: input.static,
    connectedAt: Date.now(),
  };
}

/** A copy callers may keep or change without touching the server's record. */
export function copyPeerInfo(info: PeerInfo): PeerInfo {
  return {
    ...info,
    caps: [...info.caps],
    shared: info.shared.map((c) => ({ ...c })),
    remoteAddress: { ...info.remoteAddress },
    localAddress: { ...info.localAddress },
  };
}
