import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { EXIT_USAGE } from '../errors.js';
import { main } from '../main.js';

let log: MockInstance<typeof console.log>;
let dir: string;
beforeEach(async () => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
  dir = await mkdtemp(join(tmpdir(), 'vectors-cli-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const stdout = () => log.mock.calls.map((c) => String(c[0])).join('\n');

describe('devp2p-check vectors', () => {
  it('generate --out --seed writes a set that verify [DIR] passes; a second run writes the same bytes', async () => {
    expect(await main(['vectors', 'generate', '--out', join(dir, 'a'), '--seed', 'cli'])).toBe(0);
    expect(await main(['vectors', 'generate', '--out', join(dir, 'b'), '--seed', 'cli'])).toBe(0);
    expect(await readFile(join(dir, 'b', 'rlp.json'), 'utf8')).toBe(await readFile(join(dir, 'a', 'rlp.json'), 'utf8'));
    log.mockClear();
    expect(await main(['vectors', 'verify', join(dir, 'a')])).toBe(0);
    expect(stdout()).toMatch(/^ok {3}rlp /m);
    expect(stdout()).not.toMatch(/FAIL/);
  });

  it('verify exits 1 and names the family and vector on a mismatch', async () => {
    const out = join(dir, 'a');
    expect(await main(['vectors', 'generate', '--out', out])).toBe(0);
    const path = join(out, 'rlp.json');
    const text = await readFile(path, 'utf8');
    // The encoding of the empty string is 0x80; claim 0x81.
    await writeFile(path, text.replace('"expected":{"encoded":"0x80"}', '"expected":{"encoded":"0x81"}'));
    log.mockClear();
    expect(await main(['vectors', 'verify', out])).toBe(1);
    expect(stdout()).toMatch(/^FAIL rlp .*1 failed/m);
    expect(stdout()).toMatch(/string-empty:/);
  });

  it('verify with no DIR checks the committed folder', async () => {
    expect(await main(['vectors', 'verify'])).toBe(0);
    expect(stdout()).toMatch(/^ok {3}rlp /m);
  });

  it('unknown subcommands and flags are usage errors', async () => {
    expect(await main(['vectors'])).toBe(EXIT_USAGE);
    expect(await main(['vectors', 'generate', '--bogus', 'x'])).toBe(EXIT_USAGE);
  });
});
