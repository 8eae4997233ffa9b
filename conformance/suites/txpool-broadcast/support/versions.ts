/**
 * Which eth version a broadcast or sync test speaks when its clause does not
 * depend on the version: the newest one the target offers, so that a target
 * offering only some versions is still tested.
 */
import { ETH_VERSIONS, type EthVersion } from '../../../../reference-node/wire/eth/types.js';
import type { TargetSession } from '../../../core/context.js';
import { TestSkip } from '../../../core/failure.js';

/** eth versions the target's probe found, oldest first. */
export function offeredVersions(session: Pick<TargetSession, 'target'>): EthVersion[] {
  return ETH_VERSIONS.filter((v) => session.target.capabilities.has(`eth/${v}`));
}

/** The newest offered version within `among` (default: all); TestSkip when there is none. */
export function newestVersion(session: Pick<TargetSession, 'target'>, among: readonly EthVersion[] = ETH_VERSIONS): EthVersion {
  const offered = offeredVersions(session).filter((v) => among.includes(v));
  const newest = offered.at(-1);
  if (newest === undefined) throw new TestSkip(`the target offers none of eth/${among.join(', eth/')}`);
  return newest;
}
