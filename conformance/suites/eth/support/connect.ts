/**
 * The eth session every test opens. The handshake is not what these tests
 * judge (the rlpx and p2p suites time it), so it gets 10 s instead of the
 * sim's 5: a slow client running eight tests at once is not failed here for
 * being slow to say Hello.
 */
import type { TargetSession } from '../../../core/context.js';
import type { EthConnectOptions, EthSim } from '../../../sim/eth-sim.js';

export const HANDSHAKE_WAIT_MS = 10_000;

export function connect(ctx: TargetSession, options: EthConnectOptions): Promise<EthSim> {
  return ctx.connectEth({ timeoutMs: HANDSHAKE_WAIT_MS, ...options });
}
