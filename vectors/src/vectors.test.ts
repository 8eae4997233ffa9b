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

  it('every file loads in JSON readers with a depth limit (serde_json: 128): nesting stays under 32', () => {
    const depth = (v: Json): number => (Array.isArray(v) ? 1 + Math.max(0, ...v.map(depth)) : v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0);
    for (const [path, content] of fresh) expect(depth(JSON.parse(content) as Json), path).toBeLessThan(32);
  });

  it('README.md lists every family file with its numbers of valid and invalid vectors', () => {
    const readme = readFileSync(join(vectorsDir, 'README.md'), 'utf8');
    const rows = new Map([...readme.matchAll(/^\| `([a-z0-9-]+\.json)` \|[^|]*\| +(\d+) \| +(\d+) \|$/gm)].map((m) => [m[1]!, [Number(m[2]), Number(m[3])]]));
    const counts = new Map(
      [...fresh].filter(([path]) => !path.startsWith('schema/')).map(([path, content]) => {
        const file = JSON.parse(content) as VectorFile;
        return [path, [file.vectors.filter((v) => v.expected).length, file.vectors.filter((v) => v.error).length]];
      }),
    );
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(counts));
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

/**
 * The subset of JSON Schema (2020-12) our schemas use: type, const, enum,
 * pattern, minimum, properties, required, additionalProperties: false, items,
 * oneOf. A keyword outside it fails, so a schema cannot silently go unchecked.
 */
function schemaErrors(schemaIn: Json, value: Json, at = '$', root: Json = schemaIn): string[] {
  // Plain loops and an inline $ref: the rlp family nests 1024 lists deep, and every frame counts.
  let schema = schemaIn;
  while (schema !== null && typeof schema === 'object' && !Array.isArray(schema) && typeof schema.$ref === 'string') {
    const target = /^#\/\$defs\/([A-Za-z0-9]+)$/.exec(schema.$ref)?.[1];
    const resolved = target === undefined ? undefined : ((root as JsonObject).$defs as JsonObject | undefined)?.[target];
    if (resolved === undefined) return [`${at}: unresolvable $ref ${schema.$ref}`];
    schema = resolved;
  }
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return [`${at}: bad schema`];
  const errors: string[] = [];
  const known = new Set(['$schema', '$id', '$defs', 'title', 'type', 'const', 'enum', 'pattern', 'minimum', 'properties', 'required', 'additionalProperties', 'items', 'oneOf']);
  for (const key of Object.keys(schema)) if (!known.has(key)) errors.push(`${at}: unsupported keyword ${key}`);
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (schema.type !== undefined) {
    const ok = schema.type === 'integer' ? Number.isInteger(value) : schema.type === kind;
    if (!ok) return [...errors, `${at}: expected ${String(schema.type)}, got ${kind}`];
  }
  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) errors.push(`${at}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) errors.push(`${at}: not in enum`);
  if (typeof schema.pattern === 'string' && typeof value === 'string' && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${at}: does not match ${schema.pattern}`);
  if (typeof schema.minimum === 'number' && typeof value === 'number' && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
  if (kind === 'object') {
    const obj = value as JsonObject;
    const props = (schema.properties ?? {}) as JsonObject;
    for (const r of (schema.required ?? []) as string[]) if (!(r in obj)) errors.push(`${at}: missing ${r}`);
    for (const k of Object.keys(obj)) {
      if (k in props) errors.push(...schemaErrors(props[k]!, obj[k]!, `${at}.${k}`, root));
      else if (schema.additionalProperties === false) errors.push(`${at}: unexpected ${k}`);
    }
  }
  if (kind === 'array' && schema.items !== undefined) {
    const items = value as Json[];
    for (let i = 0; i < items.length; i++) errors.push(...schemaErrors(schema.items, items[i]!, `${at}[${i}]`, root));
  }
  if (Array.isArray(schema.oneOf)) {
    let matching = 0;
    for (const alt of schema.oneOf) if (schemaErrors(alt, value, at, root).length === 0) matching++;
    if (matching !== 1) errors.push(`${at}: matches ${matching} of the oneOf alternatives, expected exactly 1`);
  }
  return errors;
}

describe('JSON Schemas', () => {
  it('every vector file conforms to the schema its $schema names', () => {
    for (const [path, content] of fresh) {
      if (path.startsWith('schema/')) continue;
      const file = JSON.parse(content) as Json;
      const schema = JSON.parse(fresh.get((file as unknown as VectorFile).$schema.slice(2))!) as Json;
      expect(schemaErrors(schema, file).slice(0, 5), path).toEqual([]);
    }
  });

  it('the schemas reject a vector without its expected output, and one with both expected and error', () => {
    const eth = JSON.parse(fresh.get('eth.json')!) as VectorFile;
    const schema = JSON.parse(fresh.get('schema/eth.schema.json')!) as Json;
    const valid = eth.vectors.find((v) => v.expected)!;
    const invalid = eth.vectors.find((v) => v.error)!;
    const withVectors = (vectors: unknown[]) => ({ ...eth, vectors }) as unknown as Json;
    const { expected: _dropped, ...withoutExpected } = valid;
    expect(schemaErrors(schema, withVectors([valid]))).toEqual([]);
    expect(schemaErrors(schema, withVectors([withoutExpected]))).not.toEqual([]);
    expect(schemaErrors(schema, withVectors([{ ...valid, error: invalid.error }]))).not.toEqual([]);
    expect(schemaErrors(schema, withVectors([{ ...valid, input: { ...valid.input, version: 65 } }]))).not.toEqual([]);
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
    // Sampled family by family in turn, so that a large family (eth) does not crowd out the small ones.
    const pools = new Map<string, { vector: Vector; paths: (string | number)[][] }[]>();
    for (const [path, content] of fresh) {
      if (path.startsWith('schema/')) continue;
      const file = JSON.parse(content) as VectorFile;
      const pool = file.vectors.flatMap((vector) => {
        const paths = vector.expected ? hexPaths(vector.expected) : [];
        return paths.length > 0 ? [{ vector, paths }] : [];
      });
      if (pool.length > 0) pools.set(file.family, pool);
    }
    const families = [...pools.keys()];
    const perFamily = new Map<string, number>();
    let samples = 0;
    for (; samples < 270; samples++) {
      const family = families[samples % families.length]!;
      const pool = pools.get(family)!;
      const { vector, paths } = pool[rand(pool.length)]!;
      const path = paths[rand(paths.length)]!;
      const mutated = { ...vector, expected: flipByte(vector.expected!, path, rand(1 << 20), 1 + rand(255)) };
      const problems = verifyVector(familyByName(family)!, mutated);
      expect(problems, `${family}/${vector.name} ${path.join('.')}`).not.toEqual([]);
      perFamily.set(family, (perFamily.get(family) ?? 0) + 1);
    }
    expect(samples).toBeGreaterThanOrEqual(200);
    expect(families.sort()).toEqual(FAMILIES.map((f) => f.name).sort());
    for (const [family, n] of perFamily) expect(n, family).toBeGreaterThanOrEqual(30);
  });
});
