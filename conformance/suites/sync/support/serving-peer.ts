/**
 * A simulated peer that holds a ChainView: it handshakes with the view's
 * head in its Status and serves the view through a ChainServer (honestly
 * unless a policy says otherwise).
 */
import type { EthVersion } from '../../../../reference-node/wire/eth/types.js';
import type { TargetSession } from '../../../core/context.js';
import type { EthSim } from '../../../sim/eth-sim.js';
import { ChainServer, type ServePolicy } from './chain-server.js';
import { statusFor, type ChainView } from './chain-view.js';

export interface ServingPeer {
  sim: EthSim;
  server: ChainServer;
}

export interface ServingOptions {
  version: EthVersion;
  view: ChainView;
  policy?: ServePolicy;
  /** The chain its Status names, when that is not `view` (a peer that learns of a new block after the handshake). */
  statusView?: ChainView;
  /** Transcript name. */
  name?: string;
}

export async function connectServing(session: TargetSession, options: ServingOptions): Promise<ServingPeer> {
  const sim = await session.connectEth({
    version: options.version,
    serve: false,
    status: statusFor(session.fixture, options.statusView ?? options.view),
    ...(options.name ? { name: options.name } : {}),
  });
  return { sim, server: new ChainServer(sim, options.view, options.policy) };
}
