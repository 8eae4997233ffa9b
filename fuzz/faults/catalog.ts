/**
 * Which campaign finds which planted fault (reference-node/faults), and of
 * what kind it is. The acceptance covers the crash, hang and
 * wrong-reason kinds: each must be found within 2 minutes and shrunk to a
 * reproducer that replays. Wrong-answer faults that a campaign's model also
 * covers are listed too, as extras.
 *
 *   crash:        the process dies or must be protected from a resource attack;
 *   hang:         a peer is kept forever, or an answer never comes;
 *   wrong-reason: a peer that must be dropped is kept, or dropped with the
 *                 wrong reason (or a valid peer is refused);
 *   wrong-answer: a reply with the wrong content.
 */
import type { CampaignName } from '../engine/types.js';

export type FaultKind = 'crash' | 'hang' | 'wrong-reason' | 'wrong-answer';

export interface FaultTarget {
  fault: string;
  kind: FaultKind;
  campaign: CampaignName;
  /** Fixture profile the fault shows on (default modern: post-merge, eth/69+). */
  profile?: 'legacy' | 'modern';
}

export const FAULT_TARGETS: readonly FaultTarget[] = [
  // crash
  { fault: 'rlpx-no-snappy-limit', kind: 'crash', campaign: 'frame' },
  // hang
  { fault: 'rlpx-no-handshake-timeout', kind: 'hang', campaign: 'handshake' },
  { fault: 'p2p-no-hello-timeout', kind: 'hang', campaign: 'p2p' },
  { fault: 'p2p-hello-after-remote', kind: 'hang', campaign: 'p2p' },
  { fault: 'p2p-ignore-ping', kind: 'hang', campaign: 'p2p' },
  { fault: 'eth-no-status-timeout', kind: 'hang', campaign: 'session' },
  { fault: 'eth-pooled-txs-silent', kind: 'hang', campaign: 'eth' },
  { fault: 'discv4-no-enr-response', kind: 'hang', campaign: 'discv4' },
  // wrong reason
  { fault: 'rlpx-skip-frame-mac', kind: 'wrong-reason', campaign: 'frame' },
  { fault: 'rlpx-reject-eip8-extra', kind: 'wrong-reason', campaign: 'handshake' },
  { fault: 'p2p-no-hello-first', kind: 'wrong-reason', campaign: 'p2p' },
  { fault: 'p2p-wrong-disconnect-reason', kind: 'wrong-reason', campaign: 'p2p' },
  { fault: 'p2p-no-identity-check', kind: 'wrong-reason', campaign: 'p2p' },
  { fault: 'p2p-accept-compressed-hello', kind: 'wrong-reason', campaign: 'p2p' },
  { fault: 'p2p-accept-uncompressed', kind: 'wrong-reason', campaign: 'frame' },
  { fault: 'eth-accept-wrong-genesis', kind: 'wrong-reason', campaign: 'session' },
  { fault: 'eth-accept-any-forkid', kind: 'wrong-reason', campaign: 'session' },
  { fault: 'eth-no-blockrange-validation', kind: 'wrong-reason', campaign: 'session' },
  { fault: 'eth-serve-before-status', kind: 'wrong-reason', campaign: 'session' },
  { fault: 'eth-accept-postmerge-newblock', kind: 'wrong-reason', campaign: 'eth' },
  { fault: 'eth-accept-oversized-message', kind: 'wrong-reason', campaign: 'eth' },
  // wrong answer (extras)
  { fault: 'rlpx-legacy-ack', kind: 'wrong-answer', campaign: 'handshake' },
  { fault: 'p2p-second-hello-ok', kind: 'wrong-answer', campaign: 'p2p' },
  { fault: 'p2p-snappy-v4', kind: 'wrong-answer', campaign: 'session' },
  { fault: 'eth-wrong-request-id', kind: 'wrong-answer', campaign: 'eth' },
  { fault: 'eth-serve-1025-headers', kind: 'wrong-answer', campaign: 'eth' },
  { fault: 'eth-ignore-reverse', kind: 'wrong-answer', campaign: 'eth' },
  { fault: 'eth-skip-overflow-wrap', kind: 'wrong-answer', campaign: 'eth' },
  { fault: 'eth-bodies-wrong-order', kind: 'wrong-answer', campaign: 'eth' },
  { fault: 'discv4-accept-expired', kind: 'wrong-answer', campaign: 'discv4' },
  { fault: 'discv4-accept-bad-hash', kind: 'wrong-answer', campaign: 'discv4' },
  { fault: 'discv4-pong-wrong-ping-hash', kind: 'wrong-answer', campaign: 'discv4' },
  { fault: 'discv4-pong-to-claimed-from', kind: 'wrong-answer', campaign: 'discv4' },
  { fault: 'discv4-reject-ping-version', kind: 'wrong-answer', campaign: 'discv4' },
  { fault: 'discv4-findnode-without-bond', kind: 'wrong-answer', campaign: 'discv4' },
  { fault: 'discv4-neighbors-oversize', kind: 'wrong-answer', campaign: 'discv4' },
];

/** The kinds the acceptance requires. */
export const REQUIRED_KINDS: ReadonlySet<FaultKind> = new Set(['crash', 'hang', 'wrong-reason']);
