/**
 * The chain bench/import.ts imports: a Clique London chain (one signer, period
 * 1) with `txsPerBlock` signed transfers in every block, one per sender, each
 * to a fresh account so the state grows as a real chain's does. Transaction
 * types rotate through legacy (EIP-155), EIP-2930 and EIP-1559.
 *
 * Building executes every block (and imports it to build the next), which
 * takes minutes for 2000 blocks, so the result is cached in the OS temp
 * directory by its parameters; the benchmark checks the head hash of every
 * import, so a stale or damaged cache fails loudly rather than skewing a figure.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chain } from '../reference-node/chain/chain.js';
import { CliqueEngine, sealHeader } from '../reference-node/chain/clique.js';
import { calcBaseFee } from '../reference-node/chain/eip1559.js';
import { parseGenesis, type Genesis } from '../reference-node/chain/genesis.js';
import { cliqueLondonGenesis } from '../reference-node/chain/test-fixtures.js';
import { encodeBlock } from '../reference-node/wire/block.js';
import { bigIntToFixed, concatBytes } from '../reference-node/wire/bytes.js';
import { keccak256, publicKeyOf } from '../reference-node/wire/keys.js';
import { addressOf, signTransaction } from '../reference-node/wire/tx/signer.js';
import type { Transaction } from '../reference-node/wire/tx/types.js';

/** Bump when the chain this module builds changes, so an old cache is not reused. */
const FIXTURE_VERSION = 1;
const CHAIN_ID = 1337n;

export interface ImportFixture {
  genesisJson: Record<string, unknown>;
  genesis: Genesis;
  /** Blocks 1..N as concatenated RLP (chain.rlp). */
  chainRlp: Uint8Array;
}

const keyOf = (n: number): Uint8Array => bigIntToFixed(BigInt(n), 32);
/** Private key 1 seals; keys 2.. send. */
const SEALER_KEY = keyOf(1);
const senderKey = (i: number) => keyOf(2 + i);

export function importGenesisJson(txsPerBlock: number): Record<string, unknown> {
  const json = cliqueLondonGenesis();
  const alloc = { ...(json['alloc'] as Record<string, unknown>) };
  for (let i = 0; i < txsPerBlock; i++) {
    alloc[`0x${Buffer.from(addressOf(publicKeyOf(senderKey(i)))).toString('hex')}`] = { balance: '0x3635c9adc5dea00000' };
  }
  return { ...json, alloc };
}

function transfer(sender: number, nonce: bigint, blockNumber: bigint, baseFee: bigint): Transaction {
  const to = keccak256(concatBytes(bigIntToFixed(blockNumber, 8), Uint8Array.of(sender))).slice(12);
  const common = { nonce, gasLimit: 21_000n, to, value: 1_000n + blockNumber, data: new Uint8Array(0) };
  const key = senderKey(sender);
  switch (sender % 3) {
    case 0:
      return signTransaction({ type: 0, chainId: CHAIN_ID, gasPrice: baseFee + 1n, ...common }, key);
    case 1:
      return signTransaction({ type: 1, chainId: CHAIN_ID, gasPrice: baseFee + 1n, accessList: [], ...common }, key);
    default:
      return signTransaction({ type: 2, chainId: CHAIN_ID, maxPriorityFeePerGas: 1n, maxFeePerGas: baseFee * 2n + 1n, accessList: [], ...common }, key);
  }
}

async function build(blocks: number, txsPerBlock: number, genesis: Genesis): Promise<Uint8Array> {
  const engine = new CliqueEngine(genesis.config.clique!);
  const chain = await Chain.open({ genesis, engine });
  const signer = addressOf(publicKeyOf(SEALER_KEY));
  const parts: Uint8Array[] = [];
  try {
    for (let n = 1; n <= blocks; n++) {
      const parentHash = chain.head().hash;
      const parent = chain.headerByHash(parentHash)!;
      const fields = engine.prepare(parentHash, chain, signer);
      const baseFee = calcBaseFee(genesis.config, parent);
      const transactions = Array.from({ length: txsPerBlock }, (_, i) => transfer(i, BigInt(n - 1), BigInt(n), baseFee));
      const block = await chain.buildBlock(
        { parentHash, timestamp: fields.minTimestamp, transactions, difficulty: fields.difficulty, extraData: fields.extraData, coinbase: fields.coinbase, nonce: fields.nonce },
        (h) => sealHeader(h, SEALER_KEY),
      );
      await chain.importBlocks([block]);
      parts.push(encodeBlock(block));
      if (n % 200 === 0) process.stderr.write(`  built ${n}/${blocks}\n`);
    }
  } finally {
    await chain.close();
  }
  return concatBytes(...parts);
}

/** The fixture, from the cache when present. */
export async function importFixture(blocks: number, txsPerBlock: number): Promise<ImportFixture> {
  const genesisJson = importGenesisJson(txsPerBlock);
  const genesis = await parseGenesis(genesisJson);
  const path = join(tmpdir(), `devp2p-check-bench-import-v${FIXTURE_VERSION}-${blocks}x${txsPerBlock}.rlp`);
  if (existsSync(path)) return { genesisJson, genesis, chainRlp: new Uint8Array(readFileSync(path)) };
  process.stderr.write(`building ${blocks} blocks x ${txsPerBlock} txs (cached afterwards in ${path})\n`);
  const chainRlp = await build(blocks, txsPerBlock, genesis);
  writeFileSync(`${path}.tmp`, chainRlp);
  renameSync(`${path}.tmp`, path);
  return { genesisJson, genesis, chainRlp };
}
