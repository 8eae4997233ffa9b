/**
 * `npm run fuzz:faults [-- --all] [--only NAME,...] [--seed N] [--time 120] [--corpus DIR]`:
 * every crash-, hang- and wrong-reason planted fault must be found by its
 * campaign within the time limit (default 2 minutes) and shrunk to a
 * reproducer that replays on a fresh node. `--all` also hunts the
 * wrong-answer faults the campaigns' models cover. Prints one line per fault
 * and a table; exit 1 if a required fault was missed or did not replay.
 */
import { cachedFixtureDir, DEFAULT_FIXTURES } from '../../conformance/fixture/default-fixtures.js';
import { loadFixture, type Fixture } from '../../conformance/fixture/fixture.js';
import { FAULTS } from '../../reference-node/faults/index.js';
import { FAULT_TARGETS, REQUIRED_KINDS } from './catalog.js';
import { huntFault, type HuntResult } from './hunt.js';

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const all = argv.includes('--all');
  const only = arg(argv, 'only')?.split(',');
  const seed = Number(arg(argv, 'seed') ?? 1);
  const timeMs = Number(arg(argv, 'time') ?? 120) * 1000;
  const corpusDir = arg(argv, 'corpus') ?? 'fuzz-corpus/faults';
  const unknown = FAULT_TARGETS.filter((t) => !FAULTS.some((f) => f.name === t.fault));
  if (unknown.length) console.log(`not planted in this build (skipped): ${unknown.map((t) => t.fault).join(', ')}`);
  const targets = FAULT_TARGETS.filter((t) => FAULTS.some((f) => f.name === t.fault) && (only ? only.includes(t.fault) : all || REQUIRED_KINDS.has(t.kind)));
  const fixtures = new Map<string, Fixture>();
  const results: HuntResult[] = [];
  for (const t of targets) {
    const profile = t.profile ?? 'modern';
    if (!fixtures.has(profile)) fixtures.set(profile, await loadFixture(await cachedFixtureDir(DEFAULT_FIXTURES[profile])));
    const r = await huntFault(t, fixtures.get(profile)!, { seed, timeMs, shrinkTimeMs: 60_000, corpusDir });
    results.push(r);
    console.log(
      `${r.found ? (r.replayed ? 'FOUND+REPLAYED' : 'FOUND, NO REPLAY') : 'MISSED'} ${t.fault} (${t.kind}, ${t.campaign})` +
        (r.found ? ` after ${(r.foundAfterMs! / 1000).toFixed(1)} s / ${r.foundAfterCases} cases, ${r.finding!.reproducer.shrinkSteps} shrink steps: ${r.finding!.reproducer.oracle}: ${r.finding!.reproducer.description}` : ` in ${(timeMs / 1000).toFixed(0)} s`),
    );
  }
  console.log('\n| fault | kind | campaign | found after | cases | shrink steps | oracle | replays |\n| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    const f = r.finding?.reproducer;
    console.log(`| ${r.target.fault} | ${r.target.kind} | ${r.target.campaign} | ${r.found ? `${(r.foundAfterMs! / 1000).toFixed(1)} s` : 'missed'} | ${r.foundAfterCases ?? '-'} | ${f?.shrinkSteps ?? '-'} | ${f?.oracle ?? '-'} | ${r.replayed ? 'yes' : 'no'} |`);
  }
  const bad = results.filter((r) => REQUIRED_KINDS.has(r.target.kind) && (!r.found || !r.replayed || r.foundAfterMs! > timeMs));
  console.log(`\n${results.length - bad.length} of ${results.length} hunted faults as required${bad.length ? `; failing: ${bad.map((r) => r.target.fault).join(', ')}` : ''}`);
  return bad.length > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
