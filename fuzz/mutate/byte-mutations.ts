/**
 * Byte-level mutation operators: bit and byte flips, truncation, extension,
 * deletion, insertion and repetition. Positions are taken modulo the input
 * length, so an operator applies to any input and shrinks toward offset 0.
 */
import { concatBytes } from '../../reference-node/wire/bytes.js';

export type ByteMutation =
  | { op: 'flip-bit'; at: number; bit: number }
  | { op: 'set-byte'; at: number; value: number }
  | { op: 'truncate'; keep: number }
  | { op: 'extend'; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'repeat'; at: number; count: number; times: number };

export type ByteMutationOp = ByteMutation['op'];

export const BYTE_MUTATION_OPS: readonly ByteMutationOp[] = ['flip-bit', 'set-byte', 'truncate', 'extend', 'delete', 'insert', 'repeat'];

const MAX_REPEAT_BYTES = 1 << 20;

export function applyByteMutation(input: Uint8Array, m: ByteMutation): Uint8Array {
  const len = input.length;
  const at = (i: number) => (len === 0 ? 0 : Math.abs(i) % len);
  switch (m.op) {
    case 'flip-bit': {
      if (len === 0) return input;
      const out = input.slice();
      out[at(m.at)]! ^= 1 << (Math.abs(m.bit) % 8);
      return out;
    }
    case 'set-byte': {
      if (len === 0) return input;
      const out = input.slice();
      out[at(m.at)] = m.value & 0xff;
      return out;
    }
    case 'truncate':
      return input.slice(0, Math.min(Math.abs(m.keep), Math.max(0, len - 1)));
    case 'extend':
      return concatBytes(input, m.bytes);
    case 'delete': {
      const i = at(m.at);
      return concatBytes(input.subarray(0, i), input.subarray(Math.min(len, i + Math.max(1, m.count))));
    }
    case 'insert': {
      const i = len === 0 ? 0 : Math.abs(m.at) % (len + 1);
      return concatBytes(input.subarray(0, i), m.bytes, input.subarray(i));
    }
    case 'repeat': {
      if (len === 0) return input;
      const i = at(m.at);
      const chunk = input.subarray(i, Math.min(len, i + Math.max(1, m.count)));
      const times = Math.min(Math.max(1, m.times), Math.floor(MAX_REPEAT_BYTES / chunk.length));
      return concatBytes(input.subarray(0, i), ...new Array<Uint8Array>(times + 1).fill(chunk), input.subarray(i + chunk.length));
    }
  }
}

export function mutateBytes(input: Uint8Array, mutations: readonly ByteMutation[]): Uint8Array {
  let out = input;
  for (const m of mutations) out = applyByteMutation(out, m);
  return out;
}

export function describeByteMutation(m: ByteMutation): string {
  switch (m.op) {
    case 'flip-bit':
      return `flip bit ${m.bit % 8} of byte ${m.at}`;
    case 'set-byte':
      return `byte ${m.at} := 0x${(m.value & 0xff).toString(16)}`;
    case 'truncate':
      return `truncate to ${m.keep} bytes`;
    case 'extend':
      return `append ${m.bytes.length} bytes`;
    case 'delete':
      return `delete ${m.count} bytes at ${m.at}`;
    case 'insert':
      return `insert ${m.bytes.length} bytes at ${m.at}`;
    case 'repeat':
      return `repeat ${m.count} bytes at ${m.at} ${m.times}x`;
  }
}
