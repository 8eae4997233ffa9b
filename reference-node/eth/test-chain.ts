/**
 * Test support: an in-memory ChainReader over a list of blocks, the geth
 * ethtest chain as one (with its genesis header rebuilt by @ethereumjs so
 * block 0 can be served too), and a small synthetic chain whose headers
 * commit to receipts we make up, since the ethtest chain ships no receipts.
 * The chain engineer's store replaces all of this in the node.
 */
import { createMPT } from '@ethereumjs/mpt';
import { parseGethGenesisState } from '@ethereumjs/common';
import { createVM, encodeReceipt } from '@ethereumjs/vm';
import { RLP } from '@ethereumjs/rlp';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { EMPTY_OMMERS_HASH, encodeBlockHeader, headerHash, type Block, type BlockBody, type BlockHeader } from '../wire/block.js';
import { bytesToHex, equalBytes, hexToBytes } from '../wire/bytes.js';
import { logsBloom } from '../wire/eth/receipts.js';
import type { Receipt } from '../wire/eth/types.js';
import { computeForkId, createForkIdFilter, gatherForks, type ForkId, type ForkIdVerdict, type ForkSchedule } from '../wire/forkid.js';
import { encodeRlp } from '../wire/rlp.js';
import { encodeCanonicalTransaction } from '../wire/tx/codec.js';
import type { Hash32 } from '../wire/tx/types.js';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import { ethtestCommon } from '../../test-support/ethereumjs-rlpx.js';
import type { ChainReader } from './chain-reader.js';

export interface MemoryChainInput {
  networkId: bigint;
  genesis: BlockHeader;
  genesisTd: bigint;
  /** Blocks 1..n of the canonical chain, in order. */
  blocks: Block[];
  forks: ForkSchedule;
  receipts?: Map<string, Receipt[]>;
  earliest?: bigint;
}

export class MemoryChainReader implements ChainReader {
  readonly networkId: bigint;
  readonly genesisHash: Uint8Array;
  private readonly canonical: Hash32[] = [];
  private readonly headers = new Map<string, BlockHeader>();
  private readonly bodies = new Map<string, BlockBody>();
  private readonly tds = new Map<string, bigint>();
  private readonly receipts: Map<string, Receipt[]>;
  private readonly filter: (remote: ForkId, head: { number: bigint; time: bigint }) => ForkIdVerdict;
  private headNumber: bigint;
  earliestBlock: bigint;

  constructor(private readonly input: MemoryChainInput) {
    this.networkId = input.networkId;
    this.genesisHash = headerHash(input.genesis);
    this.receipts = input.receipts ?? new Map();
    this.earliestBlock = input.earliest ?? 0n;
    this.put({ header: input.genesis, transactions: [], uncles: [] }, input.genesisTd, true);
    let td = input.genesisTd;
    for (const block of input.blocks) {
      td += block.header.difficulty;
      this.put(block, td, true);
    }
    this.headNumber = BigInt(this.canonical.length - 1);
    this.filter = createForkIdFilter(this.genesisHash, input.forks);
  }

  /** Adds a block off the canonical chain (for side-chain queries). */
  addSideBlock(block: Block): Hash32 {
    const parentTd = this.tds.get(bytesToHex(block.header.parentHash)) ?? 0n;
    return this.put(block, parentTd + block.header.difficulty, false);
  }

  /** Moves the head back or forward along the stored canonical blocks (as a node importing them would). */
  setHead(number: bigint): void {
    if (number < 0n || number >= BigInt(this.canonical.length)) throw new RangeError(`no canonical block ${number}`);
    this.headNumber = number;
  }

  head() {
    const hash = this.canonical[Number(this.headNumber)]!;
    const header = this.headers.get(bytesToHex(hash))!;
    return { number: header.number, hash, td: this.tds.get(bytesToHex(hash))!, timestamp: header.timestamp };
  }

  earliest(): bigint {
    return this.earliestBlock;
  }

  forkId(): ForkId {
    const head = this.head();
    return computeForkId(this.genesisHash, this.input.forks, { number: head.number, time: head.timestamp });
  }

  forkFilter(): (remote: ForkId) => ForkIdVerdict {
    const head = this.head();
    return (remote) => this.filter(remote, { number: head.number, time: head.timestamp });
  }

  headerByNumber(n: bigint): BlockHeader | undefined {
    const hash = this.hashByNumber(n);
    return hash && this.headers.get(bytesToHex(hash));
  }

  headerByHash(h: Uint8Array): BlockHeader | undefined {
    const header = this.headers.get(bytesToHex(h));
    // Blocks above the head are not "known" yet from the handler's point of view.
    return header && (header.number <= this.headNumber || !this.isCanonical(h, header)) ? header : undefined;
  }

  hashByNumber(n: bigint): Uint8Array | undefined {
    if (n < 0n || n > this.headNumber) return undefined;
    return this.canonical[Number(n)];
  }

  bodyByHash(h: Uint8Array): BlockBody | undefined {
    return this.headerByHash(h) && this.bodies.get(bytesToHex(h));
  }

  receiptsByHash(h: Uint8Array): Receipt[] | undefined {
    return this.headerByHash(h) && this.receipts.get(bytesToHex(h));
  }

  tdByHash(h: Uint8Array): bigint | undefined {
    return this.headerByHash(h) && this.tds.get(bytesToHex(h));
  }

  private isCanonical(hash: Uint8Array, header: BlockHeader): boolean {
    const c = this.canonical[Number(header.number)];
    return c !== undefined && equalBytes(c, hash);
  }

  private put(block: Block, td: bigint, canonical: boolean): Hash32 {
    const hash = headerHash(block.header);
    const key = bytesToHex(hash);
    this.headers.set(key, block.header);
    const body: BlockBody = { transactions: block.transactions, uncles: block.uncles };
    if (block.withdrawals) body.withdrawals = block.withdrawals;
    this.bodies.set(key, body);
    this.tds.set(key, td);
    if (canonical) this.canonical.push(hash);
    return hash;
  }
}

// ---------------------------------------------------------------------------
// Roots, computed with @ethereumjs so the expected values do not come from our own code.

export async function orderedTrieRoot(values: readonly Uint8Array[]): Promise<Hash32> {
  const trie = await createMPT();
  for (let i = 0; i < values.length; i++) await trie.put(encodeRlp(i), values[i]!);
  return trie.root();
}

export function transactionsRootOf(body: BlockBody): Promise<Hash32> {
  return orderedTrieRoot(body.transactions.map(encodeCanonicalTransaction));
}

/** keccak256 of the RLP list of ommer headers. */
export function ommersHashOf(body: BlockBody): Hash32 {
  return keccak_256(RLP.encode(body.uncles.map((u) => RLP.decode(encodeBlockHeader(u)) as Uint8Array[])));
}

/** EIP-4895: the trie of rlp([index, validatorIndex, address, amount]). */
export function withdrawalsRootOf(body: BlockBody): Promise<Hash32> {
  return orderedTrieRoot((body.withdrawals ?? []).map((w) => RLP.encode([w.index, w.validatorIndex, w.address, w.amount])));
}

/** The receipts root via @ethereumjs/vm's consensus receipt encoding. */
export function receiptsRootOf(receipts: readonly Receipt[]): Promise<Hash32> {
  return orderedTrieRoot(
    receipts.map((r) => {
      const logs = r.logs.map((l) => [l.address, l.topics, l.data] as [Uint8Array, Uint8Array[], Uint8Array]);
      const base = { cumulativeBlockGasUsed: r.cumulativeGasUsed, bitvector: logsBloom(r.logs), logs };
      const receipt = r.postStateOrStatus.length === 32 ? { ...base, stateRoot: r.postStateOrStatus } : { ...base, status: (r.postStateOrStatus.length === 0 ? 0 : 1) as 0 | 1 };
      return encodeReceipt(receipt, r.txType);
    }),
  );
}

// ---------------------------------------------------------------------------
// The geth ethtest chain

let ethtestGenesis: Promise<BlockHeader> | undefined;

/** Block 0 of the ethtest chain from its genesis.json (state root by @ethereumjs/vm's state manager). */
export function ethtestGenesisHeader(): Promise<BlockHeader> {
  ethtestGenesis ??= (async () => {
    const chain = loadEthtestChain();
    const g = chain.genesisJson as Record<string, string>;
    // The VM's own state manager (a declared dependency) builds the genesis state trie.
    const { stateManager: state } = await createVM({ common: ethtestCommon(chain) });
    if (!state.generateCanonicalGenesis) throw new Error('@ethereumjs state manager cannot build a genesis state');
    await state.generateCanonicalGenesis(parseGethGenesisState(chain.genesisJson as never));
    const emptyRoot = await orderedTrieRoot([]);
    const header: BlockHeader = {
      parentHash: new Uint8Array(32),
      ommersHash: EMPTY_OMMERS_HASH,
      coinbase: hexToBytes(g['coinbase']!),
      stateRoot: await state.getStateRoot(),
      transactionsRoot: emptyRoot,
      receiptsRoot: emptyRoot,
      logsBloom: new Uint8Array(256),
      difficulty: BigInt(g['difficulty']!),
      number: 0n,
      gasLimit: BigInt(g['gasLimit']!),
      gasUsed: 0n,
      timestamp: BigInt(g['timestamp']!),
      extraData: hexToBytes(g['extraData']!),
      mixHash: hexToBytes(g['mixHash']!),
      nonce: new Uint8Array(8),
      baseFeePerGas: BigInt(g['baseFeePerGas']!),
      // Shanghai is active at genesis (time 0), Cancun only from time 60.
      withdrawalsRoot: emptyRoot,
    };
    return header;
  })();
  return ethtestGenesis;
}

export async function ethtestChainReader(): Promise<MemoryChainReader> {
  const chain = loadEthtestChain();
  return new MemoryChainReader({
    networkId: chain.networkId,
    genesis: await ethtestGenesisHeader(),
    genesisTd: BigInt(chain.genesisJson.difficulty),
    blocks: chain.blocks,
    forks: gatherForks(chain.genesisJson.config, BigInt(chain.genesisJson.timestamp)),
  });
}

/** The ethtest chain's TTD, for the post-merge rule. */
export function ethtestTtd(): bigint {
  return BigInt(loadEthtestChain().genesisJson.config['terminalTotalDifficulty'] as number);
}

// ---------------------------------------------------------------------------
// A synthetic chain with receipts

export interface SyntheticChain {
  reader: MemoryChainReader;
  blocks: Block[];
  receipts: Receipt[][];
}

/**
 * `receiptsPerBlock[i]` receipts in block i+1, cycling through a legacy
 * receipt with status 1, a typed (EIP-1559) one with status 0 and logs, and a
 * pre-Byzantium one with a state root; `logData` bytes of data per log and
 * `extraDataSize` bytes of header extra data (to make large headers).
 * Headers carry the real receipts root (by @ethereumjs) and logs bloom; there
 * are no transactions, so the tx root is the empty trie's (receipts are not
 * checked against transactions here).
 */
export async function syntheticReceiptsChain(receiptsPerBlock: readonly number[], logData = 16, extraDataSize = 0): Promise<SyntheticChain> {
  const emptyRoot = await orderedTrieRoot([]);
  const genesis: BlockHeader = {
    parentHash: new Uint8Array(32),
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: new Uint8Array(20),
    stateRoot: emptyRoot,
    transactionsRoot: emptyRoot,
    receiptsRoot: emptyRoot,
    logsBloom: new Uint8Array(256),
    difficulty: 1n,
    number: 0n,
    gasLimit: 30_000_000n,
    gasUsed: 0n,
    timestamp: 0n,
    extraData: new TextEncoder().encode('synthetic receipts'),
    mixHash: new Uint8Array(32),
    nonce: new Uint8Array(8),
    baseFeePerGas: 1_000_000_000n,
  };
  const blocks: Block[] = [];
  const allReceipts: Receipt[][] = [];
  const byHash = new Map<string, Receipt[]>();
  let parent = genesis;
  for (let i = 0; i < receiptsPerBlock.length; i++) {
    const number = BigInt(i + 1);
    const receipts: Receipt[] = [];
    for (let j = 0; j < receiptsPerBlock[i]!; j++) receipts.push(makeReceipt(number, j, logData));
    const header: BlockHeader = {
      ...genesis,
      parentHash: headerHash(parent),
      number,
      timestamp: number * 12n,
      difficulty: 0n,
      receiptsRoot: receipts.length === 0 ? emptyRoot : await receiptsRootOf(receipts),
      logsBloom: logsBloom(receipts.flatMap((r) => r.logs)),
      gasUsed: receipts.at(-1)?.cumulativeGasUsed ?? 0n,
      extraData: new Uint8Array(extraDataSize).fill(0xee),
    };
    const block: Block = { header, transactions: [], uncles: [] };
    blocks.push(block);
    allReceipts.push(receipts);
    byHash.set(bytesToHex(headerHash(header)), receipts);
    parent = header;
  }
  const reader = new MemoryChainReader({ networkId: 1337n, genesis, genesisTd: 1n, blocks, forks: { blocks: [], times: [] }, receipts: byHash });
  return { reader, blocks, receipts: allReceipts };
}

function makeReceipt(block: bigint, index: number, logData: number): Receipt {
  const gas = 21_000n * BigInt(index + 1);
  const topic = new Uint8Array(32).fill(index + 1);
  const log = { address: new Uint8Array(20).fill(Number(block % 250n) + 1), topics: [topic], data: new Uint8Array(logData).fill(7) };
  switch (index % 3) {
    case 0:
      return { txType: 0, postStateOrStatus: Uint8Array.of(1), cumulativeGasUsed: gas, logs: [log] };
    case 1:
      return { txType: 2, postStateOrStatus: new Uint8Array(0), cumulativeGasUsed: gas, logs: [log, { ...log, topics: [] }] };
    default:
      return { txType: 0, postStateOrStatus: new Uint8Array(32).fill(0xab), cumulativeGasUsed: gas, logs: [] };
  }
}
