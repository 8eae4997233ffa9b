/**
 * RLPx vectors. `rlpx-handshake`: every random input of a handshake fixed
 * (static and ephemeral keys, nonces, ECIES ephemeral keys and IVs, EIP-8
 * padding), the auth and ack bytes, the derived secrets, the first frame each
 * way and the egress MAC digest after it. `rlpx-frames`: frame sealing from
 * given secrets, with and without snappy, at the 16-byte padding edges, and
 * frames with a bad header or frame MAC. Follows rlpx.md and geth's rlpx.
 */
import { equalBytes, concatBytes } from '../../../reference-node/wire/bytes.js';
import { publicKeyOf } from '../../../reference-node/wire/keys.js';
import { encodeRlp, type RlpItem } from '../../../reference-node/wire/rlp.js';
import {
  createKeccakMac,
  FrameCodec,
  HandshakeInitiator,
  HandshakeRecipient,
  type FrameSecrets,
  type HandshakeFormat,
  type MacHash,
} from '../../../reference-node/wire/rlpx/index.js';
import { HEX, obj, type Family } from '../family.js';
import { hexField, invalidVector, numberField, stringField, toJson, VectorFormatError, type JsonObject, type Vector } from '../format.js';
import { hex, seededBytes, seededKey, unhex } from '../keys.js';

// ------------------------------------------------------------------ handshake

interface HandshakeInputs {
  format: HandshakeFormat;
  initiatorPrivateKey: Uint8Array;
  recipientPrivateKey: Uint8Array;
  initiatorEphemeralKey: Uint8Array;
  recipientEphemeralKey: Uint8Array;
  initiatorNonce: Uint8Array;
  recipientNonce: Uint8Array;
  authEciesKey: Uint8Array;
  authIv: Uint8Array;
  ackEciesKey: Uint8Array;
  ackIv: Uint8Array;
  authPadding: Uint8Array;
  ackPadding: Uint8Array;
  authVersion: number;
  authExtra: RlpItem[];
  initiatorFrame: { msgId: number; payload: Uint8Array };
  recipientFrame: { msgId: number; payload: Uint8Array };
}

/** A MAC factory that remembers each state it made, so the digest after a frame can be read. */
function recordingMac(): { factory: (seed: Uint8Array) => MacHash; states: MacHash[] } {
  const states: MacHash[] = [];
  return {
    states,
    factory: (seed) => {
      const h = createKeccakMac(seed);
      states.push(h);
      return h;
    },
  };
}

function runHandshake(i: HandshakeInputs): JsonObject {
  const legacy = i.format === 'legacy';
  const initiator = new HandshakeInitiator({
    privateKey: i.initiatorPrivateKey,
    remotePublicKey: publicKeyOf(i.recipientPrivateKey),
    ephemeralPrivateKey: i.initiatorEphemeralKey,
    nonce: i.initiatorNonce,
    format: i.format,
    version: i.authVersion,
    extra: i.authExtra,
    ...(legacy ? {} : { padding: i.authPadding }),
    ecies: { ephemeralPrivateKey: i.authEciesKey, iv: i.authIv },
  });
  const recipient = new HandshakeRecipient({
    privateKey: i.recipientPrivateKey,
    ephemeralPrivateKey: i.recipientEphemeralKey,
    nonce: i.recipientNonce,
    ...(legacy ? {} : { padding: i.ackPadding }),
    ecies: { ephemeralPrivateKey: i.ackEciesKey, iv: i.ackIv },
  });
  const auth = initiator.createAuth();
  recipient.handleAuth(auth);
  const { packet: ack, secrets: recipientSecrets } = recipient.createAck();
  const { secrets } = initiator.handleAck(ack);
  const im = recordingMac();
  const rm = recordingMac();
  const initiatorCodec = new FrameCodec(secrets, { macHash: im.factory });
  const recipientCodec = new FrameCodec(recipientSecrets, { macHash: rm.factory });
  const initiatorFrame = initiatorCodec.encodeFrame(i.initiatorFrame.msgId, i.initiatorFrame.payload);
  const recipientFrame = recipientCodec.encodeFrame(i.recipientFrame.msgId, i.recipientFrame.payload);
  // Each side reads the other's frame: a frame its peer cannot read is no vector.
  const gotByRecipient = recipientCodec.feed(initiatorFrame);
  const gotByInitiator = initiatorCodec.feed(recipientFrame);
  if (!equalBytes(gotByRecipient[0]?.payload ?? new Uint8Array(1), i.initiatorFrame.payload)) throw new Error('recipient misread the first frame');
  if (!equalBytes(gotByInitiator[0]?.payload ?? new Uint8Array(1), i.recipientFrame.payload)) throw new Error('initiator misread the first frame');
  for (const k of ['sharedSecret', 'aesSecret', 'macSecret'] as const) {
    if (!equalBytes(secrets[k], recipientSecrets[k])) throw new Error(`the two sides derived different ${k}`);
  }
  // States: [egress, ingress] per codec, in FrameCodec construction order.
  return {
    auth: hex(auth),
    ack: hex(ack),
    ephemeralSecret: hex(secrets.ephemeralKey),
    sharedSecret: hex(secrets.sharedSecret),
    aesSecret: hex(secrets.aesSecret),
    macSecret: hex(secrets.macSecret),
    initiatorFrame: hex(initiatorFrame),
    recipientFrame: hex(recipientFrame),
    initiatorEgressMac: hex(im.states[0]!.digest()),
    recipientEgressMac: hex(rm.states[0]!.digest()),
  };
}

function handshakeInputsToJson(i: HandshakeInputs): JsonObject {
  return toJson(i) as JsonObject;
}

function itemFromJson(v: unknown): RlpItem {
  if (typeof v === 'string') return unhex(v);
  if (Array.isArray(v)) return v.map(itemFromJson);
  throw new VectorFormatError('extra elements are hex bytes or lists');
}

function frameFromJson(v: unknown): { msgId: number; payload: Uint8Array } {
  const o = v as JsonObject;
  return { msgId: numberField(o, 'msgId'), payload: unhex(hexField(o, 'payload')) };
}

function handshakeInputsFromJson(j: JsonObject): HandshakeInputs {
  const b = (k: string) => unhex(hexField(j, k));
  const format = stringField(j, 'format');
  if (format !== 'eip8' && format !== 'legacy') throw new VectorFormatError('format is eip8 or legacy');
  return {
    format,
    initiatorPrivateKey: b('initiatorPrivateKey'),
    recipientPrivateKey: b('recipientPrivateKey'),
    initiatorEphemeralKey: b('initiatorEphemeralKey'),
    recipientEphemeralKey: b('recipientEphemeralKey'),
    initiatorNonce: b('initiatorNonce'),
    recipientNonce: b('recipientNonce'),
    authEciesKey: b('authEciesKey'),
    authIv: b('authIv'),
    ackEciesKey: b('ackEciesKey'),
    ackIv: b('ackIv'),
    authPadding: b('authPadding'),
    ackPadding: b('ackPadding'),
    authVersion: numberField(j, 'authVersion'),
    authExtra: (j.authExtra as unknown[] | undefined ?? []).map(itemFromJson),
    initiatorFrame: frameFromJson(j.initiatorFrame),
    recipientFrame: frameFromJson(j.recipientFrame),
  };
}

function compareFields(expected: JsonObject, got: JsonObject): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(expected)) if (got[k] !== v) out.push(`${k} differs`);
  for (const k of Object.keys(got)) if (!(k in expected)) out.push(`${k} missing from expected`);
  return out;
}

function openAuthAs(recipientPrivateKey: Uint8Array, auth: Uint8Array): unknown {
  return new HandshakeRecipient({ privateKey: recipientPrivateKey }).handleAuth(auth);
}

export const rlpxHandshakeFamily: Family = {
  name: 'rlpx-handshake',
  title: 'RLPx handshake: keys, nonces, auth/ack, secrets, first frames and MAC states',
  schema: {
    input: { type: 'object', required: ['format', 'initiatorPrivateKey', 'recipientPrivateKey', 'initiatorEphemeralKey', 'recipientEphemeralKey', 'initiatorNonce', 'recipientNonce', 'authEciesKey', 'authIv', 'ackEciesKey', 'ackIv', 'authPadding', 'ackPadding', 'authVersion', 'authExtra', 'initiatorFrame', 'recipientFrame'] },
    expected: obj({ auth: HEX, ack: HEX, ephemeralSecret: HEX, sharedSecret: HEX, aesSecret: HEX, macSecret: HEX, initiatorFrame: HEX, recipientFrame: HEX, initiatorEgressMac: HEX, recipientEgressMac: HEX }),
    invalidInput: obj({ recipientPrivateKey: HEX, auth: HEX }),
  },

  generate(seed) {
    const k = (name: string, role: string) => seededKey(seed, `rlpx-handshake/${name}/${role}`);
    const r = (name: string, role: string, n = 32) => seededBytes(seed, `rlpx-handshake/${name}/${role}`).slice(0, n);
    const inputs = (name: string, format: HandshakeFormat, authPadding: Uint8Array, ackPadding: Uint8Array, authVersion = 4, authExtra: RlpItem[] = []): HandshakeInputs => ({
      format,
      initiatorPrivateKey: k(name, 'initiator-static'),
      recipientPrivateKey: k(name, 'recipient-static'),
      initiatorEphemeralKey: k(name, 'initiator-ephemeral'),
      recipientEphemeralKey: k(name, 'recipient-ephemeral'),
      initiatorNonce: r(name, 'initiator-nonce'),
      recipientNonce: r(name, 'recipient-nonce'),
      authEciesKey: k(name, 'auth-ecies'),
      authIv: r(name, 'auth-iv', 16),
      ackEciesKey: k(name, 'ack-ecies'),
      ackIv: r(name, 'ack-iv', 16),
      authPadding,
      ackPadding,
      authVersion,
      authExtra,
      // A Hello-sized first frame each way (msg id 0x00, never compressed).
      initiatorFrame: { msgId: 0, payload: encodeRlp([5, 'initiator', [['eth', 68]], 0, publicKeyOf(k(name, 'initiator-static'))]) },
      recipientFrame: { msgId: 0, payload: encodeRlp([5, 'recipient', [['eth', 68]], 30303, publicKeyOf(k(name, 'recipient-static'))]) },
    });
    const cases: [string, string, HandshakeInputs][] = [
      ['eip8-padding-100', 'EIP-8 auth and ack with 100 zero bytes of padding (geth pads 100-299)', inputs('eip8-padding-100', 'eip8', new Uint8Array(100), new Uint8Array(100))],
      ['eip8-no-padding', 'EIP-8 auth and ack without padding', inputs('eip8-no-padding', 'eip8', new Uint8Array(0), new Uint8Array(0))],
      ['eip8-seeded-padding', 'EIP-8 with non-zero padding (the receiver must ignore its content)', inputs('eip8-seeded-padding', 'eip8', concatBytes(r('p', 'a'), r('p', 'b'), r('p', 'c')), r('p', 'd', 17))],
      ['eip8-version-5-extra', 'EIP-8 auth-vsn 5 with extra list elements (forward compatibility)', inputs('eip8-version-5-extra', 'eip8', new Uint8Array(150), new Uint8Array(0), 5, [Uint8Array.of(1, 2, 3), [Uint8Array.of(4)]])],
      ['legacy', 'pre-EIP-8 fixed-size auth (307 bytes) and ack (210 bytes)', inputs('legacy', 'legacy', new Uint8Array(0), new Uint8Array(0))],
    ];
    const vectors: Vector[] = cases.map(([name, description, i]) => ({ name, description, input: handshakeInputsToJson(i), expected: runHandshake(i) }));
    const base = cases[0]![2];
    const auth = unhex(vectors[0]!.expected!.auth as string);
    const flipLast = auth.slice();
    flipLast[flipLast.length - 1]! ^= 1;
    const invalid = (name: string, description: string, key: Uint8Array, bytes: Uint8Array, code: string) =>
      invalidVector(name, description, { recipientPrivateKey: hex(key), auth: hex(bytes) }, code, () => openAuthAs(key, bytes));
    vectors.push(
      invalid('auth-bad-mac', 'the ECIES MAC of the auth does not match (last byte flipped)', base.recipientPrivateKey, flipLast, 'mac'),
      invalid('auth-wrong-recipient', 'an auth sealed to another node does not authenticate', k('x', 'other'), auth, 'mac'),
      invalid('auth-size-prefix-over-body', 'the EIP-8 size prefix claims more bytes than sent', base.recipientPrivateKey, concatBytes(Uint8Array.of(auth[0]!, auth[1]! + 1), auth.subarray(2)), 'length'),
      invalid('auth-truncated', 'too short for any auth', base.recipientPrivateKey, auth.subarray(0, 100), 'length'),
    );
    return vectors;
  },

  checkValid(vector) {
    return compareFields(vector.expected!, runHandshake(handshakeInputsFromJson(vector.input)));
  },

  decodeInvalid(vector) {
    return openAuthAs(unhex(hexField(vector.input, 'recipientPrivateKey')), unhex(hexField(vector.input, 'auth')));
  },
};

// --------------------------------------------------------------------- frames

function secretsFromJson(j: JsonObject): FrameSecrets {
  const aesSecret = unhex(hexField(j, 'aesSecret'));
  const macSecret = unhex(hexField(j, 'macSecret'));
  const egressMacSeed = unhex(hexField(j, 'egressMacSeed'));
  const ingressMacSeed = unhex(hexField(j, 'ingressMacSeed'));
  return { aesSecret, macSecret, egressMacSeed, ingressMacSeed };
}

/** The peer's view: its ingress is our egress. */
function mirrored(s: FrameSecrets): FrameSecrets {
  return { ...s, egressMacSeed: s.ingressMacSeed, ingressMacSeed: s.egressMacSeed };
}

interface Message {
  msgId: number;
  payload: Uint8Array;
}

function sealAll(secrets: FrameSecrets, snappy: boolean, messages: Message[]): Uint8Array[] {
  const codec = new FrameCodec(secrets, { snappy });
  return messages.map((m) => codec.encodeFrame(m.msgId, m.payload));
}

function readAll(secrets: FrameSecrets, snappy: boolean, wire: Uint8Array): Message[] {
  const codec = new FrameCodec(mirrored(secrets), { snappy });
  codec.push(wire);
  const out: Message[] = [];
  for (let m = codec.read(); m !== undefined; m = codec.read()) out.push({ msgId: m.msgId, payload: m.payload.slice() });
  return out;
}

export const rlpxFramesFamily: Family = {
  name: 'rlpx-frames',
  title: 'RLPx frames: sealing, snappy, padding edges, bad MACs',
  schema: {
    input: obj({ secrets: obj({ aesSecret: HEX, macSecret: HEX, egressMacSeed: HEX, ingressMacSeed: HEX }), snappy: { type: 'boolean' }, messages: { type: 'array', items: obj({ msgId: { type: 'integer' }, payload: HEX }) } }),
    expected: obj({ frames: { type: 'array', items: HEX } }),
    invalidInput: obj({ secrets: { type: 'object' }, snappy: { type: 'boolean' }, wire: HEX }),
  },

  generate(seed) {
    const r = (label: string, n = 32) => seededBytes(seed, `rlpx-frames/${label}`).slice(0, n);
    const secrets: FrameSecrets = {
      aesSecret: r('aes'),
      macSecret: r('mac'),
      egressMacSeed: concatBytes(r('egress-a'), r('egress-b'), r('egress-c', 20)),
      ingressMacSeed: concatBytes(r('ingress-a'), r('ingress-b'), r('ingress-c', 20)),
    };
    const payload = (label: string, n: number) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i += 32) out.set(r(`${label}/${i}`).subarray(0, Math.min(32, n - i)), i);
      return out;
    };
    const valid = (name: string, description: string, snappy: boolean, messages: Message[]): Vector => ({
      name,
      description,
      input: { secrets: toJson(secrets) as JsonObject, snappy, messages: messages.map((m) => toJson(m) as JsonObject) },
      expected: { frames: sealAll(secrets, snappy, messages).map(hex) },
    });
    const vectors: Vector[] = [
      valid('ping-empty-list', 'p2p Ping (0x02, payload 0xc0): frame-data of 2 bytes, padded to 16', false, [{ msgId: 2, payload: Uint8Array.of(0xc0) }]),
      valid('frame-data-15', 'frame-data of 15 bytes: one byte of padding', false, [{ msgId: 0x10, payload: payload('p14', 14) }]),
      valid('frame-data-16', 'frame-data of exactly 16 bytes: no padding', false, [{ msgId: 0x10, payload: payload('p15', 15) }]),
      valid('frame-data-17', 'frame-data of 17 bytes: 15 bytes of padding', false, [{ msgId: 0x10, payload: payload('p16', 16) }]),
      valid('two-byte-msg-id', 'msg id 0x80 takes two bytes of RLP (0x8180)', false, [{ msgId: 0x80, payload: Uint8Array.of(0xc0) }]),
      valid('sequence-of-three', 'three frames in a row: the MAC and AES states run on across frames', false, [
        { msgId: 0x10, payload: payload('s1', 40) },
        { msgId: 0x11, payload: payload('s2', 1) },
        { msgId: 0x12, payload: payload('s3', 300) },
      ]),
      valid('snappy-repetitive', 'snappy on: a 1000-byte repetitive payload compresses', true, [{ msgId: 0x13, payload: new Uint8Array(1000).fill(0xab) }]),
      valid('snappy-empty-payload', 'snappy on: an empty payload still carries a snappy block', true, [{ msgId: 0x14, payload: new Uint8Array(0) }]),
      valid('snappy-sequence', 'snappy on, several messages', true, [
        { msgId: 0x10, payload: payload('z1', 64) },
        { msgId: 0x10, payload: encodeRlp([payload('z2', 32), payload('z2', 32)]) },
      ]),
    ];
    const good = sealAll(secrets, false, [{ msgId: 0x10, payload: payload('bad', 40) }])[0]!;
    const flip = (at: number) => {
      const w = good.slice();
      w[at]! ^= 0x01;
      return w;
    };
    const invalid = (name: string, description: string, wire: Uint8Array, snappy: boolean, code: string) =>
      invalidVector(name, description, { secrets: toJson(secrets) as JsonObject, snappy, wire: hex(wire) }, code, () => readAll(secrets, snappy, wire));
    vectors.push(
      invalid('bad-header-mac', 'header-mac does not match the header ciphertext', flip(20), false, 'mac'),
      invalid('bad-header-ciphertext', 'a header ciphertext byte flipped: header-mac fails', flip(3), false, 'mac'),
      invalid('bad-frame-mac', 'frame-mac does not match the frame ciphertext', flip(good.length - 1), false, 'mac'),
      invalid('bad-frame-ciphertext', 'a frame ciphertext byte flipped: frame-mac fails', flip(40), false, 'mac'),
      invalid('snappy-oversized-length', 'snappy on; the block declares a decompressed length over 16 MiB', sealAll(secrets, false, [{ msgId: 0x10, payload: Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f) }])[0]!, true, 'too-large'),
    );
    return vectors;
  },

  checkValid(vector) {
    const input = vector.input;
    const secrets = secretsFromJson(input.secrets as JsonObject);
    const snappy = input.snappy === true;
    const messages = ((input.messages as JsonObject[] | undefined) ?? []).map(frameFromJson);
    const expected = ((vector.expected!.frames as string[] | undefined) ?? []).map((f) => hex(unhex(f)));
    const out: string[] = [];
    const sealed = sealAll(secrets, snappy, messages).map(hex);
    if (sealed.length !== expected.length || sealed.some((f, i) => f !== expected[i])) out.push('sealed frames differ');
    try {
      const read = readAll(secrets, snappy, concatBytes(...expected.map(unhex)));
      if (read.length !== messages.length || read.some((m, i) => m.msgId !== messages[i]!.msgId || !equalBytes(m.payload, messages[i]!.payload))) {
        out.push('reading the expected frames gives other messages');
      }
    } catch (err) {
      out.push(`reading the expected frames fails: ${(err as Error).message}`);
    }
    return out;
  },

  decodeInvalid(vector) {
    return readAll(secretsFromJson(vector.input.secrets as JsonObject), vector.input.snappy === true, unhex(hexField(vector.input, 'wire')));
  },
};
