/**
 * The oracles fire: one planted fault of each required kind (crash, hang,
 * wrong reason) is found by its campaign from a fixed seed, shrunk, replayed
 * alone on a fresh node with the same fault, and does NOT reproduce on a
 * clean node (so the finding is the fault's, not the case's or the
 * harness's). The fastest fault of each kind; `npm run fuzz:faults` hunts
 * them all with the 2-minute budget.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cachedFixtureDir, DEFAULT_FIXTURES } from '../../conformance/fixture/default-fixtures.js';
import { loadFixture, type Fixture } from '../../conformance/fixture/fixture.js';
import { ReferenceTargetProvider } from '../../conformance/targets/reference.js';
import { replayReproducer } from '../engine/replay.js';
import { runFuzz } from '../engine/runner.js';
import type { OracleName } from '../engine/types.js';
import { createCampaign } from '../campaigns/index.js';
import { FAULT_TARGETS } from './catalog.js';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await loadFixture(await cachedFixtureDir(DEFAULT_FIXTURES.modern));
}, 300_000);

interface Planted {
  fault: string;
  /** The oracles that may report it (the over-limit snappy block is refused with 0x10, or kills the node). */
  oracles: OracleName[];
}

const PLANTED: readonly Planted[] = [
  { fault: 'rlpx-no-snappy-limit', oracles: ['disconnect-reason', 'crash', 'canary'] },
  { fault: 'p2p-ignore-ping', oracles: ['hang', 'reply'] },
  { fault: 'p2p-wrong-disconnect-reason', oracles: ['disconnect-reason'] },
];

describe('planted faults are found, shrunk and replayed', () => {
  for (const p of PLANTED) {
    const target = FAULT_TARGETS.find((t) => t.fault === p.fault)!;
    it(`${p.fault} (${target.kind}) by campaign ${target.campaign}`, async () => {
      const logs: string[] = [];
      const result = await runFuzz({
        campaign: createCampaign(target.campaign),
        provider: new ReferenceTargetProvider({ faults: [p.fault] }),
        fixture,
        targetInfo: { spec: 'reference', faults: [p.fault], profile: 'modern' },
        seed: 1,
        timeMs: 45_000,
        shrinkTimeMs: 10_000,
        maxShrinkSteps: 40,
        onLog: (l) => logs.push(l),
      });
      const finding = result.findings[0];
      expect(finding, logs.join('\n')).toBeDefined();
      const r = finding!.reproducer;
      expect(p.oracles, `${r.oracle}: ${r.observed}`).toContain(r.oracle);
      expect(finding!.replayed, logs.join('\n')).toBe(true);
      expect(r.sent.length).toBeGreaterThan(0);
      expect(r.target.faults).toEqual([p.fault]);

      const again = await replayReproducer(r, new ReferenceTargetProvider({ faults: [p.fault] }), fixture);
      expect(again.reproduced, JSON.stringify(again.verdict)).toBe(true);
      const clean = await replayReproducer(r, new ReferenceTargetProvider(), fixture);
      expect(clean.verdict, `the case passes on a node without ${p.fault}`).toEqual({ ok: true });
    }, 120_000);
  }
});
