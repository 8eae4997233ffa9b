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

export async function ask<K extends Kind>(sim: EthSim, request: EthMessage & { requestId: bigint }, responseKind: K, what: string, timeoutMs?: number): Promise<EthOf<K>> {
  const w = await sim.request(request, responseKind, timeoutMs);
  if (!w.ok) {
    const others = sim
      .receivedEth()
      .filter((m) => m.kind === responseKind && 'requestId' in m && m.requestId !== request.requestId)
      .map((m) => (m as { requestId: bigint }).requestId);
    if (others.length > 0) {
      fail(`the ${responseKind} ${what} carries another request id`, `${responseKind} with request-id ${request.requestId}`, `${responseKind} with request-id ${others.join(', ')}`);
    }
  }
  return received(w, `${responseKind}`, what);
}
