/**
 * `npm run selfcheck`: the self-check as a program (exit 0 when every fault
 * is caught and the clean node passes everything). `--only a,b` checks some faults.
 */
import { cachedFixtureDir, DEFAULT_FIXTURES } from '../fixture/default-fixtures.js';
import { loadFixture } from '../fixture/fixture.js';
import { ALL_TESTS } from '../suites/index.js';
import { selfcheck } from './selfcheck.js';

const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex > 0 ? process.argv[onlyIndex + 1]?.split(',') : undefined;
const log = (line: string) => console.log(line);
const fixtures = await Promise.all(
  (['legacy', 'modern'] as const).map(async (p) => loadFixture(await cachedFixtureDir(DEFAULT_FIXTURES[p], log))),
);
const started = Date.now();
const result = await selfcheck({ tests: ALL_TESTS, fixtures, log, ...(only ? { only } : {}) });
for (const v of result.clean.filter((x) => x.status === 'fail' || x.status === 'error')) console.log(`clean node: ${v.status} ${v.id}: ${v.message}`);
const caught = result.faults.filter((f) => f.problem === undefined).length;
console.log(`selfcheck: ${caught}/${result.faults.length} faults caught; clean node ${result.clean.filter((v) => v.status === 'fail' || v.status === 'error').length} failures; ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(result.ok ? 0 : 1);
