/**
 * Legacy profile (Clique, TD, block gossip), issue 4's acceptance at the
 * level of whole nodes as `devp2p-check node` runs them:
 * - node A mines a Clique chain with transactions sent over its RPC; node B
 *   syncs from scratch to A's head; node C joins later (through B only) and
 *   gets there too;
 * - a mined block goes whole to floor(sqrt(n)) scripted peers and by hash to
 *   the others, with 9 and with 10 peers (3 and 3).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedFixture, fixtureAccounts, type FixturePaths } from '../../test-support/fixture-cache.js';
import { ScriptedEthPeer } from '../../reference-node/eth/test-peer.js';
import { buildStatus } from '../../reference-node/eth/status.js';
import { bytesToHex, equalBytes, hexToBytes } from '../../reference-node/wire/bytes.js';
import type { EthMessage } from '../../reference-node/wire/eth/types.js';
import { encodeTransaction } from '../../reference-node/wire/tx/codec.js';
import { signTransaction } from '../../reference-node/wire/tx/signer.js';
import type { RunningNode } from './node.js';
import { nodeRpc, startTestNode, until } from '../../test-support/running-node.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let fixture: FixturePaths;
let signerKeyFile: string;
let sender: { address: string; key: string };

beforeAll(async () => {
  fixture = await cachedFixture({ profile: 'legacy', blocks: 24, seed: 'legacy-node-test', txsPerBlock: 3 });
  const accounts = await fixtureAccounts(fixture);
  const signer = accounts.find((a) => a.signer)!;
  sender = accounts.find((a) => !a.signer)!;
  const dir = await mkdtemp(join(tmpdir(), 'devp2p-check-legacy-'));
  signerKeyFile = join(dir, 'signer.key');
  await writeFile(signerKeyFile, signer.key.slice(2));
  return () => rm(dir, { recursive: true, force: true });
}, 120_000);

const start = (args: string[]): Promise<RunningNode> => startTestNode(['--genesis', fixture.genesis, ...args], cleanups);



const headOf = (n: RunningNode) => n.eth!.chain.head();

/** Waits until `follower` holds the block that is `leader`'s head now (the leader keeps mining). */
async function catchesUp(follower: RunningNode, leader: RunningNode, ms: number): Promise<void> {
  const target = headOf(leader);
  await until(`block ${target.number} on the follower`, ms, () => {
    const hash = follower.eth!.chain.hashByNumber(target.number);
    return hash !== undefined && equalBytes(hash, target.hash) ? true : undefined;
  });
}

describe('legacy network of reference nodes', () => {
  it('A mines txs sent by RPC; B syncs from scratch to A\'s head; C joins later through B', async () => {
    const a = await start(['--import', fixture.chain, '--mine', '--miner.signer', signerKeyFile, '--http.port', '0']);
    expect(a.eth!.versions).toEqual([66, 67, 68]);
    const nonce = BigInt((await nodeRpc(a, 'eth_getTransactionCount', [sender.address, 'latest'])) as string);
    const hashes: string[] = [];
    for (let i = 0n; i < 4n; i++) {
      const tx = signTransaction(
        { type: 2, chainId: 1337n, nonce: nonce + i, maxPriorityFeePerGas: 10n ** 9n, maxFeePerGas: 10n ** 11n, gasLimit: 21_000n, to: new Uint8Array(20).fill(0x77), value: 1000n + i, data: new Uint8Array(0), accessList: [] },
        hexToBytes(sender.key),
      );
      hashes.push((await nodeRpc(a, 'eth_sendRawTransaction', [`0x${bytesToHex(encodeTransaction(tx))}`])) as string);
    }
    const mined = await until('the txs mined on A', 20_000, async () => {
      const receipts = await Promise.all(hashes.map((h) => nodeRpc(a, 'eth_getTransactionReceipt', [h])));
      return receipts.every((r) => r !== null) ? (receipts as Array<{ blockNumber: string; status: string }>) : undefined;
    });
    expect(mined.every((r) => r.status === '0x1')).toBe(true);
    expect(headOf(a).number).toBeGreaterThan(24n);

    const b = await start(['--http.port', '0']);
    b.network.server.addPeer(a.network.enode);
    await catchesUp(b, a, 30_000);
    for (const h of hashes) expect(await nodeRpc(b, 'eth_getTransactionReceipt', [h])).toMatchObject({ status: '0x1', transactionHash: h });

    // A keeps sealing; C starts later and only knows B.
    const seen = headOf(a).number;
    await until('A to mine 2 more blocks', 10_000, () => (headOf(a).number >= seen + 2n ? true : undefined));
    const c = await start([]);
    c.network.server.addPeer(b.network.enode);
    await catchesUp(c, a, 30_000);
    expect(c.eth!.chain.tdByHash(headOf(a).hash) ?? 0n).toBeGreaterThan(0n);
  }, 120_000);

  it.each([
    [9, 3, 6],
    [10, 3, 7],
  ])('with %i scripted peers a mined block goes whole to %i and by hash to %i', async (n, full, announced) => {
    const a = await start(['--import', fixture.chain, '--mine', '--miner.signer', signerKeyFile]);
    const peers: ScriptedEthPeer[] = [];
    for (let i = 0; i < n; i++) {
      const them = await ScriptedEthPeer.dial({ port: a.network.port, publicKey: a.network.server.publicKey }, 68);
      cleanups.push(() => them.close());
      await them.next('Status');
      them.send(buildStatus(a.eth!.chain, 68));
      peers.push(them);
    }
    await until(`${n} eth peers on A`, 5_000, () => (a.eth!.peers().length === n ? true : undefined));
    // The first block sealed after everyone joined, plus a quiet moment for stragglers.
    const target = headOf(a).number + 2n;
    await until(`block ${target}`, 10_000, () => (headOf(a).number >= target ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    const hash = a.eth!.chain.hashByNumber(target)!;
    const about = (m: EthMessage) =>
      (m.kind === 'NewBlock' && m.block.header.number === target) || (m.kind === 'NewBlockHashes' && m.announcements.some((x) => equalBytes(x.hash, hash)));
    const got = peers.map((p) => p.received.filter(about));
    expect(got.every((msgs) => msgs.length === 1)).toBe(true);
    const blocks = got.filter((msgs) => msgs[0]!.kind === 'NewBlock');
    expect(blocks).toHaveLength(full);
    expect(got.filter((msgs) => msgs[0]!.kind === 'NewBlockHashes')).toHaveLength(announced);
    for (const [msg] of blocks) expect(msg).toMatchObject({ kind: 'NewBlock', td: a.eth!.chain.tdByHash(hash) });
  }, 60_000);
});
