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
import { failureSignature } from './signature.js';
import type { Verdict } from './types.js';

export interface ReplayResult {
  /** The recorded finding showed again (same oracle). */
  reproduced: boolean;
  /**
   * It showed with the recorded signature too (same oracle and wording, the
   * case's numbers aside). Reproduced without it: the same oracle fired for
   * what may be another reason, or an older reproducer's texts were worded
   * differently.
   */
  sameFailure: boolean;
  verdict: Verdict;
}

function result(r: Reproducer, verdict: Verdict): ReplayResult {
  const reproduced = !verdict.ok && verdict.oracle === r.oracle;
  return { reproduced, sameFailure: reproduced && failureSignature(verdict) === failureSignature(r), verdict };
}

export async function replayReproducer(r: Reproducer, provider: TargetProvider, fixture: Fixture): Promise<ReplayResult> {
  const campaign = createCampaign(r.campaign);
  if (r.case === null) {
    const fuzzed = await runFuzz({ campaign, provider, fixture, targetInfo: { spec: r.target.spec, faults: r.target.faults, profile: r.target.profile }, seed: r.seed, runs: r.foundAfterCases });
    const again = fuzzed.findings.find((f) => f.reproducer.oracle === r.oracle);
    return result(r, again ? { ok: false, oracle: r.oracle, expected: again.reproducer.expected, observed: again.reproducer.observed } : { ok: true });
  }
  const decoded = campaign.decodeCase ? campaign.decodeCase(caseFromJson(r.case)) : caseFromJson(r.case);
  const stop = new AbortController();
  const ctx = new CampaignContext(await startTarget(provider, fixture), fixture, stop.signal);
  try {
    const judged = await judgeCase(ctx, campaign, decoded, 'isolate', true);
    return result(r, judged.verdict);
  } finally {
    ctx.abortConnections();
    await campaign.reset();
    await ctx.target.stop().catch(() => undefined);
  }
}
