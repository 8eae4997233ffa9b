/**
 * Every campaign, a short seeded run against the clean reference node: the
 * campaign's model and the global oracles (alive, canary) must agree with a
 * correct node, case after case. A model that is wrong about the spec (or a
 * node bug) shows here as a finding; the fault tests show the same oracles
 * do fire on planted bugs, so "0 findings" is not vacuous.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cachedFixtureDir, DEFAULT_FIXTURES } from '../../conformance/fixture/default-fixtures.js';
import { loadFixture, type Fixture } from '../../conformance/fixture/fixture.js';
import { ReferenceTargetProvider } from '../../conformance/targets/reference.js';
import { runFuzz } from '../engine/runner.js';
import type { CampaignName } from '../engine/types.js';
import { createCampaign } from './index.js';

/** Cases per campaign: a few seconds each on a loaded 2-core machine. */
const RUNS: Readonly<Record<CampaignName, number>> = { handshake: 30, frame: 50, p2p: 40, eth: 250, discv4: 200, session: 10 };

let fixture: Fixture;
beforeAll(async () => {
  fixture = await loadFixture(await cachedFixtureDir(DEFAULT_FIXTURES.modern));
}, 300_000);

describe('campaigns against the clean reference node', () => {
  for (const name of Object.keys(RUNS) as CampaignName[]) {
    it(`${name}: ${RUNS[name]} seeded cases, 0 findings, every case judged`, async () => {
      const logs: string[] = [];
      const result = await runFuzz({
        campaign: createCampaign(name),
        provider: new ReferenceTargetProvider(),
        fixture,
        targetInfo: { spec: 'reference', faults: [], profile: 'modern' },
        seed: 20261128,
        runs: RUNS[name],
        canaryEvery: 20,
        onLog: (l) => logs.push(l),
      });
      const findings = result.findings.map((f) => `${f.reproducer.oracle}: ${f.reproducer.description}; expected ${f.reproducer.expected}; observed ${f.reproducer.observed}`);
      expect(findings, logs.join('\n')).toEqual([]);
      expect(result.cases).toBe(RUNS[name]);
      expect(result.harnessErrors, logs.join('\n')).toBe(0);
      expect(result.restarts).toBe(0);
    }, 120_000);
  }
});
