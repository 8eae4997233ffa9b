import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import { readSharedBytes, sharedPath } from '../../test-support/shared.js';
import { headerHash } from '../wire/block.js';
import { bytesToHex } from '../wire/bytes.js';
import { Chain } from './chain.js';
import { parseGenesis, type Genesis } from './genesis.js';
import { transpileForChild, type TranspiledTree } from './transpile-for-child.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const vectors = loadEthtestChain();

/** Resolves when the child prints a head at or above `number`; rejects if it exits first. */
function waitForHead(child: ChildProcess, number: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let buffered = '';
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const onData = (d: Buffer) => {
      buffered += d.toString();
      const heads = [...buffered.matchAll(/head (\d+)/g)].map((m) => Number(m[1]));
      if (heads.some((h) => h >= number)) {
        child.stdout!.off('data', onData);
        resolvePromise();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before head ${number}: ${stderr}`)));
  });
}

/** Every canonical block from genesis to head is complete and links to its parent, and is the vectors' block. */
function expectConsistent(chain: Chain): bigint {
  const head = chain.head();
  for (let n = 0n; n <= head.number; n++) {
    const hash = chain.hashByNumber(n);
    expect(hash, `canonical ${n}`).toBeDefined();
    const header = chain.headerByHash(hash!)!;
    expect(headerHash(header)).toEqual(hash);
    if (n > 0n) {
      expect(header.parentHash).toEqual(chain.hashByNumber(n - 1n));
      expect(hash).toEqual(vectors.hashes[Number(n) - 1]);
    }
    expect(chain.bodyByHash(hash!), `body ${n}`).toBeDefined();
    expect(chain.receiptsByHash(hash!), `receipts ${n}`).toBeDefined();
  }
  expect(chain.hashByNumber(head.number + 1n)).toBeUndefined();
  return head.number;
}

describe('kill -9 during an import', () => {
  let tree: TranspiledTree;
  let dir: string;
  let genesis: Genesis;

  beforeAll(async () => {
    tree = await transpileForChild(repoRoot, 'reference-node/chain/crash-child.ts');
    dir = await mkdtemp(join(tmpdir(), 'chain-crash-'));
    genesis = await parseGenesis(vectors.genesisJson);
  });
  afterAll(async () => {
    await tree?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves a consistent head each time, and a restarted import finishes at the chain head', async () => {
    const args = [dir, sharedPath('vectors-reference', 'geth-ethtest-chain', 'genesis.json'), sharedPath('vectors-reference', 'geth-ethtest-chain', 'chain.rlp'), '8'];
    const heads: bigint[] = [];
    for (const [killAfter, delayMs] of [
      [40, 0],
      [100, 7],
      [150, 23],
    ] as const) {
      const child = spawn(process.execPath, [tree.entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise((r) => child.once('exit', r));
      await waitForHead(child, killAfter);
      // Somewhere in the next batch: executing, or writing it.
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill('SIGKILL');
      await exited;

      const chain = await Chain.open({ genesis, dir });
      heads.push(expectConsistent(chain));
      await chain.close();
    }
    console.log(`heads after each kill -9: ${heads.join(", ")}`);
    expect(heads[0]).toBeGreaterThanOrEqual(40n);
    expect(heads[2]).toBeGreaterThanOrEqual(150n);

    // A restart imports the rest: the head's state survived the kills.
    const chain = await Chain.open({ genesis, dir });
    const result = await chain.importChainRlp(readSharedBytes('vectors-reference', 'geth-ethtest-chain', 'chain.rlp'));
    expect(result.known).toBe(Number(heads[2]));
    expect(bytesToHex(chain.head().hash)).toBe('44e3809c9a3cda717f00aea3a9da336d149612c8d5657fbc0028176ef8d94d2a');
    expectConsistent(chain);
    await chain.close();
  }, 300_000);
});
