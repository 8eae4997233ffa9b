import { describe, expect, it } from 'vitest';
import { canonicalIp, checkRelayIp, DistinctNetSet, isLan, isLoopback, isSpecialNetwork, parseIp } from './netutil.js';

const ip = (text: string) => parseIp(text)!;

describe('parseIp / canonicalIp', () => {
  it('folds IPv4-mapped IPv6 to the 4-byte address, keeps real IPv6 at 16', () => {
    expect(parseIp('::ffff:127.0.0.1')).toEqual(Uint8Array.of(127, 0, 0, 1));
    expect(canonicalIp('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(parseIp('::1')).toHaveLength(16);
    expect(canonicalIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
  });

  it('refuses non-literals', () => {
    expect(parseIp('localhost')).toBeUndefined();
    expect(parseIp('1.2.3')).toBeUndefined();
    expect(() => canonicalIp('example.org')).toThrow(TypeError);
  });
});

describe('address classes (geth netutil)', () => {
  it('loopback: 127.0.0.0/8 and ::1', () => {
    for (const a of ['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1']) expect(isLoopback(ip(a))).toBe(true);
    for (const a of ['128.0.0.1', '10.0.0.1', '::2']) expect(isLoopback(ip(a))).toBe(false);
  });

  it('LAN: loopback, RFC 1918, ULA, link-local', () => {
    for (const a of ['127.0.0.1', '10.1.1.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.1.1', 'fc00::1', 'fdff::1', 'fe80::1', '::1']) {
      expect(isLan(ip(a)), a).toBe(true);
    }
    for (const a of ['172.32.0.1', '8.8.8.8', '2001:4860::1', '192.169.0.1']) expect(isLan(ip(a)), a).toBe(false);
  });

  it('special networks: documentation, broadcast, multicast, "this network"', () => {
    for (const a of ['192.0.2.1', '198.51.100.7', '203.0.113.9', '255.255.255.255', '224.0.0.1', '0.1.2.3', 'ff02::1', '2001:db8::1']) {
      expect(isSpecialNetwork(ip(a)), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '127.0.0.1', '10.0.0.1']) expect(isSpecialNetwork(ip(a)), a).toBe(false);
  });
});

describe('checkRelayIp (geth CheckRelayAddr)', () => {
  it('loopback only from loopback, LAN only from LAN, special never, public always', () => {
    const lo = ip('127.0.0.1');
    const lan = ip('192.168.0.5');
    const wan = ip('8.8.4.4');
    expect(checkRelayIp(lo, ip('127.0.0.5'))).toBeUndefined();
    expect(checkRelayIp(lan, ip('127.0.0.5'))).toMatch(/loopback/);
    expect(checkRelayIp(wan, ip('127.0.0.5'))).toMatch(/loopback/);
    expect(checkRelayIp(lan, ip('10.0.0.1'))).toBeUndefined();
    expect(checkRelayIp(lo, ip('10.0.0.1'))).toBeUndefined();
    expect(checkRelayIp(wan, ip('10.0.0.1'))).toMatch(/LAN/);
    expect(checkRelayIp(lo, ip('192.0.2.1'))).toMatch(/special/);
    expect(checkRelayIp(wan, ip('1.1.1.1'))).toBeUndefined();
    expect(checkRelayIp(lo, ip('0.0.0.0'))).toMatch(/zero/);
    expect(checkRelayIp(lo, Uint8Array.of(1, 2, 3))).toMatch(/invalid/);
  });
});

describe('DistinctNetSet', () => {
  it('caps addresses per /24 and frees a slot on remove', () => {
    const s = new DistinctNetSet(24, 2);
    expect(s.add(ip('1.2.3.4'))).toBe(true);
    expect(s.add(ip('1.2.3.5'))).toBe(true);
    expect(s.add(ip('1.2.3.200'))).toBe(false);
    expect(s.add(ip('1.2.4.1'))).toBe(true);
    expect(s.size).toBe(3);
    s.remove(ip('1.2.3.4'));
    expect(s.add(ip('1.2.3.9'))).toBe(true);
    expect(s.contains(ip('1.2.3.77'))).toBe(true);
    expect(s.contains(ip('9.9.9.9'))).toBe(false);
  });

  it('keys IPv6 by the same prefix length, apart from IPv4', () => {
    const s = new DistinctNetSet(24, 1);
    expect(s.add(ip('2001:4860:4800::1'))).toBe(true);
    expect(s.add(ip('2001:48ff::1'))).toBe(false);
    expect(s.add(ip('32.1.72.1'))).toBe(true); // the same first bytes as an IPv4 address: a different set
  });
});
