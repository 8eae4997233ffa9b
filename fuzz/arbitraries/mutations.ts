/**
 * Arbitraries for mutation plans. Every operator shrinks toward "no
 * mutation" (plans are arrays, and fast-check shrinks arrays toward empty),
 * so a finding that needs no mutation at all ends as the valid message.
 * Sizes that cost real memory (grow, count-overflow) come from a few values
 * at the protocol limits and are rare.
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import type { ByteMutation, MutationPlan, RlpMutation, SnappyMode } from '../mutate/index.js';

const nodeArb = fc.nat({ max: 255 });

export function rlpMutationArb(options: { big?: boolean } = {}): Arbitrary<RlpMutation> {
  const big = options.big ?? true;
  const arbs: Array<{ weight: number; arbitrary: Arbitrary<RlpMutation> }> = [
    { weight: 4, arbitrary: fc.record({ op: fc.constant('lie-length' as const), node: nodeArb, delta: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(-56, 56, 1000, 1 << 24, 2 ** 32)) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('long-form' as const), node: nodeArb }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('length-leading-zero' as const), node: nodeArb }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('prefix-single-byte' as const), node: nodeArb }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('int-leading-zero' as const), node: nodeArb }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('bytes-to-list' as const), node: nodeArb }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('list-to-bytes' as const), node: nodeArb }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('huge-int' as const), node: nodeArb, width: fc.constantFrom(9, 33, 65, 257) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('empty' as const), node: nodeArb }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('drop' as const), node: nodeArb }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('duplicate' as const), node: nodeArb, times: fc.integer({ min: 1, max: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('swap-next' as const), node: nodeArb }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('append' as const), node: nodeArb, item: fc.uint8Array({ maxLength: 8 }) }) },
  ];
  if (big) {
    arbs.push(
      { weight: 1, arbitrary: fc.record({ op: fc.constant('count-overflow' as const), node: nodeArb, count: fc.constantFrom(0, 257, 1025, 4097, 5001) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('grow' as const), node: nodeArb, size: fc.constantFrom(1025, 65_537, 2 * 1024 * 1024 + 1, 10 * 1024 * 1024 + 1) }) },
    );
  }
  return fc.oneof(...arbs);
}

export function byteMutationArb(): Arbitrary<ByteMutation> {
  const at = fc.nat({ max: 4095 });
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('flip-bit' as const), at, bit: fc.nat({ max: 7 }) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('set-byte' as const), at, value: fc.oneof(fc.constantFrom(0x00, 0x7f, 0x80, 0xb7, 0xb8, 0xbf, 0xc0, 0xf7, 0xf8, 0xff), fc.nat({ max: 255 })) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('truncate' as const), keep: fc.nat({ max: 4095 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), at, count: fc.integer({ min: 1, max: 8 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('repeat' as const), at, count: fc.integer({ min: 1, max: 16 }), times: fc.integer({ min: 1, max: 4 }) }) },
  );
}

/** A plan of up to `maxRlp` + `maxBytes` operators; biased toward one or two. */
export function mutationPlanArb(options: { maxRlp?: number; maxBytes?: number; big?: boolean } = {}): Arbitrary<MutationPlan> {
  return fc.record({
    rlp: fc.array(rlpMutationArb({ big: options.big ?? true }), { maxLength: options.maxRlp ?? 2 }),
    bytes: fc.array(byteMutationArb(), { maxLength: options.maxBytes ?? 1 }),
  });
}

/** Mostly valid (half the cases unmutated), so a campaign also exercises the honest paths. */
export function maybeMutatedArb(options: { maxRlp?: number; maxBytes?: number; big?: boolean } = {}): Arbitrary<MutationPlan> {
  return fc.oneof({ weight: 1, arbitrary: fc.constant<MutationPlan>({ rlp: [], bytes: [] }) }, { weight: 2, arbitrary: mutationPlanArb(options) });
}

export function snappyModeArb(): Arbitrary<SnappyMode> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant<SnappyMode>({ mode: 'honest' }) },
    { weight: 1, arbitrary: fc.constant<SnappyMode>({ mode: 'raw' }) },
    { weight: 2, arbitrary: fc.record({ mode: fc.constant('bomb' as const), declared: fc.constantFrom(0xffffff + 1, 64 * 1024 * 1024, 2 ** 31, 2 ** 32 - 1) }) },
    { weight: 1, arbitrary: fc.record({ mode: fc.constant('lie' as const), declared: fc.constantFrom(0, 1, 0xffffff, 0xffffff + 1) }) },
  );
}
