import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { RLP } from '@ethereumjs/rlp';
import snappyjs from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../../reference-node/wire/bytes.js';
import { rlpItemArb } from '../arbitraries/rlp.js';
import { encodeRaw, rawFromItem } from '../mutate/index.js';
import { runTarget } from './differential.js';
import { isKnown, knownEntry } from './known.js';
import { specDecodeRlp, type SpecItem } from './rlp-spec.js';
import { rlpTarget } from './targets/rlp.js';
import { snappyTarget } from './targets/snappy.js';

const VECTORS = '/work/shared/vectors-reference/rlp';
const load = (f: string) => JSON.parse(readFileSync(join(VECTORS, f), 'utf8')) as Record<string, { in: unknown; out: string }>;

describe('spec RLP decoder (rlp-spec.ts) on the official RLPTests', () => {
  it('decodes every valid vector to an item that @ethereumjs/rlp encodes back to the same bytes', () => {
    const cases = Object.entries(load('rlptest.json'));
    expect(cases.length).toBeGreaterThan(20);
    for (const [name, v] of cases) {
      const bytes = hexToBytes(v.out);
      const r = specDecodeRlp(bytes);
      expect(r.ok, name).toBe(true);
      if (r.ok) expect(Buffer.from(RLP.encode(r.item as Uint8Array)).toString('hex'), name).toBe(v.out.replace(/^0x/, ''));
    }
  });

  it('rejects every invalid vector', () => {
    const cases = Object.entries(load('invalidRLPTest.json'));
    expect(cases.length).toBeGreaterThan(10);
    for (const [name, v] of cases) expect(specDecodeRlp(hexToBytes(v.out)).ok, name).toBe(false);
  });
});

describe('raw RLP writer (mutation base)', () => {
  it('writes canonical RLP when no override is set (same bytes as @ethereumjs/rlp)', () => {
    fc.assert(
      fc.property(rlpItemArb(), (item) => {
        expect(Buffer.from(encodeRaw(rawFromItem(item)))).toEqual(Buffer.from(RLP.encode(item as SpecItem as Uint8Array)));
      }),
      { numRuns: 200, seed: 1 },
    );
  });
});

describe('differential codec fuzzing', () => {
  it('finds no RLP disagreement that is not written down, and the empty-input one is seen', () => {
    const { report, findings } = runTarget(rlpTarget, { seed: 3, runs: 300, known: isKnown });
    expect(findings).toEqual([]);
    expect(report.cases).toBe(300);
    expect([...report.classes.keys()].some((k) => knownEntry('rlp', k)?.id === 'rlp-empty-input')).toBe(true);
  });

  it('classifies an unknown disagreement as a finding (a decoder that accepts everything)', () => {
    const lenient = { ...rlpTarget, name: 'rlp', theirs: () => ({ accept: true as const, value: 'x' }) };
    const { findings } = runTarget(lenient, { seed: 3, runs: 100, known: isKnown });
    expect(findings.length).toBeGreaterThan(0);
  });

  it('snappyjs inflates a block that declares more than it holds (the written-down snappy-short-output class)', () => {
    // Independent of our code: the 1-byte block 01 declares one byte and holds none.
    expect(Array.from(snappyjs.uncompress(Uint8Array.of(0x01)))).toEqual([0]);
    const ours = snappyTarget.ours({ bytes: Uint8Array.of(0x01) });
    expect(ours.accept).toBe(false);
    expect(knownEntry('snappy', 'ours rejects (value: snappy payload) / theirs accepts')?.id).toBe('snappy-short-output');
  });
});
