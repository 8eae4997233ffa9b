/**
 * Renders the vector set for a seed: one `<family>.json` per family and its
 * JSON Schema in `schema/`. Pure (returns file contents); writing is separate
 * so tests can compare a fresh rendering with the committed folder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Family } from './family.js';
import { FAMILIES } from './families.js';
import { GENERATOR, type JsonObject, type Vector, type VectorFile } from './format.js';

export function schemaPath(family: string): string {
  return `schema/${family}.schema.json`;
}

/** A file per family; `vectors` one per line so that diffs stay readable and deep values stay small. */
export function renderVectorFile(file: VectorFile): string {
  const head = Object.entries(file)
    .filter(([k]) => k !== 'vectors')
    .map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  const lines = file.vectors.map((v, i) => `    ${JSON.stringify(v)}${i + 1 < file.vectors.length ? ',' : ''}`);
  return ['{', ...head, '  "vectors": [', ...lines, '  ]', '}', ''].join('\n');
}

export function familySchema(family: Family): JsonObject {
  const vector = (extra: JsonObject) => ({
    type: 'object',
    required: ['name', 'description', 'input', ...Object.keys(extra)],
    additionalProperties: false,
    properties: {
      name: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]*$' },
      description: { type: 'string' },
      ...extra,
    },
  });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://devp2p-check/vectors/${schemaPath(family.name)}`,
    title: `devp2p-check vectors: ${family.title}`,
    ...(family.schema.defs ? { $defs: family.schema.defs } : {}),
    type: 'object',
    required: ['$schema', 'family', 'generator', 'seed', 'vectors'],
    properties: {
      $schema: { const: `./${schemaPath(family.name)}` },
      family: { const: family.name },
      generator: { type: 'string' },
      seed: { type: 'string' },
      vectors: {
        type: 'array',
        items: {
          oneOf: [
            vector({ input: family.schema.input, expected: family.schema.expected }),
            vector({
              input: family.schema.invalidInput,
              error: {
                type: 'object',
                required: ['code', 'what'],
                properties: { code: { type: 'string' }, what: { type: 'string' } },
              },
            }),
          ],
        },
      },
    },
  };
}

function checkNames(family: Family, vectors: Vector[]): void {
  const seen = new Set<string>();
  for (const v of vectors) {
    if (seen.has(v.name)) throw new Error(`family ${family.name}: duplicate vector name ${v.name}`);
    seen.add(v.name);
  }
}

/** Relative path -> file content, in a stable order. */
export function renderVectorSet(seed: string, families: readonly Family[] = FAMILIES): Map<string, string> {
  const files = new Map<string, string>();
  for (const family of families) {
    const vectors = family.generate(seed);
    checkNames(family, vectors);
    const file: VectorFile = { $schema: `./${schemaPath(family.name)}`, family: family.name, generator: GENERATOR, seed, vectors };
    files.set(`${family.name}.json`, renderVectorFile(file));
    files.set(schemaPath(family.name), `${JSON.stringify(familySchema(family), null, 2)}\n`);
  }
  return files;
}

export async function writeVectorSet(dir: string, files: Map<string, string>): Promise<void> {
  for (const [path, content] of files) {
    const full = join(dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
  }
}
