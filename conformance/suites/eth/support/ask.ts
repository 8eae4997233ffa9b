/**
 * A request and its answer, with a failure that says what came instead: an
 * answer of the right kind under another request id is named as such (a
 * node that garbles ids must not read as a silent one).
 */
import type { EthMessage } from '../../../../reference-node/wire/eth/types.js';
import { received } from '../../../core/expect.js';
import { fail } from '../../../core/failure.js';
import type { EthOf, EthSim } from '../../../sim/eth-sim.js';

type Kind = EthMessage['kind'];

/**
 * How long an answer may take. Generous on purpose: a correct target answers
 * in milliseconds, so only failing runs pay for it, while a slow but correct
 * one (a JS client under eight parallel tests) is not failed for slowness.
 */
export const ANSWER_WAIT_MS = 10_000;

/** For the requests naming every block of the fixture, which a slow client takes seconds to serve. */
export const BULK_ANSWER_WAIT_MS = 20_000;
/** Deadline of the tests that make such a request. */
export const BULK_TEST_TIMEOUT_MS = 35_000;

export async function ask<K extends Kind>(sim: EthSim, request: EthMessage & { requestId: bigint }, responseKind: K, what: string, timeoutMs = ANSWER_WAIT_MS): Promise<EthOf<K>> {
  const before = sim.receivedEth().length;
  const w = await sim.request(request, responseKind, timeoutMs);
  if (!w.ok) {
    const others = sim
      .receivedEth()
      .slice(before)
      .filter((m) => m.kind === responseKind && 'requestId' in m && m.requestId !== request.requestId)
      .map((m) => (m as { requestId: bigint }).requestId);
    if (others.length > 0) {
      fail(`the ${responseKind} ${what} carries another request id`, `${responseKind} with request-id ${request.requestId}`, `${responseKind} with request-id ${others.join(', ')}`);
    }
  }
  return received(w, `${responseKind}`, what);
}
