/**
 * p2p (base protocol) messages as RLP payloads (rlpx.md "p2p Capability"):
 * Hello in several shapes, Disconnect with every reason and with none, Ping
 * and Pong; and payloads a strict reader (geth) refuses.
 */
import { equalBytes, utf8 } from '../../../reference-node/wire/bytes.js';
import { publicKeyOf } from '../../../reference-node/wire/keys.js';
import {
  decodeDisconnect,
  decodeHello,
  decodePing,
  decodePong,
  DisconnectReason,
  encodeDisconnect,
  encodeHello,
  encodePing,
  encodePong,
  P2pMessageId,
  type Hello,
} from '../../../reference-node/wire/p2p.js';
import { encodeRlp, type RlpItem } from '../../../reference-node/wire/rlp.js';
import { HEX, obj, type Family } from '../family.js';
import { hexField, invalidVector, numberField, sameJson, toJson, VectorFormatError, type Json, type JsonObject, type Vector } from '../format.js';
import { hex, seededKey, unhex } from '../keys.js';

function decode(msgId: number, payload: Uint8Array): unknown {
  switch (msgId) {
    case P2pMessageId.Hello:
      return decodeHello(payload);
    case P2pMessageId.Disconnect:
      return decodeDisconnect(payload);
    case P2pMessageId.Ping:
      return decodePing(payload);
    case P2pMessageId.Pong:
      return decodePong(payload);
  }
  throw new VectorFormatError(`msgId ${msgId} is not a p2p message`);
}

function itemFromJson(v: Json): RlpItem {
  if (typeof v === 'string') return unhex(v);
  if (Array.isArray(v)) return v.map(itemFromJson);
  throw new VectorFormatError('extra elements are hex bytes or lists');
}

function encode(msgId: number, message: JsonObject): Uint8Array {
  switch (msgId) {
    case P2pMessageId.Hello: {
      const caps = (message.capabilities as JsonObject[] | undefined) ?? [];
      const hello: Hello = {
        protocolVersion: numberField(message, 'protocolVersion'),
        clientId: String(message.clientId),
        capabilities: caps.map((c) => ({ name: String(c.name), version: numberField(c, 'version') })),
        listenPort: numberField(message, 'listenPort'),
        nodeId: unhex(hexField(message, 'nodeId')),
        extra: ((message.extra as Json[] | undefined) ?? []).map(itemFromJson),
      };
      return encodeHello(hello);
    }
    case P2pMessageId.Disconnect:
      return encodeDisconnect({ reason: typeof message.reason === 'number' ? message.reason : undefined });
    case P2pMessageId.Ping:
      return encodePing();
    case P2pMessageId.Pong:
      return encodePong();
  }
  throw new VectorFormatError(`msgId ${msgId} is not a p2p message`);
}

export const p2pFamily: Family = {
  name: 'p2p',
  title: 'p2p base protocol messages (Hello, Disconnect, Ping, Pong)',
  schema: {
    input: obj({ msgId: { type: 'integer' }, message: { type: 'object' } }),
    expected: obj({ payload: HEX }),
    invalidInput: obj({ msgId: { type: 'integer' }, payload: HEX }),
  },

  generate(seed) {
    const nodeId = publicKeyOf(seededKey(seed, 'p2p/node'));
    const vectors: Vector[] = [];
    const valid = (name: string, description: string, msgId: number, payload: Uint8Array) => {
      vectors.push({ name, description, input: { msgId, message: toJson(decode(msgId, payload)) as JsonObject }, expected: { payload: hex(payload) } });
    };
    const hello = (h: Partial<Hello>): Uint8Array =>
      encodeHello({ protocolVersion: 5, clientId: 'devp2p-check/vectors', capabilities: [{ name: 'eth', version: 68 }], listenPort: 30303, nodeId, extra: [], ...h });
    valid('hello', 'Hello, p2p v5, eth/68', P2pMessageId.Hello, hello({}));
    valid('hello-many-caps', 'Hello with eth/66-70 and snap/1', P2pMessageId.Hello, hello({ capabilities: [66, 67, 68, 69, 70].map((version) => ({ name: 'eth', version })).concat([{ name: 'snap', version: 1 }]) }));
    valid('hello-no-caps-port-0', 'Hello with no capabilities and listen port 0 (not listening)', P2pMessageId.Hello, hello({ capabilities: [], listenPort: 0 }));
    valid('hello-v4', 'Hello p2p v4 (no snappy, EIP-706)', P2pMessageId.Hello, hello({ protocolVersion: 4 }));
    valid('hello-v22-extra', 'Hello v22 with extra elements (EIP-8: ignored, kept)', P2pMessageId.Hello, hello({ protocolVersion: 22, extra: [utf8('future'), [Uint8Array.of(1)]] }));
    for (const [label, reason] of Object.entries(DisconnectReason)) {
      valid(`disconnect-${label.replace(/[A-Z]/g, (c, i: number) => (i ? '-' : '') + c.toLowerCase())}`, `Disconnect [0x${reason.toString(16).padStart(2, '0')}]`, P2pMessageId.Disconnect, encodeDisconnect({ reason }));
    }
    valid('disconnect-no-reason', 'Disconnect [] (the reason is optional)', P2pMessageId.Disconnect, encodeDisconnect({ reason: undefined }));
    valid('ping', 'Ping is an empty list', P2pMessageId.Ping, encodePing());
    valid('pong', 'Pong is an empty list', P2pMessageId.Pong, encodePong());
    const invalid = (name: string, description: string, msgId: number, payload: Uint8Array, code: string) =>
      vectors.push(invalidVector(name, description, { msgId, payload: hex(payload) }, code, () => decode(msgId, payload)));
    invalid('hello-short-node-id', 'node id of 63 bytes', P2pMessageId.Hello, encodeRlp([5, 'x', [], 0, nodeId.subarray(1)]), 'length');
    invalid('hello-four-fields', 'Hello needs five fields', P2pMessageId.Hello, encodeRlp([5, 'x', [], 0]), 'shape');
    invalid('hello-port-leading-zero', 'listen port 0x0076 is not canonical', P2pMessageId.Hello, encodeRlp([5, 'x', [], Uint8Array.of(0, 0x76), nodeId]), 'rlp');
    invalid('hello-cap-three-fields', 'a capability is [name, version]', P2pMessageId.Hello, encodeRlp([5, 'x', [['eth', 68, 1]], 0, nodeId]), 'shape');
    invalid('hello-too-large', 'over the 2 KiB limit for p2p messages', P2pMessageId.Hello, hello({ clientId: 'x'.repeat(2100) }), 'too-large');
    invalid('disconnect-reason-two-bytes', 'a reason is one byte', P2pMessageId.Disconnect, encodeRlp([256]), 'value');
    invalid('ping-not-a-list', 'Ping must be a list', P2pMessageId.Ping, encodeRlp(Uint8Array.of(1)), 'shape');
    return vectors;
  },

  checkValid(vector) {
    const out: string[] = [];
    const msgId = numberField(vector.input, 'msgId');
    const payload = unhex(hexField(vector.expected, 'payload'));
    const message = vector.input.message as JsonObject;
    if (!sameJson(toJson(decode(msgId, payload)), message)) out.push('decoded message differs from input.message');
    if (!equalBytes(encode(msgId, message), payload)) out.push('encoding input.message gives other bytes');
    return out;
  },

  decodeInvalid(vector) {
    return decode(numberField(vector.input, 'msgId'), unhex(hexField(vector.input, 'payload')));
  },
};
