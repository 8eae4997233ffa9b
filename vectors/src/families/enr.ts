/**
 * ENR (EIP-778) records signed by seeded keys: the RLP, the `enr:` text and
 * the node id; and the records a strict decoder (geth's enr package) refuses:
 * bad signature, unsorted or duplicate keys, over 300 bytes, unknown identity
 * scheme, odd element count, high-s signature.
 */
import { bigIntToFixed, bytesToBigInt, concatBytes, equalBytes, uintToBytes, utf8 } from '../../../reference-node/wire/bytes.js';
import {
  decodeEnr,
  encodeEnr,
  enrNodeId,
  formatEnrText,
  signEnr,
  encodeEthEntry,
  signEnrRaw,
  type EnrPair,
} from '../../../reference-node/wire/enr.js';
import { compressPublicKey, publicKeyOf } from '../../../reference-node/wire/keys.js';
import { encodeRlp, type RlpItem } from '../../../reference-node/wire/rlp.js';
import { SECP256K1_N } from '../../../reference-node/wire/tx/signature.js';
import { DECIMAL, HEX, obj, type Family } from '../family.js';
import { hexField, invalidVector, sameJson, stringField, toJson, VectorFormatError, type Json, type JsonObject, type Vector } from '../format.js';
import { hex, seededBytes, seededKey, unhex } from '../keys.js';

/** A port or other integer value as ENR stores it: big-endian, no leading zeros. */
const encodeRlpUint = (n: number) => uintToBytes(n);

function itemFromJson(v: Json | undefined): RlpItem {
  if (typeof v === 'string') return unhex(v);
  if (Array.isArray(v)) return v.map(itemFromJson);
  throw new VectorFormatError('ENR values are hex bytes or lists');
}

function pairsFromJson(v: Json | undefined): EnrPair[] {
  if (!Array.isArray(v)) throw new VectorFormatError('pairs must be a list');
  return v.map((p) => {
    const o = p as JsonObject;
    return { key: stringField(o, 'key'), value: itemFromJson(o.value) };
  });
}

export const enrFamily: Family = {
  name: 'enr',
  title: 'Ethereum Node Records (EIP-778, v4 identity scheme)',
  schema: {
    input: obj({ privateKey: HEX, seq: DECIMAL, pairs: { type: 'array', items: obj({ key: { type: 'string' }, value: {} }) } }),
    expected: obj({ encoded: HEX, text: { type: 'string', pattern: '^enr:[A-Za-z0-9_-]+$' }, nodeId: HEX }),
    invalidInput: obj({ encoded: HEX }),
  },

  generate(seed) {
    const key = (label: string) => seededKey(seed, `enr/${label}`);
    const valid = (name: string, description: string, seq: bigint, pairs: EnrPair[]): Vector => {
      const privateKey = key(name);
      const record = signEnr({ seq, pairs }, privateKey);
      return {
        name,
        description,
        input: { privateKey: hex(privateKey), seq: seq.toString(), pairs: toJson(record.pairs) },
        expected: { encoded: hex(encodeEnr(record)), text: formatEnrText(record), nodeId: hex(enrNodeId(record)) },
      };
    };
    const ip = (a: number[]) => Uint8Array.from(a);
    const vectors: Vector[] = [
      valid('minimal', 'only id and secp256k1', 1n, []),
      valid('ipv4-tcp-udp', 'ip, tcp, udp', 1n, [{ key: 'ip', value: ip([127, 0, 0, 1]) }, { key: 'tcp', value: encodeRlpUint(30303) }, { key: 'udp', value: encodeRlpUint(30301) }]),
      valid('ipv6', 'ip6, tcp6, udp6', 7n, [{ key: 'ip6', value: ip([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]) }, { key: 'tcp6', value: encodeRlpUint(30303) }, { key: 'udp6', value: encodeRlpUint(30303) }]),
      valid('eth-entry', 'an "eth" entry with a fork id (devp2p enr-entries/eth.md: [[fork-hash, fork-next]])', 2n, [{ key: 'eth', value: encodeEthEntry({ hash: Uint8Array.of(0xfc, 0x64, 0xec, 0x04), next: 1150000n }) }, { key: 'ip', value: ip([10, 0, 0, 1]) }]),
      valid('seq-max', 'seq = 2^64 - 1', (1n << 64n) - 1n, []),
      valid('unknown-keys', 'keys the spec does not define are kept and signed', 3n, [{ key: 'foo', value: seededBytes(seed, 'enr/foo') }, { key: 'zz', value: [utf8('a'), [utf8('b')]] }]),
    ];
    const enc = (seq: bigint, pairs: EnrPair[], label: string) => encodeEnr(signEnrRaw(seq, pairs, key(label)));
    const v4 = (label: string): EnrPair[] => [
      { key: 'id', value: utf8('v4') },
      { key: 'secp256k1', value: compressPublicKey(publicKeyOf(key(label))) },
    ];
    const good = signEnr({ seq: 1n, pairs: [{ key: 'ip', value: ip([127, 0, 0, 1]) }] }, key('bad'));
    const tampered = encodeEnr({ ...good, pairs: good.pairs.map((p) => (p.key === 'ip' ? { key: 'ip', value: ip([127, 0, 0, 2]) } : p)) });
    const s = bytesToBigInt(good.signature.subarray(32));
    const highS = encodeEnr({ ...good, signature: concatBytes(good.signature.subarray(0, 32), bigIntToFixed(SECP256K1_N - s, 32)) });
    const invalid = (name: string, description: string, bytes: Uint8Array, code: string) =>
      invalidVector(name, description, { encoded: hex(bytes) }, code, () => decodeEnr(bytes));
    vectors.push(
      invalid('bad-signature', 'content changed after signing (ip 127.0.0.1 -> 127.0.0.2)', tampered, 'signature'),
      invalid('high-s', 'the same signature with s = n - s (geth requires low s)', highS, 'signature'),
      invalid('unsorted-keys', 'keys must be sorted (ip before id)', enc(1n, [{ key: 'ip', value: ip([1, 2, 3, 4]) }, ...v4('u')], 'u'), 'value'),
      invalid('duplicate-key', 'each key at most once', enc(1n, [...v4('d'), { key: 'udp', value: encodeRlpUint(1) }, { key: 'udp', value: encodeRlpUint(2) }], 'd'), 'value'),
      invalid('too-large', 'over 300 bytes', enc(1n, [{ key: 'big', value: new Uint8Array(250) }, ...v4('t')], 't'), 'too-large'),
      invalid('unknown-scheme', 'identity scheme "v5" is not known', enc(1n, [{ key: 'id', value: utf8('v5') }, v4('s')[1]!], 's'), 'unknown-type'),
      invalid('odd-elements', 'a key without a value', encodeRlp([good.signature, 1n, utf8('id'), utf8('v4'), utf8('secp256k1')]), 'shape'),
      invalid('not-a-list', 'a record is a list', encodeRlp(good.signature), 'shape'),
    );
    return vectors;
  },

  checkValid(vector) {
    const out: string[] = [];
    const e = vector.expected!;
    const encoded = unhex(hexField(e, 'encoded'));
    const record = decodeEnr(encoded);
    if (!sameJson(toJson(record.pairs), vector.input.pairs ?? null)) out.push('decoded pairs differ from input.pairs');
    if (record.seq.toString() !== vector.input.seq) out.push('decoded seq differs');
    const signed = signEnr({ seq: BigInt(stringField(vector.input, 'seq')), pairs: pairsFromJson(vector.input.pairs) }, unhex(hexField(vector.input, 'privateKey')));
    if (!equalBytes(encodeEnr(signed), encoded)) out.push('signing the input gives other bytes');
    if (formatEnrText(record) !== e.text) out.push('text form differs');
    if (!equalBytes(enrNodeId(record), unhex(hexField(e, 'nodeId')))) out.push('node id differs');
    return out;
  },

  decodeInvalid(vector) {
    return decodeEnr(unhex(hexField(vector.input, 'encoded')));
  },
};
