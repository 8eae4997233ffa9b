/**
 * ethereum/tests RLPTests: rlptest.json (encode `in`, get `out`; decode `out`
 * and re-encode), invalidRLPTest.json (a strict decoder rejects `out`) and
 * RandomRLPTests (decode and re-encode byte for byte). In `in`, a string is its
 * UTF-8 bytes, "#<decimal>" a big integer, a number an integer.
 */
import { join } from 'node:path';
import { utf8 } from '../../../reference-node/wire/bytes.js';
import { decodeRlp, encodeRlp, type RlpInput } from '../../../reference-node/wire/rlp.js';
import type { FamilyReport } from '../verify.js';
import { bytes, hexOf, Problems, readJson, rejection, runChecks, type Check } from './checks.js';

type TestIn = string | number | TestIn[];
type RlpTests = Record<string, { in: TestIn; out: string }>;

function toInput(value: TestIn): RlpInput {
  if (Array.isArray(value)) return value.map(toInput);
  if (typeof value === 'number') return BigInt(value);
  if (value.startsWith('#')) return BigInt(value.slice(1));
  return utf8(value);
}

const roundTrip = (out: string): string[] => {
  const p = new Problems();
  const encoded = bytes(out);
  p.same('decode then encode', hexOf(encodeRlp(decodeRlp(encoded, 'rlp test') as RlpInput)), hexOf(encoded));
  return p.list;
};

export function checkRlpReference(dir: string): FamilyReport[] {
  const folder = join(dir, 'rlp');
  const valid = readJson<RlpTests>(join(folder, 'rlptest.json'));
  const invalid = readJson<RlpTests>(join(folder, 'invalidRLPTest.json'));
  const random = readJson<RlpTests>(join(folder, 'RandomRLPTests', 'example.json'));
  const checks: [string, Check][] = [
    ...Object.entries(valid).map(([name, t]): [string, Check] => [
      name,
      () => {
        const p = new Problems();
        p.same('encode(in)', hexOf(encodeRlp(toInput(t.in))), hexOf(bytes(t.out)));
        return [...p.list, ...roundTrip(t.out)];
      },
    ]),
    ...Object.entries(invalid).map(([name, t]): [string, Check] => [
      `invalid/${name}`,
      () => (rejection(() => decodeRlp(bytes(t.out), 'rlp test')) ? [] : ['accepted, expected a rejection']),
    ]),
    ...Object.entries(random).map(([name, t]): [string, Check] => [`random/${name}`, () => roundTrip(t.out)]),
  ];
  return [runChecks('rlp', folder, checks)];
}
