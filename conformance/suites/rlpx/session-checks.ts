/**
 * Checks the rlpx and p2p suites share: "this session works" (Hello both
 * ways, a Ping answered), "the target did not act on what we sent" (no Pong)
 * and "the target refused this handshake" (no ack, connection closed).
 */
import { encodePing, P2pMessageId, type Capability } from '../../../reference-node/wire/p2p.js';
import { ETH_VERSIONS } from '../../../reference-node/wire/eth/types.js';
import { check, fail } from '../../core/failure.js';
import { received } from '../../core/expect.js';
import { describeEnd, type SimPeer } from '../../sim/sim-peer.js';
import type { RawConnection } from './raw-connection.js';

/** How long a "the target must not answer this" wait lasts when the spec gives no timer. */
export const NO_REPLY_MS = 1_500;

/** Every eth version we can speak: the target shares its highest. */
export function allEthCaps(): Capability[] {
  return ETH_VERSIONS.map((version) => ({ name: 'eth', version }));
}

/** Sends a Ping and requires a Pong: the session is up and the target reads our frames. */
export async function expectPong(peer: SimPeer, after: string, timeoutMs = 5_000): Promise<void> {
  peer.sendRaw(P2pMessageId.Ping, encodePing(), 'p2p:Ping');
  received(await peer.waitFor((m) => m.msgId === P2pMessageId.Pong, timeoutMs), 'Pong', `to a Ping ${after}`);
}

/** Hello both ways, then Ping/Pong: what an accepted handshake must lead to. */
export async function expectWorkingSession(peer: SimPeer, after: string): Promise<void> {
  received(await peer.exchangeHello(allEthCaps()), 'the target\'s Hello', after);
  await expectPong(peer, after);
}

/**
 * The target must not have acted on a message it should have rejected: no
 * Pong may arrive within NO_REPLY_MS (a Pong means it decoded and handled
 * our Ping despite the fault we planted in the frame).
 */
export async function expectNoPong(peer: SimPeer, after: string): Promise<void> {
  const w = await peer.waitFor((m) => m.msgId === P2pMessageId.Pong, NO_REPLY_MS);
  if (w.ok) fail(`the target answered a Ping ${after}: it accepted what it must reject`, 'no Pong (the message is rejected)', `a Pong after ${w.value.atMs} ms`);
}

/** describeEnd for a session that must end: "still open" reads as a failure. */
export function endText(peer: SimPeer): string {
  return describeEnd(peer.ended);
}

/**
 * The target must refuse a handshake: send no ack (anything it sends here
 * can only be an ack attempt) and close the connection within `withinMs`.
 */
export async function expectRefused(conn: RawConnection, after: string, withinMs: number): Promise<void> {
  const end = await conn.waitForEnd(withinMs);
  const got = conn.received.length;
  check(got === 0, `the target answered ${after} with ${got} bytes; it must not send an ack`, 'no ack, the connection closed', `${got} bytes from the target${end ? ', then a close' : ''}`);
  check(end !== undefined, `the target kept the connection open ${withinMs} ms ${after}`, `the connection closed within ${withinMs} ms`, `still open after ${withinMs} ms, nothing sent`);
}
