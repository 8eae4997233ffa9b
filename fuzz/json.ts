/**
 * JSON for fuzz cases and reproducers. Cases hold bytes and bigints; JSON
 * holds neither, so they are written as tagged objects ({"$bytes": "hex"},
 * {"$bigint": "decimal"}) that read back to the exact same values. A
 * reproducer must replay byte for byte, so nothing is lossy here.
 */
import { bytesToHex, hexToBytes } from '../reference-node/wire/bytes.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class ReproducerFormatError extends Error {
  override readonly name = 'ReproducerFormatError';
}

export function toJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return { $bytes: bytesToHex(value) };
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = toJson(v);
    return out;
  }
  throw new TypeError(`cannot write a ${typeof value} into a fuzz case`);
}

export function fromJson(json: Json): unknown {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return json.map(fromJson);
  const keys = Object.keys(json);
  if (keys.length === 1 && keys[0] === '$bytes') {
    const hex = json.$bytes;
    if (typeof hex !== 'string' || !/^([0-9a-f]{2})*$/i.test(hex)) throw new ReproducerFormatError(`bad $bytes value ${JSON.stringify(hex)}`);
    return hexToBytes(hex);
  }
  if (keys.length === 1 && keys[0] === '$bigint') {
    const dec = json.$bigint;
    if (typeof dec !== 'string' || !/^-?\d+$/.test(dec)) throw new ReproducerFormatError(`bad $bigint value ${JSON.stringify(dec)}`);
    return BigInt(dec);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) out[k] = fromJson(v);
  return out;
}
