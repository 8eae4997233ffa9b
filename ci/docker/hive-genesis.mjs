#!/usr/bin/env node
/**
 * Runs inside the client images: applies hive's HIVE_* chain variables to a
 * geth-style genesis.json, as hive's client start scripts do, so a simulator
 * that describes the chain through the environment gets that chain. A
 * variable that is not set leaves the genesis value alone (hive's own
 * mappers rebuild the whole config from the environment; devp2p-check sets
 * every variable, so both ways give the same chain).
 *
 *   node hive-genesis.mjs IN.json OUT.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** geth config key -> hive variable (hive's docs/clients.md and its geth mapper). */
export const HIVE_CONFIG_VARIABLES = {
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

/** The genesis with the variables in `env` applied; numbers stay JSON numbers when they fit, as geth writes them. */
export function applyHiveEnv(genesis, env) {
  const config = { ...(genesis.config ?? {}) };
  for (const [key, variable] of Object.entries(HIVE_CONFIG_VARIABLES)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    if (!/^\d+$/.test(value)) throw new Error(`${variable}="${value}" is not a decimal number`);
    const n = BigInt(value);
    config[key] = n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
  }
  if (env.HIVE_CLIQUE_PERIOD) config.clique = { ...(config.clique ?? {}), period: Number(env.HIVE_CLIQUE_PERIOD) };
  return { ...genesis, config };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: node hive-genesis.mjs IN.json OUT.json');
    process.exit(2);
  }
  writeFileSync(output, `${JSON.stringify(applyHiveEnv(JSON.parse(readFileSync(input, 'utf8')), process.env), null, 2)}\n`);
}
