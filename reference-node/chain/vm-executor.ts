/**
 * Executor on @ethereumjs/vm. Blocks cross over as RLP (our codec encodes,
 * theirs decodes), run with runBlock in "generate" mode so the VM reports the
 * roots instead of judging them: the chain compares them with the header.
 * The state lives in the chain's StateDb, so it persists with the blocks.
 *
 * Clique: geth pays a Clique block's fees to its signer (Engine.Author) and
 * COINBASE reads the signer too, while the header's coinbase carries a vote.
 * ethereumjs gets there by recovering the seal once per transaction (and needs
 * a cliqueSigner callback for every contract call). Here the chain hands over
 * the signer it already verified, the block the VM runs carries it as its
 * coinbase, and the VM's own Common is told the chain is not Clique (a
 * proof-of-work one, whose only other effect, block rewards, ethereumjs takes
 * from the block's Common, which stays Clique). The roots are unchanged by
 * this: the coinbase is not part of any root the VM reports.
 *
 * KZG: a blob transaction inside a block carries no blobs, but
 * @ethereumjs/tx refuses to build one without a KZG backend configured. The
 * backend given here only throws, so a call to the point-evaluation
 * precompile (0x0a) fails as an invalid proof would; chains that call it
 * with a valid proof would not replay. No KZG library is installed.
 */
import { createBlockFromRLP, paramsBlock, type Block as EjsBlock } from '@ethereumjs/block';
import { paramsTx } from '@ethereumjs/tx';
import { Common, createCommonFromGethGenesis, parseGethGenesis, type ChainConfig, type CustomCrypto, type GethGenesis } from '@ethereumjs/common';
import type { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { Caches, CacheType, MerkleStateManager } from '@ethereumjs/statemanager';
import { Account, Address, calculateSigRecovery, concatBytes, ecrecover, setLengthLeft, type KZG } from '@ethereumjs/util';
import { createVM, runBlock, type TxReceipt, type VM } from '@ethereumjs/vm';
import { encodeBlock, type Block, type BlockHeader } from '../wire/block.js';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import type { Log, Receipt } from '../wire/eth/types.js';
import type { Address as AddressBytes, Hash32 } from '../wire/tx/types.js';
import { EXTRA_SEAL, recoverCliqueSigner } from './clique.js';
import { ExecutionError, type ExecutionContext, type ExecutionResult, type Executor } from './executor.js';
import type { Genesis } from './genesis.js';
import type { GenesisAccount } from './genesis-state.js';
import { recallRecovered, rememberRecovered } from './recovery-memo.js';
import { recoverPublicKey } from '../wire/keys.js';
import type { StateDb } from './state-db.js';
import { StateTrie } from './state-trie.js';
import { keccak256 } from './keccak.js';

/** Decoded trie nodes kept in memory, which saves reading hot nodes back from the store. */
const TRIE_NODE_CACHE = 100_000;
/**
 * Accounts and storage slots the state caches hold. It must exceed what one
 * block can touch (a 60M-gas block reaches ~27k cold slots), since the cache
 * forgets a write it evicts before the block's root is taken.
 */
const STATE_CACHE = 200_000;

/** The parameter table handed to ethereumjs's header and tx constructors: nothing to merge (see create()). */
const TABLES_MERGED_ALREADY = {};

const noKzg = (): never => {
  throw new Error('KZG is not available in this node');
};
const UNAVAILABLE_KZG: KZG = {
  blobToKzgCommitment: noKzg,
  computeBlobProof: noKzg,
  verifyProof: noKzg,
  verifyBlobProofBatch: noKzg,
  computeCells: noKzg,
  computeCellsAndProofs: noKzg,
  recoverCellsAndProofs: noKzg,
  verifyCellKzgProofBatch: noKzg,
};

/**
 * The genesis in the shape @ethereumjs/common reads, built from our parsed
 * values rather than passed through: it needs a nonce, and it takes fork points
 * only from JSON numbers, where geth also accepts strings.
 */
function ethereumjsGenesis(genesis: Genesis): GethGenesis {
  const { config } = genesis;
  const h = genesis.block.header;
  const num = (v: bigint): number => {
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${v} is too large for the EVM's chain config`);
    return Number(v);
  };
  const cfg: Record<string, unknown> = { chainId: num(config.chainId) };
  for (const [fork, at] of Object.entries(config.blockForks)) cfg[`${fork}Block`] = num(at);
  for (const [fork, at] of Object.entries(config.timeForks)) cfg[`${fork}Time`] = num(at);
  if (config.clique !== undefined) cfg['clique'] = { period: num(config.clique.period), epoch: num(config.clique.epoch) };
  const schedule: Record<string, unknown> = {};
  for (const [fork, p] of Object.entries(config.blobSchedule)) {
    schedule[fork] = { target: num(p.target), max: num(p.max), baseFeeUpdateFraction: num(p.baseFeeUpdateFraction) };
  }
  if (Object.keys(schedule).length > 0) cfg['blobSchedule'] = schedule;
  const hexOf = (v: bigint) => `0x${v.toString(16)}`;
  const json: Record<string, unknown> = {
    config: cfg,
    nonce: `0x${bytesToHex(h.nonce)}`,
    timestamp: hexOf(h.timestamp),
    extraData: `0x${bytesToHex(h.extraData)}`,
    gasLimit: hexOf(h.gasLimit),
    difficulty: hexOf(h.difficulty),
    mixHash: `0x${bytesToHex(h.mixHash)}`,
    coinbase: `0x${bytesToHex(h.coinbase)}`,
    alloc: {},
  };
  if (h.baseFeePerGas !== undefined) json['baseFeePerGas'] = hexOf(h.baseFeePerGas);
  if (h.excessBlobGas !== undefined) json['excessBlobGas'] = hexOf(h.excessBlobGas);
  return json as unknown as GethGenesis;
}

/**
 * The VM's Common for a Clique chain (see the module comment): the same chain
 * and forks, under a consensus that is neither Clique (whose fee recipient
 * ethereumjs recovers per transaction), nor ethash (whose header rules refuse
 * Clique's extraData when runBlock rebuilds the block), nor proof of stake
 * (difficulty 0). Fees and COINBASE then go to the header's coinbase.
 */
function authorPaysCommon(genesis: Genesis, customCrypto: CustomCrypto): Common {
  const params = parseGethGenesis(ethereumjsGenesis(genesis), 'devp2p-check');
  const chain = { ...params, name: params.name ?? 'devp2p-check', consensus: { type: 'pow', algorithm: 'clique-author' } };
  return new Common({ chain: chain as unknown as ChainConfig, hardfork: params.hardfork, customCrypto });
}

/**
 * The VM's sender recovery through the recovery memo: the worker pool has
 * usually recovered the sender already, and a block the miner builds is
 * executed again when it is imported. Anything the memo cannot answer (a v that
 * is not a recovery id, a signature not seen before) goes to ethereumjs's own
 * ecrecover, with its checks and errors.
 */
function memoEcrecover(msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint): Uint8Array {
  const recovery = calculateSigRecovery(v, chainId);
  if ((recovery !== 0n && recovery !== 1n) || r.length > 32 || s.length > 32 || msgHash.length !== 32) return ecrecover(msgHash, v, r, s, chainId);
  const signature = concatBytes(setLengthLeft(r, 32), setLengthLeft(s, 32), Uint8Array.of(Number(recovery)));
  const known = recallRecovered(msgHash, signature);
  if (known !== undefined) return known;
  let publicKey: Uint8Array;
  try {
    // The node's faster recovery, same results as noble's (which ethereumjs uses).
    publicKey = recoverPublicKey(msgHash, signature);
  } catch {
    return ecrecover(msgHash, v, r, s, chainId); // throws ethereumjs's own error
  }
  rememberRecovered(msgHash, signature, publicKey);
  return publicKey;
}

/**
 * The signer of a Clique header the chain has not verified (a block being
 * built). An unsealed header (no seal, or 65 zero bytes) pays the zero
 * address, as ethereumjs's cliqueSigner does; the seal is then signed over the
 * results, and the chain verifies it on import.
 */
function cliqueAuthor(header: BlockHeader): AddressBytes {
  const seal = header.extraData.subarray(Math.max(0, header.extraData.length - EXTRA_SEAL));
  if (seal.every((b) => b === 0)) return new Uint8Array(20);
  try {
    return recoverCliqueSigner(header);
  } catch (err) {
    throw new ExecutionError(`the Clique seal does not recover: ${(err as Error).message}`);
  }
}

function toReceipt(r: TxReceipt, txType: Receipt['txType']): Receipt {
  const logs: Log[] = r.logs.map(([address, topics, data]) => ({ address, topics, data }));
  // Pre-Byzantium receipts carry the intermediate state root, later ones a status byte (EIP-658).
  const postStateOrStatus = 'stateRoot' in r ? r.stateRoot : r.status === 1 ? Uint8Array.of(1) : new Uint8Array(0);
  return { txType, postStateOrStatus, cumulativeGasUsed: r.cumulativeBlockGasUsed, logs };
}

export class VmExecutor implements Executor {
  /** The context of the block being executed, for the BLOCKHASH lookups the EVM makes. */
  private ctx: ExecutionContext | undefined;
  /**
   * The state the VM's caches describe: the root after the last block and the
   * StateDb generation then. Importing a chain runs each block on the state
   * the previous one left, so the caches can carry over instead of every block
   * reading its accounts back out of the trie.
   */
  private cached: { root: Hash32; generation: number } | undefined;

  private constructor(
    private readonly vm: VM,
    private readonly db: StateDb,
    /** The Common blocks and transactions are built with (Clique when the chain is). */
    private readonly blockCommon: Common,
    private readonly clique: boolean,
  ) {}

  static async create(genesis: Genesis, db: StateDb): Promise<VmExecutor> {
    // Our keccak256 (keccak.ts) is ~2x @noble/hashes's, which ethereumjs uses for tx and header hashes, code hashes,
    // KECCAK256 and its receipts trie.
    const customCrypto = { kzg: UNAVAILABLE_KZG, ecrecover: memoEcrecover, keccak256 };
    const blockCommon = createCommonFromGethGenesis(ethereumjsGenesis(genesis), { chain: 'devp2p-check', customCrypto });
    // ethereumjs copies the Common into every header and transaction it builds and merges a parameter table into
    // the copy, a JSON round trip of the whole table each time (8% of a sync's CPU). The tables go into the blocks'
    // Common once, here; blocks are then built with an empty table (TABLES_MERGED_ALREADY), and every copy inherits
    // these.
    blockCommon.updateParams(paramsBlock);
    blockCommon.updateParams(paramsTx);
    const clique = genesis.config.clique !== undefined;
    const common = clique ? authorPaysCommon(genesis, customCrypto) : blockCommon;
    // Our trie hashes once per root instead of at every put (state-trie.ts); MerkleStateManager takes it for the
    // MerklePatriciaTrie whose methods it calls.
    const trie = StateTrie.create(db, { hashKeys: true, cacheSize: TRIE_NODE_CACHE }) as unknown as MerklePatriciaTrie;
    // Without caches every account and slot write goes straight into the trie, which rehashes its path each time;
    // with them a block's writes reach the trie once, when the block's root is taken.
    const caches = new Caches({
      account: { type: CacheType.LRU, size: STATE_CACHE },
      storage: { type: CacheType.LRU, size: STATE_CACHE },
      // Code goes to the trie's store as before: it is rarely written, and a code cache large enough never to evict a
      // block's deployments could hold gigabytes.
      code: { size: 0 },
    });
    const stateManager = new MerkleStateManager({ trie, common, caches });
    // The EVM asks its blockchain for BLOCKHASH; answer from the context of the block being run.
    let executor: VmExecutor | undefined;
    const blockchain = {
      async getBlock(number: number) {
        // The EVM only asks within the last 256 blocks; an unknown one reads as zero, as in geth.
        const hash = executor?.ctx?.ancestorHash(BigInt(number)) ?? new Uint8Array(32);
        return { hash: () => hash };
      },
      async putBlock() {},
      shallowCopy() {
        return blockchain;
      },
    };
    const vm = await createVM({ common, stateManager, blockchain, setHardfork: true });
    executor = new VmExecutor(vm, db, blockCommon, clique);
    return executor;
  }

  async initState(alloc: readonly GenesisAccount[]): Promise<Hash32> {
    const sm = this.vm.stateManager;
    await sm.checkpoint();
    for (const acc of alloc) {
      const address = new Address(acc.address);
      await sm.putAccount(address, new Account(acc.nonce, acc.balance));
      if (acc.code.length > 0) await sm.putCode(address, acc.code);
      for (const { key, value } of acc.storage) {
        if (value.some((b) => b !== 0)) await sm.putStorage(address, key, value);
      }
    }
    await sm.commit(); // the outermost commit flushes the caches into the trie
    return sm.getStateRoot();
  }

  async executeBlock(block: Block, ctx: ExecutionContext): Promise<ExecutionResult> {
    // A Clique block before the merge pays its signer (see the module comment); a post-merge one has difficulty 0.
    const author = this.clique && block.header.difficulty !== 0n ? (ctx.author ?? cliqueAuthor(block.header)) : undefined;
    const vmBlock = author === undefined ? block : { ...block, header: { ...block.header, coinbase: author } };
    let ejsBlock;
    try {
      ejsBlock = createBlockFromRLP(encodeBlock(vmBlock), { common: this.blockCommon, setHardfork: true, params: TABLES_MERGED_ALREADY });
    } catch (err) {
      throw new ExecutionError(`the EVM cannot load the block: ${(err as Error).message}`);
    }
    this.ctx = ctx;
    const warm = this.cached !== undefined && this.cached.generation === this.db.generation && equalBytes(this.cached.root, ctx.parent.stateRoot);
    this.cached = undefined;
    try {
      if (ctx.resultsInHeader === true) {
        try {
          return await this.run(block, ejsBlock, ctx.parent.stateRoot, warm, false);
        } catch {
          // A block whose results differ from its header (or that the EVM refuses): run it again in the mode that
          // reports the results whatever they are, so the chain can name the rule it breaks (or the EVM its error).
        }
      }
      return await this.run(block, ejsBlock, ctx.parent.stateRoot, false, true);
    } catch (err) {
      if (err instanceof ExecutionError) throw err;
      throw new ExecutionError((err as Error).message);
    } finally {
      this.ctx = undefined;
    }
  }

  /**
   * One runBlock. With `generate` the VM fills the results into a copy of the
   * block (rebuilding it and its transaction trie); without, it compares them
   * with the header, which is cheaper, and throws when one differs.
   */
  private async run(block: Block, ejsBlock: EjsBlock, parentRoot: Hash32, warm: boolean, generate: boolean): Promise<ExecutionResult> {
    const result = await runBlock(this.vm, {
      block: ejsBlock,
      root: parentRoot,
      clearCache: !warm,
      generate,
      // The chain has validated the header and body already.
      skipBlockValidation: true,
      skipHeaderValidation: true,
    });
    const out: ExecutionResult = {
      stateRoot: result.stateRoot,
      receipts: result.receipts.map((r, i) => toReceipt(r, block.transactions[i]!.type)),
      gasUsed: result.gasUsed,
    };
    if (result.requests !== undefined) out.requests = result.requests.map((r) => r.bytes);
    this.cached = { root: result.stateRoot, generation: this.db.generation };
    return out;
  }
}
