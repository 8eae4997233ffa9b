/**
 * Readers for the value forms geth accepts in genesis.json: quantities as JSON
 * numbers, decimal strings or 0x-hex (geth's math.HexOrDecimal64/256), bytes as
 * 0x-hex. Every reader names the JSON path of the field when it rejects a value,
 * so a user with a broken genesis file is told which line to fix.
 */
import { hexToBytes } from '../wire/bytes.js';
import { GenesisError } from './errors.js';

const MAX_UINT64 = (1n << 64n) - 1n;

/** A value as JSON, cut short: an error message should point at the field, not reprint the file. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
const MAX_UINT256 = (1n << 256n) - 1n;

function quantity(value: unknown, path: string, max: bigint, what: string): bigint {
  let n: bigint | undefined;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number') {
    // JSON.parse has already rounded an unsafe integer; refuse rather than use a wrong value.
    if (!Number.isSafeInteger(value)) {
      throw new GenesisError(path, `${value} is not a safe integer; write large values as a "0x…" or decimal string`);
    }
    n = BigInt(value);
  } else if (typeof value === 'string' && /^(?:0|[1-9]\d*|0[xX][0-9a-fA-F]+)$/.test(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^0[xX]$/.test(value)) n = 0n; // geth reads "0x" as zero
  if (n === undefined) throw new GenesisError(path, `expected ${what} (number, decimal or 0x-hex string), got ${show(value)}`);
  if (n < 0n || n > max) throw new GenesisError(path, `${n} does not fit ${what}`);
  return n;
}

export function readUint64(value: unknown, path: string): bigint {
  return quantity(value, path, MAX_UINT64, 'a uint64');
}

export function readUint256(value: unknown, path: string): bigint {
  return quantity(value, path, MAX_UINT256, 'a uint256');
}

export function readOptional<T>(obj: Record<string, unknown>, key: string, path: string, read: (v: unknown, p: string) => T): T | undefined {
  const value = obj[key];
  return value === undefined || value === null ? undefined : read(value, path ? `${path}.${key}` : key);
}

export function readHexBytes(value: unknown, path: string): Uint8Array {
  if (typeof value !== 'string' || !/^0[xX][0-9a-fA-F]*$/.test(value) || value.length % 2 !== 0) {
    throw new GenesisError(path, `expected 0x-prefixed hex with an even number of digits, got ${show(value)}`);
  }
  return hexToBytes(value);
}

export function readFixedBytes(value: unknown, path: string, length: number): Uint8Array {
  const bytes = readHexBytes(value, path);
  if (bytes.length !== length) throw new GenesisError(path, `expected ${length} bytes, got ${bytes.length}`);
  return bytes;
}

/**
 * An address key of "alloc": geth accepts it with or without 0x. Returns the
 * 20 bytes.
 */
export function readAddressKey(key: string, path: string): Uint8Array {
  const hex = key.startsWith('0x') || key.startsWith('0X') ? key : `0x${key}`;
  return readFixedBytes(hex, path, 20);
}

/**
 * A storage key or value: geth's storageJSON takes up to 32 bytes of hex and
 * left-pads it, so "0x01" is slot 1.
 */
export function readStorageWord(value: unknown, path: string): Uint8Array {
  if (typeof value !== 'string') throw new GenesisError(path, `expected a hex string, got ${show(value)}`);
  const hex = value.startsWith('0x') || value.startsWith('0X') ? value.slice(2) : value;
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length > 64) throw new GenesisError(path, `expected at most 32 bytes of hex, got ${show(value)}`);
  const out = new Uint8Array(32);
  const padded = hex.length % 2 ? `0${hex}` : hex;
  out.set(hexToBytes(padded), 32 - padded.length / 2);
  return out;
}

export function asObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GenesisError(path, `expected an object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}
