import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { parseGenesis } from '../../reference-node/chain/genesis.js';
import { Chain } from '../../reference-node/chain/chain.js';
import { bytesToHex } from '../../reference-node/wire/bytes.js';
import { EXIT_USAGE } from '../errors.js';
import { main } from '../main.js';

let log: MockInstance<typeof console.log>;
let error: MockInstance<typeof console.error>;
let dir: string;
beforeEach(async () => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
  error = vi.spyOn(console, 'error').mockImplementation(() => {});
  dir = await mkdtemp(join(tmpdir(), 'fixture-cli-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const stderr = () => error.mock.calls.map((c) => String(c[0])).join('\n');

describe('devp2p-check fixture generate', () => {
  it('writes the four files; the chain imports to the head it prints; a second run writes the same bytes', async () => {
    const out = join(dir, 'a');
    const args = ['fixture', 'generate', '--out', out, '--profile', 'legacy', '--blocks', '2', '--seed', 'cli', '--txs-per-block', '3'];
    expect(await main(args)).toBe(0);
    const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
    const genesisJson = await readFile(join(out, 'genesis.json'), 'utf8');
    const chainRlp = new Uint8Array(await readFile(join(out, 'chain.rlp')));
    const genesis = await parseGenesis(JSON.parse(genesisJson));
    const chain = await Chain.open({ genesis });
    try {
      await chain.importChainRlp(chainRlp);
      expect(chain.head().number).toBe(2n);
      expect(chain.blockByNumber(2n)!.transactions).toHaveLength(3);
      expect(printed).toContain(`head 2 0x${bytesToHex(chain.head().hash)}`);
      expect(printed).toContain(`genesis 0x${bytesToHex(genesis.hash)}`);
    } finally {
      await chain.close();
    }
    const fcu = JSON.parse(await readFile(join(out, 'headfcu.json'), 'utf8')) as { params: [{ headBlockHash: string }] };
    expect(fcu.params[0].headBlockHash).toBe(printed.match(/head 2 (0x[0-9a-f]{64})/)![1]);
    expect(Object.keys(JSON.parse(await readFile(join(out, 'accounts.json'), 'utf8')) as object).length).toBeGreaterThan(1);

    const again = join(dir, 'b');
    expect(await main(['fixture', 'generate', `--out=${again}`, '--profile=legacy', '--blocks=2', '--seed=cli', '--txs-per-block=3'])).toBe(0);
    for (const name of ['genesis.json', 'chain.rlp', 'accounts.json', 'headfcu.json']) {
      expect(Buffer.compare(await readFile(join(out, name)), await readFile(join(again, name))), name).toBe(0);
    }
  }, 60_000);

  it.each([
    [['fixture'], /usage: fixture generate/],
    [['fixture', 'make'], /usage: fixture generate/],
    [['fixture', 'generate', '--profile', 'legacy', '--blocks', '1', '--seed', 's'], /needs --out/],
    [['fixture', 'generate', '--out', 'X', '--blocks', '1', '--seed', 's'], /needs --profile/],
    [['fixture', 'generate', '--out', 'X', '--profile', 'pow', '--blocks', '1', '--seed', 's'], /--profile must be modern or legacy, got "pow"/],
    [['fixture', 'generate', '--out', 'X', '--profile', 'modern', '--seed', 's'], /needs --blocks/],
    [['fixture', 'generate', '--out', 'X', '--profile', 'modern', '--blocks', 'ten', '--seed', 's'], /--blocks must be an integer from 0 to 1000000, got "ten"/],
    [['fixture', 'generate', '--out', 'X', '--profile', 'modern', '--blocks', '-1', '--seed', 's'], /--blocks/],
    [['fixture', 'generate', '--out', 'X', '--profile', 'modern', '--blocks', '1'], /needs --seed/],
    [['fixture', 'generate', '--out', 'X', '--profile', 'modern', '--blocks', '1', '--seed', 's', '--txs-per-block', '5000'], /--txs-per-block must be an integer from 0 to 1000/],
    [['fixture', 'generate', '--out', 'X', '--profile', 'modern', '--blocks', '1', '--seed', 's', '--txs', '5'], /unknown flag --txs/],
    [['fixture', 'generate', '--out', 'X', '--profile', 'modern', '--blocks', '1', '--seed', 's', 'extra'], /unexpected argument "extra"/],
    [['fixture', 'generate', '--out'], /--out needs a value/],
  ])('%j exits 2 with a message naming the problem', async (args, message) => {
    expect(await main(args)).toBe(EXIT_USAGE);
    expect(stderr()).toMatch(/^devp2p-check fixture: /);
    expect(stderr()).toMatch(message);
    expect(log).not.toHaveBeenCalled();
  });
});
