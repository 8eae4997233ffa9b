/**
 * Which Disconnect reasons an eth test accepts when the target must drop us.
 * eth.md names no reason for any eth failure; rlpx.md's table offers three
 * that fit a peer the target will not talk to:
 *   - 0x02 breach of protocol ("a malformed message, bad RLP, ...");
 *   - 0x03 useless peer (another network or chain is of no use);
 *   - 0x10 "some other reason specific to a subprotocol", which geth sends
 *     for every error its eth handler returns.
 * Anything else (too many peers, client quitting, ...) would tell the peer
 * something false, so it fails. A plain TCP close is accepted: rlpx.md asks
 * nobody to send Disconnect first. So is a last frame we cannot read before
 * the end (some clients send their Disconnect uncompressed after snappy was
 * negotiated): the session did end, and framing is the rlpx and p2p suites'
 * business, while the reason is checked by the tests that ask for one.
 */
import { DisconnectReason } from '../../../../reference-node/wire/p2p.js';
import { describeDisconnectReason } from '../../../../reference-node/wire/p2p.js';
import { fail } from '../../../core/failure.js';
import { describeEnd, type SessionEnd, type SimPeer } from '../../../sim/sim-peer.js';

export const ETH_REJECT_REASONS: readonly number[] = [DisconnectReason.ProtocolBreach, DisconnectReason.UselessPeer, DisconnectReason.SubprotocolError];

/** A malformed or undecodable message: the table's 0x02, or geth's 0x10. */
export const MALFORMED_REASONS: readonly number[] = [DisconnectReason.ProtocolBreach, DisconnectReason.SubprotocolError];

/** The target must end the session (a Disconnect with a fitting reason, or a close) within `timeoutMs`. */
export async function expectRejected(peer: SimPeer, after: string, timeoutMs = 5_000, reasons: readonly number[] = ETH_REJECT_REASONS): Promise<SessionEnd> {
  const end = await peer.waitForEnd(timeoutMs);
  const expected = `Disconnect ${reasons.map((r) => describeDisconnectReason(r)).join(' or ')} (or the connection closed)`;
  if (!end) fail(`expected the target to disconnect ${after}, but the session was still open after ${timeoutMs} ms`, expected, `still connected after ${timeoutMs} ms`);
  // The reason is optional (rlpx.md); one that is given must fit.
  if (end.via === 'disconnect' && end.reason !== undefined && !reasons.includes(end.reason)) {
    fail(`wrong disconnect reason ${after}: ${describeDisconnectReason(end.reason)}`, expected, describeEnd(end));
  }
  return end;
}
