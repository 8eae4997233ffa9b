/**
 * discv4 packets (discv4.md, EIP-8, EIP-868): every packet type signed by a
 * seeded key, with the hash and the signer's node id, and the rejections a
 * receiver applies: bad hash, bad signature, over 1280 bytes, expired,
 * unknown type, too short. Valid packets expire in 2100 and the expired ones
 * in 2006, so they keep their meaning whenever they are checked; `now` is the
 * time the vector is checked at (geth compares with its clock).
 */
import { concatBytes, equalBytes } from '../../../reference-node/wire/bytes.js';
import {
  assertNotExpired,
  decodeDiscv4Packet,
  encodeDiscv4Packet,
  encodeRawDiscv4Packet,
  type Packet,
} from '../../../reference-node/wire/discv4.js';
import { keccak256, nodeIdOf, publicKeyOf } from '../../../reference-node/wire/keys.js';
import { encodeRlp } from '../../../reference-node/wire/rlp.js';
import { createEnr, encodeEnr } from '../../../reference-node/wire/enr.js';
import { DECIMAL, HEX, obj, type Family } from '../family.js';
import { hexField, invalidVector, sameJson, stringField, toJson, type Vector } from '../format.js';
import { hex, seededBytes, seededKey, unhex } from '../keys.js';

/** 2100-01-01: valid packets stay unexpired for any plausible check time. */
export const FAR_FUTURE = 4102444800n;
/** 2006-01-01, the expiration of the EIP-8 vectors: expired at any plausible check time. */
export const LONG_PAST = 1136073600n;
/** 2026-01-01: the check time recorded in the vectors. */
export const CHECK_TIME = 1767225600n;

function decodeChecked(bytes: Uint8Array, now: bigint) {
  const decoded = decodeDiscv4Packet(bytes);
  assertNotExpired(decoded.packet, now);
  return decoded;
}

export const discv4Family: Family = {
  name: 'discv4',
  title: 'discv4 packets: every type, and the rejections',
  schema: {
    input: obj({ privateKey: HEX, now: DECIMAL, packet: { type: 'object', required: ['type'] } }),
    expected: obj({ encoded: HEX, hash: HEX, nodeId: HEX }),
    invalidInput: obj({ now: DECIMAL, encoded: HEX }),
  },

  generate(seed) {
    const key = seededKey(seed, 'discv4/sender');
    const peer = (n: number) => publicKeyOf(seededKey(seed, `discv4/peer/${n}`));
    const h = (label: string) => seededBytes(seed, `discv4/${label}`);
    const v4 = Uint8Array.of(127, 0, 0, 1);
    const v6 = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    const enr = encodeEnr(createEnr({ privateKey: key, seq: 3n, ip: '127.0.0.1', tcp: 30303, udp: 30303 }));
    const packets: [string, string, Packet][] = [
      ['ping', 'Ping v4 with EIP-868 enr-seq', { type: 'ping', version: 4n, from: { ip: v4, udpPort: 30303, tcpPort: 30303 }, to: { ip: v4, udpPort: 30304, tcpPort: 0 }, expiration: FAR_FUTURE, enrSeq: 3n }],
      ['ping-no-enr-seq', 'Ping without enr-seq (pre-EIP-868)', { type: 'ping', version: 4n, from: { ip: v4, udpPort: 30303, tcpPort: 30303 }, to: { ip: v4, udpPort: 30304, tcpPort: 0 }, expiration: FAR_FUTURE }],
      ['ping-ipv6-extra', 'Ping v555 with IPv6 endpoints and extra elements (EIP-8: ignored)', { type: 'ping', version: 555n, from: { ip: v6, udpPort: 3322, tcpPort: 5544 }, to: { ip: v6, udpPort: 2222, tcpPort: 3333 }, expiration: FAR_FUTURE, enrSeq: 1n, rest: [Uint8Array.of(0x01), [Uint8Array.of(0x02)]] }],
      ['pong', 'Pong echoing a ping hash', { type: 'pong', to: { ip: v4, udpPort: 30303, tcpPort: 30303 }, pingHash: h('ping-hash'), expiration: FAR_FUTURE, enrSeq: 3n }],
      ['findnode', 'FindNode for a target key', { type: 'findNode', target: peer(0), expiration: FAR_FUTURE }],
      ['neighbors', 'Neighbors with 12 nodes (the most that fit 1280 bytes in geth)', { type: 'neighbors', nodes: Array.from({ length: 12 }, (_, i) => ({ ip: Uint8Array.of(10, 0, 0, i + 1), udpPort: 30303 + i, tcpPort: 30303 + i, publicKey: peer(i) })), expiration: FAR_FUTURE }],
      ['neighbors-empty', 'Neighbors with no nodes', { type: 'neighbors', nodes: [], expiration: FAR_FUTURE }],
      ['enr-request', 'ENRRequest (EIP-868)', { type: 'enrRequest', expiration: FAR_FUTURE }],
      ['enr-response', 'ENRResponse carrying the sender’s record', { type: 'enrResponse', requestHash: h('request-hash'), enr }],
    ];
    const vectors: Vector[] = packets.map(([name, description, packet]) => {
      const encoded = encodeDiscv4Packet(packet, key);
      return {
        name,
        description,
        input: { privateKey: hex(key), now: CHECK_TIME.toString(), packet: toJson(packet) as never },
        expected: { encoded: hex(encoded), hash: hex(encoded.subarray(0, 32)), nodeId: hex(nodeIdOf(publicKeyOf(key))) },
      };
    });
    const ping = unhex(vectors[0]!.expected!.encoded as string);
    const rehash = (body: Uint8Array) => concatBytes(keccak256(body), body);
    const badHash = ping.slice();
    badHash[0]! ^= 0xff;
    // r = 0 is no signature; the hash is recomputed so that only the signature is wrong.
    const badSig = rehash(concatBytes(new Uint8Array(32), ping.subarray(64, 97), ping.subarray(97)));
    // A Ping followed by trailing bytes (EIP-8 tolerates trailing data, not the size limit).
    const oversize = encodeRawDiscv4Packet(0x01, concatBytes(ping.subarray(98), new Uint8Array(1200)), key);
    const expired = encodeDiscv4Packet({ ...(packets[0]![2] as Packet & { type: 'ping' }), expiration: LONG_PAST }, key);
    const expiredFindNode = encodeDiscv4Packet({ type: 'findNode', target: peer(0), expiration: LONG_PAST }, key);
    const unknownType = encodeRawDiscv4Packet(0x07, encodeRlp([FAR_FUTURE]), key);
    const invalid = (name: string, description: string, bytes: Uint8Array, code: string) =>
      invalidVector(name, description, { now: CHECK_TIME.toString(), encoded: hex(bytes) }, code, () => decodeChecked(bytes, CHECK_TIME));
    vectors.push(
      invalid('bad-hash', 'the hash does not match keccak256 of the rest', badHash, 'hash'),
      invalid('bad-signature', 'r = 0: no public key recovers (hash recomputed)', badSig, 'signature'),
      invalid('oversize', 'over the 1280-byte packet limit (validly signed)', oversize, 'too-large'),
      invalid('expired-ping', 'a Ping that expired in 2006', expired, 'expired'),
      invalid('expired-findnode', 'a FindNode that expired in 2006', expiredFindNode, 'expired'),
      invalid('unknown-type', 'type 0x07 is not a discv4 packet', unknownType, 'unknown-type'),
      invalid('too-short', 'shorter than hash, signature and type', ping.subarray(0, 97), 'length'),
    );
    return vectors;
  },

  checkValid(vector) {
    const out: string[] = [];
    const e = vector.expected!;
    const encoded = unhex(hexField(e, 'encoded'));
    const key = unhex(hexField(vector.input, 'privateKey'));
    const decoded = decodeChecked(encoded, BigInt(stringField(vector.input, 'now')));
    if (!sameJson(toJson(decoded.packet), vector.input.packet ?? null)) out.push('decoded packet differs from input.packet');
    if (!equalBytes(encodeDiscv4Packet(decoded.packet, key), encoded)) out.push('signing input.packet with privateKey gives other bytes');
    if (!equalBytes(decoded.hash, unhex(hexField(e, 'hash')))) out.push('hash differs');
    if (!equalBytes(decoded.nodeId, unhex(hexField(e, 'nodeId')))) out.push('recovered node id differs');
    if (!equalBytes(decoded.publicKey, publicKeyOf(key))) out.push('signer is not privateKey');
    return out;
  },

  decodeInvalid(vector) {
    return decodeChecked(unhex(hexField(vector.input, 'encoded')), BigInt(stringField(vector.input, 'now')));
  },
};
