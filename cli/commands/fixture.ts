/**
 * `devp2p-check fixture generate`: writes a deterministic fixture (genesis.json,
 * chain.rlp, accounts.json, headfcu.json; the files of geth's eth-test
 * testdata) for a node under test to load. Same arguments, same bytes.
 */
import { bytesToHex } from '../../reference-node/wire/bytes.js';
import { generateFixture, writeFixture } from '../../reference-node/miner/fixture.js';
import { flagInt, flagString, parseArgs } from '../args.js';
import { UsageError } from '../errors.js';

export const FIXTURE_USAGE = 'fixture generate --out DIR --profile modern|legacy --blocks N --seed S [--txs-per-block K]';

const MAX_BLOCKS = 1_000_000;
/** A 30M-gas block holds at most 1428 plain transfers; keep well inside it. */
const MAX_TXS_PER_BLOCK = 1000;

function required(value: string | undefined, flag: string, hint: string): string {
  if (value === undefined) throw new UsageError(`fixture generate needs --${flag} (${hint})`);
  return value;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'generate') throw new UsageError(`usage: ${FIXTURE_USAGE}`);
  const args = parseArgs(rest, { values: ['out', 'profile', 'blocks', 'seed', 'txs-per-block'] });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const out = required(flagString(args, 'out'), 'out', 'the directory to write the fixture files into');
  const profile = required(flagString(args, 'profile'), 'profile', 'modern or legacy');
  if (profile !== 'modern' && profile !== 'legacy') throw new UsageError(`--profile must be modern or legacy, got "${profile}"`);
  const blocks = flagInt(args, 'blocks', 0, MAX_BLOCKS);
  if (blocks === undefined) throw new UsageError(`fixture generate needs --blocks (0 to ${MAX_BLOCKS})`);
  const seed = required(flagString(args, 'seed'), 'seed', 'any string; the same seed gives the same keys and chain');
  const txsPerBlock = flagInt(args, 'txs-per-block', 0, MAX_TXS_PER_BLOCK);

  const fixture = await generateFixture({ profile, blocks, seed, ...(txsPerBlock === undefined ? {} : { txsPerBlock }) });
  await writeFixture(out, fixture);
  console.log(`wrote ${profile} fixture to ${out}: genesis 0x${bytesToHex(fixture.genesisHash)}, head ${fixture.head.number} 0x${bytesToHex(fixture.head.hash)}`);
  return 0;
}
