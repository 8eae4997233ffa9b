/**
 * The tar writer against GNU tar (an independent reader): names, types,
 * modes, sizes and bytes come back as written, including the 512-byte edges.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTar, TarError } from './tar.js';

const dir = mkdtempSync(join(tmpdir(), 'tar-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}

describe('buildTar', () => {
  const files = { 'genesis.json': bytes(511, 1), 'chain.rlp': bytes(512, 2), 'blocks/0001.rlp': bytes(513, 3), 'empty': new Uint8Array(0) };
  const archive = buildTar(
    [
      { name: 'genesis.json', data: files['genesis.json'] },
      { name: 'chain.rlp', data: files['chain.rlp'] },
      { name: 'blocks' },
      { name: 'blocks/0001.rlp', data: files['blocks/0001.rlp'], mode: 0o600 },
      { name: 'empty', data: files['empty'] },
    ],
    1_700_000_000,
  );
  const path = join(dir, 'a.tar');
  writeFileSync(path, archive);

  it('GNU tar lists every entry with its type, mode, size and time', () => {
    const listing = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvf', path], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } }).trim().split('\n');
    expect(listing.map((l) => l.replace(/\s+/g, ' '))).toEqual([
      '-rw-r--r-- 0/0 511 2023-11-14 22:13:20 genesis.json',
      '-rw-r--r-- 0/0 512 2023-11-14 22:13:20 chain.rlp',
      'drwxr-xr-x 0/0 0 2023-11-14 22:13:20 blocks/',
      '-rw------- 0/0 513 2023-11-14 22:13:20 blocks/0001.rlp',
      '-rw-r--r-- 0/0 0 2023-11-14 22:13:20 empty',
    ]);
  });

  it('GNU tar extracts the same bytes', () => {
    const out = join(dir, 'out');
    execFileSync('mkdir', ['-p', out]);
    execFileSync('tar', ['-xf', path, '-C', out]);
    for (const [name, data] of Object.entries(files)) expect(new Uint8Array(readFileSync(join(out, name)))).toEqual(data);
    expect(statSync(join(out, 'blocks')).isDirectory()).toBe(true);
  });

  it('pads every entry to 512 bytes and ends with two zero blocks', () => {
    // headers 5, data 1 + 1 + 2 blocks, end 2
    expect(archive.length).toBe((5 + 1 + 1 + 2 + 2) * 512);
    expect(archive.subarray(archive.length - 1024).every((b) => b === 0)).toBe(true);
  });

  it('refuses names tar cannot hold or that escape the upload folder', () => {
    expect(() => buildTar([{ name: 'x'.repeat(101), data: new Uint8Array(1) }])).toThrow(TarError);
    expect(() => buildTar([{ name: '../etc/passwd', data: new Uint8Array(1) }])).toThrow(TarError);
    expect(() => buildTar([{ name: '/genesis.json', data: new Uint8Array(1) }])).toThrow(TarError);
  });
});
