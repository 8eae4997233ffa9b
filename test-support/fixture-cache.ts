/**
 * Test support: fixtures from the generator, written once per machine and
 * reused. A 2000-block chain takes a while to build (every block is
 * executed), and several test files want the same one. The cache key holds
 * the options and a digest of the generator and chain sources, so a change
 * to either makes a fresh fixture; writes go to a temporary folder renamed
 * into place, so parallel test workers never see half a fixture.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE_FILES, generateFixture, writeFixture, type FixtureOptions } from '../reference-node/miner/fixture.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['reference-node/miner', 'reference-node/chain', 'reference-node/wire/tx'];

/** The chain of issue 4's kill -9 test and bench/sync.ts: 2000 Clique blocks with 5 txs each. */
export const CLIQUE_2000: FixtureOptions = { profile: 'legacy', blocks: 2000, seed: 'clique-2000', txsPerBlock: 5 };

export interface FixturePaths {
  dir: string;
  genesis: string;
  chain: string;
  accounts: string;
  headFcu: string;
}

let sourceDigest: string | undefined;

function digestOfSources(): string {
  if (sourceDigest) return sourceDigest;
  const hash = createHash('sha256');
  for (const dir of SOURCE_DIRS) {
    for (const name of readdirSync(join(root, dir)).sort()) {
      if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
      hash.update(name).update(readFileSync(join(root, dir, name)));
    }
  }
  sourceDigest = hash.digest('hex').slice(0, 16);
  return sourceDigest;
}

function pathsIn(dir: string): FixturePaths {
  return {
    dir,
    genesis: join(dir, FIXTURE_FILES.genesis),
    chain: join(dir, FIXTURE_FILES.chain),
    accounts: join(dir, FIXTURE_FILES.accounts),
    headFcu: join(dir, FIXTURE_FILES.headFcu),
  };
}

/** The fixture for `options`, generated on first use. */
export async function cachedFixture(options: FixtureOptions): Promise<FixturePaths> {
  const key = createHash('sha256')
    .update(JSON.stringify(options, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))
    .update(digestOfSources())
    .digest('hex')
    .slice(0, 24);
  const base = join(tmpdir(), 'devp2p-check-fixtures');
  const dir = join(base, `${options.profile}-${options.blocks}-${key}`);
  if (existsSync(join(dir, FIXTURE_FILES.headFcu))) return pathsIn(dir);
  await mkdir(base, { recursive: true });
  const scratch = await mkdtemp(join(base, 'tmp-'));
  try {
    await writeFixture(scratch, await generateFixture(options));
    await rename(scratch, dir).catch(async (err: NodeJS.ErrnoException) => {
      // Another worker finished first: theirs is the same bytes.
      if (!existsSync(join(dir, FIXTURE_FILES.headFcu))) throw err;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return pathsIn(dir);
}

export interface FixtureKey {
  address: string;
  key: string;
  signer: boolean;
}

/** accounts.json of a fixture (address → { key, signer? }), as a list. */
export async function fixtureAccounts(paths: FixturePaths): Promise<FixtureKey[]> {
  const json = JSON.parse(await readFile(paths.accounts, 'utf8')) as Record<string, { key: string; signer?: boolean }>;
  return Object.entries(json).map(([address, v]) => ({ address, key: v.key, signer: v.signer === true }));
}
