/**
 * Deterministic randomness per test: keys and bytes come from
 * keccak256(seed, test id, counter), so a test gets the same keys in a full
 * run, in a `--run` subset and in any order, and `--seed` reproduces a run.
 */
import { concatBytes, utf8 } from '../../reference-node/wire/bytes.js';
import { isValidPrivateKey, keccak256, type PrivateKey } from '../../reference-node/wire/keys.js';

export class SeededSource {
  private counter = 0;

  constructor(
    readonly seed: string,
    readonly scope: string,
  ) {}

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let at = 0; at < length; at += 32) {
      const block = keccak256(concatBytes(utf8(this.seed), Uint8Array.of(0), utf8(this.scope), Uint8Array.of(0), utf8(String(this.counter++))));
      out.set(block.subarray(0, Math.min(32, length - at)), at);
    }
    return out;
  }

  privateKey(): PrivateKey {
    for (;;) {
      const key = this.bytes(32);
      if (isValidPrivateKey(key)) return key;
    }
  }

  /** An integer in [0, n). */
  int(n: number): number {
    const b = this.bytes(6);
    const v = b.reduce((acc, x) => acc * 256 + x, 0);
    return v % n;
  }
}
