/**
 * Interop with @ethereumjs/client (issue 4), both directions, on a Clique
 * London chain with period 1 (the legacy fixture's genesis):
 * - the ethereumjs client mines (empty blocks: its miner includes no txs)
 *   and our node syncs to its head;
 * - our node holds the fixture chain (blocks with transactions), keeps
 *   mining, and the ethereumjs client syncs to our head, executing our blocks.
 * Head equality is checked by hash at the same height, read from each node.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedFixture, fixtureAccounts, type FixturePaths } from '../../test-support/fixture-cache.js';
import { startEthereumjsClient, type EthereumjsClient } from '../../test-support/ethereumjs-client.js';
import { bytesToHex, hexToBytes } from '../../reference-node/wire/bytes.js';
import type { RunningNode } from './node.js';
import { startTestNode, until } from '../../test-support/running-node.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let fixture: FixturePaths;
let genesisJson: object;
let signerKey: string;
let keyFile: string;

beforeAll(async () => {
  fixture = await cachedFixture({ profile: 'legacy', blocks: 24, seed: 'ethereumjs-interop', txsPerBlock: 4 });
  genesisJson = JSON.parse(await readFile(fixture.genesis, 'utf8')) as object;
  signerKey = (await fixtureAccounts(fixture)).find((a) => a.signer)!.key;
  const dir = await mkdtemp(join(tmpdir(), 'devp2p-check-interop-'));
  keyFile = join(dir, 'signer.key');
  await writeFile(keyFile, signerKey.slice(2));
  return () => rm(dir, { recursive: true, force: true });
}, 120_000);

const ours = (args: string[]): Promise<RunningNode> => startTestNode(['--genesis', fixture.genesis, ...args], cleanups);

async function theirs(options: Partial<Parameters<typeof startEthereumjsClient>[0]> = {}): Promise<EthereumjsClient> {
  const client = await startEthereumjsClient({ genesisJson, noDelay: true, ...options });
  cleanups.push(() => client.stop());
  return client;
}

async function theirHash(client: EthereumjsClient, n: bigint): Promise<string | undefined> {
  const block = (await client.rpc('eth_getBlockByNumber', [`0x${n.toString(16)}`, false])) as { hash: string } | null;
  return block?.hash;
}


describe('interop with @ethereumjs/client (Clique London, period 1)', () => {
  it('the ethereumjs client mines; our node syncs to its head', async () => {
    const client = await theirs({ mine: { privateKey: hexToBytes(signerKey) } });
    await client.waitForBlock(3n, 30_000);
    const node = await ours([]);
    node.network.server.addPeer(client.enode);
    const target = await client.blockNumber();
    const hash = await theirHash(client, target);
    await until(`our node at block ${target}`, 45_000, () => {
      const ourHash = node.eth!.chain.hashByNumber(target);
      return ourHash !== undefined ? `0x${bytesToHex(ourHash)}` : undefined;
    }, client.logs).then((ourHash) => expect(ourHash).toBe(hash));
    expect(await client.rpc('net_peerCount')).not.toBe('0x0');
  }, 120_000);

  it('our node holds a chain with transactions and mines on; the ethereumjs client syncs to our head', async () => {
    const node = await ours(['--import', fixture.chain, '--mine', '--miner.signer', keyFile]);
    const client = await theirs();
    node.network.server.addPeer(client.enode);
    await client.waitForBlock(24n, 90_000);
    const target = node.eth!.chain.head().number >= 26n ? 26n : 24n;
    await client.waitForBlock(target, 30_000);
    const ourHash = `0x${bytesToHex(node.eth!.chain.hashByNumber(target)!)}`;
    expect(await theirHash(client, target)).toBe(ourHash);
    // It executed our transactions: a fixture block's tx count and state root agree.
    const theirBlock = (await client.rpc('eth_getBlockByNumber', ['0x10', false])) as { transactions: string[]; stateRoot: string };
    const ourBlock = node.eth!.chain.blockByNumber(16n)!;
    expect(theirBlock.transactions).toHaveLength(ourBlock.transactions.length);
    expect(theirBlock.stateRoot).toBe(`0x${bytesToHex(ourBlock.header.stateRoot)}`);
  }, 180_000);
});
