/**
 * ESM resolve hook for the @ethereumjs/client child process (registered by
 * ethereumjs-client-preload.mjs; never loaded by our own code).
 *
 * Why: npm hoisted some of the client's pinned 10.0.0 dependencies
 * (@ethereumjs/blockchain, devp2p, genesis, ethash, verkle) to the top-level
 * node_modules, where they resolve @ethereumjs/block, common, util ... to our
 * 10.1.3 copies, while the client itself uses its nested 10.0.0 copies. Two
 * copies of Block break `instanceof Block` inside Blockchain.putBlock, and the
 * client's miner dies on its first sealed block ("Cannot convert undefined to
 * a BigInt"). This hook makes an @ethereumjs/* import made from one of those
 * hoisted direct dependencies of the client resolve to the client's nested
 * copy when it has one, which is the layout a stand-alone install of the
 * client would have. Other packages (e.g. binarytree 10.1.3, which needs util
 * 10.1.3) keep their normal resolution.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const clientEntry = process.env.ETHJS_CLIENT_ENTRY;
const clientDir = clientEntry ? path.resolve(path.dirname(clientEntry), '../../..') : undefined;
const nestedDir = clientDir ? path.join(clientDir, 'node_modules', '@ethereumjs') : undefined;
const anchor = clientEntry ? pathToFileURL(clientEntry).href : undefined;
const hoistedRoot = clientDir ? path.dirname(clientDir) : undefined; // .../node_modules/@ethereumjs
/** The client's own @ethereumjs dependencies that npm hoisted (no nested copy). */
const hoistedDeps = new Set(
  clientDir
    ? Object.keys(JSON.parse(readFileSync(path.join(clientDir, 'package.json'), 'utf8')).dependencies ?? {})
        .filter((name) => name.startsWith('@ethereumjs/'))
        .map((name) => name.slice('@ethereumjs/'.length))
        .filter((name) => !existsSync(path.join(nestedDir, name)))
    : [],
);

function hoistedDependencyOf(parentPath) {
  if (!hoistedRoot || !parentPath.startsWith(hoistedRoot + path.sep)) return false;
  const name = parentPath.slice(hoistedRoot.length + 1).split(path.sep)[0];
  return hoistedDeps.has(name);
}

export async function resolve(specifier, context, nextResolve) {
  const match = /^@ethereumjs\/([^/]+)/.exec(specifier);
  const parent = context.parentURL?.startsWith('file:') ? fileURLToPath(context.parentURL) : '';
  if (
    match &&
    nestedDir &&
    anchor &&
    hoistedDependencyOf(parent) &&
    existsSync(path.join(nestedDir, match[1]))
  ) {
    return nextResolve(specifier, { ...context, parentURL: anchor });
  }
  return nextResolve(specifier, context);
}
