/**
 * The verifier on the official vectors in ../shared/vectors-reference: every
 * family passes with the expected number of checks, and a copy of the folder
 * with one value changed per family fails exactly that family's check.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REFERENCE_CHECKERS, verifyReferenceDir } from './reference.js';

const referenceDir = resolve(fileURLToPath(import.meta.url), '../../../../shared/vectors-reference');

describe('verify on ../shared/vectors-reference', () => {
  const reports = verifyReferenceDir(referenceDir);

  it('passes every family and file, with the number of official cases each holds', () => {
    const summary = Object.fromEntries(reports.map((r) => [r.family, [r.passed, r.failures.map((f) => `${f.name}: ${f.problems.join('; ')}`)]]));
    expect(summary).toEqual({
      rlp: [28 + 26 + 1, []],
      tx: [59, []],
      'rlpx-handshake': [3 + 3 + 3, []],
      'rlpx-frames': [2, []],
      discv4: [6, []],
      enr: [9, []],
      p2p: [1, []],
      eth: [11, []],
      forkid: [70, []],
    });
  });

  it('notes how the implementation-defined cases were decided', () => {
    const notes = reports.flatMap((r) => r.notes ?? []).join('\n');
    expect(notes).toMatch(/ping_v555_extra_trailing: .*rejected by default/);
    expect(notes).toMatch(/pong_extra_trailing: .*rejected by default/);
    expect(notes).toMatch(/text_padding_variant is implementation-defined; ours rejects it/);
  });
});

describe('verify on a damaged copy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vectors-reference-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  type Json = Record<string, unknown>;
  /** One change per family, to a value the checker compares with our output. */
  const damage: Record<string, [string, (j: Json) => void]> = {
    rlp: ['rlp/rlptest.json', (j) => ((j.bytestring00 as Json).out = '0x01')],
    // A signed legacy tx (EIP-155 example of eth.md/EIP-155, chain 1): valid, so no longer a rejection.
    tx: ['transaction-tests/ttWrongRLP/RLPIncorrectByteEncoding00.json', (j) => {
      const name = Object.keys(j)[0]!;
      (j[name] as Json).txbytes = '0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83';
    }],
    'rlpx-handshake': ['rlpx-eip8-handshake.json', (j) => (((j.secrets as Json)['auth2+ack2'] as Json).aesSecret = '00'.repeat(32))],
    'rlpx-frames': ['rlpx-eip8-handshake.json', (j) => (((j.frames as Json).gethGoldenFrame as Json).msgCode = 9)],
    discv4: ['discv4-eip8-packets.json', (j) => (((j.packets as Json).findnode_extra_trailing as Json).trailingBytesAfterList = '00')],
    enr: ['enr.json', (j) => ((j.records as Json[])[0]!.nodeId = '00'.repeat(32))],
    p2p: ['p2p-hello-eip8.json', (j) => (((j.hello as Json).decoded as Json).listenPort = 9998)],
    eth: ['eth66-messages-eip2481.json', (j) => (((j.cases as Json[])[1]!.data as Json).Amount = 6)],
    forkid: ['forkid-eip2124.json', (j) => (((j.gethMainnetCreation as Json).cases as Json[])[5]!.hash = 'deadbeef')],
  };
  for (const c of REFERENCE_CHECKERS) cpSync(join(referenceDir, c.path), join(dir, c.path), { recursive: true });
  for (const [path, edit] of Object.values(damage)) {
    const json = JSON.parse(readFileSync(join(dir, path), 'utf8')) as Json;
    edit(json);
    writeFileSync(join(dir, path), JSON.stringify(json));
  }

  it('fails each family exactly once, naming the vector', () => {
    const reports = verifyReferenceDir(dir);
    expect(reports.map((r) => [r.family, r.failures.length])).toEqual(Object.keys(damage).map((f) => [f, 1]));
    const names = Object.fromEntries(reports.map((r) => [r.family, r.failures[0]!.name]));
    expect(names).toEqual({
      rlp: 'bytestring00',
      tx: 'RLPIncorrectByteEncoding00',
      'rlpx-handshake': 'secrets/auth2+ack2',
      'rlpx-frames': 'frames/geth-golden',
      discv4: 'findnode_extra_trailing',
      enr: 'spec_example',
      p2p: 'hello',
      eth: 'GetBlockHeaders#2',
      forkid: expect.stringMatching(/^geth-mainnet\//),
    });
  });

  it('reports a missing file as a failure of its family', () => {
    const empty = mkdtempSync(join(dirname(dir), 'vectors-reference-empty-'));
    try {
      const reports = verifyReferenceDir(empty);
      expect(reports.length).toBe(REFERENCE_CHECKERS.length);
      for (const r of reports) expect(r.failures, r.family).toEqual([{ name: '(file)', problems: ['missing'] }]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
