/**
 * The vector file format shared by every family (documented in vectors/README.md):
 * one JSON file per family, `$schema` pointing at the family's JSON Schema, the
 * generator version, the seed, and a list of named vectors. A vector either has
 * `expected` (the output our codecs must produce) or `error` (the DecodeError
 * code and `what` our decoders must reject it with).
 */
import { bytesToHex } from '../../reference-node/wire/bytes.js';
import { DecodeError } from '../../reference-node/wire/errors.js';

/** Bumped when a vector's meaning changes; files carry it so consumers can pin. */
export const FORMAT_VERSION = 1;
export const GENERATOR = `devp2p-check vectors/${FORMAT_VERSION}`;
export const DEFAULT_SEED = 'devp2p-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface ExpectedRejection {
  /** A DecodeErrorCode (reference-node/wire/errors.ts). */
  code: string;
  /** What was being decoded when it failed, as our decoders name it. */
  what: string;
}

export interface Vector {
  name: string;
  /** Why this vector exists; for invalid ones, the rule it breaks. */
  description: string;
  input: JsonObject;
  expected?: JsonObject;
  error?: ExpectedRejection;
}

export interface VectorFile {
  $schema: string;
  family: string;
  generator: string;
  seed: string;
  vectors: Vector[];
}

/**
 * Values to JSON: bytes as 0x-hex, bigint as a decimal string (so it never
 * looks like bytes), numbers and booleans as is, undefined fields dropped.
 */
export function toJson(value: unknown): Json {
  if (value instanceof Uint8Array) return `0x${bytesToHex(value)}`;
  if (typeof value === 'bigint') return value.toString(10);
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) out[k] = toJson(v);
    }
    return out;
  }
  throw new TypeError(`cannot put ${typeof value} into a vector`);
}

export function toJsonObject(value: unknown): JsonObject {
  const json = toJson(value);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new TypeError('expected an object');
  return json;
}

/** Key-order-independent serialization for comparing JSON values. */
export function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k]!)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function sameJson(a: Json, b: Json): boolean {
  return canonical(a) === canonical(b);
}

/** Runs a decoder that must fail; returns the rejection, or undefined if it accepted. */
export function rejectionOf(fn: () => unknown): ExpectedRejection | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof DecodeError) return { code: err.code, what: err.what };
    throw err;
  }
  return undefined;
}

/** A generator-side guard: the invalid case must fail for the reason its author meant. */
export function invalidVector(name: string, description: string, input: JsonObject, intendedCode: string, run: () => unknown): Vector {
  const error = rejectionOf(run);
  if (!error) throw new Error(`vector ${name}: our decoder accepted an input meant to be invalid`);
  if (error.code !== intendedCode) {
    throw new Error(`vector ${name}: rejected as "${error.code}" (${error.what}), meant "${intendedCode}"`);
  }
  return { name, description, input, error };
}

export function hexField(obj: JsonObject | undefined, key: string): string {
  const v = obj?.[key];
  if (typeof v !== 'string' || !/^0x(?:[0-9a-f]{2})*$/.test(v)) throw new VectorFormatError(`field "${key}" must be 0x-hex bytes`);
  return v;
}

export function stringField(obj: JsonObject | undefined, key: string): string {
  const v = obj?.[key];
  if (typeof v !== 'string') throw new VectorFormatError(`field "${key}" must be a string`);
  return v;
}

export function numberField(obj: JsonObject | undefined, key: string): number {
  const v = obj?.[key];
  if (typeof v !== 'number') throw new VectorFormatError(`field "${key}" must be a number`);
  return v;
}

/** The vector itself is malformed (missing field, wrong type): a verification failure, not a crash. */
export class VectorFormatError extends Error {
  override readonly name = 'VectorFormatError';
}
