/**
 * Auth packets for handshake tests: honest ones of a chosen size, forged
 * ones (bad keys, bad signatures, broken ECIES), and reading the target's
 * ack off a raw connection. Keys and nonces come from the test's seeded
 * source, so a run replays with the same verdicts.
 */
import { DecodeError } from '../../../reference-node/wire/errors.js';
import { publicKeyOf, type PublicKey } from '../../../reference-node/wire/keys.js';
import {
  HandshakeInitiator,
  sealAuth,
  type AuthMessage,
  type InitiatorOptions,
  type OpenedAck,
} from '../../../reference-node/wire/rlpx/handshake.js';
import type { TargetSession } from '../../core/context.js';
import type { RawConnection } from './raw-connection.js';

/** Bytes an EIP-8 size prefix adds in front of the ECIES body. */
const PREFIX = 2;

/** An honest initiator towards the target with seeded keys; `options` override the auth's shape. */
export function honestInitiator(session: TargetSession, options: Partial<Omit<InitiatorOptions, 'remotePublicKey'>> = {}): HandshakeInitiator {
  return new HandshakeInitiator({
    privateKey: session.nextKey(),
    ephemeralPrivateKey: session.nextKey(),
    nonce: session.randomBytes(32),
    ...options,
    remotePublicKey: session.target.publicKey,
  });
}

/**
 * An honest EIP-8 auth whose size prefix is exactly `sizePrefix` (the ECIES
 * body length), reached with zero padding after the RLP list.
 */
export function authWithSizePrefix(session: TargetSession, sizePrefix: number): { initiator: HandshakeInitiator; packet: Uint8Array } {
  const keys = { privateKey: session.nextKey(), ephemeralPrivateKey: session.nextKey(), nonce: session.randomBytes(32) };
  const bare = new HandshakeInitiator({ ...keys, padding: new Uint8Array(0), remotePublicKey: session.target.publicKey }).createAuth();
  const padding = sizePrefix - (bare.length - PREFIX);
  if (padding < 0) throw new RangeError(`an auth cannot be shorter than ${bare.length - PREFIX} bytes`);
  const initiator = new HandshakeInitiator({ ...keys, padding: new Uint8Array(padding), remotePublicKey: session.target.publicKey });
  const packet = initiator.createAuth();
  if (((packet[0]! << 8) | packet[1]!) !== sizePrefix) throw new Error(`built an auth with the wrong size prefix`);
  return { initiator, packet };
}

/** A point that is not on secp256k1: (1, 1), since 1 != 1 + 7. */
export function offCurvePoint(): PublicKey {
  const point = new Uint8Array(64);
  point[31] = 1;
  point[63] = 1;
  return point;
}

/** An EIP-8 auth encrypted to the target whose fields the test chooses (a signature nobody checked, any key). */
export function forgedAuth(session: TargetSession, fields: Partial<AuthMessage>): Uint8Array {
  const message: AuthMessage = {
    signature: session.randomBytes(65).map((b, i) => (i === 64 ? b & 1 : b)),
    initiatorPublicKey: publicKeyOf(session.nextKey()),
    initiatorNonce: session.randomBytes(32),
    version: 4,
    extra: [],
    ...fields,
  };
  return sealAuth(message, session.target.publicKey, { padding: new Uint8Array(150) });
}

export type AckRead = { ok: true; ack: OpenedAck } | { ok: false; why: string };

/** Waits for a complete ack on `conn` and decodes it with the initiator's keys. */
export async function readAck(conn: RawConnection, initiator: HandshakeInitiator, timeoutMs: number): Promise<AckRead> {
  let length = Infinity;
  const complete = (buf: Uint8Array) => {
    try {
      length = initiator.ackLength(buf);
    } catch {
      return true; // a length the decoder refuses: hand it to handleAck for the message
    }
    return buf.length >= length;
  };
  if (!(await conn.waitFor(complete, timeoutMs))) {
    const got = conn.received.length;
    const end = conn.ended ? `the connection closed after ${conn.ended.atMs} ms` : `nothing more within ${timeoutMs} ms`;
    return { ok: false, why: got === 0 ? `no ack (${end})` : `an incomplete ack of ${got} bytes (${end})` };
  }
  try {
    const { ack } = initiator.handleAck(conn.received.subarray(0, Math.min(length, conn.received.length)));
    return { ok: true, ack };
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return { ok: false, why: `an ack that does not decode: ${err.message}` };
  }
}
