/**
 * Deterministic fixtures: a genesis.json, a chain.rlp of `blocks` blocks of
 * value transfers, the funded keys (accounts.json) and an
 * engine_forkchoiceUpdatedV3 request naming the head (headfcu.json), the four
 * files of geth's cmd/devp2p eth-test testdata. The same options give the
 * same bytes: keys come from the seed, timestamps from the genesis time plus
 * a fixed interval, signatures are RFC 6979 (deterministic), and nothing
 * reads a clock or a random source.
 *
 * Blocks are built and imported by the chain itself (Chain.buildBlock, then
 * importBlocks), so every root in the fixture has been computed by execution
 * and checked again on import. Legacy blocks are sealed by one Clique signer,
 * always in turn; modern blocks are post-merge (difficulty 0, no seal, empty
 * withdrawals, a zero parent beacon root). As it signs, the generator records
 * each signature's public key in the chain's recovery memo, so building and
 * importing never recover a signature it made (most of the cost otherwise).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Chain } from '../chain/chain.js';
import { CliqueEngine } from '../chain/clique.js';
import { parseGenesis } from '../chain/genesis.js';
import type { Block } from '../wire/block.js';
import { bytesToHex } from '../wire/bytes.js';
import { publicKeyOf } from '../wire/keys.js';
import type { Hash32 } from '../wire/tx/types.js';
import { accountsJson, fundedAccounts, signerAccount } from './fixture-keys.js';
import { legacyGenesis, modernGenesis, type FixtureProfile } from './fixture-genesis.js';
import { maxTransferCost, TransferPlan } from './fixture-transfers.js';
import { sealHeaderKnown } from './known-signatures.js';

export type { FixtureProfile } from './fixture-genesis.js';

export interface FixtureOptions {
  profile: FixtureProfile;
  /** Blocks after the genesis. */
  blocks: number;
  seed: string;
  /** Default 5. */
  txsPerBlock?: number;
  /** Funded accounts that send the transfers; default 16. */
  accounts?: number;
  /** Default 1337. */
  chainId?: bigint;
  /** Unix seconds; default 1_600_000_000 (a fixed time in the past, so no block is from the future). */
  genesisTimestamp?: bigint;
  /** Seconds between blocks: the Clique period (default 1, which @ethereumjs/client can mine) or the slot time of a modern chain (default 12). */
  blockInterval?: bigint;
}

export interface Fixture {
  genesisJson: string;
  /** Blocks 1..head, concatenated RLP (geth's export format). */
  chainRlp: Uint8Array;
  accountsJson: string;
  headFcuJson: string;
  head: { number: bigint; hash: Hash32 };
  genesisHash: Hash32;
}

export const FIXTURE_FILES = { genesis: 'genesis.json', chain: 'chain.rlp', accounts: 'accounts.json', headFcu: 'headfcu.json' } as const;

const DEFAULT_TXS_PER_BLOCK = 5;
const DEFAULT_ACCOUNTS = 16;
const DEFAULT_CHAIN_ID = 1337n;
const DEFAULT_GENESIS_TIMESTAMP = 1_600_000_000n;
const GAS_LIMIT = 30_000_000n;
/** 1,000,000 ether per funded account. */
const BALANCE = 10n ** 24n;

export async function generateFixture(options: FixtureOptions): Promise<Fixture> {
  const { profile, blocks, seed } = options;
  const txsPerBlock = options.txsPerBlock ?? DEFAULT_TXS_PER_BLOCK;
  const accountCount = options.accounts ?? DEFAULT_ACCOUNTS;
  if (!Number.isSafeInteger(blocks) || blocks < 0) throw new RangeError(`blocks must be a non-negative integer, got ${blocks}`);
  if (!Number.isSafeInteger(txsPerBlock) || txsPerBlock < 0) throw new RangeError(`txsPerBlock must be a non-negative integer, got ${txsPerBlock}`);
  if (!Number.isSafeInteger(accountCount) || accountCount < 2) throw new RangeError(`accounts must be at least 2, got ${accountCount}`);
  const chainId = options.chainId ?? DEFAULT_CHAIN_ID;
  const interval = options.blockInterval ?? (profile === 'legacy' ? 1n : 12n);
  if (interval < 1n) throw new RangeError('blockInterval must be at least 1 second');
  const timestamp = options.genesisTimestamp ?? DEFAULT_GENESIS_TIMESTAMP;

  const accounts = fundedAccounts(seed, accountCount);
  const signer = profile === 'legacy' ? signerAccount(seed) : undefined;
  // Each account sends about blocks * txsPerBlock / N transfers; the balance must cover them all.
  const sends = BigInt(Math.ceil((blocks * txsPerBlock) / accountCount));
  if (sends * maxTransferCost(blocks * txsPerBlock) >= BALANCE) throw new RangeError('too many transactions for the funded balances');
  const genesisOptions = { chainId, timestamp, gasLimit: GAS_LIMIT, balance: BALANCE, funded: [...accounts.map((a) => a.address), ...(signer ? [signer.address] : [])] };
  const genesisObject =
    profile === 'legacy' ? legacyGenesis({ ...genesisOptions, signer: signer!.address, cliquePeriod: interval }) : modernGenesis(genesisOptions);
  const genesisJson = `${JSON.stringify(genesisObject, null, 2)}\n`;

  // Parse the text as written, so the chain is built on exactly what a reader of the file gets.
  const genesis = await parseGenesis(JSON.parse(genesisJson));
  const engine = genesis.config.clique === undefined ? undefined : new CliqueEngine(genesis.config.clique);
  const chain = await Chain.open({ genesis, ...(engine ? { engine } : {}) });
  const signerPublicKey = signer === undefined ? undefined : publicKeyOf(signer.key);
  try {
    const plan = new TransferPlan(chainId, accounts);
    for (let n = 1; n <= blocks; n++) {
      const parentHash = chain.head().hash;
      const time = timestamp + BigInt(n) * interval;
      const transactions = plan.take(txsPerBlock);
      let block: Block;
      if (engine !== undefined && signer !== undefined) {
        const fields = engine.prepare(parentHash, chain, signer.address);
        block = await chain.buildBlock(
          { parentHash, timestamp: time, transactions, difficulty: fields.difficulty, extraData: fields.extraData, coinbase: fields.coinbase, nonce: fields.nonce, mixHash: fields.mixHash },
          (h) => sealHeaderKnown(h, signer.key, signerPublicKey!),
        );
      } else {
        block = await chain.buildBlock({ parentHash, timestamp: time, transactions, withdrawals: [] });
      }
      await chain.importBlocks([block]);
    }
    const head = chain.head();
    return {
      genesisJson,
      chainRlp: chain.exportChainRlp(),
      accountsJson: accountsJson(accounts, signer),
      headFcuJson: headFcuJson(head.number, head.hash),
      head: { number: head.number, hash: head.hash },
      genesisHash: genesis.hash,
    };
  } finally {
    await chain.close();
  }
}

/**
 * An engine_forkchoiceUpdatedV3 request that makes `hash` head, safe and
 * finalized, as geth's eth-test headfcu.json. Legacy fixtures get one too:
 * nothing on a Clique chain reads it, but tools that expect geth's four
 * files find them, and it names the head either way.
 */
export function headFcuJson(number: bigint, hash: Hash32): string {
  const h = `0x${bytesToHex(hash)}`;
  const request = {
    jsonrpc: '2.0',
    id: `fcu${number}`,
    method: 'engine_forkchoiceUpdatedV3',
    params: [{ headBlockHash: h, safeBlockHash: h, finalizedBlockHash: h }, null],
  };
  return `${JSON.stringify(request, null, 2)}\n`;
}

/** Writes the four fixture files into `dir` (created if missing). */
export async function writeFixture(dir: string, fixture: Fixture): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, FIXTURE_FILES.genesis), fixture.genesisJson);
  await writeFile(join(dir, FIXTURE_FILES.chain), fixture.chainRlp);
  await writeFile(join(dir, FIXTURE_FILES.accounts), fixture.accountsJson);
  await writeFile(join(dir, FIXTURE_FILES.headFcu), fixture.headFcuJson);
}
