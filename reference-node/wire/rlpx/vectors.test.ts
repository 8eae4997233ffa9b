/**
 * The EIP-8 RLPx vectors end to end (shared/vectors-reference/rlpx-eip8-handshake.json):
 * auth/ack decryption and decoding, the official session secrets, and frames.
 * Expected values come from the vector file only; secrets here are re-derived
 * with keys.ts (noble), independently of the node:crypto ECDH the codec uses.
 */
import { describe, expect, it } from 'vitest';
import { readSharedJson } from '../../../test-support/shared.js';
import { bytesToHex, hexToBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { ecdhX, keccak256, publicKeyOf, recoverPublicKey } from '../keys.js';
import { decodeRlp, encodeRlp, type RlpItem } from '../rlp.js';
import { decodeHello } from '../p2p.js';
import { FrameCodec, FrameReader, type FrameSecrets } from './frame.js';
import {
  handshakeMessageLength,
  HandshakeRecipient,
  LEGACY_ACK_SIZE,
  LEGACY_AUTH_SIZE,
  openAck,
  openAuth,
} from './handshake.js';
import { createKeccakMac, type MacHash } from './mac.js';
import { deriveSecrets, type SessionSecrets } from './secrets.js';
import { snappyDecompress } from './snappy.js';

// ---- vector file shape ---------------------------------------------------

interface DecodedAuthJson {
  signature: string;
  initiatorPubkey: string;
  initiatorNonce: string;
  version: number | null;
  extraListElementsRlp: string[];
  ephemeralPubkeyHash?: string;
  tokenFlag?: string;
  paddingLength?: number;
}
interface DecodedAckJson {
  recipientEphemeralPubkey: string;
  recipientNonce: string;
  version: number | null;
  extraListElementsRlp: string[];
  tokenFlag?: string;
  paddingLength?: number;
}
interface PacketJson<D> {
  packet: string;
  packetLength: number;
  format: 'pre-eip8' | 'eip8';
  plaintext: string;
  decoded: D;
}
interface MacFooJson {
  ingressMacFoo: string;
  egressMacFoo: string;
}
interface SecretsJson {
  ephemeralSharedSecret: string;
  sharedSecret: string;
  aesSecret: string;
  macSecret: string;
  recipientB: MacFooJson;
  initiatorA: MacFooJson;
}
interface FrameJson {
  frameData: string;
  header: string;
  headerCiphertext: string;
  headerMac: string;
  frameCiphertext: string;
  frameMac: string;
  frame: string;
  helloRlp?: string;
}
interface RlpxVectors {
  keys: Record<string, string>;
  auth: Record<'auth1' | 'auth2' | 'auth3', PacketJson<DecodedAuthJson>>;
  ack: Record<'ack1' | 'ack2' | 'ack3', PacketJson<DecodedAckJson>>;
  secrets: Record<'auth1+ack1' | 'auth2+ack2' | 'auth3+ack3', SecretsJson>;
  frames: {
    gethGoldenFrame: { aesSecret: string; macSecret: string; msgCode: number; msgRlp: string; frameData: string; golden: string; header: string };
    generatedHere_B_to_A_after_auth2_ack2: { frame1_hello: FrameJson; frame2_ping: FrameJson };
  };
}

const v = readSharedJson<RlpxVectors>('vectors-reference', 'rlpx-eip8-handshake.json');
const h = hexToBytes;
const hex = bytesToHex;
const k = {
  staticA: h(v.keys.staticKeyA!),
  staticB: h(v.keys.staticKeyB!),
  ephemeralA: h(v.keys.ephemeralKeyA!),
  ephemeralB: h(v.keys.ephemeralKeyB!),
  nonceA: h(v.keys.nonceA!),
  nonceB: h(v.keys.nonceB!),
  staticPubA: h(v.keys.staticPubA!),
  ephemeralPubA: h(v.keys.ephemeralPubA!),
  ephemeralPubB: h(v.keys.ephemeralPubB!),
};
const PAIRS = [
  ['auth1+ack1', 'auth1', 'ack1'],
  ['auth2+ack2', 'auth2', 'ack2'],
  ['auth3+ack3', 'auth3', 'ack3'],
] as const;

const rlpHex = (items: RlpItem[]): string[] => items.map((i) => hex(encodeRlp(i)));

/** The running keccak digest after absorbing "foo", without disturbing anything else. */
function macFoo(seed: Uint8Array): string {
  const mac = createKeccakMac(seed);
  mac.update(new TextEncoder().encode('foo'));
  return hex(mac.digest());
}

function sessionFor(pair: (typeof PAIRS)[number], initiator: boolean): SessionSecrets {
  const [, authName, ackName] = pair;
  const auth = h(v.auth[authName].packet);
  const ack = h(v.ack[ackName].packet);
  return deriveSecrets({
    initiator,
    remotePublicKey: initiator ? publicKeyOf(k.staticB) : k.staticPubA,
    // keys.ts (noble), not the node:crypto path under test.
    ephemeralKey: initiator ? ecdhX(k.ephemeralA, k.ephemeralPubB) : ecdhX(k.ephemeralB, k.ephemeralPubA),
    initiatorNonce: k.nonceA,
    recipientNonce: k.nonceB,
    authPacket: auth,
    ackPacket: ack,
  });
}

// ---- auth / ack ----------------------------------------------------------

describe('EIP-8 auth vectors', () => {
  for (const name of ['auth1', 'auth2', 'auth3'] as const) {
    const vec = v.auth[name];
    it(`${name} (${vec.format}) decrypts and decodes to the listed fields`, () => {
      const packet = h(vec.packet);
      expect(packet.length).toBe(vec.packetLength);
      const opened = openAuth(packet, k.staticB);
      expect(opened.format).toBe(vec.format === 'eip8' ? 'eip8' : 'legacy');
      expect(hex(opened.message.signature)).toBe(vec.decoded.signature);
      expect(hex(opened.message.initiatorPublicKey)).toBe(vec.decoded.initiatorPubkey);
      expect(hex(opened.message.initiatorNonce)).toBe(vec.decoded.initiatorNonce);
      expect(rlpHex(opened.message.extra)).toEqual(vec.decoded.extraListElementsRlp);
      if (vec.format === 'eip8') {
        expect(opened.message.version).toBe(vec.decoded.version);
        expect(opened.padding.length).toBe(vec.decoded.paddingLength);
      } else {
        expect(vec.decoded.version).toBeNull();
        expect(hex(opened.legacy!.ephemeralPublicKeyHash)).toBe(vec.decoded.ephemeralPubkeyHash);
        expect(opened.legacy!.tokenFlag).toBe(Number.parseInt(vec.decoded.tokenFlag!, 16));
      }
    });

    it(`${name}: the recipient state machine recovers A's ephemeral key from the signature`, () => {
      const recipient = new HandshakeRecipient({ privateKey: k.staticB, ephemeralPrivateKey: k.ephemeralB, nonce: k.nonceB });
      const got = recipient.handleAuth(h(vec.packet));
      expect(hex(got.remoteEphemeralPublicKey)).toBe(hex(k.ephemeralPubA));
      expect(hex(got.remotePublicKey)).toBe(hex(k.staticPubA));
    });

    it(`${name}: handshakeMessageLength frames it from a longer stream`, () => {
      const packet = h(vec.packet);
      const stream = new Uint8Array(packet.length + 40); // followed by unrelated bytes
      stream.set(packet);
      expect(handshakeMessageLength(stream.subarray(0, 1), 'auth', k.staticB)).toBe(2);
      const first = handshakeMessageLength(stream.subarray(0, 2), 'auth', k.staticB);
      expect(first).toBe(vec.format === 'eip8' ? packet.length : LEGACY_AUTH_SIZE);
      expect(handshakeMessageLength(stream, 'auth', k.staticB)).toBe(packet.length);
    });
  }

  it('a flipped bit in an EIP-8 auth is a MAC failure; in a legacy auth too', () => {
    for (const name of ['auth1', 'auth2'] as const) {
      const packet = h(v.auth[name].packet);
      packet[packet.length - 40]! ^= 0x01;
      expect(() => openAuth(packet, k.staticB)).toThrowError(expect.objectContaining({ code: 'mac' }));
    }
  });

  it('the wrong recipient key cannot open auth', () => {
    expect(() => openAuth(h(v.auth.auth2.packet), k.staticA)).toThrowError(DecodeError);
  });
});

describe('EIP-8 ack vectors', () => {
  for (const name of ['ack1', 'ack2', 'ack3'] as const) {
    const vec = v.ack[name];
    it(`${name} (${vec.format}) decrypts and decodes to the listed fields`, () => {
      const packet = h(vec.packet);
      expect(packet.length).toBe(vec.packetLength);
      const opened = openAck(packet, k.staticA);
      expect(opened.format).toBe(vec.format === 'eip8' ? 'eip8' : 'legacy');
      expect(hex(opened.message.recipientEphemeralPublicKey)).toBe(vec.decoded.recipientEphemeralPubkey);
      expect(hex(opened.message.recipientNonce)).toBe(vec.decoded.recipientNonce);
      expect(rlpHex(opened.message.extra)).toEqual(vec.decoded.extraListElementsRlp);
      if (vec.format === 'eip8') {
        expect(opened.message.version).toBe(vec.decoded.version);
        expect(opened.padding.length).toBe(vec.decoded.paddingLength);
      } else {
        expect(opened.legacy!.tokenFlag).toBe(Number.parseInt(vec.decoded.tokenFlag!, 16));
      }
    });

    it(`${name}: handshakeMessageLength`, () => {
      const packet = h(vec.packet);
      expect(handshakeMessageLength(packet.subarray(0, 2), 'ack', k.staticA)).toBe(
        vec.format === 'eip8' ? packet.length : LEGACY_ACK_SIZE,
      );
      expect(handshakeMessageLength(packet, 'ack', k.staticA)).toBe(packet.length);
    });
  }
});

// ---- secrets -------------------------------------------------------------

describe('session secrets', () => {
  it('the signature signs ecdh(static) ^ nonceA with ephemeral key A (Gotcha #6)', () => {
    const digest = new Uint8Array(32);
    const shared = ecdhX(k.staticB, k.staticPubA);
    for (let i = 0; i < 32; i++) digest[i] = shared[i]! ^ k.nonceA[i]!;
    expect(hex(recoverPublicKey(digest, h(v.auth.auth2.decoded.signature)))).toBe(hex(k.ephemeralPubA));
  });

  for (const pair of PAIRS) {
    const want = v.secrets[pair[0]];
    it(`${pair[0]}: secrets and MAC("foo") of both sides`, () => {
      for (const initiator of [true, false]) {
        const s = sessionFor(pair, initiator);
        expect(hex(s.ephemeralKey)).toBe(want.ephemeralSharedSecret);
        expect(hex(s.sharedSecret)).toBe(want.sharedSecret);
        expect(hex(s.aesSecret)).toBe(want.aesSecret);
        expect(hex(s.macSecret)).toBe(want.macSecret);
        const side = initiator ? want.initiatorA : want.recipientB;
        expect(macFoo(s.ingressMacSeed)).toBe(side.ingressMacFoo);
        expect(macFoo(s.egressMacSeed)).toBe(side.egressMacFoo);
      }
    });
  }

  it('auth2+ack2 reproduces the official EIP-8 values literally', () => {
    // Printed in EIP-8 itself; kept literal so a vector-file edit cannot hide a regression.
    const s = sessionFor(PAIRS[1], false);
    expect(hex(s.aesSecret)).toBe('80e8632c05fed6fc2a13b0f8d31a3cf645366239170ea067065aba8e28bac487');
    expect(hex(s.macSecret)).toBe('2ea74ec5dae199227dff1af715362700e989d889d7a493cb0639691efb8e5f98');
    expect(macFoo(s.ingressMacSeed)).toBe('0c7ec6340062cc46f5e9f1e3cf86f8c8c403c5a0964f5df0ebd34a75ddc86db5');
  });

  it('the recipient state machine ends with the same secrets as deriveSecrets for its own ack', () => {
    const recipient = new HandshakeRecipient({ privateKey: k.staticB, ephemeralPrivateKey: k.ephemeralB, nonce: k.nonceB });
    recipient.handleAuth(h(v.auth.auth2.packet));
    const { packet, secrets } = recipient.createAck();
    // aes/mac secrets depend on keys and nonces only, so they must equal the official ones.
    expect(hex(secrets.aesSecret)).toBe(v.secrets['auth2+ack2'].aesSecret);
    expect(hex(secrets.macSecret)).toBe(v.secrets['auth2+ack2'].macSecret);
    // The MAC states are seeded with our freshly generated ack: A opens it and agrees.
    const opened = openAck(packet, k.staticA);
    expect(hex(opened.message.recipientEphemeralPublicKey)).toBe(hex(k.ephemeralPubB));
    expect(hex(opened.message.recipientNonce)).toBe(hex(k.nonceB));
    const a = deriveSecrets({
      initiator: true,
      remotePublicKey: publicKeyOf(k.staticB),
      ephemeralKey: ecdhX(k.ephemeralA, k.ephemeralPubB),
      initiatorNonce: k.nonceA,
      recipientNonce: k.nonceB,
      authPacket: h(v.auth.auth2.packet),
      ackPacket: packet,
    });
    expect(hex(a.egressMacSeed)).toBe(hex(secrets.ingressMacSeed));
    expect(hex(a.ingressMacSeed)).toBe(hex(secrets.egressMacSeed));
  });
});

// ---- frames --------------------------------------------------------------

describe('frame vectors', () => {
  const gen = v.frames.generatedHere_B_to_A_after_auth2_ack2;

  it('A decodes the generated real-MAC Hello and Ping frames with the derived secrets', () => {
    const a = sessionFor(PAIRS[1], true);
    const codec = new FrameCodec(a);
    const frame1 = h(gen.frame1_hello.frame);
    expect(hex(frame1.subarray(0, 16))).toBe(gen.frame1_hello.headerCiphertext);
    expect(hex(frame1.subarray(16, 32))).toBe(gen.frame1_hello.headerMac);

    const hello = codec.feed(frame1);
    expect(hello).toHaveLength(1);
    expect(hello[0]!.msgId).toBe(0);
    expect(hex(hello[0]!.payload)).toBe(gen.frame1_hello.helloRlp);
    const decoded = decodeHello(hello[0]!.payload);
    expect(decoded.protocolVersion).toBe(5);
    expect(decoded.clientId).toBe('devp2p-check-vector');
    expect(decoded.capabilities).toEqual([{ name: 'eth', version: 68 }]);
    expect(decoded.listenPort).toBe(0);
    expect(hex(decoded.nodeId)).toBe(hex(publicKeyOf(k.staticB)));

    codec.snappy = true; // p2p v5 on both sides: Ping is compressed
    const ping = codec.feed(h(gen.frame2_ping.frame));
    expect(ping).toEqual([{ msgId: 2, payload: Uint8Array.of(0xc0) }]);
  });

  it('B re-creates frame 1 byte for byte', () => {
    const b = sessionFor(PAIRS[1], false);
    const codec = new FrameCodec(b);
    const frame = codec.encodeFrame(0, h(gen.frame1_hello.helloRlp!));
    expect(hex(frame)).toBe(gen.frame1_hello.frame);
    codec.snappy = true;
    expect(hex(codec.encodeFrame(2, Uint8Array.of(0xc0)))).toBe(gen.frame2_ping.frame);
  });

  it('the frame reader delivers raw frame-data as listed', () => {
    const a = sessionFor(PAIRS[1], true);
    const reader = new FrameReader(a.aesSecret, a.macSecret, a.ingressMacSeed);
    reader.push(h(gen.frame1_hello.frame));
    reader.push(h(gen.frame2_ping.frame));
    expect(hex(reader.readFrame()!)).toBe(gen.frame1_hello.frameData);
    const ping = reader.readFrame()!;
    expect(hex(ping)).toBe(gen.frame2_ping.frameData);
    expect(snappyDecompress(ping.subarray(1))).toEqual(Uint8Array.of(0xc0));
    expect(reader.readFrame()).toBeUndefined();
  });

  it("geth's golden frame, honouring its fake MAC (digest always 32 x 0x01)", () => {
    const g = v.frames.gethGoldenFrame;
    const fakeMac = (): MacHash => ({ update: () => undefined, digest: () => new Uint8Array(32).fill(1) });
    const secrets: FrameSecrets = {
      aesSecret: h(g.aesSecret),
      macSecret: h(g.macSecret),
      egressMacSeed: new Uint8Array(0),
      ingressMacSeed: new Uint8Array(0),
    };
    const writer = new FrameCodec(secrets, { macHash: fakeMac });
    expect(hex(writer.encodeFrame(g.msgCode, h(g.msgRlp)))).toBe(g.golden);

    const reader = new FrameCodec(secrets, { macHash: fakeMac });
    expect(reader.feed(h(g.golden))).toEqual([{ msgId: g.msgCode, payload: h(g.msgRlp) }]);
    expect(decodeRlp(h(g.msgRlp), 'golden')).toEqual([1, 2, 3, 4].map((n) => Uint8Array.of(n)));

    // With the real keccak MAC the same bytes must fail, so the fake really was needed.
    const real = new FrameCodec(secrets);
    expect(() => real.feed(h(g.golden))).toThrowError(expect.objectContaining({ code: 'mac' }));
  });

  it('the golden frame decrypts to the listed frame-data', () => {
    const g = v.frames.gethGoldenFrame;
    const fakeMac = (): MacHash => ({ update: () => undefined, digest: () => new Uint8Array(32).fill(1) });
    const reader = new FrameReader(h(g.aesSecret), h(g.macSecret), new Uint8Array(0), { macHash: fakeMac });
    reader.push(h(g.golden));
    expect(hex(reader.readFrame()!)).toBe(g.frameData);
    expect(reader.readFrame()).toBeUndefined();
  });

  it('A rejects frame 1 if its MAC state was seeded without the size prefix', () => {
    const a = sessionFor(PAIRS[1], true);
    const wrong = { ...a, ingressMacSeed: new Uint8Array([...a.ingressMacSeed.subarray(0, 32), ...a.ingressMacSeed.subarray(34)]) };
    expect(() => new FrameCodec(wrong).feed(h(gen.frame1_hello.frame))).toThrowError(expect.objectContaining({ code: 'mac' }));
  });

  it('keccak of the vectors is the legacy Keccak (sanity for the MAC hash)', () => {
    const mac = createKeccakMac(new Uint8Array(0));
    expect(hex(mac.digest())).toBe(hex(keccak256(new Uint8Array(0))));
  });
});
