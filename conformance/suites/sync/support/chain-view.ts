/**
 * The chain one simulated peer claims to hold: the fixture cut at block
 * `upTo`, optionally extended by blocks the test made (a new block for the
 * broadcast tests). Sync tests give their sims short chains so that a fresh
 * target has little to import; the Status such a sim sends names the view's
 * head, not the fixture's.
 */
import { blockHash, type Block, type BlockHeader } from '../../../../reference-node/wire/block.js';
import { bytesToHex } from '../../../../reference-node/wire/bytes.js';
import type { Status } from '../../../../reference-node/wire/eth/types.js';
import type { Hash32 } from '../../../../reference-node/wire/tx/types.js';
import { forkIdAt, type Fixture } from '../../../fixture/fixture.js';

export interface ChainView {
  /** Block 0 (the genesis) .. head; index = number. */
  readonly blocks: readonly Block[];
  readonly hashes: readonly Hash32[];
  /** Block number by hash (lower-case hex, no 0x), as Fixture.numbers. */
  readonly numbers: ReadonlyMap<string, number>;
  readonly tds: readonly bigint[];
  readonly head: { number: number; hash: Hash32; td: bigint; header: BlockHeader };
}

/**
 * Fixture blocks 0..upTo, then `extra` (each must extend the one before).
 * Throws RangeError for an upTo beyond the fixture or extras that do not link.
 */
export function chainView(fixture: Fixture, upTo: number = fixture.head.number, extra: readonly Block[] = []): ChainView {
  if (!Number.isInteger(upTo) || upTo < 0 || upTo > fixture.head.number) throw new RangeError(`chainView: upTo ${upTo} is outside the fixture (0..${fixture.head.number})`);
  const blocks: Block[] = fixture.blocks.slice(0, upTo + 1);
  const hashes: Hash32[] = fixture.hashes.slice(0, upTo + 1);
  const tds: bigint[] = fixture.tds.slice(0, upTo + 1);
  for (const block of extra) {
    const parent = hashes.length - 1;
    if (block.header.number !== BigInt(parent + 1) || bytesToHex(block.header.parentHash) !== bytesToHex(hashes[parent]!)) {
      throw new RangeError(`chainView: extra block ${block.header.number} does not extend block ${parent}`);
    }
    blocks.push(block);
    hashes.push(blockHash(block));
    tds.push(tds[parent]! + block.header.difficulty);
  }
  const head = blocks.length - 1;
  return {
    blocks,
    hashes,
    tds,
    numbers: new Map(hashes.map((h, i) => [bytesToHex(h), i])),
    head: { number: head, hash: hashes[head]!, td: tds[head]!, header: blocks[head]!.header },
  };
}

/** The honest Status of a peer whose chain is `view` (its head, TD and fork ID there). */
export function statusFor(fixture: Fixture, view: ChainView): (honest: Status) => Status {
  const forkId = forkIdAt({ genesis: fixture.genesis, blocks: view.blocks }, view.head.number);
  return (honest) =>
    honest.form === 'eth66'
      ? { ...honest, td: view.head.td, head: view.head.hash, forkId }
      : { ...honest, latestBlock: BigInt(view.head.number), latestBlockHash: view.head.hash, forkId };
}
