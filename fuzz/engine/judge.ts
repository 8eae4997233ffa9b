/**
 * One case, judged: the campaign's own model first, then the global oracles
 * (the process is alive; a canary peer still gets served). Shared by the
 * exploring loop, shrinking and replay, so a replay judges exactly as the
 * run that found the case.
 */
import { canary } from './canary.js';
import type { CampaignContext } from './context.js';
import { isUdpOnly, pingCanary } from './udp-canary.js';
import { fail, type Campaign, type CaseRun, type RunMode, type Verdict } from './types.js';

export interface Judged {
  run: CaseRun;
  verdict: Verdict;
  /** The target must be restarted before the next case (it crashed or stopped serving). */
  broken: boolean;
}

export class HarnessError extends Error {
  override readonly name = 'HarnessError';
}

function crashVerdict(ctx: CampaignContext): Verdict {
  const lines = ctx.target.logTail().split('\n');
  const last = lines.slice(-8);
  // A client that shuts down in order after an uncaught error logs its shutdown after the error: keep the cause.
  const cause = lines.slice(0, -8).reverse().find((l) => /uncaught|fatal|panic/i.test(l));
  const tail = [...(cause ? [cause, '…'] : []), ...last].join(' | ');
  return fail('crash', 'the target process keeps running', `it exited${tail ? `; last output: ${tail}` : ''}`);
}

/** The TCP canary, then discv4's for campaigns that fuzz UDP; discv4's alone for a target without RLPx. */
export async function canaryFor(ctx: CampaignContext, campaign: Pick<Campaign<unknown>, 'udp'>): Promise<Verdict> {
  if (isUdpOnly(ctx.target)) return pingCanary(ctx);
  const tcp = await canary(ctx);
  return tcp.ok && campaign.udp ? pingCanary(ctx) : tcp;
}

export async function judgeCase<C>(ctx: CampaignContext, campaign: Campaign<C>, c: C, mode: RunMode, withCanary: boolean): Promise<Judged> {
  let run: CaseRun;
  try {
    run = await campaign.run(ctx, c, mode);
  } catch (err) {
    if (!ctx.target.alive()) return { run: { verdict: crashVerdict(ctx), sent: [] }, verdict: crashVerdict(ctx), broken: true };
    throw new HarnessError(`campaign ${campaign.name} failed to run a case: ${(err as Error).stack ?? String(err)}`);
  }
  if (!ctx.target.alive()) return { run, verdict: crashVerdict(ctx), broken: true };
  if (!run.verdict.ok) {
    // A failure that may mean the target stopped serving (a timeout, a refused connection) gets a health
    // check, so the next case does not run against a target that cannot answer it.
    const check = run.verdict.oracle === 'hang' || run.verdict.oracle === 'canary' || run.suspicious === true;
    const broken = check ? !(await canaryFor(ctx, campaign)).ok : false;
    return { run, verdict: run.verdict, broken };
  }
  if (withCanary || run.suspicious) {
    const v = await canaryFor(ctx, campaign);
    if (!ctx.target.alive()) return { run, verdict: crashVerdict(ctx), broken: true };
    if (!v.ok) return { run, verdict: v, broken: true };
  }
  return { run, verdict: run.verdict, broken: false };
}
