/**
 * Valid p2p base-protocol messages (rlpx.md "p2p Capability"): Hello,
 * Disconnect, Ping, Pong. Mutation plans make them invalid.
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { DisconnectReason, P2P_VERSION, type Capability, type Disconnect, type Hello } from '../../reference-node/wire/p2p.js';
import { rlpItemArb } from './rlp.js';

export function capabilityArb(): Arbitrary<Capability> {
  return fc.oneof(
    fc.record({ name: fc.constant('eth'), version: fc.integer({ min: 62, max: 72 }) }),
    fc.record({ name: fc.constantFrom('snap', 'les', 'wit', 'zz'), version: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ name: fc.stringMatching(/^[a-z0-9]{1,8}$/), version: fc.nat({ max: 0xffff }) }),
  );
}

/** A Hello from `nodeId`, announcing eth at least once unless `anyCaps`. */
export function helloArb(nodeId: Uint8Array, options: { anyCaps?: boolean } = {}): Arbitrary<Hello> {
  const caps = options.anyCaps
    ? fc.array(capabilityArb(), { maxLength: 6 })
    : fc.tuple(fc.constantFrom(66, 67, 68, 69, 70), fc.array(capabilityArb(), { maxLength: 4 })).map(([v, rest]) => [{ name: 'eth', version: v }, ...rest]);
  return fc.record({
    protocolVersion: fc.oneof(fc.constant(P2P_VERSION), fc.constantFrom(4, 5, 6, 255)),
    clientId: fc.oneof(fc.constant('devp2p-check/fuzz'), fc.string({ maxLength: 40 })),
    capabilities: caps,
    listenPort: fc.oneof(fc.constant(0), fc.nat({ max: 0xffff })),
    nodeId: fc.constant(nodeId),
    extra: fc.array(rlpItemArb(2), { maxLength: 2 }),
  });
}

export function disconnectArb(): Arbitrary<Disconnect> {
  return fc.record({ reason: fc.oneof(fc.constantFrom(...Object.values(DisconnectReason)), fc.constant(undefined), fc.nat({ max: 255 })) });
}
