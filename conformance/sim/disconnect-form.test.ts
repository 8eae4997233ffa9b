/**
 * Reading a Disconnect in either form is unambiguous: for every reason in
 * rlpx.md's table range (0x00-0x10), in the spec's list form and in the bare
 * integer ethereumjs sends, the plain payload never inflates as snappy and the
 * compressed one never decodes as plain RLP, so "negotiated form first, then
 * the other" always finds the one form the sender used.
 */
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../../reference-node/wire/bytes.js';
import { DecodeError } from '../../reference-node/wire/errors.js';
import { encodeRlp } from '../../reference-node/wire/rlp.js';
import { snappyCompress } from '../../reference-node/wire/rlpx/snappy.js';
import { decodeDisconnectAs, readDisconnect } from './disconnect-form.js';

const REASONS = Array.from({ length: 0x11 }, (_, i) => i);
const ENCODINGS = {
  list: (r: number) => encodeRlp([r]),
  bare: (r: number) => encodeRlp(r),
} as const;

describe('Disconnect forms', () => {
  for (const [name, encode] of Object.entries(ENCODINGS)) {
    it(`every reason 0x00-0x10, ${name} encoding: each form decodes only as itself`, () => {
      for (const r of REASONS) {
        const plain = encode(r);
        const compressed = snappyCompress(plain);
        expect(decodeDisconnectAs(plain, 'plain'), `0x${r.toString(16)} plain`).toBe(r);
        expect(decodeDisconnectAs(compressed, 'snappy'), `0x${r.toString(16)} snappy`).toBe(r);
        expect(() => decodeDisconnectAs(plain, 'snappy'), `plain 0x${r.toString(16)} read as snappy`).toThrow(DecodeError);
        expect(() => decodeDisconnectAs(compressed, 'plain'), `snappy 0x${r.toString(16)} read as plain`).toThrow(DecodeError);
      }
    });

    it(`every reason 0x00-0x10, ${name} encoding: either-form reading finds the sender's form from both starting points`, () => {
      for (const r of REASONS) {
        const plain = encode(r);
        const compressed = snappyCompress(plain);
        for (const negotiated of ['plain', 'snappy'] as const) {
          expect(readDisconnect(plain, negotiated, true)).toEqual({ reason: r, form: 'plain' });
          expect(readDisconnect(compressed, negotiated, true)).toEqual({ reason: r, form: 'snappy' });
        }
        // Without the option only the negotiated form is read.
        expect(readDisconnect(plain, 'snappy', false)).toBeUndefined();
        expect(readDisconnect(compressed, 'plain', false)).toBeUndefined();
      }
    });
  }

  it('hand-written wire bytes: the bare byte ethereumjs sends, and a snappy block of [0x02]', () => {
    // 0x10 alone: an RLP integer; as snappy it declares 16 bytes and has none.
    expect(readDisconnect(hexToBytes('10'), 'snappy', true)).toEqual({ reason: 0x10, form: 'plain' });
    // varint 2, literal tag (2-1)<<2, then c1 02 = [0x02].
    expect(readDisconnect(hexToBytes('0204c102'), 'plain', true)).toEqual({ reason: 0x02, form: 'snappy' });
    // An empty list is a Disconnect without a reason, in either form.
    expect(readDisconnect(hexToBytes('c0'), 'snappy', true)).toEqual({ reason: undefined, form: 'plain' });
    expect(readDisconnect(hexToBytes('0100c0'), 'plain', true)).toEqual({ reason: undefined, form: 'snappy' });
  });

  it('bytes that are neither form stay unread', () => {
    expect(readDisconnect(hexToBytes('ffff'), 'plain', true)).toBeUndefined();
    expect(readDisconnect(hexToBytes('ffff'), 'snappy', true)).toBeUndefined();
    // A reason wider than one byte is not a Disconnect reason.
    expect(readDisconnect(hexToBytes('c3820100'), 'plain', true)).toBeUndefined();
  });
});
