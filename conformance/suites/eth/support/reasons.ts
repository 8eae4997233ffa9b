/**
 * Which Disconnect reasons an eth test accepts when the target must drop us.
 * eth.md names no reason for any eth failure; rlpx.md's table offers three
 * that fit a peer the target will not talk to:
 *   - 0x02 breach of protocol ("a malformed message, bad RLP, ...");
 *   - 0x03 useless peer (another network or chain is of no use);
 *   - 0x10 "some other reason specific to a subprotocol", which geth sends
 *     for every error its eth handler returns.
 * Anything else (too many peers, client quitting, ...) would tell the peer
 * something false, so it fails. A plain TCP close is accepted where the test
 * checks a MUST to reject: rlpx.md asks nobody to send Disconnect first.
 */
import { DisconnectReason } from '../../../../reference-node/wire/p2p.js';
import { expectDisconnect } from '../../../core/expect.js';
import type { SessionEnd, SimPeer } from '../../../sim/sim-peer.js';

export const ETH_REJECT_REASONS: readonly number[] = [DisconnectReason.ProtocolBreach, DisconnectReason.UselessPeer, DisconnectReason.SubprotocolError];

/** A malformed or undecodable message: the table's 0x02, or geth's 0x10. */
export const MALFORMED_REASONS: readonly number[] = [DisconnectReason.ProtocolBreach, DisconnectReason.SubprotocolError];

/** The target must end the session (a Disconnect with a fitting reason, or a close) within `timeoutMs`. */
export function expectRejected(peer: SimPeer, after: string, timeoutMs = 5_000, reasons: readonly number[] = ETH_REJECT_REASONS): Promise<SessionEnd> {
  return expectDisconnect(peer, { reasons, allowClose: true, after, timeoutMs });
}
