/**
 * `node --genesis F --import chain.rlp` with geth's 600-block eth-test chain
 * (read from ../shared at test time): the node serves that chain over eth,
 * and what it serves is checked against the chain file itself, the header
 * roots, and the fork ID / network ID the chain's README and geth give
 * (0x377aaa78, next 0; network 3503995874084926).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../../test-support/shared.js';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import { receiptsRoot, transactionsRoot, withdrawalsRoot, ommersHash } from '../../reference-node/chain/roots.js';
import { ScriptedEthPeer } from '../../reference-node/eth/test-peer.js';
import { buildStatus } from '../../reference-node/eth/status.js';
import { encodeBlockHeader, headerHash } from '../../reference-node/wire/block.js';
import type { EthVersion, Receipt } from '../../reference-node/wire/eth/types.js';
import { startNodeFromArgs, type RunningNode } from './node.js';
import { UsageError } from '../errors.js';

const ethtest = loadEthtestChain();
let running: RunningNode;

beforeAll(async () => {
  running = await startNodeFromArgs([
    '--port', '0', '--nodiscover',
    '--genesis', sharedPath('vectors-reference', 'geth-ethtest-chain', 'genesis.json'),
    '--import', sharedPath('vectors-reference', 'geth-ethtest-chain', 'chain.rlp'),
  ]);
}, 120_000);
afterAll(() => running?.stop());

async function connect(version: EthVersion): Promise<ScriptedEthPeer> {
  const them = await ScriptedEthPeer.dial({ port: running.network.port, publicKey: running.network.server.publicKey }, version);
  const status = await them.next('Status');
  them.send(buildStatus(running.eth!.chain, version));
  expect(status).toMatchObject({ networkId: 3503995874084926n, forkId: { hash: Uint8Array.from([0x37, 0x7a, 0xaa, 0x78]), next: 0n } });
  expect(status.genesis).toEqual(ethtest.genesisHash);
  return them;
}

describe('node --genesis --import (geth eth-test chain)', () => {
  it('offers the post-merge versions and announces the chain head in its Status', async () => {
    expect(running.eth!.versions).toEqual([68, 69, 70]);
    const them = await connect(69);
    const status = them.received.find((m) => m.kind === 'Status');
    expect(status).toMatchObject({ latestBlock: 600n, latestBlockHash: ethtest.headHash });
    them.close();
  });

  it('serves all 600 headers byte-identical to chain.rlp', async () => {
    const them = await connect(68);
    const served: Uint8Array[] = [];
    for (let from = 1n; from <= 600n; from += 200n) {
      them.send({ kind: 'GetBlockHeaders', requestId: from, origin: { number: from }, amount: 200n, skip: 0n, reverse: false });
      const reply = await them.next('BlockHeaders');
      expect(reply.requestId).toBe(from);
      served.push(...reply.headers.map(encodeBlockHeader));
    }
    expect(served).toEqual(ethtest.blocks.map((b) => encodeBlockHeader(b.header)));
    them.close();
  });

  it('bodies and receipts hash to the header roots (eth/68 bodies, eth/69 receipts)', async () => {
    const them = await connect(69);
    const hashes = ethtest.hashes.slice(0, 64);
    them.send({ kind: 'GetBlockBodies', requestId: 1n, hashes });
    const bodies = (await them.next('BlockBodies')).bodies;
    // The 2 MiB soft limit may cut a reply short (the chain has large receipts): ask again from where it stopped.
    const receipts: Receipt[][] = [];
    for (let id = 2n; receipts.length < hashes.length; id++) {
      them.send({ kind: 'GetReceipts', form: 'eth66', requestId: id, hashes: hashes.slice(receipts.length) });
      const part = (await them.next('Receipts')).receipts;
      expect(part.length).toBeGreaterThan(0);
      receipts.push(...part);
    }
    expect(bodies).toHaveLength(64);
    for (let i = 0; i < 64; i++) {
      const header = ethtest.blocks[i]!.header;
      const body = bodies[i]!;
      expect(headerHash(header)).toEqual(hashes[i]);
      expect(await transactionsRoot(body.transactions)).toEqual(header.transactionsRoot);
      expect(ommersHash(body.uncles)).toEqual(header.ommersHash);
      if (header.withdrawalsRoot) expect(await withdrawalsRoot(body.withdrawals ?? [])).toEqual(header.withdrawalsRoot);
      expect(await receiptsRoot(receipts[i]!)).toEqual(header.receiptsRoot);
    }
    expect(bodies.some((b) => b.transactions.length > 0)).toBe(true);
    them.close();
  });

  it('rejects a genesis file that does not parse, and --import without --genesis, as usage errors', async () => {
    await expect(startNodeFromArgs(['--port', '0', '--nodiscover', '--genesis', sharedPath('vectors-reference', 'geth-ethtest-chain', 'chain.rlp')])).rejects.toThrow(UsageError);
    await expect(startNodeFromArgs(['--port', '0', '--nodiscover', '--import', 'x.rlp'])).rejects.toThrow('--import needs --genesis');
  });
});
