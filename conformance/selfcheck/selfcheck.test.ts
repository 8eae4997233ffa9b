/**
 * `npm run selfcheck`'s fault half in the test run (issue 6): the reference
 * node is started with each planted fault in turn, and at least one of the
 * tests named for that fault must fail. The clean half (the whole suite,
 * 0 failures of any level) is the full run in cli/commands/conform.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { cachedFixtureDir, DEFAULT_FIXTURES } from '../fixture/default-fixtures.js';
import { loadFixture } from '../fixture/fixture.js';
import { ALL_TESTS } from '../suites/index.js';
import { FAULTS } from '../../reference-node/faults/index.js';
import { selfcheck } from './selfcheck.js';

describe('self-check: every planted fault is caught by a named test', () => {
  it('catches all of them', async () => {
    const fixtures = await Promise.all((['legacy', 'modern'] as const).map(async (p) => loadFixture(await cachedFixtureDir(DEFAULT_FIXTURES[p]))));
    const result = await selfcheck({ tests: ALL_TESTS, fixtures, cleanRun: false });
    expect(result.faults.length).toBe(FAULTS.length);
    expect(FAULTS.length).toBeGreaterThanOrEqual(25);
    expect(result.faults.filter((f) => f.problem !== undefined).map((f) => `${f.fault}: ${f.problem}`)).toEqual([]);
    expect(result.ok).toBe(true);
  }, 1_200_000);
});
