/**
 * Test support for the sync tests: chains to sync from. A Clique chain
 * sealed by private key 1 over cliqueLondonGenesis() with a few signed
 * transfers per block (as a miner would build them), a post-merge chain built
 * without a seal, and a ChainReader over a plain block list, so that a test
 * peer can serve a chain no real Chain would accept (a lying peer).
 */
import { Chain } from '../chain/chain.js';
import { CliqueEngine, sealHeader } from '../chain/clique.js';
import { calcBaseFee } from '../chain/eip1559.js';
import { parseGenesis, type Genesis } from '../chain/genesis.js';
import type { ChainHeadInfo, ChainReader } from '../chain/reader.js';
import { BLOCK_FORKS_TO_LONDON_AT_ZERO, cliqueLondonGenesis } from '../chain/test-fixtures.js';
import { headerHash, type Block, type BlockBody, type BlockHeader } from '../wire/block.js';
import { bigIntToFixed, bytesToHex } from '../wire/bytes.js';
import type { Receipt } from '../wire/eth/types.js';
import type { ForkId, ForkIdVerdict } from '../wire/forkid.js';
import { publicKeyOf, type PrivateKey } from '../wire/keys.js';
import { addressOf, signTransaction } from '../wire/tx/signer.js';
import type { Transaction } from '../wire/tx/types.js';

/** The Clique signer of cliqueLondonGenesis() and the funded account of both genesis files here. */
export const SIGNER_KEY: PrivateKey = bigIntToFixed(1n, 32);
export const SIGNER_ADDRESS = addressOf(publicKeyOf(SIGNER_KEY));

export async function cliqueGenesis(): Promise<Genesis> {
  return parseGenesis(cliqueLondonGenesis());
}

/** Post-merge from genesis (TTD 0, Shanghai at 0), the signer key funded. */
export async function postMergeGenesis(): Promise<Genesis> {
  return parseGenesis({
    config: { chainId: 1337, ...BLOCK_FORKS_TO_LONDON_AT_ZERO, mergeNetsplitBlock: 0, terminalTotalDifficulty: 0, shanghaiTime: 0 },
    difficulty: '0x0',
    gasLimit: '0x1c9c380',
    timestamp: '0x0',
    alloc: { [`0x${bytesToHex(SIGNER_ADDRESS)}`]: { balance: '0x3635c9adc5dea00000' } },
  });
}

export interface ExtendOptions {
  /** Signed transfers per block (default 3). */
  txsPerBlock?: number;
  /** Varies the recipients, so that two chains from the same head differ. */
  salt?: number;
}

/** The signer's next nonce at the head (its account state). */
async function nextNonce(chain: Chain): Promise<bigint> {
  return (await chain.accountAt(SIGNER_ADDRESS))?.nonce ?? 0n;
}

function transfers(chain: Chain, parent: BlockHeader, nonce: bigint, count: number, salt: number): Transaction[] {
  const baseFee = calcBaseFee(chain.config, parent);
  const txs: Transaction[] = [];
  for (let i = 0; i < count; i++) {
    const to = new Uint8Array(20).fill(0x10 + ((salt + i) % 200));
    to[19] = Number(parent.number % 256n);
    txs.push(
      signTransaction(
        { type: 2, chainId: chain.config.chainId, nonce: nonce + BigInt(i), maxPriorityFeePerGas: 1n, maxFeePerGas: baseFee * 2n + 1n, gasLimit: 21000n, to, value: 1000n + BigInt(i), data: new Uint8Array(0), accessList: [] },
        SIGNER_KEY,
      ),
    );
  }
  return txs;
}

/**
 * Mines `count` Clique blocks on the head of `chain` (sealed by the signer,
 * imported), as a miner would. Returns the new blocks.
 */
export async function mineClique(chain: Chain, count: number, options: ExtendOptions = {}): Promise<Block[]> {
  const clique = chain.config.clique;
  if (clique === undefined) throw new RangeError('mineClique: not a Clique chain');
  const engine = new CliqueEngine(clique);
  const out: Block[] = [];
  let nonce = await nextNonce(chain);
  for (let i = 0; i < count; i++) {
    const head = chain.head();
    const parent = chain.headerByHash(head.hash)!;
    const fields = engine.prepare(head.hash, chain, SIGNER_ADDRESS);
    const txs = transfers(chain, parent, nonce, options.txsPerBlock ?? 3, options.salt ?? 0);
    const block = await chain.buildBlock(
      { parentHash: head.hash, timestamp: fields.minTimestamp, transactions: txs, difficulty: fields.difficulty, extraData: fields.extraData, coinbase: fields.coinbase, nonce: fields.nonce },
      (h) => sealHeader(h, SIGNER_KEY),
    );
    await chain.importBlocks([block]);
    nonce += BigInt(txs.length);
    out.push(block);
  }
  return out;
}

/** Builds `count` post-merge blocks (12 s apart, empty withdrawals) on the head of `chain` and imports them. */
export async function buildPostMerge(chain: Chain, count: number, options: ExtendOptions = {}): Promise<Block[]> {
  const out: Block[] = [];
  let nonce = await nextNonce(chain);
  for (let i = 0; i < count; i++) {
    const head = chain.head();
    const parent = chain.headerByHash(head.hash)!;
    const txs = transfers(chain, parent, nonce, options.txsPerBlock ?? 3, options.salt ?? 0);
    const block = await chain.buildBlock({ parentHash: head.hash, timestamp: parent.timestamp + 12n, transactions: txs, withdrawals: [] });
    await chain.importBlocks([block]);
    nonce += BigInt(txs.length);
    out.push(block);
  }
  return out;
}

/** A copy of `blocks[from..]` re-linked after block `from - 1`, each header passed through `reseal` (which may break or re-sign it). */
export function relinkedBlocks(blocks: readonly Block[], from: number, reseal: (header: BlockHeader, index: number) => BlockHeader): Block[] {
  const out = blocks.slice(0, from);
  for (let i = from; i < blocks.length; i++) {
    const parentHash = i === 0 ? blocks[0]!.header.parentHash : headerHash(out[i - 1]!.header);
    out.push({ ...blocks[i]!, header: reseal({ ...blocks[i]!.header, parentHash }, i) });
  }
  return out;
}

export interface BlockListOptions {
  /** The total difficulty to claim in Status (default: the real one). */
  claimTd?: bigint;
  /** Answer GetBlockBodies for these block numbers with nothing. */
  withholdBodies?: (number: bigint) => boolean;
}

/**
 * A ChainReader serving `blocks` (the canonical chain, genesis first) with
 * the network of `base`. Nothing is validated: it serves what it is given.
 */
export function blockListReader(base: ChainReader, blocks: readonly Block[], options: BlockListOptions = {}): ChainReader {
  const byHash = new Map<string, { block: Block; td: bigint }>();
  const hashes: Uint8Array[] = [];
  let td = 0n;
  for (const block of blocks) {
    td += block.header.difficulty;
    const hash = headerHash(block.header);
    hashes.push(hash);
    byHash.set(bytesToHex(hash), { block, td });
  }
  const last = blocks[blocks.length - 1]!;
  const headHash = hashes[hashes.length - 1]!;
  const head: ChainHeadInfo = { number: last.header.number, hash: headHash, td: options.claimTd ?? td, timestamp: last.header.timestamp };
  const get = (h: Uint8Array) => byHash.get(bytesToHex(h));
  return {
    networkId: base.networkId,
    genesisHash: base.genesisHash,
    config: base.config,
    head: () => head,
    earliest: () => 0n,
    forkId: (): ForkId => base.forkId(),
    forkFilter: (): ((remote: ForkId) => ForkIdVerdict) => base.forkFilter(),
    headerByNumber: (n) => (n >= 0n && n < BigInt(blocks.length) ? blocks[Number(n)]!.header : undefined),
    headerByHash: (h) => get(h)?.block.header,
    hashByNumber: (n) => (n >= 0n && n < BigInt(hashes.length) ? hashes[Number(n)] : undefined),
    bodyByHash: (h): BlockBody | undefined => {
      const entry = get(h);
      if (entry === undefined || options.withholdBodies?.(entry.block.header.number)) return undefined;
      const { transactions, uncles, withdrawals } = entry.block;
      return withdrawals === undefined ? { transactions, uncles } : { transactions, uncles, withdrawals };
    },
    receiptsByHash: (): Receipt[] | undefined => undefined,
    tdByHash: (h) => get(h)?.td,
  };
}

/** The canonical blocks 0..head of a chain. */
export function canonicalBlocks(chain: Chain): Block[] {
  const out: Block[] = [];
  for (let n = 0n; n <= chain.head().number; n++) out.push(chain.blockByNumber(n)!);
  return out;
}

/** Opens a fresh in-memory chain and imports `blocks` (genesis excluded) into it. */
export async function chainWith(genesis: Genesis, blocks: readonly Block[]): Promise<Chain> {
  const chain = await Chain.open({ genesis });
  if (blocks.length > 0) await chain.importBlocks(blocks);
  return chain;
}
