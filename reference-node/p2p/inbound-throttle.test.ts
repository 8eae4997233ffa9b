import { describe, expect, it } from 'vitest';
import { InboundThrottle } from './inbound-throttle.js';
import { isLanAddress, normalizeIp } from './netutil.js';

describe('isLanAddress (geth netutil.IsLAN)', () => {
  it('counts loopback, RFC 1918, 0.0.0.0/8 and IPv6 link-local and unique-local as LAN', () => {
    for (const ip of ['127.0.0.1', '127.0.0.2', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '0.1.2.3', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.2']) {
      expect(isLanAddress(ip), ip).toBe(true);
    }
  });

  it('counts public and other special addresses as not LAN', () => {
    for (const ip of ['8.8.8.8', '172.32.0.1', '172.15.255.255', '169.254.1.1', '100.64.0.1', '2001:db8::1', 'not an ip', '']) {
      expect(isLanAddress(ip), ip).toBe(false);
    }
  });

  it('unwraps IPv4-mapped IPv6 addresses', () => {
    expect(normalizeIp('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(normalizeIp('::1')).toBe('::1');
  });
});

describe('InboundThrottle', () => {
  it('refuses an IP within the window, admits it after, and does not extend the window on a refusal', () => {
    let now = 0;
    const t = new InboundThrottle({ windowMs: 30_000, throttleLan: false, now: () => now });
    expect(t.admit('8.8.8.8')).toBe(true);
    now = 20_000;
    expect(t.admit('8.8.8.8')).toBe(false);
    expect(t.admit('8.8.4.4')).toBe(true);
    now = 30_001;
    expect(t.admit('8.8.8.8')).toBe(true);
    // Expired entries are dropped: only the two fresh ones remain.
    expect(t.size).toBe(2);
  });

  it('exempts LAN addresses unless throttleLan is set', () => {
    const exempt = new InboundThrottle({ windowMs: 30_000, throttleLan: false, now: () => 0 });
    expect([exempt.admit('127.0.0.2'), exempt.admit('127.0.0.2'), exempt.admit('::ffff:127.0.0.2')]).toEqual([true, true, true]);
    const strict = new InboundThrottle({ windowMs: 30_000, throttleLan: true, now: () => 0 });
    expect([strict.admit('127.0.0.2'), strict.admit('::ffff:127.0.0.2')]).toEqual([true, false]);
  });

  it('does nothing with a zero window', () => {
    const off = new InboundThrottle({ windowMs: 0, throttleLan: true, now: () => 0 });
    expect([off.admit('8.8.8.8'), off.admit('8.8.8.8')]).toEqual([true, true]);
  });
});
