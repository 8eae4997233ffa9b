/**
 * Executor on @ethereumjs/vm. Blocks cross over as RLP (our codec encodes,
 * theirs decodes), run with runBlock in "generate" mode so the VM reports the
 * roots instead of judging them: the chain compares them with the header.
 * The state lives in the chain's StateDb, so it persists with the blocks.
 *
 * KZG: a blob transaction inside a block carries no blobs, but
 * @ethereumjs/tx refuses to build one without a KZG backend configured. The
 * backend given here only throws, so a call to the point-evaluation
 * precompile (0x0a) fails as an invalid proof would; chains that call it
 * with a valid proof would not replay. No KZG library is installed.
 */
import { createBlockFromRLP } from '@ethereumjs/block';
import { createCommonFromGethGenesis, type GethGenesis } from '@ethereumjs/common';
import { createMPT } from '@ethereumjs/mpt';
import { MerkleStateManager } from '@ethereumjs/statemanager';
import { Account, Address, ecrecover, ValueEncoding, type KZG } from '@ethereumjs/util';
import { createVM, runBlock, type TxReceipt, type VM } from '@ethereumjs/vm';
import { encodeBlock, type Block } from '../wire/block.js';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import type { Log, Receipt } from '../wire/eth/types.js';
import type { Hash32 } from '../wire/tx/types.js';
import { ExecutionError, type ExecutionContext, type ExecutionResult, type Executor } from './executor.js';
import type { Genesis } from './genesis.js';
import type { GenesisAccount } from './genesis-state.js';
import { Lru } from './lru.js';
import type { StateDb } from './state-db.js';

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
 * Sender recovery with a cache. Recovery is most of the cost of executing a
 * transaction here (a few ms each with pure-JS secp256k1), and a block the
 * miner builds is executed again when it is imported.
 */
function cachedEcrecover(size: number): (msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint) => Uint8Array {
  const cache = new Lru<string, Uint8Array>(size);
  return (msgHash, v, r, s, chainId) => {
    const key = `${bytesToHex(msgHash)}${bytesToHex(r)}${bytesToHex(s)}:${v}:${chainId ?? ''}`;
    let publicKey = cache.get(key);
    if (publicKey === undefined) {
      publicKey = ecrecover(msgHash, v, r, s, chainId);
      cache.set(key, publicKey);
    }
    return publicKey;
  };
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
  ) {}

  static async create(genesis: Genesis, db: StateDb): Promise<VmExecutor> {
    const common = createCommonFromGethGenesis(ethereumjsGenesis(genesis), {
      chain: 'devp2p-check',
      customCrypto: { kzg: UNAVAILABLE_KZG, ecrecover: cachedEcrecover(16_384) },
    });
    const trie = await createMPT({ db, useKeyHashing: true, valueEncoding: ValueEncoding.Bytes, common });
    const stateManager = new MerkleStateManager({ trie, common });
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
    executor = new VmExecutor(vm, db);
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
    const common = this.vm.common;
    let ejsBlock;
    try {
      ejsBlock = createBlockFromRLP(encodeBlock(block), { common, setHardfork: true });
    } catch (err) {
      throw new ExecutionError(`the EVM cannot load the block: ${(err as Error).message}`);
    }
    this.ctx = ctx;
    const warm = this.cached !== undefined && this.cached.generation === this.db.generation && equalBytes(this.cached.root, ctx.parent.stateRoot);
    this.cached = undefined;
    try {
      const result = await runBlock(this.vm, {
        block: ejsBlock,
        root: ctx.parent.stateRoot,
        clearCache: !warm,
        generate: true,
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
    } catch (err) {
      if (err instanceof ExecutionError) throw err;
      throw new ExecutionError((err as Error).message);
    } finally {
      this.ctx = undefined;
    }
  }
}
