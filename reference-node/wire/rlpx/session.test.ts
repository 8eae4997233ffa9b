/**
 * Whole sessions in memory: handshake, then frames both ways, between two of
 * our instances and between ours and @ethereumjs/devp2p's ECIES.
 */
import { ECIES as EjsEcies } from '@ethereumjs/devp2p';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../bytes.js';
import { generatePrivateKey, publicKeyOf } from '../keys.js';
import { decodeHello, encodeHello, P2P_VERSION, P2pMessageId, snappyNegotiated, type Hello } from '../p2p.js';
import { decodeMsgId, encodeMsgId, FrameCodec } from './frame.js';
import { HandshakeInitiator, HandshakeRecipient, type HandshakeFormat } from './handshake.js';
import { snappyCompress, snappyDecompress } from './snappy.js';

const keyA = generatePrivateKey();
const keyB = generatePrivateKey();
const pubA = publicKeyOf(keyA);
const pubB = publicKeyOf(keyB);

function helloFrom(key: Uint8Array, name: string): Hello {
  return { protocolVersion: P2P_VERSION, clientId: name, capabilities: [{ name: 'eth', version: 68 }], listenPort: 0, nodeId: publicKeyOf(key), extra: [] };
}

/** Drives both state machines through one byte stream per direction, as a transport would. */
function connect(format: HandshakeFormat): [FrameCodec, FrameCodec] {
  const initiator = new HandshakeInitiator({ privateKey: keyA, remotePublicKey: pubB, format });
  const recipient = new HandshakeRecipient({ privateKey: keyB });
  const auth = initiator.createAuth();
  // the recipient sees the auth in two pieces
  const part = auth.subarray(0, 2);
  expect(recipient.authLength(part)).toBeGreaterThan(part.length);
  expect(recipient.authLength(auth)).toBe(auth.length);
  recipient.handleAuth(auth);
  const { packet: ack, secrets: b } = recipient.createAck();
  const codecB = new FrameCodec(b);
  // recipient sends Hello right behind the ack; the initiator splits the stream by length
  const stream = concatBytes(ack, codecB.encodeFrame(P2pMessageId.Hello, encodeHello(helloFrom(keyB, 'B'))));
  const ackLength = initiator.ackLength(stream);
  const { secrets: a } = initiator.handleAck(stream.subarray(0, ackLength));
  const codecA = new FrameCodec(a);
  const [helloB] = codecA.feed(stream.subarray(ackLength));
  expect(helloB!.msgId).toBe(0);
  expect(decodeHello(helloB!.payload).clientId).toBe('B');
  const [helloA] = codecB.feed(codecA.encodeFrame(P2pMessageId.Hello, encodeHello(helloFrom(keyA, 'A'))));
  const remoteVersion = decodeHello(helloA!.payload).protocolVersion;
  const snappy = snappyNegotiated(P2P_VERSION, remoteVersion);
  codecA.snappy = snappy;
  codecB.snappy = snappy;
  return [codecA, codecB];
}

describe('in-memory sessions', () => {
  for (const format of ['eip8', 'legacy'] as const) {
    it(`${format} handshake, Hello exchange, then snappy frames both ways`, () => {
      const [a, b] = connect(format);
      expect(a.snappy && b.snappy).toBe(true);
      for (let i = 0; i < 20; i++) {
        const payload = new Uint8Array(i * 500).fill(i);
        expect(b.feed(a.encodeFrame(0x10 + i, payload))).toEqual([{ msgId: 0x10 + i, payload }]);
        expect(a.feed(b.encodeFrame(0x20 + i, payload))).toEqual([{ msgId: 0x20 + i, payload }]);
      }
    });
  }

  it('without snappy (a p2p v4 peer)', () => {
    const [a, b] = connect('eip8');
    a.snappy = false;
    b.snappy = false;
    const payload = new Uint8Array(3000).fill(1);
    const frame = a.encodeFrame(0x10, payload);
    expect(frame.length).toBeGreaterThan(3000); // really uncompressed
    expect(b.feed(frame)).toEqual([{ msgId: 0x10, payload }]);
  });
});

type EjsInternals = { _gotEIP8Auth: boolean; _gotEIP8Ack: boolean };
const internals = (e: EjsEcies): EjsInternals => e as unknown as EjsInternals;

/** ethereumjs frames are written as header then body; its reader wants them split the same way. */
function ejsWrite(e: EjsEcies, msgId: number, payload: Uint8Array): Uint8Array {
  const data = concatBytes(encodeMsgId(msgId), payload);
  return concatBytes(e.createBlockHeader(data.length)!, e.createBody(data)!);
}

function ejsRead(e: EjsEcies, frame: Uint8Array): { msgId: number; payload: Uint8Array } {
  const size = e.parseHeader(frame.subarray(0, 32))!;
  const data = e.parseBody(frame.subarray(32))!;
  expect(data.length).toBe(size);
  const { msgId, payloadOffset } = decodeMsgId(data);
  return { msgId, payload: data.subarray(payloadOffset) };
}

describe('interop with @ethereumjs/devp2p ECIES', () => {
  it('our initiator with their recipient: frames both ways', () => {
    const initiator = new HandshakeInitiator({ privateKey: keyA, remotePublicKey: pubB });
    const theirs = new EjsEcies(keyB, pubB, null as unknown as Uint8Array);
    internals(theirs)._gotEIP8Auth = true;
    theirs.parseAuthEIP8(initiator.createAuth());
    const { secrets } = initiator.handleAck(theirs.createAckEIP8()!);
    const ours = new FrameCodec(secrets);
    for (let i = 0; i < 5; i++) {
      const payload = new Uint8Array(100 * i + 1).fill(i);
      expect(ejsRead(theirs, ours.encodeFrame(0x10 + i, payload))).toEqual({ msgId: 0x10 + i, payload });
      expect(ours.feed(ejsWrite(theirs, 0x20 + i, payload))).toEqual([{ msgId: 0x20 + i, payload }]);
    }
  });

  it('their initiator with our recipient: frames both ways, snappy applied by hand on their side', () => {
    const theirs = new EjsEcies(keyA, pubA, pubB);
    const recipient = new HandshakeRecipient({ privateKey: keyB });
    recipient.handleAuth(theirs.createAuthEIP8()!);
    const { packet, secrets } = recipient.createAck();
    internals(theirs)._gotEIP8Ack = true;
    theirs.parseAckEIP8(packet);
    const ours = new FrameCodec(secrets, { snappy: true });
    const payload = new Uint8Array(4000).fill(0xab);
    const fromUs = ejsRead(theirs, ours.encodeFrame(0x10, payload));
    expect(snappyDecompress(fromUs.payload)).toEqual(payload);
    expect(ours.feed(ejsWrite(theirs, 0x11, snappyCompress(payload)))).toEqual([{ msgId: 0x11, payload }]);
  });

  it('legacy handshake with their initiator', () => {
    let theirs: EjsEcies;
    let auth: Uint8Array;
    do {
      // ethereumjs drops leading zero bytes of r in legacy auths (1 in 256); retry until well-formed.
      theirs = new EjsEcies(keyA, pubA, pubB);
      auth = theirs.createAuthNonEIP8()!;
    } while (auth.length !== 307);
    const recipient = new HandshakeRecipient({ privateKey: keyB });
    recipient.handleAuth(auth);
    const { packet, secrets } = recipient.createAck();
    theirs.parseAckPlain(packet);
    const ours = new FrameCodec(secrets);
    expect(ejsRead(theirs, ours.encodeFrame(3, Uint8Array.of(0xc0)))).toEqual({ msgId: 3, payload: Uint8Array.of(0xc0) });
    expect(ours.feed(ejsWrite(theirs, 2, Uint8Array.of(0xc0)))).toEqual([{ msgId: 2, payload: Uint8Array.of(0xc0) }]);
  });
});
