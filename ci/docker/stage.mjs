#!/usr/bin/env node
/**
 * Stages a Docker build context for one of the images in this folder, from
 * an installed and built checkout, with no network: the image's files, and
 * only the node_modules packages its program loads (the dependency closure,
 * walked the way Node resolves packages), at their installed paths.
 *
 *   node ci/docker/stage.mjs reference-node|ethereumjs-client OUT_DIR
 *
 * Layout of OUT_DIR: app/ (what goes to /app), scripts/ (start script,
 * enode.sh, the genesis helper) and the Dockerfile.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const [image, out] = process.argv.slice(2);

function fail(message) {
  console.error(`stage.mjs: ${message}`);
  process.exit(2);
}

/** The installed directory of package `name` as Node would find it from `fromDir`. */
function resolvePackage(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (dir.split(sep).pop() !== 'node_modules') {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
    }
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/** Every package directory `roots` load, directly or through their dependencies. */
function closure(rootDirs) {
  const seen = new Set();
  const queue = [...rootDirs];
  while (queue.length > 0) {
    const dir = queue.pop();
    if (seen.has(dir)) continue;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const required = Object.keys(pkg.dependencies ?? {});
    // Optional ones (native builds for this platform) only if npm installed them.
    const optional = [...Object.keys(pkg.optionalDependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
    for (const name of required) {
      const found = resolvePackage(name, dir);
      if (!found) fail(`${relative(root, dir) || 'package.json'} needs ${name}, which is not installed: run "npm ci" first`);
      queue.push(found);
    }
    for (const name of optional) {
      const found = resolvePackage(name, dir);
      if (found) queue.push(found);
    }
  }
  return [...seen].filter((dir) => dir !== root);
}

/** Copies package directories to the same place under app/, each without its nested node_modules (those come in on their own). */
function copyPackages(dirs, appDir) {
  for (const dir of dirs) {
    const nested = join(dir, 'node_modules');
    cpSync(dir, join(appDir, relative(root, dir)), { recursive: true, dereference: true, filter: (src) => src !== nested });
  }
}

function copyScripts(names, outDir) {
  mkdirSync(join(outDir, 'scripts'), { recursive: true });
  for (const [from, to] of names) cpSync(join(here, from), join(outDir, 'scripts', to));
}

if (!image || !out) fail('usage: node ci/docker/stage.mjs reference-node|ethereumjs-client OUT_DIR');
const outDir = resolve(out);
rmSync(outDir, { recursive: true, force: true });
const appDir = join(outDir, 'app');
mkdirSync(appDir, { recursive: true });

if (image === 'reference-node') {
  if (!existsSync(join(root, 'dist', 'cli', 'bin.js'))) fail('dist/cli/bin.js is missing: run "npm run build" first');
  cpSync(join(root, 'package.json'), join(appDir, 'package.json'));
  // The program only: no tests, maps or declarations.
  cpSync(join(root, 'dist'), join(appDir, 'dist'), {
    recursive: true,
    filter: (src) => statSync(src).isDirectory() || !/(\.test\.js|\.map|\.d\.ts)$/.test(src),
  });
  copyPackages(closure([root]), appDir);
  copyScripts([['reference-node/start.sh', 'start.sh'], ['reference-node/enode.sh', 'enode.sh'], ['hive-genesis.mjs', 'hive-genesis.mjs'], ['hive-enode.mjs', 'hive-enode.mjs']], outDir);
} else if (image === 'ethereumjs-client') {
  const client = resolvePackage('@ethereumjs/client', root);
  if (!client) fail('@ethereumjs/client is not installed: run "npm ci" first');
  copyPackages(closure([client]), appDir);
  // The same preloads as the cmd: template (test-support/ethereumjs-command.ts), so both runs see the same client.
  mkdirSync(join(appDir, 'support'), { recursive: true });
  for (const f of ['ethereumjs-client-preload.mjs', 'ethereumjs-client-resolve.mjs', 'ethereumjs-nodelay.cjs']) cpSync(join(root, 'test-support', f), join(appDir, 'support', f));
  copyScripts([['ethereumjs-client/start.sh', 'start.sh'], ['ethereumjs-client/enode.sh', 'enode.sh'], ['hive-genesis.mjs', 'hive-genesis.mjs'], ['hive-enode.mjs', 'hive-enode.mjs']], outDir);
} else {
  fail(`unknown image "${image}" (reference-node or ethereumjs-client)`);
}
cpSync(join(here, `${image}.Dockerfile`), join(outDir, 'Dockerfile'));
const count = readdirSync(join(appDir, 'node_modules'), { recursive: true }).length;
console.log(`staged ${image} in ${outDir} (${count} entries under app/node_modules)`);
