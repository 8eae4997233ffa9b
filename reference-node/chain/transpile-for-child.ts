/**
 * Test helper: runs TypeScript sources in a child process. The repo has no
 * TypeScript loader for plain node, and a crash test needs a real process to
 * kill -9. This transpiles an entry file and every relative import it reaches
 * (without type checking; vitest and tsc do that) into a temporary tree that
 * mirrors the repo, with node_modules linked in.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface TranspiledTree {
  /** The .js file to run with node. */
  entry: string;
  remove(): Promise<void>;
}

const IMPORT_RE = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

export async function transpileForChild(repoRoot: string, entryTs: string): Promise<TranspiledTree> {
  const out = await mkdtemp(join(tmpdir(), 'ts-child-'));
  const queue = [resolve(repoRoot, entryTs)];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    for (const match of source.matchAll(IMPORT_RE)) {
      const target = resolve(dirname(file), match[1]!.replace(/\.js$/, '.ts'));
      if (existsSync(target)) queue.push(target);
    }
    const js = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const dest = join(out, relative(repoRoot, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(dest), { recursive: true });
    await writeFile(dest, js);
  }
  await writeFile(join(out, 'package.json'), JSON.stringify({ type: 'module' }));
  await symlink(join(repoRoot, 'node_modules'), join(out, 'node_modules'), 'dir');
  return {
    entry: join(out, entryTs).replace(/\.ts$/, '.js'),
    remove: () => rm(out, { recursive: true, force: true }),
  };
}
