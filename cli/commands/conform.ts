/**
 * `devp2p-check conform`: runs the conformance suites against a target and
 * writes the reports. Exit codes: 0 every MUST test passed, 1 a MUST test
 * failed or the harness erred, 2 usage, 3 the target could not be reached.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runner, TargetUnreachableError, type TargetPlan } from '../../conformance/core/runner.js';
import { selectTests, SelectionError, shardTests } from '../../conformance/core/select.js';
import { summarize, type Verdict } from '../../conformance/core/verdict.js';
import { cachedFixtureDir, DEFAULT_FIXTURES } from '../../conformance/fixture/default-fixtures.js';
import { FixtureError, loadFixture, type Fixture } from '../../conformance/fixture/fixture.js';
import { ConsoleReporter } from '../../conformance/report/console.js';
import { writeReports } from '../../conformance/report/write-reports.js';
import type { RunInfo } from '../../conformance/report/run-info.js';
import { ALL_TESTS } from '../../conformance/suites/index.js';
import { parseTargetSpec, TargetSpecError } from '../../conformance/targets/parse.js';
import type { TargetProvider } from '../../conformance/targets/target.js';
import { WithoutCapabilities } from '../../conformance/targets/without.js';
import type { Requirement } from '../../conformance/core/test.js';
import { FAULTS } from '../../reference-node/faults/index.js';
import { flagInt, flagString, parseArgs } from '../args.js';
import { EXIT_FAILED, EXIT_OK, UnreachableError, UsageError } from '../errors.js';

export const CONFORM_USAGE =
  'conform [--target reference|enode://..|cmd:"..."|docker:IMAGE] [--chain DIR] [--profile legacy|modern|both] [--run GLOBS] [--list] [--seed S] [--jobs N] [--shard I/N] [--junit F] [--json F] [--html F] [--hive-results DIR] [--rpc URL] [--engine URL --jwtsecret HEX] [--without CAPS] [--fault NAMES] [--list-faults] [--docker-host URL] [--hive-clients DIR [--docker-build-arg K=V,..]]';

const VALUES = ['without', 'target', 'chain', 'profile', 'run', 'seed', 'jobs', 'shard', 'junit', 'json', 'html', 'hive-results', 'rpc', 'engine', 'jwtsecret', 'fault', 'docker-host', 'hive-clients', 'docker-build-arg'];
const SWITCHES = ['list', 'list-faults', 'quiet'];

const KNOWN_CAPABILITIES = ['rpc', 'engine', 'dial-out', 'mining', 'fresh-target', 'discv4', 'eth/66', 'eth/67', 'eth/68', 'eth/69', 'eth/70'];

function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, dir = resolve(dir, '..')) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // keep walking up
    }
  }
  return 'unknown';
}

function parseShard(text: string | undefined): { index: number; count: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard must be I/N with 1 <= I <= N, got "${text}"`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

async function fixturesFor(chain: string | undefined, profile: string, log: (l: string) => void): Promise<Fixture[]> {
  if (!['legacy', 'modern', 'both'].includes(profile)) throw new UsageError(`--profile must be legacy, modern or both, got "${profile}"`);
  try {
    if (chain !== undefined) return [await loadFixture(chain)];
    const profiles = profile === 'both' ? (['legacy', 'modern'] as const) : [profile as 'legacy' | 'modern'];
    const dirs = [];
    for (const p of profiles) dirs.push(await cachedFixtureDir(DEFAULT_FIXTURES[p], log));
    return await Promise.all(dirs.map((d) => loadFixture(d)));
  } catch (err) {
    if (err instanceof FixtureError) throw new UsageError(`--chain: ${err.message}`);
    throw err;
  }
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: VALUES, switches: SWITCHES });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}" (usage: ${CONFORM_USAGE})`);
  if (args.flags.has('list-faults')) {
    for (const f of FAULTS) console.log(`${f.name.padEnd(34)} ${f.description}`);
    return EXIT_OK;
  }
  let tests = [...ALL_TESTS];
  try {
    tests = selectTests(tests, flagString(args, 'run'));
  } catch (err) {
    if (err instanceof SelectionError) throw new UsageError(err.message);
    throw err;
  }
  const shard = parseShard(flagString(args, 'shard'));
  if (shard) tests = shardTests(tests, shard.index, shard.count).sort((a, b) => ALL_TESTS.indexOf(a) - ALL_TESTS.indexOf(b));
  if (args.flags.has('list')) {
    for (const t of tests) console.log(`${t.id.padEnd(48)} ${t.level.padEnd(6)} ${t.spec.padEnd(36)} ${t.title}`);
    return EXIT_OK;
  }
  const quiet = args.flags.has('quiet');
  const log = (line: string) => {
    if (!quiet) console.log(line);
  };

  let provider: TargetProvider;
  try {
    provider = parseTargetSpec(flagString(args, 'target') ?? 'reference', {
      rpc: flagString(args, 'rpc'),
      engine: flagString(args, 'engine'),
      jwtSecret: flagString(args, 'jwtsecret'),
      faults: flagString(args, 'fault')?.split(',').filter((f) => f !== ''),
      dockerHost: flagString(args, 'docker-host'),
      hiveClients: flagString(args, 'hive-clients'),
      dockerBuildArgs: flagString(args, 'docker-build-arg'),
    });
  } catch (err) {
    if (err instanceof TargetSpecError) throw new UsageError(err.message);
    throw err;
  }
  const without = flagString(args, 'without')?.split(',').filter((c) => c !== '');
  if (without) {
    const unknown = without.filter((c) => !KNOWN_CAPABILITIES.includes(c));
    if (unknown.length > 0) throw new UsageError(`--without: unknown capability "${unknown[0]}" (known: ${KNOWN_CAPABILITIES.join(', ')})`);
    provider = new WithoutCapabilities(provider, new Set(without as Requirement[]));
  }
  const profile = flagString(args, 'profile') ?? (flagString(args, 'chain') === undefined && provider.canLaunchFresh ? 'both' : 'legacy');
  const fixtures = await fixturesFor(flagString(args, 'chain'), profile, log);
  const seed = flagString(args, 'seed') ?? 'devp2p-check';
  const plans: TargetPlan[] = fixtures.map((fixture) => ({ provider, fixture }));
  const reporter = new ConsoleReporter(tests.length, quiet ? () => undefined : undefined);
  const runner = new Runner(plans, { seed, jobs: flagInt(args, 'jobs', 1, 64) ?? 8, onVerdict: (v) => reporter.verdict(v) });

  const startedAt = new Date();
  log(`devp2p-check conform: ${tests.length} tests against ${provider.description} (${fixtures.map((f) => `${f.profile} fixture, head ${f.head.number}`).join('; ')}), seed "${seed}"`);
  const stopOnSignal = () => {
    void runner.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  let verdicts: Verdict[];
  let targets;
  try {
    try {
      targets = await runner.start();
    } catch (err) {
      if (err instanceof TargetUnreachableError) throw new UnreachableError(`target unreachable: ${err.message}`);
      throw err;
    }
    for (const t of targets) log(`target: ${t.description} ${t.enode} caps ${t.announcedCaps.join(',')}`);
    verdicts = await runner.run(tests);
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await runner.stop();
  }
  const wallMs = Date.now() - startedAt.getTime();
  reporter.summary(verdicts, wallMs);
  const info: RunInfo = {
    tool: 'devp2p-check',
    version: packageVersion(),
    startedAt: startedAt.toISOString(),
    wallMs,
    seed,
    targets: targets.map((t) => ({ description: t.description, enode: t.enode, announcedCaps: t.announcedCaps, fixture: t.fixture.dir, profile: t.fixture.profile })),
    ...(flagString(args, 'run') ? { selection: flagString(args, 'run')! } : {}),
  };
  await writeReports(
    {
      junit: flagString(args, 'junit'),
      json: flagString(args, 'json'),
      html: flagString(args, 'html'),
      hiveResults: flagString(args, 'hive-results'),
    },
    info,
    verdicts,
  );
  const s = summarize(verdicts);
  return s.mustFailed > 0 || s.errors > 0 ? EXIT_FAILED : EXIT_OK;
}
