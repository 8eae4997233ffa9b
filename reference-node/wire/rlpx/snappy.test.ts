import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { MAX_UNCOMPRESSED_SIZE, snappyCompress, snappyDecompress, snappyUncompressedLength } from './snappy.js';

// snappyjs (pure JS, pulled in by @ethereumjs/devp2p) is the independent implementation.
const snappyjs = createRequire(import.meta.url)('snappyjs') as {
  compress(data: Uint8Array): Uint8Array;
  uncompress(data: Uint8Array): Uint8Array;
};

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return (err as DecodeError).code;
  }
  return 'no error';
}

describe('snappy', () => {
  it('compresses an empty list as in the frame vector: c0 -> 01 00 c0', () => {
    // rlpx-eip8-handshake.json, frames.generatedHere…frame2_ping.note
    expect(bytesToHex(snappyCompress(Uint8Array.of(0xc0)))).toBe('0100c0');
    expect(snappyDecompress(hexToBytes('0100c0'))).toEqual(Uint8Array.of(0xc0));
  });

  it('reads the varint length header', () => {
    expect(snappyUncompressedLength(Uint8Array.of(0x00))).toBe(0);
    expect(snappyUncompressedLength(Uint8Array.of(0x7f))).toBe(127);
    expect(snappyUncompressedLength(Uint8Array.of(0x80, 0x01))).toBe(128);
    expect(snappyUncompressedLength(Uint8Array.of(0xff, 0xff, 0xff, 0x07))).toBe(MAX_UNCOMPRESSED_SIZE);
    expect(snappyUncompressedLength(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f))).toBe(0xffffffff);
    expect(codeOf(() => snappyUncompressedLength(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f)))).toBe('value');
    expect(codeOf(() => snappyUncompressedLength(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01)))).toBe('value');
    expect(codeOf(() => snappyUncompressedLength(Uint8Array.of(0x80)))).toBe('length');
    expect(codeOf(() => snappyUncompressedLength(new Uint8Array(0)))).toBe('length');
  });

  it('rejects a declared length over 16 MiB - 1 before inflating anything', () => {
    // 16 MiB declared, followed by a body far too short to be real: 'too-large', not 'value',
    // shows the header is checked first.
    expect(codeOf(() => snappyDecompress(Uint8Array.of(0x80, 0x80, 0x80, 0x08, 0x00)))).toBe('too-large');
    expect(codeOf(() => snappyDecompress(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 0x00)))).toBe('too-large');
    expect(codeOf(() => snappyDecompress(snappyCompress(new Uint8Array(100)), 99))).toBe('too-large');
  });

  it('accepts exactly 16 MiB - 1 and rejects 16 MiB of real data', () => {
    expect(snappyDecompress(snappyCompress(new Uint8Array(MAX_UNCOMPRESSED_SIZE))).length).toBe(MAX_UNCOMPRESSED_SIZE);
    expect(codeOf(() => snappyDecompress(snappyCompress(new Uint8Array(MAX_UNCOMPRESSED_SIZE + 1))))).toBe('too-large');
  });

  it('rejects corrupt blocks with DecodeError', () => {
    const good = snappyCompress(new Uint8Array(1000).fill(7));
    expect(codeOf(() => snappyDecompress(good.subarray(0, good.length - 1)))).not.toBe('no error');
    const lying = good.slice();
    lying[0] = 0x05; // declares 5 bytes, body produces more
    expect(codeOf(() => snappyDecompress(lying))).not.toBe('no error');
  });

  it('interoperates with snappyjs both ways', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 3000 }), fc.string({ maxLength: 500 }).map((s) => new TextEncoder().encode(s.repeat(5)))), (data) => {
        expect(snappyjs.uncompress(snappyCompress(data))).toEqual(data);
        expect(snappyDecompress(snappyjs.compress(data))).toEqual(data);
      }),
      { numRuns: 100 },
    );
  });

  it('property: arbitrary bytes give a value or a DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        try {
          snappyDecompress(data);
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
