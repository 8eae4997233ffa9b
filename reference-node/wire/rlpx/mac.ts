/**
 * The RLPx frame MAC (rlpx.md "MAC"): a running keccak256 state per direction,
 * reseeded after every header and frame with AES-256-ECB(mac-secret) of its
 * own digest. Keccak is the throughput bottleneck of the frame codec; see
 * keccak.ts for why it runs on our own WebAssembly permutation.
 */
import { timingSafeEqual } from 'node:crypto';
import { unsafe as aes } from '@noble/ciphers/aes.js';
import { KeccakState } from './keccak.js';

/**
 * A running hash whose digest can be read without ending it. The frame codec
 * takes a factory of these so a test can substitute geth's fake MAC.
 */
export interface MacHash {
  /** Must copy what it needs: callers reuse `data` buffers. */
  update(data: Uint8Array): void;
  /** The 32-byte digest of everything absorbed so far; the state keeps running. */
  digest(): Uint8Array;
}

export type MacHashFactory = (seed: Uint8Array) => MacHash;

/** A keccak256 state (Ethereum's pre-standard Keccak, not SHA3) that has absorbed `seed`. */
export const createKeccakMac: MacHashFactory = (seed) => new KeccakState().update(seed);

/** One direction's MAC: header-mac and frame-mac computation over ciphertext. */
export class FrameMac {
  // AES-256 of one block per reseed. noble's single-block primitive with a key
  // expanded once costs a third of a node:crypto ECB update() call, which
  // matters twice per frame.
  private readonly expandedKey: Uint32Array;
  private readonly block = new Uint8Array(16);

  constructor(
    macSecret: Uint8Array,
    private readonly hash: MacHash,
  ) {
    if (macSecret.length !== 32) throw new RangeError('mac-secret must be 32 bytes');
    this.expandedKey = aes.expandKeyLE(macSecret);
  }

  /** Absorbs a header ciphertext and returns its 16-byte header-mac. */
  header(headerCiphertext: Uint8Array): Uint8Array {
    return this.reseed(this.hash.digest(), headerCiphertext);
  }

  /** Absorbs a (padded) frame ciphertext and returns its 16-byte frame-mac. */
  frame(frameCiphertext: Uint8Array): Uint8Array {
    this.hash.update(frameCiphertext);
    const d = this.hash.digest();
    return this.reseed(d, d);
  }

  /** True if `mac` equals the header-mac for this header ciphertext (the state advances either way). */
  checkHeader(headerCiphertext: Uint8Array, mac: Uint8Array): boolean {
    return safeEqual(this.header(headerCiphertext), mac);
  }

  checkFrame(frameCiphertext: Uint8Array, mac: Uint8Array): boolean {
    return safeEqual(this.frame(frameCiphertext), mac);
  }

  private reseed(digest: Uint8Array, seed: Uint8Array): Uint8Array {
    const block = this.block;
    block.set(digest.subarray(0, 16));
    aes.encryptBlock(this.expandedKey, block);
    for (let i = 0; i < 16; i++) block[i]! ^= seed[i]!;
    this.hash.update(block);
    return this.hash.digest().subarray(0, 16);
  }
}

function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
