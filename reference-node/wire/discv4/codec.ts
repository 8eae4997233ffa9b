/**
 * discv4 packet codec: hash(32) || signature(65) || type(1) || rlp(data).
 * Checks run in geth's order (size, hash, signature, type, then fields) so a
 * packet is rejected for the same reason geth would name first.
 */
import { concatBytes, equalBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { keccak256, nodeIdOf, recoverPublicKey, signRecoverable, type PrivateKey, type PublicKey } from '../keys.js';
import {
  asBytes,
  asExactList,
  asFixedBytes,
  asList,
  asNumber,
  asUint64,
  decodeRlp,
  decodeRlpPrefix,
  encodeRlp,
  type RlpInput,
  type RlpItem,
} from '../rlp.js';
import {
  HEADER_SIZE,
  MAX_PACKET_SIZE,
  PACKET_TYPE,
  type DecodeOptions,
  type DecodedPacket,
  type Endpoint,
  type NeighborNode,
  type Packet,
} from './types.js';

const WHAT = 'discv4 packet';
const UINT64_MAX = (1n << 64n) - 1n;

// ---------------------------------------------------------------- encoding

/**
 * Signs any type byte and payload, with no checks on either. This is the hook
 * for fuzzers and conformance tests that must send what a real node never would
 * (unknown types, oversize packets, malformed RLP, trailing junk).
 */
export function encodeRawDiscv4Packet(type: number, payload: Uint8Array, privateKey: PrivateKey): Uint8Array {
  if (!Number.isInteger(type) || type < 0 || type > 255) throw new RangeError(`packet type ${type} is not a byte`);
  const signed = concatBytes(Uint8Array.of(type), payload);
  const signature = signRecoverable(keccak256(signed), privateKey);
  const hash = keccak256(concatBytes(signature, signed));
  return concatBytes(hash, signature, signed);
}

/** Encodes and signs a well-formed packet; throws RangeError/TypeError for values no valid packet can hold. */
export function encodeDiscv4Packet(packet: Packet, privateKey: PrivateKey): Uint8Array {
  const bytes = encodeRawDiscv4Packet(PACKET_TYPE[packet.type], encodeRlp(packetFields(packet)), privateKey);
  if (bytes.length > MAX_PACKET_SIZE) {
    throw new RangeError(`discv4 ${packet.type} is ${bytes.length} bytes, over the ${MAX_PACKET_SIZE}-byte limit`);
  }
  return bytes;
}

/** The hash a reply must echo: the first 32 bytes of an encoded packet. */
export function packetHash(encoded: Uint8Array): Uint8Array {
  return encoded.slice(0, 32);
}

function packetFields(p: Packet): RlpInput[] {
  const rest = p.rest ?? [];
  switch (p.type) {
    case 'ping':
      return [uint64(p.version, 'version'), endpointFields(p.from), endpointFields(p.to), uint64(p.expiration, 'expiration'), ...optionalSeq(p.enrSeq, rest, 'ping'), ...rest];
    case 'pong':
      return [endpointFields(p.to), fixed(p.pingHash, 32, 'pingHash'), uint64(p.expiration, 'expiration'), ...optionalSeq(p.enrSeq, rest, 'pong'), ...rest];
    case 'findNode':
      return [fixed(p.target, 64, 'target'), uint64(p.expiration, 'expiration'), ...rest];
    case 'neighbors':
      return [p.nodes.map(nodeFields), uint64(p.expiration, 'expiration'), ...rest];
    case 'enrRequest':
      return [uint64(p.expiration, 'expiration'), ...rest];
    case 'enrResponse':
      return [fixed(p.requestHash, 32, 'requestHash'), recordItem(p.enr), ...rest];
  }
}

function optionalSeq(enrSeq: bigint | undefined, rest: RlpItem[], type: string): RlpInput[] {
  if (enrSeq !== undefined) return [uint64(enrSeq, 'enrSeq')];
  // Without enr-seq a first extra byte string would be read back as enr-seq. A
  // list there is the EIP-8 vector shape, which is legal to send (the receiver
  // decides; see DecodeOptions.listInEnrSeqSlot).
  if (rest.length > 0 && !Array.isArray(rest[0])) {
    throw new TypeError(`discv4 ${type}: a first extra element that is not a list needs enrSeq to be set`);
  }
  return [];
}

function endpointFields(e: Endpoint): RlpInput[] {
  return [e.ip, port(e.udpPort, 'udpPort'), port(e.tcpPort, 'tcpPort')];
}

function nodeFields(n: NeighborNode): RlpInput[] {
  return [...endpointFields(n), fixed(n.publicKey, 64, 'node publicKey')];
}

function uint64(v: bigint, name: string): bigint {
  if (v < 0n || v > UINT64_MAX) throw new RangeError(`${name} ${v} is not a uint64`);
  return v;
}

function port(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${name} ${v} is not a 16-bit port`);
  return v;
}

function fixed(b: Uint8Array, length: number, name: string): Uint8Array {
  if (b.length !== length) throw new RangeError(`${name} must be ${length} bytes, got ${b.length}`);
  return b;
}

function recordItem(enr: Uint8Array): RlpItem {
  // Embedding the decoded item re-encodes it byte for byte, because the RLP decoder accepts canonical input only.
  const item = decodeRlp(enr, 'enr');
  if (!Array.isArray(item)) throw new TypeError('enr must be an encoded RLP list');
  return item;
}

// ---------------------------------------------------------------- decoding

export function decodeDiscv4Packet(input: Uint8Array, options: DecodeOptions = {}): DecodedPacket {
  // A private copy: the result may alias it, and callers may reuse their buffer (dgram does).
  const bytes = new Uint8Array(input);
  if (bytes.length > MAX_PACKET_SIZE) {
    throw new DecodeError('too-large', WHAT, `${bytes.length} bytes, over the ${MAX_PACKET_SIZE}-byte limit`);
  }
  if (bytes.length < HEADER_SIZE + 1) {
    throw new DecodeError('length', WHAT, `${bytes.length} bytes, shorter than the ${HEADER_SIZE + 1}-byte header`);
  }
  const hash = bytes.subarray(0, 32);
  if (!equalBytes(hash, keccak256(bytes.subarray(32)))) {
    throw new DecodeError('hash', WHAT, 'hash does not match keccak256(signature || type || data)');
  }
  const signature = bytes.subarray(32, HEADER_SIZE);
  const signed = bytes.subarray(HEADER_SIZE);
  let publicKey: PublicKey;
  try {
    publicKey = recoverPublicKey(keccak256(signed), signature, `${WHAT} signature`);
  } catch (err) {
    if (err instanceof DecodeError && err.code === 'signature') throw err;
    throw new DecodeError('signature', `${WHAT} signature`, 'does not recover to a public key');
  }
  const type = signed[0]!;
  const { item, rest: trailing } = decodeRlpPrefix(signed.subarray(1), WHAT);
  const packet = decodeData(type, item, options);
  return { packet, hash, signature, publicKey, nodeId: nodeIdOf(publicKey), trailing };
}

function decodeData(type: number, item: RlpItem, options: DecodeOptions): Packet {
  switch (type) {
    case PACKET_TYPE.ping: {
      const what = 'discv4 ping';
      const list = asList(item, what, 4);
      const tail = enrSeqAndRest(list, 4, what, options);
      return {
        type: 'ping',
        version: asUint64(list[0], `${what} version`),
        from: decodeEndpoint(list[1], `${what} from`),
        to: decodeEndpoint(list[2], `${what} to`),
        expiration: asUint64(list[3], `${what} expiration`),
        ...tail,
      };
    }
    case PACKET_TYPE.pong: {
      const what = 'discv4 pong';
      const list = asList(item, what, 3);
      const tail = enrSeqAndRest(list, 3, what, options);
      return {
        type: 'pong',
        to: decodeEndpoint(list[0], `${what} to`),
        pingHash: asFixedBytes(list[1], `${what} ping-hash`, 32),
        expiration: asUint64(list[2], `${what} expiration`),
        ...tail,
      };
    }
    case PACKET_TYPE.findNode: {
      const what = 'discv4 findnode';
      const list = asList(item, what, 2);
      return {
        type: 'findNode',
        target: asFixedBytes(list[0], `${what} target`, 64),
        expiration: asUint64(list[1], `${what} expiration`),
        ...restFrom(list, 2),
      };
    }
    case PACKET_TYPE.neighbors: {
      const what = 'discv4 neighbors';
      const list = asList(item, what, 2);
      return {
        type: 'neighbors',
        nodes: asList(list[0], `${what} nodes`).map((n, i) => decodeNode(n, `${what} node ${i}`)),
        expiration: asUint64(list[1], `${what} expiration`),
        ...restFrom(list, 2),
      };
    }
    case PACKET_TYPE.enrRequest: {
      const what = 'discv4 enrrequest';
      const list = asList(item, what, 1);
      return { type: 'enrRequest', expiration: asUint64(list[0], `${what} expiration`), ...restFrom(list, 1) };
    }
    case PACKET_TYPE.enrResponse: {
      const what = 'discv4 enrresponse';
      const list = asList(item, what, 2);
      return {
        type: 'enrResponse',
        requestHash: asFixedBytes(list[0], `${what} request-hash`, 32),
        enr: encodeRlp(asList(list[1], `${what} record`) as RlpInput),
        ...restFrom(list, 2),
      };
    }
    default:
      // EIP-8: unknown types are discarded silently; the error code lets the caller count them apart.
      throw new DecodeError('unknown-type', WHAT, `unknown packet type 0x${type.toString(16).padStart(2, '0')}`);
  }
}

function enrSeqAndRest(
  list: RlpItem[],
  slot: number,
  what: string,
  options: DecodeOptions,
): { enrSeq?: bigint; rest?: RlpItem[] } {
  const seq = list[slot];
  if (seq === undefined) return {};
  if (Array.isArray(seq)) {
    if ((options.listInEnrSeqSlot ?? 'reject') === 'reject') {
      throw new DecodeError('shape', `${what} enr-seq`, 'expected a uint64 (EIP-868), got a list');
    }
    return restFrom(list, slot);
  }
  return { enrSeq: asUint64(seq, `${what} enr-seq`), ...restFrom(list, slot + 1) };
}

function restFrom(list: RlpItem[], start: number): { rest?: RlpItem[] } {
  return list.length > start ? { rest: list.slice(start) } : {};
}

/**
 * geth decodes the ip as a plain byte string of any length and judges it
 * later (the envelope address wins for ping/pong, relay checks for neighbors),
 * so we do too. The list itself must have exactly 3 elements, as in geth:
 * EIP-8's tolerance is for the packet-data list, not nested structures.
 */
function decodeEndpoint(item: RlpItem | undefined, what: string): Endpoint {
  const list = asExactList(item, what, 3);
  return {
    ip: asBytes(list[0], `${what} ip`),
    udpPort: asNumber(list[1], `${what} udp-port`, 2),
    tcpPort: asNumber(list[2], `${what} tcp-port`, 2),
  };
}

function decodeNode(item: RlpItem, what: string): NeighborNode {
  const list = asExactList(item, what, 4);
  return {
    ip: asBytes(list[0], `${what} ip`),
    udpPort: asNumber(list[1], `${what} udp-port`, 2),
    tcpPort: asNumber(list[2], `${what} tcp-port`, 2),
    publicKey: asFixedBytes(list[3], `${what} node-id`, 64),
  };
}
