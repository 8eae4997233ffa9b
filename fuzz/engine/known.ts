/**
 * Failures already known, by signature: the reproducers of a directory.
 * `--known DIR` (e.g. fuzz/findings/ethereumjs, one folder per campaign) is
 * read recursively and must hold only reproducers; the corpus directory a
 * keep-going run writes to is read at its top level only (where reproducers
 * go; other tools keep other files beside them, e.g. the soak's reports).
 * A reproducer marked `expect: "fixed"`, or one that did not replay, is not
 * known: a failure like it is news (a regression, or a chance to confirm it).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ReproducerFormatError } from '../json.js';
import { readReproducer } from './reproducer.js';
import { failureSignature } from './signature.js';

export interface KnownFailure {
  signature: string;
  /** The reproducer it came from. */
  file: string;
  description: string;
}

export type KnownFailures = Map<string, KnownFailure>;

async function jsonFiles(dir: string, recursive: boolean): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, entry.name);
    if (entry.isDirectory() && recursive) out.push(...(await jsonFiles(p, true)));
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(p);
  }
  return out;
}

/**
 * Adds the known failures of `dir` to `into` (the first file of a signature wins).
 * strict: a JSON file that is not a reproducer throws ReproducerFormatError; otherwise it is skipped.
 * A missing directory is an error when strict, and empty otherwise (a corpus not written yet).
 */
export async function loadKnownFailures(dir: string, options: { recursive: boolean; strict: boolean }, into: KnownFailures = new Map()): Promise<KnownFailures> {
  const s = await stat(dir).catch(() => undefined);
  if (!s?.isDirectory()) {
    if (options.strict) throw new ReproducerFormatError(`${dir} is not a directory`);
    return into;
  }
  for (const file of await jsonFiles(dir, options.recursive)) {
    let r;
    try {
      r = await readReproducer(file);
    } catch (err) {
      if (options.strict || !(err instanceof ReproducerFormatError)) throw err;
      continue;
    }
    if (r.expect === 'fixed' || r.replayed === false) continue;
    const signature = failureSignature(r);
    if (!into.has(signature)) into.set(signature, { signature, file, description: r.description });
  }
  return into;
}
