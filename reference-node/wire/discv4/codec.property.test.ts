import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { isValidPrivateKey, keccak256, publicKeyOf } from '../keys.js';
import { decodeRlp, encodeRlp, type RlpItem } from '../rlp.js';
import { decodeDiscv4Packet, encodeDiscv4Packet, encodeRawDiscv4Packet } from './codec.js';
import { MAX_NEIGHBORS } from './neighbors.js';
import type { Endpoint, Packet } from './types.js';

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const port = fc.integer({ min: 0, max: 0xffff });
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const ip = fc.oneof(
  { weight: 4, arbitrary: bytes(4) },
  { weight: 4, arbitrary: bytes(16) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }) }, // geth-lenient lengths
);
const endpoint: fc.Arbitrary<Endpoint> = fc.record({ ip, udpPort: port, tcpPort: port }, { noNullPrototype: true });
const privateKey = bytes(32).filter(isValidPrivateKey);

const rlpItem: fc.Arbitrary<RlpItem> = fc.letrec<{ item: RlpItem }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('item'), { maxLength: 4 }),
  ),
})).item;
/** Extra elements: absent rather than empty, since the decoder omits an empty rest. */
const rest = fc.option(fc.array(rlpItem, { minLength: 1, maxLength: 3 }), { nil: undefined });

/** Drops undefined optionals so a value compares equal to what the decoder builds. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const ping = fc
  .record({ version: u64, from: endpoint, to: endpoint, expiration: u64, enrSeq: fc.option(u64, { nil: undefined }), rest })
  .map((p): Packet => compact({ type: 'ping', ...p, rest: p.enrSeq === undefined ? undefined : p.rest }));
const pong = fc
  .record({ to: endpoint, pingHash: bytes(32), expiration: u64, enrSeq: fc.option(u64, { nil: undefined }), rest })
  .map((p): Packet => compact({ type: 'pong', ...p, rest: p.enrSeq === undefined ? undefined : p.rest }));
const findNode = fc.record({ target: bytes(64), expiration: u64, rest }).map((p): Packet => compact({ type: 'findNode', ...p }));
const neighbors = fc
  .record({
    nodes: fc.array(fc.record({ ip: fc.oneof(bytes(4), bytes(16)), udpPort: port, tcpPort: port, publicKey: bytes(64) }, { noNullPrototype: true }), { maxLength: MAX_NEIGHBORS }),
    expiration: u64,
    rest,
  })
  .map((p): Packet => compact({ type: 'neighbors', ...p }));
const enrRequest = fc.record({ expiration: u64, rest }).map((p): Packet => compact({ type: 'enrRequest', ...p }));
const enrResponse = fc
  .record({ requestHash: bytes(32), record: fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 2, maxLength: 8 }), rest })
  .map((p): Packet => compact({ type: 'enrResponse', requestHash: p.requestHash, enr: encodeRlp(p.record), rest: p.rest }));

const anyPacket = fc.oneof(ping, pong, findNode, neighbors, enrRequest, enrResponse);

/** Encodes, or skips the case when extra elements pushed it past 1280 bytes. */
function encodeOrSkip(packet: Packet, key: Uint8Array): Uint8Array {
  try {
    return encodeDiscv4Packet(packet, key);
  } catch (err) {
    if (err instanceof RangeError && /1280/.test(err.message)) {
      fc.pre(false);
    }
    throw err;
  }
}

function decodeOrDecodeError(input: Uint8Array): unknown {
  try {
    return decodeDiscv4Packet(input);
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err; // any other exception fails the property
  }
}

describe('discv4 codec properties', () => {
  const cases: [string, fc.Arbitrary<Packet>][] = [
    ['ping', ping],
    ['pong', pong],
    ['findNode', findNode],
    ['neighbors', neighbors],
    ['enrRequest', enrRequest],
    ['enrResponse', enrResponse],
  ];

  it.each(cases)('decode(encode(%s)) deep-equals the value, with the signer recovered', (_name, arb) => {
    fc.assert(
      fc.property(arb, privateKey, (packet, key) => {
        const encoded = encodeOrSkip(packet, key);
        const d = decodeDiscv4Packet(encoded);
        expect(d.packet).toStrictEqual(packet);
        expect(d.publicKey).toEqual(publicKeyOf(key));
        expect(d.hash).toEqual(keccak256(encoded.subarray(32)));
        expect(d.trailing.length).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('trailing bytes never change the decoded packet', () => {
    fc.assert(
      fc.property(anyPacket, fc.uint8Array({ minLength: 1, maxLength: 60 }), privateKey, (packet, junk, key) => {
        const plain = encodeOrSkip(packet, key);
        const withJunk = encodeRawDiscv4Packet(plain[97]!, new Uint8Array([...plain.subarray(98), ...junk]), key);
        fc.pre(withJunk.length <= 1280);
        const d = decodeDiscv4Packet(withJunk);
        expect(d.packet).toStrictEqual(packet);
        expect(d.trailing).toEqual(junk);
      }),
      { numRuns: 100 },
    );
  });

  it('arbitrary bytes give a packet or a DecodeError, never another exception', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1400 }), (input) => void decodeOrDecodeError(input)), { numRuns: 2000 });
  });

  it('arbitrary signed payloads (past the hash and signature checks) give a packet or a DecodeError', () => {
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      rlpItem.map((item) => encodeRlp(item)),
      fc.array(rlpItem, { maxLength: 6 }).map((items) => encodeRlp(items)),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), payload, (type, data) => {
        void decodeOrDecodeError(encodeRawDiscv4Packet(type, data, new Uint8Array(32).fill(1)));
      }),
      { numRuns: 600 },
    );
  });

  it('mutated valid packets (field values swapped for random RLP) give a packet or a DecodeError', () => {
    fc.assert(
      fc.property(anyPacket, fc.nat(), rlpItem, (packet, at, replacement) => {
        const encoded = encodeOrSkip(packet, new Uint8Array(32).fill(2));
        const list = decodeRlpList(encoded.subarray(98));
        list[at % list.length] = replacement;
        void decodeOrDecodeError(encodeRawDiscv4Packet(encoded[97]!, encodeRlp(list), new Uint8Array(32).fill(2)));
      }),
      { numRuns: 500 },
    );
  });

  it('any single bit flip in a valid packet is rejected with "hash"', () => {
    fc.assert(
      fc.property(anyPacket, fc.nat(), fc.integer({ min: 0, max: 7 }), (packet, at, bit) => {
        const encoded = encodeOrSkip(packet, new Uint8Array(32).fill(3));
        encoded[at % encoded.length]! ^= 1 << bit;
        const result = decodeOrDecodeError(encoded);
        expect(result).toBeInstanceOf(DecodeError);
        expect((result as DecodeError).code).toBe('hash');
      }),
      { numRuns: 500 },
    );
  });

  it('a bit flip after the hash, re-hashed, is rejected or recovers a different signer', () => {
    // The recoverable signature cannot "fail" for an altered message: recovery
    // just yields another key. So the guarantee is: never the original signer.
    const key = new Uint8Array(32).fill(4);
    const signer = publicKeyOf(key);
    fc.assert(
      fc.property(anyPacket, fc.nat(), fc.integer({ min: 0, max: 7 }), (packet, at, bit) => {
        const encoded = encodeOrSkip(packet, key);
        encoded[32 + (at % (encoded.length - 32))]! ^= 1 << bit;
        encoded.set(keccak256(encoded.subarray(32)), 0);
        const result = decodeOrDecodeError(encoded);
        if (result instanceof DecodeError) {
          expect(result.code).not.toBe('hash');
        } else {
          expect(equalBytes((result as { publicKey: Uint8Array }).publicKey, signer)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });
});

function decodeRlpList(data: Uint8Array): RlpItem[] {
  // Test-only: the payload of a packet we just encoded is one canonical list.
  const item = decodeDiscv4Payload(data);
  if (!Array.isArray(item)) throw new Error('payload is not a list');
  return item;
}

function decodeDiscv4Payload(data: Uint8Array): RlpItem {
  return decodeRlp(data, 'test payload');
}
