/**
 * A mutation plan: structure-aware RLP operators first, then byte operators
 * on the result. An empty plan is the valid input itself, which is where
 * shrinking ends when a valid message is enough to trip the target.
 */
import { describeByteMutation, mutateBytes, type ByteMutation } from './byte-mutations.js';
import { describeRlpMutation, mutateRlp, type RlpMutation } from './rlp-mutations.js';

export * from './byte-mutations.js';
export * from './rlp-mutations.js';
export * from './snappy.js';
export { encodeRaw, rawFromItem, type RawNode, type RawEncoding } from './raw-rlp.js';

export interface MutationPlan {
  rlp: RlpMutation[];
  bytes: ByteMutation[];
}

export const NO_MUTATION: MutationPlan = { rlp: [], bytes: [] };

export function isIdentity(plan: MutationPlan): boolean {
  return plan.rlp.length === 0 && plan.bytes.length === 0;
}

/** Applies the plan to an RLP encoding (RLP operators need it to decode; bytes operators do not). */
export function applyPlan(canonical: Uint8Array, plan: MutationPlan): Uint8Array {
  return mutateBytes(mutateRlp(canonical, plan.rlp), plan.bytes);
}

export function describePlan(plan: MutationPlan): string {
  if (isIdentity(plan)) return 'unmutated';
  return [...plan.rlp.map(describeRlpMutation), ...plan.bytes.map(describeByteMutation)].join('; ');
}
