/**
 * enode URLs: enode://<128 hex pubkey>@<ip>:<tcp port>[?discport=<udp port>].
 * We accept only IP literals (IPv4, or IPv6 in brackets). geth resolves DNS
 * names later, at dial time; a pure codec cannot, and a conformance tool should
 * not silently connect somewhere a name happens to resolve.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { bytesToHex, hexToBytes } from './bytes.js';
import { DecodeError } from './errors.js';
import { assertPublicKey, type PublicKey } from './keys.js';

export interface Enode {
  publicKey: PublicKey;
  ip: string;
  tcpPort: number;
  udpPort: number;
}

const WHAT = 'enode URL';

function parsePort(text: string, name: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new DecodeError('value', WHAT, `${name} "${text}" is not a port number`);
  const port = Number(text);
  if (port > 65535) throw new DecodeError('value', WHAT, `${name} ${port} is above 65535`);
  return port;
}

export function parseEnode(url: string): Enode {
  const m = /^enode:\/\/([^@]*)@(\[[^\]]*\]|[^:/?]*):([^?/]*)(?:\?(.*))?$/.exec(url.trim());
  if (!m) {
    throw new DecodeError('shape', WHAT, 'expected enode://<128 hex digits>@<ip>:<port>[?discport=<port>]');
  }
  const [, keyHex = '', rawHost = '', portText = '', query] = m;
  if (!/^[0-9a-fA-F]{128}$/.test(keyHex)) {
    throw new DecodeError('length', WHAT, `public key must be 128 hex digits, got ${keyHex.length} characters`);
  }
  const publicKey = assertPublicKey(hexToBytes(keyHex), `${WHAT} public key`);
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  if (rawHost.startsWith('[') ? !isIPv6(host) : !isIPv4(host)) {
    throw new DecodeError('value', WHAT, `host "${rawHost}" is not an IP address literal`);
  }
  const tcpPort = parsePort(portText, 'TCP port');
  let udpPort = tcpPort;
  if (query !== undefined && query !== '') {
    const params = new URLSearchParams(query);
    for (const key of params.keys()) {
      if (key !== 'discport') throw new DecodeError('value', WHAT, `unknown query parameter "${key}"`);
    }
    udpPort = parsePort(params.get('discport') ?? '', 'discport');
  }
  return { publicKey, ip: host, tcpPort, udpPort };
}

export function formatEnode(node: Enode): string {
  const host = isIPv6(node.ip) ? `[${node.ip}]` : node.ip;
  const disc = node.udpPort !== node.tcpPort ? `?discport=${node.udpPort}` : '';
  return `enode://${bytesToHex(node.publicKey)}@${host}:${node.tcpPort}${disc}`;
}
