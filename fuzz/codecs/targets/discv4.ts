/**
 * discv4 packets: our decoder against @ethereumjs/devp2p's DPT message
 * decoder (the one its DPT server runs on every UDP datagram). Mutations
 * either rewrite the RLP payload and sign it again (exercising the field
 * decoders) or change the signed packet's bytes (exercising hash and
 * signature checks).
 */
import fc from 'fast-check';
import { decode as dptDecode } from '@ethereumjs/devp2p';
import { bytesToHex } from '../../../reference-node/wire/bytes.js';
import { decodeDiscv4Packet, encodeDiscv4Packet, encodeRawDiscv4Packet, PACKET_TYPE, type Packet } from '../../../reference-node/wire/discv4.js';
import { byteMutationArb, mutationPlanArb } from '../../arbitraries/mutations.js';
import { buildPacket, discv4PacketArb } from '../../arbitraries/discv4.js';
import { applyPlan, mutateBytes } from '../../mutate/index.js';
import { decodeWith, type DiffCase, type DiffTarget } from '../differential.js';
import { TEST_KEYS } from './keys.js';

/** A fixed clock, so the same seed gives the same bytes. */
const NOW = 1_800_000_000;

const THEIR_NAMES: Record<Packet['type'], string> = { ping: 'ping', pong: 'pong', findNode: 'findneighbours', neighbors: 'neighbours', enrRequest: 'enrrequest', enrResponse: 'enrresponse' };

function payloadOf(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(98);
}

export const discv4Target: DiffTarget = {
  name: 'discv4',
  spec: 'discv4.md (packet encoding, EIP-8 tolerance, EIP-868 enr-seq)',
  cases: () =>
    fc
      .tuple(discv4PacketArb(), mutationPlanArb({ big: false, maxRlp: 2, maxBytes: 0 }), fc.array(byteMutationArb(), { maxLength: 1 }), fc.boolean())
      .map(([spec, plan, bytePlan, resign]): DiffCase => {
        const packet = buildPacket(spec, NOW);
        const honest = encodeDiscv4Packet(packet, TEST_KEYS.a);
        const payload = applyPlan(payloadOf(honest), plan);
        const signed = resign || plan.rlp.length > 0 ? encodeRawDiscv4Packet(PACKET_TYPE[packet.type], payload, TEST_KEYS.a) : honest;
        return { bytes: mutateBytes(signed, bytePlan), note: packet.type };
      }),
  ours: (c) =>
    decodeWith(() => {
      const d = decodeDiscv4Packet(c.bytes);
      return `${THEIR_NAMES[d.packet.type]} ${bytesToHex(d.publicKey)}`;
    }),
  theirs: (c) =>
    decodeWith(() => {
      const d = dptDecode(c.bytes);
      return `${d.typename} ${bytesToHex(d.publicKey.subarray(1))}`;
    }),
};
