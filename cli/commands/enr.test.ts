import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { readSharedJson } from '../../test-support/shared.js';
import { bytesToHex, hexToBytes, utf8 } from '../../reference-node/wire/bytes.js';
import { encodeEnr, formatEnrText, signEnr, signEnrRaw } from '../../reference-node/wire/enr.js';
import { compressPublicKey, keccak256, publicKeyOf } from '../../reference-node/wire/keys.js';
import { main } from '../main.js';

interface EnrVector {
  name: string;
  text: string;
  rlp?: string;
  privateKey?: string;
  nodeId?: string;
  signature?: string;
  seq?: string;
  fields?: Record<string, string | number>;
}
const { records } = readSharedJson<{ records: EnrVector[] }>('vectors-reference', 'enr.json');
const vector = (name: string) => records.find((r) => r.name === name)!;
const spec = vector('spec_example');
const specKey = hexToBytes(spec.privateKey!);

let log: MockInstance<typeof console.log>;
let error: MockInstance<typeof console.error>;
beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
  error = vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

async function decode(...args: string[]): Promise<{ code: number; json?: Record<string, unknown>; stderr: string }> {
  const code = await main(['enr', 'decode', ...args]);
  const out = log.mock.calls.map((c) => String(c[0])).join('\n');
  return {
    code,
    json: out === '' ? undefined : (JSON.parse(out) as Record<string, unknown>),
    stderr: error.mock.calls.map((c) => String(c[0])).join('\n'),
  };
}

describe('devp2p-check enr decode', () => {
  it('prints the spec example record with every field (enr.md test vector)', async () => {
    const { code, json } = await decode(spec.text);
    expect(code).toBe(0);
    expect(json).toEqual({
      seq: '1',
      id: 'v4',
      nodeId: spec.nodeId,
      publicKey: expect.stringMatching(/^[0-9a-f]{128}$/),
      secp256k1: spec.fields!.secp256k1,
      ip: '127.0.0.1',
      udp: 30303,
      signatureValid: true,
      signatureStatus: 'valid',
      signature: spec.signature,
      size: 134,
      text: spec.text,
    });
    // The printed public key is the one whose keccak256 is the spec's node ID.
    expect(bytesToHex(keccak256(hexToBytes(json!.publicKey as string)))).toBe(spec.nodeId);
  });

  it('takes the record RLP in hex as well, with or without 0x, and surrounding whitespace', async () => {
    for (const input of [spec.rlp!, `0x${spec.rlp!}`, `  ${spec.text}\n`]) {
      log.mockClear();
      const { code, json } = await decode(input);
      expect(code).toBe(0);
      expect(json!.text).toBe(spec.text);
    }
  });

  it('prints a record with a bad signature and exits 1', async () => {
    const v = vector('geth_invalid_signature');
    const { code, json } = await decode(v.text);
    expect(code).toBe(1);
    expect(json).toMatchObject({
      seq: '99',
      nodeId: v.nodeId,
      signatureValid: false,
      signatureStatus: 'invalid',
      signatureError: expect.stringMatching(/64 bytes/),
      signature: '666f6f626172',
    });
  });

  it('reports a record of an unknown identity scheme as unverifiable, without a node ID', async () => {
    const pairs = [
      { key: 'id', value: utf8('v5') },
      { key: 'secp256k1', value: compressPublicKey(publicKeyOf(specKey)) },
    ];
    const { code, json } = await decode(formatEnrText(signEnrRaw(3n, pairs, specKey)));
    expect(code).toBe(1);
    expect(json).toMatchObject({ id: 'v5', signatureStatus: 'unverifiable', signatureValid: false });
    expect(json).not.toHaveProperty('nodeId');
  });

  it('shows the eth entry, other keys as hex, and malformed predefined entries', async () => {
    const record = signEnr(
      {
        seq: 18446744073709551615n,
        pairs: [
          { key: 'eth', value: [[hexToBytes('377aaa78'), new Uint8Array(0)], utf8('later')] },
          { key: 'tcp', value: hexToBytes('010000') },
          { key: 'snap', value: [] },
          { key: 'z', value: hexToBytes('c0ffee') },
          { key: '\x01', value: new Uint8Array(0) },
        ],
      },
      specKey,
    );
    const { code, json } = await decode(formatEnrText(record));
    expect(code).toBe(0);
    expect(json).toMatchObject({
      seq: '18446744073709551615',
      eth: { forkHash: '377aaa78', forkNext: '0' },
      otherKeys: { snap: { rlp: 'c0' }, z: { rlp: '83c0ffee', bytes: 'c0ffee' }, '0x01': { rlp: '80', bytes: '' } },
      invalidEntries: { tcp: expect.stringMatching(/"tcp".*2 bytes/) },
      size: encodeEnr(record).length,
    });
    expect(json).not.toHaveProperty('tcp');
  });

  it('exits 2 with one line for malformed records', async () => {
    const cases: [string, RegExp][] = [
      [vector('local_unsorted_keys').text, /not sorted/],
      [vector('local_duplicate_key').text, /duplicate key/],
      [vector('local_too_big_301').text, /300/],
      [vector('local_incomplete_pair').text, /odd number/],
      [vector('text_padding_variant').text, /padding/],
      ['enr:!!', /alphabet/],
      ['c0', /at least 2/],
    ];
    for (const [input, message] of cases) {
      error.mockClear();
      log.mockClear();
      const { code, json, stderr } = await decode(input);
      expect([input, code]).toEqual([input, 2]);
      expect(json).toBeUndefined();
      expect(stderr.split('\n')).toHaveLength(1);
      expect(stderr).toMatch(message);
    }
  });

  it('exits 2 on usage mistakes', async () => {
    const cases: string[][] = [['enr'], ['enr', 'encode', spec.text], ['enr', 'decode'], ['enr', 'decode', spec.text, spec.text], ['enr', 'decode', '--json', spec.text], ['enr', 'decode', 'hello']];
    for (const argv of cases) {
      error.mockClear();
      expect([argv, await main(argv)]).toEqual([argv, 2]);
      expect(error.mock.calls).toHaveLength(1);
      expect(String(error.mock.calls[0]![0])).toMatch(/^devp2p-check enr: /);
    }
  });
});
