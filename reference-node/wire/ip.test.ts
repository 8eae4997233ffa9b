import fc from 'fast-check';
import { isIPv6, SocketAddress } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from './bytes.js';
import { ipToBytes, ipToString } from './ip.js';

/** WHATWG URL host serialisation is an independent RFC 5952 formatter (it prints IPv4-mapped tails in hex). */
const whatwg = (text: string) => new URL(`http://[${text}]/`).hostname.slice(1, -1);

describe('ip bytes and text', () => {
  it.each([
    ['127.0.0.1', '7f000001'],
    ['0.0.0.0', '00000000'],
    ['::1', '00000000000000000000000000000001'],
    ['::', '00000000000000000000000000000000'],
    ['2001:db8:3c4d:15::abcd:ef12', '20010db83c4d001500000000abcdef12'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '20010db885a308d313198a2e03707348'],
    ['::ffff:1.2.3.4', '00000000000000000000ffff01020304'],
    ['1::', '00010000000000000000000000000000'],
  ])('%s <-> %s', (text, hex) => {
    expect(Buffer.from(ipToBytes(text)).toString('hex')).toBe(hex);
    expect(ipToString(Uint8Array.from(Buffer.from(hex, 'hex')))).toBe(text);
  });

  it('compresses the longest zero run, the first on a tie, and never a single zero group', () => {
    expect(ipToString(ipToBytes('1:0:0:2:0:0:0:3'))).toBe('1:0:0:2::3');
    expect(ipToString(ipToBytes('1:0:0:2:3:0:0:4'))).toBe('1::2:3:0:0:4');
    expect(ipToString(ipToBytes('2001:db8:0:1:1:1:1:1'))).toBe('2001:db8:0:1:1:1:1:1');
  });

  it('reads uncompressed and embedded-IPv4 IPv6 forms', () => {
    expect(ipToBytes('0:0:0:0:0:0:0:1')).toEqual(ipToBytes('::1'));
    expect(ipToBytes('64:ff9b::192.0.2.33')).toEqual(ipToBytes('64:ff9b::c000:221'));
  });

  it.each([
    ['127.0.0.1', '7f000001'],
    ['::', '0'.repeat(32)],
    ['::ffff:1.2.3.4', '00000000000000000000ffff01020304'],
    ['fe80::1:0:0:0', 'fe800000000000000001000000000000'],
  ])('parses %s as %s', (text, hex) => {
    expect(bytesToHex(ipToBytes(text))).toBe(hex);
  });

  it.each([
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['00010000000000020000000000000003', '1:0:0:2::3'],
    ['00010000000200000000000000000003', '1:0:2::3'],
    ['00000000000000000000ffff01020304', '::ffff:1.2.3.4'],
  ])('formats %s as %s', (hex, text) => {
    expect(ipToString(hexToBytes(hex))).toBe(text);
  });

  it('drops an IPv6 zone ID: it names a local interface and has no wire form', () => {
    expect(ipToBytes('fe80::1%eth0')).toEqual(ipToBytes('fe80::1'));
  });

  it('has no text form for other lengths and rejects non-literals', () => {
    expect(ipToString(new Uint8Array(0))).toBeUndefined();
    expect(ipToString(new Uint8Array(5))).toBeUndefined();
    expect(() => ipToBytes('localhost')).toThrow(TypeError);
    expect(() => ipToBytes('1.2.3.256')).toThrow(TypeError);
  });

  it('property: any 16 bytes format as WHATWG does and parse back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean(), (bytes, sparse) => {
        // Zero runs are what RFC 5952 is about; make them common.
        const b = sparse ? bytes.map((x, i) => (x % 3 === 0 || i % 5 === 0 ? 0 : x)) : bytes;
        const text = ipToString(b)!;
        expect(isIPv6(text)).toBe(true);
        expect(ipToBytes(text)).toEqual(b);
        if (!text.startsWith('::ffff:') || text.split(':').length > 4) expect(text).toBe(whatwg(text));
      }),
      { numRuns: 500 },
    );
  });

  it('property: any 16 bytes round-trip, formatting as inet_ntop does (via node:net SocketAddress)', () => {
    const nodeFormat = (bytes: Uint8Array) => new SocketAddress({ address: ipToString(bytes)!, family: 'ipv6' }).address;
    const word = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(word, { minLength: 8, maxLength: 8 }), (words) => {
        const bytes = new Uint8Array(words.flatMap((w) => [w >> 8, w & 0xff]));
        expect(ipToBytes(ipToString(bytes)!)).toEqual(bytes);
        // inet_ntop also prints IPv4-compatible addresses (::a.b.c.d, deprecated) in mixed form; RFC 5952 does not.
        if (!bytes.subarray(0, 12).every((b) => b === 0)) expect(ipToString(bytes)).toBe(nodeFormat(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('property: any 4 bytes round-trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
        expect(ipToBytes(ipToString(b)!)).toEqual(b);
      }),
    );
  });
});
