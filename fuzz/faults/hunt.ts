/**
 * Hunting one planted fault: run its campaign against the reference node
 * with the fault switched on, stop at the first finding, shrink it, then
 * replay the reproducer on a newly started node (with the same fault) to
 * show that it replays.
 */
import type { Fixture } from '../../conformance/fixture/fixture.js';
import { ReferenceTargetProvider } from '../../conformance/targets/reference.js';
import { createCampaign } from '../campaigns/index.js';
import { replayReproducer } from '../engine/replay.js';
import { runFuzz, type Finding } from '../engine/runner.js';
import type { FaultTarget } from './catalog.js';

export interface HuntResult {
  target: FaultTarget;
  found: boolean;
  /** Wall time and cases until the first finding (exploration only). */
  foundAfterMs?: number;
  foundAfterCases?: number;
  finding?: Finding;
  /** The reproducer replayed on a fresh node with the fault. */
  replayed: boolean;
  totalMs: number;
}

export interface HuntOptions {
  seed: number;
  timeMs: number;
  shrinkTimeMs: number;
  corpusDir?: string;
  log?: (line: string) => void;
}

export async function huntFault(target: FaultTarget, fixture: Fixture, options: HuntOptions): Promise<HuntResult> {
  const started = Date.now();
  const provider = new ReferenceTargetProvider({ faults: [target.fault] });
  const result = await runFuzz({
    campaign: createCampaign(target.campaign),
    provider,
    fixture,
    targetInfo: { spec: 'reference', faults: [target.fault], profile: fixture.profile },
    seed: options.seed,
    timeMs: options.timeMs,
    shrinkTimeMs: options.shrinkTimeMs,
    ...(options.corpusDir ? { corpusDir: options.corpusDir } : {}),
    ...(options.log ? { onLog: options.log } : {}),
  });
  const finding = result.findings[0];
  if (!finding) return { target, found: false, replayed: false, totalMs: Date.now() - started };
  const again = await replayReproducer(finding.reproducer, new ReferenceTargetProvider({ faults: [target.fault] }), fixture);
  return {
    target,
    found: true,
    foundAfterMs: finding.reproducer.foundAfterMs,
    foundAfterCases: finding.reproducer.foundAfterCases,
    finding,
    replayed: again.reproduced,
    totalMs: Date.now() - started,
  };
}
