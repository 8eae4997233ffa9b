/**
 * hive's eth1 client contract as devp2p-check uses it (hive docs/clients.md):
 * the HIVE_* variables that describe the fixture's chain, the files uploaded
 * before start, the enode script, the Engine API's fixed JWT secret, and the
 * default ports. Plus the one extension host networking needs: the ports
 * (and the p2p bind address) in DEVP2P_CHECK_* variables, honoured by
 * images labelled `devp2p-check.ports=env`. Pure.
 */
import { encodeBlock } from '../../../reference-node/wire/block.js';
import { chainPrefixRlp, type Fixture } from '../../fixture/fixture.js';
import type { TarEntry } from './tar.js';

/** geth config key -> hive variable; ci/docker/hive-genesis.mjs applies the same table inside the images. */
export const HIVE_CONFIG_VARIABLES: Readonly<Record<string, string>> = {
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
  osakaTime: 'HIVE_OSAKA_TIMESTAMP',
};

/** hive's Engine API secret: the ASCII of "secretsecretsecretsecretsecretse", which every hive client writes to its jwtsecret file. */
export const HIVE_JWT_SECRET: Uint8Array = new TextEncoder().encode('secretsecretsecretsecretsecretse');

export const HIVE_PORTS = { p2p: 30303, rpc: 8545, engine: 8551 } as const;
export const HIVE_ENODE_SCRIPT = '/hive-bin/enode.sh';

/** The image label saying its start script takes ports from DEVP2P_CHECK_* (ours do; hive's own clients do not). */
export const PORTS_LABEL = 'devp2p-check.ports';

export interface ContainerPorts {
  p2p: number;
  rpc: number;
  engine: number;
}

export class HiveContractError extends Error {
  override readonly name = 'HiveContractError';
}

/** A genesis config number (JSON number, decimal or 0x string) as the decimal string hive variables hold. */
function decimal(key: string, value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^(0x[0-9a-fA-F]+|\d+)$/.test(value)) return BigInt(value).toString();
  throw new HiveContractError(`genesis config.${key} = ${JSON.stringify(value)} is not a non-negative integer`);
}

/** HIVE_* variables describing the fixture's chain, so a client that rebuilds its config from them (as hive's mappers do) gets the same chain. */
export function hiveChainEnv(fixture: Pick<Fixture, 'genesis' | 'networkId'>): Record<string, string> {
  const config = (fixture.genesis.json['config'] ?? {}) as Record<string, unknown>;
  const env: Record<string, string> = { HIVE_NETWORK_ID: fixture.networkId.toString(), HIVE_NODETYPE: 'full', HIVE_LOGLEVEL: '3' };
  for (const [key, variable] of Object.entries(HIVE_CONFIG_VARIABLES)) {
    const value = config[key];
    if (value === undefined || value === null) continue;
    const text = decimal(key, value);
    // eip155Block and eip158Block share HIVE_FORK_SPURIOUS: a config that splits them cannot be said in hive's terms.
    if (env[variable] !== undefined && env[variable] !== text) throw new HiveContractError(`genesis config sets ${key} = ${text} but ${variable} is already ${env[variable]}: hive has one variable for both`);
    env[variable] = text;
  }
  if (config['daoForkSupport'] !== undefined) env['HIVE_FORK_DAO_VOTE'] = config['daoForkSupport'] ? '1' : '0';
  const clique = config['clique'] as { period?: unknown } | undefined;
  if (clique && clique.period !== undefined) env['HIVE_CLIQUE_PERIOD'] = decimal('clique.period', clique.period);
  return env;
}

/** The DEVP2P_CHECK_* extension: where the client listens on the host network. */
export function portEnv(host: string, ports: ContainerPorts): Record<string, string> {
  return {
    DEVP2P_CHECK_HOST: host,
    DEVP2P_CHECK_P2P_PORT: String(ports.p2p),
    DEVP2P_CHECK_RPC_PORT: String(ports.rpc),
    DEVP2P_CHECK_AUTH_PORT: String(ports.engine),
  };
}

/** Whether the chain config turns the Engine API on in a hive client (it does when HIVE_TERMINAL_TOTAL_DIFFICULTY is set). */
export function hasEngine(env: Readonly<Record<string, string>>): boolean {
  return env['HIVE_TERMINAL_TOTAL_DIFFICULTY'] !== undefined;
}

/** /genesis.json and /chain.rlp (blocks 1..prefix when a test wants a shorter chain; none for prefix 0) as uploaded to / before start. */
export async function contractFiles(fixture: Fixture, chainPrefix: number | undefined, readFile: (path: string) => Promise<Uint8Array>): Promise<TarEntry[]> {
  const files: TarEntry[] = [{ name: 'genesis.json', data: await readFile(fixture.genesisPath) }];
  const prefix = Math.min(chainPrefix ?? fixture.head.number, fixture.head.number);
  if (prefix === fixture.head.number && prefix > 0) files.push({ name: 'chain.rlp', data: await readFile(fixture.chainPath) });
  else if (prefix > 0) files.push({ name: 'chain.rlp', data: chainPrefixRlp(fixture, prefix, encodeBlock) });
  return files;
}
