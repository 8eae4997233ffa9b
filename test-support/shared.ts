import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The reference vectors and specs live in ../shared beside the checkout and are
 * never copied into the repo. A missing folder fails the test loudly rather than
 * skipping it, so a misconfigured CI cannot pass by testing nothing.
 */
function findRepoRoot(from: string): string {
  // Works from the sources and from dist/ (benchmarks run compiled).
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
export const sharedDir = process.env.DEVP2P_SHARED ?? resolve(repoRoot, '../shared');

export function sharedPath(...parts: string[]): string {
  const path = resolve(sharedDir, ...parts);
  if (!existsSync(path)) {
    throw new Error(`reference file missing: ${path} (set DEVP2P_SHARED or put shared/ beside the checkout)`);
  }
  return path;
}

export function readSharedJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(sharedPath(...parts), 'utf8')) as T;
}

export function readSharedBytes(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(sharedPath(...parts)));
}
