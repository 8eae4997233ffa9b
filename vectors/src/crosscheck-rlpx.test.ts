/**
 * @ethereumjs/devp2p's ECIES and MAC classes (an independent RLPx) against our
 * handshake and frame vectors. Its ECIES object is given the vector's
 * ephemeral key and nonce; it then opens our auth (or ack), takes our other
 * packet as the one it sent, and must derive the same ephemeral secret, read
 * the peer's first frame and write its own first frame byte for byte.
 */
import { ECIES as EjsEcies, MAC as EjsMac } from '@ethereumjs/devp2p';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, hexToBytes } from '../../reference-node/wire/bytes.js';
import { publicKeyOf } from '../../reference-node/wire/keys.js';
import { decodeMsgId, encodeMsgId, snappyDecompress } from '../../reference-node/wire/rlpx/index.js';
import { rlpxFramesFamily, rlpxHandshakeFamily } from './families/rlpx.js';
import { DEFAULT_SEED, type JsonObject } from './format.js';

const hex = (b: Uint8Array) => `0x${bytesToHex(b)}`;
const b = (o: JsonObject, k: string) => hexToBytes(o[k] as string);

interface EjsInternals {
  _gotEIP8Auth: boolean;
  _gotEIP8Ack: boolean;
  _nonce: Uint8Array;
  _ephemeralPrivateKey: Uint8Array;
  _ephemeralPublicKey: Uint8Array;
  _initMsg: Uint8Array | null;
  _remoteInitMsg: Uint8Array | null;
  _ephemeralSharedSecret: Uint8Array | null;
  _ingressAes: unknown;
  _ingressMac: EjsMac | null;
  _setupFrame(remoteData: Uint8Array, incoming: boolean): void;
}
const internals = (e: EjsEcies) => e as unknown as EjsInternals;

function ejsWith(privateKey: Uint8Array, remote: Uint8Array | null, ephemeral: Uint8Array, nonce: Uint8Array): EjsEcies {
  const e = new EjsEcies(privateKey, publicKeyOf(privateKey), remote as Uint8Array);
  const i = internals(e);
  i._ephemeralPrivateKey = ephemeral;
  i._ephemeralPublicKey = secp256k1.getPublicKey(ephemeral, false);
  i._nonce = nonce;
  return e;
}

function ejsRead(e: EjsEcies, frame: Uint8Array): { msgId: number; payload: string } {
  const size = e.parseHeader(frame.subarray(0, 32))!;
  const data = e.parseBody(frame.subarray(32))!;
  expect(data.length).toBe(size);
  const { msgId, payloadOffset } = decodeMsgId(data);
  return { msgId, payload: hex(data.subarray(payloadOffset)) };
}

function ejsWrite(e: EjsEcies, msgId: number, payload: Uint8Array): string {
  const data = concatBytes(encodeMsgId(msgId), payload);
  return hex(concatBytes(e.createBlockHeader(data.length)!, e.createBody(data)!));
}

describe('@ethereumjs/devp2p on the rlpx-handshake vectors', () => {
  const vectors = rlpxHandshakeFamily.generate(DEFAULT_SEED);

  it('as recipient: opens our auth, derives the same secret, reads the initiator frame and writes the recipient frame byte for byte', () => {
    let n = 0;
    for (const v of vectors.filter((x) => x.expected)) {
      const i = v.input;
      const x = v.expected!;
      const legacy = i.format === 'legacy';
      const e = ejsWith(b(i, 'recipientPrivateKey'), null, b(i, 'recipientEphemeralKey'), b(i, 'recipientNonce'));
      const auth = b(x, 'auth');
      if (legacy) e.parseAuthPlain(auth);
      else {
        internals(e)._gotEIP8Auth = true;
        e.parseAuthEIP8(auth);
      }
      expect(hex(internals(e)._ephemeralSharedSecret!), v.name).toBe(x.ephemeralSecret);
      // Our ack stands in for the one it would send (its ECIES randomness is not injectable).
      internals(e)._initMsg = b(x, 'ack');
      internals(e)._setupFrame(internals(e)._remoteInitMsg!, true);
      const sent = i.initiatorFrame as JsonObject;
      expect(ejsRead(e, b(x, 'initiatorFrame')), v.name).toEqual({ msgId: sent.msgId, payload: sent.payload });
      const own = i.recipientFrame as JsonObject;
      expect(ejsWrite(e, own.msgId as number, b(own, 'payload')), v.name).toBe(x.recipientFrame);
      n++;
    }
    expect(n).toBe(5);
  });

  it('as initiator: opens our ack, reads the recipient frame and writes the initiator frame byte for byte', () => {
    for (const v of vectors.filter((x) => x.expected)) {
      const i = v.input;
      const x = v.expected!;
      const e = ejsWith(b(i, 'initiatorPrivateKey'), publicKeyOf(b(i, 'recipientPrivateKey')), b(i, 'initiatorEphemeralKey'), b(i, 'initiatorNonce'));
      internals(e)._initMsg = b(x, 'auth');
      if (i.format === 'legacy') e.parseAckPlain(b(x, 'ack'));
      else {
        internals(e)._gotEIP8Ack = true;
        e.parseAckEIP8(b(x, 'ack'));
      }
      expect(hex(internals(e)._ephemeralSharedSecret!), v.name).toBe(x.ephemeralSecret);
      const sent = i.recipientFrame as JsonObject;
      expect(ejsRead(e, b(x, 'recipientFrame')), v.name).toEqual({ msgId: sent.msgId, payload: sent.payload });
      const own = i.initiatorFrame as JsonObject;
      expect(ejsWrite(e, own.msgId as number, b(own, 'payload')), v.name).toBe(x.initiatorFrame);
    }
  });

  it('rejects the invalid auths', () => {
    for (const v of vectors.filter((x) => x.error)) {
      const e = ejsWith(b(v.input, 'recipientPrivateKey'), null, b(v.input, 'recipientPrivateKey'), new Uint8Array(32));
      internals(e)._gotEIP8Auth = true;
      expect(() => e.parseAuthEIP8(b(v.input, 'auth')), v.name).toThrow();
    }
  });
});

describe('@ethereumjs/devp2p on the rlpx-frames vectors', () => {
  const vectors = rlpxFramesFamily.generate(DEFAULT_SEED);

  function reader(secrets: JsonObject): EjsEcies {
    const e = ejsWith(hexToBytes('01'.repeat(32)), null, hexToBytes('02'.repeat(32)), new Uint8Array(32));
    const i = internals(e);
    // Its ingress is our egress: same AES-CTR keystream, MAC seeded with our egress seed.
    i._ingressAes = createDecipheriv('aes-256-ctr', b(secrets, 'aesSecret'), new Uint8Array(16));
    i._ingressMac = new EjsMac(b(secrets, 'macSecret'));
    i._ingressMac.update(b(secrets, 'egressMacSeed'));
    return e;
  }

  it('reads every valid frame sequence to the same messages (snappy undone by hand)', () => {
    let n = 0;
    for (const v of vectors.filter((x) => x.expected)) {
      const e = reader(v.input.secrets as JsonObject);
      const messages = v.input.messages as JsonObject[];
      (v.expected!.frames as string[]).forEach((frame, k) => {
        const got = ejsRead(e, hexToBytes(frame));
        const payload = v.input.snappy ? hex(snappyDecompress(hexToBytes(got.payload))) : got.payload;
        expect({ msgId: got.msgId, payload }, `${v.name} #${k}`).toEqual({ msgId: messages[k]!.msgId, payload: messages[k]!.payload });
        n++;
      });
    }
    expect(n).toBeGreaterThanOrEqual(12);
  });

  it('rejects the frames with a bad MAC', () => {
    for (const v of vectors.filter((x) => x.error?.code === 'mac')) {
      const e = reader(v.input.secrets as JsonObject);
      const wire = b(v.input, 'wire');
      expect(() => {
        e.parseHeader(wire.subarray(0, 32));
        e.parseBody(wire.subarray(32));
      }, v.name).toThrow();
    }
  });
});
