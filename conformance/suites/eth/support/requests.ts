/** Building the block-data requests each version spells differently, and the blocks tests ask for. */
import type { EthVersion, GetReceipts, Receipts } from '../../../../reference-node/wire/eth/types.js';
import type { Hash32 } from '../../../../reference-node/wire/tx/types.js';
import type { Fixture } from '../../../fixture/fixture.js';

export function getReceipts(version: EthVersion, requestId: bigint, hashes: Hash32[], firstBlockReceiptIndex = 0n): GetReceipts {
  if (version >= 70) return { kind: 'GetReceipts', form: 'eth70', requestId, firstBlockReceiptIndex, hashes };
  return { kind: 'GetReceipts', form: 'eth66', requestId, hashes };
}

/** eth/70's flag; false for the versions that have none. */
export function lastBlockIncomplete(r: Receipts): boolean {
  return r.form === 'eth70' && r.lastBlockIncomplete;
}

/** A spread of blocks with data: the first ones, the middle, the last two. */
export function sampleBlocks(fixture: Fixture): number[] {
  const head = fixture.head.number;
  const picks = [1, 2, 3, Math.floor(head / 2), head - 1, head].filter((n) => n >= 1 && n <= head);
  return [...new Set(picks)];
}

/** Blocks 1..head: more than any server sends in one answer (1024 items / 2 MiB). */
export function allBlocks(fixture: Fixture): number[] {
  return Array.from({ length: fixture.head.number }, (_, i) => i + 1);
}

export function hashesOf(fixture: Fixture, numbers: readonly number[]): Hash32[] {
  return numbers.map((n) => fixture.hashes[n]!);
}
