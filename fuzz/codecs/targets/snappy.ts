/**
 * Snappy payload decoding (EIP-706): our decoder (declared length checked
 * against 16 MiB − 1 before inflating) against snappyjs, the decoder
 * @ethereumjs/devp2p's Peer calls on every payload after Hello, called the way
 * it calls it (no size limit). Bombs here declare at most 64 MiB so this
 * process stays small; the frame campaign sends the big ones to a target.
 */
import fc from 'fast-check';
import snappyjs from 'snappyjs';
import { keccak256 } from '../../../reference-node/wire/keys.js';
import { bytesToHex } from '../../../reference-node/wire/bytes.js';
import { snappyDecompress } from '../../../reference-node/wire/rlpx/snappy.js';
import { byteMutationArb } from '../../arbitraries/mutations.js';
import { mutateBytes, snappyPayload, type SnappyMode } from '../../mutate/index.js';
import { decodeWith, type DiffCase, type DiffTarget } from '../differential.js';

/** Length and a hash of the first and last KiB: enough to tell outputs apart without hashing 16 MiB. */
const summary = (out: Uint8Array) => `${out.length} ${bytesToHex(keccak256(out.subarray(0, 1024))).slice(0, 16)} ${bytesToHex(keccak256(out.subarray(-1024))).slice(0, 16)}`;

const modeArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant<SnappyMode>({ mode: 'honest' }) },
  { weight: 1, arbitrary: fc.constant<SnappyMode>({ mode: 'raw' }) },
  { weight: 2, arbitrary: fc.record({ mode: fc.constant('bomb' as const), declared: fc.constantFrom(0x1000000, 0x4000000) }) },
  { weight: 2, arbitrary: fc.record({ mode: fc.constant('lie' as const), declared: fc.constantFrom(0, 1, 100, 0xffffff, 0x1000000) }) },
);

const payloadArb = fc.oneof(
  { weight: 20, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  // One byte over the limit, honestly compressed: only the declared length says it is too big.
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0x1000000)) },
);

export const snappyTarget: DiffTarget = {
  name: 'snappy',
  spec: 'EIP-706 (snappy block format; reject a declared length over 16 MiB before inflating)',
  defaultRuns: 300,
  cases: () =>
    fc.tuple(payloadArb, modeArb, fc.array(byteMutationArb(), { maxLength: 1 })).map(([payload, mode, plan]): DiffCase => ({
      bytes: mutateBytes(snappyPayload(payload, mode), plan),
      note: mode.mode,
    })),
  ours: (c) => decodeWith(() => summary(snappyDecompress(c.bytes))),
  theirs: (c) => decodeWith(() => summary(snappyjs.uncompress(c.bytes))),
};
