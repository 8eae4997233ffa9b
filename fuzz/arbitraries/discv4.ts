/**
 * discv4 packets (discv4.md) with every endpoint on loopback: a target may
 * remember or contact any address it reads, and this tool sends nothing
 * beyond loopback. Expirations are offsets from the moment the packet is
 * built, so a case means the same thing whenever it runs.
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { ipToBytes } from '../../reference-node/wire/ip.js';
import type { Endpoint, NeighborNode, Packet } from '../../reference-node/wire/discv4.js';
import { rlpItemArb } from './rlp.js';

/** An expiration relative to now: seconds ahead (negative: already past), or an absolute value at the uint64 edges. */
export type Expiry = { in: number } | { at: bigint };

export function expiryArb(): Arbitrary<Expiry> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant<Expiry>({ in: 20 }) },
    { weight: 1, arbitrary: fc.integer({ min: -3600, max: 3600 }).map((s): Expiry => ({ in: s })) },
    { weight: 1, arbitrary: fc.constantFrom<Expiry>({ at: 0n }, { at: (1n << 32n) - 1n }, { at: (1n << 64n) - 1n }) },
  );
}

export function resolveExpiry(e: Expiry, nowSeconds: number): bigint {
  if ('at' in e) return e.at;
  return BigInt(Math.max(0, nowSeconds + e.in));
}

export const LOOPBACK_IPS = ['127.0.0.1', '127.0.0.2', '::1'] as const;

export function loopbackEndpointArb(): Arbitrary<Endpoint> {
  return fc.record({
    ip: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...LOOPBACK_IPS).map(ipToBytes) },
      // Lengths with no address form: a decoder must cope, and no one can dial them.
      { weight: 1, arbitrary: fc.constantFrom(new Uint8Array(0), Uint8Array.of(127, 0, 0), Uint8Array.of(127, 0, 0, 1, 0)) },
    ),
    udpPort: fc.oneof(fc.constant(30303), fc.nat({ max: 0xffff })),
    tcpPort: fc.oneof(fc.constant(30303), fc.nat({ max: 0xffff })),
  });
}

export function neighborNodeArb(): Arbitrary<NeighborNode> {
  return fc.tuple(loopbackEndpointArb(), fc.uint8Array({ minLength: 64, maxLength: 64 })).map(([e, publicKey]) => ({ ...e, publicKey }));
}

/** A packet shape with a relative expiry; `build` turns it into a Packet at send time. */
export interface PacketSpec {
  packet: Packet;
  expiry: Expiry;
}

const restArb = fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.array(rlpItemArb(1), { minLength: 1, maxLength: 2 }).map((r) => [[], ...r]) });

export function discv4PacketArb(options: { to?: Endpoint; types?: readonly Packet['type'][] } = {}): Arbitrary<PacketSpec> {
  const types = options.types ?? (['ping', 'pong', 'findNode', 'neighbors', 'enrRequest', 'enrResponse'] as const);
  const to = options.to ? fc.constant(options.to) : loopbackEndpointArb();
  const u64 = fc.oneof(fc.constantFrom(0n, 1n, (1n << 64n) - 1n), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
  const byType: Record<Packet['type'], Arbitrary<Packet>> = {
    ping: fc.record({ type: fc.constant('ping' as const), version: fc.oneof(fc.constant(4n), u64), from: loopbackEndpointArb(), to, expiration: fc.constant(0n), enrSeq: fc.option(u64, { nil: undefined }), rest: restArb }),
    pong: fc.record({ type: fc.constant('pong' as const), to, pingHash: fc.uint8Array({ minLength: 32, maxLength: 32 }), expiration: fc.constant(0n), enrSeq: fc.option(u64, { nil: undefined }), rest: restArb }),
    findNode: fc.record({ type: fc.constant('findNode' as const), target: fc.uint8Array({ minLength: 64, maxLength: 64 }), expiration: fc.constant(0n), rest: restArb }),
    neighbors: fc.record({ type: fc.constant('neighbors' as const), nodes: fc.array(neighborNodeArb(), { maxLength: 8 }), expiration: fc.constant(0n), rest: restArb }),
    enrRequest: fc.record({ type: fc.constant('enrRequest' as const), expiration: fc.constant(0n), rest: restArb }),
    // A record-shaped list that is not a valid record: no ip entries, so nothing in it can be dialed.
    enrResponse: fc.record({ type: fc.constant('enrResponse' as const), requestHash: fc.uint8Array({ minLength: 32, maxLength: 32 }), enr: fc.constant(Uint8Array.of(0xc1, 0x80)), rest: restArb }),
  };
  return fc.record({ packet: fc.constantFrom(...types).chain((t) => byType[t]), expiry: expiryArb() }).map(({ packet, expiry }) => {
    const p = { ...packet } as Packet & { rest?: unknown; enrSeq?: unknown };
    if (p.rest === undefined) delete p.rest;
    if ('enrSeq' in p && p.enrSeq === undefined) delete p.enrSeq;
    return { packet: p as Packet, expiry };
  });
}

/** The packet with its expiration set for `nowSeconds` (types without one are returned as is). */
export function buildPacket(spec: PacketSpec, nowSeconds: number): Packet {
  if (spec.packet.type === 'enrResponse') return spec.packet;
  return { ...spec.packet, expiration: resolveExpiry(spec.expiry, nowSeconds) } as Packet;
}
