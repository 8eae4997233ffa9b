/**
 * What a campaign is to the engine: an arbitrary of cases, a way to run one
 * case against the target, and the campaign's own model of what the target
 * must answer. The engine adds the global oracles (alive, canary, memory),
 * the seeded loop, shrinking and reproducers.
 */
import type { Arbitrary } from 'fast-check';
import type { CampaignContext } from './context.js';

export const CAMPAIGN_NAMES = ['handshake', 'frame', 'p2p', 'eth', 'discv4', 'session'] as const;
export type CampaignName = (typeof CAMPAIGN_NAMES)[number];

/** Which oracle a finding comes from. */
export type OracleName =
  | 'crash' // the target process is gone
  | 'canary' // a fresh honest peer can no longer handshake and get a correct header reply
  | 'hang' // the target never answered, or never closed, within the bound
  | 'reply' // a reply was required and did not come, or came wrong
  | 'unexpected-reply' // a reply to something the spec says must not be answered
  | 'disconnect-reason' // a disconnect with a reason outside the allowed set
  | 'no-disconnect' // the spec requires the peer to be dropped and it was not
  | 'unexpected-disconnect' // a valid exchange was cut off
  | 'bounded-response' // more items or bytes than the spec allows
  | 'memory'; // the target's RSS grew past the bound

export type Verdict = { ok: true } | { ok: false; oracle: OracleName; expected: string; observed: string };

export const PASS: Verdict = { ok: true };

export type Failed = Extract<Verdict, { ok: false }>;

export function fail(oracle: OracleName, expected: string, observed: string): Failed {
  return { ok: false, oracle, expected, observed };
}

/** One thing put on the wire, for the reproducer: the exact bytes (before RLPx framing for messages). */
export interface SentItem {
  /** "rlpx auth", "frame 0x10 (eth Status)", "udp discv4 ping", "raw frame bytes", ... */
  what: string;
  /** The bytes; above 64 KiB only the first 64 KiB (the case rebuilds the rest), with `sha256` of all of them. */
  hex: string;
  length: number;
  sha256?: string;
}

export interface CaseRun {
  verdict: Verdict;
  sent: SentItem[];
  /** The case ended in a way that makes a health check worthwhile (a timeout, an early close). */
  suspicious?: boolean;
}

/**
 * 'explore' may reuse sessions between cases where the model allows it;
 * 'isolate' (shrinking and replay) gives every case fresh connections, so a
 * verdict depends on the case alone.
 */
export type RunMode = 'explore' | 'isolate';

export interface Campaign<C> {
  readonly name: CampaignName;
  /** One line: what it sends and what it checks. */
  readonly summary: string;
  /** Cases run side by side when --jobs is not given (campaigns whose cases mostly wait on round trips). */
  readonly defaultJobs?: number;
  /** The transport the canary should check after a case (discv4 also checks UDP). */
  readonly udp?: boolean;
  cases(ctx: CampaignContext): Arbitrary<C>;
  run(ctx: CampaignContext, c: C, mode: RunMode): Promise<CaseRun>;
  /** Short description of a case for progress and reproducers. */
  describe(c: C): string;
  /** Drops reused sessions (after a target restart, at the end). */
  reset(): Promise<void>;
  /** JSON form of a case and back: the default is the generic tagged JSON (json.ts). */
  encodeCase?(c: C): unknown;
  decodeCase?(json: unknown): C;
}
