/**
 * IP addresses as the wire carries them: raw bytes, 4 for IPv4 and 16 for IPv6
 * (discv4 endpoints, the ENR "ip"/"ip6" entries). discv4 keeps whatever bytes
 * arrived (geth decodes the field as an unconstrained byte string), so the text
 * form is only defined for those two lengths; anything else is a peer's mistake
 * that the layer above must judge. enr.ts adds its stricter rules on top.
 */
import { isIPv4, isIPv6 } from 'node:net';

export function ipToBytes(text: string): Uint8Array {
  if (isIPv4(text)) return Uint8Array.from(text.split('.').map(Number));
  if (isIPv6(text)) return ipv6ToBytes(text);
  throw new TypeError(`not an IP address literal: "${text}"`);
}

/** RFC 5952 text for 4 or 16 bytes; undefined for any other length. */
export function ipToString(bytes: Uint8Array): string | undefined {
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length === 16) return ipv6ToString(bytes);
  return undefined;
}

function ipv6ToBytes(text: string): Uint8Array {
  // A zone (fe80::1%eth0) names a local interface and has no wire form.
  const addr = text.split('%')[0]!;
  let groups: number[] = [];
  const [head = '', tail] = addr.split('::');
  const parse = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v4 = g.split('.').map(Number);
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const left = parse(head);
  if (tail === undefined) {
    groups = left;
  } else {
    const right = parse(tail);
    groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function ipv6ToString(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952: IPv4-mapped addresses keep the dotted tail.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes.subarray(12).join('.')}`;
  }
  // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
