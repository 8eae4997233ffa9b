/** EIP-2124 fork identifier: CRC32 of the genesis hash and passed fork points, and the next fork. */
export interface ForkId {
  /** 4 bytes: IEEE CRC32 checksum, big-endian. */
  hash: Uint8Array;
  /** Block number or timestamp of the next fork, 0 if none is known. */
  next: bigint;
}
