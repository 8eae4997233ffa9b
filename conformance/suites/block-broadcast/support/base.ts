/**
 * The private targets of the propagation tests hold the fixture only up to
 * BASE_BLOCK, and the new block extends that. A short chain starts faster
 * (a smaller store to copy, and a Clique signer snapshot rebuilt from 64
 * headers instead of 1100), and the peers' Status names the same head, so
 * the target has nothing to sync from them.
 */
import type { Status } from '../../../../reference-node/wire/eth/types.js';
import type { TargetSession, TestContext } from '../../../core/context.js';
import type { Fixture } from '../../../fixture/fixture.js';
import { chainView, statusFor, type ChainView } from '../../sync/support/chain-view.js';
import { cliqueChild, type CliqueChildOptions, type NewBlock } from './clique-block.js';

export const BASE_BLOCK = 64;

export function baseView(fixture: Fixture): ChainView {
  return chainView(fixture, Math.min(BASE_BLOCK, fixture.head.number));
}

/** The Status of a peer whose head is the base block. */
export function baseStatus(fixture: Fixture): (honest: Status) => Status {
  return statusFor(fixture, baseView(fixture));
}

export function launchAtBase(ctx: TestContext): Promise<TargetSession> {
  return ctx.launch({ chainPrefix: baseView(ctx.fixture).head.number });
}

/** The new block on top of the base block. */
export function blockAfterBase(fixture: Fixture, options: CliqueChildOptions = {}): NewBlock {
  const view = baseView(fixture);
  return cliqueChild(fixture, view.blocks[view.head.number]!, view.head.td, options);
}
