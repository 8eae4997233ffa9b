/**
 * kill -9 while `devp2p-check node --datadir D --import chain.rlp` imports
 * 2000 Clique blocks with 5 txs each (issue 4): after each kill the datadir
 * opens with a consistent head (every canonical block up to it is the
 * fixture's block, and the head's state is there), and a restart with the
 * same --import finishes at the fixture's head.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedFixture, CLIQUE_2000, fixtureAccounts, type FixturePaths } from '../../test-support/fixture-cache.js';
import { Chain } from '../../reference-node/chain/chain.js';
import { loadGenesisFile } from '../../reference-node/chain/genesis.js';
import { decodeBlockSequence, headerHash } from '../../reference-node/wire/block.js';
import { bytesToHex, hexToBytes } from '../../reference-node/wire/bytes.js';

const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli/bin.js');
let fixture: FixturePaths;
let hashes: string[];
let datadir: string;

beforeAll(async () => {
  fixture = await cachedFixture(CLIQUE_2000);
  hashes = decodeBlockSequence(new Uint8Array(await readFile(fixture.chain))).map((b) => bytesToHex(headerHash(b.header)));
  datadir = await mkdtemp(join(tmpdir(), 'devp2p-check-crash-'));
}, 600_000);
afterAll(() => rm(datadir, { recursive: true, force: true }));

function startImport(): { child: ChildProcess; exited: Promise<number | null>; untilHead(n: number, ms: number): Promise<void>; output(): string } {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build (npm test does it first)`);
  const child = spawn(process.execPath, [bin, 'node', '--datadir', datadir, '--port', '0', '--nodiscover', '--genesis', fixture.genesis, '--import', fixture.chain], { stdio: ['ignore', 'pipe', 'pipe'] });
  const heads: number[] = [];
  let out = '';
  const listeners: Array<() => void> = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    heads.splice(0, heads.length, ...[...out.matchAll(/head (\d+)/g)].map((m) => Number(m[1])));
    for (const l of listeners) l();
  });
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const untilHead = (n: number, ms: number) =>
    new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`no head >= ${n} within ${ms} ms: ${out.slice(-2000)}`)), ms);
      const check = () => {
        if (heads.some((h) => h >= n)) {
          clearTimeout(timer);
          ok();
        }
      };
      listeners.push(check);
      void exited.then((code) => fail(new Error(`exited (${code}) before head ${n}: ${out.slice(-2000)}`)));
      check();
    });
  return { child, exited, untilHead, output: () => out };
}

/** Opens the datadir as a restarted node would and checks the head and the chain below it; returns the head number. */
async function expectConsistentDatadir(): Promise<number> {
  const chain = await Chain.open({ genesis: await loadGenesisFile(fixture.genesis), dir: join(datadir, 'chaindata') });
  try {
    const head = chain.head();
    const n = Number(head.number);
    expect(bytesToHex(head.hash)).toBe(n === 0 ? bytesToHex(chain.genesisHash) : hashes[n - 1]);
    for (let i = 1; i <= n; i++) {
      const hash = chain.hashByNumber(BigInt(i));
      if (hash === undefined || bytesToHex(hash) !== hashes[i - 1]) throw new Error(`canonical block ${i} is not the fixture's`);
      if (chain.bodyByHash(hash) === undefined || chain.receiptsByHash(hash) === undefined) throw new Error(`block ${i} has no body or receipts`);
    }
    // The head's state is complete enough to read: the funded senders' nonces are there.
    const [someone] = await fixtureAccounts(fixture);
    expect(await chain.accountAt(hexToBytes(someone!.address))).toBeDefined();
    return n;
  } finally {
    await chain.close();
  }
}

describe('kill -9 during a 2000-block import', () => {
  it('each restart finds a consistent head, and the import finishes at the fixture head', async () => {
    const kills: number[] = [];
    for (const after of [256, 512]) {
      const run = startImport();
      await run.untilHead(after, 300_000);
      // Somewhere inside the next batch.
      await new Promise((r) => setTimeout(r, 200 + Math.floor(Math.random() * 1500)));
      run.child.kill('SIGKILL');
      await run.exited;
      const head = await expectConsistentDatadir();
      expect(head).toBeGreaterThanOrEqual(after);
      kills.push(head);
    }
    expect(kills.some((h) => h < 2000)).toBe(true);

    const last = startImport();
    await last.untilHead(2000, 400_000);
    // The node is up (and handles SIGTERM) once it prints its chain line.
    for (let i = 0; i < 100 && !/chain: network/.test(last.output()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(last.output()).toMatch(/chain: network 1337, head 2000 /);
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    expect(await expectConsistentDatadir()).toBe(2000);
  }, 900_000);
});
