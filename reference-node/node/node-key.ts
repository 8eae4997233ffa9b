/**
 * The node key: given on the command line (hex or a file), or generated once
 * and kept in the datadir so the node's identity survives restarts (as geth
 * keeps <datadir>/geth/nodekey).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesToHex } from '../wire/bytes.js';
import { DecodeError } from '../wire/errors.js';
import { generatePrivateKey, parsePrivateKeyHex, type PrivateKey } from '../wire/keys.js';

export const NODE_KEY_FILE = 'nodekey';

export type NodeKeySource = { hex: string } | { file: string } | { datadir: string } | { ephemeral: true };

export class NodeKeyError extends Error {
  override readonly name = 'NodeKeyError';
}

export async function loadNodeKey(source: NodeKeySource): Promise<PrivateKey> {
  if ('hex' in source) return parseKey(source.hex, '--nodekey');
  if ('file' in source) {
    let text: string;
    try {
      text = await readFile(source.file, 'utf8');
    } catch (err) {
      throw new NodeKeyError(`cannot read node key file ${source.file}: ${(err as Error).message}`);
    }
    return parseKey(text, `node key file ${source.file}`);
  }
  if ('datadir' in source) {
    const path = join(source.datadir, NODE_KEY_FILE);
    if (existsSync(path)) return loadNodeKey({ file: path });
    const key = generatePrivateKey();
    await mkdir(source.datadir, { recursive: true });
    // 0600: the key is the node's identity; nobody else on the machine needs it.
    await writeFile(path, bytesToHex(key) + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  }
  return generatePrivateKey();
}

function parseKey(text: string, origin: string): PrivateKey {
  try {
    return parsePrivateKeyHex(text.trim());
  } catch (err) {
    const detail = err instanceof DecodeError ? err.detail : (err as Error).message;
    throw new NodeKeyError(`${origin}: ${detail}`);
  }
}
