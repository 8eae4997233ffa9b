/**
 * Campaign `handshake`: RLPx auth messages (rlpx.md "Initial Handshake",
 * EIP-8) on fresh TCP connections, built from precomputed keys so the cost
 * per case is symmetric encryption only: initiator keys, their signatures
 * and ECIES key agreements with the target's key are made once per target.
 *
 * The plaintext body is mutated at the RLP level and sealed honestly; the
 * sealed packet may then be mutated at the byte level. What the target must
 * do follows from that:
 *   - any change to the sealed bytes (size prefix, ECIES key, IV, ciphertext,
 *     MAC, truncation) must be refused: no ack, the connection closes;
 *   - an honestly sealed body is judged by our recipient (EIP-8: any version,
 *     extra list elements and padding are accepted; anything our strict
 *     decoder refuses must be refused): ack or no ack;
 *   - an ack must open with our key and keep the auth's format;
 *   - a connection that stops mid-auth must be closed within the bound.
 * After sending we close our side (FIN), so a target waits for nothing.
 */
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { bytesToHex, concatBytes, equalBytes, xorBytes } from '../../reference-node/wire/bytes.js';
import { DecodeError } from '../../reference-node/wire/errors.js';
import { assertPublicKey, ecdhX, keccak256, publicKeyOf, recoverPublicKey, signRecoverable, type PrivateKey, type PublicKey } from '../../reference-node/wire/keys.js';
import { encodeRlp, type RlpItem } from '../../reference-node/wire/rlp.js';
import { concatKdf, ECIES_OVERHEAD } from '../../reference-node/wire/rlpx/ecies.js';
import { HandshakeRecipient, LEGACY_ACK_SIZE, openAck } from '../../reference-node/wire/rlpx/handshake.js';
import { byteMutationArb, maybeMutatedArb } from '../arbitraries/mutations.js';
import { rlpItemArb } from '../arbitraries/rlp.js';
import { applyPlan, describePlan, mutateBytes, type ByteMutation, type MutationPlan } from '../mutate/index.js';
import type { CampaignContext } from '../engine/context.js';
import { fail, PASS, type Campaign, type CaseRun, type SentItem, type Verdict } from '../engine/types.js';
import { sent } from './session-tools.js';

const POOL_SIZE = 8;
/** After our FIN, the target must have answered or closed by then. */
export const HANDSHAKE_REPLY_MS = 5_000;
/** A connection that stalls mid-auth must be closed by then (geth: 5 s). */
export const STALL_DEADLINE_MS = 10_000;

export interface HandshakeCase {
  pool: number;
  ecies: number;
  format: 'eip8' | 'legacy';
  version: number;
  extra: RlpItem[];
  padding: number;
  /** RLP operators on the EIP-8 body; byte operators on the plaintext (legacy: the whole fixed-size plaintext). */
  plan: MutationPlan;
  /** Byte operators on the sealed packet. */
  sealedPlan: ByteMutation[];
  /** Bytes after the auth (the first frame's place). */
  trailing: Uint8Array;
  /** Send only this many bytes and keep the connection open (0: send all). */
  stallAfter: number;
  /** Write the packet in this many pieces. */
  pieces: number;
}

export interface Initiator {
  key: PrivateKey;
  pub: PublicKey;
  ephemeralPub: PublicKey;
  nonce: Uint8Array;
  signature: Uint8Array;
}

interface EciesKey {
  pub: PublicKey;
  iv: Uint8Array;
  /** Shared x coordinate with the recipient. */
  z: Uint8Array;
}

/** Keys for one recipient public key, derived deterministically from an index so a case replays. */
class KeyPool {
  readonly initiators: Initiator[];
  readonly ecies: EciesKey[];

  constructor(readonly recipient: PublicKey) {
    this.initiators = Array.from({ length: POOL_SIZE }, (_, i) => {
      const key = keccak256(Uint8Array.of(0x51, i));
      const ephemeral = keccak256(Uint8Array.of(0xe1, i));
      const nonce = keccak256(Uint8Array.of(0x4e, i));
      return { key, pub: publicKeyOf(key), ephemeralPub: publicKeyOf(ephemeral), nonce, signature: signRecoverable(xorBytes(ecdhX(key, recipient), nonce), ephemeral) };
    });
    this.ecies = Array.from({ length: POOL_SIZE * 2 }, (_, i) => {
      const r = keccak256(Uint8Array.of(0xec, i));
      return { pub: publicKeyOf(r), iv: keccak256(Uint8Array.of(0x1f, i)).subarray(0, 16), z: ecdhX(r, recipient) };
    });
  }
}

/** ECIES with a precomputed key agreement: R || iv || AES-128-CTR(plain) || HMAC-SHA256 over iv || c || authData. */
function sealPrecomputed(k: EciesKey, plain: Uint8Array, authData: Uint8Array): Uint8Array {
  const key = concatKdf(k.z, 32);
  const macKey = createHash('sha256').update(key.subarray(16, 32)).digest();
  const ct = createCipheriv('aes-128-ctr', key.subarray(0, 16), k.iv).update(plain);
  const tag = createHmac('sha256', macKey).update(k.iv).update(ct).update(authData).digest();
  return concatBytes(Uint8Array.of(0x04), k.pub, k.iv, ct, tag);
}

/** The plaintext (EIP-8: body and padding; legacy: the fixed 194 bytes). */
export function plaintextOf(c: HandshakeCase, init: Initiator): Uint8Array {
  if (c.format === 'legacy') {
    const plain = concatBytes(init.signature, keccak256(init.ephemeralPub), init.pub, init.nonce, Uint8Array.of(0));
    return mutateBytes(plain, c.plan.bytes);
  }
  const body = applyPlan(encodeRlp([init.signature, init.pub, init.nonce, c.version, ...c.extra]), c.plan);
  return concatBytes(body, new Uint8Array(c.padding));
}

function seal(c: HandshakeCase, plain: Uint8Array, k: EciesKey): Uint8Array {
  if (c.format === 'legacy') return sealPrecomputed(k, plain, new Uint8Array(0));
  const size = plain.length + ECIES_OVERHEAD;
  const prefix = Uint8Array.of((size >>> 8) & 0xff, size & 0xff);
  return concatBytes(prefix, sealPrecomputed(k, plain, prefix));
}

/**
 * Our recipient's opinion of an EIP-8 plaintext, sealed to a key we hold.
 * Whether a signature recovers depends on r, s and v only, not on the digest,
 * so another recipient key gives the same answer.
 */
const MODEL_KEY = keccak256(Uint8Array.of(0x3d));
let modelPool: KeyPool | undefined;
/**
 * 'either': the spec allows an ack or a close. Our recipient refuses auths
 * over 2 KiB, as geth does, but rlpx.md and EIP-8 set no limit below the
 * 2-byte size prefix's 65535, so refusing and accepting are both correct.
 */
export type Model = { ok: true } | { ok: false; why: string } | { ok: 'unknown'; why: string } | { ok: 'either'; why: string };

export function modelAccepts(c: HandshakeCase, plain: Uint8Array, init: Initiator, recipient: PublicKey): Model {
  if (c.format === 'legacy') return legacyModel(plain, init, recipient);
  modelPool ??= new KeyPool(publicKeyOf(MODEL_KEY));
  const packet = seal(c, plain, modelPool.ecies[0]!);
  try {
    new HandshakeRecipient({ privateKey: MODEL_KEY }).handleAuth(packet);
    return { ok: true };
  } catch (err) {
    if (err instanceof DecodeError && err.code === 'too-large') return { ok: 'either', why: `${err.message} (an implementation-defined limit)` };
    if (err instanceof DecodeError || err instanceof RangeError) return { ok: false, why: err.message };
    throw err;
  }
}

/**
 * A legacy auth also carries keccak256 of the initiator's ephemeral key, and
 * the recipient checks it against the key the signature recovers, which
 * depends on the static shared secret. We know that secret from the
 * initiator's side, unless a mutation replaced the initiator key.
 */
function legacyModel(plain: Uint8Array, init: Initiator, recipient: PublicKey): Model {
  if (plain.length !== 194) return { ok: false, why: `a legacy auth plaintext of ${plain.length} bytes, not 194` };
  const sig = plain.subarray(0, 65);
  const hash = plain.subarray(65, 97);
  const pub = plain.subarray(97, 161);
  const nonce = plain.subarray(161, 193);
  try {
    assertPublicKey(pub);
  } catch {
    return { ok: false, why: 'the initiator key is not a curve point' };
  }
  if (!equalBytes(pub, init.pub)) return { ok: 'unknown', why: 'a mutated initiator key (its shared secret with the target is unknown to us)' };
  try {
    const ephemeral = recoverPublicKey(xorBytes(ecdhX(init.key, recipient), nonce), sig);
    return equalBytes(keccak256(ephemeral), hash) ? { ok: true } : { ok: false, why: 'the ephemeral key hash does not match the signature' };
  } catch {
    return { ok: false, why: 'the signature does not recover' };
  }
}

interface Observed {
  bytes: Uint8Array;
  closed: boolean;
  ms: number;
}

function exchange(host: string, port: number, pieces: Uint8Array[], fin: boolean, waitMs: number): Promise<Observed> {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks: Uint8Array[] = [];
    let done = false;
    const socket: Socket = connect({ host, port });
    socket.setNoDelay(true);
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ bytes: concatBytes(...chunks), closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (d: Buffer) => chunks.push(new Uint8Array(d)));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', async () => {
      for (const [i, p] of pieces.entries()) {
        socket.write(p);
        if (i < pieces.length - 1) await new Promise((r) => setTimeout(r, 2));
      }
      if (fin) socket.end();
    });
  });
}

/**
 * Whether the bytes on the wire begin with the whole honest packet. Bytes
 * after it are the first frame's, not a change to the auth; and a truncation
 * that the trailing bytes happen to undo (cut the last byte, append that
 * byte) leaves the auth unchanged, so it must be acked.
 */
export function startsWithPacket(wire: Uint8Array, honest: Uint8Array): boolean {
  return wire.length >= honest.length && equalBytes(wire.subarray(0, honest.length), honest);
}

/** Why the auth must be answered, in the terms of its own format. */
function whyValid(c: HandshakeCase): string {
  if (c.format === 'legacy') return 'EIP-8 adds a second encoding; receivers still accept the pre-EIP-8 one';
  return `EIP-8: version ${c.version}, ${c.extra.length} extra elements, ${c.padding} bytes of padding are fine`;
}

function ackLength(bytes: Uint8Array, legacy: boolean): number {
  // A legacy ack is 210 bytes starting with the ECIES key prefix, whatever format the auth had.
  if (legacy || (bytes.length === LEGACY_ACK_SIZE && bytes[0] === 0x04)) return LEGACY_ACK_SIZE;
  if (bytes.length < 2) return Infinity;
  return ((bytes[0]! << 8) | bytes[1]!) + 2;
}

export class HandshakeCampaign implements Campaign<HandshakeCase> {
  readonly name = 'handshake' as const;
  readonly summary = 'mutated RLPx auth messages on fresh connections (keys precomputed); ack or close as the spec says';
  /** Stalled auths hold a connection open until the target's handshake deadline: overlap them. */
  readonly defaultJobs = 16;
  private pool: KeyPool | undefined;

  cases(): Arbitrary<HandshakeCase> {
    return fc.record<HandshakeCase>({
      pool: fc.nat({ max: POOL_SIZE - 1 }),
      ecies: fc.nat({ max: POOL_SIZE * 2 - 1 }),
      format: fc.oneof({ weight: 6, arbitrary: fc.constant('eip8' as const) }, { weight: 1, arbitrary: fc.constant('legacy' as const) }),
      version: fc.oneof({ weight: 4, arbitrary: fc.constant(4) }, { weight: 1, arbitrary: fc.constantFrom(0, 5, 255, 0xffff) }),
      extra: fc.oneof({ weight: 4, arbitrary: fc.constant<RlpItem[]>([]) }, { weight: 1, arbitrary: fc.array(rlpItemArb(1), { minLength: 1, maxLength: 2 }) }),
      padding: fc.oneof(fc.constant(100), fc.constantFrom(0, 1, 250)),
      plan: maybeMutatedArb({ big: false, maxRlp: 2, maxBytes: 1 }),
      sealedPlan: fc.oneof({ weight: 3, arbitrary: fc.constant<ByteMutation[]>([]) }, { weight: 1, arbitrary: fc.array(byteMutationArb(), { minLength: 1, maxLength: 1 }) }),
      trailing: fc.oneof({ weight: 8, arbitrary: fc.constant(new Uint8Array(0)) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
      stallAfter: fc.oneof({ weight: 60, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(1, 2, 100) }),
      pieces: fc.oneof({ weight: 8, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 4 }) }),
    });
  }

  describe(c: HandshakeCase): string {
    // A legacy auth has no version, extra elements, padding or RLP: those case fields are not used for it.
    const parts = c.format === 'legacy' ? ['legacy auth', `plaintext ${describePlan({ rlp: [], bytes: c.plan.bytes })}`] : [`${c.format} auth v${c.version}`];
    if (c.format === 'eip8') {
      if (c.extra.length) parts.push(`${c.extra.length} extra elements`);
      parts.push(`padding ${c.padding}`, `plaintext ${describePlan(c.plan)}`);
    }
    if (c.sealedPlan.length) parts.push(`sealed packet ${describePlan({ rlp: [], bytes: c.sealedPlan })}`);
    if (c.trailing.length) parts.push(`${c.trailing.length} trailing bytes`);
    if (c.stallAfter) parts.push(`stalls after ${c.stallAfter} bytes`);
    if (c.pieces > 1) parts.push(`${c.pieces} writes`);
    return parts.join(', ');
  }

  async reset(): Promise<void> {}

  private keys(target: PublicKey): KeyPool {
    if (!this.pool || !equalBytes(this.pool.recipient, target)) this.pool = new KeyPool(target);
    return this.pool;
  }

  async run(ctx: CampaignContext, c: HandshakeCase): Promise<CaseRun> {
    const pool = this.keys(ctx.target.publicKey);
    const init = pool.initiators[c.pool % POOL_SIZE]!;
    const plain = plaintextOf(c, init);
    const honest = seal(c, plain, pool.ecies[c.ecies % pool.ecies.length]!);
    const items: SentItem[] = [];
    const { host, port } = ctx.target;

    if (c.stallAfter > 0) {
      const part = honest.subarray(0, Math.min(c.stallAfter, honest.length - 1));
      items.push(sent(`the first ${part.length} bytes of an auth, then silence`, part));
      const o = await exchange(host, port, [part], false, STALL_DEADLINE_MS);
      if (!o.closed) return { verdict: fail('hang', `the connection is closed within ${STALL_DEADLINE_MS} ms of a stalled auth`, 'still open'), sent: items };
      return { verdict: o.bytes.length > 0 ? fail('unexpected-reply', 'no ack to half an auth', `${o.bytes.length} bytes`) : PASS, sent: items };
    }

    const wire = concatBytes(mutateBytes(honest, c.sealedPlan), c.trailing);
    const sealedChanged = !startsWithPacket(wire, honest);
    items.push(sent(`${c.format} auth${sealedChanged ? ' (sealed bytes mutated)' : ''}${c.trailing.length ? ` + ${c.trailing.length} trailing bytes` : ''}`, wire));
    const step = Math.ceil(wire.length / c.pieces);
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < wire.length; i += step) pieces.push(wire.subarray(i, i + step));
    const model: Model = sealedChanged ? { ok: false, why: 'the sealed packet was changed (MAC, size or key no longer match)' } : modelAccepts(c, plain, init, ctx.target.publicKey);
    const o = await exchange(host, port, pieces, true, HANDSHAKE_REPLY_MS);
    return { verdict: this.judge(c, init, model, o), sent: items, ...(o.closed ? {} : { suspicious: true }) };
  }

  private judge(c: HandshakeCase, init: Initiator, model: Model, o: Observed): Verdict {
    if (model.ok === 'unknown') return o.closed ? PASS : fail('hang', `the connection closed within ${HANDSHAKE_REPLY_MS} ms after our FIN`, 'still open');
    // Refused or acked are both right here; an ack that starts must still be a whole, valid one.
    if (model.ok === 'either') return o.bytes.length > 0 ? this.judgeAck(c, init, o) : this.judge(c, init, { ok: false, why: model.why }, o);
    if (!model.ok) {
      if (o.bytes.length > 0) return fail('unexpected-reply', `no ack: ${model.why}`, `${o.bytes.length} bytes (${bytesToHex(o.bytes.subarray(0, 8))}…)`);
      if (!o.closed) return fail('hang', `the connection closed within ${HANDSHAKE_REPLY_MS} ms after our FIN`, 'still open');
      return PASS;
    }
    return this.judgeAck(c, init, o);
  }

  private judgeAck(c: HandshakeCase, init: Initiator, o: Observed): Verdict {
    const n = ackLength(o.bytes, c.format === 'legacy');
    if (o.bytes.length < n || n === Infinity) {
      return fail('reply', `an ack to a valid ${c.format} auth (${whyValid(c)})`, o.bytes.length ? `${o.bytes.length} bytes, not a whole ack` : o.closed ? 'the connection closed' : 'nothing');
    }
    let format: string;
    try {
      format = openAck(o.bytes.subarray(0, n), init.key).format;
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      return fail('reply', 'an ack that opens with our key', err.message);
    }
    if (format !== c.format) return fail('reply', `an ${c.format} ack to an ${c.format} auth (EIP-8)`, `an ${format} ack`);
    return PASS;
  }
}
