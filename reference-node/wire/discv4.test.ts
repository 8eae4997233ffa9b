import { describe, expect, it } from 'vitest';
import { readSharedJson } from '../../test-support/shared.js';
import { bytesToHex, concatBytes, hexToBytes } from './bytes.js';
import {
  assertNotExpired,
  decodeDiscv4Packet,
  encodeDiscv4Packet,
  encodeRawDiscv4Packet,
  expirationAfter,
  expirationOf,
  ipToBytes,
  ipToString,
  isExpired,
  packetHash,
  type DecodedPacket,
  type Endpoint,
  type Packet,
} from './discv4.js';
import { DecodeError, type DecodeErrorCode } from './errors.js';
import { keccak256, nodeIdOf, publicKeyOf, signRecoverable } from './keys.js';
import { encodeRlp, type RlpInput } from './rlp.js';

interface EndpointJson {
  ip: string;
  udpPort: number;
  tcpPort: number;
}
interface PacketVector {
  packet: string;
  packetType: number;
  hash: string;
  signature: string;
  packetDataRlp: string;
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
  eip868EnrSeqSlot?: { present: boolean; isInteger?: boolean; enrSeq?: string; rawRlp?: string };
}
interface Vectors {
  signingKey: { privateKey: string; nodeId: string };
  packets: Record<string, PacketVector>;
}

const vectors = readSharedJson<Vectors>('vectors-reference', 'discv4-eip8-packets.json');
const signingKey = hexToBytes(vectors.signingKey.privateKey);
/** The two EIP-8 packets whose enr-seq slot holds a list (README gotcha #2). */
const LIST_IN_SEQ_SLOT = new Set(['ping_v555_extra_trailing', 'pong_extra_trailing']);
const entries = Object.entries(vectors.packets);

const OTHER_KEY = hexToBytes('45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8');

function expectDecodeError(fn: () => unknown, code: DecodeErrorCode): DecodeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).code).toBe(code);
    return err as DecodeError;
  }
  throw new Error(`expected DecodeError(${code}), but decoding succeeded`);
}

function endpointJson(e: Endpoint): EndpointJson {
  return { ip: ipToString(e.ip) ?? `raw:${bytesToHex(e.ip)}`, udpPort: e.udpPort, tcpPort: e.tcpPort };
}

/** Everything after the fixed fields, as the vector lists it: the enr-seq slot (if any) then `rest`. */
function extraElementsHex(p: Packet): string[] {
  const seq = (p.type === 'ping' || p.type === 'pong') && p.enrSeq !== undefined ? [encodeRlp(p.enrSeq)] : [];
  return [...seq, ...(p.rest ?? []).map((r) => encodeRlp(r as RlpInput))].map(bytesToHex);
}

function checkDecodedFields(name: string, v: PacketVector, d: DecodedPacket): void {
  const p = d.packet;
  expect(p.type === 'enrResponse' ? undefined : p.expiration, name).toBe(BigInt(v.decoded.expiration));
  expect(extraElementsHex(p), name).toEqual(v.decoded.extraListElementsRlp);
  switch (p.type) {
    case 'ping':
      expect(p.version).toBe(BigInt(v.decoded.version!));
      expect(endpointJson(p.from)).toEqual(v.decoded.from);
      expect(endpointJson(p.to)).toEqual(v.decoded.to);
      break;
    case 'pong':
      expect(endpointJson(p.to)).toEqual(v.decoded.to);
      expect(bytesToHex(p.pingHash)).toBe(v.decoded.pingHash);
      break;
    case 'findNode':
      expect(bytesToHex(p.target)).toBe(v.decoded.target);
      break;
    case 'neighbors':
      expect(p.nodes.map((n) => ({ ...endpointJson(n), nodeId: bytesToHex(n.publicKey) }))).toEqual(v.decoded.nodes);
      break;
    default:
      throw new Error(`${name}: unexpected type ${p.type}`);
  }
}

describe('discv4 EIP-8 vectors', () => {
  it('covers all six stored packets', () => {
    expect(entries.map(([name]) => name).sort()).toEqual(
      [
        'findnode_extra_trailing',
        'neighbours_extra_trailing',
        'ping_v4_extra',
        'ping_v4_plain_geth',
        'ping_v555_extra_trailing',
        'pong_extra_trailing',
      ].sort(),
    );
  });

  it('the signing key derives the official node id', () => {
    expect(bytesToHex(publicKeyOf(signingKey))).toBe(vectors.signingKey.nodeId);
  });

  describe.each(entries)('%s', (name, v) => {
    const bytes = hexToBytes(v.packet);
    const strictlyRejected = LIST_IN_SEQ_SLOT.has(name);

    it('lenient decode: hash, signature, signer, trailing bytes and every field', () => {
      const d = decodeDiscv4Packet(bytes, { listInEnrSeqSlot: 'ignore' });
      expect(bytesToHex(d.hash)).toBe(v.hash);
      expect(bytesToHex(d.signature)).toBe(v.signature);
      expect(bytesToHex(d.publicKey)).toBe(v.signerNodeId);
      expect(d.nodeId).toEqual(nodeIdOf(hexToBytes(v.signerNodeId)));
      expect(bytesToHex(d.trailing)).toBe(v.trailingBytesAfterList);
      checkDecodedFields(name, v, d);
    });

    if (strictlyRejected) {
      // Our choice (follows geth, see DecodeOptions.listInEnrSeqSlot): a list in the
      // EIP-868 enr-seq slot is a shape error. The error is 'shape', not 'hash' or
      // 'signature', which shows the header checks passed before the field was judged.
      it('default decode rejects the list in the enr-seq slot with "shape"', () => {
        const err = expectDecodeError(() => decodeDiscv4Packet(bytes), 'shape');
        expect(err.message).toMatch(/enr-seq.*list/);
      });

      it('lenient decode keeps the list as an extra element, enrSeq absent', () => {
        const p = decodeDiscv4Packet(bytes, { listInEnrSeqSlot: 'ignore' }).packet;
        expect(p.type === 'ping' || p.type === 'pong').toBe(true);
        expect('enrSeq' in p).toBe(false);
        expect(bytesToHex(encodeRlp(p.rest![0]! as RlpInput))).toBe(v.eip868EnrSeqSlot!.rawRlp);
      });
    } else {
      it('default (geth-like) decode gives the same result as lenient decode', () => {
        expect(decodeDiscv4Packet(bytes)).toEqual(decodeDiscv4Packet(bytes, { listInEnrSeqSlot: 'ignore' }));
      });
    }

    if (v.eip868EnrSeqSlot?.isInteger) {
      it('reads the integer enr-seq slot as enrSeq (geth expects ENRSeq=1, Rest=[02])', () => {
        const p = decodeDiscv4Packet(bytes).packet;
        expect(p.type === 'ping' && p.enrSeq).toBe(BigInt(v.eip868EnrSeqSlot!.enrSeq!));
      });
    }
    if (v.eip868EnrSeqSlot && !v.eip868EnrSeqSlot.present) {
      it('has no enr-seq', () => {
        expect('enrSeq' in decodeDiscv4Packet(bytes).packet).toBe(false);
      });
    }

    it('trailing bytes are covered by the hash: changing them is rejected', () => {
      if (v.trailingBytesAfterList === '') {
        // Appending a byte to a packet without trailing data must also break the hash.
        expectDecodeError(() => decodeDiscv4Packet(concatBytes(bytes, Uint8Array.of(0))), 'hash');
      } else {
        const changed = bytes.slice();
        changed[changed.length - 1]! ^= 1;
        expectDecodeError(() => decodeDiscv4Packet(changed), 'hash');
      }
    });

    it('re-encoding the decoded packet reproduces the packet-data RLP', () => {
      const d = decodeDiscv4Packet(bytes, { listInEnrSeqSlot: 'ignore' });
      const ours = encodeDiscv4Packet(d.packet, signingKey);
      // The official signatures used non-deterministic nonces, so only the signed payload can match.
      expect(bytesToHex(ours.subarray(97))).toBe(v.packetType.toString(16).padStart(2, '0') + v.packetDataRlp);
      expect(decodeDiscv4Packet(ours, { listInEnrSeqSlot: 'ignore' }).packet).toEqual(d.packet);
    });

    it('signing the same payload and trailing bytes with our encoder recovers the same signer', () => {
      const ours = encodeRawDiscv4Packet(v.packetType, hexToBytes(v.packetDataRlp + v.trailingBytesAfterList), signingKey);
      expect(ours.length).toBe(bytes.length);
      const d = decodeDiscv4Packet(ours, { listInEnrSeqSlot: 'ignore' });
      expect(bytesToHex(d.publicKey)).toBe(v.signerNodeId);
      expect(bytesToHex(d.trailing)).toBe(v.trailingBytesAfterList);
    });

    it('is expired now (2006) but the decoder does not care; the expiry check does', () => {
      const d = decodeDiscv4Packet(bytes, { listInEnrSeqSlot: 'ignore' });
      const now = Date.now() / 1000;
      expect(isExpired(expirationOf(d.packet)!, now)).toBe(true);
      expectDecodeError(() => assertNotExpired(d.packet, now), 'expired');
      expect(() => assertNotExpired(d.packet, 1136239445)).not.toThrow();
    });
  });
});

// ---------------------------------------------------------------- hand-built packets

const ep = (ip: string, udpPort: number, tcpPort: number): Endpoint => ({ ip: ipToBytes(ip), udpPort, tcpPort });
const EXP = 1_900_000_000n;
const samplePing: Packet = { type: 'ping', version: 4n, from: ep('127.0.0.1', 30303, 30303), to: ep('::1', 30304, 0), expiration: EXP, enrSeq: 7n };

/** Signs hand-made packet data so field errors can be reached past the hash and signature checks. */
function signed(type: number, data: RlpInput, trailing = new Uint8Array(0)): Uint8Array {
  return encodeRawDiscv4Packet(type, concatBytes(encodeRlp(data), trailing), signingKey);
}
const endpointRlp = (): RlpInput[] => [ipToBytes('127.0.0.1'), 30303, 30303];

describe('discv4 header checks', () => {
  it('hash is keccak256 of everything after it; signature covers type and data', () => {
    const bytes = encodeDiscv4Packet(samplePing, signingKey);
    expect(packetHash(bytes)).toEqual(keccak256(bytes.subarray(32)));
    const sig = signRecoverable(keccak256(bytes.subarray(97)), signingKey);
    expect(bytes.subarray(32, 97)).toEqual(sig); // RFC 6979: deterministic
    expect(bytes[97]).toBe(0x01);
  });

  it('rejects packets over 1280 bytes with "too-large", even if well signed', () => {
    const data = encodeRlp([EXP]);
    const big = encodeRawDiscv4Packet(5, concatBytes(data, new Uint8Array(1281 - 98 - data.length)), signingKey);
    expect(big.length).toBe(1281);
    expectDecodeError(() => decodeDiscv4Packet(big), 'too-large');
    const limit = encodeRawDiscv4Packet(5, concatBytes(data, new Uint8Array(1280 - 98 - data.length)), signingKey);
    expect(decodeDiscv4Packet(limit).packet).toEqual({ type: 'enrRequest', expiration: EXP });
  });

  it('rejects packets shorter than the header with "length"', () => {
    expectDecodeError(() => decodeDiscv4Packet(new Uint8Array(0)), 'length');
    expectDecodeError(() => decodeDiscv4Packet(new Uint8Array(97)), 'length');
  });

  it('rejects a wrong hash with "hash"', () => {
    const bytes = encodeDiscv4Packet(samplePing, signingKey);
    bytes[0]! ^= 0x80;
    expectDecodeError(() => decodeDiscv4Packet(bytes), 'hash');
  });

  it('rejects an unrecoverable signature with "signature"', () => {
    const bytes = encodeDiscv4Packet(samplePing, signingKey);
    const rehash = (b: Uint8Array) => (b.set(keccak256(b.subarray(32)), 0), b);
    const badV = bytes.slice();
    badV[96] = 27; // legacy v: devp2p uses recovery id 0 or 1
    expectDecodeError(() => decodeDiscv4Packet(rehash(badV)), 'signature');
    const zeroR = bytes.slice();
    zeroR.fill(0, 32, 64);
    expectDecodeError(() => decodeDiscv4Packet(rehash(zeroR)), 'signature');
  });

  it('rejects unknown packet types with "unknown-type" after checking the signature', () => {
    for (const type of [0x00, 0x07, 0xff]) {
      expectDecodeError(() => decodeDiscv4Packet(signed(type, [EXP])), 'unknown-type');
    }
  });

  it('reports malformed RLP as "rlp" and a non-list body as "shape"', () => {
    expectDecodeError(() => decodeDiscv4Packet(encodeRawDiscv4Packet(1, Uint8Array.of(0xf8), signingKey)), 'rlp');
    expectDecodeError(() => decodeDiscv4Packet(encodeRawDiscv4Packet(1, new Uint8Array(0), signingKey)), 'rlp');
    expectDecodeError(() => decodeDiscv4Packet(signed(5, EXP)), 'shape');
  });
});

describe('discv4 field checks', () => {
  it('ping needs 4 fields, pong 3, findnode 2, neighbors 2, enrrequest 1, enrresponse 2', () => {
    expectDecodeError(() => decodeDiscv4Packet(signed(1, [4, endpointRlp(), endpointRlp()])), 'shape');
    expectDecodeError(() => decodeDiscv4Packet(signed(2, [endpointRlp(), new Uint8Array(32)])), 'shape');
    expectDecodeError(() => decodeDiscv4Packet(signed(3, [new Uint8Array(64)])), 'shape');
    expectDecodeError(() => decodeDiscv4Packet(signed(4, [[]])), 'shape');
    expectDecodeError(() => decodeDiscv4Packet(signed(5, [])), 'shape');
    expectDecodeError(() => decodeDiscv4Packet(signed(6, [new Uint8Array(32)])), 'shape');
  });

  it('endpoints have exactly 3 elements (as geth: EIP-8 tolerance is for the packet list only)', () => {
    const four = [...endpointRlp(), 1];
    expectDecodeError(() => decodeDiscv4Packet(signed(1, [4, four, endpointRlp(), EXP])), 'shape');
    expectDecodeError(() => decodeDiscv4Packet(signed(1, [4, endpointRlp().slice(0, 2), endpointRlp(), EXP])), 'shape');
    expectDecodeError(() => decodeDiscv4Packet(signed(1, [4, ipToBytes('127.0.0.1'), endpointRlp(), EXP])), 'shape');
  });

  it('accepts an ip of any byte length, like geth; only 4 and 16 bytes have a text form', () => {
    for (const ip of [new Uint8Array(0), Uint8Array.of(1, 2, 3), new Uint8Array(7), new Uint8Array(32)]) {
      const p = decodeDiscv4Packet(signed(1, [4, [ip, 1, 2], endpointRlp(), EXP])).packet;
      expect(p.type === 'ping' && p.from.ip).toEqual(ip);
      expect(ipToString(ip)).toBeUndefined();
    }
    expectDecodeError(() => decodeDiscv4Packet(signed(1, [4, [[], 1, 2], endpointRlp(), EXP])), 'shape');
  });

  it('ports are canonical 16-bit integers', () => {
    const withUdp = (port: Uint8Array) => signed(1, [4, [ipToBytes('127.0.0.1'), port, 1], endpointRlp(), EXP]);
    expectDecodeError(() => decodeDiscv4Packet(withUdp(Uint8Array.of(1, 0, 0))), 'value');
    // ethereumjs writes ports as 2 fixed bytes, so ports < 256 come out as 00 xx; geth rejects the leading zero.
    expectDecodeError(() => decodeDiscv4Packet(withUdp(Uint8Array.of(0, 80))), 'rlp');
    const p = decodeDiscv4Packet(withUdp(Uint8Array.of(0xff, 0xff))).packet;
    expect(p.type === 'ping' && p.from.udpPort).toBe(65535);
    const zero = decodeDiscv4Packet(withUdp(new Uint8Array(0))).packet;
    expect(zero.type === 'ping' && zero.from.udpPort).toBe(0);
  });

  it('expiration, version and enr-seq are canonical uint64', () => {
    expectDecodeError(() => decodeDiscv4Packet(signed(5, [new Uint8Array(9).fill(1)])), 'value');
    expectDecodeError(() => decodeDiscv4Packet(signed(5, [Uint8Array.of(0, 1)])), 'rlp');
    expectDecodeError(() => decodeDiscv4Packet(signed(5, [[]])), 'shape');
    const max = (1n << 64n) - 1n;
    expect(decodeDiscv4Packet(signed(5, [max])).packet).toEqual({ type: 'enrRequest', expiration: max });
    expectDecodeError(() => decodeDiscv4Packet(signed(1, [4, endpointRlp(), endpointRlp(), EXP, Uint8Array.of(0, 1)])), 'rlp');
    expectDecodeError(() => decodeDiscv4Packet(signed(1, [new Uint8Array(9).fill(1), endpointRlp(), endpointRlp(), EXP])), 'value');
  });

  it('ping version is not validated (EIP-8)', () => {
    for (const version of [0n, 5n, 555n, (1n << 64n) - 1n]) {
      const p = decodeDiscv4Packet(signed(1, [version, endpointRlp(), endpointRlp(), EXP])).packet;
      expect(p.type === 'ping' && p.version).toBe(version);
    }
  });

  it('hashes are 32 bytes and the findnode target / node keys 64 bytes', () => {
    expectDecodeError(() => decodeDiscv4Packet(signed(2, [endpointRlp(), new Uint8Array(31), EXP])), 'length');
    expectDecodeError(() => decodeDiscv4Packet(signed(6, [new Uint8Array(33), [new Uint8Array(65), 1]])), 'length');
    expectDecodeError(() => decodeDiscv4Packet(signed(3, [new Uint8Array(65), EXP])), 'length');
    expectDecodeError(() => decodeDiscv4Packet(signed(4, [[[...endpointRlp(), new Uint8Array(63)]], EXP])), 'length');
  });

  it('neighbors nodes have exactly 4 elements and keys are not curve-checked here', () => {
    expectDecodeError(() => decodeDiscv4Packet(signed(4, [[endpointRlp()], EXP])), 'shape');
    expectDecodeError(() => decodeDiscv4Packet(signed(4, [[[...endpointRlp(), new Uint8Array(64), 1]], EXP])), 'shape');
    expectDecodeError(() => decodeDiscv4Packet(signed(4, [new Uint8Array(1), EXP])), 'shape');
    const notAPoint = new Uint8Array(64).fill(0xff);
    const p = decodeDiscv4Packet(signed(4, [[[...endpointRlp(), notAPoint]], EXP])).packet;
    expect(p.type === 'neighbors' && p.nodes[0]!.publicKey).toEqual(notAPoint);
  });

  it('the ENRResponse record must be a list and is returned as its exact encoding', () => {
    expectDecodeError(() => decodeDiscv4Packet(signed(6, [new Uint8Array(32), new Uint8Array(10)])), 'shape');
    const enr = readSharedJson<{ records: { rlp: string }[] }>('vectors-reference', 'enr.json').records[0]!;
    const record = hexToBytes(enr.rlp);
    const requestHash = keccak256(Uint8Array.of(1));
    const bytes = encodeDiscv4Packet({ type: 'enrResponse', requestHash, enr: record }, signingKey);
    // The record is embedded verbatim: the list payload is the hash item followed by the record bytes.
    expect(bytesToHex(bytes.subarray(98)).endsWith('a0' + bytesToHex(requestHash) + enr.rlp)).toBe(true);
    const p = decodeDiscv4Packet(bytes).packet;
    expect(p).toEqual({ type: 'enrResponse', requestHash, enr: record });
  });

  it('a ping without enr-seq decodes without the property; one with extra elements keeps them in rest', () => {
    const plain = decodeDiscv4Packet(signed(1, [4, endpointRlp(), endpointRlp(), EXP])).packet;
    expect(Object.keys(plain).sort()).toEqual(['expiration', 'from', 'to', 'type', 'version']);
    const extra = decodeDiscv4Packet(signed(2, [endpointRlp(), new Uint8Array(32), EXP, 9, [1, 2], 'x'])).packet;
    expect(extra).toMatchObject({ type: 'pong', enrSeq: 9n, rest: [[Uint8Array.of(1), Uint8Array.of(2)], Uint8Array.of(0x78)] });
  });

  it('reports its sender and a node id that is keccak256 of the key', () => {
    const d = decodeDiscv4Packet(encodeDiscv4Packet(samplePing, OTHER_KEY));
    expect(d.publicKey).toEqual(publicKeyOf(OTHER_KEY));
    expect(d.nodeId).toEqual(keccak256(publicKeyOf(OTHER_KEY)));
    expect(d.trailing).toEqual(new Uint8Array(0));
  });

  it('does not alias the caller buffer', () => {
    const bytes = encodeDiscv4Packet({ type: 'findNode', target: new Uint8Array(64).fill(3), expiration: EXP }, signingKey);
    const d = decodeDiscv4Packet(bytes);
    bytes.fill(0);
    expect(d.packet.type === 'findNode' && d.packet.target).toEqual(new Uint8Array(64).fill(3));
  });
});

describe('discv4 encoder guards', () => {
  it('refuses values no valid packet can hold', () => {
    expect(() => encodeDiscv4Packet({ ...samplePing, expiration: 1n << 64n }, signingKey)).toThrow(RangeError);
    expect(() => encodeDiscv4Packet({ ...samplePing, from: ep('127.0.0.1', 65536, 0) }, signingKey)).toThrow(RangeError);
    expect(() => encodeDiscv4Packet({ type: 'findNode', target: new Uint8Array(32), expiration: EXP }, signingKey)).toThrow(RangeError);
    expect(() => encodeDiscv4Packet({ type: 'enrResponse', requestHash: new Uint8Array(32), enr: Uint8Array.of(0x80) }, signingKey)).toThrow(TypeError);
  });

  it('refuses an extra byte string without enr-seq (it would decode as enr-seq) but allows the EIP-8 list shape', () => {
    const { enrSeq: _omit, ...noSeq } = samplePing as Extract<Packet, { type: 'ping' }>;
    expect(() => encodeDiscv4Packet({ ...noSeq, rest: [Uint8Array.of(5)] }, signingKey)).toThrow(TypeError);
    const eip8 = encodeDiscv4Packet({ ...noSeq, rest: [[Uint8Array.of(1)]] }, signingKey);
    expectDecodeError(() => decodeDiscv4Packet(eip8), 'shape');
    expect(decodeDiscv4Packet(eip8, { listInEnrSeqSlot: 'ignore' }).packet).toEqual({ ...noSeq, rest: [[Uint8Array.of(1)]] });
  });

  it('refuses to build a packet over 1280 bytes (encodeRawDiscv4Packet can, for fuzzing)', () => {
    const rest = [new Uint8Array(1200)];
    expect(() => encodeDiscv4Packet({ type: 'enrRequest', expiration: EXP, rest }, signingKey)).toThrow(/1280/);
    expect(encodeRawDiscv4Packet(5, encodeRlp([EXP, ...rest]), signingKey).length).toBeGreaterThan(1280);
  });
});

describe('discv4 expiration', () => {
  it('a timestamp strictly before now is expired, as in geth', () => {
    expect(isExpired(100n, 99)).toBe(false);
    expect(isExpired(100n, 100)).toBe(false);
    expect(isExpired(100n, 100.5)).toBe(true);
    expect(isExpired(100n, 101n)).toBe(true);
    expect(isExpired((1n << 64n) - 1n, Date.now() / 1000)).toBe(false);
  });

  it('expirationAfter adds the lifetime (20 s by default, as geth) to whole seconds', () => {
    expect(expirationAfter(1000.9)).toBe(1020n);
    expect(expirationAfter(1000, 60)).toBe(1060n);
  });

  it('ENRResponse has no expiration and is never expired', () => {
    const p: Packet = { type: 'enrResponse', requestHash: new Uint8Array(32), enr: encodeRlp([new Uint8Array(64), 1]) };
    expect(expirationOf(p)).toBeUndefined();
    expect(() => assertNotExpired(p, Number.MAX_SAFE_INTEGER)).not.toThrow();
  });
});
