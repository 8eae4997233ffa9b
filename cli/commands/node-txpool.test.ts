/**
 * Issue 5's acceptance at the level of whole nodes (`devp2p-check node`):
 * - a tx sent over RPC reaches exactly ceil(sqrt(9)) = 3 of 9 scripted eth/68
 *   peers whole and the other 6 as typed announcements whose type and size
 *   are what @ethereumjs/tx says;
 * - A–B–C in a line (no A–C link): a tx sent to A reaches C within 2 s, and
 *   once a block holds it every pool is empty;
 * - a restart with --datadir restores local pending txs from the journal.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { createTx } from '@ethereumjs/tx';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedFixture, fixtureAccounts, type FixtureKey, type FixturePaths } from '../../test-support/fixture-cache.js';
import { ScriptedEthPeer } from '../../reference-node/eth/test-peer.js';
import { buildStatus } from '../../reference-node/eth/status.js';
import { bytesToHex, hexToBytes } from '../../reference-node/wire/bytes.js';
import { encodeTransaction } from '../../reference-node/wire/tx/codec.js';
import { transactionHash } from '../../reference-node/wire/tx/hash.js';
import { signTransaction } from '../../reference-node/wire/tx/signer.js';
import type { Transaction } from '../../reference-node/wire/tx/types.js';
import type { RunningNode } from './node.js';
import { nodeRpc, startTestNode, until } from '../../test-support/running-node.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let fixture: FixturePaths;
let scratch: string;
let signerKeyFile: string;
let senders: FixtureKey[];

beforeAll(async () => {
  fixture = await cachedFixture({ profile: 'legacy', blocks: 8, seed: 'txpool-node-test', txsPerBlock: 2 });
  const accounts = await fixtureAccounts(fixture);
  senders = accounts.filter((a) => !a.signer);
  scratch = await mkdtemp(join(tmpdir(), 'devp2p-check-txpool-'));
  signerKeyFile = join(scratch, 'signer.key');
  await writeFile(signerKeyFile, accounts.find((a) => a.signer)!.key.slice(2));
  return () => rm(scratch, { recursive: true, force: true });
}, 120_000);

const start = (args: string[]): Promise<RunningNode> => startTestNode(['--genesis', fixture.genesis, '--http.port', '0', ...args], cleanups);



function transferFields(nonce: bigint) {
  return { type: 2 as const, chainId: 1337n, nonce, maxPriorityFeePerGas: 10n ** 9n, maxFeePerGas: 10n ** 11n, gasLimit: 100_000n, to: new Uint8Array(20).fill(0x55), value: 1n, data: new Uint8Array(0), accessList: [] };
}

async function transfer(node: RunningNode, from: FixtureKey): Promise<Transaction> {
  const nonce = BigInt((await nodeRpc(node, 'eth_getTransactionCount', [from.address, 'pending'])) as string);
  return signTransaction(transferFields(nonce), hexToBytes(from.key));
}

/** The same transfer signed and encoded by @ethereumjs/tx. */
function ethereumjsTransfer(from: FixtureKey, nonce: bigint) {
  const common = createCustomCommon({ chainId: 1337 }, Mainnet, { hardfork: Hardfork.London });
  return createTx(transferFields(nonce), { common }).sign(hexToBytes(from.key));
}

const send = (node: RunningNode, tx: Transaction) => nodeRpc(node, 'eth_sendRawTransaction', [`0x${bytesToHex(encodeTransaction(tx))}`]);

describe('transactions across reference nodes', () => {
  it('a tx sent by RPC goes whole to 3 of 9 eth/68 peers and as a typed announcement to the other 6', async () => {
    const a = await start(['--import', fixture.chain]);
    const peers: ScriptedEthPeer[] = [];
    for (let i = 0; i < 9; i++) {
      const them = await ScriptedEthPeer.dial({ port: a.network.port, publicKey: a.network.server.publicKey }, 68);
      cleanups.push(() => them.close());
      await them.next('Status');
      them.send(buildStatus(a.eth!.chain, 68));
      peers.push(them);
    }
    await until('9 peers', 5_000, () => (a.eth!.peers().length === 9 ? true : undefined));
    const tx = await transfer(a, senders[0]!);
    const hash = transactionHash(tx);
    await send(a, tx);
    await new Promise((r) => setTimeout(r, 600));
    const whole = peers.filter((p) => p.received.some((m) => m.kind === 'Transactions' && m.transactions.some((t) => bytesToHex(transactionHash(t)) === bytesToHex(hash))));
    const announced = peers.filter((p) => p.received.some((m) => m.kind === 'NewPooledTransactionHashes' && m.hashes.some((h) => bytesToHex(h) === bytesToHex(hash))));
    expect([whole.length, announced.length]).toEqual([3, 6]);
    expect(whole.filter((p) => announced.includes(p))).toEqual([]);
    const independent = ethereumjsTransfer(senders[0]!, tx.nonce);
    expect(bytesToHex(independent.hash())).toBe(bytesToHex(hash));
    for (const p of announced) {
      const ann = p.received.find((m) => m.kind === 'NewPooledTransactionHashes');
      if (ann?.kind !== 'NewPooledTransactionHashes' || ann.form !== 'eth68') throw new Error('expected an eth/68 announcement');
      const i = ann.hashes.findIndex((h) => bytesToHex(h) === bytesToHex(hash));
      expect([ann.types[i], ann.sizes[i]]).toEqual([2, independent.serialize().length]);
    }
  }, 60_000);

  it('A–B–C in a line: a tx sent to A reaches C within 2 s; once mined (by C) it leaves all three pools', async () => {
    const c = await start(['--mine', '--miner.signer', signerKeyFile, '--import', fixture.chain]);
    const b = await start(['--import', fixture.chain]);
    const a = await start(['--import', fixture.chain]);
    b.network.server.addPeer(c.network.enode);
    a.network.server.addPeer(b.network.enode);
    await until('A–B and B–C linked', 10_000, () => (a.eth!.peers().length === 1 && b.eth!.peers().length === 2 && c.eth!.peers().length === 1 ? true : undefined));
    const tx = await transfer(a, senders[1]!);
    const hash = `0x${bytesToHex(transactionHash(tx))}`;
    const sent = Date.now();
    await send(a, tx);
    // In C's pool, or already in a block C sealed: either way it reached C.
    await until('the tx at C', 2_000, async () => ((await nodeRpc(c, 'eth_getTransactionByHash', [hash])) !== null ? true : undefined));
    expect(Date.now() - sent).toBeLessThan(2_000);
    for (const node of [a, b, c]) {
      await until('the tx mined and the pool empty', 15_000, async () => {
        const receipt = await nodeRpc(node, 'eth_getTransactionReceipt', [hash]);
        const status = (await nodeRpc(node, 'txpool_status')) as { pending: string; queued: string };
        return receipt !== null && status.pending === '0x0' && status.queued === '0x0' ? true : undefined;
      });
    }
  }, 60_000);

  it('a restart with --datadir restores the local pending txs from the journal', async () => {
    const datadir = join(scratch, 'journal-node');
    const first = await start(['--datadir', datadir, '--import', fixture.chain]);
    const txs = [await transfer(first, senders[2]!)];
    await send(first, txs[0]!);
    txs.push(await transfer(first, senders[2]!));
    await send(first, txs[1]!);
    expect(await nodeRpc(first, 'txpool_status')).toEqual({ pending: '0x2', queued: '0x0' });
    await first.stop();
    const second = await start(['--datadir', datadir]);
    expect(await nodeRpc(second, 'txpool_status')).toEqual({ pending: '0x2', queued: '0x0' });
    for (const tx of txs) expect(await nodeRpc(second, 'eth_getTransactionByHash', [`0x${bytesToHex(transactionHash(tx))}`])).toMatchObject({ blockHash: null });
  }, 60_000);
});
