/**
 * Judging a live RLPx session after a case: a Ping/Pong barrier (the target
 * handles a connection's messages in order, so once its Pong arrives it has
 * processed everything sent before the Ping), and checks of how a session
 * ended against the reasons the spec allows.
 */
import { createHash } from 'node:crypto';
import { describeEnd, type SessionEnd, type SimPeer } from '../../conformance/sim/sim-peer.js';
import { bytesToHex } from '../../reference-node/wire/bytes.js';
import { describeDisconnectReason, encodePing, P2pMessageId } from '../../reference-node/wire/p2p.js';
import { fail, PASS, type SentItem, type Verdict } from '../engine/types.js';

export const REPLY_TIMEOUT_MS = 5_000;
/** How long a session may take to end after the target has processed the offending message. */
export const DISCONNECT_GRACE_MS = 1_500;

/**
 * How every campaign's session dials. A Disconnect is read in either form
 * (compressed or not, whatever was negotiated) because the fuzz oracles judge
 * its reason; whether the form was right is judged by the conformance suite
 * (rlpx/snappy/*, p2p/msgid/*), and SessionEnd.form records it.
 */
export const FUZZ_DIAL = { name: 'fuzz', timeoutMs: REPLY_TIMEOUT_MS, disconnectEitherForm: true } as const;

export type BarrierResult = { pong: true } | { pong: false; end: SessionEnd | undefined };

export async function barrier(peer: SimPeer, timeoutMs = REPLY_TIMEOUT_MS): Promise<BarrierResult> {
  if (peer.ended) return { pong: false, end: peer.ended };
  peer.sendRaw(P2pMessageId.Ping, encodePing(), 'p2p:Ping');
  const w = await peer.waitFor((m) => m.msgId === P2pMessageId.Pong, timeoutMs);
  if (w.ok) return { pong: true };
  return { pong: false, end: w.end ?? peer.ended };
}

export function reasonsText(reasons: readonly number[]): string {
  return reasons.map((r) => describeDisconnectReason(r)).join(' or ');
}

/** A session that ended: fine if by TCP close or a Disconnect with an allowed reason. */
export function judgeEnd(end: SessionEnd, allowed: readonly number[], why: string): Verdict {
  // Whatever the case did, what the target sends must still be frames we can read.
  if (end.via === 'bad-frame') return fail('reply', 'frames and payloads that decode', `an undecodable frame from the target (${end.error})`);
  if (end.via === 'disconnect' && (end.reason === undefined || !allowed.includes(end.reason))) {
    return fail('disconnect-reason', `Disconnect ${reasonsText(allowed)} (${why})`, describeEnd(end));
  }
  return PASS;
}

/**
 * After a message the target must drop the peer for: the session must end
 * (within the barrier and a grace period) with an allowed reason.
 */
export async function expectDisconnect(peer: SimPeer, allowed: readonly number[], why: string): Promise<Verdict> {
  const b = await barrier(peer);
  let end = b.pong ? await peer.waitForEnd(DISCONNECT_GRACE_MS) : b.end;
  if (!end && !b.pong) end = await peer.waitForEnd(DISCONNECT_GRACE_MS);
  if (!end) return fail(b.pong ? 'no-disconnect' : 'hang', `Disconnect ${reasonsText(allowed)} (${why})`, b.pong ? 'the session stayed open (it answered a Ping after the message)' : `no Pong and no end within ${REPLY_TIMEOUT_MS} ms`);
  return judgeEnd(end, allowed, why);
}

/** After a message the target may ignore or punish: either the session goes on, or it ends with an allowed reason. */
export async function expectTolerated(peer: SimPeer, allowed: readonly number[], why: string): Promise<Verdict> {
  const b = await barrier(peer);
  if (b.pong) return PASS;
  if (!b.end) return fail('hang', `a Pong, or Disconnect ${reasonsText(allowed)} (${why})`, `neither within ${REPLY_TIMEOUT_MS} ms`);
  return judgeEnd(b.end, allowed, why);
}

/** After a message the target must accept: the session goes on. */
export async function expectKept(peer: SimPeer, why: string): Promise<Verdict> {
  const b = await barrier(peer);
  if (b.pong) return PASS;
  if (!b.end) return fail('hang', `a Pong (${why})`, `nothing within ${REPLY_TIMEOUT_MS} ms`);
  return fail('unexpected-disconnect', `the session goes on (${why})`, describeEnd(b.end));
}

const SENT_HEX_LIMIT = 64 * 1024;

export function sent(what: string, bytes: Uint8Array): SentItem {
  if (bytes.length <= SENT_HEX_LIMIT) return { what, hex: bytesToHex(bytes), length: bytes.length };
  return { what, hex: bytesToHex(bytes.subarray(0, SENT_HEX_LIMIT)), length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}
