/**
 * The RLPx encryption handshake as the recipient sees it (rlpx.md "Initial
 * Handshake", EIP-8): honest auth in every shape the spec allows must lead
 * to a working session; forged or broken auth must get no ack and a closed
 * connection; a peer that never finishes its auth must not hold the
 * connection forever.
 */
import { ConnectionClosedError, HandshakeTimeoutError } from '../../../reference-node/p2p/handshake-reader.js';
import { utf8 } from '../../../reference-node/wire/bytes.js';
import { check, fail } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import type { TestContext } from '../../core/context.js';
import type { SimDialOptions, SimPeer } from '../../sim/sim-peer.js';
import { authWithSizePrefix, forgedAuth, honestInitiator, offCurvePoint, readAck } from './auth.js';
import { RawConnection } from './raw-connection.js';
import { expectRefused, expectWorkingSession } from './session-checks.js';

/**
 * How long a refused handshake may stay open. The spec has no timer; geth
 * closes at once on a bad auth, and 6 s also covers a target that leaves it
 * to a 5 s handshake timeout.
 */
const REFUSE_WITHIN_MS = 6_000;
/** A stalled handshake must be closed by then: twice geth's 5 s handshake timeout. */
const STALL_CLOSE_WITHIN_MS = 10_000;

/** Dials with a handshake variant the target must accept; a refusal is a verdict, not a harness error. */
async function dialAccepted(ctx: TestContext, options: SimDialOptions, what: string): Promise<SimPeer> {
  try {
    return await ctx.dial(options);
  } catch (err) {
    if (err instanceof ConnectionClosedError || err instanceof HandshakeTimeoutError) {
      fail(`the target refused ${what}: ${err.message}`, 'an ack and a working session', err.message);
    }
    throw err;
  }
}

export const eip8Auth: ConformanceTest = {
  id: 'rlpx/handshake/eip8-auth',
  title: 'an honest EIP-8 auth gets an ack and a working session',
  spec: 'rlpx.md#initial-handshake',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await dialAccepted(ctx, {}, 'an honest EIP-8 auth');
    await expectWorkingSession(peer, 'after an EIP-8 handshake');
  },
};

export const eip8Ack: ConformanceTest = {
  id: 'rlpx/handshake/eip8-ack',
  title: 'an EIP-8 auth is answered with an EIP-8 ack (size prefix, RLP body, ack-vsn 4)',
  spec: 'eips/eip-8.md#specification',
  // EIP-8: "If an EIP-8 style RLPx auth-packet is received, the corresponding ack-packet should be sent using the rules below."
  level: 'SHOULD',
  requires: [],
  async run(ctx) {
    const conn = await RawConnection.open(ctx);
    const initiator = honestInitiator(ctx);
    conn.write(initiator.createAuth(), 'rlpx:auth', 'EIP-8');
    const got = await readAck(conn, initiator, 5_000);
    if (!got.ok) fail(`no valid ack to an honest EIP-8 auth: ${got.why}`, 'an EIP-8 ack', got.why);
    check(got.ack.format === 'eip8', 'the target answered an EIP-8 auth with a pre-EIP-8 ack', 'an EIP-8 ack (size prefix || ECIES(RLP list))', 'a 210-byte legacy ack');
    check(got.ack.message.version === 4, 'the ack does not carry ack-vsn 4', 'ack-vsn 4', `ack-vsn ${got.ack.message.version}`);
  },
};

export const legacyAuth: ConformanceTest = {
  id: 'rlpx/handshake/legacy-auth',
  title: 'a pre-EIP-8 (307-byte, fixed layout) auth still gets a working session',
  spec: 'eips/eip-8.md#backwards-compatibility',
  // EIP-8 says all valid v4 packets are still accepted, but rlpx.md now only
  // describes the EIP-8 format and geth dropped the old one (2021): SHOULD.
  level: 'SHOULD',
  requires: [],
  async run(ctx) {
    const peer = await dialAccepted(ctx, { handshake: { format: 'legacy' } }, 'a pre-EIP-8 auth');
    await expectWorkingSession(peer, 'after a pre-EIP-8 handshake');
  },
};

export const authVersionMismatch: ConformanceTest = {
  id: 'rlpx/handshake/auth-version-mismatch',
  title: 'an auth with auth-vsn 56 is accepted (mismatches in auth-vsn are ignored)',
  spec: 'rlpx.md#initial-handshake',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await dialAccepted(ctx, { handshake: { version: 56 } }, 'an auth with auth-vsn 56');
    await expectWorkingSession(peer, 'after an auth with auth-vsn 56');
  },
};

export const authExtraElements: ConformanceTest = {
  id: 'rlpx/handshake/auth-extra-elements',
  title: 'an auth with additional list elements after auth-vsn is accepted',
  spec: 'rlpx.md#initial-handshake',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    // Shaped like EIP-8's own test vector: a byte string and a nested list after the version.
    const extra = [Uint8Array.of(0x01, 0x02, 0x03), [Uint8Array.of(0x04), utf8('future')]];
    const peer = await dialAccepted(ctx, { handshake: { version: 4, extra } }, 'an auth with extra list elements');
    await expectWorkingSession(peer, 'after an auth with extra list elements');
  },
};

export const auth2KiB: ConformanceTest = {
  id: 'rlpx/handshake/auth-2kib',
  title: 'an auth padded to a 2048-byte size prefix is accepted',
  spec: 'rlpx.md#initial-handshake',
  // auth-padding is "arbitrary data" under a 16-bit size; 2048 is the smallest cap any client applies (geth).
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const conn = await RawConnection.open(ctx);
    const { initiator, packet } = authWithSizePrefix(ctx, 2048);
    conn.write(packet, 'rlpx:auth', 'EIP-8, size prefix 2048');
    const got = await readAck(conn, initiator, 5_000);
    if (!got.ok) fail(`no valid ack to a 2 KiB auth: ${got.why}`, 'an ack', got.why);
  },
};

export const authOver2KiB: ConformanceTest = {
  id: 'rlpx/handshake/auth-over-2kib',
  title: 'an auth with a 3000-byte size prefix is either accepted or refused at once, never left hanging',
  spec: 'rlpx.md#initial-handshake',
  // The 16-bit auth-size allows it; geth caps handshake messages at 2 KiB
  // (as our node does). Either answer is fine; a valid ack or a prompt close.
  level: 'SHOULD',
  requires: [],
  async run(ctx) {
    const conn = await RawConnection.open(ctx);
    const { initiator, packet } = authWithSizePrefix(ctx, 3000);
    conn.write(packet, 'rlpx:auth', 'EIP-8, size prefix 3000');
    await conn.waitFor((b) => b.length > 0, REFUSE_WITHIN_MS);
    if (conn.received.length === 0) {
      const end = await conn.waitForEnd(Math.max(0, REFUSE_WITHIN_MS - conn.elapsed()));
      check(end !== undefined, `the target neither answered nor closed a 3000-byte auth within ${REFUSE_WITHIN_MS} ms`, 'an ack, or a close', 'silence, connection open');
      ctx.log(`refused (closed after ${end.atMs} ms)`);
      return;
    }
    const got = await readAck(conn, initiator, 5_000);
    if (!got.ok) fail(`the target answered a 3000-byte auth with something that is not an ack: ${got.why}`, 'a valid ack, or a close', got.why);
    ctx.log('accepted (valid ack)');
  },
};

export const invalidInitiatorKey: ConformanceTest = {
  id: 'rlpx/handshake/invalid-initiator-pubkey',
  title: 'an auth whose initiator-pubk is not on the curve gets no ack and a closed connection',
  spec: 'rlpx.md#initial-handshake',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const conn = await RawConnection.open(ctx);
    conn.write(forgedAuth(ctx, { initiatorPublicKey: offCurvePoint() }), 'rlpx:auth', 'initiator-pubk (1, 1), off the curve');
    await expectRefused(conn, 'to an auth whose initiator key is off the curve', REFUSE_WITHIN_MS);
  },
};

export const invalidEciesPoint: ConformanceTest = {
  id: 'rlpx/handshake/invalid-ecies-point',
  title: 'an auth whose ECIES ephemeral point is not on the curve gets no ack and a closed connection',
  spec: 'rlpx.md#ecies-encryption',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const conn = await RawConnection.open(ctx);
    const packet = honestInitiator(ctx).createAuth().slice();
    // size prefix (2) || 0x04 || R.x (32) || R.y (32) || iv || c || tag: R becomes (1, 1).
    packet.set(offCurvePoint(), 3);
    conn.write(packet, 'rlpx:auth', 'ECIES R = (1, 1), off the curve');
    await expectRefused(conn, 'to an auth whose ECIES point is off the curve', REFUSE_WITHIN_MS);
  },
};

export const unrecoverableSignature: ConformanceTest = {
  id: 'rlpx/handshake/unrecoverable-signature',
  title: 'an auth whose signature recovers no ephemeral key (r = s = 0) gets no ack and a closed connection',
  spec: 'rlpx.md#initial-handshake',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const conn = await RawConnection.open(ctx);
    conn.write(forgedAuth(ctx, { signature: new Uint8Array(65) }), 'rlpx:auth', 'signature r = s = 0');
    await expectRefused(conn, 'to an auth with an unrecoverable signature', REFUSE_WITHIN_MS);
  },
};

export const badEciesMac: ConformanceTest = {
  id: 'rlpx/handshake/bad-ecies-mac',
  title: 'an auth whose ECIES tag does not verify gets no ack and a closed connection',
  spec: 'rlpx.md#ecies-encryption',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const conn = await RawConnection.open(ctx);
    const packet = honestInitiator(ctx).createAuth().slice();
    packet[packet.length - 1]! ^= 0x01;
    conn.write(packet, 'rlpx:auth', 'last tag byte flipped');
    await expectRefused(conn, 'to an auth with a bad ECIES tag', REFUSE_WITHIN_MS);
  },
};

export const garbageBeforeAuth: ConformanceTest = {
  id: 'rlpx/handshake/garbage-before-auth',
  title: '64 random bytes before an honest auth: no ack, the connection is closed',
  spec: 'rlpx.md#initial-handshake',
  // The auth must be the first bytes on the connection; a target that scans
  // for it would let anyone desynchronise the stream. The close may wait for
  // the handshake timer (the garbage can declare a long auth).
  level: 'MUST',
  requires: [],
  timeoutMs: 20_000,
  async run(ctx) {
    const conn = await RawConnection.open(ctx);
    conn.write(ctx.randomBytes(64), 'garbage', '64 random bytes');
    conn.write(honestInitiator(ctx).createAuth(), 'rlpx:auth', 'honest EIP-8');
    await expectRefused(conn, 'to garbage followed by an auth', STALL_CLOSE_WITHIN_MS);
  },
};

export const timeoutNoAuth: ConformanceTest = {
  id: 'rlpx/handshake/timeout-no-auth',
  title: 'a connection that never sends an auth is closed by the target (geth: 5 s)',
  spec: 'rlpx.md#initial-handshake',
  // No timer in the spec; geth closes after its 5 s handshake timeout. A
  // node that waits forever can be exhausted with idle connections.
  level: 'SHOULD',
  requires: [],
  timeoutMs: 20_000,
  async run(ctx) {
    const conn = await RawConnection.open(ctx);
    await expectRefused(conn, 'to a connection that sent nothing', STALL_CLOSE_WITHIN_MS);
    ctx.log(`closed after ${conn.ended!.atMs} ms`);
  },
};

export const timeoutPartialAuth: ConformanceTest = {
  id: 'rlpx/handshake/timeout-partial-auth',
  title: 'a connection that sends half an auth and stalls is closed by the target',
  spec: 'rlpx.md#initial-handshake',
  level: 'SHOULD',
  requires: [],
  timeoutMs: 20_000,
  async run(ctx) {
    const conn = await RawConnection.open(ctx);
    const packet = honestInitiator(ctx).createAuth();
    conn.write(packet.subarray(0, Math.floor(packet.length / 2)), 'rlpx:auth (first half)', `${Math.floor(packet.length / 2)} of ${packet.length} bytes`);
    await expectRefused(conn, 'to a truncated auth', STALL_CLOSE_WITHIN_MS);
    ctx.log(`closed after ${conn.ended!.atMs} ms`);
  },
};

export const HANDSHAKE_TESTS: readonly ConformanceTest[] = [
  eip8Auth,
  eip8Ack,
  legacyAuth,
  authVersionMismatch,
  authExtraElements,
  auth2KiB,
  authOver2KiB,
  invalidInitiatorKey,
  invalidEciesPoint,
  unrecoverableSignature,
  badEciesMac,
  garbageBeforeAuth,
  timeoutNoAuth,
  timeoutPartialAuth,
];
