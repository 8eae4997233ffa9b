/**
 * EIP-8's discv4 packets (discv4-eip8-packets.json): hash, signature, signer,
 * type, every field, the extra list elements and the trailing bytes. The
 * packets expired in 2006, so expiry is not checked here. Two of them put a
 * list in the slot EIP-868 later typed as enr-seq: we reject those by default
 * (as geth does) and read them with the pre-EIP-868 option; both are checked.
 */
import { join } from 'node:path';
import { bytesToHex } from '../../../reference-node/wire/bytes.js';
import { decodeDiscv4Packet, ipToString, PACKET_TYPE, type Endpoint, type Packet } from '../../../reference-node/wire/discv4.js';
import { encodeRlp, type RlpInput } from '../../../reference-node/wire/rlp.js';
import type { FamilyReport } from '../verify.js';
import { bytes, hexOf, Problems, readJson, rejection, runChecks, type Check } from './checks.js';

interface EndpointJson {
  ip: string;
  udpPort: number;
  tcpPort: number;
}
interface PacketJson {
  packet: string;
  packetType: number;
  hash: string;
  signature: string;
  trailingBytesAfterList: string;
  signerNodeId: string;
  decoded: {
    version?: number;
    from?: EndpointJson;
    to?: EndpointJson;
    pingHash?: string;
    target?: string;
    nodes?: (EndpointJson & { nodeId: string })[];
    expiration: number;
    extraListElementsRlp: string[];
  };
  eip868EnrSeqSlot?: { present: boolean; isInteger?: boolean };
}

const endpoint = (e: Endpoint): EndpointJson => ({ ip: ipToString(e.ip) ?? `raw:${bytesToHex(e.ip)}`, udpPort: e.udpPort, tcpPort: e.tcpPort });

/** The elements after the fixed fields, as the file lists them: the enr-seq slot (when read as one), then the rest. */
function extraElements(p: Packet): string[] {
  const seq = (p.type === 'ping' || p.type === 'pong') && p.enrSeq !== undefined ? [encodeRlp(p.enrSeq)] : [];
  return [...seq, ...(p.rest ?? []).map((r) => encodeRlp(r as RlpInput))].map(hexOf);
}

export function checkDiscv4Reference(dir: string): FamilyReport[] {
  const source = join(dir, 'discv4-eip8-packets.json');
  const file = readJson<{ packets: Record<string, PacketJson> }>(source);
  const notes: string[] = [];
  const checks = Object.entries(file.packets).map(([name, v]): [string, Check] => [
    name,
    () => {
      const p = new Problems();
      const raw = bytes(v.packet);
      const listInSlot = v.eip868EnrSeqSlot?.present === true && v.eip868EnrSeqSlot.isInteger === false;
      if (listInSlot) {
        const refused = rejection(() => decodeDiscv4Packet(raw));
        p.same('default (geth) decoding refuses the list in the enr-seq slot', refused?.code, 'shape');
      }
      const d = decodeDiscv4Packet(raw, listInSlot ? { listInEnrSeqSlot: 'ignore' } : {});
      p.same('type', PACKET_TYPE[d.packet.type], v.packetType);
      p.same('hash', hexOf(d.hash), v.hash);
      p.same('signature', hexOf(d.signature), v.signature);
      p.same('signer', hexOf(d.publicKey), v.signerNodeId);
      p.same('trailing bytes', hexOf(d.trailing), v.trailingBytesAfterList);
      p.same('extra elements', extraElements(d.packet), v.decoded.extraListElementsRlp);
      const pk = d.packet;
      if (pk.type !== 'enrResponse') p.same('expiration', pk.expiration, BigInt(v.decoded.expiration));
      if (pk.type === 'ping') {
        p.same('version', pk.version, BigInt(v.decoded.version ?? -1));
        p.same('from', endpoint(pk.from), v.decoded.from);
        p.same('to', endpoint(pk.to), v.decoded.to);
      } else if (pk.type === 'pong') {
        p.same('to', endpoint(pk.to), v.decoded.to);
        p.same('ping hash', hexOf(pk.pingHash), v.decoded.pingHash);
      } else if (pk.type === 'findNode') {
        p.same('target', hexOf(pk.target), v.decoded.target);
      } else if (pk.type === 'neighbors') {
        p.same('nodes', pk.nodes.map((n) => ({ ...endpoint(n), nodeId: hexOf(n.publicKey) })), v.decoded.nodes);
      }
      return p.list;
    },
  ]);
  for (const [name, v] of Object.entries(file.packets)) {
    if (v.eip868EnrSeqSlot?.isInteger === false) {
      notes.push(`${name}: a list in the EIP-868 enr-seq slot is implementation-defined; rejected by default (as geth), read with listInEnrSeqSlot: 'ignore'`);
    }
  }
  notes.push('all packets expired in 2006: decoded without the expiry check');
  return [runChecks('discv4', source, checks, notes)];
}
