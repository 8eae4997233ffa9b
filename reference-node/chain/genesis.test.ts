import { createBlockHeader } from '@ethereumjs/block';
import { createCommonFromGethGenesis, type GethGenesis } from '@ethereumjs/common';
import { MerkleStateManager } from '@ethereumjs/statemanager';
import { Account, Address } from '@ethereumjs/util';
import { describe, expect, it } from 'vitest';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import { EMPTY_OMMERS_HASH, encodeBlockHeader } from '../wire/block.js';
import { bytesToHex, hexToBytes } from '../wire/bytes.js';
import { GenesisError } from './errors.js';
import { loadGenesisFile, parseGenesis, type Genesis } from './genesis.js';
import { allocStateRoot, type GenesisAccount } from './genesis-state.js';
import { EMPTY_TRIE_ROOT } from './roots.js';
import { cliqueLondonGenesis, pragueAtGenesis } from './test-fixtures.js';

/** The genesis header as @ethereumjs/block builds it from the same JSON: an independent implementation of the defaults. */
function ethereumjsGenesisHeader(json: Record<string, unknown>, stateRoot: Uint8Array): Uint8Array {
  // @ethereumjs/common insists on a nonce and reads forks only from JSON numbers.
  const common = createCommonFromGethGenesis({ nonce: '0x0', ...json, config: numericConfig(json['config']) } as unknown as GethGenesis, { chain: 'test' });
  const j = json as Record<string, `0x${string}` | undefined>;
  const header = createBlockHeader(
    {
      number: 0n,
      stateRoot,
      coinbase: j['coinbase'],
      difficulty: j['difficulty'],
      extraData: j['extraData'],
      gasLimit: j['gasLimit'] === undefined ? undefined : BigInt(j['gasLimit']),
      mixHash: j['mixHash'],
      nonce: j['nonce'] === undefined ? undefined : `0x${BigInt(j['nonce']).toString(16).padStart(16, '0')}`,
      timestamp: j['timestamp'],
      baseFeePerGas: j['baseFeePerGas'],
      excessBlobGas: j['excessBlobGas'],
      blobGasUsed: j['blobGasUsed'],
    },
    { common, setHardfork: true },
  );
  return header.serialize();
}

function numericConfig(config: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config as Record<string, unknown>)) out[k] = typeof v === 'string' && /^(0x)?[0-9a-f]+$/i.test(v) ? Number(v) : v;
  return out;
}

/** The alloc's state root through @ethereumjs/statemanager rather than our direct trie building. */
async function ethereumjsStateRoot(alloc: readonly GenesisAccount[]): Promise<Uint8Array> {
  const sm = new MerkleStateManager();
  await sm.checkpoint();
  for (const acc of alloc) {
    const address = new Address(acc.address);
    await sm.putAccount(address, new Account(acc.nonce, acc.balance));
    if (acc.code.length > 0) await sm.putCode(address, acc.code);
    for (const { key, value } of acc.storage) if (value.some((b) => b !== 0)) await sm.putStorage(address, key, value);
  }
  await sm.commit();
  return sm.getStateRoot();
}

async function expectGenesisError(json: unknown, field: string | RegExp): Promise<GenesisError> {
  const err = await parseGenesis(json).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GenesisError);
  const g = err as GenesisError;
  if (typeof field === 'string') expect(g.field).toBe(field);
  else expect(g.field).toMatch(field);
  return g;
}

describe('ethtest genesis', () => {
  const chain = loadEthtestChain();
  let genesis: Genesis;

  it('hashes to the parentHash of block 1 (bd6a…7533)', async () => {
    genesis = await parseGenesis(chain.genesisJson);
    expect(bytesToHex(genesis.hash)).toBe('bd6a252af394d80904c5993b859574bd4669642cea00a116970ec7887db67533');
    expect(genesis.hash).toEqual(chain.blocks[0]!.header.parentHash);
  });

  it('has the fork fields active at time 0: base fee and withdrawals (Shanghai), no Cancun or Prague fields', () => {
    const h = genesis.block.header;
    expect(h.baseFeePerGas).toBe(0x3b9aca00n);
    expect(h.withdrawalsRoot).toEqual(EMPTY_TRIE_ROOT);
    expect(genesis.block.withdrawals).toEqual([]);
    expect(h.blobGasUsed).toBeUndefined();
    expect(h.parentBeaconBlockRoot).toBeUndefined();
    expect(h.requestsHash).toBeUndefined();
    expect(h.ommersHash).toEqual(EMPTY_OMMERS_HASH);
  });

  it('types the config: chain ID, forks, TTD, blob schedule, fork ID schedule', () => {
    const c = genesis.config;
    expect(c.chainId).toBe(3503995874084926n);
    expect(c.blockForks.london).toBe(0n);
    expect(c.timeForks).toMatchObject({ shanghai: 0n, cancun: 60n, prague: 120n });
    expect(c.terminalTotalDifficulty).toBe(131072n);
    expect(c.blobSchedule.prague).toEqual({ target: 6n, max: 9n, baseFeeUpdateFraction: 5007716n });
    expect(c.forks).toEqual({ blocks: [], times: [60n, 120n] });
    expect(c.clique).toBeUndefined();
  });

  it('computes the alloc root as @ethereumjs/statemanager does', async () => {
    expect(genesis.block.header.stateRoot).toEqual(await ethereumjsStateRoot(genesis.alloc));
  });

  it('loads from a file', async () => {
    const { sharedPath } = await import('../../test-support/shared.js');
    const g = await loadGenesisFile(sharedPath('vectors-reference', 'geth-ethtest-chain', 'genesis.json'));
    expect(g.hash).toEqual(genesis.hash);
    await expect(loadGenesisFile('/nonexistent/genesis.json')).rejects.toThrow(GenesisError);
  });
});

describe('genesis header as @ethereumjs/block builds it', () => {
  it('Clique London genesis (signer in extraData, storage with short keys, default base fee)', async () => {
    const json = cliqueLondonGenesis();
    const g = await parseGenesis(json);
    expect(g.config.clique).toEqual({ period: 1n, epoch: 30000n });
    expect(g.block.header.baseFeePerGas).toBe(1_000_000_000n);
    expect(g.block.header.stateRoot).toEqual(await ethereumjsStateRoot(g.alloc));
    expect(bytesToHex(encodeBlockHeader(g.block.header))).toBe(bytesToHex(ethereumjsGenesisHeader(json, g.block.header.stateRoot)));
  });

  it('post-merge genesis with Cancun and Prague at 0 (blob fields, zero beacon root, empty requests hash)', async () => {
    const json = pragueAtGenesis();
    const g = await parseGenesis(json);
    const h = g.block.header;
    expect(h.excessBlobGas).toBe(0x60000n);
    expect(h.parentBeaconBlockRoot).toEqual(new Uint8Array(32));
    expect(bytesToHex(h.requestsHash!)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(h.stateRoot).toEqual(await ethereumjsStateRoot(g.alloc));
    expect(bytesToHex(encodeBlockHeader(h))).toBe(bytesToHex(ethereumjsGenesisHeader(json, h.stateRoot)));
  });
});

describe('alloc state root', () => {
  it('is the empty trie root for an empty alloc', async () => {
    expect(await allocStateRoot([])).toEqual(EMPTY_TRIE_ROOT);
  });

  it('ignores zero storage values, as geth does', async () => {
    const address = hexToBytes('0x00000000000000000000000000000000000000cc');
    const base: GenesisAccount = { address, balance: 5n, nonce: 0n, code: new Uint8Array(0), storage: [] };
    const withZero: GenesisAccount = { ...base, storage: [{ key: new Uint8Array(32), value: new Uint8Array(32) }] };
    expect(await allocStateRoot([withZero])).toEqual(await allocStateRoot([base]));
  });
});

describe('geth defaults', () => {
  it('gas limit 4712388 and difficulty 131072 for an ethash genesis that leaves them out', async () => {
    const g = await parseGenesis({ config: { chainId: 5, ethash: {} }, alloc: {} });
    expect(g.block.header.gasLimit).toBe(4712388n);
    expect(g.block.header.difficulty).toBe(131072n);
    expect(g.block.header.baseFeePerGas).toBeUndefined();
    expect(g.block.header.stateRoot).toEqual(EMPTY_TRIE_ROOT);
  });

  it('difficulty 0 when there is no ethash section', async () => {
    const g = await parseGenesis({ config: { chainId: 5 }, alloc: {} });
    expect(g.block.header.difficulty).toBe(0n);
  });
});

describe('bad genesis files name the field', () => {
  const valid = () => cliqueLondonGenesis();
  const withConfig = (patch: Record<string, unknown>) => {
    const json = valid();
    json['config'] = { ...(json['config'] as Record<string, unknown>), ...patch };
    return json;
  };

  it.each([
    ['not an object', 42, '(top level)'],
    ['no config', { alloc: {} }, 'config'],
    ['no alloc', { config: { chainId: 1 } }, 'alloc'],
    ['no chain ID', { config: {}, alloc: {} }, 'config.chainId'],
  ])('%s', async (_name, json, field) => {
    await expectGenesisError(json, field);
  });

  it('a chain ID that is not a number', async () => {
    const err = await expectGenesisError(withConfig({ chainId: 'mainnet' }), 'config.chainId');
    expect(err.message).toContain('"mainnet"');
  });

  it('an unsafe JSON integer', async () => {
    const err = await expectGenesisError(withConfig({ chainId: 2 ** 60 }), 'config.chainId');
    expect(err.message).toContain('string');
  });

  it('a negative fork block', async () => {
    await expectGenesisError(withConfig({ berlinBlock: -1 }), 'config.berlinBlock');
  });

  it('forks out of order', async () => {
    await expectGenesisError(withConfig({ berlinBlock: 10, londonBlock: 5 }), 'config.londonBlock');
  });

  it('a fork set while an earlier one is missing', async () => {
    await expectGenesisError(withConfig({ berlinBlock: undefined }), 'config.londonBlock');
  });

  it('time forks without London', async () => {
    const json = { config: { chainId: 1, shanghaiTime: 0 }, alloc: {} };
    await expectGenesisError(json, 'config.londonBlock');
  });

  it('a BPO fork without its blob schedule', async () => {
    await expectGenesisError(withConfig({ shanghaiTime: 0, cancunTime: 0, pragueTime: 0, osakaTime: 0, bpo1Time: 10 }), 'config.blobSchedule.bpo1');
  });

  it('a blob schedule entry with target above max', async () => {
    await expectGenesisError(withConfig({ blobSchedule: { cancun: { target: 7, max: 6, baseFeeUpdateFraction: 1 } } }), 'config.blobSchedule.cancun.target');
  });

  it('an alloc balance that is not a number', async () => {
    const json = valid();
    (json['alloc'] as Record<string, unknown>)['0x00000000000000000000000000000000000000dd'] = { balance: 'lots' };
    await expectGenesisError(json, 'alloc.0x00000000000000000000000000000000000000dd.balance');
  });

  it('an alloc address of the wrong length', async () => {
    const json = valid();
    (json['alloc'] as Record<string, unknown>)['0xabcd'] = { balance: '1' };
    await expectGenesisError(json, 'alloc.0xabcd');
  });

  it('odd-length code hex', async () => {
    const json = valid();
    (json['alloc'] as Record<string, unknown>)['0x00000000000000000000000000000000000000dd'] = { balance: '1', code: '0x123' };
    await expectGenesisError(json, 'alloc.0x00000000000000000000000000000000000000dd.code');
  });

  it('a mix hash of the wrong size', async () => {
    await expectGenesisError({ ...valid(), mixHash: '0x1234' }, 'mixHash');
  });

  it('a Clique genesis without a signer', async () => {
    const err = await expectGenesisError({ ...valid(), extraData: `0x${'00'.repeat(97)}` }, 'extraData');
    expect(err.message).toMatch(/signer/);
  });

  it('a genesis with a block number other than 0', async () => {
    await expectGenesisError({ ...valid(), number: '0x1' }, 'number');
  });
});
