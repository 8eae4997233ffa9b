/**
 * The HIVE_* variables against hive's documented names (docs/clients.md and
 * its geth mapper, written out here by hand), and a round trip through the
 * images' own genesis helper: a genesis rebuilt from the variables alone, as
 * hive's clients rebuild it, has the same genesis hash and fork schedule.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGenesisFile } from '../../../reference-node/chain/genesis.js';
import { bytesToHex } from '../../../reference-node/wire/bytes.js';
import { decodeBlockSequence } from '../../../reference-node/wire/block.js';
import { cachedFixture } from '../../../test-support/fixture-cache.js';
import { loadFixture } from '../../fixture/fixture.js';
// The helper that runs inside the images (plain JS, no types).
// @ts-expect-error no declaration file for the in-image script
import { applyHiveEnv, HIVE_CONFIG_VARIABLES as IMAGE_TABLE } from '../../../ci/docker/hive-genesis.mjs';
import { contractFiles, hasEngine, HiveContractError, hiveChainEnv, HIVE_CONFIG_VARIABLES, HIVE_JWT_SECRET, portEnv } from './hive-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'hive-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ALLOC = { '0x71562b71999873db5b286df957af199ec94617f7': { balance: '0x3635c9adc5dea00000' } };

async function genesisFrom(json: Record<string, unknown>, name: string) {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return loadGenesisFile(path);
}

describe('hive chain variables', () => {
  it('use the names hive documents for each config field', () => {
    // From hive's docs/clients.md and clients/go-ethereum/mapper.jq.
    expect(HIVE_CONFIG_VARIABLES).toMatchObject({
      chainId: 'HIVE_CHAIN_ID',
      homesteadBlock: 'HIVE_FORK_HOMESTEAD',
      daoForkBlock: 'HIVE_FORK_DAO_BLOCK',
      eip150Block: 'HIVE_FORK_TANGERINE',
      eip155Block: 'HIVE_FORK_SPURIOUS',
      eip158Block: 'HIVE_FORK_SPURIOUS',
      byzantiumBlock: 'HIVE_FORK_BYZANTIUM',
      constantinopleBlock: 'HIVE_FORK_CONSTANTINOPLE',
      petersburgBlock: 'HIVE_FORK_PETERSBURG',
      istanbulBlock: 'HIVE_FORK_ISTANBUL',
      muirGlacierBlock: 'HIVE_FORK_MUIR_GLACIER',
      berlinBlock: 'HIVE_FORK_BERLIN',
      londonBlock: 'HIVE_FORK_LONDON',
      arrowGlacierBlock: 'HIVE_FORK_ARROW_GLACIER',
      grayGlacierBlock: 'HIVE_FORK_GRAY_GLACIER',
      mergeNetsplitBlock: 'HIVE_MERGE_BLOCK_ID',
      terminalTotalDifficulty: 'HIVE_TERMINAL_TOTAL_DIFFICULTY',
      shanghaiTime: 'HIVE_SHANGHAI_TIMESTAMP',
      cancunTime: 'HIVE_CANCUN_TIMESTAMP',
      pragueTime: 'HIVE_PRAGUE_TIMESTAMP',
    });
    // The images apply the same table.
    expect(IMAGE_TABLE).toEqual(HIVE_CONFIG_VARIABLES);
  });

  it('describe a Clique London chain', async () => {
    const genesis = await genesisFrom(
      {
        config: { chainId: 1337, homesteadBlock: 0, eip150Block: 0, eip155Block: 0, eip158Block: 0, byzantiumBlock: 0, constantinopleBlock: 0, petersburgBlock: 0, istanbulBlock: 0, berlinBlock: 0, londonBlock: 5, clique: { period: 1, epoch: 30000 } },
        difficulty: '0x1',
        gasLimit: '0x1c9c380',
        extraData: `0x${'00'.repeat(32)}71562b71999873db5b286df957af199ec94617f7${'00'.repeat(65)}`,
        alloc: ALLOC,
      },
      'clique.json',
    );
    expect(hiveChainEnv({ genesis, networkId: 4242n })).toEqual({
      HIVE_NETWORK_ID: '4242',
      HIVE_NODETYPE: 'full',
      HIVE_LOGLEVEL: '3',
      HIVE_CHAIN_ID: '1337',
      HIVE_FORK_HOMESTEAD: '0',
      HIVE_FORK_TANGERINE: '0',
      HIVE_FORK_SPURIOUS: '0',
      HIVE_FORK_BYZANTIUM: '0',
      HIVE_FORK_CONSTANTINOPLE: '0',
      HIVE_FORK_PETERSBURG: '0',
      HIVE_FORK_ISTANBUL: '0',
      HIVE_FORK_BERLIN: '0',
      HIVE_FORK_LONDON: '5',
      HIVE_CLIQUE_PERIOD: '1',
    });
  });

  it('carry a terminal total difficulty and time forks (which turn the Engine API on)', async () => {
    const genesis = await genesisFrom(
      { config: { chainId: 7, homesteadBlock: 0, eip150Block: 0, eip155Block: 0, eip158Block: 0, byzantiumBlock: 0, constantinopleBlock: 0, petersburgBlock: 0, istanbulBlock: 0, berlinBlock: 0, londonBlock: 0, mergeNetsplitBlock: 0, terminalTotalDifficulty: '0x20000000000000000', shanghaiTime: 0, cancunTime: 1700000000 }, difficulty: '0x0', gasLimit: '0x1c9c380', alloc: ALLOC },
      'merged.json',
    );
    const env = hiveChainEnv({ genesis, networkId: 7n });
    expect(env).toMatchObject({ HIVE_TERMINAL_TOTAL_DIFFICULTY: '36893488147419103232', HIVE_MERGE_BLOCK_ID: '0', HIVE_SHANGHAI_TIMESTAMP: '0', HIVE_CANCUN_TIMESTAMP: '1700000000' });
    expect(env['HIVE_CLIQUE_PERIOD']).toBeUndefined();
    expect(hasEngine(env)).toBe(true);
    expect(hasEngine(hiveChainEnv({ genesis: await genesisFrom({ config: { chainId: 7, homesteadBlock: 0 }, alloc: ALLOC }, 'no-merge.json'), networkId: 7n }))).toBe(false);
  });

  it('refuse a config hive cannot express (EIP-155 and EIP-158 at different blocks)', async () => {
    const genesis = await genesisFrom({ config: { chainId: 1, homesteadBlock: 0, eip150Block: 0, eip155Block: 3, eip158Block: 4 }, alloc: ALLOC }, 'split.json');
    expect(() => hiveChainEnv({ genesis, networkId: 1n })).toThrow(HiveContractError);
  });

  it('rebuild the same chain when a client takes its config from them alone', async () => {
    const fixture = await loadFixture((await cachedFixture({ profile: 'modern', blocks: 4, seed: 'hive-contract', txsPerBlock: 0 })).dir);
    const env = hiveChainEnv(fixture);
    // What a hive client starts from: the genesis with its config rebuilt from the environment.
    const stripped = { ...fixture.genesis.json, config: {} };
    const rebuilt = await genesisFrom(applyHiveEnv(stripped, env) as Record<string, unknown>, 'rebuilt.json');
    expect(bytesToHex(rebuilt.hash)).toBe(bytesToHex(fixture.genesis.hash));
    expect(rebuilt.config.blockForks).toEqual(fixture.genesis.config.blockForks);
    expect(rebuilt.config.timeForks).toEqual(fixture.genesis.config.timeForks);
    expect(rebuilt.config.terminalTotalDifficulty).toBe(fixture.genesis.config.terminalTotalDifficulty);
    expect(rebuilt.config.chainId).toBe(fixture.genesis.config.chainId);
  });
});

describe('the rest of the contract', () => {
  it("is hive's fixed JWT secret (0x7365...65, as hive's client scripts write it)", () => {
    expect(bytesToHex(HIVE_JWT_SECRET)).toBe('7365637265747365637265747365637265747365637265747365637265747365');
  });

  it('passes ports and the bind address in DEVP2P_CHECK_* variables', () => {
    expect(portEnv('127.0.0.1', { p2p: 40001, rpc: 40002, engine: 40003 })).toEqual({
      DEVP2P_CHECK_HOST: '127.0.0.1',
      DEVP2P_CHECK_P2P_PORT: '40001',
      DEVP2P_CHECK_RPC_PORT: '40002',
      DEVP2P_CHECK_AUTH_PORT: '40003',
    });
  });

  it('uploads genesis.json and the chain, or a prefix of it, or no chain for prefix 0', async () => {
    const fixture = await loadFixture((await cachedFixture({ profile: 'legacy', blocks: 12, seed: 'hive-contract', txsPerBlock: 1 })).dir);
    const read = async (p: string) => new Uint8Array(await import('node:fs/promises').then((fs) => fs.readFile(p)));
    const full = await contractFiles(fixture, undefined, read);
    expect(full.map((f) => f.name)).toEqual(['genesis.json', 'chain.rlp']);
    expect(full[1]!.data).toEqual(await read(fixture.chainPath));
    const prefix = await contractFiles(fixture, 5, read);
    expect(decodeBlockSequence(prefix[1]!.data!).map((b) => b.header.number)).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect((await contractFiles(fixture, 0, read)).map((f) => f.name)).toEqual(['genesis.json']);
  });
});
