/**
 * New blocks for the block-broadcast tests: an empty Clique block on top of
 * a fixture block, sealed with the fixture's signer key (accounts.json marks
 * it `signer: true`). An empty block changes no state (Clique pays no block
 * reward), so its state root is the parent's and any target can verify and
 * import it without us executing anything. Options make it invalid on
 * purpose (an oversized extra-data field, no valid seal).
 */
import { checkpointSigners, DIFF_IN_TURN, DIFF_NO_TURN, EXTRA_SEAL, EXTRA_VANITY, sealHeader } from '../../../../reference-node/chain/clique.js';
import { calcBaseFee } from '../../../../reference-node/chain/eip1559.js';
import { EMPTY_TRIE_ROOT } from '../../../../reference-node/chain/roots.js';
import { blockHash, EMPTY_OMMERS_HASH, type Block, type BlockHeader } from '../../../../reference-node/wire/block.js';
import { bytesToHex } from '../../../../reference-node/wire/bytes.js';
import { publicKeyOf } from '../../../../reference-node/wire/keys.js';
import { addressOf } from '../../../../reference-node/wire/tx/signer.js';
import type { Hash32 } from '../../../../reference-node/wire/tx/types.js';
import { TestSkip } from '../../../core/failure.js';
import type { Fixture } from '../../../fixture/fixture.js';

export interface NewBlock {
  block: Block;
  hash: Hash32;
  /** Lower-case hex of the hash, no 0x. */
  key: string;
  number: bigint;
  /** Total difficulty including this block, as NewBlock carries it. */
  td: bigint;
}

export interface CliqueChildOptions {
  /** Bytes between the vanity and the seal (0 on a non-checkpoint block; more makes the header invalid). */
  extraBytes?: number;
  /** Leave the seal zero (an invalid signature). Default: sealed by the fixture's signer. */
  unsealed?: boolean;
}

/** An empty Clique block extending `parent` (a block of `parentBlocks`, whose TD is `parentTd`). */
export function cliqueChild(fixture: Fixture, parent: Block, parentTd: bigint, options: CliqueChildOptions = {}): NewBlock {
  const clique = fixture.genesis.config.clique;
  if (clique === undefined) throw new TestSkip('the fixture is not a Clique chain: no blocks to make for block propagation');
  const signer = fixture.accounts.find((a) => a.signer);
  if (signer === undefined) throw new TestSkip('the fixture names no Clique signer key (accounts.json "signer": true)');
  const p = parent.header;
  const number = p.number + 1n;
  // In turn when the signer's place in the (sorted) genesis signer list is number mod the list's length.
  const signers = checkpointSigners(fixture.genesis.block.header).map(bytesToHex).sort();
  const me = bytesToHex(addressOf(publicKeyOf(signer.key)));
  const inTurn = signers.length === 0 || signers[Number(number % BigInt(signers.length))] === me;
  const header: BlockHeader = {
    parentHash: blockHash(parent),
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: new Uint8Array(20),
    stateRoot: p.stateRoot,
    transactionsRoot: EMPTY_TRIE_ROOT,
    receiptsRoot: EMPTY_TRIE_ROOT,
    logsBloom: new Uint8Array(256),
    difficulty: inTurn ? DIFF_IN_TURN : DIFF_NO_TURN,
    number,
    gasLimit: p.gasLimit,
    gasUsed: 0n,
    timestamp: p.timestamp + (clique.period > 0n ? clique.period : 1n),
    extraData: new Uint8Array(EXTRA_VANITY + (options.extraBytes ?? 0) + EXTRA_SEAL),
    mixHash: new Uint8Array(32),
    nonce: new Uint8Array(8),
    ...(p.baseFeePerGas !== undefined ? { baseFeePerGas: calcBaseFee(fixture.genesis.config, p) } : {}),
  };
  const sealed = options.unsealed ? header : sealHeader(header, signer.key);
  const block: Block = { header: sealed, transactions: [], uncles: [] };
  const hash = blockHash(block);
  return { block, hash, key: bytesToHex(hash), number, td: parentTd + sealed.difficulty };
}

/** The next block on top of the fixture's head. */
export function nextBlock(fixture: Fixture, options: CliqueChildOptions = {}): NewBlock {
  return cliqueChild(fixture, fixture.blocks[fixture.head.number]!, fixture.head.td, options);
}
