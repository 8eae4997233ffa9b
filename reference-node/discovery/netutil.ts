/**
 * IP address classes and the rules discovery applies to them, after geth's
 * p2p/netutil: which addresses may be relayed to whom (CheckRelayAddr), which
 * count as LAN (exempt from the table's subnet limits), and a set that caps
 * how many addresses share one subnet (DistinctNetSet).
 *
 * Addresses are handled as bytes: 4 for IPv4 (IPv4-mapped IPv6 is folded to
 * its 4 bytes, as geth unwraps 4-in-6), 16 for IPv6.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ipToBytes, ipToString } from '../wire/discv4.js';

/** The address as 4 (IPv4, also for ::ffff:a.b.c.d) or 16 bytes; undefined for anything that is not an IP literal. */
export function parseIp(text: string): Uint8Array | undefined {
  if (!isIPv4(text) && !isIPv6(text.split('%')[0]!)) return undefined;
  return canonicalIpBytes(ipToBytes(text));
}

/** Folds IPv4-mapped IPv6 to 4 bytes; other 4- or 16-byte addresses pass unchanged. */
export function canonicalIpBytes(bytes: Uint8Array): Uint8Array {
  const mapped = bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

/** The canonical text form (dotted quad for IPv4 and 4-in-6), the key the node database and table use. */
export function canonicalIp(text: string): string {
  const bytes = parseIp(text);
  if (bytes === undefined) throw new TypeError(`not an IP address literal: "${text}"`);
  return ipToString(bytes)!;
}

interface Cidr {
  base: Uint8Array;
  bits: number;
}

function cidr(text: string): Cidr {
  const [addr = '', bits = ''] = text.split('/');
  return { base: ipToBytes(addr), bits: Number(bits) };
}

function inCidr(ip: Uint8Array, net: Cidr): boolean {
  if (ip.length !== net.base.length) return false;
  return samePrefix(ip, net.base, net.bits);
}

function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const full = Math.floor(bits / 8);
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rem = bits % 8;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return (a[full]! & mask) === (b[full]! & mask);
}

// Go's net/netip classes, which geth's AddrIsLAN builds on.
const LOOPBACK = [cidr('127.0.0.0/8'), cidr('::1/128')];
const PRIVATE = [cidr('10.0.0.0/8'), cidr('172.16.0.0/12'), cidr('192.168.0.0/16'), cidr('fc00::/7')];
const LINK_LOCAL = [cidr('169.254.0.0/16'), cidr('fe80::/10')];
const MULTICAST = [cidr('224.0.0.0/4'), cidr('ff00::/8')];
// geth's special4/special6 (RFC 5735, RFC 5156, the IANA special-purpose registries).
const SPECIAL = [
  '0.0.0.0/8',
  '192.0.0.0/29',
  '192.0.0.9/32',
  '192.0.0.170/32',
  '192.0.0.171/32',
  '192.0.2.0/24',
  '192.31.196.0/24',
  '192.52.193.0/24',
  '192.88.99.0/24',
  '192.175.48.0/24',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '255.255.255.255/32',
  '100::/64',
  '2001::/32',
  '2001:1::1/128',
  '2001:2::/48',
  '2001:3::/32',
  '2001:4:112::/48',
  '2001:5::/32',
  '2001:10::/28',
  '2001:20::/28',
  '2001:db8::/32',
  '2002::/16',
].map(cidr);

const any = (ip: Uint8Array, nets: Cidr[]) => nets.some((n) => inCidr(canonicalIpBytes(ip), n));

export const isLoopback = (ip: Uint8Array): boolean => any(ip, LOOPBACK);
export const isUnspecified = (ip: Uint8Array): boolean => canonicalIpBytes(ip).every((b) => b === 0);
/** geth's AddrIsLAN: loopback, private (RFC 1918, ULA) or link-local. */
export const isLan = (ip: Uint8Array): boolean => any(ip, LOOPBACK) || any(ip, PRIVATE) || any(ip, LINK_LOCAL);
/** Broadcast, multicast, documentation and other special-use ranges: never a valid node address. */
export const isSpecialNetwork = (ip: Uint8Array): boolean => any(ip, MULTICAST) || any(ip, SPECIAL);

/**
 * Whether `addr`, learned from `sender` (a NEIGHBORS entry, an ENR from an
 * ENRResponse), is a valid place to send to. The reason when not, else
 * undefined. geth's rules: special networks never; loopback only from a
 * loopback sender; LAN only from a LAN sender. This is what stops a remote
 * host from steering us at our own loopback or LAN.
 */
export function checkRelayIp(sender: Uint8Array, addr: Uint8Array): string | undefined {
  if (addr.length !== 4 && addr.length !== 16) return 'invalid IP';
  if (isUnspecified(addr)) return 'zero address';
  if (isSpecialNetwork(addr)) return 'special network';
  if (isLoopback(addr) && !isLoopback(sender)) return 'loopback address from non-loopback host';
  if (isLan(addr) && !isLan(sender)) return 'LAN address from WAN host';
  return undefined;
}

/**
 * Counts addresses per subnet (the first `subnetBits` bits) and refuses an
 * address once its subnet holds `limit`. The table keeps one per bucket and
 * one for the whole table, so a single /24 cannot take over the table.
 */
export class DistinctNetSet {
  private readonly members = new Map<string, number>();

  constructor(
    readonly subnetBits: number,
    readonly limit: number,
  ) {}

  private key(ip: Uint8Array): string {
    const bytes = canonicalIpBytes(ip);
    const out = new Uint8Array(bytes.length);
    const full = Math.min(Math.floor(this.subnetBits / 8), bytes.length);
    out.set(bytes.subarray(0, full));
    const rem = this.subnetBits % 8;
    if (rem !== 0 && full < bytes.length) out[full] = bytes[full]! & ((0xff << (8 - rem)) & 0xff);
    return `${bytes.length}:${Buffer.from(out).toString('hex')}`;
  }

  add(ip: Uint8Array): boolean {
    const k = this.key(ip);
    const n = this.members.get(k) ?? 0;
    if (n >= this.limit) return false;
    this.members.set(k, n + 1);
    return true;
  }

  remove(ip: Uint8Array): void {
    const k = this.key(ip);
    const n = this.members.get(k);
    if (n === undefined) return;
    if (n <= 1) this.members.delete(k);
    else this.members.set(k, n - 1);
  }

  contains(ip: Uint8Array): boolean {
    return this.members.has(this.key(ip));
  }

  get size(): number {
    let n = 0;
    for (const v of this.members.values()) n += v;
    return n;
  }
}
