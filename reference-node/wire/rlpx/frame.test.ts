import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeErrorCode } from '../../../test-support/decode-errors.js';
import { concatBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';
import {
  decodeMsgId,
  encodeMsgId,
  FrameCodec,
  FrameReader,
  FrameWriter,
  MAX_FRAME_SIZE,
  type FrameMessage,
  type FrameSecrets,
} from './frame.js';
import { snappyCompress } from './snappy.js';

function secretsPair(): [FrameSecrets, FrameSecrets] {
  const aesSecret = new Uint8Array(randomBytes(32));
  const macSecret = new Uint8Array(randomBytes(32));
  const up = new Uint8Array(randomBytes(100));
  const down = new Uint8Array(randomBytes(80));
  return [
    { aesSecret, macSecret, egressMacSeed: up, ingressMacSeed: down },
    { aesSecret, macSecret, egressMacSeed: down, ingressMacSeed: up },
  ];
}

function codecs(snappy = false): [FrameCodec, FrameCodec] {
  const [a, b] = secretsPair();
  return [new FrameCodec(a, { snappy }), new FrameCodec(b, { snappy })];
}

const message = fc.record({
  msgId: fc.oneof(fc.integer({ min: 0, max: 0x20 }), fc.integer({ min: 0, max: 2 ** 48 - 1 })),
  payload: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constant(new Uint8Array(0))),
});

describe('message ids', () => {
  it('encode as canonical RLP integers and decode back', () => {
    expect(encodeMsgId(0)).toEqual(Uint8Array.of(0x80));
    expect(encodeMsgId(0x10)).toEqual(Uint8Array.of(0x10));
    expect(encodeMsgId(0x7f)).toEqual(Uint8Array.of(0x7f));
    expect(encodeMsgId(0x80)).toEqual(Uint8Array.of(0x81, 0x80));
    expect(encodeMsgId(0x1234)).toEqual(Uint8Array.of(0x82, 0x12, 0x34));
    for (const id of [0, 1, 0x10, 0x7f, 0x80, 0xff, 0x100, 2 ** 48 - 1]) {
      expect(decodeMsgId(concatBytes(encodeMsgId(id), Uint8Array.of(0xc0)))).toEqual({
        msgId: id,
        payloadOffset: encodeMsgId(id).length,
      });
    }
    expect(() => encodeMsgId(-1)).toThrowError(RangeError);
    expect(() => encodeMsgId(2 ** 48)).toThrowError(RangeError);
  });

  it('reject non-canonical, oversized and list ids', () => {
    expect(decodeErrorCode(() => decodeMsgId(new Uint8Array(0)))).toBe('length');
    expect(decodeErrorCode(() => decodeMsgId(Uint8Array.of(0x00)))).toBe('rlp');
    expect(decodeErrorCode(() => decodeMsgId(Uint8Array.of(0x81, 0x05)))).toBe('rlp');
    expect(decodeErrorCode(() => decodeMsgId(Uint8Array.of(0x82, 0x00, 0x90)))).toBe('rlp');
    expect(decodeErrorCode(() => decodeMsgId(Uint8Array.of(0x82, 0x01)))).toBe('length');
    expect(decodeErrorCode(() => decodeMsgId(Uint8Array.of(0x87, 1, 2, 3, 4, 5, 6, 7)))).toBe('value');
    expect(decodeErrorCode(() => decodeMsgId(Uint8Array.of(0xc0)))).toBe('shape');
  });
});

describe('FrameCodec', () => {
  for (const snappy of [false, true]) {
    it(`carries messages both ways (snappy ${snappy ? 'on' : 'off'})`, () => {
      const [a, b] = codecs(snappy);
      const big = new Uint8Array(randomBytes(70_000));
      expect(b.feed(a.encodeFrame(0x10, big))).toEqual([{ msgId: 0x10, payload: big }]);
      expect(a.feed(b.encodeFrame(0x02, Uint8Array.of(0xc0)))).toEqual([{ msgId: 2, payload: Uint8Array.of(0xc0) }]);
      expect(b.feed(a.encodeFrame(0, new Uint8Array(0)))).toEqual([{ msgId: 0, payload: new Uint8Array(0) }]);
    });
  }

  it('compresses only when snappy is on, and the switch can happen between two buffered frames', () => {
    const [a, b] = codecs();
    const hello = Uint8Array.of(0xc1, 0x05);
    const status = new Uint8Array(1000).fill(1);
    const first = a.encodeFrame(0, hello);
    a.snappy = true;
    const second = a.encodeFrame(0x10, status);
    expect(second.length).toBeLessThan(200); // 1000 equal bytes compress well
    b.push(concatBytes(first, second));
    expect(b.read()).toEqual({ msgId: 0, payload: hello });
    b.snappy = true;
    expect(b.read()).toEqual({ msgId: 0x10, payload: status });
    expect(b.read()).toBeUndefined();
  });

  it('reads incrementally from chunks of any size', () => {
    const [a, b] = codecs(true);
    const msgs: FrameMessage[] = [
      { msgId: 0x11, payload: new Uint8Array(randomBytes(5000)) },
      { msgId: 0x12, payload: Uint8Array.of(1, 2, 3) },
      { msgId: 0x13, payload: new Uint8Array(40).fill(9) },
    ];
    const wire = concatBytes(...msgs.map((m) => a.encodeFrame(m.msgId, m.payload)));
    const got: FrameMessage[] = [];
    for (let i = 0; i < wire.length; ) {
      const n = 1 + ((i * 7919) % 97);
      got.push(...b.feed(wire.subarray(i, i + n)));
      expect(b.reader.buffered).toBeLessThan(5200);
      i += n;
    }
    expect(got).toEqual(msgs);
    expect(b.reader.bytesNeeded).toBe(32);
  });

  it('property: decode(encode(messages)) = messages, with and without snappy', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), fc.boolean(), (msgs, snappy) => {
        const [a, b] = codecs(snappy);
        const wire = concatBytes(...msgs.map((m) => a.encodeFrame(m.msgId, m.payload)));
        expect(b.feed(wire)).toEqual(msgs);
      }),
      { numRuns: 100 },
    );
  });

  it('property: any single bit flip in a frame is rejected with mac', () => {
    const [a] = secretsPair();
    const writer = new FrameCodec(a);
    const frame = writer.encodeFrame(0x10, new Uint8Array(50).fill(0x42));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: frame.length * 8 - 1 }), (bit) => {
        const fresh = new FrameCodec({ ...a, ingressMacSeed: a.egressMacSeed });
        const bad = frame.slice();
        bad[bit >> 3]! ^= 1 << (bit & 7);
        expect(decodeErrorCode(() => fresh.feed(bad))).toBe('mac');
      }),
      { numRuns: 300 },
    );
    // and the untouched frame is accepted by the same construction
    expect(new FrameCodec({ ...a, ingressMacSeed: a.egressMacSeed }).feed(frame)).toHaveLength(1);
  });

  it('a MAC failure ends the stream: later reads keep failing', () => {
    const [a, b] = codecs();
    const bad = a.encodeFrame(0x10, Uint8Array.of(1));
    bad[40]! ^= 1;
    expect(decodeErrorCode(() => b.feed(bad))).toBe('mac');
    expect(decodeErrorCode(() => b.feed(a.encodeFrame(0x10, Uint8Array.of(1))))).toBe('mac');
  });

  it('a bad snappy block or msg id consumes only its frame; feed returns earlier messages first', () => {
    const [a, b] = codecs(true);
    const good = a.encodeFrame(0x10, Uint8Array.of(7));
    const tooLarge = a.writer.sealParts(encodeMsgId(0x11), Uint8Array.of(0x80, 0x80, 0x80, 0x08, 0x00));
    const corrupt = a.writer.seal(Uint8Array.of(0x00, 0x01));
    const after = a.encodeFrame(0x12, Uint8Array.of(8));
    expect(b.feed(concatBytes(good, tooLarge))).toEqual([{ msgId: 0x10, payload: Uint8Array.of(7) }]);
    expect(decodeErrorCode(() => b.read())).toBe('too-large');
    expect(decodeErrorCode(() => b.feed(corrupt))).toBe('rlp');
    expect(b.feed(after)).toEqual([{ msgId: 0x12, payload: Uint8Array.of(8) }]);
  });

  it('enforces the 24-bit frame size on encode and a configurable limit on decode', () => {
    const [a, b] = secretsPair();
    const writer = new FrameWriter(a.aesSecret, a.macSecret, a.egressMacSeed);
    expect(() => writer.seal(new Uint8Array(MAX_FRAME_SIZE + 1))).toThrowError(RangeError);
    const codec = new FrameCodec(a);
    expect(() => codec.encodeFrame(0x10, new Uint8Array(MAX_FRAME_SIZE))).toThrowError(RangeError); // + 1 byte of msg id
    const limited = new FrameCodec(b, { maxFrameSize: 1000 });
    expect(decodeErrorCode(() => limited.feed(new FrameCodec(a).encodeFrame(0x10, new Uint8Array(1000))))).toBe('too-large');
  });

  it('a frame of exactly 2^24 - 1 bytes of frame-data round-trips', () => {
    const [a, b] = secretsPair();
    const writer = new FrameWriter(a.aesSecret, a.macSecret, a.egressMacSeed);
    const reader = new FrameReader(b.aesSecret, b.macSecret, b.ingressMacSeed);
    const data = new Uint8Array(MAX_FRAME_SIZE).fill(3);
    reader.push(writer.seal(data));
    expect(reader.readFrame()!.length).toBe(MAX_FRAME_SIZE);
  });

  it('uses header-data c28080 by default and accepts other header-data (ignored, as geth)', () => {
    const [a, b] = secretsPair();
    const writer = new FrameWriter(a.aesSecret, a.macSecret, a.egressMacSeed);
    const reader = new FrameReader(b.aesSecret, b.macSecret, b.ingressMacSeed);
    reader.push(writer.seal(Uint8Array.of(0x10, 0xc0), Uint8Array.of(0xc2, 0x01, 0x02)));
    expect(reader.readFrame()).toEqual(Uint8Array.of(0x10, 0xc0));
    expect(() => writer.seal(new Uint8Array(1), new Uint8Array(14))).toThrowError(RangeError);
  });

  it('sealRaw: equal to seal for a standard header; lets padding and declared sizes lie', () => {
    const [a, b] = secretsPair();
    const writer = () => new FrameWriter(a.aesSecret, a.macSecret, a.egressMacSeed);
    const header = new Uint8Array(16);
    header.set([0x00, 0x00, 0x02, 0xc2, 0x80, 0x80]);
    const body = new Uint8Array(16);
    body.set([0x10, 0xc0]);
    expect(writer().sealRaw(header, body)).toEqual(writer().seal(Uint8Array.of(0x10, 0xc0)));

    const w = writer();
    const reader = new FrameReader(b.aesSecret, b.macSecret, b.ingressMacSeed);
    reader.push(w.sealRaw(header, body.map((x, i) => (i < 2 ? x : 0xee)))); // non-zero padding is ignored, as geth does
    expect(reader.readFrame()).toEqual(Uint8Array.of(0x10, 0xc0));
    const liar = header.slice();
    liar[2] = 100; // declares 100 bytes, carries 16
    reader.push(w.sealRaw(liar, body));
    expect(reader.readFrame()).toBeUndefined();
    expect(reader.bytesNeeded).toBe(112 + 16 - 32);
  });

  it('property: arbitrary bytes into the reader give messages, undefined, or a DecodeError', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 120 }), { maxLength: 5 }), fc.boolean(), (chunks, snappy) => {
        const [, b] = codecs(snappy);
        for (const chunk of chunks) {
          try {
            b.feed(chunk);
          } catch (err) {
            expect(err).toBeInstanceOf(DecodeError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: authentic frames with arbitrary frame-data give a message or a DecodeError', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 60 }), { minLength: 1, maxLength: 4 }), fc.boolean(), (datas, snappy) => {
        const [a, b] = secretsPair();
        const writer = new FrameWriter(a.aesSecret, a.macSecret, a.egressMacSeed);
        const codec = new FrameCodec(b, { snappy });
        codec.push(concatBytes(...datas.map((d) => writer.seal(d))));
        for (let i = 0; i < datas.length; i++) {
          try {
            expect(codec.read()).toBeDefined();
          } catch (err) {
            expect(err).toBeInstanceOf(DecodeError);
          }
        }
        expect(codec.read()).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('snappy payloads inflate under the configured limit only', () => {
    const [a, b] = secretsPair();
    const writer = new FrameCodec(a, { snappy: true });
    const reader = new FrameCodec(b, { snappy: true, maxUncompressedSize: 100 });
    expect(reader.feed(writer.encodeFrame(0x10, new Uint8Array(100)))).toHaveLength(1);
    expect(decodeErrorCode(() => reader.feed(writer.encodeFrame(0x10, new Uint8Array(101))))).toBe('too-large');
    expect(snappyCompress(new Uint8Array(0))).toEqual(Uint8Array.of(0));
  });
});
