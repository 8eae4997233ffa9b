/**
 * IP address helpers for the server's policies: the canonical form of a
 * socket's remote address, and geth's notion of a LAN address.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

// geth's netutil lan4/lan6 lists plus loopback (its IsLAN checks IsLoopback first).
const LAN = new BlockList();
LAN.addSubnet('127.0.0.0', 8, 'ipv4');
LAN.addSubnet('0.0.0.0', 8, 'ipv4');
LAN.addSubnet('10.0.0.0', 8, 'ipv4');
LAN.addSubnet('172.16.0.0', 12, 'ipv4');
LAN.addSubnet('192.168.0.0', 16, 'ipv4');
LAN.addAddress('::1', 'ipv6');
LAN.addSubnet('fe80::', 10, 'ipv6');
LAN.addSubnet('fc00::', 7, 'ipv6');

/** '::ffff:1.2.3.4' (a v4 peer on a dual-stack socket) → '1.2.3.4'; anything else unchanged. */
export function normalizeIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

/** geth's netutil.IsLAN. Unparseable input is not LAN. */
export function isLanAddress(ip: string): boolean {
  const addr = normalizeIp(ip);
  if (isIPv4(addr)) return LAN.check(addr, 'ipv4');
  if (isIPv6(addr)) return LAN.check(addr, 'ipv6');
  return false;
}
