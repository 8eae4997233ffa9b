/**
 * Field readers and writers shared by the transaction, block and eth codecs.
 * Readers turn an RLP item into a typed value or throw DecodeError naming the
 * field. Byte fields are copied out of the message buffer so that a value kept
 * long-term (a pooled tx, a stored header) does not pin a whole 10 MiB message.
 * Writers check what the readers check, and throw RangeError: an encoder given
 * a value its own decoder would reject is a bug in the caller, not peer input.
 */
import { asBigInt, asBytes, asFixedBytes, asList, type RlpInput, type RlpItem } from '../rlp.js';
import { DecodeError } from '../errors.js';
import type { AccessList, Address, Hash32 } from './types.js';

export const UINT64_MAX = (1n << 64n) - 1n;
export const UINT256_MAX = (1n << 256n) - 1n;

export function readBytes(item: RlpItem | undefined, what: string): Uint8Array {
  return asBytes(item, what).slice();
}

export function readFixed(item: RlpItem | undefined, what: string, length: number): Uint8Array {
  return asFixedBytes(item, what, length).slice();
}

export function readHash(item: RlpItem | undefined, what: string): Hash32 {
  return readFixed(item, what, 32);
}

export function readAddress(item: RlpItem | undefined, what: string): Address {
  return readFixed(item, what, 20);
}

/** A recipient: 20 bytes, or empty for contract creation. */
export function readTo(item: RlpItem | undefined, what: string): Address | null {
  const bytes = asBytes(item, what);
  if (bytes.length === 0) return null;
  if (bytes.length !== 20) throw new DecodeError('length', what, `expected 0 or 20 bytes, got ${bytes.length}`);
  return bytes.slice();
}

export function readU64(item: RlpItem | undefined, what: string): bigint {
  return asBigInt(item, what, 8);
}

export function readU256(item: RlpItem | undefined, what: string): bigint {
  return asBigInt(item, what, 32);
}

/** 0 or 1 encoded as an RLP scalar (0x80 / 0x01). */
export function readFlag(item: RlpItem | undefined, what: string): boolean {
  const value = asBigInt(item, what, 1);
  if (value > 1n) throw new DecodeError('value', what, `expected 0 or 1, got ${value}`);
  return value === 1n;
}

export function readList<T>(item: RlpItem | undefined, what: string, each: (el: RlpItem, what: string) => T): T[] {
  const list = asList(item, what);
  const out = new Array<T>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = each(list[i]!, `${what}[${i}]`);
  return out;
}

export function readHashList(item: RlpItem | undefined, what: string): Hash32[] {
  return readList(item, what, readHash);
}

export function readAccessList(item: RlpItem | undefined, what: string): AccessList {
  return readList(item, what, (entry, at) => {
    const list = asList(entry, at);
    if (list.length !== 2) throw new DecodeError('shape', at, `expected [address, storageKeys], got ${list.length} elements`);
    return { address: readAddress(list[0], `${at}.address`), storageKeys: readHashList(list[1], `${at}.storageKeys`) };
  });
}

// ---- writer-side checks ----

export function checkUint(value: bigint, max: bigint, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > max) {
    throw new RangeError(`${what}: ${String(value)} is not an unsigned integer up to ${max.toString(16).length * 4} bits`);
  }
  return value;
}

export const u64 = (value: bigint, what: string): bigint => checkUint(value, UINT64_MAX, what);
export const u256 = (value: bigint, what: string): bigint => checkUint(value, UINT256_MAX, what);

export function fixed(bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new RangeError(`${what}: expected ${length} bytes`);
  }
  return bytes;
}

export function bytesField(bytes: Uint8Array, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new RangeError(`${what}: expected bytes`);
  return bytes;
}

export function toField(to: Address | null, what: string): Uint8Array {
  return to === null ? new Uint8Array(0) : fixed(to, 20, what);
}

export function accessListToRlp(accessList: AccessList, what: string): RlpInput {
  return accessList.map((entry, i) => [
    fixed(entry.address, 20, `${what}[${i}].address`),
    entry.storageKeys.map((key, j) => fixed(key, 32, `${what}[${i}].storageKeys[${j}]`)),
  ]);
}
