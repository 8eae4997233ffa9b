/**
 * The packet envelope (discv4.md Wire Protocol, EIP-8): hash, signature, and
 * what may follow the RLP list.
 *
 * Levels. A datagram whose hash does not match is, by the spec's own account
 * of the hash, not a discv4 packet (it "exists to make the packet format
 * recognizable when running multiple protocols on the same UDP port"): acting
 * on one breaks port sharing, so ignoring it is a MUST. A signature that
 * recovers no key names no sender, so there is no node to answer: MUST.
 * Trailing data is EIP-8's rule, MUST as in ping.ts.
 */
import { concatBytes } from '../../../reference-node/wire/bytes.js';
import { encodeRawDiscv4Packet, PACKET_TYPE } from '../../../reference-node/wire/discv4.js';
import { keccak256, signRecoverable } from '../../../reference-node/wire/keys.js';
import { encodeRlp, type RlpInput } from '../../../reference-node/wire/rlp.js';
import type { ConformanceTest } from '../../core/test.js';
import { expectIgnored, expectPong } from './checks.js';
import { UdpSim } from './udp-sim.js';

const packet = (id: string, title: string, spec: string, run: ConformanceTest['run']): ConformanceTest => ({
  id: `discv4/packet/${id}`,
  title,
  spec,
  level: 'MUST',
  requires: ['discv4'],
  timeoutMs: 10_000,
  run,
});

/** The RLP packet-data of a truthful Ping from `sim`. */
function pingData(sim: UdpSim): Uint8Array {
  const p = sim.pingPacket();
  const ep = (e: typeof p.from): RlpInput[] => [e.ip, e.udpPort, e.tcpPort];
  return encodeRlp([p.version, ep(p.from), ep(p.to), p.expiration]);
}

export const PACKET_TESTS: readonly ConformanceTest[] = [
  packet('bad-hash', 'a PING whose hash does not match its contents is ignored', 'discv4.md#wire-protocol', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    const bytes = encodeRawDiscv4Packet(PACKET_TYPE.ping, pingData(sim), sim.privateKey);
    bytes[0] = bytes[0]! ^ 0x01;
    sim.sendRaw(bytes, 'discv4:ping', 'hash with its first bit flipped; signature and data valid');
    await expectIgnored(ctx, sim, 'to a Ping with a wrong hash');
  }),

  // r = 0 is outside [1, n-1] in every secp256k1 implementation: the signature recovers no key. The hash is recomputed, so only the signature is wrong.
  packet('bad-signature', 'a PING whose signature recovers no key is ignored', 'discv4.md#wire-protocol', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    const signed = concatBytes(Uint8Array.of(PACKET_TYPE.ping), pingData(sim));
    const signature = signRecoverable(keccak256(signed), sim.privateKey);
    signature.fill(0, 0, 32);
    const body = concatBytes(signature, signed);
    sim.sendRaw(concatBytes(keccak256(body), body), 'discv4:ping', 'signature r = 0; hash valid');
    await expectIgnored(ctx, sim, 'to a Ping whose signature recovers no key');
  }),

  // EIP-8: "ignore any data after the first RLP value in any packet". The hash and signature cover the extra bytes, as they cover the whole packet.
  packet('trailing-data', 'a PING with data after its RLP list is answered (EIP-8)', 'eips/eip-8.md#specification', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    const junk = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
    const bytes = encodeRawDiscv4Packet(PACKET_TYPE.ping, concatBytes(pingData(sim), junk), sim.privateKey);
    sim.sendRaw(bytes, 'discv4:ping', '16 bytes after the RLP list, signed');
    await expectPong(ctx, sim, bytes, 'to a Ping with 16 bytes after its RLP list');
  }),

  packet('no-packet-data', 'a signed PING type byte with no packet-data is ignored', 'discv4.md#wire-protocol', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    sim.sendRaw(encodeRawDiscv4Packet(PACKET_TYPE.ping, new Uint8Array(0), sim.privateKey), 'discv4:ping', 'header and type only: no RLP list');
    await expectIgnored(ctx, sim, 'to a Ping with no packet-data');
  }),
];
