/**
 * `devp2p-check enr decode <enr:...|RLP hex>`: prints a node record as JSON.
 *
 * A record that breaks the format (size, RLP, key order, text encoding) is a
 * DecodeError: exit 2 with one line. A well-formed record is always printed,
 * with its signature verdict; the exit code is 0 when the signature is valid
 * and 1 when it is invalid or cannot be checked (unknown identity scheme), so
 * scripts can test a record without parsing the JSON.
 */
import { bytesToHex, hexToBytes } from '../../reference-node/wire/bytes.js';
import {
  decodeEnr,
  encodeEnr,
  enrEth,
  enrId,
  enrIp,
  enrIp6,
  enrNodeId,
  enrPublicKey,
  enrSecp256k1,
  enrSignatureStatus,
  enrTcp,
  enrTcp6,
  enrTextToBytes,
  enrUdp,
  enrUdp6,
  formatEnrKey,
  formatEnrText,
  ENR_TEXT_PREFIX,
  type Enr,
} from '../../reference-node/wire/enr.js';
import { DecodeError } from '../../reference-node/wire/errors.js';
import { encodeRlp } from '../../reference-node/wire/rlp.js';
import { parseArgs } from '../args.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../errors.js';

const USAGE = 'usage: enr decode <enr:...> (or the record RLP in hex); exit 0 if the signature is valid, 1 if not';

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'decode') throw new UsageError(USAGE);
  const args = parseArgs(rest, {});
  if (args.positional.length !== 1) throw new UsageError(`enr decode takes exactly one record; ${USAGE}`);
  const record = decodeEnr(recordBytes(args.positional[0]!.trim()), { verify: false });
  const report = describeEnr(record);
  console.log(JSON.stringify(report, null, 2));
  return report.signatureValid ? EXIT_OK : EXIT_FAILED;
}

function recordBytes(input: string): Uint8Array {
  if (input.startsWith(ENR_TEXT_PREFIX)) return enrTextToBytes(input);
  if (/^(0x)?([0-9a-fA-F]{2})+$/.test(input)) return hexToBytes(input);
  throw new UsageError(`expected "${ENR_TEXT_PREFIX}..." or the record's RLP in hex, got "${input.slice(0, 20)}${input.length > 20 ? '…' : ''}"`);
}

/** Absent keys are left out; byte values are lowercase hex, quantities decimal strings or numbers. */
export interface EnrReport {
  seq: string;
  id?: string;
  nodeId?: string;
  /** 64-byte uncompressed key without the 04 prefix, as everywhere in devp2p-check. */
  publicKey?: string;
  secp256k1?: string;
  ip?: string;
  tcp?: number;
  udp?: number;
  ip6?: string;
  tcp6?: number;
  udp6?: number;
  eth?: { forkHash: string; forkNext: string };
  /** Keys without a predefined meaning: the value's RLP encoding, and its bytes when it is a byte string. */
  otherKeys?: Record<string, { rlp: string; bytes?: string }>;
  /** Predefined keys whose value is malformed, with the reason. The record itself is still well-formed. */
  invalidEntries?: Record<string, string>;
  signatureValid: boolean;
  signatureStatus: 'valid' | 'invalid' | 'unverifiable';
  signatureError?: string;
  signature: string;
  size: number;
  text: string;
}

const READERS = {
  id: (r: Enr) => {
    const id = enrId(r);
    return id === undefined ? undefined : formatEnrKey(id);
  },
  secp256k1: (r: Enr) => hexOf(enrSecp256k1(r)),
  ip: enrIp,
  tcp: enrTcp,
  udp: enrUdp,
  ip6: enrIp6,
  tcp6: enrTcp6,
  udp6: enrUdp6,
  eth: (r: Enr) => {
    const id = enrEth(r);
    return id && { forkHash: bytesToHex(id.hash), forkNext: id.next.toString() };
  },
} satisfies { [K in keyof EnrReport]?: (r: Enr) => EnrReport[K] | undefined };

function hexOf(bytes: Uint8Array | undefined): string | undefined {
  return bytes && bytesToHex(bytes);
}

export function describeEnr(record: Enr): EnrReport {
  const status = enrSignatureStatus(record);
  const fields: Partial<EnrReport> = {};
  const invalid: Record<string, string> = {};
  const other: Record<string, { rlp: string; bytes?: string }> = {};
  for (const [key, read] of Object.entries(READERS)) {
    try {
      const value = read(record);
      if (value !== undefined) (fields as Record<string, unknown>)[key] = value;
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      invalid[key] = err.message;
    }
  }
  for (const { key, value } of record.pairs) {
    if (key in READERS) continue;
    const rlp = bytesToHex(encodeRlp(value));
    other[formatEnrKey(key)] = value instanceof Uint8Array ? { rlp, bytes: bytesToHex(value) } : { rlp };
  }
  const identity = optional(() => ({ nodeId: bytesToHex(enrNodeId(record)), publicKey: bytesToHex(enrPublicKey(record)) }));
  const { id, ...entries } = fields;
  return {
    seq: record.seq.toString(),
    ...(id !== undefined && { id }),
    ...identity,
    ...entries,
    ...(Object.keys(other).length > 0 && { otherKeys: other }),
    ...(Object.keys(invalid).length > 0 && { invalidEntries: invalid }),
    signatureValid: status.status === 'valid',
    signatureStatus: status.status,
    ...(status.status !== 'valid' && { signatureError: status.reason }),
    signature: bytesToHex(record.signature),
    size: encodeEnr(record).length,
    text: formatEnrText(record),
  };
}

/** A value that only exists for records we can interpret (v4 with a valid key). */
function optional<T>(compute: () => T): T | undefined {
  try {
    return compute();
  } catch (err) {
    if (err instanceof DecodeError) return undefined;
    throw err;
  }
}
