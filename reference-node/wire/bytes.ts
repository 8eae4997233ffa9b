/** Small byte helpers. Bytes are Uint8Array everywhere; Buffer never leaks out of a module. */

const HEX_RE = /^[0-9a-fA-F]*$/;

export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (clean.length % 2 !== 0 || !HEX_RE.test(clean)) {
    throw new TypeError(`invalid hex string: ${hex.length > 40 ? hex.slice(0, 40) + '…' : hex}`);
  }
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new RangeError('xor of unequal lengths');
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Minimal big-endian encoding of a non-negative integer: 0 encodes as empty bytes (RLP scalar form). */
export function uintToBytes(value: bigint | number): Uint8Array {
  let v = BigInt(value);
  if (v < 0n) throw new RangeError(`negative integer ${v}`);
  if (v === 0n) return new Uint8Array(0);
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return hexToBytes(hex);
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + bytesToHex(bytes));
}

/** Fixed-width big-endian encoding, e.g. 32-byte scalars. */
export function bigIntToFixed(value: bigint, width: number): Uint8Array {
  const raw = uintToBytes(value);
  if (raw.length > width) throw new RangeError(`integer does not fit in ${width} bytes`);
  const out = new Uint8Array(width);
  out.set(raw, width - raw.length);
  return out;
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
