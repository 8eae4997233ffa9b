import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from './bytes.js';
import { parseEnode, formatEnode } from './enode.js';
import { DecodeError } from './errors.js';
import { publicKeyOf } from './keys.js';

// EIP-8's static key B, whose public key is printed in the EIP's discv4 section.
const pub = publicKeyOf(hexToBytes('b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291'));
const pubHex = bytesToHex(pub);

describe('enode URLs', () => {
  it('parses the IPv4 form with and without discport', () => {
    expect(parseEnode(`enode://${pubHex}@127.0.0.1:30303`)).toEqual({ publicKey: pub, ip: '127.0.0.1', tcpPort: 30303, udpPort: 30303 });
    expect(parseEnode(`enode://${pubHex}@127.0.0.1:30303?discport=30301`).udpPort).toBe(30301);
  });

  it('parses bracketed IPv6', () => {
    const node = parseEnode(`enode://${pubHex}@[::1]:1234`);
    expect(node.ip).toBe('::1');
    expect(formatEnode(node)).toBe(`enode://${pubHex}@[::1]:1234`);
  });

  it.each([
    ['wrong scheme', `enr://${pubHex}@127.0.0.1:1`, /expected enode/],
    ['short key', `enode://${pubHex.slice(2)}@127.0.0.1:1`, /128 hex digits/],
    ['off-curve key', `enode://${'11'.repeat(64)}@127.0.0.1:1`, /not a point/],
    ['hostname', `enode://${pubHex}@localhost:1`, /not an IP address literal/],
    ['bad port', `enode://${pubHex}@127.0.0.1:70000`, /above 65535/],
    ['non-numeric port', `enode://${pubHex}@127.0.0.1:ab`, /not a port number/],
    ['bad discport', `enode://${pubHex}@127.0.0.1:1?discport=x`, /not a port number/],
    ['unknown query', `enode://${pubHex}@127.0.0.1:1?foo=1`, /unknown query parameter/],
    ['missing host', `enode://${pubHex}`, /expected enode/],
  ])('rejects %s with a DecodeError naming the problem', (_label, url, message) => {
    expect(() => parseEnode(url)).toThrow(DecodeError);
    expect(() => parseEnode(url)).toThrow(message);
  });

  it('format and parse are inverse for arbitrary endpoints', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), (ip, tcpPort, udpPort) => {
        const node = { publicKey: pub, ip, tcpPort, udpPort };
        expect(parseEnode(formatEnode(node))).toEqual(node);
      }),
    );
  });

  it('arbitrary strings give a value or a DecodeError', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseEnode(`enode://${s}`);
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError);
        }
      }),
    );
  });
});
