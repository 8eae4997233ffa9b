/**
 * RLPx auth and ack (rlpx.md "Initial Handshake", EIP-8): our recipient and
 * initiator against @ethereumjs/devp2p's ECIES, on the same sealed packets.
 * The plaintext body is mutated at the RLP level and sealed honestly (so the
 * field decoders are reached); the sealed packet is then optionally mutated
 * at the byte level (size prefix, ECIES key, MAC).
 *
 * ethereumjs reads the 2-byte size prefix and waits for that many bytes, as
 * its Peer does; it never takes the legacy path (its check compares two
 * Uint8Array objects with ===), so both sides are asked to read "the first
 * message" of the bytes and whatever follows is left to the frame layer.
 */
import fc from 'fast-check';
import { ECIES } from '@ethereumjs/devp2p';
import { bytesToHex, concatBytes, xorBytes } from '../../../reference-node/wire/bytes.js';
import { ecdhX, keccak256, publicKeyOf, signRecoverable } from '../../../reference-node/wire/keys.js';
import { encodeRlp, type RlpItem } from '../../../reference-node/wire/rlp.js';
import { eciesEncrypt, ECIES_OVERHEAD } from '../../../reference-node/wire/rlpx/ecies.js';
import { handshakeMessageLength, HandshakeRecipient, openAck } from '../../../reference-node/wire/rlpx/handshake.js';
import { byteMutationArb, mutationPlanArb } from '../../arbitraries/mutations.js';
import { rlpItemArb } from '../../arbitraries/rlp.js';
import { applyPlan, mutateBytes, type MutationPlan, type ByteMutation } from '../../mutate/index.js';
import { decodeWith, type DiffCase, type DiffTarget } from '../differential.js';
import { TEST_KEYS } from './keys.js';

/** Reaches the protected state the comparison needs. */
class OpenEcies extends ECIES {
  expectEip8(kind: 'auth' | 'ack'): void {
    if (kind === 'auth') this._gotEIP8Auth = true;
    else this._gotEIP8Ack = true;
  }
  get remoteEphemeral(): Uint8Array | null {
    return this._remoteEphemeralPublicKey;
  }
  get remoteNonce(): Uint8Array | null {
    return this._remoteNonce;
  }
  get remoteStatic(): Uint8Array | null {
    return this._remotePublicKey;
  }
}

/** Precomputed ephemeral keys, nonces and signatures: signing dominates otherwise. */
const POOL = Array.from({ length: 4 }, (_, i) => {
  const ephemeral = keccak256(Uint8Array.of(0xe0, i));
  const nonce = keccak256(Uint8Array.of(0x40, i));
  const staticShared = ecdhX(TEST_KEYS.a, TEST_KEYS.bPub);
  return { ephemeral, ephemeralPub: publicKeyOf(ephemeral), nonce, signature: signRecoverable(xorBytes(staticShared, nonce), ephemeral) };
});
const ECIES_RANDOM = { ephemeralPrivateKey: keccak256(Uint8Array.of(0xec)), iv: new Uint8Array(16).fill(7) };

type HandshakeCase = DiffCase;

interface BodyShape {
  pool: number;
  version: number;
  extra: RlpItem[];
  padding: number;
  plan: MutationPlan;
  bytePlan: ByteMutation[];
}

const shapeArb = fc.record({
  pool: fc.nat({ max: POOL.length - 1 }),
  version: fc.oneof(fc.constant(4), fc.constantFrom(0, 5, 255, 0xffff)),
  extra: fc.array(rlpItemArb(1), { maxLength: 2 }),
  padding: fc.oneof(fc.constant(100), fc.constantFrom(0, 1, 299)),
  plan: mutationPlanArb({ big: false, maxRlp: 2, maxBytes: 1 }),
  bytePlan: fc.array(byteMutationArb(), { maxLength: 1 }),
});

/** EIP-8 sealing with a body the plan has mutated; the size prefix is computed from the result. */
function sealEip8(body: Uint8Array, padding: number, remote: Uint8Array): Uint8Array {
  const plain = concatBytes(body, new Uint8Array(padding));
  const size = plain.length + ECIES_OVERHEAD;
  const prefix = Uint8Array.of((size >>> 8) & 0xff, size & 0xff);
  return concatBytes(prefix, eciesEncrypt(remote, plain, prefix, ECIES_RANDOM));
}

function authCase(s: BodyShape): HandshakeCase {
  const p = POOL[s.pool]!;
  const body = encodeRlp([p.signature, TEST_KEYS.aPub, p.nonce, s.version, ...s.extra]);
  const packet = sealEip8(applyPlan(body, s.plan), s.padding, TEST_KEYS.bPub);
  return { bytes: mutateBytes(packet, s.bytePlan) };
}

function ackCase(s: BodyShape): HandshakeCase {
  const p = POOL[s.pool]!;
  const body = encodeRlp([p.ephemeralPub, p.nonce, s.version, ...s.extra]);
  const packet = sealEip8(applyPlan(body, s.plan), s.padding, TEST_KEYS.aPub);
  return { bytes: mutateBytes(packet, s.bytePlan) };
}

/** Both sides read the first message of the bytes; shorter input means "still waiting". */
function firstMessageLength(bytes: Uint8Array): number {
  if (bytes.length < 2) return 2;
  return ((bytes[0]! << 8) | bytes[1]!) + 2;
}

export const authTarget: DiffTarget<HandshakeCase> = {
  name: 'rlpx-auth',
  spec: 'rlpx.md "Initial Handshake" and EIP-8 (auth body, size prefix as MAC data)',
  defaultRuns: 300,
  cases: () => shapeArb.map(authCase),
  ours: (c) =>
    decodeWith(() => {
      const r = new HandshakeRecipient({ privateKey: TEST_KEYS.b });
      const n = handshakeMessageLength(c.bytes, 'auth', TEST_KEYS.b);
      if (n > c.bytes.length) throw new Error(`incomplete: waits for ${n} bytes`);
      const got = r.handleAuth(c.bytes.subarray(0, n));
      return `${bytesToHex(got.remotePublicKey)} ${bytesToHex(got.message.initiatorNonce)} ${bytesToHex(got.remoteEphemeralPublicKey)}`;
    }),
  theirs: (c) =>
    decodeWith(() => {
      const e = new OpenEcies(TEST_KEYS.b, TEST_KEYS.bPub, null as unknown as Uint8Array);
      const n = firstMessageLength(c.bytes);
      if (n > c.bytes.length) throw new Error(`incomplete: waits for ${n} bytes`);
      e.expectEip8('auth');
      e.parseAuthEIP8(c.bytes.subarray(0, n));
      if (!e.remoteEphemeral || !e.remoteStatic || !e.remoteNonce) throw new Error('parsed without a remote ephemeral key');
      return `${bytesToHex(e.remoteStatic.subarray(1))} ${bytesToHex(e.remoteNonce)} ${bytesToHex(e.remoteEphemeral.subarray(1))}`;
    }),
};

export const ackTarget: DiffTarget<HandshakeCase> = {
  name: 'rlpx-ack',
  spec: 'rlpx.md "Initial Handshake" and EIP-8 (ack body)',
  defaultRuns: 300,
  cases: () => shapeArb.map(ackCase),
  ours: (c) =>
    decodeWith(() => {
      const n = handshakeMessageLength(c.bytes, 'ack', TEST_KEYS.a);
      if (n > c.bytes.length) throw new Error(`incomplete: waits for ${n} bytes`);
      const got = openAck(c.bytes.subarray(0, n), TEST_KEYS.a);
      return `${bytesToHex(got.message.recipientEphemeralPublicKey)} ${bytesToHex(got.message.recipientNonce)}`;
    }),
  theirs: (c) =>
    decodeWith(() => {
      const e = new OpenEcies(TEST_KEYS.a, TEST_KEYS.aPub, TEST_KEYS.bPub);
      const n = firstMessageLength(c.bytes);
      if (n > c.bytes.length) throw new Error(`incomplete: waits for ${n} bytes`);
      e.expectEip8('ack');
      e.parseAckEIP8(c.bytes.subarray(0, n));
      if (!e.remoteEphemeral || !e.remoteNonce) throw new Error('parsed without a remote ephemeral key');
      return `${bytesToHex(e.remoteEphemeral.subarray(1))} ${bytesToHex(e.remoteNonce)}`;
    }),
};
