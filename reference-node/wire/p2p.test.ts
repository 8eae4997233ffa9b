import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeErrorCode } from '../../test-support/decode-errors.js';
import { readSharedJson } from '../../test-support/shared.js';
import { bytesToHex, hexToBytes } from './bytes.js';
import { DecodeError } from './errors.js';
import { encodeRlp, type RlpItem } from './rlp.js';
import {
  decodeDisconnect,
  decodeHello,
  decodePing,
  decodePong,
  describeDisconnectReason,
  DisconnectReason,
  encodeDisconnect,
  encodeHello,
  encodePing,
  encodePong,
  isKnownDisconnectReason,
  negotiateCapabilities,
  P2P_MAX_MESSAGE_SIZE,
  routeMessageId,
  snappyNegotiated,
  wireMessageId,
  type Hello,
} from './p2p.js';

interface HelloVector {
  hello: {
    packet: string;
    decoded: {
      protocolVersion: number;
      clientId: string;
      capabilities: { name: string; version: number }[];
      listenPort: number;
      nodeId: string;
      extraListElementsRlp: string[];
    };
  };
}

const hex = bytesToHex;
const h = hexToBytes;

describe('Hello', () => {
  const vector = readSharedJson<HelloVector>('vectors-reference', 'p2p-hello-eip8.json').hello;

  it('decodes the EIP-8 Hello (protocolVersion 55 as the bytes say, Gotcha #1; extra elements kept)', () => {
    const hello = decodeHello(h(vector.packet));
    expect(hello.protocolVersion).toBe(vector.decoded.protocolVersion);
    expect(hello.protocolVersion).toBe(55);
    expect(hello.clientId).toBe(vector.decoded.clientId);
    expect(hello.capabilities).toEqual(vector.decoded.capabilities);
    expect(hello.listenPort).toBe(vector.decoded.listenPort);
    expect(hex(hello.nodeId)).toBe(vector.decoded.nodeId);
    expect(hello.extra.map((e) => hex(encodeRlp(e)))).toEqual(vector.decoded.extraListElementsRlp);
    // re-encoding with the extras reproduces the packet
    expect(hex(encodeHello(hello))).toBe(vector.packet);
  });

  it('is strict on the known fields', () => {
    const nodeId = new Uint8Array(64).fill(1);
    const base = (over: Partial<Record<number, RlpItem>>): Uint8Array => {
      const fields: RlpItem[] = [Uint8Array.of(5), new TextEncoder().encode('x'), [[new TextEncoder().encode('eth'), Uint8Array.of(68)]], new Uint8Array(0), nodeId];
      for (const [i, v] of Object.entries(over)) fields[Number(i)] = v!;
      return encodeRlp(fields);
    };
    expect(decodeHello(base({})).capabilities).toEqual([{ name: 'eth', version: 68 }]);
    expect(decodeErrorCode(() => decodeHello(base({ 4: new Uint8Array(63) })))).toBe('length');
    expect(decodeErrorCode(() => decodeHello(base({ 0: Uint8Array.of(0, 5) })))).toBe('rlp');
    expect(decodeErrorCode(() => decodeHello(base({ 2: [[new TextEncoder().encode('eth')]] })))).toBe('shape');
    expect(decodeErrorCode(() => decodeHello(base({ 2: [[new TextEncoder().encode('eth'), Uint8Array.of(68), Uint8Array.of(1)]] })))).toBe('shape');
    expect(decodeErrorCode(() => decodeHello(base({ 1: [] })))).toBe('shape');
    expect(decodeErrorCode(() => decodeHello(encodeRlp([5, 'x', [], 0])))).toBe('shape');
    expect(decodeErrorCode(() => decodeHello(Uint8Array.of(0xc0, 0x00)))).toBe('rlp');
  });

  it(`rejects bodies over ${P2P_MAX_MESSAGE_SIZE} bytes (geth's base protocol limit)`, () => {
    const hello: Hello = { protocolVersion: 5, clientId: 'x'.repeat(3000), capabilities: [], listenPort: 0, nodeId: new Uint8Array(64), extra: [] };
    expect(decodeErrorCode(() => decodeHello(encodeHello(hello)))).toBe('too-large');
  });
});

describe('Disconnect, Ping, Pong', () => {
  it('encodes [reason] and [] (no reason)', () => {
    expect(hex(encodeDisconnect({ reason: DisconnectReason.TooManyPeers }))).toBe('c104');
    expect(hex(encodeDisconnect({ reason: DisconnectReason.Requested }))).toBe('c180');
    expect(hex(encodeDisconnect({ reason: undefined }))).toBe('c0');
  });

  it('decodes the list form, the bare form and the empty list, as geth does', () => {
    expect(decodeDisconnect(h('c104'))).toEqual({ reason: 4 });
    expect(decodeDisconnect(h('c180'))).toEqual({ reason: 0 });
    expect(decodeDisconnect(h('c3100102'))).toEqual({ reason: 0x10 }); // extra elements ignored
    expect(decodeDisconnect(h('04'))).toEqual({ reason: 4 });
    expect(decodeDisconnect(h('80'))).toEqual({ reason: 0 });
    expect(decodeDisconnect(h('c0'))).toEqual({ reason: undefined });
    expect(decodeDisconnect(h('c10c'))).toEqual({ reason: 0x0c }); // unknown codes are kept
    expect(decodeErrorCode(() => decodeDisconnect(h('c28200')))).toBe('rlp');
    expect(decodeErrorCode(() => decodeDisconnect(h('c3820100')))).toBe('value');
    expect(decodeErrorCode(() => decodeDisconnect(h('c1c0')))).toBe('shape');
    expect(decodeErrorCode(() => decodeDisconnect(new Uint8Array(0)))).toBe('rlp');
  });

  it('names the reasons of rlpx.md', () => {
    expect(describeDisconnectReason(0x04)).toBe('too many peers (0x04)');
    expect(describeDisconnectReason(0x10)).toBe('subprotocol-specific reason (0x10)');
    expect(describeDisconnectReason(0x0c)).toBe('unknown reason (0x0c)');
    expect(describeDisconnectReason(undefined)).toBe('no reason given');
    const codes = Object.values(DisconnectReason);
    expect(codes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x10]);
    expect(codes.every(isKnownDisconnectReason)).toBe(true);
    expect(isKnownDisconnectReason(0x0f)).toBe(false);
  });

  it('Ping and Pong are empty lists; extra elements are ignored, non-lists rejected', () => {
    expect(hex(encodePing())).toBe('c0');
    expect(hex(encodePong())).toBe('c0');
    expect(decodePing(h('c0'))).toEqual({});
    expect(decodePong(h('c0'))).toEqual({});
    expect(decodePing(h('c101'))).toEqual({});
    expect(decodeErrorCode(() => decodePing(h('80')))).toBe('shape');
    expect(decodeErrorCode(() => decodePong(h('c0c0')))).toBe('rlp');
  });
});

describe('capability negotiation', () => {
  const counts = { eth: { 66: 17, 67: 17, 68: 17 }, snap: { 1: 8 }, les: { 4: 24 } };

  it('picks the highest shared version per name, alphabetically, offsets from 0x10', () => {
    const shared = negotiateCapabilities(
      [{ name: 'eth', version: 66 }, { name: 'eth', version: 68 }, { name: 'snap', version: 1 }, { name: 'les', version: 4 }],
      [{ name: 'snap', version: 1 }, { name: 'eth', version: 67 }, { name: 'eth', version: 68 }, { name: 'eth', version: 69 }, { name: 'bzz', version: 1 }],
      counts,
    );
    expect(shared).toEqual([
      { name: 'eth', version: 68, offset: 0x10, length: 17 },
      { name: 'snap', version: 1, offset: 0x21, length: 8 },
    ]);
    expect(routeMessageId(shared, 0x01)).toEqual({ protocol: 'p2p', code: 1 });
    expect(routeMessageId(shared, 0x10)).toEqual({ protocol: 'capability', capability: shared[0], code: 0 });
    expect(routeMessageId(shared, 0x20)).toEqual({ protocol: 'capability', capability: shared[0], code: 16 });
    expect(routeMessageId(shared, 0x21)).toEqual({ protocol: 'capability', capability: shared[1], code: 0 });
    expect(routeMessageId(shared, 0x29)).toBeUndefined();
    expect(wireMessageId(shared, 'snap', 7)).toBe(0x28);
    expect(() => wireMessageId(shared, 'snap', 8)).toThrowError(RangeError);
    expect(() => wireMessageId(shared, 'les', 0)).toThrowError(RangeError);
  });

  it('names are case-sensitive and ordered by code unit (uppercase first)', () => {
    const c = { Eth: { 1: 2 }, eth: { 1: 3 } };
    const caps = [{ name: 'eth', version: 1 }, { name: 'Eth', version: 1 }];
    expect(negotiateCapabilities(caps, caps, c).map((s) => [s.name, s.offset])).toEqual([
      ['Eth', 0x10],
      ['eth', 0x12],
    ]);
  });

  it('nothing shared gives no ranges; a local cap without a count is a local bug', () => {
    expect(negotiateCapabilities([{ name: 'eth', version: 68 }], [{ name: 'eth', version: 67 }], counts)).toEqual([]);
    expect(() => negotiateCapabilities([{ name: 'eth', version: 70 }], [], counts)).toThrowError(RangeError);
  });

  it('snappy needs version 5 on both sides', () => {
    expect(snappyNegotiated(5, 5)).toBe(true);
    expect(snappyNegotiated(5, 55)).toBe(true);
    expect(snappyNegotiated(5, 4)).toBe(false);
    expect(snappyNegotiated(4, 5)).toBe(false);
  });
});

describe('p2p properties', () => {
  const rlpItem: fc.Arbitrary<RlpItem> = fc.letrec<{ item: RlpItem }>((tie) => ({
    item: fc.oneof({ depthSize: 'small' }, fc.uint8Array({ maxLength: 20 }), fc.array(tie('item'), { maxLength: 3 })),
  })).item;
  const hello: fc.Arbitrary<Hello> = fc.record({
    protocolVersion: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
    clientId: fc.string({ maxLength: 40 }),
    capabilities: fc.array(fc.record({ name: fc.string({ minLength: 1, maxLength: 8 }), version: fc.integer({ min: 0, max: 1000 }) }), { maxLength: 5 }),
    listenPort: fc.integer({ min: 0, max: 65535 }),
    nodeId: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    extra: fc.array(rlpItem, { maxLength: 3 }),
  });

  it('decode(encode(x)) = x for Hello, Disconnect, Ping, Pong', () => {
    fc.assert(
      fc.property(hello, (x) => {
        expect(decodeHello(encodeHello(x))).toEqual(x);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }), (reason) => {
        expect(decodeDisconnect(encodeDisconnect({ reason }))).toEqual({ reason });
      }),
    );
    expect(decodePing(encodePing({}))).toEqual({});
    expect(decodePong(encodePong({}))).toEqual({});
  });

  it('arbitrary bytes into every decoder give a value or a DecodeError', () => {
    const input = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.array(rlpItem, { maxLength: 7 }).map((items) => encodeRlp(items)));
    fc.assert(
      fc.property(input, (bytes) => {
        for (const decode of [decodeHello, decodeDisconnect, decodePing, decodePong]) {
          try {
            decode(bytes);
          } catch (err) {
            expect(err).toBeInstanceOf(DecodeError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
