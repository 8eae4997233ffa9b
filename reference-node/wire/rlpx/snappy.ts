/**
 * Snappy block compression for RLPx message payloads (EIP-706). The native
 * `snappy` package does the work; this module is the only place that imports
 * it, so the implementation can be swapped without touching the frame codec.
 *
 * The uncompressed length is read from the block's varint header and checked
 * against the limit *before* anything is inflated, as EIP-706 asks: a 20-byte
 * input can otherwise declare gigabytes of output.
 */
import { compressSync, uncompressSync } from 'snappy';
import { DecodeError } from '../errors.js';

/** 16 MiB − 1: the largest payload a 24-bit frame size can describe, and EIP-706's inflation limit. */
export const MAX_UNCOMPRESSED_SIZE = 0xffffff;

const WHAT = 'snappy payload';

export function snappyCompress(data: Uint8Array): Uint8Array {
  return view(compressSync(data));
}

/**
 * Reads the little-endian base-128 varint that opens every snappy block. The
 * format caps it at 2^32 − 1, so at most 5 bytes.
 */
export function snappyUncompressedLength(data: Uint8Array): number {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const b = data[i];
    if (b === undefined) throw new DecodeError('length', WHAT, 'truncated length header');
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      if (value > 0xffffffff) throw new DecodeError('value', WHAT, 'length header exceeds 2^32 - 1');
      return value;
    }
  }
  throw new DecodeError('value', WHAT, 'length header longer than 5 bytes');
}

/** Inflates one snappy block; DecodeError('too-large') if it declares more than `maxSize` bytes. */
export function snappyDecompress(data: Uint8Array, maxSize = MAX_UNCOMPRESSED_SIZE): Uint8Array {
  const declared = snappyUncompressedLength(data);
  if (declared > maxSize) {
    throw new DecodeError('too-large', WHAT, `declares ${declared} bytes uncompressed, limit is ${maxSize}`);
  }
  let out: Uint8Array;
  try {
    out = view(uncompressSync(data, { asBuffer: true }) as Buffer);
  } catch (err) {
    throw new DecodeError('value', WHAT, `corrupt snappy block: ${(err as Error).message}`);
  }
  if (out.length !== declared) {
    throw new DecodeError('length', WHAT, `declared ${declared} bytes, inflated to ${out.length}`);
  }
  return out;
}

/** A plain Uint8Array over the same memory, so Buffer does not leak out of this module. */
function view(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
