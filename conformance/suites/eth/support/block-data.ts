/**
 * Judging BlockBodies and Receipts answers: item i must be the data of the
 * i-th expected block, proven by the header's roots (roots.ts), never by
 * counting. `prefix` allows an answer cut short by the server's limits.
 */
import type { BlockBody } from '../../../../reference-node/wire/block.js';
import type { Receipt, ReceiptWithBloom } from '../../../../reference-node/wire/eth/types.js';
import { check, fail } from '../../../core/failure.js';
import type { Fixture } from '../../../fixture/fixture.js';
import { bodyMismatch, receiptsMismatch } from './roots.js';

export interface ItemRules {
  prefix?: boolean;
}

function countCheck(got: number, want: readonly number[], what: string, noun: string, rules: ItemRules): void {
  if (rules.prefix) {
    check(got >= 1 && got <= want.length, `wrong number of ${noun} ${what}`, `1 to ${want.length} ${noun} (a prefix of blocks ${summary(want)})`, `${got} ${noun}`);
  } else {
    check(got === want.length, `wrong number of ${noun} ${what}`, `${want.length} ${noun} (blocks ${summary(want)})`, `${got} ${noun}`);
  }
}

export function summary(want: readonly number[]): string {
  return want.length <= 10 ? want.join(',') : `${want.slice(0, 4).join(',')},...,${want.at(-1)}`;
}

export async function checkBodies(fixture: Fixture, bodies: readonly BlockBody[], want: readonly number[], what: string, rules: ItemRules = {}): Promise<void> {
  countCheck(bodies.length, want, what, 'bodies', rules);
  for (const [i, body] of bodies.entries()) {
    const n = want[i]!;
    const bad = await bodyMismatch(fixture.blocks[n]!.header, body);
    if (bad) fail(`body ${i} of the answer ${what} does not belong to block ${n}: its ${bad.field} differs from the header's`, bad.expected, bad.actual);
  }
}

export async function checkReceiptLists(
  fixture: Fixture,
  lists: readonly (readonly (Receipt | ReceiptWithBloom)[])[],
  want: readonly number[],
  what: string,
  rules: ItemRules = {},
): Promise<void> {
  countCheck(lists.length, want, what, 'receipt lists', rules);
  for (const [i, list] of lists.entries()) {
    const n = want[i]!;
    const bad = await receiptsMismatch(fixture.blocks[n]!.header, list);
    if (bad) fail(`receipt list ${i} of the answer ${what} does not belong to block ${n}: its ${bad.field} differs from the header's`, bad.expected, bad.actual);
  }
}
