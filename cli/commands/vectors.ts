/**
 * `devp2p-check vectors generate|verify`: writes the deterministic vector set
 * (same seed, same bytes) and checks vector folders against our codecs,
 * one line per family, exit 1 on any mismatch.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SEED } from '../../vectors/src/format.js';
import { renderVectorSet, writeVectorSet } from '../../vectors/src/generate.js';
import { verifyReferenceDir } from '../../vectors/src/reference.js';
import { verifyVectorDir, type FamilyReport } from '../../vectors/src/verify.js';
import { flagString, parseArgs } from '../args.js';
import { UsageError } from '../errors.js';

export const VECTORS_USAGE = 'vectors generate [--out DIR] [--seed S] | vectors verify [DIR] [--reference DIR]';

function packageRoot(): string {
  // Works from the sources and from dist/.
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('no package.json above the vectors command');
  }
}

async function generate(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['out', 'seed'] });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const out = flagString(args, 'out') ?? 'vectors';
  const seed = flagString(args, 'seed') ?? DEFAULT_SEED;
  const files = renderVectorSet(seed);
  await writeVectorSet(out, files);
  console.log(`wrote ${files.size} files to ${out} (seed "${seed}")`);
  return 0;
}

function print(reports: FamilyReport[]): boolean {
  let ok = true;
  for (const r of reports) {
    const failed = r.failures.length;
    if (failed > 0) ok = false;
    console.log(`${failed === 0 ? 'ok  ' : 'FAIL'} ${r.family.padEnd(18)} ${r.passed} passed, ${failed} failed  (${r.source})`);
    for (const f of r.failures.slice(0, 20)) console.log(`       ${f.name}: ${f.problems.join('; ')}`);
    if (failed > 20) console.log(`       ... and ${failed - 20} more`);
    for (const note of r.notes ?? []) console.log(`       note: ${note}`);
  }
  return ok;
}

async function verify(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['reference'] });
  if (args.positional.length > 1) throw new UsageError(`unexpected argument "${args.positional[1]}"`);
  const root = packageRoot();
  const dir = args.positional[0] ?? resolve(root, 'vectors');
  const reports = verifyVectorDir(dir);
  // The official vectors are checked by default when they sit beside the checkout; an explicit DIR checks that folder only.
  const referenceDir = flagString(args, 'reference') ?? (args.positional[0] === undefined ? resolve(root, '../shared/vectors-reference') : undefined);
  if (referenceDir !== undefined && existsSync(referenceDir)) reports.push(...verifyReferenceDir(referenceDir));
  else if (flagString(args, 'reference') !== undefined) throw new UsageError(`no such folder: ${referenceDir}`);
  return print(reports) ? 0 : 1;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'generate') return generate(rest);
  if (sub === 'verify') return verify(rest);
  throw new UsageError(`usage: ${VECTORS_USAGE}`);
}
