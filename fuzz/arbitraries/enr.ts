/**
 * ENR content (EIP-778): seq and key/value pairs, signed later with a key the
 * case does not need to carry. Addresses are loopback only.
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { createEnr, type Enr } from '../../reference-node/wire/enr.js';
import type { PrivateKey } from '../../reference-node/wire/keys.js';
import { rlpItemArb } from './rlp.js';
import type { RlpItem } from '../../reference-node/wire/rlp.js';

export interface EnrContent {
  seq: bigint;
  ip?: string;
  tcp?: number;
  udp?: number;
  ip6?: string;
  entries: Record<string, RlpItem>;
}

export function enrContentArb(): Arbitrary<EnrContent> {
  const port = fc.nat({ max: 0xffff });
  return fc.record(
    {
      seq: fc.oneof(fc.constantFrom(0n, 1n, (1n << 64n) - 1n), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
      ip: fc.constantFrom('127.0.0.1', '127.0.0.2'),
      tcp: port,
      udp: port,
      ip6: fc.constant('::1'),
      entries: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/).filter((k) => !['id', 'secp256k1', 'ip', 'ip6', 'tcp', 'udp', 'tcp6', 'udp6', 'eth'].includes(k)), rlpItemArb(1), { maxKeys: 2 }),
    },
    { requiredKeys: ['seq', 'entries'] },
  );
}

/** Signs the content; undefined when it does not fit the 300-byte limit. */
export function signedEnr(content: EnrContent, privateKey: PrivateKey): Enr | undefined {
  try {
    return createEnr({ privateKey, seq: content.seq, ...(content.ip ? { ip: content.ip } : {}), ...(content.tcp !== undefined ? { tcp: content.tcp } : {}), ...(content.udp !== undefined ? { udp: content.udp } : {}), ...(content.ip6 ? { ip6: content.ip6 } : {}), entries: content.entries });
  } catch (err) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}
