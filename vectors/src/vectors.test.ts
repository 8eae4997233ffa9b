/**
 * The committed vectors/ folder is the generator's output (byte for byte), our
 * implementation passes it, and verify notices any single flipped byte of a
 * valid vector's expected output. VECTORS_REGENERATE=1 rewrites the folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAMILIES, familyByName } from './families.js';
import { DEFAULT_SEED, type Json, type JsonObject, type Vector, type VectorFile } from './format.js';
import { renderVectorSet, writeVectorSet } from './generate.js';
import { verifyVector, verifyVectorDir } from './verify.js';

const vectorsDir = resolve(fileURLToPath(import.meta.url), '../..');

function committedFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.json')) out.set(relative(dir, full), readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

const fresh = renderVectorSet(DEFAULT_SEED);
if (process.env.VECTORS_REGENERATE === '1') await writeVectorSet(vectorsDir, fresh);

describe('vectors/ is the generator output', () => {
  it('regenerating with the default seed gives byte-identical files, and no stray .json files', () => {
    const committed = committedFiles(vectorsDir);
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [path, content] of fresh) expect(committed.get(path), path).toBe(content);
  });

  it('another seed changes the keyed vectors but not the format', () => {
    const other = renderVectorSet('another seed');
    expect([...other.keys()]).toEqual([...fresh.keys()]);
    const rlp = JSON.parse(other.get('rlp.json')!) as VectorFile;
    expect(rlp.seed).toBe('another seed');
    expect(other.get('rlp.json')).not.toBe(fresh.get('rlp.json'));
  });

  it('every file names its schema and the generator, and stays small', () => {
    for (const [path, content] of fresh) {
      expect(content.length, path).toBeLessThan(512 * 1024);
      if (path.startsWith('schema/')) continue;
      const file = JSON.parse(content) as VectorFile;
      expect(file.$schema).toBe(`./schema/${file.family}.schema.json`);
      expect(fresh.has(file.$schema.slice(2))).toBe(true);
      expect(file.generator).toMatch(/^devp2p-check vectors\/\d+$/);
      expect(file.vectors.some((v) => v.expected) && file.vectors.some((v) => v.error), path).toBe(true);
    }
  });
});

describe('devp2p-check vectors verify on ours', () => {
  it('passes every family in the committed folder', () => {
    const reports = verifyVectorDir(vectorsDir);
    expect(reports.map((r) => r.family)).toEqual(FAMILIES.map((f) => f.name));
    for (const r of reports) {
      expect(r.failures, r.family).toEqual([]);
      expect(r.passed, r.family).toBeGreaterThan(0);
    }
  });
});

/** Paths to every 0x-hex string inside `expected`. */
function hexPaths(value: Json, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return /^0x(?:[0-9a-f]{2})+$/.test(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => hexPaths(v, [...path, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => hexPaths(v, [...path, k]));
  return [];
}

function flipByte(expected: JsonObject, path: (string | number)[], byteIndex: number, mask: number): JsonObject {
  const copy = structuredClone(expected);
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[key]!;
  const last = path[path.length - 1]!;
  const text = (parent as Record<string | number, Json>)[last] as string;
  const bytes = Buffer.from(text.slice(2), 'hex');
  const i = byteIndex % bytes.length;
  bytes[i] = bytes[i]! ^ mask;
  (parent as Record<string | number, Json>)[last] = `0x${bytes.toString('hex')}`;
  return copy;
}

describe('mutation check', () => {
  it('flipping any single byte of a valid vector’s expected output makes verify fail (>= 200 samples over every family)', () => {
    // A small deterministic PRNG: the same samples every run, spread over all families and fields.
    let state = 0x9e3779b9;
    const rand = (n: number) => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % n;
    };
    const pool: { family: string; vector: Vector; paths: (string | number)[][] }[] = [];
    for (const [path, content] of fresh) {
      if (path.startsWith('schema/')) continue;
      const file = JSON.parse(content) as VectorFile;
      for (const vector of file.vectors) {
        if (!vector.expected) continue;
        const paths = hexPaths(vector.expected);
        if (paths.length > 0) pool.push({ family: file.family, vector, paths });
      }
    }
    const families = new Set<string>();
    let samples = 0;
    for (; samples < 240; samples++) {
      const { family, vector, paths } = pool[rand(pool.length)]!;
      const path = paths[rand(paths.length)]!;
      const mutated = { ...vector, expected: flipByte(vector.expected!, path, rand(1 << 20), 1 + rand(255)) };
      const problems = verifyVector(familyByName(family)!, mutated);
      expect(problems, `${family}/${vector.name} ${path.join('.')}`).not.toEqual([]);
      families.add(family);
    }
    expect(samples).toBeGreaterThanOrEqual(200);
    expect(families.size).toBe(FAMILIES.filter((f) => f.generate(DEFAULT_SEED).some((v) => v.expected)).length);
  });
});
