/**
 * Replaying a reproducer: the same campaign runs the recorded case alone, on
 * fresh connections, and judges it with the same oracles. A memory finding
 * has no single case; it is replayed by running the campaign again from its
 * seed for as many cases.
 */
import type { Fixture } from '../../conformance/fixture/fixture.js';
import type { TargetProvider } from '../../conformance/targets/target.js';
import { createCampaign } from '../campaigns/index.js';
import { caseFromJson, type Reproducer } from './reproducer.js';
import { CampaignContext } from './context.js';
import { judgeCase } from './judge.js';
import { runFuzz, startTarget } from './runner.js';
import type { Verdict } from './types.js';

export interface ReplayResult {
  /** The recorded finding showed again (same oracle). */
  reproduced: boolean;
  verdict: Verdict;
}

export async function replayReproducer(r: Reproducer, provider: TargetProvider, fixture: Fixture): Promise<ReplayResult> {
  const campaign = createCampaign(r.campaign);
  if (r.case === null) {
    const result = await runFuzz({ campaign, provider, fixture, targetInfo: { spec: r.target.spec, faults: r.target.faults, profile: r.target.profile }, seed: r.seed, runs: r.foundAfterCases });
    const again = result.findings.find((f) => f.reproducer.oracle === r.oracle);
    return again ? { reproduced: true, verdict: { ok: false, oracle: r.oracle, expected: again.reproducer.expected, observed: again.reproducer.observed } } : { reproduced: false, verdict: { ok: true } };
  }
  const decoded = campaign.decodeCase ? campaign.decodeCase(caseFromJson(r.case)) : caseFromJson(r.case);
  const stop = new AbortController();
  const ctx = new CampaignContext(await startTarget(provider, fixture), fixture, stop.signal);
  try {
    const judged = await judgeCase(ctx, campaign, decoded, 'isolate', true);
    return { reproduced: !judged.verdict.ok && judged.verdict.oracle === r.oracle, verdict: judged.verdict };
  } finally {
    ctx.abortConnections();
    await campaign.reset();
    await ctx.target.stop().catch(() => undefined);
  }
}
