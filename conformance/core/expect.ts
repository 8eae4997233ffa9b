/**
 * The assertions tests share, each producing one clear failure message with
 * what was expected and what arrived. A silent target never satisfies an
 * expectation of a message or a disconnect.
 */
import { describeDisconnectReason } from '../../reference-node/wire/p2p.js';
import { describeEnd, describeWaited, type SessionEnd, type SimPeer, type Waited } from '../sim/sim-peer.js';
import { fail } from './failure.js';

/** The awaited value, or a failure saying what came instead. */
export function received<T>(w: Waited<T>, what: string, context = ''): T {
  if (w.ok) return w.value;
  fail(`expected ${what}${context ? ` ${context}` : ''}, got ${describeWaited(w)}`, what, describeWaited(w));
}

export interface DisconnectExpectation {
  /** Reasons the spec allows here. */
  reasons: readonly number[];
  /** Also accept a TCP close without Disconnect (rlpx-level faults, where the spec asks only that the connection ends). */
  allowClose?: boolean;
  timeoutMs?: number;
  /** What provoked it, for the message: "after a Status with the wrong genesis". */
  after: string;
}

function reasonsText(reasons: readonly number[]): string {
  return reasons.map((r) => describeDisconnectReason(r)).join(' or ');
}

/** The session must end, with one of the allowed reasons. */
export async function expectDisconnect(peer: SimPeer, e: DisconnectExpectation): Promise<SessionEnd> {
  const timeoutMs = e.timeoutMs ?? 5_000;
  const end = await peer.waitForEnd(timeoutMs);
  const expected = `Disconnect ${reasonsText(e.reasons)}${e.allowClose ? ' (or a TCP close)' : ''}`;
  if (!end) fail(`expected the target to disconnect ${e.after}, but the session was still open after ${timeoutMs} ms`, expected, `still connected after ${timeoutMs} ms`);
  if (end.via === 'disconnect') {
    if (end.reason !== undefined && e.reasons.includes(end.reason)) return end;
    fail(`wrong disconnect reason ${e.after}: ${describeDisconnectReason(end.reason)}`, expected, describeEnd(end));
  }
  if (e.allowClose && end.via === 'close') return end;
  fail(`expected a Disconnect message ${e.after}, got ${describeEnd(end)}`, expected, describeEnd(end));
}

/** The session must simply end (any reason, or a plain close) within the time. */
export async function expectSessionEnds(peer: SimPeer, after: string, timeoutMs = 5_000): Promise<SessionEnd> {
  const end = await peer.waitForEnd(timeoutMs);
  if (!end) fail(`expected the target to drop the connection ${after}, but it was still open after ${timeoutMs} ms`, 'the connection ends', `still connected after ${timeoutMs} ms`);
  return end;
}

/** The session must stay up for `ms` (the target must tolerate what we did). */
export async function expectStaysConnected(peer: SimPeer, ms: number, after: string): Promise<void> {
  const end = await peer.waitForEnd(ms);
  if (end) fail(`the target dropped the connection ${after}: ${describeEnd(end)}`, `the session stays open for ${ms} ms`, describeEnd(end));
}
