/**
 * CI replays the whole committed corpus (fuzz/corpus/) on every run, no new
 * exploration: each reproducer is sent again, byte for byte, to a reference
 * node started with the faults it records, and must give its recorded
 * verdict ('finding': the same failure signature again, i.e. the same oracle
 * and wording; 'fixed': it passes now).
 *
 * The reproducers of @ethereumjs/client bugs (fuzz/findings/ethereumjs/) and
 * of its discovery (fuzz/findings/ethereumjs-dpt/) are replayed too, against
 * the clean reference node, where each must pass: the bytes that break that
 * client get the spec's answer from ours.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cachedFixtureDir, DEFAULT_FIXTURES } from '../../conformance/fixture/default-fixtures.js';
import { loadFixture, type Fixture } from '../../conformance/fixture/fixture.js';
import { ReferenceTargetProvider } from '../../conformance/targets/reference.js';
import { FAULTS } from '../../reference-node/faults/index.js';
import { replayReproducer } from './replay.js';
import { readReproducer, type Reproducer } from './reproducer.js';
import { failureSignature } from './signature.js';

const CORPUS = resolve(import.meta.dirname, '../corpus');
const files = readdirSync(CORPUS).filter((f) => f.endsWith('.json')).sort();
const fixtures = new Map<string, Fixture>();

beforeAll(async () => {
  for (const profile of ['legacy', 'modern'] as const) fixtures.set(profile, await loadFixture(await cachedFixtureDir(DEFAULT_FIXTURES[profile])));
}, 300_000);

describe('the committed fuzz corpus replays with its recorded verdict', () => {
  it('holds reproducers', () => {
    expect(files.length).toBeGreaterThanOrEqual(22);
  });

  for (const file of files) {
    it(file, async () => {
      const r = await readReproducer(join(CORPUS, file));
      expect(r.target.spec, 'corpus entries run against the reference node').toBe('reference');
      for (const f of r.target.faults) expect(FAULTS.map((x) => x.name), `fault ${f} is planted in this build`).toContain(f);
      const result = await replayReproducer(r, new ReferenceTargetProvider({ faults: r.target.faults }), fixtures.get(r.target.profile)!);
      if ((r.expect ?? 'finding') === 'finding') expect(result.sameFailure, `recorded ${failureSignature(r)}; now ${JSON.stringify(result.verdict)}`).toBe(true);
      else expect(result.verdict).toEqual({ ok: true });
    }, 60_000);
  }
});

/** Reproducers recorded against another implementation: each must pass on the clean reference node. */
function passAgainstReference(title: string, dir: string, minimum: number, recordedAgainst: (r: Reproducer) => boolean): void {
  const found = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).sort();
  describe(title, () => {
    it('holds reproducers', () => {
      expect(found.length).toBeGreaterThanOrEqual(minimum);
    });

    for (const file of found) {
      it(file, async () => {
        const r = await readReproducer(join(dir, file));
        expect(recordedAgainst(r), `recorded against ${r.target.spec} (campaign ${r.campaign})`).toBe(true);
        const result = await replayReproducer(r, new ReferenceTargetProvider({ faults: [] }), fixtures.get(r.target.profile)!);
        expect(result.verdict).toEqual({ ok: true });
      }, 60_000);
    }
  });
}

passAgainstReference('the @ethereumjs/client findings pass against the reference node', resolve(import.meta.dirname, '../findings/ethereumjs'), 30, (r) => r.target.spec.startsWith('cmd:'));
passAgainstReference('the @ethereumjs/devp2p DPT (discv4) findings pass against the reference node', resolve(import.meta.dirname, '../findings/ethereumjs-dpt'), 5, (r) => r.target.spec === 'ethereumjs-dpt' && r.campaign === 'discv4');
