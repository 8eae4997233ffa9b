/**
 * discv4 packet values (devp2p discv4.md, EIP-8, EIP-868). Quantities are
 * bigint, ports are numbers (they are 16-bit by definition), bytes stay raw.
 */
import type { NodeId, PublicKey } from '../keys.js';
import type { RlpItem } from '../rlp.js';

/** The spec's hard limit for any discovery datagram. */
export const MAX_PACKET_SIZE = 1280;
/** hash(32) || signature(65) before the type byte. */
export const HEADER_SIZE = 32 + 65;

export const PACKET_TYPE = {
  ping: 0x01,
  pong: 0x02,
  findNode: 0x03,
  neighbors: 0x04,
  enrRequest: 0x05,
  enrResponse: 0x06,
} as const;

export type PacketKind = keyof typeof PACKET_TYPE;

export interface Endpoint {
  /** 4 bytes for IPv4, 16 for IPv6; other lengths decode (as in geth) but have no address form. */
  ip: Uint8Array;
  udpPort: number;
  tcpPort: number;
}

export interface NeighborNode extends Endpoint {
  /** The 64-byte key as sent. Not checked to be a curve point here: that is the table's job. */
  publicKey: Uint8Array;
}

/**
 * `rest` holds the extra list elements EIP-8 tells us to ignore. It is kept,
 * not dropped, so a decoded packet re-encodes to the same signed bytes and a
 * fuzzer can send such elements on purpose. Absent when there are none.
 */
interface WithRest {
  rest?: RlpItem[];
}

export interface Ping extends WithRest {
  type: 'ping';
  /** Not validated (EIP-8): any uint64. */
  version: bigint;
  from: Endpoint;
  to: Endpoint;
  expiration: bigint;
  /** EIP-868, optional. When absent, `rest` must be empty or start with a list: a byte string would land in this slot. */
  enrSeq?: bigint;
}

export interface Pong extends WithRest {
  type: 'pong';
  to: Endpoint;
  pingHash: Uint8Array;
  expiration: bigint;
  enrSeq?: bigint;
}

export interface FindNode extends WithRest {
  type: 'findNode';
  target: Uint8Array;
  expiration: bigint;
}

export interface Neighbors extends WithRest {
  type: 'neighbors';
  nodes: NeighborNode[];
  expiration: bigint;
}

export interface EnrRequest extends WithRest {
  type: 'enrRequest';
  expiration: bigint;
}

export interface EnrResponse extends WithRest {
  type: 'enrResponse';
  requestHash: Uint8Array;
  /** The record exactly as its RLP list was encoded; wire/enr decodes and verifies it. */
  enr: Uint8Array;
}

export type Packet = Ping | Pong | FindNode | Neighbors | EnrRequest | EnrResponse;

export interface DecodedPacket<P extends Packet = Packet> {
  packet: P;
  /** keccak256 of everything after it; a Pong or ENRResponse echoes it. */
  hash: Uint8Array;
  signature: Uint8Array;
  /** The signer, recovered from the signature: the discv4 "node ID" (64 bytes). */
  publicKey: PublicKey;
  /** keccak256(publicKey), the ID the table and ENR use. */
  nodeId: NodeId;
  /** Bytes after the RLP list. Ignored by EIP-8, but covered by hash and signature. */
  trailing: Uint8Array;
}

export interface DecodeOptions {
  /**
   * What to do when the EIP-868 enr-seq slot of a Ping or Pong holds a list.
   * EIP-8's "ping v555" and "pong" vectors predate EIP-868 and put a list
   * there. 'reject' (the default) follows geth, which types the slot as an
   * optional uint64 and rejects such packets: the reference node should agree
   * with the dominant client, and EIP-868 (Final, later than EIP-8) gave the
   * slot a type. 'ignore' is the pre-EIP-868 reading: the list is treated as an
   * extra element, enrSeq is absent, and the list goes to `rest`.
   */
  listInEnrSeqSlot?: 'reject' | 'ignore';
}
