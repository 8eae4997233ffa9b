/** Message codes (relative to the eth offset) and which versions define them. */
import type { EthMessageKind, EthVersion } from './types.js';

export const ETH_MESSAGE_CODES = {
  Status: 0x00,
  NewBlockHashes: 0x01,
  Transactions: 0x02,
  GetBlockHeaders: 0x03,
  BlockHeaders: 0x04,
  GetBlockBodies: 0x05,
  BlockBodies: 0x06,
  NewBlock: 0x07,
  NewPooledTransactionHashes: 0x08,
  GetPooledTransactions: 0x09,
  PooledTransactions: 0x0a,
  GetNodeData: 0x0d,
  NodeData: 0x0e,
  GetReceipts: 0x0f,
  Receipts: 0x10,
  BlockRangeUpdate: 0x11,
} as const satisfies Record<EthMessageKind, number>;

const KIND_BY_CODE = new Map<number, EthMessageKind>(
  Object.entries(ETH_MESSAGE_CODES).map(([kind, code]) => [code, kind as EthMessageKind]),
);

export function isEthVersion(version: number): version is EthVersion {
  return version === 66 || version === 67 || version === 68 || version === 69 || version === 70;
}

export function assertEthVersion(version: number): EthVersion {
  if (!isEthVersion(version)) throw new RangeError(`unsupported eth version ${version} (supported: 66..70)`);
  return version;
}

/** Whether `kind` exists at `version`: node data left in eth/67 (EIP-4938), BlockRangeUpdate came in eth/69. */
export function isDefinedAt(kind: EthMessageKind, version: EthVersion): boolean {
  if (kind === 'GetNodeData' || kind === 'NodeData') return version === 66;
  if (kind === 'BlockRangeUpdate') return version >= 69;
  return true;
}

/** The message kind for a code at a version, or undefined when that version does not define it. */
export function kindOfCode(version: EthVersion, code: number): EthMessageKind | undefined {
  const kind = KIND_BY_CODE.get(code);
  return kind !== undefined && isDefinedAt(kind, version) ? kind : undefined;
}

/**
 * How many message codes the capability reserves, which fixes the offsets of
 * the capabilities after it: 17 (0x00..0x10) up to eth/68, 18 from eth/69.
 * eth/67 and eth/68 keep reserving 0x0d/0x0e although they are undefined.
 */
export function ethProtocolLength(version: EthVersion): number {
  return version >= 69 ? 18 : 17;
}
