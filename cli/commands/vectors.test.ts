import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { EXIT_USAGE } from '../errors.js';
import { main } from '../main.js';

const packageRoot = resolve(fileURLToPath(import.meta.url), '../../..');

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

  it('verify with no DIR checks the committed folder and ../shared/vectors-reference, one line per family and source', async () => {
    expect(await main(['vectors', 'verify'])).toBe(0);
    const out = stdout();
    for (const family of ['rlp', 'tx', 'rlpx-handshake', 'rlpx-frames', 'discv4', 'enr', 'p2p', 'eth', 'forkid']) {
      expect(out).toMatch(new RegExp(`^ok {3}${family} +\\d+ passed, 0 failed {2}\\(.*vectors/${family}\\.json\\)$`, 'm'));
    }
    expect(out).toMatch(/^ok {3}eth +11 passed, 0 failed {2}\(.*vectors-reference\/eth66-messages-eip2481\.json\)$/m);
    expect(out).toMatch(/^ok {3}tx +59 passed, 0 failed {2}\(.*vectors-reference\/transaction-tests\/ttWrongRLP\)$/m);
    expect(out).toMatch(/note: ping_v555_extra_trailing: .*implementation-defined/);
    expect(out).not.toMatch(/FAIL/);
  });

  it('verify --reference DIR exits 1 on a damaged official vector and names it', async () => {
    const shared = join(packageRoot, '..', 'shared', 'vectors-reference');
    await cp(shared, join(dir, 'ref'), { recursive: true, filter: (src) => !src.includes('geth-ethtest-chain') });
    const path = join(dir, 'ref', 'eth66-messages-eip2481.json');
    // The first GetBlockHeaders asks for 5 headers (…050580); claim 6 in the EIP's decoded data.
    const json = JSON.parse(await readFile(path, 'utf8')) as { cases: { data: { Amount?: number } }[] };
    json.cases[0]!.data.Amount = 6;
    await writeFile(path, JSON.stringify(json));
    expect(await main(['vectors', 'verify', '--reference', join(dir, 'ref')])).toBe(1);
    expect(stdout()).toMatch(/^FAIL eth +10 passed, 1 failed {2}\(.*ref\/eth66-messages-eip2481\.json\)$/m);
    expect(stdout()).toMatch(/GetBlockHeaders: amount\/skip\/reverse: got \["5","5",false\], expected \["6","5",false\]/);
    expect(stdout()).toMatch(/^ok {3}eth +\d+ passed, 0 failed {2}\(.*vectors\/eth\.json\)$/m);
  });

  it('verify --reference with a folder that does not exist is a usage error', async () => {
    expect(await main(['vectors', 'verify', '--reference', join(dir, 'nowhere')])).toBe(EXIT_USAGE);
  });

  it('unknown subcommands and flags are usage errors', async () => {
    expect(await main(['vectors'])).toBe(EXIT_USAGE);
    expect(await main(['vectors', 'generate', '--bogus', 'x'])).toBe(EXIT_USAGE);
  });
});
