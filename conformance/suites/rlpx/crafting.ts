/**
 * Hand-made frames and snappy blocks: what the frame codec would never
 * produce by itself (broken MACs, lying headers, valid but unusual snappy
 * encodings, a decompression bomb), plus a Hello the test writes in pieces.
 */
import { publicKeyOf } from '../../../reference-node/wire/keys.js';
import { encodeRlp } from '../../../reference-node/wire/rlp.js';
import { encodeHello, type Capability, type Hello } from '../../../reference-node/wire/p2p.js';
import { DEFAULT_HEADER_DATA } from '../../../reference-node/wire/rlpx/frame.js';
import { snappyCompress } from '../../../reference-node/wire/rlpx/snappy.js';
import { ETH_VERSIONS, type EthVersion } from '../../../reference-node/wire/eth/types.js';
import { TestSkip } from '../../core/failure.js';
import type { TargetSession } from '../../core/context.js';
import type { SimPeer } from '../../sim/sim-peer.js';

/** A copy of `bytes` with one bit flipped at `index` (negative counts from the end). */
export function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const out = bytes.slice();
  out[index < 0 ? out.length + index : index]! ^= 0x01;
  return out;
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** One snappy literal element (tag + length + bytes) for 1..2^32 bytes. */
function literal(bytes: Uint8Array): number[] {
  const n = bytes.length - 1;
  const head: number[] = [];
  if (n < 60) head.push(n << 2);
  else if (n < 0x100) head.push(60 << 2, n);
  else if (n < 0x10000) head.push(61 << 2, n & 0xff, n >>> 8);
  else if (n < 0x1000000) head.push(62 << 2, n & 0xff, (n >>> 8) & 0xff, n >>> 16);
  else head.push(63 << 2, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
  return [...head, ...bytes];
}

/**
 * A valid snappy block of `data` made of `pieces` literal elements and no
 * copies: what a compressor would never emit for short data, but what any
 * snappy decoder must read.
 */
export function snappyLiterals(data: Uint8Array, pieces: number): Uint8Array {
  const out = varint(data.length);
  const size = Math.ceil(data.length / pieces);
  for (let at = 0; at < data.length; at += size) out.push(...literal(data.subarray(at, at + size)));
  return Uint8Array.from(out);
}

/** A snappy block that declares one byte and then copies four from before the start: corrupt. */
export function corruptSnappyBlock(): Uint8Array {
  // varint 1 || copy with 1-byte offset: tag 0b000_000_01 (length 4, offset high 0), offset 5.
  return Uint8Array.of(0x01, 0x01, 0x05);
}

/**
 * A real decompression bomb: a Ping whose RLP list holds one string of
 * `contentBytes` zero bytes, snappy-compressed to about 1/21 of that. A
 * target that inflates it without checking the declared length allocates
 * all of it (and, being a valid Ping, answers it).
 */
export function pingBomb(contentBytes: number): Uint8Array {
  return snappyCompress(encodeRlp([new Uint8Array(contentBytes)]));
}

/**
 * A frame whose header declares `declaredSize` while the body carries
 * `frameData` (padded to 16): MACs are valid for what we send, so the
 * receiver can only notice from the frame MAC at the wrong offset.
 */
export function lyingFrame(peer: SimPeer, frameDataBytes: Uint8Array, declaredSize: number): Uint8Array {
  const header = new Uint8Array(16);
  header[0] = declaredSize >>> 16;
  header[1] = (declaredSize >>> 8) & 0xff;
  header[2] = declaredSize & 0xff;
  header.set(DEFAULT_HEADER_DATA, 3);
  const body = new Uint8Array(Math.ceil(frameDataBytes.length / 16) * 16);
  body.set(frameDataBytes);
  return peer.transport.codec.writer.sealRaw(header, body);
}

/** An honest Hello for `peer` whose clientId is padded until 1 + |Hello| ≡ `residue` (mod 16). */
export function helloWithFrameResidue(peer: SimPeer, caps: Capability[], residue: number): Hello {
  for (let pad = 0; pad < 64; pad++) {
    const hello: Hello = {
      protocolVersion: 5,
      clientId: `devp2p-check/sim${'-'.repeat(pad)}`,
      capabilities: caps,
      listenPort: 0,
      nodeId: publicKeyOf(peer.privateKey),
      extra: [],
    };
    if ((1 + encodeHello(hello).length) % 16 === residue) return hello;
  }
  throw new Error(`no clientId padding gives frame-data ≡ ${residue} (mod 16)`);
}

/** The highest eth version the target announced that we speak; a skip if there is none. */
export function targetEthVersion(session: TargetSession): EthVersion {
  const offered = ETH_VERSIONS.filter((v) => session.target.capabilities.has(`eth/${v}`));
  const best = offered.at(-1);
  if (best === undefined) throw new TestSkip('the target offers no eth version this suite speaks');
  return best;
}
