/**
 * geth-style genesis.json: the chain config, the alloc and the genesis block.
 * The header is built as geth's Genesis.toBlockWithRoot does: defaults for an
 * absent gas limit and difficulty, and the fork fields that are active at
 * block 0 (base fee from London, withdrawals root from Shanghai, blob fields
 * and a zero parent beacon root from Cancun, the empty requests hash from
 * Prague). Bad input is a GenesisError naming the JSON field.
 */
import { readFile } from 'node:fs/promises';
import { sha256 } from '@noble/hashes/sha2.js';
import { EMPTY_OMMERS_HASH, headerHash, type Block, type BlockHeader } from '../wire/block.js';
import { bigIntToFixed, bytesToHex } from '../wire/bytes.js';
import type { Hash32 } from '../wire/tx/types.js';
import { forkRules, parseChainConfig, type ChainConfig } from './config.js';
import { INITIAL_BASE_FEE } from './eip1559.js';
import { GenesisError } from './errors.js';
import { allocStateRoot, type GenesisAccount } from './genesis-state.js';
import {
  asObject,
  readAddressKey,
  readFixedBytes,
  readHexBytes,
  readOptional,
  readStorageWord,
  readUint256,
  readUint64,
} from './json-fields.js';
import { EMPTY_TRIE_ROOT } from './roots.js';

/** geth's params.GenesisGasLimit and GenesisDifficulty, used when the file leaves them out. */
const GENESIS_GAS_LIMIT = 4712388n;
const GENESIS_DIFFICULTY = 131072n;
/** sha256 of nothing: the EIP-7685 requests hash of a block without requests. */
export const EMPTY_REQUESTS_HASH: Hash32 = sha256(new Uint8Array(0));
/** Clique extraData: 32 bytes of vanity, then signers (20 bytes each), then a 65-byte seal. */
const CLIQUE_VANITY = 32;
const CLIQUE_SEAL = 65;

export interface Genesis {
  config: ChainConfig;
  alloc: readonly GenesisAccount[];
  /** The genesis block: its header and an empty body (with empty withdrawals from Shanghai). */
  block: Block;
  hash: Hash32;
  /** The JSON as given; the executor builds its EVM config from it. */
  json: Readonly<Record<string, unknown>>;
}

function parseAlloc(value: unknown): GenesisAccount[] {
  const obj = asObject(value, 'alloc');
  const accounts: GenesisAccount[] = [];
  const seen = new Set<string>();
  for (const [key, entry] of Object.entries(obj)) {
    const path = `alloc.${key}`;
    const address = readAddressKey(key, path);
    const id = bytesToHex(address);
    if (seen.has(id)) throw new GenesisError(path, 'listed twice');
    seen.add(id);
    const acc = asObject(entry, path);
    if (acc['balance'] === undefined || acc['balance'] === null) throw new GenesisError(`${path}.balance`, 'missing');
    const storage: { key: Hash32; value: Hash32 }[] = [];
    const rawStorage = acc['storage'];
    if (rawStorage !== undefined && rawStorage !== null) {
      for (const [slot, v] of Object.entries(asObject(rawStorage, `${path}.storage`))) {
        storage.push({ key: readStorageWord(slot, `${path}.storage.${slot}`), value: readStorageWord(v, `${path}.storage.${slot}`) });
      }
    }
    accounts.push({
      address,
      balance: readUint256(acc['balance'], `${path}.balance`),
      nonce: readOptional(acc, 'nonce', path, readUint64) ?? 0n,
      code: readOptional(acc, 'code', path, readHexBytes) ?? new Uint8Array(0),
      storage,
    });
  }
  return accounts;
}

function required(json: Record<string, unknown>, key: string): unknown {
  const value = json[key];
  if (value === undefined || value === null) throw new GenesisError(key, 'missing');
  return value;
}

/** Parses a genesis.json value (already JSON.parse'd) into the config, alloc and genesis block. */
export async function parseGenesis(value: unknown): Promise<Genesis> {
  const json = asObject(value, '(top level)');
  const timestamp = readOptional(json, 'timestamp', '', readUint64) ?? 0n;
  const config = parseChainConfig(required(json, 'config'), timestamp);
  const alloc = parseAlloc(required(json, 'alloc'));
  const number = readOptional(json, 'number', '', readUint64) ?? 0n;
  if (number !== 0n) throw new GenesisError('number', `a genesis block is block 0, got ${number}`);

  const extraData = readOptional(json, 'extraData', '', readHexBytes) ?? new Uint8Array(0);
  if (config.clique !== undefined) {
    const signerBytes = extraData.length - CLIQUE_VANITY - CLIQUE_SEAL;
    if (signerBytes <= 0 || signerBytes % 20 !== 0) {
      throw new GenesisError('extraData', `a Clique genesis needs 32 bytes vanity, one or more 20-byte signers and 65 zero bytes; got ${extraData.length} bytes`);
    }
  }
  const mixHash = readOptional(json, 'mixHash', '', (v, p) => readFixedBytes(v, p, 32)) ?? new Uint8Array(32);
  const gasLimit = readOptional(json, 'gasLimit', '', readUint64) ?? 0n;
  let difficulty = readOptional(json, 'difficulty', '', readUint256);
  if (difficulty === undefined) {
    // geth: no difficulty means 0 for a chain without ethash (it starts merged or is Clique), and
    // GenesisDifficulty for an ethash chain with a zero mix hash.
    const ethash = config.raw['ethash'] !== undefined && config.raw['ethash'] !== null;
    difficulty = !ethash ? 0n : mixHash.every((b) => b === 0) ? GENESIS_DIFFICULTY : 0n;
  }
  const header: BlockHeader = {
    parentHash: readOptional(json, 'parentHash', '', (v, p) => readFixedBytes(v, p, 32)) ?? new Uint8Array(32),
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: readOptional(json, 'coinbase', '', (v, p) => readFixedBytes(v, p, 20)) ?? new Uint8Array(20),
    stateRoot: await allocStateRoot(alloc),
    transactionsRoot: EMPTY_TRIE_ROOT,
    receiptsRoot: EMPTY_TRIE_ROOT,
    logsBloom: new Uint8Array(256),
    difficulty,
    number,
    gasLimit: gasLimit === 0n ? GENESIS_GAS_LIMIT : gasLimit,
    gasUsed: readOptional(json, 'gasUsed', '', readUint64) ?? 0n,
    timestamp,
    extraData,
    mixHash,
    nonce: bigIntToFixed(readOptional(json, 'nonce', '', readUint64) ?? 0n, 8),
  };
  const rules = forkRules(config, 0n, timestamp);
  const block: Block = { header, transactions: [], uncles: [] };
  if (rules.london) header.baseFeePerGas = readOptional(json, 'baseFeePerGas', '', readUint256) ?? INITIAL_BASE_FEE;
  if (rules.shanghai) {
    header.withdrawalsRoot = EMPTY_TRIE_ROOT;
    block.withdrawals = [];
  }
  if (rules.cancun) {
    header.blobGasUsed = readOptional(json, 'blobGasUsed', '', readUint64) ?? 0n;
    header.excessBlobGas = readOptional(json, 'excessBlobGas', '', readUint64) ?? 0n;
    // EIP-4788: the genesis block has no parent beacon block, so the root is zero.
    header.parentBeaconBlockRoot = new Uint8Array(32);
  }
  if (rules.prague) header.requestsHash = EMPTY_REQUESTS_HASH;
  if (rules.amsterdam) throw new GenesisError('config.amsterdamTime', 'Amsterdam (block access lists) is not supported by this node');
  return { config, alloc, block, hash: headerHash(header), json };
}

/** Reads and parses a genesis.json file. */
export async function loadGenesisFile(path: string): Promise<Genesis> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new GenesisError('(file)', `cannot read ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new GenesisError('(file)', `${path} is not JSON: ${(err as Error).message}`);
  }
  return parseGenesis(json);
}
