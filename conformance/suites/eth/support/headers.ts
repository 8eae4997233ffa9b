/**
 * Judging a BlockHeaders answer against the fixture: every header must be the
 * fixture's block at the expected position, compared by hash (a count or a
 * number alone would pass a node that serves the wrong chain).
 */
import { headerHash, type BlockHeader } from '../../../../reference-node/wire/block.js';
import { bytesToHex } from '../../../../reference-node/wire/bytes.js';
import type { GetBlockHeaders } from '../../../../reference-node/wire/eth/types.js';
import { check, fail } from '../../../core/failure.js';
import type { Fixture } from '../../../fixture/fixture.js';
import type { EthSim } from '../../../sim/eth-sim.js';
import { ask } from './ask.js';

export type HeaderQuery = Pick<GetBlockHeaders, 'origin' | 'amount' | 'skip' | 'reverse'>;

export interface HeaderAnswerRules {
  /** The answer may stop early (implementation limits): a non-empty prefix of `want` passes. */
  prefix?: boolean;
}

function numbers(headers: readonly BlockHeader[]): string {
  if (headers.length === 0) return 'no headers';
  if (headers.length <= 12) return `blocks ${headers.map((h) => h.number).join(',')}`;
  return `${headers.length} headers, blocks ${headers.slice(0, 5).map((h) => h.number).join(',')},...,${headers.at(-1)!.number}`;
}

function wanted(want: readonly number[]): string {
  if (want.length === 0) return 'no headers';
  if (want.length <= 12) return `blocks ${want.join(',')}`;
  return `${want.length} headers, blocks ${want.slice(0, 5).join(',')},...,${want.at(-1)}`;
}

/** Fails unless `headers` are the fixture's blocks `want`, in order (or a non-empty prefix of them when allowed). */
export function checkHeaders(fixture: Fixture, headers: readonly BlockHeader[], want: readonly number[], what: string, rules: HeaderAnswerRules = {}): void {
  const expected = rules.prefix ? `a non-empty prefix of ${wanted(want)}` : wanted(want);
  if (rules.prefix) {
    check(headers.length <= want.length && (headers.length > 0 || want.length === 0), `wrong number of headers ${what}`, expected, numbers(headers));
  } else {
    check(headers.length === want.length, `wrong number of headers ${what}`, expected, numbers(headers));
  }
  headers.forEach((h, i) => {
    const n = want[i]!;
    if (h.number !== BigInt(n)) fail(`header ${i} of the answer ${what} has the wrong number`, `${expected} (block ${n} at position ${i})`, `${numbers(headers)}`);
    const got = bytesToHex(headerHash(h));
    const exp = bytesToHex(fixture.hashes[n]!);
    check(got === exp, `header ${n} ${what} is not the fixture's block ${n}`, `hash ${exp}`, `hash ${got}`);
  });
}

/** Sends a header query and returns the headers of the answer with the same request id. */
export async function askHeaders(sim: EthSim, query: HeaderQuery, what: string, timeoutMs?: number): Promise<BlockHeader[]> {
  const reply = await ask(sim, { kind: 'GetBlockHeaders', requestId: sim.requestId(), ...query }, 'BlockHeaders', what, timeoutMs);
  return reply.headers;
}

/**
 * Proof that the session still works: block 1's header is served correctly.
 * Used after something the target must tolerate (or a handshake it must accept).
 */
export async function checkStillServes(sim: EthSim, fixture: Fixture, after: string): Promise<void> {
  const headers = await askHeaders(sim, { origin: { number: 1n }, amount: 1n, skip: 0n, reverse: false }, `for block 1 ${after}`);
  checkHeaders(fixture, headers, [1], `for block 1 ${after}`);
}
