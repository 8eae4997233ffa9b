/**
 * EIP-8's RLPx vectors (rlpx-eip8-handshake.json): every auth and ack opens
 * with the right static key to the listed fields; the recipient recovers the
 * initiator's ephemeral key from the signature; each auth/ack pair gives the
 * listed secrets and MAC("foo") digests on both sides; the frames after
 * (auth2, ack2) read and re-seal byte for byte; geth's golden frame with its
 * fake MAC (a digest of 32 x 0x01).
 */
import { join } from 'node:path';
import { ecdhX, publicKeyOf } from '../../../reference-node/wire/keys.js';
import { encodeRlp } from '../../../reference-node/wire/rlp.js';
import {
  createKeccakMac,
  deriveSecrets,
  FrameCodec,
  HandshakeRecipient,
  openAck,
  openAuth,
  type FrameSecrets,
  type MacHash,
  type SessionSecrets,
} from '../../../reference-node/wire/rlpx/index.js';
import type { FamilyReport } from '../verify.js';
import { bytes, hexOf, Problems, readJson, runChecks, type Check } from './checks.js';

interface PacketJson {
  packet: string;
  format: 'pre-eip8' | 'eip8';
  decoded: {
    signature?: string;
    initiatorPubkey?: string;
    initiatorNonce?: string;
    recipientEphemeralPubkey?: string;
    recipientNonce?: string;
    version: number | null;
    extraListElementsRlp: string[];
    paddingLength?: number;
  };
}
interface SideJson {
  ingressMacFoo: string;
  egressMacFoo: string;
}
interface SecretsJson {
  ephemeralSharedSecret: string;
  sharedSecret: string;
  aesSecret: string;
  macSecret: string;
  recipientB: SideJson;
  initiatorA: SideJson;
}
interface FrameJson {
  frame: string;
  frameData: string;
  helloRlp?: string;
}
interface RlpxReference {
  keys: Record<'staticKeyA' | 'staticKeyB' | 'ephemeralKeyA' | 'ephemeralKeyB' | 'nonceA' | 'nonceB' | 'ephemeralPubA' | 'ephemeralPubB', string>;
  auth: Record<string, PacketJson>;
  ack: Record<string, PacketJson>;
  secrets: Record<string, SecretsJson>;
  frames: {
    gethGoldenFrame: { aesSecret: string; macSecret: string; msgCode: number; msgRlp: string; golden: string };
    generatedHere_B_to_A_after_auth2_ack2: { frame1_hello: FrameJson; frame2_ping: FrameJson };
  };
}

function macFoo(seed: Uint8Array): string {
  const mac = createKeccakMac(seed);
  mac.update(new TextEncoder().encode('foo'));
  return hexOf(mac.digest());
}

export function checkRlpxReference(dir: string): FamilyReport[] {
  const source = join(dir, 'rlpx-eip8-handshake.json');
  const v = readJson<RlpxReference>(source);
  const key = (name: keyof RlpxReference['keys']) => bytes(v.keys[name]);
  const k = {
    staticKeyA: key('staticKeyA'),
    staticKeyB: key('staticKeyB'),
    ephemeralKeyA: key('ephemeralKeyA'),
    ephemeralKeyB: key('ephemeralKeyB'),
    nonceA: key('nonceA'),
    nonceB: key('nonceB'),
    ephemeralPubA: key('ephemeralPubA'),
    ephemeralPubB: key('ephemeralPubB'),
  };
  const format = (f: PacketJson['format']) => (f === 'eip8' ? 'eip8' : 'legacy');
  const extras = (items: Parameters<typeof encodeRlp>[0][]) => items.map((i) => hexOf(encodeRlp(i)));
  const session = (authName: string, ackName: string, initiator: boolean): SessionSecrets =>
    deriveSecrets({
      initiator,
      remotePublicKey: initiator ? publicKeyOf(k.staticKeyB) : publicKeyOf(k.staticKeyA),
      ephemeralKey: initiator ? ecdhX(k.ephemeralKeyA, k.ephemeralPubB) : ecdhX(k.ephemeralKeyB, k.ephemeralPubA),
      initiatorNonce: k.nonceA,
      recipientNonce: k.nonceB,
      authPacket: bytes(v.auth[authName]!.packet),
      ackPacket: bytes(v.ack[ackName]!.packet),
    });

  const checks: [string, Check][] = [];
  for (const [name, vec] of Object.entries(v.auth)) {
    checks.push([
      name,
      () => {
        const p = new Problems();
        const opened = openAuth(bytes(vec.packet), k.staticKeyB);
        p.same('format', opened.format, format(vec.format));
        p.same('signature', hexOf(opened.message.signature), vec.decoded.signature);
        p.same('initiator public key', hexOf(opened.message.initiatorPublicKey), vec.decoded.initiatorPubkey);
        p.same('initiator nonce', hexOf(opened.message.initiatorNonce), vec.decoded.initiatorNonce);
        p.same('extra elements', extras(opened.message.extra), vec.decoded.extraListElementsRlp);
        if (vec.format === 'eip8') p.same('version', opened.message.version, vec.decoded.version);
        if (vec.decoded.paddingLength !== undefined) p.same('padding', opened.padding.length, vec.decoded.paddingLength);
        const recipient = new HandshakeRecipient({ privateKey: k.staticKeyB, ephemeralPrivateKey: k.ephemeralKeyB, nonce: k.nonceB });
        p.same('recovered ephemeral key', hexOf(recipient.handleAuth(bytes(vec.packet)).remoteEphemeralPublicKey), hexOf(k.ephemeralPubA));
        return p.list;
      },
    ]);
  }
  for (const [name, vec] of Object.entries(v.ack)) {
    checks.push([
      name,
      () => {
        const p = new Problems();
        const opened = openAck(bytes(vec.packet), k.staticKeyA);
        p.same('format', opened.format, format(vec.format));
        p.same('recipient ephemeral key', hexOf(opened.message.recipientEphemeralPublicKey), vec.decoded.recipientEphemeralPubkey);
        p.same('recipient nonce', hexOf(opened.message.recipientNonce), vec.decoded.recipientNonce);
        p.same('extra elements', extras(opened.message.extra), vec.decoded.extraListElementsRlp);
        if (vec.format === 'eip8') p.same('version', opened.message.version, vec.decoded.version);
        if (vec.decoded.paddingLength !== undefined) p.same('padding', opened.padding.length, vec.decoded.paddingLength);
        return p.list;
      },
    ]);
  }
  for (const [pair, want] of Object.entries(v.secrets)) {
    // Entries named "<auth>+<ack>"; others are notes.
    const [authName, ackName] = pair.split('+') as [string, string | undefined];
    if (ackName === undefined) continue;
    checks.push([
      `secrets/${pair}`,
      () => {
        const p = new Problems();
        for (const initiator of [true, false]) {
          const s = session(authName, ackName, initiator);
          const side = initiator ? 'A' : 'B';
          p.same(`${side} ephemeral secret`, hexOf(s.ephemeralKey), want.ephemeralSharedSecret);
          p.same(`${side} shared secret`, hexOf(s.sharedSecret), want.sharedSecret);
          p.same(`${side} aes secret`, hexOf(s.aesSecret), want.aesSecret);
          p.same(`${side} mac secret`, hexOf(s.macSecret), want.macSecret);
          const macs = initiator ? want.initiatorA : want.recipientB;
          p.same(`${side} ingress MAC("foo")`, macFoo(s.ingressMacSeed), macs.ingressMacFoo);
          p.same(`${side} egress MAC("foo")`, macFoo(s.egressMacSeed), macs.egressMacFoo);
        }
        return p.list;
      },
    ]);
  }
  const frameChecks: [string, Check][] = [];
  const gen = v.frames.generatedHere_B_to_A_after_auth2_ack2;
  frameChecks.push([
    'frames/after-auth2-ack2',
    () => {
      const p = new Problems();
      const reader = new FrameCodec(session('auth2', 'ack2', true));
      const hello = reader.feed(bytes(gen.frame1_hello.frame));
      p.same('A reads frame 1', hello.map((m) => [m.msgId, hexOf(m.payload)]), [[0, gen.frame1_hello.helloRlp]]);
      reader.snappy = true;
      p.same('A reads frame 2 (snappy Ping)', reader.feed(bytes(gen.frame2_ping.frame)).map((m) => [m.msgId, hexOf(m.payload)]), [[2, 'c0']]);
      const writer = new FrameCodec(session('auth2', 'ack2', false));
      p.same('B writes frame 1', hexOf(writer.encodeFrame(0, bytes(gen.frame1_hello.helloRlp!))), gen.frame1_hello.frame);
      writer.snappy = true;
      p.same('B writes frame 2', hexOf(writer.encodeFrame(2, Uint8Array.of(0xc0))), gen.frame2_ping.frame);
      return p.list;
    },
  ]);
  const golden = v.frames.gethGoldenFrame;
  frameChecks.push([
    'frames/geth-golden',
    () => {
      // geth's test replaces the keccak MAC state by one whose digest is always 32 x 0x01.
      const fakeMac = (): MacHash => ({ update: () => undefined, digest: () => new Uint8Array(32).fill(1) });
      const secrets: FrameSecrets = { aesSecret: bytes(golden.aesSecret), macSecret: bytes(golden.macSecret), egressMacSeed: new Uint8Array(0), ingressMacSeed: new Uint8Array(0) };
      const p = new Problems();
      p.same('write', hexOf(new FrameCodec(secrets, { macHash: fakeMac }).encodeFrame(golden.msgCode, bytes(golden.msgRlp))), golden.golden);
      p.same('read', new FrameCodec(secrets, { macHash: fakeMac }).feed(bytes(golden.golden)).map((m) => [m.msgId, hexOf(m.payload)]), [[golden.msgCode, golden.msgRlp]]);
      return p.list;
    },
  ]);
  return [runChecks('rlpx-handshake', source, checks), runChecks('rlpx-frames', source, frameChecks)];
}
